import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@stackfeed/source'] },
  ssr: { resolve: { conditions: ['@stackfeed/source'] } },
  // The root config's timeouts are not inherited by projects (vitest's own 5 s would apply): a
  // loaded CI machine must not turn a slow property or child-process test into a failure.
  test: { name: 'huawei-rfs', include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
});
