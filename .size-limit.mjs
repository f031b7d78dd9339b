// Size budgets of the published packages, checked by `pnpm size` after `pnpm build` (CI runs it).
//
// Two checks per package, both in raw bytes (no gzip/brotli: these are Node libraries, what counts
// is what Node reads and parses, not what a browser downloads):
// - "own code": the package's built JavaScript as published (dist/*.js, no source maps or .d.ts),
//   without any dependency, @stackfeed/core included;
// - "with dependencies": dist/index.js bundled by esbuild for Node (minified, tree-shaken) with
//   every dependency it can reach, lazily imported ones included (an upper bound on the code a user
//   pulls in; Node built-ins are not counted).
// Limits sit ~10 % above the sizes measured when they were set (docs/performance.md, "Cold start
// and size"), so a regression fails CI; raise a limit deliberately, in the same commit as the cause.

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
  ['@stackfeed/core', 'core', '68 kB', '700 kB'],
  ['@stackfeed/openstack-heat', 'openstack-heat', '51 kB', '850 kB'],
  ['@stackfeed/huawei-rfs', 'huawei-rfs', '43 kB', '720 kB'],
  ['@stackfeed/aws-parallelcluster', 'aws-parallelcluster', '79 kB', '2.8 MB'],
  ['@stackfeed/aws-imagebuilder', 'aws-imagebuilder', '51 kB', '1.16 MB'],
  ['@stackfeed/cli', 'cli', '86 kB', '3.3 MB'],
  // The emulator is a test tool made of one entry per provider (`@stackfeed/emulator/<name>`):
  // its own code is checked; one "with dependencies" bundle would not describe any real import.
  ['@stackfeed/emulator', 'emulator', '200 kB', undefined],
];

export default PACKAGES.flatMap(([name, dir, own, withDeps]) => [
  {
    name: `${name} (own code)`,
    path: `packages/${dir}/dist/**/*.js`,
    disablePlugins: ['@size-limit/esbuild'],
    brotli: false,
    limit: own,
  },
  ...(withDeps
    ? [
        {
          name: `${name} (with dependencies)`,
          // the cli's bin is what a user runs; it reaches every adapter
          path: `packages/${dir}/dist/${dir === 'cli' ? 'bin' : 'index'}.js`,
          brotli: false,
          modifyEsbuildConfig: forNode,
          limit: withDeps,
        },
      ]
    : []),
]);
