import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type LogEntry,
  type PollContext,
  StackfeedError,
  type TerminalCheck,
  type WatchSource,
  watchEvents,
} from './entry.js';
import { SeenIds } from '../src/util/bounded-set.js';

interface Ev {
  id: string;
  timestamp: Date;
  n: number;
}

const T0 = Date.parse('2024-01-01T00:00:00Z');
/** Events 0..n-1; `perSecond` of them share each timestamp (Heat has second resolution). */
const timeline = (n: number, perSecond = 1): Ev[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `e${i}`,
    n: i,
    timestamp: new Date(T0 + Math.floor(i / perSecond) * 1000),
  }));

const FAST = { pollIntervalMs: 10, maxPollIntervalMs: 40 };

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

const err = (code: 'THROTTLED' | 'SERVER' | 'BAD_REQUEST' | 'NETWORK', extra: { retryAfterSeconds?: number } = {}) =>
  new StackfeedError({ code, provider: 'openstack-heat', message: `injected ${code}`, ...extra });

const expectOrderedOnce = (out: Ev[], all: Ev[]) => {
  expect(out.map((e) => e.id).sort()).toEqual(all.map((e) => e.id).sort());
  for (let i = 1; i < out.length; i++) {
    expect((out[i] as Ev).timestamp.getTime()).toBeGreaterThanOrEqual((out[i - 1] as Ev).timestamp.getTime());
  }
};

