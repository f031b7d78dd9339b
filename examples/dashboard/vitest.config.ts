import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@stackfeed/source'] },
  ssr: { resolve: { conditions: ['@stackfeed/source'] } },
  test: { name: 'dashboard', include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 300_000 },
});
