/**
 * Importing the adapter and listing a stack's events load no zod: the schemas are a chunk of their
 * own, loaded when a parse needs one (src/wire/load.ts). Checked on the BUILT package in a child
 * process under the module-load log of the CLI's cold-start test; the control (listStacks, which
 * parses with its schema) shows that the log does see zod when it loads; so does a listing whose
 * page the check refuses (the listing's own zod path), which fails as before: INVALID_RESPONSE
 * naming the field.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deploymentFailsAndRollsBack, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkg = join(import.meta.dirname, '..');
const dist = join(pkg, 'dist', 'index.js');
const hook = join(pkg, '..', 'cli', 'test', 'fixtures', 'load-log.mjs');
const ZOD = /\/node_modules\/\.pnpm\/zod@|\/node_modules\/zod\//;
const KEYS = { accessKey: 'ZODLAZYACCESSKEY0001', secretKey: 'zod-lazy-secret-key' };
const dir = mkdtempSync(join(tmpdir(), 'rfs-zod-'));
let emu: Awaited<ReturnType<typeof startRfsEmulator>>;

beforeAll(async () => {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run pnpm build first`);
  emu = await startRfsEmulator({
    credentials: { aksk: [KEYS] },
    scenarios: [deploymentFailsAndRollsBack({ stackName: 'db' })],
    progress: 'manual',
  });
  emu.finish();
});
afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** In a child: import the built adapter, run `call` on a client; prints what it counted. */
const script = (call: string) => `
  const { RfsClient } = await import(${JSON.stringify(dist)});
  const rfs = new RfsClient({
    region: 'cn-north-4', projectId: ${JSON.stringify(emu.projectId)}, endpoint: ${JSON.stringify(emu.url)},
    credentials: ${JSON.stringify(KEYS)}, env: {},
  });
  let n = 0;
  for await (const _ of ${call}) n++;
  process.stdout.write(String(n));`;

/** In a child: list the stack's events 10 a page; prints the ids, or the error's code and field. */
const listingScript = (stack: string) => `
  const { RfsClient } = await import(${JSON.stringify(dist)});
  const rfs = new RfsClient({
    region: 'cn-north-4', projectId: ${JSON.stringify(emu.projectId)}, endpoint: ${JSON.stringify(emu.url)},
    credentials: ${JSON.stringify(KEYS)}, env: {}, retry: { maxAttempts: 1 },
  });
  const ids = [];
  try {
    for await (const e of rfs.listStackEvents(${JSON.stringify(stack)}, { pageSize: 10 })) ids.push(e.id);
    process.stdout.write(JSON.stringify({ ids }));
  } catch (err) {
    process.stdout.write(JSON.stringify({ ids, code: err.code, fieldPath: err.fieldPath }));
  }`;

let runs = 0;
function traced(code: string): Promise<{ out: string; zod: string[]; loaded: string[] }> {
  const log = join(dir, `load-${++runs}.log`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', hook, '--input-type=module', '-e', code],
      { env: { PATH: process.env.PATH ?? '', LOAD_LOG: log }, cwd: pkg },
      (error, out, err) => {
        if (error) return reject(new Error(`${error.message}\n${err}`));
        const loaded = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
        resolve({ out, zod: loaded.filter((f) => ZOD.test(f)), loaded });
      },
    );
  });
}

describe('zod on first use', () => {
  it('import and listStackEvents load no zod', async () => {
    const r = await traced(script("rfs.listStackEvents('db')"));
    expect(Number(r.out)).toBeGreaterThan(0);
    expect(r.zod).toEqual([]);
  });

  it('the control: listStacks parses with its schema, and the log sees zod load', async () => {
    const r = await traced(script('rfs.listStacks()'));
    expect(Number(r.out)).toBeGreaterThan(0);
    expect(r.zod.length).toBeGreaterThan(0);
  });

  it('a listing of many pages (10 events each) loads no zod and yields every event once', async () => {
    const truth = emu.stack('db')?.events ?? [];
    expect(truth.length).toBeGreaterThan(20);
    const r = await traced(listingScript('db'));
    const out = JSON.parse(r.out) as { ids: string[]; code?: string };
    expect(out.code).toBeUndefined();
    expect(out.ids.length).toBe(truth.length);
    expect(new Set(out.ids).size).toBe(truth.length);
    // The log saw the adapter's own bundle: an empty zod list is not an empty log.
    expect(r.loaded.some((f) => f.endsWith('/huawei-rfs/dist/index.js'))).toBe(true);
    expect(r.zod).toEqual([]);
  });

  it('the control on the listing itself: a page the check refuses loads the schemas and is INVALID_RESPONSE naming the field', async () => {
    const bad = { event_type: 'LOG', time: '2025-06-12T08:01:04Z', elapsed_seconds: '6' };
    emu.server.faults.inject({ kind: 'status', status: 200, body: { stack_events: [bad] } }, { times: 1 });
    const r = await traced(listingScript('db'));
    const out = JSON.parse(r.out) as { ids: string[]; code?: string; fieldPath?: string };
    expect(out).toEqual({ ids: [], code: 'INVALID_RESPONSE', fieldPath: 'stack_events[0].elapsed_seconds' });
    expect(r.loaded.some((f) => /\/huawei-rfs\/dist\/schemas-[^/]+\.js$/.test(f))).toBe(true);
    expect(r.zod.length).toBeGreaterThan(0);
  });
});