/** Deterministic shuffle driven by a list of random keys. */
function shuffle<T>(list: T[], keys: number[]): T[] {
  return list
    .map((v, i) => ({ v, k: keys[i % Math.max(1, keys.length)] ?? 0, i }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((x) => x.v);
}

type Mode = 'overlap' | 'full' | 'restart' | 'prune' | 'newest-first';

describe('watchEvents', () => {
  it('property: each event exactly once, in timestamp order, whatever the polls return', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 20 }),
        fc.constantFrom<Mode>('overlap', 'full', 'restart', 'prune', 'newest-first'),
        fc.array(fc.nat(), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 2, max: 50 }),
        async (total, perSecond, steps, mode, keys, drainExtra, capacity) => {
          const all = timeline(total, perSecond);
          let written = 0;
          let yieldedCount = 0;
          let pollNo = 0;
          let terminalSeen = false;
          const source: WatchSource<Ev> = {
            provider: 'openstack-heat',
            operation: 'watchStackEvents',
            poll: (ctx: PollContext) => {
              pollNo++;
              // Writes happen between polls; after the terminal check, `drainExtra` late events appear.
              if (terminalSeen) written = total;
              else {
                // Some polls bring nothing new; every third one brings at least one (progress).
                const step = Math.max(pollNo % 3 === 0 ? 1 : 0, steps[pollNo % steps.length] ?? 0);
                written = Math.min(Math.max(0, total - drainExtra), written + step);
              }
              let from = 0;
              if (mode === 'overlap')
                from = Math.min(yieldedCount, (keys[pollNo % keys.length] ?? 0) % (yieldedCount + 1));
              if (mode === 'prune') from = Math.max(0, Math.min(yieldedCount, written - 3));
              if (mode === 'restart' && ctx.lastId) from = 0; // marker ignored: everything again
              const window = all.slice(from, written);
              if (mode === 'newest-first') return window.reverse();
              return mode === 'overlap' ? shuffle(window, keys) : window;
            },
            checkTerminal: ({ newEvents }) => {
              yieldedCount += newEvents.length;
              if (written >= total - drainExtra && !terminalSeen) {
                terminalSeen = true;
                return { terminal: true, outcome: 'succeeded', status: 'CREATE_COMPLETE' };
              }
              return { terminal: false };
            },
          };
          // Full re-reads with per-second groups: the capacity must hold one poll's worth.
          const stream = watchEvents(source, { ...FAST, pollIntervalMs: 10, dedupeCapacity: capacity });
          const out = await collect(stream);
          expectOrderedOnce(out as Ev[], all);
          expect(stream.result?.outcome).toBe('succeeded');
          expect(stream.result?.eventsYielded).toBe(total);
        },
      ),
      { numRuns: Number(process.env.SF_RUNS ?? 30) },
    );
  }, 120_000);

  it('survives pruning: old events vanish from later polls and nothing is lost or repeated', async () => {
    const all = timeline(30);
    let poll = 0;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      // each poll shows only the newest 5 of what is written so far (3 new per poll)
      poll: () => {
        poll++;
        const w = Math.min(30, poll * 3);
        return all.slice(Math.max(0, w - 5), w);
      },
      checkTerminal: () => ({ terminal: poll * 3 >= 30 }),
    };
    expectOrderedOnce((await collect(watchEvents(source, FAST))) as Ev[], all);
  });

  it('bounded dedupe memory: capacity 3, 200 events re-read on every poll, newest first, same-second groups', async () => {
    const all = timeline(200, 2);
    let poll = 0;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        poll++;
        return all.slice(0, Math.min(200, poll * 2)).reverse();
      },
      checkTerminal: () => ({ terminal: poll * 2 >= 200 }),
    };
    const out = await collect(watchEvents(source, { ...FAST, dedupeCapacity: 3 }));
    expectOrderedOnce(out as Ev[], all);
  });

  it('bounded dedupe memory: a poll with more new events than the capacity, newest first, loses none', async () => {
    const all = timeline(25);
    let poll = 0;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        poll++;
        return (poll === 1 ? all.slice(0, 20) : all).slice().reverse();
      },
      checkTerminal: () => ({ terminal: poll >= 2 }),
    };
    const out = await collect(watchEvents(source, { ...FAST, dedupeCapacity: 4 }));
    expectOrderedOnce(out as Ev[], all);
  });

  describe('SeenIds', () => {
    it('remembers at most about its capacity and still reports every added id as seen', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 10 }),
          fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 5 })), { maxLength: 200 }),
          (cap, adds) => {
            const s = new SeenIds(cap);
            // Timestamps only grow (as in a watch), ids may repeat.
            let t = 0;
            const added: Array<[string, number]> = [];
            for (const [id, dt] of adds) {
              t += dt;
              const key = `i${id}`;
              const known = added.find(([k]) => k === key);
              const ms = known ? known[1] : t;
              if (!s.has(key, ms)) s.add(key, ms);
              if (!known) added.push([key, ms]);
              expect(s.size).toBeLessThanOrEqual(cap);
            }
            for (const [k, ms] of added) expect(s.has(k, ms)).toBe(true);
          },
        ),
      );
    });
  });

  it('final drain: events that appear in the poll after the terminal check are yielded', async () => {
    const all = timeline(6);
    let poll = 0;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        poll++;
        return poll === 1 ? all.slice(0, 4) : all;
      },
      checkTerminal: () => ({ terminal: true, outcome: 'failed', status: 'CREATE_FAILED', reason: 'quota' }),
    };
    const stream = watchEvents(source, FAST);
    expect(stream.result).toBeUndefined();
    const out = await collect(stream);
    expect(out.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(poll).toBe(2);
    expect(stream.result).toEqual({
      outcome: 'failed',
      status: 'CREATE_FAILED',
      reason: 'quota',
      eventsYielded: 6,
      polls: 2,
      cappedPolls: 0,
      fullRereadPolls: 0,
    });
  });

  it('a final drain that fails once is retried, and the late events still come', async () => {
    const all = timeline(5);
    let poll = 0;
    const source: WatchSource<Ev, { id: string }> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        poll++;
        if (poll === 2) throw err('SERVER');
        return poll === 1 ? all.slice(0, 3) : all;
      },
      checkTerminal: () => ({ terminal: true, final: { id: 'stack' } }),
    };
    const stream = watchEvents(source, FAST);
    expect((await collect(stream)).map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(stream.result?.outcome).toBe('succeeded');
    expect(stream.result?.drainError).toBeUndefined();
  });

  it('a final drain that keeps failing does not fail the watch: the result says so, and it is logged', async () => {
    const all = timeline(3);
    let poll = 0;
    const logs: LogEntry[] = [];
    const source: WatchSource<Ev, { id: string }> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        poll++;
        if (poll >= 2) throw err('SERVER');
        return all;
      },
      checkTerminal: () => ({ terminal: true, final: { id: 'stack' } }),
    };
    const stream = watchEvents(source, { ...FAST, maxConsecutiveErrors: 3, logger: (e) => logs.push(e) });
    expect((await collect(stream)).map((e) => e.id)).toEqual(['e0', 'e1', 'e2']);
    expect(poll).toBe(4); // the first poll, then the drain: 3 attempts (maxConsecutiveErrors)
    expect(stream.result?.outcome).toBe('succeeded');
    expect(stream.result?.final).toEqual({ id: 'stack' });
    expect(stream.result?.drainError?.code).toBe('SERVER');
    expect(logs.some((l) => l.event === 'error' && /final drain/.test(l.message ?? ''))).toBe(true);
  });

  it('a non-retryable drain failure is not retried', async () => {
    let poll = 0;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        poll++;
        if (poll >= 2) throw err('BAD_REQUEST');
        return timeline(2);
      },
      checkTerminal: () => ({ terminal: true }),
    };
    const stream = watchEvents(source, FAST);
    await collect(stream);
    expect(poll).toBe(2);
    expect(stream.result?.drainError?.code).toBe('BAD_REQUEST');
  });

  it('one AbortSignal shared by many watches adds no listener per watch (no MaxListenersExceededWarning)', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const ac = new AbortController();
      const streams = Array.from({ length: 40 }, () =>
        watchEvents<Ev>(
          {
            provider: 'openstack-heat',
            operation: 'w',
            poll: () => [],
            checkTerminal: () => ({ terminal: false }),
          },
          { ...FAST, signal: ac.signal },
        ),
      );
      const ends = streams.map((st) => collect(st).catch((e: unknown) => e));
      await new Promise((r) => setTimeout(r, 30));
      ac.abort();
      const results = await Promise.all(ends);
      expect(results.every((r) => StackfeedError.is(r, 'ABORTED'))).toBe(true);
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('THROTTLED → backs off (longer each time, at least Retry-After) and continues, then succeeds', async () => {
    const all = timeline(4);
    let poll = 0;
    const logs: LogEntry[] = [];
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        poll++;
        if (poll === 2 || poll === 3) throw err('THROTTLED');
        if (poll === 4) throw err('THROTTLED', { retryAfterSeconds: 0.05 });
        return all.slice(0, poll === 1 ? 2 : 4);
      },
      checkTerminal: () => ({ terminal: poll >= 5 }),
    };
    const out = await collect(
      watchEvents(source, { pollIntervalMs: 10, maxPollIntervalMs: 1000, logger: (e) => logs.push(e) }),
    );
    expect(out.map((e) => e.id)).toEqual(['e0', 'e1', 'e2', 'e3']);
    const delays = logs.filter((l) => l.event === 'retry').map((l) => l.delayMs as number);
    expect(delays).toHaveLength(3);
    expect(delays[1]).toBeGreaterThan(delays[0] as number);
    expect(delays[2]).toBeGreaterThanOrEqual(50);
  });

  it('a logger that throws does not end the watch', async () => {
    let poll = 0;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        poll++;
        if (poll === 1) throw err('THROTTLED');
        return timeline(2);
      },
      checkTerminal: () => ({ terminal: true }),
    };
    const stream = watchEvents(source, {
      ...FAST,
      logger: () => {
        throw new Error('log sink down');
      },
    });
    expect((await collect(stream)).map((e) => e.id)).toEqual(['e0', 'e1']);
    expect(stream.result?.outcome).toBe('succeeded');
  });

  it('retryable errors in checkTerminal are retried like poll errors', async () => {
    const all = timeline(3);
    let checks = 0;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => all,
      checkTerminal: () => {
        checks++;
        if (checks === 1) throw err('THROTTLED');
        return { terminal: true };
      },
    };
    const stream = watchEvents(source, FAST);
    expect((await collect(stream)).map((e) => e.id)).toEqual(['e0', 'e1', 'e2']);
    expect(stream.result?.outcome).toBe('succeeded');
  });

  it('a non-retryable error is thrown at once', async () => {
    let polls = 0;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        polls++;
        throw err('BAD_REQUEST');
      },
      checkTerminal: () => ({ terminal: false }),
    };
    expect((await rejection(collect(watchEvents(source, FAST)))).code).toBe('BAD_REQUEST');
    expect(polls).toBe(1);
    // a plain Error (a bug in the adapter, a parser on an odd answer) is not retried either, and
    // reaches the caller as a StackfeedError (INVALID_RESPONSE) with the original as cause
    let plain = 0;
    const s2: WatchSource<Ev> = {
      ...source,
      poll: () => {
        plain++;
        throw new TypeError('adapter bug');
      },
    };
    const wrapped = await rejection(collect(watchEvents(s2, FAST)));
    expect(wrapped.code).toBe('INVALID_RESPONSE');
    expect(wrapped.message).toContain('adapter bug');
    expect((wrapped.cause as Error).name).toBe('TypeError');
    expect(plain).toBe(1);
  });

  it('maxConsecutiveErrors: the watch fails on the Nth retryable error in a row; a success resets the count', async () => {
    let polls = 0;
    const pattern = ['err', 'err', 'ok', 'err', 'err', 'err'];
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        const p = pattern[polls++] ?? 'err';
        if (p === 'err') throw err('SERVER');
        return [];
      },
      checkTerminal: () => ({ terminal: false }),
    };
    const e = await rejection(collect(watchEvents(source, { ...FAST, maxConsecutiveErrors: 3 })));
    expect(e.code).toBe('SERVER');
    expect(polls).toBe(6);
  });

  it('since: nothing older is yielded, and the first poll is told the boundary', async () => {
    const all = timeline(10);
    const since = (all[6] as Ev).timestamp;
    const seen: Array<Date | undefined> = [];
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: (ctx) => {
        seen.push(ctx.since);
        return all;
      },
      checkTerminal: () => ({ terminal: true }),
    };
    const out = await collect(watchEvents(source, { ...FAST, since }));
    expect(out.map((e) => e.id)).toEqual(['e6', 'e7', 'e8', 'e9']);
    expect(seen[0]?.getTime()).toBe(since.getTime());
    expect(seen[1]?.getTime()).toBe((all[9] as Ev).timestamp.getTime());
  });

  it('tells each poll the newest yielded event (since, lastId) and counts polls', async () => {
    const all = timeline(4);
    const ctxs: PollContext[] = [];
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: (ctx) => {
        ctxs.push({ ...ctx });
        return all.slice(0, ctxs.length * 2);
      },
      checkTerminal: () => ({ terminal: ctxs.length >= 2 }),
    };
    await collect(watchEvents(source, FAST));
    expect(ctxs.map((c) => [c.pollNumber, c.lastId])).toEqual([
      [0, undefined],
      [1, 'e1'],
      [2, 'e3'],
    ]);
  });

  it('poll may return an async iterable', async () => {
    const all = timeline(3);
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () =>
        (async function* () {
          yield* all.slice().reverse();
        })(),
      checkTerminal: () => ({ terminal: true }),
    };
    expect((await collect(watchEvents(source, FAST))).map((e) => e.id)).toEqual(['e0', 'e1', 'e2']);
  });

  /**
   * Records every timer created while `fn` runs; returns those still pending (neither fired nor
   * cleared) when it is done. Unref'd timers do not hold the process, but are reported too.
   */
  async function pendingTimersAfter(fn: () => Promise<void>): Promise<number> {
    const realSet = globalThis.setTimeout;
    const realClear = globalThis.clearTimeout;
    const live = new Set<unknown>();
    globalThis.setTimeout = ((cb: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const t = realSet(
        (...a: unknown[]) => {
          live.delete(t);
          cb(...a);
        },
        ms,
        ...args,
      );
      live.add(t);
      return t;
    }) as typeof setTimeout;
    globalThis.clearTimeout = ((t: Parameters<typeof clearTimeout>[0]) => {
      live.delete(t);
      realClear(t);
    }) as typeof clearTimeout;
    try {
      await fn();
    } finally {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    }
    return live.size;
  }

  it('timeoutMs → TIMEOUT, and no timer is left behind', async () => {
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'watchStackEvents',
      poll: () => [],
      checkTerminal: () => ({ terminal: false }),
    };
    const stream = watchEvents(source, { ...FAST, timeoutMs: 60 });
    let e: StackfeedError | undefined;
    const left = await pendingTimersAfter(async () => {
      e = await rejection(collect(stream));
    });
    expect(e?.code).toBe('TIMEOUT');
    expect(e?.operation).toBe('watchStackEvents');
    expect(stream.result).toBeUndefined();
    expect(left).toBe(0);
  });

  it('abort while waiting between polls → ABORTED, no timer left behind', async () => {
    const ac = new AbortController();
    let polls = 0;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        polls++;
        if (polls === 1) setImmediate(() => ac.abort());
        return timeline(polls);
      },
      checkTerminal: () => ({ terminal: false }),
    };
    const stream = watchEvents(source, { pollIntervalMs: 60_000, signal: ac.signal });
    const out: Ev[] = [];
    let e: StackfeedError | undefined;
    const left = await pendingTimersAfter(async () => {
      e = await rejection(
        (async () => {
          for await (const ev of stream) out.push(ev);
        })(),
      );
    });
    // poll 1 was read; the abort cut the 60 s sleep after it
    expect(polls).toBe(1);
    expect(out.map((x) => x.id)).toEqual(['e0']);
    expect(e?.code).toBe('ABORTED');
    expect(stream.result).toBeUndefined();
    expect(left).toBe(0);
  });

  it('abort while a poll is in flight → ABORTED (the poll sees the signal)', async () => {
    const ac = new AbortController();
    let sawAbort = false;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: (ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(new StackfeedError({ code: 'ABORTED', provider: 'openstack-heat', message: 'aborted' }));
          });
          setImmediate(() => ac.abort());
        }),
      checkTerminal: () => ({ terminal: false }),
    };
    expect((await rejection(collect(watchEvents(source, { ...FAST, signal: ac.signal })))).code).toBe('ABORTED');
    expect(sawAbort).toBe(true);
  });

  it('an already-aborted signal → ABORTED without polling', async () => {
    let polls = 0;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        polls++;
        return timeline(2);
      },
      checkTerminal: () => ({ terminal: true }),
    };
    const e = await rejection(collect(watchEvents(source, { ...FAST, signal: AbortSignal.abort() })));
    expect(e.code).toBe('ABORTED');
    expect(polls).toBe(0);
  });

  it('break stops polling and clears the timeout timer', async () => {
    let polls = 0;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        polls++;
        return timeline(polls * 2);
      },
      checkTerminal: () => ({ terminal: false }),
    };
    const stream = watchEvents(source, { ...FAST, timeoutMs: 60_000 });
    const left = await pendingTimersAfter(async () => {
      for await (const ev of stream) if (ev.n === 2) break;
    });
    expect(left).toBe(0);
    const after = polls;
    await new Promise((r) => setTimeout(r, 30));
    expect(polls).toBe(after);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('return() while a next() waits between polls ends both at once (no wait for the interval)', async () => {
    let polls = 0;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        polls++;
        return timeline(1);
      },
      checkTerminal: () => ({ terminal: false }),
    };
    const stream = watchEvents(source, { pollIntervalMs: 600_000, timeoutMs: 600_000 });
    expect((await stream.next()).value?.id).toBe('e0');
    const pending = stream.next(); // now sleeping 10 minutes before the next poll
    let left = -1;
    left = await pendingTimersAfter(async () => {
      await stream.return?.();
      expect(await pending).toEqual({ done: true, value: undefined });
    });
    expect(polls).toBe(1);
    expect(left).toBe(0);
    expect(stream.result).toBeUndefined();
  }, 10_000);

  it('return() while a poll is in flight cancels it through ctx.signal', async () => {
    let sawAbort = false;
    const source: WatchSource<Ev> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: (ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(new StackfeedError({ code: 'ABORTED', provider: 'openstack-heat', message: 'aborted' }));
          });
        }),
      checkTerminal: () => ({ terminal: false }),
    };
    const stream = watchEvents(source, FAST);
    const pending = stream.next();
    await new Promise((r) => setImmediate(r));
    await stream.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(sawAbort).toBe(true);
  }, 10_000);

  it('.result carries outcome, status, reason, final, eventsYielded and polls', async () => {
    let poll = 0;
    const source: WatchSource<Ev, { name: string }> = {
      provider: 'openstack-heat',
      operation: 'w',
      poll: () => {
        poll++;
        return timeline(poll);
      },
      checkTerminal: (): TerminalCheck<{ name: string }> =>
        poll >= 3
          ? { terminal: true, outcome: 'deleted', status: 'DELETE_COMPLETE', reason: 'gone', final: { name: 'web' } }
          : { terminal: false },
    };
    const stream = watchEvents(source, FAST);
    await collect(stream);
    expect(stream.result).toEqual({
      outcome: 'deleted',
      status: 'DELETE_COMPLETE',
      reason: 'gone',
      final: { name: 'web' },
      eventsYielded: 4,
      polls: 4,
      cappedPolls: 0,
      fullRereadPolls: 0,
    });
  });
});
