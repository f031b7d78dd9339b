import { StackfeedError, abortError, throwIfAborted } from '../errors/stackfeed-error.js';
import type { ProviderId } from '../models/enums.js';
import type { Logger } from '../transport/types.js';
import { SeenIds } from '../util/bounded-set.js';
import { sleep } from '../util/sleep.js';

/** Anything a watch can yield: it needs an id to dedupe and a timestamp to order. */
export interface Watchable {
  id: string;
  timestamp: Date;
}

/** How a watched deployment ended. */
export type WatchOutcome = 'succeeded' | 'failed' | 'cancelled' | 'deleted';

export interface TerminalCheck<R = unknown> {
  terminal: boolean;
  outcome?: WatchOutcome;
  /** The provider's literal final status. */
  status?: string;
  reason?: string;
  /** Whatever the adapter wants to hand back at the end (e.g. the final ImageInfo). */
  final?: R;
}

export interface PollContext {
  signal: AbortSignal;
  /** The newest timestamp yielded so far (or `since`): a server-side boundary, if the provider has one. */
  since: Date | undefined;
  /** The id of the newest event yielded so far: a marker, if the provider pages by event id. */
  lastId: string | undefined;
  /** 0 for the first poll. */
  pollNumber: number;
}

/** What an adapter supplies to watch one deployment. The engine does the rest. */
export interface WatchSource<T extends Watchable, R = unknown> {
  provider: ProviderId;
  operation: string;
  /** Return the events since the boundary; returning more (a full re-read) is fine: the engine dedupes. */
  poll(ctx: PollContext): Promise<Iterable<T>> | Iterable<T> | AsyncIterable<T>;
  /** Is the deployment over? Called after each poll with that poll's new events. */
  checkTerminal(ctx: { newEvents: readonly T[]; signal: AbortSignal }): Promise<TerminalCheck<R>> | TerminalCheck<R>;
}

export interface WatchOptions {
  signal?: AbortSignal | undefined;
  /** Between polls (default 5000 ms). */
  pollIntervalMs?: number | undefined;
  /** Ceiling for the interval when the provider throttles (default 60000 ms). */
  maxPollIntervalMs?: number | undefined;
  /** Only yield events at or after this time. */
  since?: Date | undefined;
  /** Ids remembered for dedupe (default 10000); older ones are covered by a timestamp low-water mark. */
  dedupeCapacity?: number | undefined;
  /** Give up (TIMEOUT) after this long. */
  timeoutMs?: number | undefined;
  /** Retryable failures in a row before the watch fails (default 5). */
  maxConsecutiveErrors?: number | undefined;
  logger?: Logger | undefined;
}

export interface WatchResult<R = unknown> {
  outcome: WatchOutcome;
  status?: string;
  reason?: string;
  final?: R;
  eventsYielded: number;
  polls: number;
  /**
   * Set when the final drain poll (events written between the last poll and the terminal status)
   * kept failing after its retries: the deployment did end as said, but events of its last moments
   * may be missing from the stream.
   */
  drainError?: StackfeedError;
}

/** An event stream that also tells, once it has ended, how the deployment ended. */
export interface WatchStream<T, R = unknown> extends AsyncIterableIterator<T> {
  /** Set when the stream ended because the deployment reached a terminal state. */
  readonly result: WatchResult<R> | undefined;
}

/**
 * Follow a live deployment: poll, yield each new event once in timestamp order, back off when
 * throttled, stop after the deployment is terminal and one final drain poll has been read.
 * Adapters describe *what* to poll (WatchSource); this is the one place that decides *how*.
 */
