import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

/**
 * got's optional features that stackfeed never turns on, by the module got imports for each: got
 * imports them at load (http2-wrapper even builds a TLSSocket then), about a third of got's
 * start-up. In the bin they are small stand-ins that throw a StackfeedError if ever used
 * (src/got-stand-ins; test/cold-start.test.ts checks none of the real ones loads).
 */
const GOT_LEFT_OUT = ['http2-wrapper', 'cacheable-request', 'cacheable-lookup'];
const gotStandIns: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'got-stand-ins',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${GOT_LEFT_OUT.join('|')})$`) }, (args) =>
      // Only got's imports: any other importer gets the real module.
      /[/\\]node_modules[/\\]got[/\\]/.test(args.importer)
        ? { path: fileURLToPath(new URL(`src/got-stand-ins/${args.path}.ts`, import.meta.url)) }
        : undefined,
    );
  },
};

/**
 * Node built-ins that commander imports at load but uses only for executable sub-commands (none
 * in stackfeed): in the bin, a stand-in that loads the real module on first use.
 */
const COMMANDER_LAZY = ['node:child_process', 'child_process'];
const commanderLazyBuiltins: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'commander-lazy-builtins',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      COMMANDER_LAZY.includes(args.path) && /[/\\]node_modules[/\\]commander[/\\]/.test(args.importer)
        ? { path: fileURLToPath(new URL('src/lazy-builtins/child_process.ts', import.meta.url)) }
        : undefined,
    );
  },
};

/**
 * @sindresorhus/is (got's argument checks) builds two Intl.ListFormat at import, for its error
 * messages only: the first Intl object of a process loads ICU's data, ≈ 11 ms of CPU before the
 * first request. In the bin each is built on first use. The build fails if the text is not found
 * (a new version of the package: look again rather than ship the cost silently).
 */
const LIST_FORMATS = /^const (andFormatter|orFormatter) = new Intl\.ListFormat\(('en', \{[^}]*\})\);$/gm;
const lazyListFormat: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'lazy-list-format',
  setup(build) {
    build.onLoad({ filter: /[/\\]@sindresorhus[/\\]is[/\\]distribution[/\\]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      let found = 0;
      const contents = source.replace(LIST_FORMATS, (_, name: string, options: string) => {
        found++;
        return `let ${name}Real; const ${name} = { format: (list) => (${name}Real ??= new Intl.ListFormat(${options})).format(list) };`;
      });
      if (found !== 2) throw new Error(`lazy-list-format: expected 2 Intl.ListFormat in ${args.path}, found ${found}`);
      return { contents, loader: 'js' };
    });
  },
};

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
  esbuildPlugins: [gotStandIns, commanderLazyBuiltins, lazyListFormat],
  // tsup's own node:-prefix plugin would resolve node:child_process before commanderLazyBuiltins sees it.
  removeNodeProtocol: false,
  // Less to read and compile at every start (Node 20 has no compile cache for ES modules); names kept for errors.
  minify: true,
  keepNames: true,
  clean: true,
  sourcemap: true,
  dts: false,
});
