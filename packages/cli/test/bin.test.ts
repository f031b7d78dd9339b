/**
 * The built `stackfeed` bin as a child process: shebang, exit codes, one-line errors, and a real
 * follow against an emulator through --endpoint-less env settings are covered in-process; here we
 * check what only a real process shows (argv handling, stdout/stderr split, exit status).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, ensureBuiltBin } from './built-bin.js';

ensureBuiltBin();

const runBin = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr });
      },
    );
  });

describe('the built bin', () => {
  it('has a shebang and prints help, exit 0', async () => {
    const r = await runBin(['events', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: stackfeed events');
    expect(r.out).toContain('$ stackfeed events heat web --follow');
  });

  it('bad usage: one line on stderr, nothing on stdout, exit 2', async () => {
    const r = await runBin(['events', 'nowhere', 'x']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^stackfeed: unknown provider "nowhere"/);
  });

  it('reads a real provider (the RFS emulator) with credentials from the environment: ndjson, exit 0', async () => {
    const { startRfsEmulator, deploymentFailsAndRollsBack } = await import('@stackfeed/emulator/rfs');
    const keys = { accessKey: 'BINTESTACCESSKEY0001', secretKey: 'bin-test-secret-key' };
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
      const r = await runBin(['events', 'rfs', 'db', '--endpoint', emu.url, '-o', 'ndjson', '--phase', 'FAILED'], env);
      expect(r.code, r.err).toBe(0);
      const recs = r.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { provider: string; phase: string });
      expect(recs.length).toBeGreaterThan(0);
      expect(recs.every((e) => e.provider === 'huawei-rfs' && e.phase === 'FAILED')).toBe(true);
      // The secret key never shows, even under --debug.
      const dbg = await runBin(['events', 'rfs', 'nosuch', '--endpoint', emu.url, '--debug'], env);
      expect(dbg.code).toBe(1);
      expect(dbg.err).toMatch(/^stackfeed: NOT_FOUND \[huawei-rfs, listStackEvents, HTTP 404, RF.10012404/m);
      // What the bracket says is not said again in the message.
      expect(dbg.err.split('\n')[0]).not.toMatch(/\]: listStackEvents: HTTP 404/);
      expect(dbg.err).toContain('debug: {');
      expect(dbg.err + dbg.out).not.toContain(keys.secretKey);
    } finally {
      await emu.close();
    }
  });

  it('an Image Builder call on Node 20 prints one error line, not the AWS SDK NodeVersionSupportWarning', async () => {
    const r = await runBin(['images', 'imagebuilder', '--endpoint', 'http://127.0.0.1:9', '--region', 'us-east-1'], {
      AWS_ACCESS_KEY_ID: 'AKIABINTEST000000001',
      AWS_SECRET_ACCESS_KEY: 'bin-test-secret',
    });
    expect(r.code).toBe(1);
    expect(r.err).not.toContain('NodeVersionSupportWarning');
    expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
  });

  it.each([
    [
      ['events', 'pcluster', 'img1'],
      /^stackfeed: CONFIG \[aws-parallelcluster\]: no AWS region — pass --region or set AWS_REGION/,
    ],
    [
      ['events', 'imagebuilder', 'lce-1234'],
      /^stackfeed: CONFIG \[aws-imagebuilder\]: no AWS region — pass --region or set AWS_REGION/,
    ],
    [
      ['events', 'pcluster', 'img1', '--endpoint', 'http://127.0.0.1:9/prod'],
      /^stackfeed: CONFIG \[aws-parallelcluster\]: no AWS region — pass --region/,
    ],
    [
      ['events', 'pcluster', 'img1', '--region', 'us-east-1'],
      /^stackfeed: UNAUTHORIZED \[aws-parallelcluster\]: no AWS credentials found — check AWS_PROFILE or --profile/,
    ],
    [
      ['events', 'imagebuilder', 'lce-1234', '--region', 'us-east-1'],
      /^stackfeed: UNAUTHORIZED \[aws-imagebuilder\]: no AWS credentials found — check AWS_PROFILE or --profile/,
    ],
  ])("AWS set-up problems read the same on both AWS providers, in the CLI's terms: %j", async (args, expected) => {
    const home = mkdtempSync(join(tmpdir(), 'stackfeed-bin-home-'));
    const r = await runBin(args, { HOME: home, AWS_EC2_METADATA_DISABLED: 'true' });
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
    expect(r.err).toMatch(expected);
    expect(r.err).not.toMatch(/pass \{ region \}|signingRegion|CredentialsProviderError/);
  });

  it('a network error is said once: no `ECONNREFUSED connect ECONNREFUSED`, no repeated operation', async () => {
    const r = await runBin(['events', 'heat', 'x', '--endpoint', 'http://127.0.0.1:9/v1/x']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^stackfeed: NETWORK \[openstack-heat, listStackEvents\]: connect ECONNREFUSED 127\.0\.0\.1:9 — check/,
    );
  });

  it('an unknown option: exit 2', async () => {
    const r = await runBin(['watch', 'heat:web', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown option '--frobnicate'/);
  });
});

describe('the built bin, interrupted', () => {
  /** A Heat stack that never finishes, with a few events visible: a follow that only a signal ends. */
  async function endlessStack() {
    const { startHeatEmulator, createScript } = await import('@stackfeed/emulator/heat');
    const emu = await startHeatEmulator();
    emu.addStack('endless', createScript('endless', [{ name: 'a' }, { name: 'b' }, { name: 'c' }], { stepMs: 1000 }));
    emu.advance(2500);
    return emu;
  }

  /** Starts a follow, waits until the emulator has answered `polls` event listings, then sends `signal`. */
  function followThenSignal(
    url: string,
    args: string[],
    signal: NodeJS.Signals,
    server: { requests: ReadonlyArray<{ path: string }> },
  ) {
    return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [bin, 'events', 'heat', 'endless', '-f', '--poll-interval', '20ms', '--endpoint', url, ...args],
        { env: { PATH: process.env.PATH ?? '' } },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, out: stdout, err: stderr }),
      );
      const eventPolls = () => server.requests.filter((r) => r.path.endsWith('/events')).length;
      const check = setInterval(() => {
        if (eventPolls() >= 3) {
          clearInterval(check);
          child.kill(signal);
        }
      }, 10);
    });
  }

  it('Ctrl-C during `-f -o json` prints the events collected so far as valid JSON, exit 130', async () => {
    const emu = await endlessStack();
    try {
      const r = await followThenSignal(emu.heatUrl, ['-o', 'json'], 'SIGINT', emu.server);
      expect(r.code, r.err).toBe(130);
      const doc = JSON.parse(r.out) as { events: Array<{ provider: string }>; results: unknown[] };
      expect(doc.events.length).toBeGreaterThan(0);
      expect(doc.events.every((e) => e.provider === 'openstack-heat')).toBe(true);
      expect(r.err).toContain('interrupted');
    } finally {
      await emu.close();
    }
  });

  it('SIGTERM ends a follow with exit 143', async () => {
    const emu = await endlessStack();
    try {
      const r = await followThenSignal(emu.heatUrl, ['-o', 'ndjson'], 'SIGTERM', emu.server);
      expect(r.code, r.err).toBe(143);
      expect(r.out.trim().split('\n').length).toBeGreaterThan(0);
    } finally {
      await emu.close();
    }
  });
});
