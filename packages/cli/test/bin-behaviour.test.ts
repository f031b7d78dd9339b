/**
 * Issue 15's CLI behaviours, as a user meets them: each runs the BUILT bin as a child process
 * against the real provider plugins (and emulators) and checks stdout, stderr and the exit code.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, ensureBuiltBin } from './built-bin.js';

ensureBuiltBin();

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Runs the built bin with only PATH and `env`; `until` decides when to send `signal` (SIGINT by default). */
function runBin(
  args: string[],
  env: Record<string, string> = {},
  until?: { ready: () => boolean; signal?: NodeJS.Signals },
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env } },
      (_error, out, err) => resolve({ code: child.exitCode, out, err }),
    );
    if (until) {
      const check = setInterval(() => {
        if (until.ready()) {
          clearInterval(check);
          child.kill(until.signal ?? 'SIGINT');
        }
      }, 10);
    }
  });
}

const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');
const ndjson = (s: string) => lines(s).map((l) => JSON.parse(l) as Record<string, unknown>);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => resolve(p));
    });
  });
}

describe('leaving when done (built bin)', () => {
  it('a listing exits once its output is out: a timer left running and the kept-alive connection do not hold it', async () => {
    const { startHeatEmulator, createScript } = await import('@stackfeed/emulator/heat');
    const emu = await startHeatEmulator();
    try {
      emu.addStack('web', createScript('web', [{ name: 'net' }, { name: 'server' }], { stepMs: 1000 }));
      emu.advance(60_000);
      const linger = join(import.meta.dirname, 'fixtures', 'linger.cjs');
      const r = await new Promise<Run>((resolve) => {
        const child = execFile(
          process.execPath,
          ['-r', linger, bin, 'events', 'heat', 'web', '--endpoint', emu.heatUrl, '-o', 'json'],
          // a bin that waits for the event loop would never leave: bounded, so that it fails instead
          { env: { PATH: process.env.PATH ?? '', OS_AUTH_TYPE: 'none' }, timeout: 60_000, killSignal: 'SIGKILL' },
          (_error, out, err) => resolve({ code: child.exitCode, out, err }),
        );
      });
      expect(r.code, r.err).toBe(0);
      const listed = (JSON.parse(r.out) as Array<{ resource: { logicalId: string } }>).map((e) => e.resource.logicalId);
      expect(new Set(listed)).toEqual(new Set(['web', 'net', 'server']));
      // the connection to the emulator was still open (kept alive) when the process left
      expect(r.err).toMatch(/^linger: [1-9]\d* open connection\(s\) at exit$/m);
    } finally {
      await emu.close();
    }
  });
});

describe('exit codes (built bin)', () => {
  it.each([
    [['images', 'heat']],
    [['images', 'heat', '--endpoint', 'http://127.0.0.1:9/v1/x']],
    [['executions', 'heat', 'web']],
    [['executions', 'heat', 'web', '--endpoint', 'http://127.0.0.1:9/v1/x']],
    [['executions', 'rfs', 'x']],
    [['executions', 'rfs', 'x', '--endpoint', 'http://127.0.0.1:9']],
  ])('%j: the provider has no such thing: usage (2), one line, with or without configuration', async (args) => {
    const r = await runBin(args);
    expect(r.code, r.err).toBe(2);
    expect(r.out).toBe('');
    expect(lines(r.err)).toHaveLength(1);
    expect(r.err).toMatch(/^stackfeed: (OpenStack Heat|Huawei Cloud RFS) has no (images|executions)/);
  });

  it('a malformed Image Builder target is usage (2), one line naming the forms it takes', async () => {
    const r = await runBin(['events', 'imagebuilder', 'nosuch', '--region', 'us-east-1'], {
      AWS_ACCESS_KEY_ID: 'AKIABINBEHAVIOUR0001',
      AWS_SECRET_ACCESS_KEY: 'bin-behaviour-secret',
    });
    expect(r.code, r.err).toBe(2);
    expect(r.out).toBe('');
    expect(lines(r.err)).toHaveLength(1);
    expect(r.err).toMatch(/"nosuch" is not a lifecycle execution id \(lce-…\)/);
  });
});

