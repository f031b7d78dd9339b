import { abortError } from '../errors/stackfeed-error.js';
import { MinHeap } from '../util/heap.js';

export interface Timestamped {
  timestamp: Date;
}

export interface MergeOptions {
  /**
   * `exact` (for finite, each-ordered lists): a k-way merge, exactly ordered, one item per stream in memory.
   * `live` (default, for watch streams): items are held for `latenessMs` so that a slightly late item
   * from a slower provider still comes out in order; later than that, it is emitted as it arrives.
   */
  mode?: 'exact' | 'live';
  /** How long a live item waits for earlier items from other streams (default 2000 ms). */
  latenessMs?: number;
  /** Upper bound of items held back in live mode (default 10000); past it the oldest is released. */
  maxBuffered?: number;
  signal?: AbortSignal;
  /** What to do when one stream fails: `throw` (default) ends the merge; `drop` removes that stream and reports it. */
  onStreamError?: 'throw' | 'drop';
  /** Told about a stream dropped under `onStreamError: 'drop'`. */
  onDropped?: (index: number, error: unknown) => void;
}

interface Head<T> {
  item: T;
  src: number;
  seq: number;
}

const before = <T extends Timestamped>(a: Head<T>, b: Head<T>) => {
  const d = a.item.timestamp.getTime() - b.item.timestamp.getTime();
  return d !== 0 ? d < 0 : a.seq < b.seq;
};

/** One time-ordered stream from several (see MergeOptions.mode). */
export function mergeEvents<T extends Timestamped>(
  streams: ReadonlyArray<AsyncIterable<T>>,
  options: MergeOptions = {},
): AsyncIterableIterator<T> {
  return options.mode === 'exact' ? mergeExact(streams, options) : mergeLive(streams, options);
}

async function* mergeExact<T extends Timestamped>(
  streams: ReadonlyArray<AsyncIterable<T>>,
  options: MergeOptions,
): AsyncGenerator<T, undefined> {
  const its = streams.map((s) => s[Symbol.asyncIterator]());
  const heap = new MinHeap<Head<T>>(before);
  let seq = 0;
  const done = new Set<number>();
  /** Sources with a next() in flight: their return() would queue behind it, so it is not awaited. */
  const inflight = new Set<number>();
  const signal = options.signal;
  const pull = async (src: number) => {
    inflight.add(src);
    try {
      const r = await (its[src] as AsyncIterator<T>).next();
      inflight.delete(src);
      if (r.done) done.add(src);
      else heap.push({ item: r.value, src, seq: seq++ });
    } catch (err) {
      inflight.delete(src);
      done.add(src);
      if (options.onStreamError !== 'drop') throw err;
      options.onDropped?.(src, err);
    }
  };
  try {
    // A failing or aborted merge does not wait for the slowest source to answer first.
    await untilAborted(Promise.all(its.map((_, i) => pull(i))), signal);
    while (heap.size > 0) {
      if (signal?.aborted) throw abortError(signal);
      const head = heap.pop() as Head<T>;
      yield head.item;
      await untilAborted(pull(head.src), signal);
    }
  } finally {
    await Promise.allSettled(
      its.map((it, i) => {
        if (done.has(i)) return undefined;
        const r = safeReturn(it);
        return inflight.has(i) ? undefined : r;
      }),
    );
  }
  return undefined;
}

/** `p`, or a rejection with the abort reason as soon as `signal` aborts. */
function untilAborted<V>(p: Promise<V>, signal: AbortSignal | undefined): Promise<V> {
  if (!signal) return p;
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(abortError(signal));
  }
  return new Promise<V>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * The sources of a live merge: pulls each one (one next() in flight per source, paused while the
 * buffer is full), buffers what arrives in a time-ordered heap and wakes the merge loop.
 */
class LiveSources<T extends Timestamped> {
  readonly heap = new MinHeap<Head<T> & { arrived: number }>(before);
  readonly pending = new Map<number, Promise<void>>();
  readonly finished = new Set<number>();
  failure: { err: unknown } | undefined;
  /** Set when the merge has ended: no source is pulled again, late results are dropped. */
  closed = false;
  private seq = 0;
  private wake: (() => void) | undefined;
  private readonly its: Array<AsyncIterator<T>>;

