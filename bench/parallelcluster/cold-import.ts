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

const probe = (mode: 'api' | 'direct') => `
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

function sample(mode: 'api' | 'direct'): number {
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
for (let i = 0; i < SAMPLES; i++) {
  if (i % 2 === 0) {
    api.push(sample('api'));
    direct.push(sample('direct'));
  } else {
    direct.push(sample('direct'));
    api.push(sample('api'));
  }
}
const result = {
  benchmark:
    'cold import() + client creation in a fresh process: API mode vs direct mode (with preload of the 4 SDK clients)',
  entry: built ? 'dist (built)' : 'src via tsx',
  samples: SAMPLES,
  apiModeMedianMs: round(median(api), 1),
  directModeMedianMs: round(median(direct), 1),
  directOverApi: round(median(direct) / median(api), 2),
  node: process.version,
  loadAverage: os.loadavg().map((x) => round(x, 1)),
  cpus: os.cpus().length,
};
mergeResult('coldImport', result);
console.log(JSON.stringify(result, null, 2));
