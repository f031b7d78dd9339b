import { afterEach, describe, expect, it, vi } from 'vitest';
import { type LogEntry, type PollContext, StackfeedError, type WatchSource, watchEvents } from './entry.js';

interface Ev {
  id: string;
  timestamp: Date;
}

const T0 = Date.parse('2026-01-01T00:00:00Z');
const ev = (i: number, atSecond = i): Ev => ({ id: `e${i}`, timestamp: new Date(T0 + atSecond * 1000) });

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<StackfeedError> {
  try {
    await p;
  } catch (e) {
    if (StackfeedError.is(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

const server500 = () =>
  new StackfeedError({ code: 'SERVER', provider: 'openstack-heat', httpStatus: 500, message: 'HTTP 500' });
const throttled = (retryAfterSeconds: number) =>
  new StackfeedError({
    code: 'THROTTLED',
    provider: 'openstack-heat',
    httpStatus: 429,
    retryAfterSeconds,
    message: '429',
  });

afterEach(() => {
  vi.useRealTimers();
});

describe('watch: outages and back-off', () => {
  it('a 60 s HTTP 500 outage (fake clock) loses no events and does not end the watch', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const start = Date.now();
    // One event every 2 s for 100 s; the server answers 500 from 20 s to 80 s; terminal after 100 s.
    const written = (now: number) => Math.min(50, Math.floor((now - start) / 2000));
    const all = Array.from({ length: 50 }, (_, i) => ev(i, i * 2));
    let failures = 0;
    const logs: LogEntry[] = [];
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'watchStackEvents',
      poll: () => {
        const t = Date.now() - start;
        if (t >= 20_000 && t < 80_000) {
          failures++;
          throw server500();
        }
        return all.slice(0, written(Date.now()));
      },
      checkTerminal: () => ({ terminal: Date.now() - start >= 100_000 }),
    };
    const done = collect(
      watchEvents(source, { pollIntervalMs: 1000, maxPollIntervalMs: 8000, logger: (e) => logs.push(e) }),
    );
    let settled = false;
    done.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let i = 0; i < 400 && !settled; i++) await vi.advanceTimersByTimeAsync(1000);
    const out = await done;
    expect(out.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(failures).toBeGreaterThan(3);
    // Back-off doubled up to the ceiling and never past it.
    const delays = logs.filter((l) => l.event === 'retry').map((l) => l.delayMs as number);
    expect(delays.slice(0, 3)).toEqual([2000, 4000, 8000]);
    expect(Math.max(...delays)).toBe(8000);
  });

  it('maxErrorDurationMs: failures lasting longer end the watch with the last error', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const start = Date.now();
    let polls = 0;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        polls++;
        throw server500();
      },
      checkTerminal: () => ({ terminal: false }),
    };
    const done = rejection(
      collect(watchEvents(source, { pollIntervalMs: 1000, maxPollIntervalMs: 4000, maxErrorDurationMs: 30_000 })),
    );
    let settled = false;
    done.then(() => (settled = true));
    for (let i = 0; i < 200 && !settled; i++) await vi.advanceTimersByTimeAsync(1000);
    const e = await done;
    expect(e.code).toBe('SERVER');
    const lasted = Date.now() - start;
    expect(lasted).toBeGreaterThanOrEqual(30_000);
    expect(lasted).toBeLessThanOrEqual(30_000 + 4000);
    // Far more than the old 5-in-a-row limit: the budget is time, not a count.
    expect(polls).toBeGreaterThan(5);
  });

  for (const seconds of [86_400, 9_999_999_999]) {
    it(`Retry-After ${seconds} waits maxPollIntervalMs, not a day and not 1 ms`, async () => {
      let polls = 0;
      const logs: LogEntry[] = [];
      const source: WatchSource<Ev> = {
        provider: 'openstack-heat',
        operation: 'w',
        poll: () => {
          polls++;
          if (polls === 1) throw throttled(seconds);
          return [ev(0)];
        },
        checkTerminal: () => ({ terminal: true }),
      };
      const out = await collect(
        watchEvents(source, { pollIntervalMs: 10, maxPollIntervalMs: 50, logger: (e) => logs.push(e) }),
      );
      expect(out.map((e) => e.id)).toEqual(['e0']);
      expect(logs.filter((l) => l.event === 'retry').map((l) => l.delayMs)).toEqual([50]);
    });
  }

  it('maxPollIntervalMs above 2^31-1 is clamped to the longest timer', async () => {
    const logs: LogEntry[] = [];
    const ac = new AbortController();
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        throw throttled(1e12);
      },
      checkTerminal: () => ({ terminal: false }),
    };
    const done = rejection(
      collect(
        watchEvents(source, {
          pollIntervalMs: 10,
          maxPollIntervalMs: 1e15,
          signal: ac.signal,
          logger: (e) => {
            logs.push(e);
            ac.abort();
          },
        }),
      ),
    );
    expect((await done).code).toBe('ABORTED');
    expect(logs[0]?.delayMs).toBe(2 ** 31 - 1);
  });

  it('timeoutMs or maxErrorDurationMs out of range is CONFIG', async () => {
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => [],
      checkTerminal: () => ({ terminal: true }),
    };
    expect((await rejection(collect(watchEvents(source, { timeoutMs: 2 ** 31 })))).code).toBe('CONFIG');
    expect((await rejection(collect(watchEvents(source, { maxErrorDurationMs: -1 })))).code).toBe('CONFIG');
  });
});