export function watchEvents<T extends Watchable, R = unknown>(
  source: WatchSource<T, R>,
  options: WatchOptions = {},
): WatchStream<T, R> {
  let result: WatchResult<R> | undefined;
  // return() must not wait for a pending next() to finish its poll or its sleep: it aborts them.
  const closer = new AbortController();
  const gen = run(
    source,
    options,
    (r) => {
      result = r;
    },
    closer.signal,
  );
  const stream: WatchStream<T, R> = {
    get result() {
      return result;
    },
    next: () => gen.next(),
    return: async () => {
      closer.abort();
      await gen.return(undefined);
      return { done: true, value: undefined };
    },
    throw: (e?: unknown) => gen.throw(e),
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}

async function* run<T extends Watchable, R>(
  source: WatchSource<T, R>,
  options: WatchOptions,
  setResult: (r: WatchResult<R>) => void,
  closed: AbortSignal,
): AsyncGenerator<T, undefined> {
  const { provider, operation } = source;
  const base = Math.max(10, options.pollIntervalMs ?? 5000);
  const ceiling = Math.max(base, options.maxPollIntervalMs ?? 60_000);
  const maxErrors = options.maxConsecutiveErrors ?? 5;
  const seen = new SeenIds(options.dedupeCapacity ?? 10_000);
  const sinceMs = options.since?.getTime();
  const userLog = options.logger;
  // A log sink that throws must not end the watch.
  const log: Logger | undefined = userLog
    ? (entry) => {
        try {
          userLog(entry);
        } catch {
          // ignored
        }
      }
    : undefined;

  // One internal controller for a timeout and return(); the user's signal joins through
  // AbortSignal.any, which adds no listener to it: one signal shared by hundreds of watches
  // would otherwise trip Node's MaxListenersExceededWarning.
  const inner = new AbortController();
  const userSignal = options.signal;
  const onClose = () => inner.abort(new StackfeedError({ code: 'ABORTED', provider, message: 'watch closed' }));
  closed.addEventListener('abort', onClose, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (options.timeoutMs !== undefined) {
    timer = setTimeout(() => {
      inner.abort(
        new StackfeedError({
          code: 'TIMEOUT',
          provider,
          operation,
          message: `${operation}: the deployment did not finish within ${options.timeoutMs} ms`,
        }),
      );
    }, options.timeoutMs);
    timer.unref?.();
  }
  const signal = userSignal ? AbortSignal.any([userSignal, inner.signal]) : inner.signal;

  let interval = base;
  let errors = 0;
  let polls = 0;
  let yielded = 0;
  let newest: { ms: number; id: string } | undefined = sinceMs !== undefined ? { ms: sinceMs, id: '' } : undefined;

  /** One poll: fetch, drop what was seen, order the rest. */
  const pollOnce = async (): Promise<T[]> => {
    const ctx: PollContext = {
      signal,
      since: newest ? new Date(newest.ms) : undefined,
      lastId: newest?.id || undefined,
      pollNumber: polls,
    };
    const got = await source.poll(ctx);
    polls++;
    const fresh: T[] = [];
    const inPoll = new Set<string>();
    for await (const ev of got as AsyncIterable<T>) {
      const ms = ev.timestamp.getTime();
      if (sinceMs !== undefined && ms < sinceMs) continue;
      if (inPoll.has(ev.id) || seen.has(ev.id, ms)) continue;
      inPoll.add(ev.id);
      fresh.push(ev);
    }
    // Stable sort: events in the same second keep the order the provider gave them.
    fresh.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
    // Remember them only after the whole poll was checked, oldest first: adding while checking
    // could evict (and raise the low-water mark over) events of this same poll not yet looked at.
    for (const ev of fresh) seen.add(ev.id, ev.timestamp.getTime());
    return fresh;
  };

  const note = (ev: T) => {
    const ms = ev.timestamp.getTime();
    if (!newest || ms >= newest.ms) newest = { ms, id: ev.id };
  };

  /** A failed poll or terminal check: give up (rethrow) or wait and let the loop try again. */
  const onError = async (err: unknown): Promise<void> => {
    if (signal.aborted) throw abortError(signal, provider);
    if (!StackfeedError.is(err) || !err.retryable) throw err;
    errors++;
    if (errors >= maxErrors) throw err;
    if (err.code === 'THROTTLED') {
      interval = Math.min(ceiling, interval * 2);
      if (err.retryAfterSeconds !== undefined) interval = Math.max(interval, err.retryAfterSeconds * 1000);
    }
    log?.({
      level: 'warn',
      event: 'retry',
      provider,
      operation,
      delayMs: interval,
      message: `watch poll failed (${err.code}); trying again`,
    });
    await sleep(interval, signal);
  };

  try {
    /** Events whose terminal check failed: the check is asked again with the same events. */
    let unchecked: T[] | undefined;
    while (true) {
      throwIfAborted(signal, provider);
      let fresh: T[];
      if (unchecked) {
        fresh = unchecked;
      } else {
        try {
          fresh = await pollOnce();
        } catch (err) {
          await onError(err);
          continue;
        }
        // Yielded before checkTerminal: a consumer sees events as soon as they are read.
        for (const ev of fresh) {
          note(ev);
          yielded++;
          yield ev;
        }
      }
      let check: TerminalCheck<R>;
      try {
        check = await source.checkTerminal({ newEvents: fresh, signal });
        unchecked = undefined;
      } catch (err) {
        unchecked = fresh;
        await onError(err);
        continue;
      }
      errors = 0;
      interval = Math.max(base, Math.floor(interval / 2));
      if (check.terminal) {
        // Final drain: events written between the last poll and the terminal status. Retried like
        // any poll; a failure that outlasts the retries does not turn a finished deployment into an
        // error, but the result says that the last events may be missing (drainError).
        let drained: T[] = [];
        let drainError: unknown;
        while (true) {
          try {
            drained = await pollOnce();
            drainError = undefined;
            break;
          } catch (err) {
            drainError = err;
            try {
              await onError(err);
            } catch {
              if (signal.aborted) throw abortError(signal, provider);
              break;
            }
          }
        }
        if (drainError !== undefined) {
          log?.({
            level: 'warn',
            event: 'error',
            provider,
            operation,
            message: `final drain failed: ${String(drainError)}`,
          });
        }
        // Yielded outside the try: an error the consumer throws in is not mistaken for a drain failure.
        for (const ev of drained) {
          note(ev);
          yielded++;
          yield ev;
        }
        const r: WatchResult<R> = { outcome: check.outcome ?? 'succeeded', eventsYielded: yielded, polls };
        if (check.status !== undefined) r.status = check.status;
        if (check.reason !== undefined) r.reason = check.reason;
        if (check.final !== undefined) r.final = check.final;
        if (drainError !== undefined) {
          r.drainError = StackfeedError.is(drainError)
            ? drainError
            : new StackfeedError({
                code: 'INVALID_RESPONSE',
                provider,
                operation,
                message: `${operation}: the final drain poll failed`,
                cause: drainError,
              });
        }
        setResult(r);
        return undefined;
      }
      await sleep(interval, signal);
    }
  } catch (err) {
    // Closed by return(): the pending next() ends the stream instead of failing.
    if (closed.aborted) return undefined;
    if (signal.aborted && !StackfeedError.is(err)) throw abortError(signal, provider);
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
    closed.removeEventListener('abort', onClose);
  }
}
