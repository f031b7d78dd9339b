/**
 * Importing the adapter and listing a cluster's stack events (API mode) load no zod: the schemas
 * are a chunk of their own, loaded when a parse needs one (src/wire/load.ts). Checked on the BUILT
 * package in a child process under the module-load log of the CLI's cold-start test; the control
 * (describeCluster, which parses with its schema) shows that the log does see zod when it loads.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigStack, startParallelClusterEmulator } from '@stackfeed/emulator/parallelcluster';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const pkg = join(import.meta.dirname, '..');
const dist = join(pkg, 'dist', 'index.js');
const hook = join(pkg, '..', 'cli', 'test', 'fixtures', 'load-log.mjs');
const ZOD = /\/node_modules\/\.pnpm\/zod@|\/node_modules\/zod\//;
const dir = mkdtempSync(join(tmpdir(), 'pc-zod-'));
let emu: Awaited<ReturnType<typeof startParallelClusterEmulator>>;

beforeAll(async () => {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run pnpm build first`);
  emu = await startParallelClusterEmulator();
  bigStack(emu.world, { name: 'zod-lazy', events: 250 });
});
afterEach(() => emu?.servers.api.faults.clear());
afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** In a child: import the built adapter, run `body` with an API-mode client `pc`; prints its result. */
const script = (body: string) => `
  const { ParallelClusterClient } = await import(${JSON.stringify(dist)});
  const pc = new ParallelClusterClient({
    apiUrl: ${JSON.stringify(emu.apiUrl)}, signingRegion: ${JSON.stringify(emu.region)},
    credentials: ${JSON.stringify(emu.credentials)},
  });
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
  it('import and listClusterStackEvents (3 pages) load no zod', async () => {
    const r = await traced(
      script(`let n = 0;
        for await (const _ of pc.listClusterStackEvents('zod-lazy')) n++;
        process.stdout.write(String(n));`),
    );
    expect(Number(r.out)).toBe(250);
    expect(r.zod).toEqual([]);
  });

  it('the control: describeCluster parses with its schema, and the log sees zod load', async () => {
    const r = await traced(script(`process.stdout.write((await pc.describeCluster('zod-lazy')).name);`));
    expect(r.out).toBe('zod-lazy');
    expect(r.zod.length).toBeGreaterThan(0);
  });

  it('the control: a page the zod-free reader refuses goes through zod, which names the bad field', async () => {
    emu.servers.api.faults.inject({
      kind: 'status',
      status: 200,
      body: { events: [{ stackId: 's', eventId: 'e', stackName: 'n', timestamp: 'yesterday' }] },
    });
    const r = await traced(
      script(`try {
          await pc.listClusterStackEvents('zod-lazy').toArray({ limit: 10 });
          process.stdout.write('no error');
        } catch (e) {
          process.stdout.write(JSON.stringify({ code: e.code, fieldPath: e.fieldPath }));
        }`),
    );
    expect(JSON.parse(r.out)).toEqual({ code: 'INVALID_RESPONSE', fieldPath: 'events[0].timestamp' });
    expect(r.zod.length).toBeGreaterThan(0);
  });
});
