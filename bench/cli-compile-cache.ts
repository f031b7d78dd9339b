/**
 * Node's module compile cache (`module.enableCompileCache()`, Node >= 22.1; the launcher turns it on)
 * and the CLI's cold start, side by side on Node 20, 22 and 24, whole processes:
 *
 *   node -e 0                                 per Node version: the floor
 *   stackfeed events heat web -o json         cache on (NODE_COMPILE_CACHE, a private folder filled
 *                                             by the warm-up round) and off (NODE_DISABLE_COMPILE_CACHE=1)
 *   stackfeed events imagebuilder lce -o json the same, for the command that loads most (AWS SDK)
 *
 * Node 22 and 24 are the binaries `npx -y node@22` / `npx -y node@24` install (found once with
 * `npx -y node@N -p process.execPath`, then spawned directly so npx is not timed). Node 20 has no
 * compile cache: its on/off pair is the control (the same code path, ratio ≈ 1).
 *
 * run: pnpm build && npx tsx --conditions=@stackfeed/source bench/cli-compile-cache.ts
 *      (writes bench/results/cli-compile-cache.json); env ROUNDS (default 8), NODES (default 20,22,24).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { lifecycleDeprecateThenDelete, startImageBuilderEmulator } from '@stackfeed/emulator/imagebuilder';
import { round, writeResult } from './lib.ts';
import { type Contenders, medians, ratioOf, rotate, spawnTimed } from './processes.ts';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'packages', 'cli', 'bin', 'stackfeed.js');
const RESULTS = join(here, 'results', 'cli-compile-cache.json');
const ROUNDS = Number(process.env.ROUNDS ?? 8);
const NODES = (process.env.NODES ?? '20,22,24').split(',');

/** The node binary of a major version: this one for 20, else the one npx installs. */
function nodeBinary(major: string): string {
  if (process.version.startsWith(`v${major}.`)) return process.execPath;
  return execFileSync('npx', ['-y', `node@${major}`, '-p', 'process.execPath'], { encoding: 'utf8' }).trim();
}

async function main() {
  const heat = await startHeatEmulator();
  const resources = Array.from({ length: 21 }, (_, i) => ({ name: `server_${i}`, type: 'OS::Nova::Server' }));
  heat.addStack('web', createScript('web', resources, { stepMs: 1000 }));
  heat.advance(3_600_000);
  const keys = { accessKeyId: 'AKIABENCHCLICACHE001', secretAccessKey: 'bench-cli-cache-secret' };
  const ib = await startImageBuilderEmulator({
    clock: { now: () => Date.now() },
    auth: { mode: 'check', credentials: [keys] },
  });
  const lce = lifecycleDeprecateThenDelete(ib.store, { start: Date.now() - 3_600_000, count: 22 }).executionId;
  const ibEnv = {
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  const heatArgs = [BIN, 'events', 'heat', 'web', '--endpoint', heat.heatUrl, '-o', 'json'];
  const ibArgs = [BIN, 'events', 'imagebuilder', lce, '--endpoint', ib.url, '-o', 'json'];

  const cacheDir = mkdtempSync(join(os.tmpdir(), 'sf-compile-cache-'));
  const versions: Record<string, string> = {};
  const contenders: Contenders = {};
  for (const major of NODES) {
    const node = nodeBinary(major);
    versions[major] = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    const on = { NODE_COMPILE_CACHE: join(cacheDir, major) };
    const off = { NODE_DISABLE_COMPILE_CACHE: '1' };
    contenders[`node${major} -e 0`] = [node, ['-e', '0']];
    contenders[`node${major} heat cache on`] = [node, heatArgs, on];
    contenders[`node${major} heat cache off`] = [node, heatArgs, off];
    contenders[`node${major} imagebuilder cache on`] = [node, ibArgs, { ...ibEnv, ...on }];
    contenders[`node${major} imagebuilder cache off`] = [node, ibArgs, { ...ibEnv, ...off }];
    // each command answers (and fills the cache) before anything is timed
    for (const name of [`node${major} heat cache on`, `node${major} imagebuilder cache on`]) {
      const [cmd, args, env] = contenders[name] as Contenders[string];
      const r = await spawnTimed(cmd, args, env);
      if ((JSON.parse(r.out) as unknown[]).length === 0) throw new Error(`${name}: no events`);
    }
  }
  const samples = await rotate(contenders, ROUNDS);
  await heat.close();
  await ib.close();
  rmSync(cacheDir, { recursive: true, force: true });

  const ratios = NODES.flatMap((m) => [
    ratioOf(samples, `node${m} heat cache on`, `node${m} heat cache off`),
    ratioOf(samples, `node${m} imagebuilder cache on`, `node${m} imagebuilder cache off`),
    ratioOf(samples, `node${m} heat cache on`, `node${m} -e 0`),
    ratioOf(samples, `node${m} heat cache off`, `node${m} -e 0`),
    ratioOf(samples, `node${m} imagebuilder cache on`, `node${m} -e 0`),
    ratioOf(samples, `node${m} imagebuilder cache off`, `node${m} -e 0`),
    ...(m === NODES[0] ? [] : [ratioOf(samples, `node${m} heat cache on`, `node${NODES[0]} heat cache off`)]),
  ]);
  const result = {
    date: new Date().toISOString(),
    node: versions,
    cpus: os.cpus().length,
    loadavg: os.loadavg().map((x) => round(x, 2)),
    rounds: ROUNDS,
    medians: medians(samples),
    ratios,
  };
  writeResult(RESULTS, result);
  console.log(JSON.stringify(result, null, 2));
}

await main();
