/**
 * Issue 8, per provider: EC2 Image Builder, 100,000 lifecycle execution resources.
 *
 * stackfeed's `listLifecycleExecutionEvents` (SDK call, wire guard / zod, normalized StackEvent with
 * content ids, core Paginator) against the AWS SDK's own `paginateListLifecycleExecutionResources`,
 * each on its OWN ImagebuilderClient built from the same config (region, endpoint, credentials, no
 * custom handler), so each side pays for exactly its own middleware; page size 25 (the API maximum),
 * i.e. 4,000 signed requests per run.
 *
 * - The emulator runs in a child process (`<this file> serve`): the CPU time measured here is the
 *   clients' alone. It checks the SigV4 header format on every request (not the signature itself).
 * - Before any timing, one run of each side is compared: same number of items, and stackfeed's
 *   order (oldest first, by each resource's end or start time, the order every stackfeed event list
 *   has) is the SDK's listing stably sorted by that time: same resource ids in the same order.
 * - `sideBySide` (bench/lib.ts): alternating rounds, median of per-round wall and CPU ratios.
 * - Peak RSS (and the wall and CPU time of that one listing, alone in its process) per side in a
 *   FRESH child process (`<this file> rss <side>`), sampling
 *   `process.memoryUsage.rss()` on a 5 ms timer and every 1,000 items.
 *
 * Run: pnpm build && npx tsx bench/providers/imagebuilder.ts — stackfeed from its BUILT dist/ (what users run;
 *   the script refuses a dist older than src). From source instead (tsx's `__name` wrappers, not what
 *   users run): npx tsx --conditions=@stackfeed/source bench/providers/imagebuilder.ts
 * Profile one side: node --cpu-prof --import tsx bench/providers/imagebuilder.ts loop stackfeed
 * Knobs: RESOURCES (default 100000), ROUNDS (default 3), WARMUP (default 0: the verification runs
 * warm both sides), RSS=0 to skip RSS, SORTED=1 (see below).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { assertBuilt, FROM_SOURCE, round, sideBySide, tsxChildArgs, writeResult } from '../lib.js';

const RESOURCES = Number(process.env.RESOURCES ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const WARMUP = Number(process.env.WARMUP ?? 0);
const PAGE = 25;
const SELF = fileURLToPath(import.meta.url);
const CREDS = { accessKeyId: 'AKIDBENCH0000000001', secretAccessKey: 'bench-secret-key-0123456789abcdef' };

// The SDK as @stackfeed/aws-imagebuilder resolves it (the bench package does not depend on it).
const requireFromAdapter = createRequire(import.meta.resolve('@stackfeed/aws-imagebuilder/package.json'));
interface SdkSubset {
  ImagebuilderClient: new (config: {
    region: string;
    endpoint: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  }) => { destroy(): void };
  paginateListLifecycleExecutionResources(
    config: { client: unknown; pageSize?: number },
    input: { lifecycleExecutionId: string },
  ): AsyncIterable<{ resources?: Array<{ resourceId?: string; startTime?: Date; endTime?: Date }> }>;
}
const loadSdk = async () =>
  (await import(pathToFileURL(requireFromAdapter.resolve('@aws-sdk/client-imagebuilder')).href)) as SdkSubset;

interface ServerInfo {
  url: string;
  executionId: string;
  count: number;
}

type Side = 'stackfeed' | 'sdk';

/**
 * SORTED=1: the SDK side does the listing stackfeed hands out (oldest first, which Image Builder
 * does not list in): it reads every page, keeps the resources and sorts them by time (stable)
 * before handing them out. Results go to providers-imagebuilder-sorted.json.
 */
const SORTED = process.env.SORTED === '1';

