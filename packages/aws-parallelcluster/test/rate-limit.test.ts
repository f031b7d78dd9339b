import { RateLimiter, StackfeedError } from '@stackfeed/core';
import { cloudFormationFault } from '@stackfeed/emulator/cloudformation';
import { type ParallelClusterEmulator, imageBuildFails } from '@stackfeed/emulator/parallelcluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, directClient, emulator } from './helpers.js';

describe('rateLimit', () => {
  let emu: ParallelClusterEmulator;
  let bad: ReturnType<typeof imageBuildFails>;
  beforeAll(async () => {
    emu = await emulator({ eventsPageSize: 5 });
    bad = imageBuildFails(emu.world, { imageId: 'img-bad', buildSeconds: 60 });
    emu.world.advance(bad.endsAt - emu.world.now() + 1000);
  });
  afterAll(() => emu.close());

  const requestCount = () => Object.values(emu.servers).reduce((n, s) => n + s.requests.length, 0);
  const clearRequests = () => {
    for (const s of Object.values(emu.servers)) {
      s.requests.length = 0;
      s.faults.clear();
    }
  };

  it('direct mode: the SDK middleware takes a slot for every attempt, SDK retries included', async () => {
    clearRequests();
    emu.servers.cloudformation.faults.inject(cloudFormationFault('Throttling', 'Rate exceeded'), { times: 2 });
    const limiter = new RateLimiter({ limit: 1000 });
    const events = await directClient(emu, { rateLimit: limiter })
      .listImageStackEvents('img-bad')
      .toArray({ limit: 1000 });
    expect(events).toHaveLength(bad.eventCount);
    expect(emu.servers.cloudformation.requests.filter((r) => r.fault === 'status')).toHaveLength(2);
    expect(limiter.grantedCount).toBe(requestCount());
  });

  it('API mode: the transport takes a slot for every attempt', async () => {
    clearRequests();
    const limiter = new RateLimiter({ limit: 1000 });
    const events = await apiClient(emu, { rateLimit: limiter })
      .listImageStackEvents('img-bad')
      .toArray({ limit: 1000 });
    expect(events).toHaveLength(bad.eventCount);
    expect(requestCount()).toBeGreaterThan(1);
    expect(limiter.grantedCount).toBe(requestCount());
  });

  it('direct mode: aborting a call that waits for the limiter ends it ABORTED without a request', async () => {
    clearRequests();
    const limiter = new RateLimiter({ limit: 1, intervalMs: 60_000 });
    await limiter.acquire();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const err = await directClient(emu, { rateLimit: limiter })
      .listImageStackEvents('img-bad', { signal: ac.signal })
      .toArray({ limit: 10 })
      .catch((e: unknown) => e);
    expect(StackfeedError.is(err, 'ABORTED')).toBe(true);
    expect(requestCount()).toBe(0);
  });
});
