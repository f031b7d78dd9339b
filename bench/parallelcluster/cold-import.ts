/**
 * Cold start: a fresh Node process per sample, timing `await import('@stackfeed/aws-parallelcluster')`
 * plus creating a client, in API mode vs direct mode (direct mode also `preload()`s the AWS SDK
 * clients it would import on its first call: CloudFormation, EC2, Image Builder, CloudWatch Logs).
 * Uses the built package (dist) when present, so TypeScript transpiling is not measured.
 * Alternating samples; medians and their ratio.
 * Run: npx tsx --conditions=@stackfeed/source bench/parallelcluster/cold-import.ts
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { median, round } from '../lib.js';
import { mergeResult } from './result.js';

const SAMPLES = Number(process.env.SAMPLES ?? 9);
const pkgDir = fileURLToPath(new URL('../../packages/aws-parallelcluster/', import.meta.url));
const built = existsSync(`${pkgDir}dist/index.js`);
const entry = built ? `${pkgDir}dist/index.js` : `${pkgDir}src/index.ts`;

const probe = (mode: 'api' | 'direct' | 'direct-lazy') => `
const t0 = performance.now();
const { ParallelClusterClient } = await import(${JSON.stringify(entry)});
const credentials = { accessKeyId: 'AKIABENCH', secretAccessKey: 'bench' };
const c = ${
  mode === 'api'
    ? "new ParallelClusterClient({ apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod', credentials })"
    : "new ParallelClusterClient({ mode: 'direct', region: 'eu-west-1', credentials })"
};
${mode === 'direct' ? 'await c.preload();' : ''}
process.stdout.write(String(performance.now() - t0));
`;

function sample(mode: 'api' | 'direct' | 'direct-lazy'): number {
  const args = built
    ? ['--input-type=module', '-e', probe(mode)]
    : ['--import', 'tsx', '--input-type=module', '-e', probe(mode)];
  const out = execFileSync(process.execPath, args, {
    cwd: pkgDir,
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
  });
  return Number(String(out).trim());
}

sample('api');
sample('direct');
const api: number[] = [];
const direct: number[] = [];
const lazy: number[] = [];
for (let i = 0; i < SAMPLES; i++) {
  const order: Array<[number[], 'api' | 'direct' | 'direct-lazy']> = [
    [api, 'api'],
    [direct, 'direct'],
    [lazy, 'direct-lazy'],
  ];
  for (let k = 0; k < order.length; k++) {
    const [list, mode] = order[(i + k) % order.length] as [number[], 'api' | 'direct' | 'direct-lazy'];
    list.push(sample(mode));
  }
}
const result = {
  benchmark:
    'cold import() + client creation in a fresh process: API mode vs direct mode with preload() of the 4 SDK clients, and direct mode before its first call (SDK not yet imported)',
  entry: built ? 'dist (built)' : 'src via tsx',
  samples: SAMPLES,
  apiModeMedianMs: round(median(api), 1),
  directModeMedianMs: round(median(direct), 1),
  directModeWithoutPreloadMedianMs: round(median(lazy), 1),
  directOverApi: round(median(direct) / median(api), 2),
  node: process.version,
  loadAverage: os.loadavg().map((x) => round(x, 1)),
  cpus: os.cpus().length,
};
mergeResult('coldImport', result);
console.log(JSON.stringify(result, null, 2));
