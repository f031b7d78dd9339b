/**
 * Plumbing shared by bench/providers/heat.ts and bench/providers/rfs.ts.
 *
 * - The server side runs in a CHILD process (`<script> serve`): the provider's emulator generates
 *   the events once, every page the listing will ask for is pre-rendered from it (exact emulator
 *   bytes, keyed by path + sorted query), and a small replay server (the emulator harness) answers
 *   from that table. Both sides therefore cost the server exactly the same, and the CPU time measured
 *   in the benchmark process is the clients' alone.
 * - Peak RSS is measured per side in a FRESH child process (`<script> rss <side>`), sampling
 *   `process.memoryUsage.rss()` every few ms and every 1,000 events, so one side's heap does not
 *   pollute the other's figure; the same child then lists ISOLATED_LOOPS (3) more times and reports
 *   its median wall and CPU time per listing, a second view of the ratio without the two clients
 *   sharing one process and one garbage collector.
 */
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { FROM_SOURCE, GC_BEFORE_EACH, iqr, median, round, sideBySide, tsxChildArgs } from '../lib.js';

/** `node --import tsx <file> ...args` (from source or dist like this process, bench/lib.ts). */
const nodeArgs = tsxChildArgs;

/** Start `<file> serve` and read its first stdout line (JSON). `close()` ends it (stdin closes). */
export async function startServerChild<T>(
  file: string,
  env: Record<string, string>,
): Promise<{ info: T; close: () => Promise<void> }> {
  const child = spawn(process.execPath, nodeArgs(file, ['serve']), {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(buf.slice(0, i));
    });
    child.once('exit', (code) => reject(new Error(`server child exited (${code})`)));
  });
  return {
    info: JSON.parse(line) as T,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

/** In a `serve` child: print the info line, then serve until stdin closes. */
export function serveUntilStdinEnds(info: unknown, close: () => Promise<void>): void {
  process.stdout.write(`${JSON.stringify(info)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void close().then(() => process.exit(0));
  });
}

/** Run `<file> rss <side>` in a fresh process and return what it printed (JSON). */
export async function rssChild(file: string, side: string, env: Record<string, string>): Promise<RssReport> {
  const child = spawn(process.execPath, nodeArgs(file, ['rss', side]), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`rss child ${side} exited ${code}`);
  return JSON.parse(out.trim().split('\n').pop() as string) as RssReport;
}

export interface RssReport {
  side: string;
  events: number;
  /** RSS after imports and client creation, before the listing (MB). */
  baselineRssMB: number;
  /** Highest RSS seen during the listing (MB). */
  peakRssMB: number;
  /** peak - baseline (MB). */
  deltaRssMB: number;
  seconds: number;
  samples: number;
  /** Median wall / CPU time of ISOLATED_LOOPS more listings in the same fresh process (ms). */
  isolatedWallMedianMs: number | null;
  isolatedCpuMedianMs: number | null;
}

/**
 * In an `rss` child: run one listing once, sampling RSS on a 5 ms timer and every 1,000 events
 * (`tick` is called once per event). Prints the report.
 */
export async function measureRss(side: string, run: (tick: () => void) => Promise<number>): Promise<void> {
  const rss = () => process.memoryUsage.rss();
  const baseline = rss();
  let peak = baseline;
  let samples = 0;
  const sample = () => {
    const r = rss();
    samples++;
    if (r > peak) peak = r;
  };
  const timer = setInterval(sample, 5);
  let n = 0;
  const t0 = performance.now();
  const events = await run(() => {
    if (++n % 1000 === 0) sample();
  });
  const seconds = (performance.now() - t0) / 1000;
  sample();
  clearInterval(timer);
  const mb = (b: number) => round(b / 2 ** 20, 1);
  // Then the same listing a few more times, alone in this process: wall and CPU per listing with no
  // other client in the heap (the side-by-side rounds share one process and one GC).
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < Number(process.env.ISOLATED_LOOPS ?? 3); i++) {
    const c0 = process.cpuUsage();
    const t1 = performance.now();
    await run(() => {});
    wall.push(performance.now() - t1);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const report: RssReport = {
    side,
    events,
    baselineRssMB: mb(baseline),
    peakRssMB: mb(peak),
    deltaRssMB: mb(peak - baseline),
    seconds: round(seconds, 3),
    samples,
    isolatedWallMedianMs: wall.length ? round(median(wall), 1) : null,
    isolatedCpuMedianMs: cpu.length ? round(median(cpu), 1) : null,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** Canonical key of a request: path + query parameters sorted by name then value. */
export function requestKey(rawPath: string, rawQuery: string): string {
  const params = [...new URLSearchParams(rawQuery)].sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
  );
  return `${rawPath}?${new URLSearchParams(params).toString()}`;
}

export function machine(): { node: string; cpus: number; loadAverage1m: number; loadAverage5m: number } {
  const [l1 = 0, l5 = 0] = loadavg();
  return {
    node: process.version,
    cpus: availableParallelism(),
    loadAverage1m: round(l1, 2),
    loadAverage5m: round(l5, 2),
  };
}

/** Events per second from a count and milliseconds. */
export const perSecond = (events: number, ms: number) => Math.round((events / ms) * 1000);

/**
 * The timed part both listings share: same-process alternating rounds (`AA=stackfeed` / `AA=raw`
 * runs one side against itself as a check of the method), CPU per round, then the RSS children;
 * returns the common fields of the result (each script adds what it listed and how).
 */
export async function compareSides(o: {
  self: string;
  events: number;
  rounds: number;
  warmup: number;
  stackfeed: () => Promise<void>;
  raw: () => Promise<void>;
  /** Environment of the RSS children (server info and page size). */
  rssEnv: Record<string, string>;
}): Promise<{ aa: string | undefined; fields: Record<string, unknown> }> {
  const aa = process.env.AA;
  const sideA = aa === 'raw' ? o.raw : o.stackfeed;
  const sideB = aa === 'stackfeed' ? o.stackfeed : o.raw;
  const cpuA: number[] = [];
  const cpuB: number[] = [];
  const withCpu = (fn: () => Promise<void>, into: number[]) => async () => {
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    into.push((c.user + c.system) / 1000);
  };
  const before = machine();
  const r = await sideBySide(withCpu(sideA, cpuA), withCpu(sideB, cpuB), { rounds: o.rounds, warmup: o.warmup });
  cpuA.splice(0, o.warmup);
  cpuB.splice(0, o.warmup);
  const after = machine();

  let rssReports: RssReport[] | undefined;
  if (process.env.RSS !== '0') {
    rssReports = [await rssChild(o.self, 'stackfeed', o.rssEnv), await rssChild(o.self, 'raw', o.rssEnv)];
  }
  const isolated = (k: 'isolatedCpuMedianMs' | 'isolatedWallMedianMs') =>
    rssReports?.[0]?.[k] && rssReports[1]?.[k] ? round(rssReports[0][k] / rssReports[1][k]) : null;
  const isolatedRounds = await isolatedAlternating(o.self, o.rssEnv, aa);
  return {
    aa,
    fields: {
      rounds: o.rounds,
      warmup: o.warmup,
      gcBeforeEachRun: GC_BEFORE_EACH,
      stackfeedFrom: FROM_SOURCE ? 'source (tsx, --conditions=@stackfeed/source)' : 'built dist',
      ...after,
      loadAverage1mBefore: before.loadAverage1m,
      ...(aa ? { aaCheck: aa } : {}),
      stackfeedMedianMs: round(r.aMedianMs, 1),
      rawMedianMs: round(r.bMedianMs, 1),
      stackfeedCpuMedianMs: round(median(cpuA), 1),
      rawCpuMedianMs: round(median(cpuB), 1),
      ratioWall: round(r.ratio),
      ratioCpu: round(r.cpuRatio),
      // The spread: interquartile range of the per-round ratios.
      ratioWallIqr: r.ratioIqr,
      ratioCpuIqr: r.cpuRatioIqr,
      target: 1.1,
      stackfeedEventsPerSecond: perSecond(o.events, r.aMedianMs),
      rawEventsPerSecond: perSecond(o.events, r.bMedianMs),
      rss: rssReports,
      isolatedRatioCpu: isolated('isolatedCpuMedianMs'),
      isolatedRatioWall: isolated('isolatedWallMedianMs'),
      ...(isolatedRounds ? { isolatedRounds } : {}),
      stackfeedRoundsMs: r.aMs.map((x) => round(x, 1)),
      rawRoundsMs: r.bMs.map((x) => round(x, 1)),
    },
  };
}

/**
 * ISOLATED_ROUNDS=N: a second view of the ratio in which the two clients never share a heap. Each
 * round starts one fresh process per side (the RSS child: one sampled listing as its warm-up, then
 * ISOLATED_LOOPS timed listings, their median), in alternating order, and takes the per-round ratio
 * stackfeed / raw; the figure is the median of the N per-round ratios with their IQR, like the
 * side-by-side one. In one process each side's rounds also pay, at random, for scavenges and heap
 * growth the other side's garbage caused; here each pays only for its own. Both views are reported.
 */
async function isolatedAlternating(
  self: string,
  env: Record<string, string>,
  aa: string | undefined,
): Promise<Record<string, unknown> | undefined> {
  const rounds = Number(process.env.ISOLATED_ROUNDS ?? 0);
  if (!(rounds > 0)) return undefined;
  const sideA = aa === 'raw' ? 'raw' : 'stackfeed';
  const sideB = aa === 'stackfeed' ? 'stackfeed' : 'raw';
  const cpu: number[] = [];
  const wall: number[] = [];
  const cpuMs: Array<[number, number]> = [];
  const before = machine();
  for (let i = 0; i < rounds; i++) {
    const first = i % 2 === 0;
    const a1 = first ? await rssChild(self, sideA, env) : undefined;
    const b = await rssChild(self, sideB, env);
    const a = a1 ?? (await rssChild(self, sideA, env));
    if (!a.isolatedCpuMedianMs || !b.isolatedCpuMedianMs || !a.isolatedWallMedianMs || !b.isolatedWallMedianMs) {
      throw new Error('ISOLATED_ROUNDS needs ISOLATED_LOOPS >= 1');
    }
    cpu.push(a.isolatedCpuMedianMs / b.isolatedCpuMedianMs);
    wall.push(a.isolatedWallMedianMs / b.isolatedWallMedianMs);
    cpuMs.push([a.isolatedCpuMedianMs, b.isolatedCpuMedianMs]);
  }
  return {
    method: `fresh process per side per round, alternating order; per process the median of ${Number(process.env.ISOLATED_LOOPS ?? 3)} listings after one warm-up listing`,
    rounds,
    loadAverage1mBefore: before.loadAverage1m,
    loadAverage1mAfter: machine().loadAverage1m,
    ratioCpu: round(median(cpu)),
    ratioCpuIqr: iqr(cpu),
    ratioWall: round(median(wall)),
    ratioWallIqr: iqr(wall),
    cpuMsPerRound: cpuMs,
  };
}
