import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresUrl } from './engines.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');
const bin = join(repoRoot, 'packages', 'cli', 'src', 'bin.ts');

/** `stackfeed …` from the TypeScript sources, in a process of its own, with only the given environment. */
function stackfeed(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--conditions=@stackfeed/source', bin, ...args],
      { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env }, timeout: 180_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, out: stdout, err: stderr });
      },
    );
  });
}
const records = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const dirs: string[] = [];
let emu: HeatEmulator | undefined;
afterAll(async () => {
  await emu?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('stackfeed archive / history (spawned from sources)', () => {
  it('archives a Heat deployment into the default embedded store, resumes without storing twice, and queries it', async () => {
    emu = await startHeatEmulator({ autoAdvanceMs: 700 });
    const stack = emu.addStack('web', createScript('web', [{ name: 'a' }, { name: 'b' }, { name: 'c' }]));
    const home = mkdtempSync(join(tmpdir(), 'sf-cli-store-'));
    dirs.push(home);
    const env = { HOME: home, XDG_DATA_HOME: join(home, 'data') };
    const endpoint = ['--endpoint', emu.heatUrl];

    const first = await stackfeed(['archive', 'heat:web', ...endpoint, '--poll-interval', '10ms', '-o', 'ndjson'], env);
    expect(first.code, first.err).toBe(0);
    const [rec] = records(first.out);
    expect(rec).toMatchObject({ type: 'archive', provider: 'openstack-heat', target: 'web', outcome: 'succeeded' });
    expect(rec?.inserted).toBe(stack.events.length);

    const again = await stackfeed(['archive', 'heat:web', ...endpoint, '--poll-interval', '10ms', '-o', 'ndjson'], env);
    expect(again.code, again.err).toBe(0);
    expect(records(again.out)[0]).toMatchObject({ inserted: 0, resumedFrom: expect.any(String) });

    // history reads the store only: no endpoint, no credentials.
    const hist = await stackfeed(['history', 'heat', 'web', '-o', 'ndjson'], env);
    expect(hist.code, hist.err).toBe(0);
    expect(records(hist.out).map((r) => r.id)).toEqual(stack.events.map((e) => e.id));
    const some = await stackfeed(
      ['history', 'heat', 'web', '--phase', 'IN_PROGRESS', '--limit', '2', '-o', 'json'],
      env,
    );
    expect(some.code, some.err).toBe(0);
    const picked = JSON.parse(some.out) as Array<{ phase: string; id: string }>;
    expect(picked.map((r) => r.phase)).toEqual(['IN_PROGRESS', 'IN_PROGRESS']);
    expect(picked.map((r) => r.id)).toEqual(
      stack.events
        .filter((e) => e.status.endsWith('IN_PROGRESS'))
        .slice(0, 2)
        .map((e) => e.id),
    );
  });

  it('--store postgres://… and a store that cannot be reached (exit 1, CONFIG, no password shown)', async () => {
    emu ??= await startHeatEmulator({ autoAdvanceMs: 700 });
    const stack = emu.addStack('db', createScript('db', [{ name: 'x' }]));
    const store = ['--store', postgresUrl()];
    const a = await stackfeed(
      ['archive', 'heat:db', '--endpoint', emu.heatUrl, '--poll-interval', '10ms', ...store],
      {},
    );
    expect(a.code, a.err).toBe(0);
    expect(a.out).toContain('openstack-heat:db: 4 new events stored');
    const h = await stackfeed(['history', 'openstack-heat', stack.id, '-o', 'ndjson', ...store], {});
    expect(records(h.out).map((r) => r.id)).toEqual(stack.events.map((e) => e.id));
    const bad = await stackfeed(['history', 'heat', 'db', '--store', 'postgres://u:hunter2pw@127.0.0.1:1/x'], {});
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('CONFIG');
    expect(bad.err).not.toContain('hunter2pw');
  });
});
