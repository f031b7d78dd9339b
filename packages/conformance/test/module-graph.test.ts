/**
 * House rule: "core loads no cloud SDK; importing the Heat or RFS adapter loads no AWS code".
 *
 * Proof, first line: a fresh `node` process imports the BUILT package (dist, by its package name,
 * as a user's program would), builds a client and makes one call (to a local server that answers
 * 404), while two recorders note every module that was loaded:
 * - an ESM resolve hook (`module.register`, in Node's loader thread) appends every resolved URL to a
 *   file: it sees every `import` / `import()`, including the first `require`-less step into a
 *   CommonJS package;
 * - at the end the process prints the CommonJS cache (`require.cache`): it sees every `require()`
 *   made inside CommonJS packages, which the ESM hook does not (e.g. the AWS SDK's own requires).
 * A positive control runs the same probe on `@stackfeed/aws-imagebuilder` and must find the AWS SDK
 * through both recorders, so a broken recorder cannot make the test pass. The same recorders also
 * follow the `stackfeed` command itself (`stackfeed events heat <stack>`, the built bin, noauth from
 * OS_* variables like `openstack`): no AWS code and no adapter but Heat's.
 *
 * Second line: the production dependency closure in the package.json files (dependencies and
 * optionalDependencies, followed through node_modules the way Node resolves them) contains no
 * such package either; the same walk finds `@aws-sdk/*` under the Image Builder adapter.
 *
 * `pnpm test` builds every package first; run alone, the test builds whatever dist is missing.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const conformanceDir = join(here, '..');
const packagesDir = join(conformanceDir, '..');
const repoRoot = join(packagesDir, '..');

/** Module paths that are AWS code: the SDK v3 clients and their runtime (@aws/*, smithy, aws-crypto), and SDK v2. */
const AWS = /[/\\]node_modules[/\\](@aws-sdk|@aws|@smithy|@aws-crypto|aws-sdk)[/\\]/;
/** Any cloud vendor SDK: AWS as above, Huawei Cloud, plus the usual others. */
const CLOUD_SDK =
  /[/\\]node_modules[/\\](@aws-sdk|@aws|@smithy|@aws-crypto|aws-sdk|@huaweicloud|@azure|@google-cloud|googleapis|openstack[^/\\]*)[/\\]/;
/** AWS code or the Huawei Cloud SDK (the Heat adapter needs neither). */
const AWS_OR_HUAWEI = /[/\\]node_modules[/\\](@aws-sdk|@aws|@smithy|@aws-crypto|aws-sdk|@huaweicloud)[/\\]/;

const BUILT = ['core', 'openstack-heat', 'huawei-rfs', 'aws-imagebuilder', 'cli'] as const;
type Probed = Exclude<(typeof BUILT)[number], 'cli'>;

/** One call per package, against a local server that answers every request with 404. */
const EXERCISE: Record<Probed, string> = {
  core: `
    const { HttpTransport } = await import('@stackfeed/core/adapter');
    const t = new HttpTransport({ provider: 'openstack-heat', retry: { maxAttempts: 1 } });
    return t.request({ url: stub + '/probe', operation: 'probe' }).then(() => 'ok', (e) => e.code);`,
  'openstack-heat': `
    const c = new m.HeatClient({ auth: { type: 'none' }, endpoint: stub + '/v1/admin', retry: { maxAttempts: 1 } });
    return c.listStackEvents({ name: 's', id: 'i' }).toArray({ limit: 10 }).then(() => 'ok', (e) => e.code);`,
  'huawei-rfs': `
    const c = new m.RfsClient({ region: 'cn-north-4', projectId: 'p', endpoint: stub,
      credentials: { accessKey: 'AKPROBE', secretKey: 'skprobe' }, retry: { maxAttempts: 1 }, env: {} });
    return c.listStackEvents('s').toArray({ limit: 10 }).then(() => 'ok', (e) => e.code);`,
  'aws-imagebuilder': `
    const c = new m.ImageBuilderClient({ region: 'us-east-1', endpoint: stub, maxAttempts: 1,
      credentials: { accessKeyId: 'AKIAPROBE', secretAccessKey: 'probe' } });
    return c.listImages().toArray({ limit: 10 }).then(() => 'ok', (e) => e.code);`,
};

interface Graph {
  /** URLs the ESM resolve hook saw. */
  esm: string[];
  /** Files in the CommonJS cache at the end. */
  cjs: string[];
  /** The file the package name resolved to. */
  entry: string;
  /** What the one call ended with (an error code, normally NOT_FOUND). */
  outcome: unknown;
}

