/**
 * Cold start of every published package, each sample a fresh `node` process on the BUILT package
 * (dist, plain node: no TypeScript loader):
 * - importMs: `await import(<package>)`, timed inside the process (node's own start-up excluded);
 * - constructMs: creating a client right after (what a script does next);
 * - processMs: the whole process, spawn to exit, MINUS the median of an empty process (`node -e`
 *   with the same probe and no import), i.e. what the package adds to a command's run time;
 * - cpuMs: the same difference in CPU time (user + system of the child, from /proc/self/stat).
 * The packages (and the empty baseline) take turns in a rotating order, SAMPLES rounds; medians.
 * Also records what each import loads (files and npm packages, via require.cache and an ESM
 * resolve hook, in one extra untimed process) and the size-limit figures (`size-limit --json`).
 *
 * run: npx tsx --conditions=@stackfeed/source bench/cold-start/import.ts   (writes bench/results/cold-start.json)
 * env: SAMPLES (default 11).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, round, writeResult } from '../lib.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const RESULTS = join(here, '..', 'results', 'cold-start.json');
const SAMPLES = Number(process.env.SAMPLES ?? 11);

interface Target {
  pkg: string;
  dir: string;
  /** JS that creates a client from the imported module `m` (empty: import only). */
  construct: string;
  /** Instead of the import probe, run this script file with these arguments (the CLI's bin). */
  bin?: string[];
  /** The file under dist/ (default index.js): another entry of the package. */
  entry?: string;
  /** A dependency instead of a package's dist: imported by name from packages/<dir> (breakdown). */
  dependency?: string;
}

const TARGETS: Target[] = [
  // the user entry loads no zod since session 7: the schemas and the transport have entries of their own
  { pkg: '@stackfeed/core', dir: 'core', construct: '' },
  {
    pkg: '@stackfeed/core/adapter',
    dir: 'core',
    entry: 'adapter.js',
    construct: "new m.HttpTransport({ provider: 'openstack-heat' });",
  },
  { pkg: '@stackfeed/core/schemas', dir: 'core', entry: 'schemas.js', construct: '' },
  {
    pkg: '@stackfeed/openstack-heat',
    dir: 'openstack-heat',
    construct: "new m.HeatClient({ auth: { type: 'none' }, endpoint: 'http://127.0.0.1:8004/v1/admin' });",
  },
  {
    pkg: '@stackfeed/huawei-rfs',
    dir: 'huawei-rfs',
    construct:
      "new m.RfsClient({ region: 'cn-north-4', projectId: 'p', env: {}, credentials: { accessKey: 'AKBENCH', secretKey: 'skbench' } });",
  },
  {
    pkg: '@stackfeed/aws-parallelcluster',
    dir: 'aws-parallelcluster',
    construct:
      "new m.ParallelClusterClient({ apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod', credentials: { accessKeyId: 'AKIABENCH', secretAccessKey: 'bench' } });",
  },
  {
    pkg: '@stackfeed/aws-imagebuilder',
    dir: 'aws-imagebuilder',
    construct:
      "new m.ImageBuilderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIABENCH', secretAccessKey: 'bench' } });",
  },
  { pkg: '@stackfeed/emulator', dir: 'emulator', construct: '' },
  { pkg: '@stackfeed/cli', dir: 'cli', construct: '' },
  // the command itself: `stackfeed --version` (parses argv, loads no provider)
  { pkg: 'stackfeed --version', dir: 'cli', construct: '', bin: ['packages/cli/bin/stackfeed.js', '--version'] },
  // breakdown: the third-party code core and the Heat adapter load, on its own
  { pkg: 'got (dependency of core)', dir: 'core', construct: '', dependency: 'got' },
  { pkg: 'zod (dependency of core)', dir: 'core', construct: '', dependency: 'zod' },
  { pkg: 'yaml (dependency of openstack-heat)', dir: 'openstack-heat', construct: '', dependency: 'yaml' },
];

const entryOf = (t: Target) => join(root, 'packages', t.dir, 'dist', t.entry ?? 'index.js');
/** A dependency is imported by name, so it resolves from its package's folder (`-e` resolves from cwd). */
const cwdOf = (t: Target | undefined) => (t?.dependency ? join(root, 'packages', t.dir) : root);