/** Both sides, as functions that list everything once and call `onItem(resourceId)` per item. */
async function sides(info: ServerInfo) {
  const { ImagebuilderClient, paginateListLifecycleExecutionResources } = await loadSdk();
  const config = { region: 'us-east-1', endpoint: info.url, credentials: CREDS };
  const stackfeed = new ImageBuilderClient(config);
  const sdk = new ImagebuilderClient(config);
  /** `onItem(resourceId, timeMs)`: the time is the one stackfeed orders by (end, else start). */
  const run: Record<Side, (onItem?: (id: string, timeMs: number) => void) => Promise<number>> = {
    async stackfeed(onItem) {
      let n = 0;
      for await (const ev of stackfeed.listLifecycleExecutionEvents(info.executionId, { pageSize: PAGE })) {
        n++;
        onItem?.(ev.resource.physicalId as string, ev.timestamp.getTime());
      }
      return n;
    },
    async sdk(onItem) {
      let n = 0;
      const pages = paginateListLifecycleExecutionResources(
        { client: sdk, pageSize: PAGE },
        { lifecycleExecutionId: info.executionId },
      );
      const timeOf = (r: { startTime?: Date; endTime?: Date }) => (r.endTime ?? r.startTime)?.getTime() ?? Number.NaN;
      if (SORTED) {
        // The same listing stackfeed hands out: every page read, then oldest first (stable).
        const all: Array<{ resourceId?: string; startTime?: Date; endTime?: Date }> = [];
        for await (const page of pages) for (const r of page.resources ?? []) all.push(r);
        all.sort((a, b) => timeOf(a) - timeOf(b));
        for (const r of all) {
          n++;
          onItem?.(r.resourceId as string, timeOf(r));
        }
        return n;
      }
      for await (const page of pages) {
        for (const r of page.resources ?? []) {
          n++;
          onItem?.(r.resourceId as string, timeOf(r));
        }
      }
      return n;
    },
  };
  return {
    run,
    close: () => {
      stackfeed.close();
      sdk.destroy();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// child: the emulator

async function serve(): Promise<void> {
  const { lifecycleLarge, startImageBuilderEmulator } = await import('@stackfeed/emulator/imagebuilder');
  const emu = await startImageBuilderEmulator({ auth: { mode: 'check' } });
  const { executionId, count } = lifecycleLarge(emu.store, { count: RESOURCES });
  process.stdout.write(`${JSON.stringify({ url: emu.url, executionId, count } satisfies ServerInfo)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void emu.close().then(() => process.exit(0));
  });
}

// ---------------------------------------------------------------------------------------------
// child: peak RSS of one side

async function rss(side: Side, info: ServerInfo): Promise<void> {
  const s = await sides(info);
  const mem = () => process.memoryUsage.rss();
  const baseline = mem();
  let peak = baseline;
  let samples = 0;
  const sample = () => {
    samples++;
    const r = mem();
    if (r > peak) peak = r;
  };
  const timer = setInterval(sample, 5);
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const count = await s.run[side](() => {
    if (++n % 1000 === 0) sample();
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  sample();
  clearInterval(timer);
  s.close();
  const mb = (b: number) => round(b / 2 ** 20, 1);
  process.stdout.write(
    `${JSON.stringify({ side, items: count, baselineRssMB: mb(baseline), peakRssMB: mb(peak), deltaRssMB: mb(peak - baseline), seconds: round(seconds, 2), cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2), samples })}\n`,
  );
}

function child(args: string[], env: Record<string, string>, stdin: 'pipe' | 'ignore') {
  return spawn(process.execPath, tsxChildArgs(SELF, args), {
    env: { ...process.env, ...env },
    stdio: [stdin, 'pipe', 'inherit'],
  });
}

async function firstLine(c: ReturnType<typeof child>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let buf = '';
    c.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(buf.slice(0, i));
    });
    c.once('exit', (code) => reject(new Error(`child exited (${code})`)));
  });
}

// ---------------------------------------------------------------------------------------------
// main

/**
 * One run of each side: the same count, and stackfeed's ids in the order of the SDK's listing
 * sorted oldest first (stable: same-time resources keep the service's order, as stackfeed does).
 * Returns stackfeed's ids; throws on any difference.
 */
async function listedInOrder(run: Awaited<ReturnType<typeof sides>>['run']): Promise<string[]> {
  const listed: Record<Side, Array<{ id: string; ms: number }>> = { stackfeed: [], sdk: [] };
  for (const side of ['stackfeed', 'sdk'] as const) await run[side]((id, ms) => listed[side].push({ id, ms }));
  const ours = listed.stackfeed;
  const expected = [...listed.sdk].sort((a, b) => a.ms - b.ms);
  if (ours.length !== RESOURCES || expected.length !== RESOURCES)
    throw new Error(`counts differ: stackfeed ${ours.length}, sdk ${expected.length}, expected ${RESOURCES}`);
  if (expected.some((r) => Number.isNaN(r.ms))) throw new Error('the SDK listing has a resource without a time');
  for (let i = 0; i < RESOURCES; i++)
    if (ours[i]?.id !== expected[i]?.id)
      throw new Error(`item ${i}: stackfeed ${ours[i]?.id} vs the SDK's listing oldest first ${expected[i]?.id}`);
  return ours.map((r) => r.id);
}

async function main(): Promise<void> {
  const server = child(['serve'], {}, 'pipe');
  const info = JSON.parse(await firstLine(server)) as ServerInfo;
  try {
    const s = await sides(info);
    // Same items, same ids, same order, before any timing.
    const ids = await listedInOrder(s.run);
    const uniq = new Set(ids).size;
    const checked = (side: Side) => async () => {
      const n = await s.run[side]();
      if (n !== RESOURCES) throw new Error(`${side}: ${n} items, expected ${RESOURCES}`);
    };
    const loadBefore = os.loadavg();
    const r = await sideBySide(checked('stackfeed'), checked('sdk'), { rounds: ROUNDS, warmup: WARMUP });
    const loadAfter = os.loadavg();
    s.close();

    const mem: Record<string, unknown> = {};
    if (process.env.RSS !== '0') {
      for (const side of ['stackfeed', 'sdk'] as const) {
        const c = child(['rss', side], { SERVER: JSON.stringify(info) }, 'ignore');
        mem[side] = JSON.parse(await firstLine(c));
      }
    }
    const result = {
      benchmark: `Image Builder: 100,000 lifecycle execution resources, listLifecycleExecutionEvents vs paginateListLifecycleExecutionResources${SORTED ? ' with every page kept and sorted oldest first' : ''} (own SDK client each, same config, same emulator in a child process)`,
      items: RESOURCES,
      verified: { countsEqual: true, idsEqualToSdkListingOldestFirst: true, uniqueIds: uniq },
      pageSize: PAGE,
      requestsPerRun: Math.ceil(RESOURCES / PAGE),
      rounds: ROUNDS,
      warmup: WARMUP,
      stackfeedMedianWallMs: round(r.aMedianMs, 1),
      sdkPaginatorMedianWallMs: round(r.bMedianMs, 1),
      wallRatio: round(r.ratio),
      cpuRatio: round(r.cpuRatio),
      // The spread: interquartile range of the per-round ratios.
      wallRatioIqr: r.ratioIqr,
      cpuRatioIqr: r.cpuRatioIqr,
      roundRatios: { wall: r.ratios.map((x) => round(x)), cpu: r.cpuRatios.map((x) => round(x)) },
      stackfeedEventsPerSec: Math.round(RESOURCES / (r.aMedianMs / 1000)),
      sdkPaginatorItemsPerSec: Math.round(RESOURCES / (r.bMedianMs / 1000)),
      peakRss: mem,
      target: '<= 1.10',
      note: 'wallRatio/cpuRatio = median of per-round ratios stackfeed / SDK paginator (sideBySide); CPU = this process only (the emulator is a child process); RSS per side in a fresh process',
      stackfeedFrom: FROM_SOURCE ? 'source (tsx, --conditions=@stackfeed/source)' : 'built dist',
      loadAverage: { before: loadBefore.map((x) => round(x, 2)), after: loadAfter.map((x) => round(x, 2)) },
      cpus: os.cpus().length,
      node: process.version,
      stackfeedRunsMs: r.aMs.map((x) => round(x, 1)),
      sdkPaginatorRunsMs: r.bMs.map((x) => round(x, 1)),
      measuredAt: new Date().toISOString(),
    };
    console.log(JSON.stringify(result, null, 2));
    const file = SORTED ? 'providers-imagebuilder-sorted.json' : 'providers-imagebuilder.json';
    writeResult(new URL(`../results/${file}`, import.meta.url).pathname, result);
  } finally {
    server.stdin?.end();
  }
}

/** `imagebuilder.ts loop <side>`: LOOPS listings of one side only (for `node --cpu-prof`; emulator in a child). */
async function loop(side: Side): Promise<void> {
  const server = child(['serve'], {}, 'pipe');
  try {
    const s = await sides(JSON.parse(await firstLine(server)) as ServerInfo);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < Number(process.env.LOOPS ?? 3); i++) await s.run[side]();
    const c = process.cpuUsage(c0);
    console.log(side, round(performance.now() - t0, 1), 'ms wall', round((c.user + c.system) / 1000, 1), 'ms CPU');
    s.close();
  } finally {
    server.stdin?.end();
  }
}

assertBuilt(['core', 'aws-imagebuilder', 'emulator']);
const mode = process.argv[2];
if (mode === 'serve') await serve();
else if (mode === 'loop') await loop((process.argv[3] ?? 'stackfeed') as Side);
else if (mode === 'rss') await rss(process.argv[3] as Side, JSON.parse(process.env.SERVER as string) as ServerInfo);
else await main();
