import { type EmulatorServer, startEmulator } from '@stackfeed/emulator';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpTransport, RateLimiter, StackfeedError, toRateLimiter } from './entry.js';

/** The largest number of grants inside any half-open window [t, t + interval). */
function maxInWindow(times: number[], interval: number): number {
  const s = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < s.length; hi++) {
    while ((s[hi] as number) - (s[lo] as number) >= interval) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe('RateLimiter (fake clock)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never grants more than `limit` in any window, serves everyone, first come first served', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 10, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 40 }),
        async (limit, intervalMs, gaps) => {
          vi.useFakeTimers({ now: 0 });
          try {
            const limiter = new RateLimiter({ limit, intervalMs, now: () => Date.now() });
            const grantedAt: number[] = [];
            const order: number[] = [];
            const all: Promise<void>[] = [];
            for (let i = 0; i < gaps.length; i++) {
              await vi.advanceTimersByTimeAsync(gaps[i] as number);
              all.push(
                limiter.acquire().then(() => {
                  grantedAt.push(Date.now());
                  order.push(i);
                }),
              );
            }
            await vi.runAllTimersAsync();
            await Promise.all(all);
            expect(grantedAt).toHaveLength(gaps.length);
            expect(maxInWindow(grantedAt, intervalMs)).toBeLessThanOrEqual(limit);
            expect(order).toEqual(gaps.map((_, i) => i));
            expect(limiter.grantedCount).toBe(gaps.length);
            expect(limiter.pending).toBe(0);
          } finally {
            vi.useRealTimers();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('grants immediately while under the limit, then makes the next caller wait for the window', async () => {
    vi.useFakeTimers({ now: 0 });
    const limiter = new RateLimiter({ limit: 2, intervalMs: 1000, now: () => Date.now() });
    await limiter.acquire();
    await limiter.acquire();
    let third = false;
    const p = limiter.acquire().then(() => {
      third = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(third).toBe(false);
    expect(limiter.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(2);
    await p;
    expect(third).toBe(true);
  });

  it('an aborted waiter leaves with ABORTED, consumes no slot, and the next waiter is served', async () => {
    vi.useFakeTimers({ now: 0 });
    const limiter = new RateLimiter({ limit: 1, intervalMs: 1000, now: () => Date.now() });
    await limiter.acquire();
    const ac = new AbortController();
    const first = limiter.acquire(ac.signal, 'openstack-heat');
    const second = limiter.acquire();
    ac.abort();
    const err = await first.catch((e: unknown) => e);
    expect(StackfeedError.is(err, 'ABORTED')).toBe(true);
    expect((err as StackfeedError).provider).toBe('openstack-heat');
    await vi.advanceTimersByTimeAsync(1001);
    await second;
    expect(limiter.grantedCount).toBe(2);
    expect(limiter.pending).toBe(0);
  });

  it('rejects at once with an already-aborted signal, keeping a StackfeedError reason as is', async () => {
    const limiter = new RateLimiter({ limit: 1 });
    const reason = new StackfeedError({ code: 'TIMEOUT', message: 'watch timeout' });
    await expect(limiter.acquire(AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(limiter.grantedCount).toBe(0);
  });

  it('rejects bad options with CONFIG', () => {
    for (const bad of [
      { limit: 0 },
      { limit: 1.5 },
      { limit: 2, intervalMs: 0 },
      { limit: 2, intervalMs: Number.NaN },
    ]) {
      expect(() => new RateLimiter(bad)).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    }
  });

  it('toRateLimiter shares an instance and builds one from options', () => {
    const l = new RateLimiter({ limit: 3 });
    expect(toRateLimiter(l)).toBe(l);
    expect(toRateLimiter({ limit: 4, intervalMs: 50 })?.limit).toBe(4);
    expect(toRateLimiter(undefined)).toBeUndefined();
  });
});

describe('HttpTransport rateLimit', () => {
  let server: EmulatorServer;
  beforeAll(async () => {
    server = await startEmulator({ handler: () => ({ status: 200, body: { ok: true } }) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('takes a slot for every attempt, retries included', async () => {
    server.requests.length = 0;
    server.faults.inject({ kind: 'status', status: 503 }, { times: 2 });
    const limiter = new RateLimiter({ limit: 100, intervalMs: 1000 });
    const t = new HttpTransport({ provider: 'openstack-heat', rateLimit: limiter, retry: { baseDelayMs: 1 } });
    await t.request({ url: `${server.url}/x`, operation: 'op' });
    expect(server.requests).toHaveLength(3);
    expect(limiter.grantedCount).toBe(3);
  });

  it('one limiter shared by two transports counts the requests of both', async () => {
    server.requests.length = 0;
    server.faults.clear();
    const limiter = new RateLimiter({ limit: 5, intervalMs: 100 });
    const a = new HttpTransport({ provider: 'openstack-heat', rateLimit: limiter });
    const b = new HttpTransport({ provider: 'huawei-rfs', rateLimit: limiter });
    const starts: number[] = [];
    const calls = Array.from({ length: 16 }, (_, i) =>
      (i % 2 ? a : b).request({ url: `${server.url}/y`, operation: 'op' }).then(() => starts.push(i)),
    );
    await Promise.all(calls);
    expect(starts).toHaveLength(16);
    expect(limiter.grantedCount).toBe(16);
    expect(server.requests).toHaveLength(16);
  });

  it('aborting a call that waits for the limiter ends it with ABORTED and sends nothing', async () => {
    server.requests.length = 0;
    const limiter = new RateLimiter({ limit: 1, intervalMs: 60_000 });
    const t = new HttpTransport({ provider: 'openstack-heat', rateLimit: limiter });
    await t.request({ url: `${server.url}/z`, operation: 'op' });
    const ac = new AbortController();
    const waiting = t.request({ url: `${server.url}/z`, operation: 'op', signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    const err = await waiting.catch((e: unknown) => e);
    expect(StackfeedError.is(err, 'ABORTED')).toBe(true);
    expect(server.requests).toHaveLength(1);
    expect(limiter.pending).toBe(0);
  });

  it('rateLimit options build a limiter per transport', () => {
    const t = new HttpTransport({ provider: 'openstack-heat', rateLimit: { limit: 7 } });
    expect(t.rateLimiter?.limit).toBe(7);
    expect(new HttpTransport({ provider: 'openstack-heat' }).rateLimiter).toBeUndefined();
  });
});
