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

async function* mergeLive<T extends Timestamped>(
  streams: ReadonlyArray<AsyncIterable<T>>,
  options: MergeOptions,
): AsyncGenerator<T, undefined> {
  const lateness = Math.max(0, options.latenessMs ?? 2000);
  const maxBuffered = Math.max(1, options.maxBuffered ?? 10_000);
  const its = streams.map((s) => s[Symbol.asyncIterator]());
  const heap = new MinHeap<Head<T> & { arrived: number }>(before);
  const pending = new Map<number, Promise<void>>();
  const finished = new Set<number>();
  let failure: { err: unknown } | undefined;
  let seq = 0;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  /** Set when the merge has ended: no source is pulled again, late results are dropped. */
  let closed = false;
  const pull = (src: number) => {
    if (closed) return;
    let next: Promise<IteratorResult<T>>;
    try {
      next = Promise.resolve((its[src] as AsyncIterator<T>).next());
    } catch (err) {
      next = Promise.reject(err);
    }
    const p = next.then(
      (r) => {
        pending.delete(src);
        if (closed) return;
        if (r.done) finished.add(src);
        else {
          heap.push({ item: r.value, src, seq: seq++, arrived: Date.now() });
          // Back-pressure: a stream is pulled again only when the buffer has room.
          if (heap.size < maxBuffered) pull(src);
        }
        notify();
      },
      (err: unknown) => {
        pending.delete(src);
        if (closed) return;
        finished.add(src);
        if (options.onStreamError === 'drop') {
          try {
            options.onDropped?.(src, err);
          } catch {
            // a throwing callback must not become an unhandled rejection
          }
        } else failure ??= { err };
        notify();
      },
    );
    pending.set(src, p);
  };

  const signal = options.signal;
  const onAbort = () => notify();
  signal?.addEventListener('abort', onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    for (let i = 0; i < its.length; i++) pull(i);
    while (true) {
      if (signal?.aborted) throw abortError(signal);
      if (failure) throw failure.err;
      const allDone = finished.size === its.length;
      const now = Date.now();
      const head = heap.peek();
      if (head && (allDone || heap.size >= maxBuffered || now - head.arrived >= lateness)) {
        heap.pop();
        yield head.item;
        // Restart pulls that paused on a full buffer.
        for (let i = 0; i < its.length; i++) {
          if (!finished.has(i) && !pending.has(i) && heap.size < maxBuffered) pull(i);
        }
        continue;
      }
      if (!head && allDone) return undefined;
      // Sleep until a stream delivers or the oldest held item is due.
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (head) {
          timer = setTimeout(notify, Math.max(0, lateness - (now - head.arrived)));
        }
      });
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
    }
  } finally {
    closed = true;
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    // Close the sources that are still open. A source with a next() in flight closes after it
    // settles (async generators queue return()), so that one is not awaited: no hang on exit.
    const closing: Array<Promise<unknown> | undefined> = [];
    its.forEach((it, i) => {
      if (finished.has(i)) return;
      const r = safeReturn(it);
      if (!pending.has(i)) closing.push(r);
    });
    await Promise.allSettled(closing);
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
