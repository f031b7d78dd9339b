/**
 * What the lag from event time to stored is made of (the scale proof and bench/fleet/scale.ts; a
 * measuring aid, it asserts nothing). In each worker process, with `trace` on, every request's
 * budget acquire is timed and attributed to the follow it serves (AsyncLocalStorage around each
 * `next()` of the follow's stream), and every event the watch yields is printed as one `lag` line:
 * its event time, when the first request of its target began after it (the poll that could have
 * seen it), the budget waits in between, and when the watch yielded it. The parent joins these with
 * the store's `first_seen` ({@link lagAnatomy}).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RateLimiter } from '@stackfeed/core';
import type { Archivable } from '@stackfeed/store';

interface Acquire {
  /** When the request asked for a slot, and when it got one (epoch ms). */
  asked: number;
  granted: number;
}

/** One yielded event (epoch ms). */
export interface LagLine {
  type: 'lag';
  /** The target and the event id (the store's event_id). */
  k: string;
  id: string;
  ts: number;
  /** The first request of this target that asked for a slot at or after `ts` (undefined: none before the yield). */
  asked?: number | undefined;
  /** Budget waits (granted - asked) of this target's requests asked in [asked, yielded]. */
  wait: number;
  /** This target's requests asked in [asked, yielded]. */
  requests: number;
  yielded: number;
  /** When this follow began reading (its first `next()`): earlier events waited for discovery and a claim. */
  from: number;
}

/** A follow's end: its polls (the watch's count) and the requests its target made. */
export interface PollsLine {
  type: 'polls';
  k: string;
  provider: string;
  polls: number;
  requests: number;
}

const current = new AsyncLocalStorage<string>();
const byTarget = new Map<string, Acquire[]>();
const now = () => performance.timeOrigin + performance.now();

/** The budget, timed: each acquire is recorded under the follow that runs it. */
export function tracedLimiter(limiter: RateLimiter): RateLimiter {
  const traced = Object.create(limiter) as RateLimiter;
  traced.acquire = async (signal, provider) => {
    const key = current.getStore();
    const asked = now();
    await limiter.acquire(signal, provider);
    if (key !== undefined) {
      const list = byTarget.get(key) ?? [];
      byTarget.set(key, list);
      list.push({ asked, granted: now() });
    }
  };
  return traced;
}

type Stream = AsyncIterable<Archivable> & { readonly result?: { polls: number } | undefined };

/** The follow's stream, each `next()` run as `key`'s, each yielded event printed as a {@link LagLine}. */
export function tracedStream<S extends Stream>(
  key: string,
  provider: string,
  stream: S,
  write: (line: LagLine | PollsLine) => void,
): S {
  const wrapped = {
    get result() {
      return stream.result;
    },
    [Symbol.asyncIterator]() {
      const it = stream[Symbol.asyncIterator]();
      let from: number | undefined;
      return {
        next: async () => {
          from ??= now();
          const r = await current.run(key, () => it.next());
          if (r.done) {
            const list = byTarget.get(key) ?? [];
            write({ type: 'polls', k: key, provider, polls: stream.result?.polls ?? 0, requests: list.length });
            byTarget.delete(key);
          } else {
            write(lineOf(key, r.value, byTarget.get(key) ?? [], from));
          }
          return r;
        },
        return: async () => {
          byTarget.delete(key);
          return (await it.return?.()) ?? { done: true as const, value: undefined };
        },
      };
    },
  };
  return wrapped as unknown as S;
}

function lineOf(key: string, ev: Archivable, list: readonly Acquire[], from: number): LagLine {
  const e = ev as { id: string; timestamp: Date };
  const ts = e.timestamp.getTime();
  const yielded = now();
  let wait = 0;
  let requests = 0;
  let asked: number | undefined;
  for (const a of list) {
    if (a.asked < ts || a.asked > yielded) continue;
    asked ??= a.asked;
    wait += a.granted - a.asked;
    requests++;
  }
  return { type: 'lag', k: key, id: e.id, ts, asked, wait, requests, yielded, from };
}

const pct = (sorted: readonly number[], p: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number);

/** p50/p95 of each part, over the events of `lines` the store holds (first_seen by event id). */
export function lagAnatomy(
  lines: readonly LagLine[],
  polls: readonly PollsLine[],
  stored: ReadonlyMap<string, number>,
  trueTime?: ReadonlyMap<string, number>,
) {
  const parts: Record<string, number[]> = {
    total: [],
    beforeTheFollow: [],
    followed: [],
    toFirstRequest: [],
    budgetWait: [],
    requestsAndRest: [],
    yieldToStored: [],
    fromTrueTime: [],
    followedFromTrueTime: [],
  };
  // The first yield of each event (a takeover reads again what the crashed worker had stored).
  const first = new Map<string, LagLine>();
  for (const l of lines) {
    const f = first.get(l.id);
    if (!f || l.yielded < f.yielded) first.set(l.id, l);
  }
  for (const l of first.values()) {
    const seen = stored.get(l.id);
    if (seen === undefined) continue;
    const t = trueTime?.get(l.id);
    const known = l.ts >= l.from;
    parts.total?.push(seen - l.ts);
    if (t !== undefined && Number.isFinite(t)) parts.fromTrueTime?.push(seen - t);
    if (!known) {
      parts.beforeTheFollow?.push(seen - l.ts);
      continue;
    }
    parts.followed?.push(seen - l.ts);
    if (t !== undefined && Number.isFinite(t)) parts.followedFromTrueTime?.push(seen - t);
    parts.yieldToStored?.push(seen - l.yielded);
    if (l.asked !== undefined) {
      parts.toFirstRequest?.push(l.asked - l.ts);
      parts.budgetWait?.push(l.wait);
      parts.requestsAndRest?.push(l.yielded - l.asked - l.wait);
    }
  }
  const out: Record<string, { n: number; p50: number; p95: number; mean: number }> = {};
  for (const [name, v] of Object.entries(parts)) {
    if (v.length === 0) continue;
    v.sort((a, b) => a - b);
    out[name] = {
      n: v.length,
      p50: Math.round(pct(v, 0.5)),
      p95: Math.round(pct(v, 0.95)),
      mean: Math.round(v.reduce((a, b) => a + b, 0) / v.length),
    };
  }
  const per = new Map<string, { polls: number; requests: number }>();
  for (const p of polls) {
    const t = per.get(p.provider) ?? { polls: 0, requests: 0 };
    t.polls += p.polls;
    t.requests += p.requests;
    per.set(p.provider, t);
  }
  const requestsPerPoll = Object.fromEntries(
    [...per].map(([k, v]) => [
      k,
      { polls: v.polls, requests: v.requests, perPoll: Math.round((v.requests / Math.max(1, v.polls)) * 100) / 100 },
    ]),
  );
  return { parts: out, requestsPerPoll };
}
