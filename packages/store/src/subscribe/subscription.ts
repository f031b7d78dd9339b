import { type Phase, type ProviderId, type StackEvent, StackfeedError } from '@stackfeed/core';
import type { StoreContext } from '../context.js';
import { compareText, type StoredEvent } from '../rows.js';
import { Backlog } from './backlog.js';
import { listenForCommits } from './listen.js';
import { eventMatcher } from './match.js';

/** Filter of `store.subscribe`. */
export interface SubscribeFilter {
  provider?: ProviderId | undefined;
  stack?: string | undefined;
  phase?: Phase | readonly Phase[] | undefined;
  signal?: AbortSignal | undefined;
  /** Unread events held before the subscription fails (default 10 000). */
  maxBuffered?: number | undefined;
}

/** Newly stored events, as they are committed. */
export interface Subscription<T = StackEvent> extends AsyncIterableIterator<T> {
  /** Resolves once the subscription receives every later commit. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** How `openSubscription` delivers, and where the store keeps what `store.close()` ends. */
export interface SubscriptionOptions<T> {
  map: (s: StoredEvent) => T;
  /** Deliver each commit's rows in sequence order (a feed's ids are resume points). */
  bySeq: boolean;
  /** The store's open subscriptions: this one's close is in it while it is open. */
  closers: Set<() => Promise<void>>;
}

/** The subscription behind `subscribe` and `feed`: committed rows matching `filter`, with their sequence numbers. */
export function openSubscription<T>(
  ctx: StoreContext,
  filter: SubscribeFilter & { text?: string | undefined },
  { map, bySeq, closers }: SubscriptionOptions<T>,
): Subscription<T> {
  const match = eventMatcher(filter);
  const maxBuffered = filter.maxBuffered ?? 10_000;
  const backlog = new Backlog<T>(maxBuffered);
  const end = async () => {
    if (!backlog.close()) return;
    closers.delete(end);
    filter.signal?.removeEventListener('abort', onAbort);
    await listener.stop();
  };
  const fail = (err: unknown) => {
    backlog.fail(err);
    void end();
  };
  const push = (batch: readonly StoredEvent[]) => {
    if (backlog.closed) return;
    // A feed's ids are resume points: within one commit they come in sequence order.
    const rows = bySeq ? [...batch].sort((a, b) => compareSeq(a.seq, b.seq)) : batch;
    for (const row of rows) {
      if (!match(row.event)) continue;
      if (!backlog.offer(map(row))) {
        fail(overflowError(maxBuffered));
        return;
      }
    }
  };
  const onAbort = () => void end();
  filter.signal?.addEventListener('abort', onAbort, { once: true });
  const listener = listenForCommits(ctx, push, fail);
  // In the store's set before an already-aborted signal ends it: `end` takes it out again.
  closers.add(end);
  if (filter.signal?.aborted) void end();

  const sub: Subscription<T> = {
    ready: listener.ready,
    next: () => backlog.next(),
    return: async () => {
      await end();
      return { done: true, value: undefined };
    },
    close: () => end(),
    [Symbol.asyncIterator]() {
      return sub;
    },
  };
  return sub;
}

function overflowError(maxBuffered: number): StackfeedError {
  return new StackfeedError({
    code: 'THROTTLED',
    provider: 'core',
    operation: 'store.subscribe',
    message: `store.subscribe: more than ${maxBuffered} events unread; read faster, or catch up with store.events({ since })`,
  });
}

/** Sequence numbers (decimal strings of 64-bit integers) in numeric order. */
function compareSeq(a: string, b: string): number {
  return a.length - b.length || compareText(a, b);
}