describe('watch: listing order fallback', () => {
  /**
   * A server whose listing is in a stable order that is not time order (by id), paging by marker
   * (events after the last one seen), as Heat and RFS do. New events land anywhere in the listing.
   */
  function unorderedServer(total: number, perPoll: number) {
    const events = Array.from({ length: total }, (_, i) => ev(i));
    // Stable, not time order: sorted by a scrambled key.
    const key = (e: Ev) => (Number(e.id.slice(1)) * 7919) % 101;
    let visible = 0;
    const contexts: PollContext[] = [];
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      listingOrder: 'oldest-first',
      poll: (ctx) => {
        contexts.push(ctx);
        visible = Math.min(total, visible + perPoll);
        const listing = events.slice(0, visible).sort((a, b) => key(a) - key(b));
        if (ctx.fullReread || !ctx.lastId) return listing;
        const at = listing.findIndex((e) => e.id === ctx.lastId);
        return listing.slice(at + 1);
      },
      checkTerminal: () => ({ terminal: visible >= total }),
    };
    return { source, events, contexts };
  }

  it('a listing that breaks its declared order loses nothing: full re-reads from then on, each event once', async () => {
    const s = unorderedServer(30, 4);
    const stream = watchEvents(s.source, { pollIntervalMs: 10, maxPollIntervalMs: 20 });
    const out = await collect(stream);
    expect(out.map((e) => e.id).sort()).toEqual(s.events.map((e) => e.id).sort());
    expect(new Set(out.map((e) => e.id)).size).toBe(out.length);
    expect(s.contexts[0]?.fullReread).toBe(false);
    expect(s.contexts.slice(1).every((c) => c.fullReread)).toBe(true);
    expect(stream.result?.fullRereadPolls).toBe(s.contexts.length - 1);
  });

  it('without a declared order the same server loses events (what the fallback prevents)', async () => {
    const s = unorderedServer(30, 4);
    const { listingOrder: _, ...undeclared } = s.source;
    const out = await collect(
      watchEvents(undeclared as WatchSource<Ev>, { pollIntervalMs: 10, maxPollIntervalMs: 20 }),
    );
    expect(out.length).toBeLessThan(30);
  });

  it('a newest-first listing that keeps its order is never re-read', async () => {
    let n = 0;
    const contexts: PollContext[] = [];
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      listingOrder: 'newest-first',
      poll: (ctx) => {
        contexts.push(ctx);
        n += 3;
        return Array.from({ length: n }, (_, i) => ev(n - 1 - i));
      },
      checkTerminal: () => ({ terminal: n >= 9 }),
    };
    const stream = watchEvents(source, { pollIntervalMs: 10 });
    expect((await collect(stream)).map((e) => e.id)).toEqual(Array.from({ length: 12 }, (_, i) => `e${i}`));
    expect(contexts.every((c) => !c.fullReread)).toBe(true);
    expect(stream.result?.fullRereadPolls).toBe(0);
  });
});

describe('watch: capped polls and foreign errors', () => {
  it('a poll may return { events, capped }: capped polls are counted in the result', async () => {
    let polls = 0;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        polls++;
        return { events: [ev(polls)], capped: polls < 3 };
      },
      checkTerminal: () => ({ terminal: polls >= 3 }),
    };
    const stream = watchEvents(source, { pollIntervalMs: 10 });
    expect((await collect(stream)).map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(stream.result?.cappedPolls).toBe(2);
  });

  it('a Node connection error thrown by a source is a retryable NETWORK error', async () => {
    let polls = 0;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        polls++;
        if (polls === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        return [ev(0)];
      },
      checkTerminal: () => ({ terminal: true }),
    };
    expect((await collect(watchEvents(source, { pollIntervalMs: 10 }))).map((e) => e.id)).toEqual(['e0']);
    expect(polls).toBe(3);
  });

  it('a checkTerminal that throws a plain Error ends the watch with a StackfeedError', async () => {
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => [ev(0)],
      checkTerminal: () => {
        throw new RangeError('bad status');
      },
    };
    const e = await rejection(collect(watchEvents(source, { pollIntervalMs: 10 })));
    expect(e.code).toBe('INVALID_RESPONSE');
    expect(e.provider).toBe('openstack-heat');
  });
});
