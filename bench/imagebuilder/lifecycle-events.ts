/**
 * Image Builder ListLifecycleExecutionResources over a 5,000-resource lifecycle execution:
 * stackfeed's `listLifecycleExecutionEvents` (zod validation, normalized StackEvent with content
 * ids, core Paginator) against the SDK's own `paginateListLifecycleExecutionResources`, both on the
 * SAME ImagebuilderClient instance (so the SDK's signing, HTTP and deserialization cost is shared),
 * against the same emulator, alternately in one process, page size 25 (the API maximum).
 * Reported: median per-round ratio stackfeed / SDK paginator, on wall time and on CPU time (target ≤ 1.05).
 * Run: npx tsx --conditions=@stackfeed/source bench/imagebuilder/lifecycle-events.ts
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { lifecycleLarge, startImageBuilderEmulator } from '@stackfeed/emulator/imagebuilder';
import { median, round, writeResult } from '../lib.js';

// The SDK as @stackfeed/aws-imagebuilder resolves it (the same module instance stackfeed uses).
const requireFromAdapter = createRequire(import.meta.resolve('@stackfeed/aws-imagebuilder/package.json'));
/** The part of @aws-sdk/client-imagebuilder this benchmark uses (the bench package does not depend on it). */
interface SdkSubset {
  ImagebuilderClient: new (config: {
    region: string;
    endpoint: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  }) => { destroy(): void };
  paginateListLifecycleExecutionResources(
    config: { client: unknown; pageSize?: number },
    input: { lifecycleExecutionId: string },
  ): AsyncIterable<{ resources?: unknown[] }>;
}
const sdkModule = (await import(
  pathToFileURL(requireFromAdapter.resolve('@aws-sdk/client-imagebuilder')).href
)) as SdkSubset;
const { ImagebuilderClient, paginateListLifecycleExecutionResources } = sdkModule;

const RESOURCES = Number(process.env.RESOURCES ?? 5000);
const ROUNDS = Number(process.env.ROUNDS ?? 11);
const PAGE = 25;

// Signature format is checked on every request (not recomputed: the server's cost is kept small).
const emu = await startImageBuilderEmulator({ auth: { mode: 'check' } });
const { executionId } = lifecycleLarge(emu.store, { count: RESOURCES });

const sdk = new ImagebuilderClient({
  region: 'us-east-1',
  endpoint: emu.url,
  credentials: { accessKeyId: 'AKIDBENCH0000000001', secretAccessKey: 'bench-secret-key-0123456789abcdef' },
});
const stackfeed = new ImageBuilderClient({ client: sdk as never });

async function viaStackfeed(): Promise<number> {
  let n = 0;
  for await (const _ of stackfeed.listLifecycleExecutionEvents(executionId, { pageSize: PAGE })) n++;
  return n;
}

async function viaSdkPaginator(): Promise<number> {
  let n = 0;
  for await (const page of paginateListLifecycleExecutionResources(
    { client: sdk, pageSize: PAGE },
    { lifecycleExecutionId: executionId },
  ))
    n += page.resources?.length ?? 0;
  return n;
}

/** One timed run: wall time and this process's CPU time (less sensitive to a busy machine). */
async function measure(fn: () => Promise<number>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const n = await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (n !== RESOURCES) throw new Error(`expected ${RESOURCES} items, got ${n}`);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

for (let i = 0; i < 5; i++) {
  await measure(viaStackfeed);
  await measure(viaSdkPaginator);
}
const a: Array<{ wall: number; cpu: number }> = [];
const b: Array<{ wall: number; cpu: number }> = [];
for (let i = 0; i < ROUNDS; i++) {
  // Alternate which side goes first so neither always runs on a warmer heap.
  if (i % 2 === 0) {
    a.push(await measure(viaStackfeed));
    b.push(await measure(viaSdkPaginator));
  } else {
    b.push(await measure(viaSdkPaginator));
    a.push(await measure(viaStackfeed));
  }
}
sdk.destroy();
await emu.close();
const ratios = (k: 'wall' | 'cpu') => a.map((x, i) => x[k] / (b[i] as { wall: number; cpu: number })[k]);
const r = {
  ratio: median(ratios('wall')),
  cpuRatio: median(ratios('cpu')),
  aMedianMs: median(a.map((x) => x.wall)),
  bMedianMs: median(b.map((x) => x.wall)),
  aCpuMs: median(a.map((x) => x.cpu)),
  bCpuMs: median(b.map((x) => x.cpu)),
};

const result = {
  benchmark: 'listLifecycleExecutionEvents vs paginateListLifecycleExecutionResources (same SDK client, same emulator)',
  resources: RESOURCES,
  pageSize: PAGE,
  requestsPerRun: Math.ceil(RESOURCES / PAGE),
  rounds: ROUNDS,
  node: process.version,
  stackfeedMedianMs: round(r.aMedianMs, 1),
  sdkPaginatorMedianMs: round(r.bMedianMs, 1),
  ratio: round(r.ratio),
  stackfeedCpuMedianMs: round(r.aCpuMs, 1),
  sdkPaginatorCpuMedianMs: round(r.bCpuMs, 1),
  cpuRatio: round(r.cpuRatio),
  target: '<= 1.05',
  note: 'ratio = median of per-round wall-time ratios; cpuRatio = the same on process CPU time (emulator in-process, so both include the server)',
  loadAverage: os.loadavg().map((x) => round(x, 2)),
  stackfeedRunsMs: a.map((x) => round(x.wall, 1)),
  sdkPaginatorRunsMs: b.map((x) => round(x.wall, 1)),
};
console.log(JSON.stringify(result, null, 2));
writeResult(new URL('../results/imagebuilder.json', import.meta.url).pathname, result);
