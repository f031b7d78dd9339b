/**
 * Importing the adapter and listing a lifecycle execution's events load no zod: the schemas are a
 * chunk of their own, loaded when a parse needs one (src/wire/load.ts). Checked on the BUILT
 * package in a child process under the module-load log of the CLI's cold-start test; the control
 * (getLifecycleExecution, which parses with its schema) shows that the log does see zod load.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lifecycleDeprecateThenDelete, startImageBuilderEmulator } from '@stackfeed/emulator/imagebuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkg = join(import.meta.dirname, '..');
const dist = join(pkg, 'dist', 'index.js');
const hook = join(pkg, '..', 'cli', 'test', 'fixtures', 'load-log.mjs');
const ZOD = /\/node_modules\/\.pnpm\/zod@|\/node_modules\/zod\//;
const KEYS = { accessKeyId: 'AKIAZODLAZYTEST00001', secretAccessKey: 'zod-lazy-test-secret' };
const dir = mkdtempSync(join(tmpdir(), 'ib-zod-'));
let emu: Awaited<ReturnType<typeof startImageBuilderEmulator>>;
let execution: string;

beforeAll(async () => {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run pnpm build first`);
  // The wall clock: the emulator checks the signature's date against it.
  emu = await startImageBuilderEmulator({
    clock: { now: () => Date.now() },
    auth: { mode: 'check', credentials: [KEYS] },
  });
  execution = lifecycleDeprecateThenDelete(emu.store, { start: Date.now() - 3_600_000, count: 60 }).executionId;
});
afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** In a child: import the built adapter, run `body` with a client `ib`; prints its result. */
const script = (body: string) => `
  const { ImageBuilderClient } = await import(${JSON.stringify(dist)});
  const ib = new ImageBuilderClient({ region: 'us-east-1', endpoint: ${JSON.stringify(emu.url)}, credentials: ${JSON.stringify(KEYS)} });
  ${body}`;

let runs = 0;
function traced(code: string): Promise<{ out: string; zod: string[] }> {
  const log = join(dir, `load-${++runs}.log`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', hook, '--input-type=module', '-e', code],
      { env: { PATH: process.env.PATH ?? '', LOAD_LOG: log }, cwd: pkg },
      (error, out, err) => {
        if (error) return reject(new Error(`${error.message}\n${err}`));
        const loaded = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
        resolve({ out, zod: loaded.filter((f) => ZOD.test(f)) });
      },
    );
  });
}

describe('zod on first use', () => {
  it('import and listLifecycleExecutionEvents (several pages) load no zod', async () => {
    const r = await traced(
      script(`let n = 0;
        for await (const _ of ib.listLifecycleExecutionEvents(${JSON.stringify(execution)})) n++;
        process.stdout.write(String(n));`),
    );
    expect(Number(r.out)).toBeGreaterThan(25);
    expect(r.zod).toEqual([]);
  });

  it('the control: getLifecycleExecution parses with its schema, and the log sees zod load', async () => {
    const r = await traced(
      script(`process.stdout.write((await ib.getLifecycleExecution(${JSON.stringify(execution)})).id);`),
    );
    expect(r.out).toBe(execution);
    expect(r.zod.length).toBeGreaterThan(0);
  });
});
