// Size budgets of the published packages, checked by `pnpm size` after `pnpm build` (CI runs it).
//
// Two checks per package, both in raw bytes (no gzip/brotli: these are Node libraries, what counts
// is what Node reads and parses, not what a browser downloads):
// - "own code": the package's built JavaScript as published (dist/*.js, no source maps or .d.ts),
//   without any dependency, @stackfeed/core included;
// - "with dependencies": dist/index.js bundled by esbuild for Node (minified, tree-shaken) with
//   every dependency it can reach, lazily imported ones included (an upper bound on the code a user
//   pulls in; Node built-ins are not counted).
// Limits (set 2026-11-23 from a fresh build): own code ~20 % above its size (the adapters still grow
// by features), with dependencies ~10 % above (a new or accidentally bundled dependency fails CI).
// Raise a limit deliberately, in the same commit as the cause. Figures: docs/performance.md.

/** @param {import('esbuild').BuildOptions} config */
const forNode = (config) => ({
  ...config,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: false,
  logLevel: 'error',
});

/** @type {Array<[name: string, dir: string, ownLimit: string, withDepsLimit: string | undefined]>} */
const PACKAGES = [
  // 2026-12-02: core 76 → 130 kB own (two entries, the AWS SDK helper in src/sdk, signed tokens, drainPages, transport limits);
  // Heat 58 → 72 kB, RFS 55 → 66 kB (issue 13/14 work); the cli bin with dependencies 3.27 → 3.9 MB (the store's
  // pg and PGlite, loaded only by archive/history); the store is new.
  // 2026-12-03 (session 6): discover() and deployments in every adapter, the deployments command and the
  // bundled bin's command table in the cli: Heat 72 → 86, RFS 66 → 82, ParallelCluster 98 → 115,
  // Image Builder 65 → 82, cli 115 → 135 kB; the fleet is new.
  // 2026-12-07 (session 12): core 140 → 141 kB own (watch/status-checks.ts: StatusChecks, FreshEvents, ~1 kB).
  ['@stackfeed/core', 'core', '141 kB', '704 kB'],
  ['@stackfeed/openstack-heat', 'openstack-heat', '86 kB', '870 kB'],
  ['@stackfeed/huawei-rfs', 'huawei-rfs', '82 kB', '740 kB'],
  ['@stackfeed/aws-parallelcluster', 'aws-parallelcluster', '115 kB', '2.8 MB'],
  ['@stackfeed/aws-imagebuilder', 'aws-imagebuilder', '82 kB', '1.17 MB'],
  // 2026-12-03: the cli's own code is dist/*.js (the library entry); the bin as it runs is the bundle in
  // dist/bin (dependencies included, minified; 2.93 MB), checked below. Its "with dependencies" 3.9 → 4.9 MB
  // (4.43): the bundle holds its own core/got/zod, and the store and emulators it leaves external
  // (archive/history, demo/emulator only) bring the workspace's copy.
  // 2026-12-06 (session 9): cli own code 135 → 160 kB: the command-registry split (≈ 137 kB),
  // `fleet`/`worker`/`fleet status` (a 13 kB chunk that only those commands import; "own code" counts
  // every chunk of dist/) and `dashboard --config` (a fleet worker in the dashboard process).
  // 2026-12-07 (session 10): 160 → 170 kB: the fan-out of `stacks`/`images` over regions and clouds
  // (--all-regions, --region a,b, --cloud a,b: the region/cloud column, per-source errors).
  ['@stackfeed/cli', 'cli', '170 kB', '4.9 MB'],
  // store 64 → 72 kB: migration 2 (feed, deployments, stack summary) and the child-process initdb (session 8);
  // emulator 222 → 244 kB: the activity generators and request counters of the fleet scale proof.
  ['@stackfeed/store', 'store', '72 kB', undefined],
  ['@stackfeed/fleet', 'fleet', '60 kB', undefined],
  // The emulator is a test tool made of one entry per provider (`@stackfeed/emulator/<name>`):
  // its own code is checked; one "with dependencies" bundle would not describe any real import.
  ['@stackfeed/emulator', 'emulator', '244 kB', undefined],
];

/** The bundled bin (packages/cli/dist/bin, built by tsup.bin.config.ts), raw bytes as Node reads them. */
const CLI_BIN = [
  {
    name: '@stackfeed/cli bin bundle (all chunks, every provider)',
    path: 'packages/cli/dist/bin/*.js',
    disablePlugins: ['@size-limit/esbuild'],
    brotli: false,
    limit: '3.25 MB',
  },
];

/**
 * The dashboard's page (packages/dashboard-web, built by Vite): what a browser downloads, so gzip
 * (what the server's clients get over the wire). Set 2026-12-06 from a fresh build: JS 13.1 kB, CSS 1.8 kB
 * gzip; limits ~15 % above (a new dependency in the page, e.g. a chart library, fails CI).
 */
const DASHBOARD_PAGE = [
  {
    name: '@stackfeed/dashboard page JavaScript (gzip)',
    path: 'packages/dashboard/web/assets/*.js',
    disablePlugins: ['@size-limit/esbuild'],
    gzip: true,
    limit: '15 kB',
  },
  {
    name: '@stackfeed/dashboard page CSS (gzip)',
    path: 'packages/dashboard/web/assets/*.css',
    disablePlugins: ['@size-limit/esbuild'],
    gzip: true,
    limit: '2.1 kB',
  },
];

export default [
  ...PACKAGES.flatMap(([name, dir, own, withDeps]) => [
    {
      name: `${name} (own code)`,
      path: dir === 'cli' ? 'packages/cli/dist/*.js' : `packages/${dir}/dist/**/*.js`,
      disablePlugins: ['@size-limit/esbuild'],
      brotli: false,
      limit: own,
    },
    ...(withDeps
      ? [
          {
            name: `${name} (with dependencies)`,
            // the cli's bin is what a user runs; it reaches every adapter
            path: `packages/${dir}/dist/${dir === 'cli' ? 'bin/bin' : 'index'}.js`,
            brotli: false,
            modifyEsbuildConfig: forNode,
            limit: withDeps,
          },
        ]
      : []),
  ]),
  ...CLI_BIN,
  ...DASHBOARD_PAGE,
];