  constructor(
    streams: ReadonlyArray<AsyncIterable<T>>,
    private readonly maxBuffered: number,
    private readonly options: MergeOptions,
  ) {
    this.its = streams.map((s) => s[Symbol.asyncIterator]());
  }

  get count(): number {
    return this.its.length;
  }

  get allDone(): boolean {
    return this.finished.size === this.its.length;
  }

  readonly notify = (): void => {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  };

  /** Resolves at the next notify(). */
  waitForNews(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  /** Pull every source that is open, idle, and has room in the buffer. */
  pullIdle(): void {
    for (let i = 0; i < this.its.length; i++) {
      if (!this.finished.has(i) && !this.pending.has(i) && this.heap.size < this.maxBuffered) this.pull(i);
    }
  }

  private pull(src: number): void {
    if (this.closed) return;
    let next: Promise<IteratorResult<T>>;
    try {
      next = Promise.resolve((this.its[src] as AsyncIterator<T>).next());
    } catch (err) {
      next = Promise.reject(err);
    }
    const p = next.then(
      (r) => this.arrived(src, r),
      (err: unknown) => this.failed(src, err),
    );
    this.pending.set(src, p);
  }

  private arrived(src: number, r: IteratorResult<T>): void {
    this.pending.delete(src);
    if (this.closed) return;
    if (r.done) this.finished.add(src);
    else {
      this.heap.push({ item: r.value, src, seq: this.seq++, arrived: Date.now() });
      // Back-pressure: a stream is pulled again only when the buffer has room.
      if (this.heap.size < this.maxBuffered) this.pull(src);
    }
    this.notify();
  }

  private failed(src: number, err: unknown): void {
    this.pending.delete(src);
    if (this.closed) return;
    this.finished.add(src);
    if (this.options.onStreamError === 'drop') {
      try {
        this.options.onDropped?.(src, err);
      } catch {
        // a throwing callback must not become an unhandled rejection
      }
    } else this.failure ??= { err };
    this.notify();
  }

  /**
   * Close the sources that are still open. A source with a next() in flight closes after it
   * settles (async generators queue return()), so that one is not awaited: no hang on exit.
   */
  async close(): Promise<void> {
    this.closed = true;
    const closing: Array<Promise<unknown> | undefined> = [];
    this.its.forEach((it, i) => {
      if (this.finished.has(i)) return;
      const r = safeReturn(it);
      if (!this.pending.has(i)) closing.push(r);
    });
    await Promise.allSettled(closing);
  }
}

async function* mergeLive<T extends Timestamped>(
  streams: ReadonlyArray<AsyncIterable<T>>,
  options: MergeOptions,
): AsyncGenerator<T, undefined> {
  const lateness = Math.max(0, options.latenessMs ?? 2000);
  const maxBuffered = Math.max(1, options.maxBuffered ?? 10_000);
  const sources = new LiveSources<T>(streams, maxBuffered, options);
  const { heap } = sources;
  const signal = options.signal;
  signal?.addEventListener('abort', sources.notify, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    sources.pullIdle();
    while (true) {
      if (signal?.aborted) throw abortError(signal);
      if (sources.failure) throw sources.failure.err;
      const allDone = sources.allDone;
      const now = Date.now();
      const head = heap.peek();
      if (head && (allDone || heap.size >= maxBuffered || now - head.arrived >= lateness)) {
        heap.pop();
        yield head.item;
        // Restart pulls that paused on a full buffer.
        sources.pullIdle();
        continue;
      }
      if (!head && allDone) return undefined;
      // Sleep until a stream delivers or the oldest held item is due.
      const news = sources.waitForNews();
      if (head) timer = setTimeout(sources.notify, Math.max(0, lateness - (now - head.arrived)));
      await news;
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
    }
  } finally {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', sources.notify);
    await sources.close();
  }
}

/** Close a source; a return() that throws or rejects is ignored (never an unhandled rejection). */
function safeReturn(it: AsyncIterator<unknown>): Promise<unknown> {
  try {
    const r = Promise.resolve(it.return?.());
    r.catch(() => {});
    return r;
  } catch {
    return Promise.resolve();
  }
}
