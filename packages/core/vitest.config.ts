import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@stackfeed/source'] },
  ssr: { resolve: { conditions: ['@stackfeed/source'] } },
  // The root config's testTimeout is not inherited by projects: property tests need more than 5 s on a loaded machine.
  test: { name: 'core', include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
});
