/** Small helpers shared by the benchmarks: side-by-side rounds and summary statistics. */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The q-quantile of `xs` (0 ≤ q ≤ 1), interpolating linearly between the two nearest values. */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return (s[lo] as number) + ((s[Math.ceil(i)] as number) - (s[lo] as number)) * (i - lo);
}

/** The interquartile range of `xs` as [p25, p75], rounded: the spread stated beside a median ratio. */
export const iqr = (xs: number[], digits = 3): [number, number] => [
  round(quantile(xs, 0.25), digits),
  round(quantile(xs, 0.75), digits),
];

/**
 * Run `a` and `b` alternately for `rounds` rounds (after `warmup` unmeasured rounds each) and
 * return each side's times and the median of the per-round ratios a/b. Alternating in one
 * process means both see the same machine state, JIT and GC conditions.
 */
export async function sideBySide(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  opts: { rounds?: number; warmup?: number } = {},
): Promise<{
  aMs: number[];
  bMs: number[];
  ratio: number;
  aMedianMs: number;
  bMedianMs: number;
  cpuRatio: number;
  /** The per-round ratios a/b (wall and CPU), in round order: their IQR is the spread. */
  ratios: number[];
  cpuRatios: number[];
  ratioIqr: [number, number];
  cpuRatioIqr: [number, number];
}> {
  const rounds = opts.rounds ?? 9;
  for (let i = 0; i < (opts.warmup ?? 2); i++) {
    await a();
    await b();
  }
  const aMs: number[] = [];
  const bMs: number[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // Alternate which side goes first so neither always runs on a warmer heap.
    const first = i % 2 === 0;
    const ra = first ? await measure(a) : undefined;
    const rb = await measure(b);
    const ra2 = ra ?? (await measure(a));
    aMs.push(ra2.wall);
    bMs.push(rb.wall);
    ratios.push(ra2.wall / rb.wall);
    cpuRatios.push(ra2.cpu / rb.cpu);
  }
  return {
    aMs,
    bMs,
    ratio: median(ratios),
    aMedianMs: median(aMs),
    bMedianMs: median(bMs),
    cpuRatio: median(cpuRatios),
    ratios,
    cpuRatios,
    ratioIqr: iqr(ratios),
    cpuRatioIqr: iqr(cpuRatios),
  };
}

/**
 * `BENCH_GC=1` (with `node --expose-gc`): a full garbage collection before every timed run, outside
 * the clock. Two clients alternating in one process share one heap, so without it each side also
 * pays, at random, for collecting garbage the other side left; with it each run starts from the same
 * clean heap and pays for what it allocates during its own run (but not for the young garbage still
 * live at its end: for a listing of 100,000 events that is one page or so). Results say which.
 */
export const GC_BEFORE_EACH = process.env.BENCH_GC === '1';

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('BENCH_GC=1 needs node --expose-gc (NODE_OPTIONS=--expose-gc)');
  gc();
}

/** Wall time and this process's CPU time (user + system) of one run, in ms. CPU time is far less
 * sensitive to other load on the machine than wall time. */
export async function measure(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  if (GC_BEFORE_EACH) collectGarbage();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

export async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Write a result file; runs with `BENCH_GC=1` go to `<name>.gc.json` beside the default-method one. */
export function writeResult(path: string, data: unknown): void {
  const file = GC_BEFORE_EACH ? path.replace(/\.json$/, '.gc.json') : path;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

export const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
