/**
 * Direct mode, 10,000 CloudFormation stack events: stackfeed's `listClusterStackEvents` (stack id
 * lookup, nested-stack discovery, normalized StackEvent, core Paginator) against the SDK's own
 * `paginateDescribeStackEvents`, both on the SAME CloudFormationClient instance (same signing, HTTP
 * and XML deserialization), against the same emulator (in a child process, so CPU time here is the
 * clients' only), alternately, several rounds.
 * Reported: median per-round ratio stackfeed / SDK paginator on wall time and on CPU time (target ≤ 1.05).
 * Run: npx tsx --conditions=@stackfeed/source bench/parallelcluster/direct-events.ts
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { median, round } from '../lib.js';
import { mergeResult } from './result.js';

// The SDK as @stackfeed/aws-parallelcluster resolves it (the module instance direct mode imports).
const requireFromAdapter = createRequire(import.meta.resolve('@stackfeed/aws-parallelcluster/package.json'));
const cfnModule = (await import(
  pathToFileURL(requireFromAdapter.resolve('@aws-sdk/client-cloudformation')).href
)) as typeof import('@aws-sdk/client-cloudformation');
const { CloudFormationClient, paginateDescribeStackEvents } = cfnModule;

const EVENTS = Number(process.env.EVENTS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 21);

// The emulator runs in a child process: the CPU time measured here is the clients' only.
const child = spawn(
  process.execPath,
  ['--conditions=@stackfeed/source', '--import', 'tsx', fileURLToPath(new URL('./emulator-child.ts', import.meta.url))],
  {
    env: { ...process.env, EVENTS: String(EVENTS) },
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
const line = await new Promise<string>((resolve, reject) => {
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const i = buf.indexOf('\n');
    if (i >= 0) resolve(buf.slice(0, i));
  });
  child.once('exit', (code) => reject(new Error(`emulator exited (${code})`)));
});
const emu = JSON.parse(line) as {
  endpoints: { cloudformation: string };
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stackId: string;
};
const { stackId } = emu;
const sdk = new CloudFormationClient({
  region: emu.region,
  endpoint: emu.endpoints.cloudformation,
  credentials: emu.credentials,
});
const stackfeed = new ParallelClusterClient({ mode: 'direct', region: emu.region, clients: { cloudformation: sdk } });

async function viaStackfeed(): Promise<number> {
  let n = 0;
  for await (const _ of stackfeed.listClusterStackEvents('bench-cluster')) n++;
  return n;
}
async function viaStackfeedPages(): Promise<number> {
  let n = 0;
  for await (const page of stackfeed.listClusterStackEvents('bench-cluster').byPage()) n += page.items.length;
  return n;
}
async function viaSdk(): Promise<number> {
  let n = 0;
  // By name, as a user would (stackfeed also starts by name).
  for await (const page of paginateDescribeStackEvents({ client: sdk }, { StackName: 'bench-cluster' }))
    for (const _ of page.StackEvents ?? []) n++;
  return n;
}

type Sample = { wall: number; cpu: number };
const measure = async (fn: () => Promise<number>): Promise<Sample> => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const n = await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (n !== EVENTS) throw new Error(`expected ${EVENTS} events, got ${n}`);
  return { wall, cpu: (c.user + c.system) / 1000 };
};

const contenders = { items: viaStackfeed, pages: viaStackfeedPages, sdk: viaSdk } as const;
type Name = keyof typeof contenders;
for (let i = 0; i < 2; i++) for (const fn of Object.values(contenders)) await measure(fn);
const samples: Record<Name, Sample[]> = { items: [], pages: [], sdk: [] };
const orders: Name[][] = [
  ['items', 'pages', 'sdk'],
  ['sdk', 'items', 'pages'],
  ['pages', 'sdk', 'items'],
];
for (let i = 0; i < ROUNDS; i++) {
  // Rotate the order so no contender always runs first (or right after GC-heavy work).
  for (const name of orders[i % orders.length] as Name[]) samples[name].push(await measure(contenders[name]));
}
child.stdin.end();

const ratios = (a: Sample[], b: Sample[], k: keyof Sample) => ({
  medianOfRoundRatios: round(median(a.map((x, i) => x[k] / (b[i] as Sample)[k]))),
  ratioOfMedians: round(median(a.map((x) => x[k])) / median(b.map((x) => x[k]))),
});
const sf = samples.items;
const peer = samples.sdk;

const result = {
  benchmark:
    'direct mode: list 10,000 CloudFormation stack events, stackfeed vs paginateDescribeStackEvents (same client, same emulator in a child process; CPU = client side only)',
  note: 'same 100 DescribeStackEvents requests on both sides (stackfeed reads the first page by name and takes the stack id from the events); stackfeed also maps each event to the normalized StackEvent and parses ResourceProperties JSON',
  loadAverage: os.loadavg().map((x) => round(x, 1)),
  cpus: os.cpus().length,
  events: EVENTS,
  stackId,
  rounds: ROUNDS,
  pages: Math.ceil(EVENTS / 100),
  stackfeedMedianWallMs: round(median(sf.map((x) => x.wall)), 1),
  stackfeedByPageMedianWallMs: round(median(samples.pages.map((x) => x.wall)), 1),
  sdkMedianWallMs: round(median(peer.map((x) => x.wall)), 1),
  stackfeedMedianCpuMs: round(median(sf.map((x) => x.cpu)), 1),
  sdkMedianCpuMs: round(median(peer.map((x) => x.cpu)), 1),
  wallRatio: ratios(sf, peer, 'wall'),
  cpuRatio: ratios(sf, peer, 'cpu'),
  byPageWallRatio: ratios(samples.pages, peer, 'wall'),
  byPageCpuRatio: ratios(samples.pages, peer, 'cpu'),
  target: '≤ 1.05',
  node: process.version,
  cpu: os.cpus()[0]?.model,
};
mergeResult('directEvents', result);
console.log(JSON.stringify(result, null, 2));
