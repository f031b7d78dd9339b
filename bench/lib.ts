/** Small helpers shared by the benchmarks: side-by-side rounds and summary statistics. */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Whether this process runs stackfeed from its TypeScript source (`--conditions=@stackfeed/source`)
 * or, by default, from the packages' built `dist/` (what a user runs: no tsx `__name` wrappers, the
 * bundle tsup makes). Child processes of a bench follow their parent (see {@link tsxChildArgs}).
 */
export const FROM_SOURCE = process.execArgv.some((a) => a.includes('@stackfeed/source'));

/** `node` arguments for a child that runs `file` through tsx, from source or dist like this process. */
export function tsxChildArgs(file: string, args: string[] = []): string[] {
  return [...(FROM_SOURCE ? ['--conditions=@stackfeed/source'] : []), '--import', 'tsx', file, ...args];
}

/**
 * Refuse to time a stale build: running from dist, every package's `dist/` must be newer than its
 * newest `src/` file (run `pnpm build` first). A no-op when running from source, and with
 * BENCH_OLD_DIST=1 (an A/B against a build of an earlier tree, copied into dist/ on purpose).
 */
export function assertBuilt(packages: string[]): void {
  if (FROM_SOURCE || process.env.BENCH_OLD_DIST === '1') return;
  const root = fileURLToPath(new URL('../packages/', import.meta.url));
  const newest = (dir: string): number => {
    let t = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }
    return t;
  };
  for (const pkg of packages) {
    const src = newest(join(root, pkg, 'src'));
    let dist = 0;
    try {
      dist = statSync(join(root, pkg, 'dist', 'index.js')).mtimeMs;
    } catch {}
    if (dist < src)
      throw new Error(
        `bench: packages/${pkg}/dist is older than its src: run \`pnpm build\` (or run from source: npx tsx --conditions=@stackfeed/source ...)`,
      );
  }
}

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

/**
 * Write a result file; runs with `BENCH_GC=1` go to `<name>.gc.json` beside the default-method one,
 * and RESULT_SUFFIX=x writes `<name>-x.json` (a run kept beside earlier ones).
 */
export function writeResult(path: string, data: unknown): void {
  const suffix = process.env.RESULT_SUFFIX ? `-${process.env.RESULT_SUFFIX}` : '';
  const file = path.replace(/\.json$/, `${suffix}${GC_BEFORE_EACH ? '.gc' : ''}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

export const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