let work: string;
let registerFile: string;
/** Same hook, plus the CommonJS cache written to STACKFEED_MODULE_CJS at exit (for a command's run). */
let registerAtExitFile: string;

beforeAll(() => {
  const missing = BUILT.filter((p) => !existsSync(join(packagesDir, p, 'dist', 'index.js')));
  if (missing.length > 0) {
    execFileSync('pnpm', [...missing.flatMap((p) => ['--filter', `@stackfeed/${p}...`]), 'build'], {
      cwd: repoRoot,
      stdio: 'ignore',
    });
  }
  work = mkdtempSync(join(tmpdir(), 'stackfeed-module-graph-'));
  const hooks = join(work, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.STACKFEED_MODULE_LOG, r.url + '\\n');
  return r;
}
`,
  );
  registerFile = join(work, 'register.mjs');
  writeFileSync(
    registerFile,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  registerAtExitFile = join(work, 'register-at-exit.mjs');
  writeFileSync(
    registerAtExitFile,
    `import { createRequire, register } from 'node:module';
import { writeFileSync } from 'node:fs';
register(${JSON.stringify(pathToFileURL(hooks).href)});
process.on('exit', () => {
  writeFileSync(process.env.STACKFEED_MODULE_CJS, JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));
});
`,
  );
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Import `@stackfeed/<pkg>` in a fresh node process (cwd = this package, which depends on all). */
function probe(pkg: Probed): Promise<Graph> {
  const log = join(work, `${pkg}.log`);
  writeFileSync(log, '');
  const script = `
