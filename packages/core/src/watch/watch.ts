import { StackfeedError, abortError, throwIfAborted, toStackfeedError } from '../errors/stackfeed-error.js';
import type { Deployment, RootCause } from '../models/deployment.js';
import type { ProviderId } from '../models/enums.js';
import { MAX_TIMER_MS } from '../transport/limits.js';
import type { Logger } from '../transport/types.js';
import { SeenIds } from '../util/bounded-set.js';
import { sleep } from '../util/sleep.js';
import { CurrentOperation, type OperationMark } from './current-operation.js';

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
  /**
   * When true, ignore `since` and `lastId` (and any marker of your own) and re-read the whole
   * listing. The engine sets it from the poll after one whose events broke the source's declared
   * `listingOrder`: markers and time cuts are not safe on such a server; dedupe by id is.
   */
  fullReread: boolean;
}

/** What a poll may return instead of a bare iterable: the events, and whether the page cap was hit. */
export interface PollResult<T> {
  events: Iterable<T> | AsyncIterable<T>;
  /** True when the poll stopped at its page cap with more pages waiting (counted in `cappedPolls`). */
  capped?: boolean | undefined;
}

/** What an adapter supplies to watch one deployment. The engine does the rest. */
export interface WatchSource<T extends Watchable, R = unknown> {
  provider: ProviderId;
  operation: string;
  /**
   * The order the provider's listing returns events in, as documented. When set, the engine checks
   * every poll against it and switches to full re-reads (`PollContext.fullReread`) once a poll breaks
   * it, so a server that orders differently loses nothing.
   */
  listingOrder?: 'oldest-first' | 'newest-first' | undefined;
  /** Return the events since the boundary; returning more (a full re-read) is fine: the engine dedupes. */
  poll(
    ctx: PollContext,
  ): Promise<Iterable<T> | AsyncIterable<T> | PollResult<T>> | Iterable<T> | AsyncIterable<T> | PollResult<T>;
  /** Is the deployment over? Called after each poll with that poll's new events. */
  checkTerminal(ctx: { newEvents: readonly T[]; signal: AbortSignal }): Promise<TerminalCheck<R>> | TerminalCheck<R>;
  /**
   * Needed for `operation: 'current'`: which events open, end or resume an operation of the stack
   * (see OperationMark). The engine does the rest: it skips older operations and ignores their
   * terminal status.
   */
  operationMark?(ev: T): OperationMark | undefined;
  /**
   * Describes the deployment from the events the watch yielded (from the last operation start on,
   * when `operationMark` is set), for `WatchResult.deployment` and `rootCause`. For StackEvent
   * watches: `deploymentSummary(...)`. A summary that throws is logged and left out.
   */
  summarize?(events: readonly T[]): WatchSummary;
}

/** What `WatchSource.summarize` tells about the watched deployment. */
export interface WatchSummary {
  deployment?: Deployment | undefined;
  rootCause?: RootCause | undefined;
}

export interface WatchOptions {
  signal?: AbortSignal | undefined;
  /** Between polls (default 5000 ms). */
  pollIntervalMs?: number | undefined;
  /**
   * Ceiling of every wait: the back-off after errors and a server's Retry-After included
   * (default 60000 ms; never more than 2^31-1 ms).
   */
  maxPollIntervalMs?: number | undefined;
  /** Only yield events at or after this time. */
  since?: Date | undefined;
  /** Ids remembered for dedupe (default 10000); older ones are covered by a timestamp low-water mark. */
  dedupeCapacity?: number | undefined;
  /** Give up (TIMEOUT) after this long (at most 2^31-1 ms). */
  timeoutMs?: number | undefined;
  /**
   * How long retryable failures (5xx, throttling, network, timeouts) may go on without a successful
   * poll before the watch fails with the last error (default 300000 ms = 5 min). Waits between
   * failed polls double from `pollIntervalMs` up to `maxPollIntervalMs`.
   */
  maxErrorDurationMs?: number | undefined;
  /**
   * @deprecated Use `maxErrorDurationMs`. When set, also fail on this many retryable failures in a
   * row (an extra bound; no count bound by default).
   */
  maxConsecutiveErrors?: number | undefined;
  logger?: Logger | undefined;
  /**
   * `'all'` (default): every new event, ending on the stack's terminal status. `'current'`: only the
   * operation that is running when the watch starts, or else the next one to start; events of
   * older operations are not yielded and their terminal status does not end the watch. Needs a
   * source with `operationMark` (CONFIG error otherwise).
   */
  operation?: 'all' | 'current' | undefined;
}

