/**
 * What one module costs to import, in two builds side by side: each sample is a fresh `node`
 * process that first imports what the module imports (its chunks, core, zod: in the CLI they are
 * loaded by then anyway), then times `await import(<module>)` alone, and its CPU time.
 * The two take turns, ROUNDS rounds; per round the ratio after / before. Used for the bin's got
 * chunk (`source-*.js`) and for `@stackfeed/openstack-heat`'s dist.
 *
 * run: npx tsx bench/cold-start/import-ab.ts <before module> <after module>
 *   a module is a file, or `chunk-of:<a dist/bin dir>:<npm package>`: the bundle chunk whose
 *   source map holds that package's files (e.g. `chunk-of:packages/cli/dist/bin:got`).
 * env: ROUNDS (default 15), OUT (a file under bench/results; none: print only), WHOLE=1: nothing
 *   imported first, so the figure is the module with everything it loads (what a script's
 *   `import` of a package costs: e.g. two builds' `packages/openstack-heat/dist/index.js`).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { iqr, median, round, writeResult } from '../lib.ts';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 15);

/** A file, or the chunk of a bundle directory that holds an npm package (`chunk-of:<dir>:<pkg>`). */
function moduleOf(arg: string): string {
  const m = /^chunk-of:(.+):(.+)$/.exec(arg);
  if (!m) return resolve(arg);
  const [, dir, pkg] = m as unknown as [string, string, string];
  const marker = `/node_modules/${pkg}/`;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
    try {
      const map = JSON.parse(readFileSync(join(dir, `${f}.map`), 'utf8')) as { sources: string[] };
      if (map.sources.some((s) => s.includes(marker))) return resolve(dir, f);
    } catch {
      // no source map: not a chunk of the bundle
    }
  }
  throw new Error(`no chunk of ${dir} holds ${pkg}`);
}

/**
 * What a module imports statically (minified `from"./x.js"` or `from 'pkg'`): relative files as
 * URLs, packages by name (the child runs in the module's folder, so they resolve as from it).
 */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = new Set<string>();
  for (const m of text.matchAll(/(?:from|import)\s*["']([^"']+)["']/g)) {
    const spec = m[1] as string;
    found.add(spec.startsWith('.') ? pathToFileURL(resolve(dirname(file), spec)).href : spec);
  }
  return [...found];
}

/** One fresh process: the module's own imports first, then the module timed alone. */
function sample(file: string): { ms: number; cpuMs: number } {
  const pre = process.env.WHOLE === '1' ? [] : staticImports(file);
  const script = `
    for (const f of ${JSON.stringify(pre)}) await import(f);
    const c0 = process.cpuUsage(); const t0 = performance.now();
    await import(${JSON.stringify(pathToFileURL(file).href)});
    const t1 = performance.now(); const c = process.cpuUsage(c0);
    process.stdout.write(JSON.stringify({ ms: t1 - t0, cpuMs: (c.user + c.system) / 1000 }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: dirname(file),
  });
  return JSON.parse(out) as { ms: number; cpuMs: number };
}

function main() {
  const [beforeArg, afterArg] = process.argv.slice(2);
  if (!beforeArg || !afterArg) throw new Error('usage: import-ab.ts <before module> <after module>');
  const before = moduleOf(beforeArg);
  const after = moduleOf(afterArg);
  sample(before);
  sample(after); // warm the OS file cache
  const b: Array<{ ms: number; cpuMs: number }> = [];
  const a: typeof b = [];
  for (let r = 0; r < ROUNDS; r++) {
    // alternate which goes first
    if (r % 2 === 0) {
      b.push(sample(before));
      a.push(sample(after));
    } else {
      a.push(sample(after));
      b.push(sample(before));
    }
  }
  const ratios = a.map((x, i) => x.ms / (b[i] as { ms: number }).ms);
  const cpuRatios = a.map((x, i) => x.cpuMs / Math.max(1, (b[i] as { cpuMs: number }).cpuMs));
  const stats = (xs: number[]) => ({ median: round(median(xs), 3), iqr: iqr(xs) });
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    loadavg: os.loadavg().map((x) => round(x, 2)),
    rounds: ROUNDS,
    whole: process.env.WHOLE === '1',
    before: { module: before, ms: stats(b.map((x) => x.ms)), cpuMs: stats(b.map((x) => x.cpuMs)) },
    after: { module: after, ms: stats(a.map((x) => x.ms)), cpuMs: stats(a.map((x) => x.cpuMs)) },
    'after / before (per round)': { ms: stats(ratios), cpu: stats(cpuRatios) },
  };
  if (process.env.OUT) writeResult(join(here, '..', 'results', process.env.OUT), result);
  console.log(JSON.stringify(result, null, 2));
}

main();
