import { defineConfig } from 'vitest/config';

// One root config; each package is a project. The `@stackfeed/source` condition makes workspace
// imports resolve to TypeScript sources, so tests never run against a stale build.
export default defineConfig({
  resolve: { conditions: ['@stackfeed/source'] },
  ssr: { resolve: { conditions: ['@stackfeed/source'] } },
  test: {
    projects: ['packages/*'],
    globalSetup: ['./scripts/check-shared.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