export interface WatchResult<R = unknown> {
  outcome: WatchOutcome;
  status?: string;
  reason?: string;
  final?: R;
  eventsYielded: number;
  polls: number;
  /** Polls that stopped at the adapter's page cap with more pages waiting (the next poll went on). */
  cappedPolls: number;
  /** Polls made with `fullReread` because the listing broke its declared order. */
  fullRereadPolls: number;
  /**
   * Set when the final drain poll (events written between the last poll and the terminal status)
   * kept failing after its retries: the deployment did end as said, but events of its last moments
   * may be missing from the stream.
   */
  drainError?: StackfeedError;
  /**
   * Set when the final drain still had pages waiting after DRAIN_MAX_POLLS capped polls: the
   * deployment ended as said, but the tail of its events beyond that bound was not read.
   */
  drainTruncated?: true;
  /** The watched deployment, from the events this watch yielded (sources with `summarize`). */
  deployment?: Deployment;
  /** Why it failed: the earliest FAILED resource event of it, nested stacks included. */
  rootCause?: RootCause;
}

/** An event stream that also tells, once it has ended, how the deployment ended. */
export interface WatchStream<T, R = unknown> extends AsyncIterableIterator<T> {
  /** Set when the stream ended because the deployment reached a terminal state. */
  readonly result: WatchResult<R> | undefined;
}

/**
 * Follow a live deployment: poll, yield each new event once in timestamp order, back off when
 * throttled, stop after the deployment is terminal and a final drain has been read (one poll, or
 * more while the adapter says its poll stopped at its page cap).
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

/** Default `maxErrorDurationMs`: five minutes of failures in a row end a watch. */
export const DEFAULT_MAX_ERROR_DURATION_MS = 300_000;
/** Attempts of each final drain poll (it may not fail the watch, so it is not retried for minutes). */
const DRAIN_ATTEMPTS = 5;
/** Polls of the final drain while each one stops at the adapter's page cap: the bound of a long tail. */
export const DRAIN_MAX_POLLS = 20;

/** The user's logger, made safe: a sink that throws must not end the watch. */
function safeLog(userLog: Logger | undefined): Logger | undefined {
  if (!userLog) return undefined;
  return (entry) => {
    try {
      userLog(entry);
    } catch {
      // ignored
    }
  };
}

function checkDuration(value: number | undefined, option: string, provider: ProviderId): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0) || value > MAX_TIMER_MS) {
    throw new StackfeedError({
      code: 'CONFIG',
      provider,
      message: `${option} must be a positive number of milliseconds no larger than ${MAX_TIMER_MS} (got ${String(value)})`,
    });
  }
  return value;
}

/**
 * One signal for everything a watch does: the user's signal, return() and the watch timeout.
 * The user's signal joins through AbortSignal.any, which adds no listener to it: one signal shared
 * by hundreds of watches would otherwise trip Node's MaxListenersExceededWarning.
 */
