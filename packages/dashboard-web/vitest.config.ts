import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@stackfeed/source'] },
  ssr: { resolve: { conditions: ['@stackfeed/source'] } },
  test: {
    name: 'dashboard-web',
    include: ['test/**/*.test.ts'],
    // One Chromium and one PGlite for the whole file; PGlite compiles its WASM on boot.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // The store's setup: a private PostgreSQL cluster for the run (two dashboards on one database).
    globalSetup: ['../store/test/global-setup.ts'],
  },
});
