import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mergeEvents, StackfeedError } from './entry.js';

interface Item {
  id: string;
  timestamp: Date;
}

const item = (id: string, ms: number): Item => ({ id, timestamp: new Date(ms) });

async function* fromArray<T>(list: T[], onClose?: () => void): AsyncGenerator<T> {
  try {
    for (const v of list) {
      await Promise.resolve();
      yield v;
    }
  } finally {
    onClose?.();
  }
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

const isOrdered = (out: Item[]) => out.every((v, i) => i === 0 || v.timestamp >= (out[i - 1] as Item).timestamp);
const ids = (list: Item[]) => list.map((v) => v.id).sort();

describe('mergeEvents, exact mode', () => {
  it('property: the output is ordered and is a permutation of the inputs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 15 }), { maxLength: 6 }),
        async (lists) => {
          const streams = lists.map((l, s) => l.sort((a, b) => a - b).map((ms, i) => item(`${s}.${i}`, ms)));
          const out = await collect(
            mergeEvents(
              streams.map((l) => fromArray(l)),
              { mode: 'exact' },
            ),
          );
          expect(isOrdered(out)).toBe(true);
          expect(ids(out)).toEqual(ids(streams.flat()));
          // ties keep stream-internal order
          for (const l of streams) {
            const pos = l.map((v) => out.indexOf(v));
            expect(pos).toEqual([...pos].sort((a, b) => a - b));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a stream error throws by default, and the other sources are closed', async () => {
    let closed = 0;
    const bad = (async function* () {
      yield item('b0', 1);
      throw new StackfeedError({ code: 'SERVER', provider: 'huawei-rfs', message: 'boom' });
    })();
    const good = fromArray([item('g0', 0), item('g1', 5), item('g2', 9)], () => closed++);
    await expect(collect(mergeEvents([good, bad], { mode: 'exact' }))).rejects.toMatchObject({ code: 'SERVER' });
    expect(closed).toBe(1);
  });

  /**
   * A source whose next() never settles (a provider that hangs), counting return() calls. Like an
   * async generator, its return() queues behind the pending next(), so it never settles either.
   */
  function hanging(): AsyncIterator<Item> & AsyncIterable<Item> & { returned: number } {
    const it = {
      returned: 0,
      next: () => new Promise<IteratorResult<Item>>(() => {}),
      return: () => {
        it.returned++;
        return new Promise<IteratorResult<Item>>(() => {});
      },
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    return it;
  }

  it('a stream error ends the merge without waiting for a source that hangs, and still tells it to close', async () => {
    const stuck = hanging();
    const bad = (async function* () {
      await Promise.resolve();
      throw new StackfeedError({ code: 'SERVER', provider: 'huawei-rfs', message: 'boom' });
      // biome-ignore lint/correctness/noUnreachable: a generator that throws before its first item
      yield item('never', 0);
    })();
    await expect(collect(mergeEvents([stuck, bad], { mode: 'exact' }))).rejects.toMatchObject({ code: 'SERVER' });
    expect(stuck.returned).toBe(1);
  });

  it('abort ends the merge while a source hangs on its first read', async () => {
    const ac = new AbortController();
    const stuck = hanging();
    const run = collect(mergeEvents([stuck, fromArray([item('a', 1)])], { mode: 'exact', signal: ac.signal }));
    setTimeout(() => ac.abort(), 10);
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it("onStreamError: 'drop' removes the failed stream, reports it, and keeps the rest", async () => {
    const dropped: Array<[number, unknown]> = [];
    const bad = (async function* () {
      yield item('b0', 1);
      throw new Error('boom');
    })();
    const good = fromArray([item('g0', 0), item('g1', 5), item('g2', 9)]);
    const out = await collect(
      mergeEvents([good, bad], { mode: 'exact', onStreamError: 'drop', onDropped: (i, e) => dropped.push([i, e]) }),
    );
    expect(out.map((v) => v.id)).toEqual(['g0', 'b0', 'g1', 'g2']);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]?.[0]).toBe(1);
  });

  it('breaking out closes every source', async () => {
    let closed = 0;
    const streams = [0, 1, 2].map((s) =>
      fromArray(
        Array.from({ length: 10 }, (_, i) => item(`${s}.${i}`, i * 3 + s)),
        () => closed++,
      ),
    );
    for await (const v of mergeEvents(streams, { mode: 'exact' })) if (v.id === '1.2') break;
    expect(closed).toBe(3);
  });

  it('abort → ABORTED', async () => {
    const ac = new AbortController();
    const streams = [fromArray([item('a', 1), item('b', 2), item('c', 3)])];
    const out: Item[] = [];
    await expect(
      (async () => {
        for await (const v of mergeEvents(streams, { mode: 'exact', signal: ac.signal })) {
          out.push(v);
          ac.abort();
        }
      })(),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(out).toHaveLength(1);
  });
});

describe('mergeEvents, live mode', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('property: ordered when items arrive within the lateness window, and complete', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 30 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 30 }),
        async (stamps, streamKeys, jitters, k, step) => {
          vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
          const L = 100;
          // Rank by timestamp; item j arrives at j*step + jitter (jitter < L): an item is never
          // later than L behind any item with a later timestamp.
          const sorted = stamps.map((ms, i) => item(`i${i}`, ms)).sort((a, b) => +a.timestamp - +b.timestamp);
          const t0 = Date.now();
          const arrivals = sorted.map((v, j) => ({
            v,
            at: t0 + j * step + (jitters[j % jitters.length] ?? 0),
            s: (streamKeys[j % streamKeys.length] ?? 0) % k,
          }));
          let release!: () => void;
          const open = new Promise<void>((r) => {
            release = r;
          });
          const streams = Array.from({ length: k }, (_, s) =>
            (async function* () {
              const mine = arrivals.filter((a) => a.s === s).sort((a, b) => a.at - b.at);
              for (const a of mine) {
                const wait = a.at - Date.now();
                if (wait > 0) await new Promise((r) => setTimeout(r, wait));
                yield a.v;
              }
              await open; // stay open: the stream is live
            })(),
          );
          const out: Item[] = [];
          const done = (async () => {
            for await (const v of mergeEvents(streams, { latenessMs: L })) out.push(v);
          })();
          const last = Math.max(t0, ...arrivals.map((a) => a.at));
          await vi.advanceTimersByTimeAsync(last - t0 + 3 * L);
          expect(out).toHaveLength(sorted.length);
          expect(isOrdered(out)).toBe(true);
          release();
          await done;
          expect(ids(out)).toEqual(ids(sorted));
          vi.useRealTimers();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('bounded buffer: at most maxBuffered (+ one in flight per stream) items held back', async () => {
    const M = 3;
    let produced = 0;
    const mk = (s: number) =>
      (async function* () {
        for (let i = 0; i < 25; i++) {
          produced++;
          yield item(`${s}.${i}`, 1000 - i);
        }
      })();
    let consumed = 0;
    let maxHeld = 0;
    const out: Item[] = [];
    for await (const v of mergeEvents([mk(0), mk(1)], { latenessMs: 60_000, maxBuffered: M })) {
      consumed++;
      out.push(v);
      maxHeld = Math.max(maxHeld, produced - consumed);
    }
    expect(out).toHaveLength(50);
    expect(maxHeld).toBeLessThanOrEqual(M + 2);
  });

  it('a stream error throws by default', async () => {
    const bad = (async function* () {
      yield item('b0', 1);
      throw new StackfeedError({ code: 'THROTTLED', provider: 'huawei-rfs', message: 'slow down', retryable: false });
    })();
    await expect(collect(mergeEvents([fromArray([item('g0', 0)]), bad], { latenessMs: 5 }))).rejects.toMatchObject({
      code: 'THROTTLED',
    });
  });

  it("onStreamError: 'drop' keeps the other streams going", async () => {
    const dropped: number[] = [];
    const bad = (async function* () {
      yield item('b0', 1);
      throw new Error('boom');
    })();
    const out = await collect(
      mergeEvents([fromArray([item('g0', 0), item('g1', 2)]), bad], {
        latenessMs: 5,
        onStreamError: 'drop',
        onDropped: (i) => dropped.push(i),
      }),
    );
    expect(ids(out)).toEqual(['b0', 'g0', 'g1']);
    expect(dropped).toEqual([1]);
  });

  it('breaking out closes generator sources (including one waiting for its next item)', async () => {
    let closed = 0;
    let unblock!: () => void;
    const slow = (async function* () {
      try {
        yield item('s0', 5);
        await new Promise<void>((r) => {
          unblock = r;
        });
        yield item('s1', 6);
      } finally {
        closed++;
      }
    })();
    const fast = fromArray([item('f0', 1), item('f1', 2)], () => closed++);
    for await (const v of mergeEvents([fast, slow], { latenessMs: 0 })) if (v.id === 'f0') break;
    unblock?.();
    await new Promise((r) => setTimeout(r, 10));
    expect(closed).toBe(2);
  });

  it('after a break no source is pulled any more, even one whose return() does not stop a pending next()', async () => {
    let nexts = 0;
    let afterReturn = 0;
    let returned = false;
    let i = 0;
    const source: AsyncIterableIterator<Item> = {
      next: () => {
        nexts++;
        if (returned) afterReturn++;
        return new Promise((r) => setImmediate(() => r({ done: false, value: item(`x${i}`, i++) })));
      },
      return: async () => {
        returned = true;
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return source;
      },
    };
    for await (const v of mergeEvents([source], { latenessMs: 0 })) if (v.id === 'x2') break;
    await new Promise((r) => setTimeout(r, 30));
    expect(returned).toBe(true);
    expect(afterReturn).toBe(0);
    expect(nexts).toBeLessThan(10);
  });

  it('abort while waiting → ABORTED, without hanging on a source stuck in next()', async () => {
    const ac = new AbortController();
    let closed = false;
    const hang = (async function* () {
      try {
        yield item('h0', 1);
        await new Promise(() => {});
      } finally {
        closed = true;
      }
    })();
    const p = collect(mergeEvents([hang], { latenessMs: 0, signal: ac.signal }));
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    // the hanging next() never settles, so the generator cannot run its finally; but nothing hangs
    expect(closed).toBe(false);
  });

  it('no streams → ends at once', async () => {
    expect(await collect(mergeEvents([]))).toEqual([]);
    expect(await collect(mergeEvents([], { mode: 'exact' }))).toEqual([]);
  });
});
