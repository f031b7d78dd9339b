import { RateLimiter } from '@stackfeed/core';
import { imageBuilderFault } from '@stackfeed/emulator/imagebuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { type Setup, setup } from './helpers.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('rateLimit', () => {
  it('takes a slot for every SDK attempt, retries of throttling included; one limiter shared by two clients', async () => {
    const limiter = new RateLimiter({ limit: 1000 });
    s = await setup({}, { rateLimit: limiter, maxAttempts: 4 });
    const t0 = s.clock.now() - 86_400_000;
    for (let i = 0; i < 12; i++) s.emu.store.addImage({ name: `img-${i}`, version: '1.0.0', createdAt: t0 + i });
    s.emu.server.faults.inject(imageBuilderFault('CallRateLimitExceededException'), { times: 2 });
    const images = await s.client.listImages().toArray({ limit: 100 });
    expect(images).toHaveLength(12);
    expect(s.emu.server.requests.filter((r) => r.fault)).toHaveLength(2);
    expect(limiter.grantedCount).toBe(s.emu.server.requests.length);

    const { ImageBuilderClient } = await import('../src/index.js');
    const second = new ImageBuilderClient({ client: s.client.sdk, rateLimit: limiter });
    const before = limiter.grantedCount;
    await second.listImages().toArray({ limit: 100 });
    // Adding the middleware twice (same name) replaces it: one slot per request, not two.
    expect(limiter.grantedCount - before).toBe(s.emu.server.requests.length - before);
  });
});
