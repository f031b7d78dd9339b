import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ctx } from '../src/context.js';
import { EXIT } from '../src/index.js';
import { providerEntries } from '../src/providers/registry.js';
import { fakePlugin, type FakeService, SCENARIOS, startFakeService } from './fake-provider.js';
import { ANSI, cli, records } from './helpers.js';

let svc: FakeService;
let providers: ReturnType<typeof fakePlugin>[];

beforeAll(async () => {
  svc = await startFakeService();
  svc.finishAll();
  providers = [fakePlugin('openstack-heat', 'heat', () => svc.url), fakePlugin('huawei-rfs', 'rfs', () => svc.url)];
});
afterAll(() => svc.close());

/** A service whose deployments start at the beginning, for follow tests. */
async function freshService() {
  const s = await startFakeService();
  const ps = [fakePlugin('openstack-heat', 'heat', () => s.url), fakePlugin('huawei-rfs', 'rfs', () => s.url)];
  return { s, ps };
}

describe('help and usage', () => {
  it('prints help with examples for every command, exit 0', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(EXIT.OK);
    expect(top.out).toContain('Exit codes');
    expect(top.out).toContain('$ stackfeed demo');
    for (const cmd of ['events', 'watch', 'stacks', 'images', 'image', 'executions', 'demo', 'emulator']) {
      expect(top.out).toContain(cmd);
      const r = await cli([cmd, '--help']);
      expect(r.code, cmd).toBe(EXIT.OK);
      expect(r.out, cmd).toContain('Examples:');
      expect(r.out, cmd).toContain(`$ stackfeed ${cmd}`);
      expect(r.out, cmd).toContain('--endpoint <url>'); // the global options are listed too
    }
  });

  it('prints the version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('no arguments: help on stderr, exit 2', async () => {
    const r = await cli([]);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toContain('Usage: stackfeed');
  });

  it.each([
    [['nope'], /unknown command 'nope'/],
    [['events', 'heat'], /missing required argument 'target'/],
    [['events', 'heat', 'web', '--bogus'], /unknown option '--bogus'/],
    [['events', 'heat', 'web', '--output', 'xml'], /argument 'xml' is invalid/],
    [['events', 'heat', 'web', '--phase', 'DONE'], /--phase: "DONE" is not one of IN_PROGRESS/],
    [['events', 'heat', 'web', '--since', 'yesterday'], /--since: cannot read "yesterday"/],
    [['events', 'heat', 'web', '--limit', '0'], /--limit must be a whole number/],
    [['events', 'heat', 'web', '--poll-interval', 'soon'], /--poll-interval must be a duration/],
    [['events', 'heat', 'web', '--endpoint', 'ftp://x'], /--endpoint: "ftp:\/\/x" is not an http\(s\) URL/],
    [['events', 'gcp', 'web'], /unknown provider "gcp"; known: pcluster \(aws-parallelcluster\)/],
    [['watch', 'heat-web'], /"heat-web" is not PROVIDER:TARGET/],
    [['watch', 'heat:web', 'rfs:bad', '--endpoint', 'http://127.0.0.1:1'], /name the provider/],
    [['images', 'heat', '--limit', 'x'], /--limit must be a whole number/],
    [['demo', '--speed', '-1'], /--speed must be a number above 0/],
  ])('%j is bad usage: one line, exit 2', async (argv, message) => {
    const r = await cli(argv as string[], { providers });
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^stackfeed: /);
    expect(r.out).toBe('');
  });

  it('a provider not wired into this build is a usage error that says so', async () => {
    const entries = providerEntries().map((e) => ({ id: e.id, aliases: e.aliases, title: e.title }));
    const ctx = new Ctx({ stdout: process.stdout, stderr: process.stderr, env: {} }, entries, {});
    await expect(ctx.plugin('rfs', 'events')).rejects.toThrow(
      /Huawei Cloud RFS \(huawei-rfs\) is not available in this build/,
    );
  });

  it('a command the provider has no calls for is a usage error', async () => {
    const noImages = { ...providers[0]!, connect: () => ({}) };
    const r = await cli(['images', 'heat'], { providers: [noImages] });
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(/Fake heat has no images/);
  });

  it('a follow of a dead endpoint off a terminal says on stderr that it is retrying, once per attempt', async () => {
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    const r = await cli(
      ['events', 'heat', 'web', '-f', '--endpoint', `http://127.0.0.1:${port}/v1/x`, '--timeout', '1s'],
      {},
    );
    expect(r.code).toBe(EXIT.CALL_FAILED);
    const retries = r.err.split('\n').filter((l) => l.startsWith('stackfeed: retrying openstack-heat'));
    expect(retries.length, r.err).toBeGreaterThan(0);
    expect(retries[0]).toMatch(/\(attempt 1, next try in \d+(\.\d+)?m?s\): ECONNREFUSED/);
    // A plain list keeps "an error is one line".
    const list = await cli(['events', 'heat', 'web', '--endpoint', `http://127.0.0.1:${port}/v1/x`]);
    expect(list.err.trim().split('\n'), list.err).toHaveLength(1);
  });

  it("--resource 'server[api]', copied from the table, matches that instance only (RFS resource_key)", async () => {
    const { startRfsEmulator, deploymentFailsAndRollsBack } = await import('@stackfeed/emulator/rfs');
    const keys = { accessKey: 'CLITESTACCESSKEY0001', secretKey: 'cli-test-secret-key' };
    const emu = await startRfsEmulator({
      credentials: { aksk: [keys] },
      scenarios: [deploymentFailsAndRollsBack({ stackName: 'db' })],
      progress: 'manual',
    });
    try {
      emu.finish();
      const env = {
        HUAWEICLOUD_SDK_AK: keys.accessKey,
        HUAWEICLOUD_SDK_SK: keys.secretKey,
        HUAWEICLOUD_SDK_PROJECT_ID: emu.projectId,
        HUAWEICLOUD_SDK_REGION: 'cn-north-4',
      };
      const all = await cli(['events', 'rfs', 'db', '--endpoint', emu.url, '-o', 'ndjson'], { env });
      const servers = records(all.out).filter((e) => (e.resource as { name?: string } | undefined)?.name === 'server');
      expect(new Set(servers.map((e) => (e.resource as { key?: string } | undefined)?.key))).toEqual(
        new Set(['web', 'api']),
      );
      const r = await cli(['events', 'rfs', 'db', '--endpoint', emu.url, '--resource', 'server[api]', '-o', 'ndjson'], {
        env,
      });
      expect(r.code, r.err).toBe(0);
      const got = records(r.out);
      expect(got.length).toBeGreaterThan(0);
      expect(got.length).toBe(
        servers.filter((e) => (e.resource as { key?: string } | undefined)?.key === 'api').length,
      );
      expect(got.every((e) => (e.resource as { key?: string } | undefined)?.key === 'api')).toBe(true);
    } finally {
      await emu.close();
    }
  });

  it('a --page-token printed by one run resumes in the next run (a per-user key, or STACKFEED_TOKEN_KEY)', async () => {
    const { startHeatEmulator, createScript } = await import('@stackfeed/emulator/heat');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const emu = await startHeatEmulator();
    try {
      emu.addStack('paged', createScript('paged', [{ name: 'a' }, { name: 'b' }, { name: 'c' }], { stepMs: 1000 }));
      emu.advance(60_000);
      const argv = ['events', 'heat', 'paged', '--endpoint', emu.heatUrl, '-o', 'ndjson'];
      for (const env of [
        { HOME: mkdtempSync(join(tmpdir(), 'sf-home-')) },
        { STACKFEED_TOKEN_KEY: 'a-key-shared-by-every-run-0001' },
      ]) {
        const first = await cli([...argv, '--page-size', '2', '--limit', '2'], { env });
        expect(first.code, first.err).toBe(0);
        const next = records(first.out).at(-1)?.next as string;
        expect(next).toMatch(/^sf2\./);
        const second = await cli([...argv, '--page-token', next], { env });
        expect(second.code, second.err).toBe(0);
        expect(records(second.out).filter((r) => r.type === 'event').length).toBeGreaterThan(0);
      }
    } finally {
      await emu.close();
    }
  });

  it('a malformed Image Builder target is usage (2), named with the forms it can take', async () => {
    const r = await cli(['events', 'imagebuilder', 'nosuch', '--region', 'us-east-1'], {
      env: { AWS_ACCESS_KEY_ID: 'AKIACLITEST000000001', AWS_SECRET_ACCESS_KEY: 'cli-test-secret' },
    });
    expect(r.code, r.err).toBe(EXIT.USAGE);
    expect(r.err).toMatch(/"nosuch" is not a lifecycle execution id \(lce-…\)/);
  });

  it.each([
    [['images', 'heat']],
    [['images', 'heat', '--endpoint', 'http://127.0.0.1:9/v1/x']],
    [['executions', 'heat', 'web']],
    [['executions', 'rfs', 'x', '--endpoint', 'http://127.0.0.1:9']],
    [['stacks', 'pcluster']],
  ])(
    'the built-in providers: %j is usage (2) with or without configuration, before any config is read',
    async (argv) => {
      // No providers passed: the real plugins; an empty environment, so connecting would fail CONFIG.
      const r = await cli(argv);
      expect(r.code, r.err).toBe(EXIT.USAGE);
      expect(r.err).toMatch(/has no (images|executions|stack list)/);
    },
  );
});

