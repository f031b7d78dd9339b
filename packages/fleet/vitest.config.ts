import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@stackfeed/source'] },
  ssr: { resolve: { conditions: ['@stackfeed/source'] } },
  test: {
    name: 'fleet',
    include: ['test/**/*.test.ts'],
    // PGlite compiles its WASM build on every boot: seconds on a loaded machine.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // The store's setup: a private PostgreSQL cluster for the run (installed when missing); and
    // the real Heat peer, used where it runs and started where it does not.
    globalSetup: ['../store/test/global-setup.ts', 'test/heat-peer-setup.ts'],
  },
});