import http from 'node:http';
import { createRequire } from 'node:module';
const server = http.createServer((req, res) => {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{}');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const stub = 'http://127.0.0.1:' + server.address().port;
const m = await import('@stackfeed/${pkg}');
const outcome = await (async () => {${EXERCISE[pkg]}
})();
server.close();
const req = createRequire(process.cwd() + '/');
process.stdout.write(JSON.stringify({
  entry: import.meta.resolve('@stackfeed/${pkg}'),
  cjs: Object.keys(req.cache),
  outcome,
}));
`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', pathToFileURL(registerFile).href, '--input-type=module', '-e', script],
      {
        cwd: conformanceDir,
        // plain node: no TypeScript loader, no @stackfeed/source condition, no AWS metadata lookups
        env: { ...process.env, NODE_OPTIONS: '', STACKFEED_MODULE_LOG: log, AWS_EC2_METADATA_DISABLED: 'true' },
        maxBuffer: 64 << 20,
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`probe of ${pkg} failed: ${err.message}\n${stderr}`));
        const out = JSON.parse(stdout) as Omit<Graph, 'esm'>;
        const esm = readFileSync(log, 'utf8').split('\n').filter(Boolean);
        resolve({ ...out, esm });
      },
    );
  });
}

const filesOf = (g: Graph) => [...g.esm.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u)), ...g.cjs];

/** The npm package a file belongs to (the name after the last node_modules), or a workspace package. */
function packageOf(file: string): string | undefined {
  const parts = file.split(/[/\\]/);
  const nm = parts.lastIndexOf('node_modules');
  if (nm >= 0) {
    const first = parts[nm + 1] ?? '';
    return first.startsWith('@') ? `${first}/${parts[nm + 2]}` : first;
  }
  if (file.startsWith(packagesDir + sep)) return `@stackfeed/${parts[packagesDir.split(/[/\\]/).length]}`;
  return undefined;
}

const packagesIn = (files: string[]) =>
  [...new Set(files.map(packageOf).filter((p): p is string => p !== undefined))].sort();

describe('module graph of the built packages, fresh node process (issue 8: cold start)', () => {
  const graphs = new Map<string, Graph>();
  const graph = async (pkg: Probed) => {
    let g = graphs.get(pkg);
    if (!g) {
      g = await probe(pkg);
      graphs.set(pkg, g);
    }
    return g;
  };

  it('positive control: importing @stackfeed/aws-imagebuilder loads the AWS SDK, seen by BOTH recorders', async () => {
    const g = await graph('aws-imagebuilder');
    expect(g.entry).toMatch(/\/packages\/aws-imagebuilder\/dist\/index\.js$/);
    // the ESM hook sees the step from the dist into the SDK's CommonJS entry ...
    expect(g.esm.filter((u) => u.startsWith('file:') && AWS.test(fileURLToPath(u))).length).toBeGreaterThan(0);
    // ... and the CommonJS cache holds the SDK's own requires (smithy runtime included)
    expect(g.cjs.filter((f) => /[/\\]node_modules[/\\]@aws-sdk[/\\]/.test(f)).length).toBeGreaterThan(0);
    expect(g.cjs.filter((f) => /[/\\]node_modules[/\\]@smithy[/\\]/.test(f)).length).toBeGreaterThan(0);
    expect(packagesIn(filesOf(g))).toContain('@aws-sdk/client-imagebuilder');
    // the call reached the stub (the SDK maps the 404 to a typed error)
    expect(g.outcome).toBeTruthy();
  });

  it('@stackfeed/core loads no cloud SDK (import + one HttpTransport request)', async () => {
    const g = await graph('core');
    expect(g.entry).toMatch(/\/packages\/core\/dist\/index\.js$/);
    expect(g.outcome).toBe('NOT_FOUND');
    const files = filesOf(g);
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => CLOUD_SDK.test(f))).toEqual([]);
    const pkgs = packagesIn(files);
    expect(pkgs).toContain('got');
    // zod is not loaded: the model's schemas are in @stackfeed/core/schemas (issue 16), and a
    // transport request parses no schema.
    expect(pkgs).not.toContain('zod');
    expect(pkgs.filter((p) => p.startsWith('@stackfeed/'))).toEqual(['@stackfeed/core']);
  });

  it('@stackfeed/openstack-heat loads no AWS code and no Huawei SDK (import + one list call)', async () => {
    const g = await graph('openstack-heat');
    expect(g.entry).toMatch(/\/packages\/openstack-heat\/dist\/index\.js$/);
    expect(g.outcome).toBe('NOT_FOUND');
    const files = filesOf(g);
    expect(files.filter((f) => AWS_OR_HUAWEI.test(f))).toEqual([]);
    const pkgs = packagesIn(files);
    expect(pkgs.filter((p) => p.startsWith('@stackfeed/'))).toEqual(['@stackfeed/core', '@stackfeed/openstack-heat']);
    // yaml is loaded only when a clouds.yaml is read (this client is configured in code).
    expect(pkgs).not.toContain('yaml');
  });

  it('@stackfeed/huawei-rfs loads no AWS code (import + one signed list call)', async () => {
    const g = await graph('huawei-rfs');
    expect(g.entry).toMatch(/\/packages\/huawei-rfs\/dist\/index\.js$/);
    expect(g.outcome).toBe('NOT_FOUND');
    const files = filesOf(g);
    expect(files.filter((f) => AWS.test(f))).toEqual([]);
    expect(packagesIn(files).filter((p) => p.startsWith('@stackfeed/'))).toEqual([
      '@stackfeed/core',
      '@stackfeed/huawei-rfs',
    ]);
  });
});

describe('module graph of the stackfeed command on Heat (built bin, fresh process)', () => {
  it('`stackfeed events heat <stack>` loads no AWS code and no other adapter', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/admin`;
    const log = join(work, 'cli.log');
    const cjsFile = join(work, 'cli.cjs.json');
    writeFileSync(log, '');
    const bin = join(packagesDir, 'cli', 'bin', 'stackfeed.js');
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', pathToFileURL(registerAtExitFile).href, bin, 'events', 'heat', 'web', '-o', 'json'],
        {
          cwd: work,
          // noauth Heat from the environment, as `openstack` would use it; no clouds.yaml anywhere
          env: {
            ...process.env,
            NODE_OPTIONS: '',
            HOME: work,
            OS_CLOUD: '',
            OS_AUTH_TYPE: 'none',
            OS_ENDPOINT: endpoint,
            STACKFEED_MODULE_LOG: log,
            STACKFEED_MODULE_CJS: cjsFile,
          },
          timeout: 60_000,
        },
        (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
      );
    });
    server.close();
    // the command reached Heat (the stub) and reported its 404
    expect(stderr).toMatch(/NOT_FOUND/);
    expect(code).not.toBe(0);
    const g: Graph = {
      esm: readFileSync(log, 'utf8').split('\n').filter(Boolean),
      cjs: JSON.parse(readFileSync(cjsFile, 'utf8')) as string[],
      entry: bin,
      outcome: code,
    };
    // The bin runs one bundle split per command and provider (packages/cli/dist/bin): what a chunk
    // holds is in its source map. So the check reads the sources of every chunk the process loaded,
    // beside the files it loaded from outside the bundle.
    const loaded = filesOf(g);
    const binDir = join(packagesDir, 'cli', 'dist', 'bin') + sep;
    const chunks = loaded.filter((f) => f.startsWith(binDir) && f.endsWith('.js'));
    expect(chunks.length).toBeGreaterThan(0);
    const sources = chunks.flatMap((chunk) => {
      const map = JSON.parse(readFileSync(`${chunk}.map`, 'utf8')) as { sources: string[] };
      return map.sources.map((src) => resolve(dirname(chunk), src));
    });
    const files = [...loaded.filter((f) => !f.startsWith(binDir)), ...sources];
    // the recorder worked, and the map reading sees what the bundle holds (commander, the CLI's own source)
    expect(g.esm.length).toBeGreaterThan(0);
    expect(sources.some((f) => /[/\\]node_modules[/\\]commander[/\\]/.test(f))).toBe(true);
    expect(files.filter((f) => AWS_OR_HUAWEI.test(f))).toEqual([]);
    expect(packagesIn(files).filter((p) => p.startsWith('@stackfeed/'))).toEqual([
      '@stackfeed/cli',
      '@stackfeed/core',
      '@stackfeed/openstack-heat',
    ]);
  });
});