function ensureBuilt(): void {
  const missing = TARGETS.filter((t) => !t.dependency && !existsSync(entryOf(t)));
  if (missing.length > 0) {
    execFileSync('pnpm', [...missing.flatMap((t) => ['--filter', `${t.pkg}...`]), 'build'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
}

/** The probe: times the import and the construction inside the process. `t` undefined = empty baseline. */
function probeScript(t: Target | undefined): string {
  if (!t) return `const t0 = performance.now(); process.stdout.write(JSON.stringify({ importMs: 0, constructMs: 0 }));`;
  return `
const t0 = performance.now();
const m = await import(${JSON.stringify(t.dependency ?? pathToFileURL(entryOf(t)).href)});
const t1 = performance.now();
${t.construct}
const t2 = performance.now();
process.stdout.write(JSON.stringify({ importMs: t1 - t0, constructMs: t2 - t1 }));`;
}

/** CPU time (user + system, ms) of this process's waited-for children so far (Linux, 10 ms ticks). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(rest[13]) + Number(rest[14])) * 1000) / 100;
}

const childEnv = { ...process.env, NODE_OPTIONS: '', AWS_EC2_METADATA_DISABLED: 'true' };

interface Sample {
  importMs: number;
  constructMs: number;
  wallMs: number;
  cpuMs: number;
}

function sample(t: Target | undefined): Sample {
  const c0 = childrenCpuMs();
  const w0 = performance.now();
  const args = t?.bin ?? ['--input-type=module', '-e', probeScript(t)];
  const out = execFileSync(process.execPath, args, { cwd: cwdOf(t), env: childEnv, encoding: 'utf8' });
  const wallMs = performance.now() - w0;
  const cpuMs = childrenCpuMs() - c0;
  const r = t?.bin
    ? { importMs: Number.NaN, constructMs: Number.NaN }
    : (JSON.parse(out) as { importMs: number; constructMs: number });
  return { ...r, wallMs, cpuMs };
}

/** Files and npm packages one import loads (ESM resolve hook + require.cache), untimed. */
function loaded(t: Target): { files: number; packages: string[] } | null {
  if (t.bin) return null;
  const work = mkdtempSync(join(os.tmpdir(), 'stackfeed-cold-'));
  try {
    const log = join(work, 'resolved.log');
    writeFileSync(log, '');
    const hooks = join(work, 'hooks.mjs');
    writeFileSync(
      hooks,
      `import { appendFileSync } from 'node:fs';
export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }`,
    );
    const reg = join(work, 'register.mjs');
    writeFileSync(
      reg,
      `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)});`,
    );
    const script = `${probeScript(t)}
const { createRequire } = await import('node:module');
process.stdout.write('\\n' + JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
    const out = execFileSync(
      process.execPath,
      ['--import', pathToFileURL(reg).href, '--input-type=module', '-e', script],
      {
        cwd: cwdOf(t),
        env: childEnv,
        encoding: 'utf8',
      },
    );
    const cjs = JSON.parse(out.split('\n').at(-1) as string) as string[];
    const esm = readFileSync(log, 'utf8')
      .split('\n')
      .filter((u) => u.startsWith('file:'))
      .map((u) => fileURLToPath(u));
    const files = [...new Set([...esm, ...cjs])];
    const pkgs = new Set<string>();
    for (const f of files) {
      const parts = f.split('/');
      const nm = parts.lastIndexOf('node_modules');
      if (nm >= 0) {
        const a = parts[nm + 1] as string;
        pkgs.add(a.startsWith('@') ? `${a}/${parts[nm + 2]}` : a);
      } else if (f.startsWith(join(root, 'packages'))) {
        pkgs.add(`@stackfeed/${parts[join(root, 'packages').split('/').length]}`);
      }
    }
    return { files: files.length, packages: [...pkgs].sort() };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function sizes(): Record<string, number> {
  try {
    const out = execFileSync(join(root, 'node_modules', '.bin', 'size-limit'), ['--json'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return Object.fromEntries((JSON.parse(out) as Array<{ name: string; size: number }>).map((r) => [r.name, r.size]));
  } catch (err) {
    // size-limit exits 1 when a budget is exceeded but still prints the JSON
    const out = (err as { stdout?: string }).stdout;
    if (!out) throw err;
    return Object.fromEntries((JSON.parse(out) as Array<{ name: string; size: number }>).map((r) => [r.name, r.size]));
  }
}

ensureBuilt();
const all: Array<Target | undefined> = [undefined, ...TARGETS];
const samples = new Map<Target | undefined, Sample[]>(all.map((t) => [t, []]));
// warm the page cache once
for (const t of all) sample(t);
for (let i = 0; i < SAMPLES; i++) {
  for (let k = 0; k < all.length; k++) {
    const t = all[(i + k) % all.length];
    samples.get(t)?.push(sample(t));
  }
}
const base = samples.get(undefined) as Sample[];
const baseWall = median(base.map((s) => s.wallMs));
const baseCpu = median(base.map((s) => s.cpuMs));
const sizeOf = sizes();
const packages = TARGETS.map((t) => {
  const s = samples.get(t) as Sample[];
  const l = loaded(t);
  return {
    package: t.pkg,
    importMs: t.bin ? null : round(median(s.map((x) => x.importMs)), 1),
    constructMs: t.construct ? round(median(s.map((x) => x.constructMs)), 2) : null,
    processMsOverEmpty: round(median(s.map((x) => x.wallMs)) - baseWall, 1),
    cpuMsOverEmpty: round(median(s.map((x) => x.cpuMs)) - baseCpu, 1),
    filesLoaded: l?.files ?? null,
    packagesLoaded: l?.packages ?? null,
    ownCodeBytes: t.bin || t.dependency ? null : (sizeOf[`${t.pkg} (own code)`] ?? null),
    withDependenciesBytes: t.bin || t.dependency ? null : (sizeOf[`${t.pkg} (with dependencies)`] ?? null),
    samples: s.map((x) => ({
      importMs: round(x.importMs, 1),
      constructMs: round(x.constructMs, 2),
      wallMs: round(x.wallMs, 1),
      cpuMs: x.cpuMs,
    })),
  };
});
const result = {
  generatedAt: new Date().toISOString(),
  benchmark:
    'fresh-process import() of each built package (+ creating a client), medians of SAMPLES rotating rounds; process time over an empty node process',
  samples: SAMPLES,
  emptyProcess: { wallMedianMs: round(baseWall, 1), cpuMedianMs: baseCpu },
  sizes:
    'size-limit --json (bytes, uncompressed): own code = dist/**/*.js; with dependencies = esbuild bundle for node, minified',
  packages,
  node: process.version,
  loadAverage: os.loadavg().map((x) => round(x, 2)),
  cpus: os.cpus().length,
};
writeResult(RESULTS, result);
console.log(
  JSON.stringify(
    {
      ...result,
      packages: packages.map((p) => ({ ...p, samples: undefined, packagesLoaded: p.packagesLoaded?.length })),
    },
    null,
    2,
  ),
);
