/**
 * Importing the adapter and listing events load no zod: the schemas are a chunk of their own,
 * loaded when a parse needs one (src/wire/load.ts). Checked on the BUILT package in a child process
 * under the module-load log of the CLI's cold-start test; the control (a bad page, which zod must
 * name) shows that the log does see zod when it loads.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@stackfeed/emulator';
import { createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkg = join(import.meta.dirname, '..', '..');
const dist = join(pkg, 'dist', 'index.js');
const hook = join(pkg, '..', 'cli', 'test', 'fixtures', 'load-log.mjs');
const ZOD = /\/node_modules\/\.pnpm\/zod@|\/node_modules\/zod\//;
const dir = mkdtempSync(join(tmpdir(), 'heat-zod-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** In a child: import the built adapter, list a stack's events; prints the count or the error code. */
const script = (endpoint: string, stack: string | { name: string; id: string }) => `
  const { HeatClient } = await import(${JSON.stringify(dist)});
  const heat = new HeatClient({ auth: { type: 'none' }, endpoint: ${JSON.stringify(endpoint)} });
  try {
    let n = 0;
    for await (const _ of heat.listStackEvents(${JSON.stringify(stack)})) n++;
    process.stdout.write(String(n));
  } catch (err) {
    process.stdout.write(String(err.code));
  }`;

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
  beforeAll(() => {
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run pnpm build first`);
  });

  it('import and a listing (by name: the lookup redirect, then the pages) load no zod', async () => {
    const emu = await startHeatEmulator();
    try {
      emu.addStack('web', createScript('web', [{ name: 'net' }, { name: 'server' }], { stepMs: 1000 }));
      emu.advance(60_000);
      const r = await traced(script(emu.heatUrl, 'web'));
      expect(Number(r.out)).toBeGreaterThan(0);
      expect(r.zod).toEqual([]);
    } finally {
      await emu.close();
    }
  });

  it('the control: a page the check refuses is parsed by zod (INVALID_RESPONSE), and the log sees zod load', async () => {
    const bad = await startEmulator({
      handler: () => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: { events: [{ id: 'e1', event_time: 'not a time', resource_status: 'CREATE_COMPLETE' }] },
      }),
    });
    try {
      const r = await traced(
        script(`${bad.url}/v1/admin`, { name: 'web', id: '11111111-2222-3333-4444-555555555555' }),
      );
      expect(r.out).toBe('INVALID_RESPONSE');
      expect(r.zod.length).toBeGreaterThan(0);
    } finally {
      await bad.close();
    }
  });
});