// ---- second line: the declared production dependency trees ----

interface Pkg {
  name: string;
  dir: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPkg(dir: string): Pkg {
  return { ...(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Pkg), dir };
}

/** Where Node would find package `name` from `fromDir` (node_modules lookup upwards, real path). */
function findPackageDir(fromDir: string, name: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Names of every package in the production closure of the package in `dir`. */
function productionClosure(dir: string): Set<string> {
  const seen = new Set<string>();
  const names = new Set<string>();
  const stack = [realpathSync(dir)];
  while (stack.length > 0) {
    const d = stack.pop() as string;
    if (seen.has(d)) continue;
    seen.add(d);
    const pkg = readPkg(d);
    names.add(pkg.name);
    const deps = { ...pkg.dependencies, ...pkg.optionalDependencies };
    for (const dep of Object.keys(deps)) {
      const found = findPackageDir(d, dep);
      if (found) stack.push(found);
      else if (!pkg.optionalDependencies?.[dep]) throw new Error(`${dep} (needed by ${pkg.name}) is not installed`);
    }
  }
  return names;
}

const SDK_NAME = {
  aws: /^(@aws-sdk|@aws|@smithy|@aws-crypto)\/|^aws-sdk$/,
  awsOrHuawei: /^(@aws-sdk|@aws|@smithy|@aws-crypto|@huaweicloud)\/|^aws-sdk$/,
  cloud: /^(@aws-sdk|@aws|@smithy|@aws-crypto|@huaweicloud|@azure|@google-cloud)\/|^(aws-sdk|googleapis)$/,
};

describe('declared production dependency trees (package.json, as installed)', () => {
  const closure = (p: string) => [...productionClosure(join(packagesDir, p))];

  it('positive control: the Image Builder adapter tree contains the AWS SDK', () => {
    const names = closure('aws-imagebuilder');
    expect(names).toContain('@aws-sdk/client-imagebuilder');
    expect(names.filter((n) => SDK_NAME.aws.test(n)).length).toBeGreaterThan(10);
  });

  it('core depends on no cloud SDK', () => {
    const names = closure('core');
    expect(names).toContain('got');
    expect(names.filter((n) => SDK_NAME.cloud.test(n))).toEqual([]);
    expect(names.filter((n) => n.startsWith('@stackfeed/'))).toEqual(['@stackfeed/core']);
  });

  it('the Heat adapter depends on core only and on no AWS / Huawei package', () => {
    const names = closure('openstack-heat');
    expect(names.filter((n) => SDK_NAME.awsOrHuawei.test(n))).toEqual([]);
    expect(names.filter((n) => n.startsWith('@stackfeed/')).sort()).toEqual([
      '@stackfeed/core',
      '@stackfeed/openstack-heat',
    ]);
  });

  it('the RFS adapter depends on core only and on no AWS package', () => {
    const names = closure('huawei-rfs');
    expect(names.filter((n) => SDK_NAME.aws.test(n))).toEqual([]);
    expect(names.filter((n) => n.startsWith('@stackfeed/')).sort()).toEqual([
      '@stackfeed/core',
      '@stackfeed/huawei-rfs',
    ]);
  });
});
