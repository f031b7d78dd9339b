import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@stackfeed/source'] },
  ssr: { resolve: { conditions: ['@stackfeed/source'] } },
  test: {
    name: 'openstack-heat',
    include: ['test/**/*.test.ts'],
    // Starts (or finds) the real Heat peers: noauth on :8004 and a Keystone-mode one beside it.
    globalSetup: ['test/global-setup.ts'],
    // Real Keystone answers a token request in 1-4 s on this class of machine.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
