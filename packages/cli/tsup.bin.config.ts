import { defineConfig } from 'tsup';

// The `stackfeed` command as it runs (bin/stackfeed.js loads dist/bin/bin.js): one bundle with its
// dependencies, split at the dynamic imports (one chunk per command and per provider), so that a
// command reads a few files instead of the ~230 modules of got, zod, commander and the adapters.
// The store (PGlite loads its .wasm next to its module), the emulators and the dashboard (it finds the
// page's files next to its package) stay packages of their own.
export default defineConfig({
  entry: { bin: 'src/bin.ts' },
  outDir: 'dist/bin',
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  bundle: true,
  noExternal: [/^(?!@stackfeed\/(store|emulator|dashboard)(\/|$))/],
  external: ['@stackfeed/store', '@stackfeed/emulator', /^@stackfeed\/emulator\//, '@stackfeed/dashboard'],
  // CommonJS dependencies (commander, the AWS SDK) call require(): give every chunk one.
  banner: {
    js: "import { createRequire as __sfCreateRequire } from 'node:module';\nconst require = __sfCreateRequire(import.meta.url);",
  },
  // @stackfeed/source would bundle the workspace packages' TypeScript; the built dist is what ships.
  esbuildOptions(options) {
    options.conditions = ['node', 'import', 'default'];
  },
  // Less to read and compile at every start (Node 20 has no compile cache for ES modules); names kept for errors.
  minify: true,
  keepNames: true,
  clean: true,
  sourcemap: true,
  dts: false,
});
