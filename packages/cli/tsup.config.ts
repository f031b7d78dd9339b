import { defineConfig } from 'tsup';

// The library entry (`run()` for tools and tests), its dependencies external. The command that runs
// is the bundle of tsup.bin.config.ts (dist/bin/); dist/bin.js stays for scripts that look for it.
export default defineConfig({
  // help-table and version: for scripts/help-text.mjs, the build step that writes dist/bin/help.json.
  entry: ['src/index.ts', 'src/bin.ts', 'src/help-table.ts', 'src/version.ts'],
  format: ['esm'],
  // The build does not use the composite (tsc -b) settings meant for typechecking.
  // STACKFEED_CLI_FAST_BUILD=1 (the bin test, when dist is stale) skips the slow .d.ts step.
  dts: process.env.STACKFEED_CLI_FAST_BUILD
    ? false
    : { entry: ['src/index.ts'], compilerOptions: { composite: false, incremental: false } },
  clean: true,
  target: 'node20',
  platform: 'node',
  sourcemap: true,
});
