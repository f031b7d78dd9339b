import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@stackfeed/source'] },
  ssr: { resolve: { conditions: ['@stackfeed/source'] } },
  test: { name: 'aws-parallelcluster', include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
});