function linkSignals(
  source: { provider: ProviderId; operation: string },
  options: WatchOptions,
  closed: AbortSignal,
): { signal: AbortSignal; dispose: () => void } {
  const { provider, operation } = source;
  const timeoutMs = checkDuration(options.timeoutMs, 'timeoutMs', provider);
  const inner = new AbortController();
  const onClose = () => inner.abort(new StackfeedError({ code: 'ABORTED', provider, message: 'watch closed' }));
  closed.addEventListener('abort', onClose, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (timeoutMs !== undefined) {
    timer = setTimeout(() => {
      inner.abort(
        new StackfeedError({
          code: 'TIMEOUT',
          provider,
          operation,
          message: `${operation}: the deployment did not finish within ${timeoutMs} ms`,
        }),
      );
    }, timeoutMs);
    timer.unref?.();
  }
  const signal = options.signal ? AbortSignal.any([options.signal, inner.signal]) : inner.signal;
  return {
    signal,
    dispose: () => {
      if (timer) clearTimeout(timer);
      closed.removeEventListener('abort', onClose);
    },
  };
}

/**
 * The wait between polls and the error budget: every retryable failure doubles the wait (up to
 * the ceiling; a longer Retry-After is waited for up to the ceiling too), a success halves it back
 * towards the poll interval. The watch gives up when failures have lasted `maxErrorDurationMs`
 * (and, if set, after `maxConsecutiveErrors` in a row).
 */
class Backoff {
  private interval: number;
  private firstErrorAt: number | undefined;
  private errors = 0;
  readonly base: number;
  readonly ceiling: number;
  private readonly maxErrorMs: number;
  private readonly maxErrors: number | undefined;

  constructor(options: WatchOptions, provider: ProviderId) {
    this.base = Math.min(MAX_TIMER_MS, Math.max(10, options.pollIntervalMs ?? 5000));
    this.ceiling = Math.min(MAX_TIMER_MS, Math.max(this.base, options.maxPollIntervalMs ?? 60_000));
    this.maxErrorMs =
      checkDuration(options.maxErrorDurationMs, 'maxErrorDurationMs', provider) ?? DEFAULT_MAX_ERROR_DURATION_MS;
    this.maxErrors = options.maxConsecutiveErrors;
    this.interval = this.base;
  }

  /** The wait before the next regular poll. */
  get pollWait(): number {
    return this.interval;
  }

  succeeded(): void {
    this.errors = 0;
    this.firstErrorAt = undefined;
    this.interval = Math.max(this.base, Math.floor(this.interval / 2));
  }

  /** The wait before trying again after `err`, or undefined when the error budget is spent. */
  failed(err: StackfeedError): number | undefined {
    const now = Date.now();
    this.firstErrorAt ??= now;
    this.errors++;
    if (now - this.firstErrorAt >= this.maxErrorMs) return undefined;
    if (this.maxErrors !== undefined && this.errors >= this.maxErrors) return undefined;
    this.interval = Math.min(this.ceiling, this.interval * 2);
    const asked = err.retryAfterSeconds !== undefined ? err.retryAfterSeconds * 1000 : 0;
    // Clamped: a Retry-After of a day (or one that overflows a timer) waits at most the ceiling.
    const wait = Math.max(this.interval, Number.isFinite(asked) ? asked : this.ceiling);
    return Math.min(this.ceiling, wait);
  }
}

/** Events kept for `summarize`: at most this many (beyond, no summary: a partial one could name a wrong cause). */
export const SUMMARY_MAX_EVENTS = 100_000;

/** Reads one poll: fetch, check the declared order, drop what was seen, order the rest. */
class PollReader<T extends Watchable> {
  polls = 0;
  cappedPolls = 0;
  fullRereadPolls = 0;
  /** Set once a poll broke the declared listing order: every later poll is a full re-read. */
  disordered = false;
  private readonly seen: SeenIds;
  private readonly sinceMs: number | undefined;
  /** The newest event yielded: the boundary the next poll is told. */
  private newest: { ms: number; id: string } | undefined;

  constructor(
    private readonly source: WatchSource<T, unknown>,
    options: WatchOptions,
  ) {
    this.seen = new SeenIds(options.dedupeCapacity ?? 10_000);
    this.sinceMs = options.since?.getTime();
    this.newest = this.sinceMs !== undefined ? { ms: this.sinceMs, id: '' } : undefined;
    this.retained = source.summarize ? [] : undefined;
  }

  /** Events yielded so far. */
  yielded = 0;
  /** Whether the last poll stopped at its page cap with more pages waiting. */
  lastCapped = false;

  /** The yielded events `summarize` will see; undefined without it, or once past SUMMARY_MAX_EVENTS. */
  retained: T[] | undefined;
  /** Whether the last operation mark yielded opened an operation not yet ended. */
  private operationOpen = false;

  /** Called for each event as it is yielded. */
  note(ev: T): void {
    this.yielded++;
    if (this.retained) {
      // A new operation: the summary is about the last one, so what came before can go.
      const mark = this.source.operationMark?.(ev);
      if (mark === 'start' && !this.operationOpen) this.retained.length = 0;
      if (mark) this.operationOpen = mark !== 'end';
      if (this.retained.length >= SUMMARY_MAX_EVENTS) {
        this.retained = undefined;
      } else {
        this.retained.push(ev);
      }
    }
    const ms = ev.timestamp.getTime();
    if (!this.newest || ms >= this.newest.ms) this.newest = { ms, id: ev.id };
  }

  async read(signal: AbortSignal): Promise<T[]> {
    const fullReread = this.disordered;
    const ctx: PollContext = {
      signal,
      since: this.newest ? new Date(this.newest.ms) : undefined,
      lastId: this.newest?.id || undefined,
      pollNumber: this.polls,
      fullReread,
    };
    const answer = await this.source.poll(ctx);
    this.polls++;
    if (fullReread) this.fullRereadPolls++;
    const { events, capped } = asPollResult(answer);
    this.lastCapped = capped === true;
    if (capped) this.cappedPolls++;
    const order = this.source.listingOrder;
    const fresh: T[] = [];
    const inPoll = new Set<string>();
    let previous: number | undefined;
    for await (const ev of events as AsyncIterable<T>) {
      const ms = ev.timestamp.getTime();
      if (order && previous !== undefined && (order === 'oldest-first' ? ms < previous : ms > previous)) {
        this.disordered = true;
      }
      previous = ms;
      if (this.sinceMs !== undefined && ms < this.sinceMs) continue;
      if (inPoll.has(ev.id) || this.seen.has(ev.id, ms)) continue;
      inPoll.add(ev.id);
      fresh.push(ev);
    }
    // Stable sort: events in the same second keep the order the provider gave them.
    fresh.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
    // Remember them only after the whole poll was checked, oldest first: adding while checking
    // could evict (and raise the low-water mark over) events of this same poll not yet looked at.
    for (const ev of fresh) this.seen.add(ev.id, ev.timestamp.getTime());
    return fresh;
  }
}

function asPollResult<T>(answer: Iterable<T> | AsyncIterable<T> | PollResult<T>): PollResult<T> {
  const isIterable =
    answer !== null &&
    typeof answer === 'object' &&
    (Symbol.iterator in answer || Symbol.asyncIterator in (answer as object));
  if (!isIterable && answer && typeof answer === 'object' && 'events' in answer) return answer as PollResult<T>;
  return { events: answer as Iterable<T> };
}

/** What one running watch holds; shared by its parts. */
interface WatchRun<T extends Watchable, R> {
  source: WatchSource<T, R>;
  signal: AbortSignal;
  backoff: Backoff;
  reader: PollReader<T>;
  log: Logger | undefined;
  /** Set for `operation: 'current'`. */
  current: CurrentOperation<T> | undefined;
}

/** A failed poll or terminal check: rethrow when it is final, else wait so the caller can try again. */
async function waitOrThrow<T extends Watchable, R>(w: WatchRun<T, R>, failure: unknown): Promise<void> {
  const { provider, operation } = w.source;
  if (w.signal.aborted) throw abortError(w.signal, provider);
  const err = toStackfeedError(failure, { provider, operation });
  if (!err.retryable) throw err;
  const wait = w.backoff.failed(err);
  if (wait === undefined) throw err;
  w.log?.({
    level: 'warn',
    event: 'retry',
    provider,
    operation,
    delayMs: wait,
    message: `watch poll failed (${err.code}); trying again`,
  });
  await sleep(wait, w.signal);
}

async function* run<T extends Watchable, R>(
  source: WatchSource<T, R>,
  options: WatchOptions,
  setResult: (r: WatchResult<R>) => void,
  closed: AbortSignal,
): AsyncGenerator<T, undefined> {
  const { provider, operation } = source;
  // Before linkSignals: a CONFIG error must leave no timeout timer behind.
  const current = currentGate(source as WatchSource<T, unknown>, options);
  const backoff = new Backoff(options, provider);
  const { signal, dispose } = linkSignals(source, options, closed);
  const w: WatchRun<T, R> = {
    source,
    signal,
    backoff,
    reader: new PollReader<T>(source as WatchSource<T, unknown>, options),
    log: safeLog(options.logger),
    current,
  };
  try {
    const check = yield* pollUntilTerminal(w);
    const drain = yield* finalDrain(w);
    if (drain.error !== undefined) {
      w.log?.({
        level: 'warn',
        event: 'error',
        provider,
        operation,
        message: `final drain failed: ${String(drain.error)}`,
      });
    }
    if (drain.truncated) {
      w.log?.({
        level: 'warn',
        event: 'error',
        provider,
        operation,
        message: `final drain stopped after ${DRAIN_MAX_POLLS} capped polls; later events were not read`,
      });
    }
    const r = resultOf(check, w.reader, drain.error, { provider, operation });
    if (drain.truncated) r.drainTruncated = true;
    summarizeInto(r, w);
    setResult(r);
    return undefined;
  } catch (err) {
    // Closed by return(): the pending next() ends the stream instead of failing.
    if (closed.aborted) return undefined;
    if (signal.aborted && !StackfeedError.is(err)) throw abortError(signal, provider);
    throw toStackfeedError(err, { provider, operation });
  } finally {
    dispose();
  }
}

/** Poll, yield what is new, ask whether it is over; wait; again. Returns the terminal check. */
async function* pollUntilTerminal<T extends Watchable, R>(w: WatchRun<T, R>): AsyncGenerator<T, TerminalCheck<R>> {
  const { source, signal, reader, backoff, current } = w;
  /** Events whose terminal check failed: the check is asked again with the same events. */
  let unchecked: { events: T[]; held: boolean } | undefined;
  while (true) {
    throwIfAborted(signal, source.provider);
    let fresh: T[];
    /** The first poll of `operation: 'current'` showed no operation running for sure: ask the check. */
    let held = false;
    if (unchecked) {
      ({ events: fresh, held } = unchecked);
    } else {
      const wasDisordered = reader.disordered;
      try {
        fresh = await reader.read(signal);
      } catch (err) {
        await waitOrThrow(w, err);
        continue;
      }
      if (current) {
        const gate = current.admit(fresh, reader.polls === 1);
        fresh = gate.held ?? gate.events;
        held = gate.held !== undefined;
      }
      // Yielded before checkTerminal: a consumer sees events as soon as they are read.
      if (!held) yield* yieldAll(reader, fresh);
      // This poll broke the listing order: markers may have skipped events. Re-read all at once.
      if (!wasDisordered && reader.disordered && !held) {
        w.log?.({
          level: 'warn',
          event: 'error',
          provider: source.provider,
          operation: source.operation,
          message: `the listing is not in its documented order (${source.listingOrder}); re-reading it in full from now on`,
        });
        continue;
      }
    }
    // Waiting for the next operation: an older one's terminal status is not ours.
    if (current && !current.following && !held) {
      backoff.succeeded();
      await sleep(backoff.pollWait, signal);
      continue;
    }
    let check: TerminalCheck<R>;
    try {
      check = await source.checkTerminal({ newEvents: fresh, signal });
      unchecked = undefined;
    } catch (err) {
      unchecked = { events: fresh, held };
      await waitOrThrow(w, err);
      continue;
    }
    backoff.succeeded();
    if (held) {
      if (check.terminal) {
        // The stack is idle: its status is the last operation's. Wait for the next one.
        await sleep(backoff.pollWait, signal);
        continue;
      }
      // Busy, and no start seen: the running operation's start was pruned. Its events are these.
      current?.follow();
      yield* yieldAll(reader, fresh);
    }
    if (check.terminal) return check;
    await sleep(backoff.pollWait, signal);
  }
}

function* yieldAll<T extends Watchable>(reader: PollReader<T>, events: readonly T[]): Generator<T> {
  for (const ev of events) {
    reader.note(ev);
    yield ev;
  }
}

function currentGate<T extends Watchable>(source: WatchSource<T, unknown>, options: WatchOptions) {
  const mode = options.operation ?? 'all';
  if (mode === 'all') return undefined;
  const mark = source.operationMark;
  if (mode !== 'current' || !mark) {
    throw new StackfeedError({
      code: 'CONFIG',
      provider: source.provider,
      operation: source.operation,
      message:
        mode === 'current'
          ? `${source.operation} cannot follow only the current operation (operation: 'current' is not supported here)`
          : `operation must be 'all' or 'current' (got ${String(mode)})`,
    });
  }
  return new CurrentOperation<T>((ev) => mark.call(source, ev));
}

/**
 * The final drain: events written between the last poll and the terminal status. It polls again
 * while a poll stops at the adapter's page cap (at most DRAIN_MAX_POLLS polls; beyond, `truncated`).
 * Each poll is retried like any poll (at most DRAIN_ATTEMPTS times); a failure that outlasts the
 * retries does not turn a finished deployment into an error, it is handed back for the result
 * (drainError). Events are yielded outside the polls' try: an error the consumer throws in is not
 * mistaken for a drain failure.
 */
async function* finalDrain<T extends Watchable, R>(
  w: WatchRun<T, R>,
): AsyncGenerator<T, { error?: unknown; truncated: boolean }> {
  for (let poll = 1; ; poll++) {
    const got = await drainPoll(w);
    if (got.error !== undefined) return { error: got.error, truncated: false };
    yield* yieldAll(w.reader, got.events);
    if (!w.reader.lastCapped) return { truncated: false };
    if (poll >= DRAIN_MAX_POLLS) return { truncated: true };
  }
}

/** One drain poll with its retries. */
async function drainPoll<T extends Watchable, R>(w: WatchRun<T, R>): Promise<{ events: T[]; error?: unknown }> {
  const { reader, signal } = w;
  let error: unknown;
  for (let attempt = 1; attempt <= DRAIN_ATTEMPTS; attempt++) {
    try {
      return { events: await reader.read(signal) };
    } catch (err) {
      error = err;
      if (attempt === DRAIN_ATTEMPTS) break;
      try {
        await waitOrThrow(w, err);
      } catch {
        if (signal.aborted) throw abortError(signal);
        break;
      }
    }
  }
  return { events: [], error };
}

/** Adds the source's deployment summary to the result; a summary failure never fails the watch. */
function summarizeInto<T extends Watchable, R>(r: WatchResult<R>, w: WatchRun<T, R>): void {
  const { source, reader } = w;
  if (!source.summarize) return;
  const { provider, operation } = source;
  if (!reader.retained) {
    w.log?.({
      level: 'warn',
      event: 'error',
      provider,
      operation,
      message: `more than ${SUMMARY_MAX_EVENTS} events in one operation: no deployment summary`,
    });
    return;
  }
  try {
    const summary = source.summarize(reader.retained);
    if (summary.deployment) r.deployment = summary.deployment;
    const cause = summary.rootCause ?? summary.deployment?.rootCause;
    if (cause) r.rootCause = cause;
  } catch (err) {
    w.log?.({
      level: 'warn',
      event: 'error',
      provider,
      operation,
      message: `deployment summary failed: ${String(err)}`,
    });
  }
}

function resultOf<T extends Watchable, R>(
  check: TerminalCheck<R>,
  reader: PollReader<T>,
  drainError: unknown,
  ctx: { provider: ProviderId; operation: string },
): WatchResult<R> {
  const r: WatchResult<R> = {
    outcome: check.outcome ?? 'succeeded',
    eventsYielded: reader.yielded,
    polls: reader.polls,
    cappedPolls: reader.cappedPolls,
    fullRereadPolls: reader.fullRereadPolls,
  };
  if (check.status !== undefined) r.status = check.status;
  if (check.reason !== undefined) r.reason = check.reason;
  if (check.final !== undefined) r.final = check.final;
  if (drainError !== undefined) r.drainError = toStackfeedError(drainError, ctx);
  return r;
}
