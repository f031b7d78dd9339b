import { defineConfig } from 'vite';

// Preact through Vite's own JSX transform (no Babel preset needed). The server sends a strict CSP
// (script-src 'self'; style-src 'self'): the build must emit files only, no inline script or style,
// so the module-preload polyfill (an inline helper in some setups) is off and CSS is a file.
// The page is built into @stackfeed/dashboard's `web/` folder, which that package publishes: the
// server serves it from next to itself, with no dependency on this (private) package, and no cycle.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dashboard/web',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    // `pnpm --filter @stackfeed/dashboard-web dev` against a running `stackfeed dashboard`.
    proxy: { '/api': 'http://127.0.0.1:4800' },
  },
});