describe('events (list)', () => {
  it('prints one table, oldest first, phases named, no colors off a terminal', async () => {
    const r = await cli(['events', 'heat', 'web'], { providers });
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(ANSI);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^time \(UTC\) +provider +stack +resource +action +phase +reason$/);
    const rows = lines.filter((l) => l.includes('2026-01-01'));
    expect(rows).toHaveLength(SCENARIOS.web!.length);
    expect(rows.map((l) => l.match(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/)?.[0])).toEqual(
      [...rows.map((l) => l.match(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/)?.[0])].sort(),
    );
    expect(rows[0]).toContain('(stack)');
    expect(rows[0]).toContain('IN_PROGRESS');
    expect(rows[2]).toMatch(/net .*CREATE .*COMPLETE/);
    expect(rows.at(-1)).toContain('Stack CREATE completed successfully');
  });

  it('--local-time shows table times in the TZ zone (header says which); JSON stays UTC', async () => {
    const r = await cli(['events', 'heat', 'web', '--local-time'], { providers, env: { TZ: 'Asia/Kolkata' } });
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^time \(Asia\/Kolkata\) +provider/);
    // The scenario starts at 2026-01-01 00:00:00Z: 05:30 in India.
    expect(lines[1]).toMatch(/^2026-01-01 05:30:0\d /);
    const utc = await cli(['events', 'heat', 'web'], { providers, env: { TZ: 'Asia/Kolkata' } });
    expect(utc.out.split('\n')[1]).toMatch(/^2026-01-01 00:00:0\d /);
    const json = await cli(['events', 'heat', 'web', '--local-time', '-o', 'ndjson'], {
      providers,
      env: { TZ: 'Asia/Kolkata' },
    });
    expect(records(json.out)[0]?.timestamp).toMatch(/^2026-01-01T00:00:0\d\.000Z$/);
  });

  it('colors phases when forced (FAILED in red) and not under NO_COLOR', async () => {
    const forced = await cli(['events', 'heat', 'bad'], { providers, env: { FORCE_COLOR: '1' } });
    expect(forced.out).toMatch(ANSI);
    expect(forced.out).toContain('\x1b[31m');
    const tty = await cli(['events', 'heat', 'bad'], { providers, tty: true, env: { NO_COLOR: '1' } });
    expect(tty.out).not.toMatch(ANSI);
    const flag = await cli(['events', 'heat', 'bad', '--no-color'], { providers, tty: true });
    expect(flag.out).not.toMatch(ANSI);
  });

  it('ndjson: one event record per line, schema v1, time-ordered, no raw unless --raw', async () => {
    const r = await cli(['events', 'heat', 'web', '-o', 'ndjson'], { providers });
    expect(r.code).toBe(0);
    const recs = records(r.out);
    expect(recs).toHaveLength(SCENARIOS.web!.length);
    for (const rec of recs) {
      expect(rec).toMatchObject({ type: 'event', v: 1, provider: 'openstack-heat', stack: { name: 'web' } });
      expect(rec.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(rec).not.toHaveProperty('raw');
    }
    expect(recs[2]).toMatchObject({
      resource: { logicalId: 'net', type: 'Net' },
      action: 'CREATE',
      phase: 'COMPLETE',
      status: 'CREATE_COMPLETE',
    });
    const ts = recs.map((x) => x.timestamp as string);
    expect(ts).toEqual([...ts].sort());
    const raw = records((await cli(['events', 'heat', 'web', '-o', 'ndjson', '--raw'], { providers })).out);
    expect(raw[0]).toHaveProperty('raw.id', 'web-0');
  });

  it('json: one array of the same records', async () => {
    const r = await cli(['events', 'heat', 'web', '--output', 'json'], { providers });
    const arr = JSON.parse(r.out) as Array<Record<string, unknown>>;
    expect(arr.map((e) => e.id)).toEqual(SCENARIOS.web!.map((_, i) => `web-${i}`));
  });

  it('filters: --phase, --resource, --since, --limit', async () => {
    const failed = records(
      (await cli(['events', 'heat', 'bad', '--phase', 'failed', '-o', 'ndjson'], { providers })).out,
    );
    expect(failed.map((e) => e.phase)).toEqual(['FAILED', 'FAILED']);
    const two = records(
      (await cli(['events', 'heat', 'bad', '--phase', 'FAILED,IN_PROGRESS', '-o', 'ndjson'], { providers })).out,
    );
    expect(two).toHaveLength(SCENARIOS.bad!.length);
    const net = records((await cli(['events', 'heat', 'web', '--resource', 'net', '-o', 'ndjson'], { providers })).out);
    expect(net.map((e) => e.status)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
    const since = records(
      (await cli(['events', 'heat', 'web', '--since', '2026-01-01T00:00:04Z', '-o', 'ndjson'], { providers })).out,
    );
    expect(since.map((e) => e.id)).toEqual(['web-4', 'web-5']);
    const limited = records((await cli(['events', 'heat', 'web', '--limit', '2', '-o', 'ndjson'], { providers })).out);
    expect(limited.map((e) => e.id)).toEqual(['web-0', 'web-1']);
  });

  it('pages: --page-size prints the token of the next page, --page-token resumes there', async () => {
    const first = records(
      (await cli(['events', 'heat', 'web', '--page-size', '2', '--limit', '2', '-o', 'ndjson'], { providers })).out,
    );
    expect(first.filter((r) => r.type === 'event').map((r) => r.id)).toEqual(['web-0', 'web-1']);
    const page = first.at(-1) as { type: string; next?: string; events: number };
    expect(page).toMatchObject({ type: 'page', v: 1, events: 2 });
    expect(typeof page.next).toBe('string');
    const rest = await cli(
      ['events', 'heat', 'web', '--page-size', '3', '--page-token', page.next as string, '-o', 'ndjson'],
      { providers },
    );
    expect(rest.code, rest.err).toBe(0);
    const recs = records(rest.out);
    expect(recs.filter((r) => r.type === 'event').map((r) => r.id)).toEqual(['web-2', 'web-3', 'web-4', 'web-5']);
    expect(recs.at(-1)).toEqual({ type: 'page', v: 1, events: 4 }); // the last page: no next
    const table = await cli(['events', 'heat', 'web', '--page-size', '2', '--limit', '1'], { providers });
    expect(table.err).toMatch(/^next page: --page-token \S+$/m);
    // A token of another list is refused, not silently misapplied.
    const other = await cli(['events', 'heat', 'bad', '--page-token', page.next as string], { providers });
    expect(other.code).toBe(EXIT.CALL_FAILED);
    expect(other.err).toMatch(/^stackfeed: BAD_REQUEST/);
  });

  it('--endpoint overrides where the client goes', async () => {
    const other = await startFakeService();
    other.finishAll();
    try {
      const unreachable = [fakePlugin('openstack-heat', 'heat', () => 'http://127.0.0.1:9')];
      const r = await cli(['events', 'heat', 'web', '--endpoint', other.url, '-o', 'ndjson'], {
        providers: unreachable,
      });
      expect(r.code).toBe(0);
      expect(records(r.out)).toHaveLength(SCENARIOS.web!.length);
      expect(other.server.requests.length).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
  });
});

describe('errors', () => {
  it('a failed call is one line with code, provider, request id and what to check; exit 1', async () => {
    const r = await cli(['events', 'heat', 'nosuch'], { providers });
    expect(r.code).toBe(EXIT.CALL_FAILED);
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^stackfeed: NOT_FOUND \[openstack-heat, listStackEvents, HTTP 404, request req-nosuch-0\]: .*Stack nosuch not found.* — check the name or id/,
    );
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('--debug adds the stack trace', async () => {
    const r = await cli(['events', 'heat', 'nosuch', '--debug'], { providers });
    expect(r.code).toBe(EXIT.CALL_FAILED);
    expect(r.err).toMatch(/\n\s+at /);
    expect(r.err).toContain('debug: {');
  });

  it('an unreachable endpoint is NETWORK, exit 1', async () => {
    const r = await cli(['events', 'heat', 'web', '--endpoint', 'http://127.0.0.1:9'], { providers });
    expect(r.code).toBe(EXIT.CALL_FAILED);
    expect(r.err).toMatch(/^stackfeed: NETWORK \[openstack-heat/);
    expect(r.err).toContain('check that the endpoint is reachable');
  });

  it('a client that cannot be set up is CONFIG with the credential places; exit 1', async () => {
    const noEndpoint = [fakePlugin('openstack-heat', 'heat')];
    const r = await cli(['events', 'heat', 'web'], { providers: noEndpoint });
    expect(r.code).toBe(EXIT.CALL_FAILED);
    expect(r.err.trim()).toMatch(
      /^stackfeed: CONFIG \[openstack-heat\]: cannot set up the Fake heat client: no endpoint.*FAKE_TOKEN$/,
    );
  });
});

describe('events --follow', () => {
  it('tails a deployment until it succeeds: every event once, in order, exit 0, result record', async () => {
    const { s, ps } = await freshService();
    try {
      const r = await cli(['events', 'heat', 'web', '--follow', '--poll-interval', '10ms', '-o', 'ndjson'], {
        providers: ps,
      });
      expect(r.code).toBe(EXIT.OK);
      const recs = records(r.out);
      const evs = recs.filter((x) => x.type === 'event');
      expect(evs.map((e) => e.id)).toEqual(SCENARIOS.web!.map((_, i) => `web-${i}`));
      expect(recs.at(-2)).toMatchObject({
        type: 'result',
        provider: 'openstack-heat',
        target: 'web',
        outcome: 'succeeded',
        status: 'CREATE_COMPLETE',
        events: 6,
      });
      // Then what the watch handed back at the end: the final StackInfo.
      expect(recs.at(-1)).toMatchObject({
        type: 'stack',
        v: 1,
        name: 'web',
        state: 'COMPLETE',
        status: 'CREATE_COMPLETE',
      });
      expect(r.err).toMatch(/✔ heat web: CREATE_COMPLETE \(succeeded\).* — 6 events in/);
    } finally {
      await s.close();
    }
  });

  it('exits 3 when the deployment failed, with the reason', async () => {
    const { s, ps } = await freshService();
    try {
      const r = await cli(['events', 'heat', 'bad', '-f', '--poll-interval', '10ms'], { providers: ps });
      expect(r.code).toBe(EXIT.DEPLOYMENT_FAILED);
      expect(r.out).toContain('Quota exceeded for volumes');
      expect(r.out).toMatch(/StackInfo\n[\s\S]*bad[\s\S]*FAILED[\s\S]*CREATE_FAILED/);
      expect(r.err).toMatch(/✖ heat bad: CREATE_FAILED \(failed\): Resource CREATE failed: volume/);
    } finally {
      await s.close();
    }
  });

  it('keeps a live status line on a terminal (stderr): elapsed, events, resources', async () => {
    const { s, ps } = await freshService();
    try {
      const r = await cli(['events', 'heat', 'bad', '-f', '--poll-interval', '10ms'], { providers: ps, tty: true });
      expect(r.err).toContain('\r\x1b[2K');
      expect(r.err).toMatch(/bad · \d+\.\ds · 4 events · resources: .*0 in progress.*0 complete.*1 failed/);
      expect(r.out).toMatch(ANSI); // colors on a terminal
    } finally {
      await s.close();
    }
  });

  it('--limit stops a follow early, exit 0', async () => {
    const { s, ps } = await freshService();
    try {
      const r = await cli(['events', 'heat', 'bad', '-f', '--poll-interval', '10ms', '--limit', '2', '-o', 'ndjson'], {
        providers: ps,
      });
      expect(r.code).toBe(0);
      const recs = records(r.out);
      expect(recs.filter((x) => x.type === 'event')).toHaveLength(2);
      expect(recs.at(-1)).toMatchObject({ type: 'result', outcome: 'incomplete' });
    } finally {
      await s.close();
    }
  });

  it('Ctrl-C (the signal) ends a follow with exit 130', async () => {
    const { s, ps } = await freshService();
    try {
      const ac = new AbortController();
      ac.abort();
      const r = await cli(['events', 'heat', 'web', '-f', '--poll-interval', '10ms'], {
        providers: ps,
        signal: ac.signal,
      });
      expect(r.code).toBe(EXIT.INTERRUPTED);
      expect(r.err).toContain('interrupted');
    } finally {
      await s.close();
    }
  });
  it('Ctrl-C during `watch` hands out the events held back for lateness before exiting 130', async () => {
    const { s, ps } = await freshService();
    try {
      const ac = new AbortController();
      // Long lateness: nothing is printed until the merge is flushed.
      const running = cli(
        ['watch', 'heat:web', 'rfs:web', '--poll-interval', '10ms', '--lateness', '1h', '-o', 'ndjson'],
        { providers: ps, signal: ac.signal },
      );
      while (s.server.requests.length < 6) await new Promise((r) => setTimeout(r, 5));
      ac.abort();
      const r = await running;
      expect(r.code).toBe(EXIT.INTERRUPTED);
      const events = records(r.out).filter((x) => x.type === 'event');
      expect(new Set(events.map((e) => e.provider))).toEqual(new Set(['openstack-heat', 'huawei-rfs']));
    } finally {
      await s.close();
    }
  });
});

describe('watch', () => {
  it('one provider named twice takes a bare --endpoint (no provider= needed)', async () => {
    const { s, ps } = await freshService();
    try {
      s.finishAll();
      const r = await cli(
        ['watch', 'heat:web', 'heat:bad', '--endpoint', s.url, '--poll-interval', '10ms', '-o', 'ndjson'],
        { providers: ps },
      );
      expect(r.err).not.toMatch(/provider=|heat=/);
      expect(records(r.out).some((x) => x.type === 'event')).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('merges two providers into one time-ordered tail and reports each outcome', async () => {
    const { s, ps } = await freshService();
    try {
      const r = await cli(['watch', 'heat:web', 'rfs:bad', '--poll-interval', '10ms', '-o', 'ndjson'], {
        providers: ps,
      });
      expect(r.code).toBe(EXIT.DEPLOYMENT_FAILED);
      const recs = records(r.out);
      const evs = recs.filter((x) => x.type === 'event');
      expect(evs).toHaveLength(SCENARIOS.web!.length + SCENARIOS.bad!.length);
      expect(new Set(evs.map((e) => e.provider))).toEqual(new Set(['openstack-heat', 'huawei-rfs']));
      const ts = evs.map((e) => e.timestamp as string);
      expect(ts).toEqual([...ts].sort());
      const results = recs.filter((x) => x.type === 'result');
      expect(results).toEqual([
        expect.objectContaining({ provider: 'openstack-heat', target: 'web', outcome: 'succeeded' }),
        expect.objectContaining({ provider: 'huawei-rfs', target: 'bad', outcome: 'failed' }),
      ]);
    } finally {
      await s.close();
    }
  });

  it('a provider that fails is reported and the others go on; exit 1', async () => {
    const { s, ps } = await freshService();
    try {
      const r = await cli(['watch', 'heat:web', 'rfs:nosuch', '--poll-interval', '10ms', '-o', 'ndjson'], {
        providers: ps,
      });
      expect(r.code).toBe(EXIT.CALL_FAILED);
      expect(records(r.out).filter((x) => x.type === 'event' && x.provider === 'openstack-heat')).toHaveLength(6);
      expect(r.err).toMatch(/stackfeed: NOT_FOUND \[huawei-rfs/);
    } finally {
      await s.close();
    }
  });
});

describe('images', () => {
  it('lists images (table, ndjson) and shows one', async () => {
    const t = await cli(['images', 'heat'], { providers });
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/img-1.*base.*AVAILABLE/);
    const n = records((await cli(['images', 'heat', '-o', 'ndjson'], { providers })).out);
    expect(n).toEqual([
      expect.objectContaining({
        type: 'image',
        v: 1,
        id: 'img-1',
        state: 'AVAILABLE',
        artifacts: [expect.objectContaining({ id: 'ami-0123' })],
      }),
    ]);
    const one = await cli(['image', 'heat', 'img-1'], { providers });
    expect(one.out).toMatch(/artifact \(ami\).*ami-0123/);
    const missing = await cli(['image', 'heat', 'img-2'], { providers });
    expect(missing.code).toBe(EXIT.CALL_FAILED);
    expect(missing.err).toMatch(/NOT_FOUND .*Image img-2 not found/);
  });
});