describe('a dead endpoint (built bin)', () => {
  it('--follow off a terminal says on stderr that it is retrying, once per attempt; then one error line, exit 1', async () => {
    const port = await freePort();
    const r = await runBin([
      'events',
      'heat',
      'web',
      '-f',
      '--endpoint',
      `http://127.0.0.1:${port}/v1/x`,
      '--timeout',
      '2s',
    ]);
    expect(r.code, r.err).toBe(1);
    expect(lines(r.out).length).toBeLessThanOrEqual(1); // the tail's header at most: no event
    const retries = lines(r.err).filter((l) => l.startsWith('stackfeed: retrying openstack-heat'));
    expect(retries.length, r.err).toBeGreaterThan(0);
    expect(retries[0]).toMatch(/\(attempt 1, next try in \d+(\.\d+)?m?s\): ECONNREFUSED/);
    // once per attempt: the attempt numbers count up, none repeated
    const attempts = retries.map((l) => Number(/attempt (\d+)/.exec(l)?.[1]));
    expect(new Set(attempts).size).toBe(attempts.length);
    const others = lines(r.err).filter((l) => !l.startsWith('stackfeed: retrying'));
    expect(others).toHaveLength(1);
    expect(others[0]).toMatch(/^stackfeed: (NETWORK|TIMEOUT) \[openstack-heat/);
  });

  it('a plain list keeps one error line, nothing said twice', async () => {
    const port = await freePort();
    const r = await runBin(['events', 'heat', 'web', '--endpoint', `http://127.0.0.1:${port}/v1/x`]);
    expect(r.code).toBe(1);
    expect(lines(r.err)).toHaveLength(1);
    expect(r.err).not.toMatch(/ECONNREFUSED.*ECONNREFUSED/);
  });
});

describe('OpenStack set-up (built bin)', () => {
  it('an unreachable Keystone names OS_AUTH_URL, not --endpoint (which is the Heat endpoint): one line, exit 1', async () => {
    const port = await freePort();
    const r = await runBin(['events', 'heat', 'web'], {
      HOME: tmpdir(),
      OS_AUTH_URL: `http://127.0.0.1:${port}/v3`,
      OS_USERNAME: 'demo',
      OS_PASSWORD: 'bin-behaviour-password',
      OS_PROJECT_NAME: 'demo',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
    });
    expect(r.code, r.err).toBe(1);
    expect(r.out).toBe('');
    expect(lines(r.err)).toHaveLength(1);
    expect(r.err).toMatch(/^stackfeed: NETWORK \[openstack-heat, authenticate\]: connect ECONNREFUSED/);
    expect(r.err).toContain('OS_AUTH_URL');
    expect(r.err).not.toContain('--endpoint');
    expect(r.err).not.toContain('bin-behaviour-password');
  });
});

describe('RFS emulator: tables and --resource (built bin)', () => {
  async function rfs() {
    const { startRfsEmulator, deploymentFailsAndRollsBack } = await import('@stackfeed/emulator/rfs');
    const keys = { accessKey: 'BINBEHAVIOURAK000001', secretKey: 'bin-behaviour-sk' };
    const emu = await startRfsEmulator({
      credentials: { aksk: [keys] },
      scenarios: [deploymentFailsAndRollsBack({ stackName: 'db' })],
      progress: 'manual',
    });
    emu.finish();
    const env = {
      HUAWEICLOUD_SDK_AK: keys.accessKey,
      HUAWEICLOUD_SDK_SK: keys.secretKey,
      HUAWEICLOUD_SDK_PROJECT_ID: emu.projectId,
      HUAWEICLOUD_SDK_REGION: 'cn-north-4',
    };
    return { emu, env };
  }

  it("piped: one table style (no box, one line an event, columns sized to the content, the FAILED reason whole); --resource 'server[api]' as printed matches", async () => {
    const { emu, env } = await rfs();
    try {
      const all = await runBin(['events', 'rfs', 'db', '--endpoint', emu.url, '-o', 'ndjson'], env);
      expect(all.code, all.err).toBe(0);
      const events = ndjson(all.out).filter((x) => x.type === 'event');
      const table = await runBin(['events', 'rfs', 'db', '--endpoint', emu.url], env);
      expect(table.code, table.err).toBe(0);
      expect(table.err).toBe('');
      const rows = lines(table.out);
      expect(rows[0]).toMatch(/^time \(UTC\)\s+provider\s+stack\s+resource\s+action\s+phase\s+reason$/);
      expect(rows).toHaveLength(events.length + 1); // a header, then one line an event
      expect(table.out).not.toMatch(/[│┌└├─]/);
      // every event's message is printed whole (piped: nothing cut)
      for (const e of events.filter((x) => x.phase === 'FAILED')) expect(table.out).toContain(String(e.message));
      // the resource column shows server[api]; the same text as --resource selects that instance only
      expect(table.out).toContain('server[api]');
      const api = await runBin(
        ['events', 'rfs', 'db', '--endpoint', emu.url, '--resource', 'server[api]', '-o', 'ndjson'],
        env,
      );
      expect(api.code, api.err).toBe(0);
      const picked = ndjson(api.out).filter((x) => x.type === 'event');
      const expected = events.filter((e) => (e.resource as { key?: string } | undefined)?.key === 'api');
      expect(picked.length).toBeGreaterThan(0);
      expect(picked.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    } finally {
      await emu.close();
    }
  });

  it('--local-time: table times in the TZ zone, named in the header; JSON stays UTC; an unknown TZ falls back', async () => {
    const { emu, env } = await rfs();
    try {
      const utc = ndjson(
        (
          await runBin(['events', 'rfs', 'db', '--endpoint', emu.url, '-o', 'ndjson', '--local-time'], {
            ...env,
            TZ: 'Asia/Kolkata',
          })
        ).out,
      );
      expect(String(utc[0]?.timestamp)).toMatch(/Z$/);
      const r = await runBin(['events', 'rfs', 'db', '--endpoint', emu.url, '--local-time'], {
        ...env,
        TZ: 'Asia/Kolkata',
      });
      expect(r.code, r.err).toBe(0);
      const [head, first] = lines(r.out);
      expect(head).toMatch(/^time \(Asia\/Kolkata\)/);
      // +05:30 from the UTC timestamp of the same first event
      const t = new Date(String(utc[0]?.timestamp)).getTime() + 5.5 * 3600_000;
      expect(first?.startsWith(new Date(t).toISOString().slice(0, 19).replace('T', ' '))).toBe(true);
      const bad = await runBin(['events', 'rfs', 'db', '--endpoint', emu.url, '--local-time'], {
        ...env,
        TZ: 'Nowhere/Atlantis',
      });
      expect(bad.code, bad.err).toBe(0);
      expect(lines(bad.out)[0]).not.toContain('Atlantis');
    } finally {
      await emu.close();
    }
  });
});

describe('Heat emulator: watch (built bin)', () => {
  async function heat() {
    const { startHeatEmulator, createScript } = await import('@stackfeed/emulator/heat');
    const emu = await startHeatEmulator();
    emu.addStack('endless', createScript('endless', [{ name: 'a' }, { name: 'b' }, { name: 'c' }], { stepMs: 1000 }));
    emu.addStack('web', createScript('web', [{ name: 'net' }, { name: 'server' }], { stepMs: 1000 }));
    emu.advance(2500);
    return emu;
  }

  it('two Heat targets take a bare --endpoint (no heat= asked), and a missing stack is reported alongside', async () => {
    const emu = await heat();
    try {
      emu.advance(60_000); // web has ended; endless never does
      const r = await runBin([
        'watch',
        'heat:web',
        'heat:nosuch',
        '--endpoint',
        emu.heatUrl,
        '--poll-interval',
        '20ms',
        '-o',
        'ndjson',
      ]);
      expect(r.err).not.toMatch(/heat=|provider=/);
      expect(r.code).toBe(1); // nosuch failed (NOT_FOUND), web was followed to its end
      const recs = ndjson(r.out);
      expect(recs.some((x) => x.type === 'event' && (x.stack as { name?: string }).name === 'web')).toBe(true);
      expect(r.err).toMatch(/NOT_FOUND/);
    } finally {
      await emu.close();
    }
  });

  it('Ctrl-C during watch flushes the events held back for lateness (valid NDJSON), exit 130', async () => {
    const emu = await heat();
    try {
      const polls = () => emu.server.requests.filter((q) => q.path.endsWith('/events')).length;
      const r = await runBin(
        [
          'watch',
          'heat:endless',
          '--endpoint',
          emu.heatUrl,
          '--poll-interval',
          '20ms',
          '--lateness',
          '1h',
          '-o',
          'ndjson',
        ],
        {},
        { ready: () => polls() >= 4 },
      );
      expect(r.code, r.err).toBe(130);
      const events = ndjson(r.out).filter((x) => x.type === 'event');
      // with an hour of lateness nothing is printed before the flush: these came from it
      expect(events.length).toBe(emu.visibleEvents([...emu.stacks.values()].find((s) => s.name === 'endless')!).length);
      expect(r.err).toContain('interrupted');
    } finally {
      await emu.close();
    }
  });
});

describe('the bundle and the packages it leaves out (built bin)', () => {
  it('archive and history run the store (PGlite) from the bundled bin', async () => {
    const { startHeatEmulator, createScript } = await import('@stackfeed/emulator/heat');
    const emu = await startHeatEmulator();
    const store = mkdtempSync(join(tmpdir(), 'stackfeed-bin-store-'));
    try {
      emu.addStack('web', createScript('web', [{ name: 'a' }, { name: 'b' }], { stepMs: 1000 }));
      emu.advance(60_000);
      const env = { HOME: store };
      const a = await runBin(
        ['archive', 'heat:web', '--endpoint', emu.heatUrl, '--store', store, '--poll-interval', '20ms', '-o', 'ndjson'],
        env,
      );
      expect(a.code, a.err).toBe(0);
      const [rec] = ndjson(a.out);
      expect(rec).toMatchObject({ type: 'archive', provider: 'openstack-heat', target: 'web', outcome: 'succeeded' });
      const inserted = Number(rec?.inserted);
      expect(inserted).toBe(emu.visibleEvents([...emu.stacks.values()].find((s) => s.name === 'web')!).length);
      const h = await runBin(['history', 'heat', 'web', '--store', store, '-o', 'ndjson'], env);
      expect(h.code, h.err).toBe(0);
      expect(ndjson(h.out).filter((x) => x.type === 'event')).toHaveLength(inserted);
    } finally {
      await emu.close();
      rmSync(store, { recursive: true, force: true });
    }
  });

  it('demo plays every provider on the emulators from the bundled bin', async () => {
    // Speed 10, not more: at 40 the 45 s image build ends (and its stack goes) within a second, before a loaded
    // machine has the follow running, and the ParallelCluster part then has no events to show.
    const r = await runBin(['demo', '--speed', '10', '-o', 'ndjson']);
    expect(r.code, r.err).toBe(0);
    const providers = new Set(
      ndjson(r.out)
        .filter((x) => x.type === 'event')
        .map((x) => x.provider),
    );
    expect(providers).toEqual(new Set(['openstack-heat', 'huawei-rfs', 'aws-parallelcluster', 'aws-imagebuilder']));
  }, 60_000);
});

describe('stackfeed emulator (built bin)', () => {
  /** A free block of 40 ports below the ephemeral range, as the emulator test picks one. */
  async function freeBase(): Promise<number> {
    const free = (port: number) =>
      new Promise<boolean>((resolve) => {
        const probe = createServer();
        probe.once('error', () => resolve(false));
        probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
      });
    for (let attempt = 0; attempt < 50; attempt++) {
      const base = 20_000 + 40 * Math.floor(Math.random() * 300);
      let ok = true;
      for (let p = base; p < base + 40 && ok; p++) ok = await free(p);
      if (ok) return base;
    }
    throw new Error('no free block of 40 ports');
  }

  it('a second start on the same ports says "in use, try --port-base N" in one line, exit 1; the first stops on Ctrl-C', async () => {
    const base = await freeBase();
    let firstOut = '';
    let firstChild: ReturnType<typeof execFile> | undefined;
    const first = new Promise<Run>((resolve) => {
      const child = execFile(
        process.execPath,
        [bin, 'emulator', '--port-base', String(base)],
        { env: { PATH: process.env.PATH ?? '' } },
        (_e, out, err) => resolve({ code: child.exitCode, out, err }),
      );
      child.stdout?.on('data', (d: Buffer) => {
        firstOut += d.toString();
      });
      firstChild = child;
    });
    try {
      for (let i = 0; i < 3000 && !firstOut.includes('running on 127.0.0.1'); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(firstOut).toContain('running on 127.0.0.1');
      const second = await runBin(['emulator', '--port-base', String(base)]);
      expect(second.code).toBe(1);
      expect(second.out).toBe('');
      expect(lines(second.err), second.err).toHaveLength(1);
      expect(second.err).toMatch(/^stackfeed: ports? .*in use on 127\.0\.0\.1 .*try --port-base \d+$/m);
      expect(second.err).not.toContain('unexpected error');
    } finally {
      firstChild?.kill('SIGINT');
    }
    const ended = await first;
    expect([0, 130]).toContain(ended.code);
  });
});
