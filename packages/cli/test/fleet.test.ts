/**
 * `stackfeed fleet`, `stackfeed worker` and `stackfeed fleet status`, as a user runs them: the
 * BUILT bin as a child process, a stackfeed.yaml and a clouds.yaml in its working directory, the
 * Heat emulator as the cloud, the embedded store in a directory or a private PostgreSQL server.
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScript, type HeatEmulator, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import startPostgres from '../../store/test/global-setup.js';
import { bin, ensureBuiltBin } from './built-bin.js';

ensureBuiltBin();

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Runs the built bin in `cwd` with only PATH and HOME; `onChild` gets the process (to signal it). */
function runBin(
  args: string[],
  cwd: string,
  onChild?: (c: ChildProcess) => void,
  env: Record<string, string> = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env } },
      (_error, out, err) => resolve({ code: child.exitCode, out, err }),
    );
    onChild?.(child);
  });
}

const until = async (check: () => Promise<boolean>, what: string, guardMs = 90_000) => {
  const end = Date.now() + guardMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

let emu: HeatEmulator;
let dir: string;
const stacks: ReturnType<HeatEmulator['addStack']>[] = [];

beforeAll(async () => {
  emu = await startHeatEmulator({ autoAdvanceMs: 500 });
  const res = Array.from({ length: 5 }, (_, i) => ({ name: `r${i}` }));
  for (const n of ['web', 'db']) stacks.push(emu.addStack(n, createScript(n, res)));
  dir = mkdtempSync(join(tmpdir(), 'stackfeed-fleet-cli-'));
  // clouds.yaml in the working directory: the first place OpenStack tools look.
  writeFileSync(
    join(dir, 'clouds.yaml'),
    `clouds:\n  lab:\n    auth_type: none\n    auth:\n      endpoint: ${emu.heatUrl}\n`,
  );
  writeFileSync(
    join(dir, 'stackfeed.yaml'),
    'fleet:\n  pollIntervalMs: 100\n  leaseTtlMs: 3000\nplaces:\n  - provider: openstack-heat\n    clouds: [lab]\n    budget: { limit: 20 }\n',
  );
});
afterAll(async () => {
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const truth = () => stacks.reduce((n, s) => n + emu.visibleEvents(s).length, 0);
type StatusJson = {
  type: string;
  workers: Array<{ id: string; live: boolean }>;
  targets: Array<{ name: string; state: string; eventsStored: number; owner?: string }>;
  budgets: Array<{ key: string; granted: number; requestsPerMinute: number }>;
  errors: Array<{ account: string; code: string; count: number }>;
};

describe('stackfeed fleet (built bin, Heat emulator)', () => {
  it('a config mistake is one stderr line naming file:line:col and the key, exit 2', async () => {
    writeFileSync(
      join(dir, 'bad.yaml'),
      'places:\n  - provider: openstack-heat\n    clouds: [lab]\n    kinds: [image]\n',
    );
    const r = await runBin(['fleet', '--config', 'bad.yaml'], dir);
    expect(r.code).toBe(2);
    const lines = r.err.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^stackfeed: bad\.yaml:4:13: places\[0\]\.kinds\[0\]: openstack-heat has no kind image/);
    expect(r.out).toBe('');
  });

  it('--once stores every event of the discovered stacks in the embedded store; status reads them back', {
    timeout: 120_000,
  }, async () => {
    const store = join(dir, 'store');
    const r = await runBin(['fleet', '--config', 'stackfeed.yaml', '--store', store, '--once'], dir);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/embedded store \(PGlite\) serves one process/);
    expect(r.err).toMatch(/discovered openstack-heat:cloud=lab: 2 found, 2 new/);
    const s = await runBin(['fleet', 'status', '--store', store, '-o', 'json'], dir);
    expect(s.code, s.err).toBe(0);
    const status = JSON.parse(s.out) as StatusJson;
    expect(status.type).toBe('fleet-status');
    expect(status.targets.map((t) => [t.name, t.state]).sort()).toEqual([
      ['db', 'done'],
      ['web', 'done'],
    ]);
    expect(status.targets.reduce((n, t) => n + t.eventsStored, 0)).toBe(truth());
    expect(status.errors).toEqual([]);
  });

  it('an unknown AWS profile: that account is reported with its error and retried, the Heat place is still followed (exit 1)', {
    timeout: 120_000,
  }, async () => {
    writeFileSync(
      join(dir, 'mixed.yaml'),
      'places:\n  - provider: openstack-heat\n    clouds: [lab]\n  - provider: aws-imagebuilder\n    profiles: [no-such-profile]\n    regions: [us-east-1]\n',
    );
    const store = join(dir, 'store-mixed');
    // No instance metadata service to ask here: the AWS chain gives up on the profile at once.
    const r = await runBin(
      ['fleet', '--config', 'mixed.yaml', '--store', store, '--once', '-o', 'ndjson'],
      dir,
      undefined,
      {
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    );
    expect(r.code, r.err).toBe(1);
    const records = r.out
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const failed = records.filter((e) => e.event === 'discovery-failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]).toMatchObject({
      type: 'fleet',
      v: 1,
      place: 'aws-imagebuilder:profile=no-such-profile:region=us-east-1',
      account: 'aws-imagebuilder:no-such-profile:us-east-1',
      count: 1,
    });
    expect(failed[0]?.code).toMatch(/^(CONFIG|UNAUTHORIZED)$/);
    expect(String(failed[0]?.message)).toMatch(/no-such-profile|credential/i);
    expect(records.filter((e) => e.event === 'done')).toHaveLength(2);
    const s = await runBin(['fleet', 'status', '--store', store, '-o', 'json'], dir);
    const status = JSON.parse(s.out) as StatusJson;
    expect(status.errors.map((e) => e.account)).toEqual(['aws-imagebuilder:no-such-profile:us-east-1']);
    expect(status.targets.every((t) => t.state === 'done')).toBe(true);
  });

  it('a worker needs a PostgreSQL store, and says so (exit 2)', async () => {
    const r = await runBin(['worker', '--config', 'stackfeed.yaml', '--store', join(dir, 'store2')], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/needs a PostgreSQL store: give --store postgres:\/\//);
  });
});

describe('stackfeed worker + stackfeed fleet status on PostgreSQL (built bin)', () => {
  let url = '';
  let stop: () => void = () => {};
  beforeAll(async () => {
    let pg: { url?: string; error?: string } = {};
    stop = await startPostgres({ provide: (_k: string, v: typeof pg) => (pg = v) } as never);
    if (!pg.url) throw new Error(`no PostgreSQL server: ${pg.error}`);
    url = pg.url;
  }, 180_000);
  afterAll(() => stop());

  it('the worker follows the stacks into the store; status shows workers, leases, budgets, lag, errors', {
    timeout: 180_000,
  }, async () => {
    let worker: ChildProcess | undefined;
    const running = runBin(['worker', '--config', 'stackfeed.yaml', '--store', url], dir, (c) => {
      worker = c;
    });
    const status = async () => {
      const s = await runBin(['fleet', 'status', '--store', url, '-o', 'json'], dir);
      return s.code === 0 ? (JSON.parse(s.out) as StatusJson) : undefined;
    };
    await until(async () => {
      const s = await status();
      return s?.targets.length === 2 && s.targets.every((t) => t.state === 'done');
    }, 'both stacks followed to their end');
    const s = (await status()) as StatusJson;
    expect(s.targets.reduce((n, t) => n + t.eventsStored, 0)).toBe(truth());
    expect(s.workers.filter((w) => w.live)).toHaveLength(1);
    expect(s.budgets.map((b) => b.key)).toEqual(['openstack-heat:lab:-']);
    expect(s.budgets[0]?.granted).toBeGreaterThan(0);
    const table = await runBin(['fleet', 'status', '--store', url], dir);
    expect(table.code, table.err).toBe(0);
    for (const title of ['WORKERS', 'BUDGETS', 'TARGETS', 'ERRORS']) expect(table.out).toContain(`${title}\n`);
    expect(table.out).toMatch(/openstack-heat:lab:-\s+20\/1000ms/);
    expect(table.out).toMatch(/openstack-heat:cloud=lab\/stack\/\S+\s+done/);
    worker?.kill('SIGTERM');
    const r = await running;
    expect(r.code, r.err).toBe(143);
    expect(r.err).toMatch(/stackfeed worker: 1 worker, 1 place from stackfeed\.yaml, store postgres/);
  });
});
