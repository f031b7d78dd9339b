import { describe, expect, it } from 'vitest';
import { type LogEntry, StackfeedError, type WatchSource, watchEvents } from './entry.js';
import { DRAIN_MAX_POLLS } from '../src/watch/watch.js';

interface Ev {
  id: string;
  timestamp: Date;
}

const T0 = Date.parse('2024-05-01T10:00:00Z');
const timeline = (n: number): Ev[] =>
  Array.from({ length: n }, (_, i) => ({ id: `e${i}`, timestamp: new Date(T0 + i * 1000) }));
const FAST = { pollIntervalMs: 10, maxPollIntervalMs: 20 };

/**
 * A source whose poll reads at most `cap` events after the last one yielded (like an adapter's
 * page cap per poll) and says so; the deployment is already terminal at the first check, with
 * `written` events on the server by then (the first poll saw `firstPoll` of them).
 */
function cappedSource(written: number, cap: number, firstPoll: number, fail?: (poll: number) => boolean) {
  const all = timeline(written);
  let polls = 0;
  const source: WatchSource<Ev> = {
    provider: 'openstack-heat',
    operation: 'w',
    poll: (ctx) => {
      polls++;
      if (fail?.(polls)) throw new StackfeedError({ code: 'SERVER', provider: 'openstack-heat', message: 'injected' });
      const visible = polls === 1 ? all.slice(0, firstPoll) : all;
      const from = ctx.lastId === undefined ? 0 : visible.findIndex((e) => e.id === ctx.lastId) + 1;
      const events = visible.slice(from, from + cap);
      return { events, capped: from + cap < visible.length };
    },
    checkTerminal: () => ({ terminal: true, status: 'CREATE_COMPLETE' }),
  };
  return { source, all, polls: () => polls };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

describe('watchEvents final drain', () => {
  it('keeps polling while the drain poll stops at its page cap: a long tail is not lost', async () => {
    // 5 events seen before the terminal check, 95 written after it, 10 per poll: 10 drain polls.
    const fake = cappedSource(100, 10, 5);
    const stream = watchEvents(fake.source, FAST);
    expect((await collect(stream)).map((e) => e.id)).toEqual(fake.all.map((e) => e.id));
    expect(fake.polls()).toBe(11);
    expect(stream.result?.drainTruncated).toBeUndefined();
    expect(stream.result?.cappedPolls).toBe(9); // the last drain poll reached the end
    expect(stream.result?.eventsYielded).toBe(100);
  });

  it('an uncapped drain poll is the only one (no extra poll)', async () => {
    const fake = cappedSource(8, 10, 5);
    const stream = watchEvents(fake.source, FAST);
    expect(await collect(stream)).toHaveLength(8);
    expect(fake.polls()).toBe(2);
    expect(stream.result?.drainTruncated).toBeUndefined();
  });

  it('a tail longer than the bound: the drain stops after DRAIN_MAX_POLLS, the result says so, and it is logged', async () => {
    const cap = 3;
    const fake = cappedSource(cap + cap * DRAIN_MAX_POLLS + 7, cap, cap);
    const logs: LogEntry[] = [];
    const stream = watchEvents(fake.source, { ...FAST, logger: (e) => logs.push(e) });
    const out = await collect(stream);
    expect(out.map((e) => e.id)).toEqual(fake.all.slice(0, cap + cap * DRAIN_MAX_POLLS).map((e) => e.id));
    expect(fake.polls()).toBe(1 + DRAIN_MAX_POLLS);
    expect(stream.result?.outcome).toBe('succeeded');
    expect(stream.result?.drainTruncated).toBe(true);
    expect(logs.some((l) => l.level === 'warn' && /final drain stopped after/.test(l.message ?? ''))).toBe(true);
  });

  it('a drain poll that keeps failing after some pages: earlier pages are yielded, drainError is set, not truncated', async () => {
    const fake = cappedSource(40, 10, 5, (poll) => poll >= 4);
    const stream = watchEvents(fake.source, { ...FAST, maxConsecutiveErrors: 2 });
    const out = await collect(stream);
    expect(out).toHaveLength(25); // first poll 5, then two drain pages of 10
    expect(stream.result?.drainError?.code).toBe('SERVER');
    expect(stream.result?.drainTruncated).toBeUndefined();
  });

  it('an error the consumer throws in during the drain is not mistaken for a drain failure', async () => {
    const fake = cappedSource(30, 10, 5);
    const stream = watchEvents(fake.source, FAST);
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const e of stream) {
        seen.push(e.id);
        if (e.id === 'e12') throw new Error('consumer');
      }
    })().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(failure?.message).toBe('consumer');
    expect(seen.at(-1)).toBe('e12');
    expect(stream.result).toBeUndefined();
  });
});
