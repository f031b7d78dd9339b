import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@stackfeed/source'] },
  ssr: { resolve: { conditions: ['@stackfeed/source'] } },
  test: {
    name: 'cli',
    // As the root config: a project does not inherit it.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    include: [
      'test/**/*.test.ts',
      // The dashboard example's end-to-end test (headless Chromium) runs here, so that `pnpm test`
      // runs it while the root config's projects are `packages/*` only. Once the root config lists
      // `examples/dashboard` (its own project, `dashboard`), drop this line.
      '../../examples/dashboard/test/**/*.test.ts',
    ],
  },
});
