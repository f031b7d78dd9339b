import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@stackfeed/source'] },
  ssr: { resolve: { conditions: ['@stackfeed/source'] } },
  test: {
    name: 'store',
    include: ['test/**/*.test.ts'],
    // PGlite compiles its WASM build on every boot: seconds on a loaded machine.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // A private PostgreSQL cluster for the whole run (installed when missing), next to PGlite.
    globalSetup: ['./test/global-setup.ts'],
  },
});
