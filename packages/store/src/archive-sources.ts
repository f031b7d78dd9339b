import { type Paginator, StackfeedError } from '@stackfeed/core';
import type { Archivable } from './rows.js';

/** Writes one batch; `cursor`: the page token to resume from (undefined keeps the stored one, null clears it). */
export type WriteBatch = (items: Archivable[], cursor: string | null | undefined) => Promise<void>;

/** The archive options a source is read with. */
export interface SourceOptions {
  resume?: boolean | undefined;
  flushIntervalMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** What reading a source tells the archive's result. */
export interface SourceResult {
  batches: number;
  aborted: boolean;
}

export function isPaginator(src: unknown): src is Paginator<Archivable> {
  return typeof (src as { byPage?: unknown }).byPage === 'function';
}

/**
 * A listing into batches, page by page, from the stored continuation token (unless
 * `resume: false`); a page's last batch stores the next page's token.
 */
export async function archivePages(
  source: Paginator<Archivable>,
  options: SourceOptions,
  storedCursor: string | undefined,
  batchSize: number,
  write: WriteBatch,
  result: SourceResult,
): Promise<void> {
  const start = options.resume === false ? undefined : storedCursor;
  let pages = source.byPage(start ? { continuationToken: start } : {});
  let first = true;
  while (true) {
    if (options.signal?.aborted) {
      result.aborted = true;
      await pages.return?.(undefined);
      return;
    }
    let r: IteratorResult<{ items: Archivable[]; continuationToken?: string }>;
    try {
      r = await pages.next();
    } catch (err) {
      // A token from another client key or an older listing: read the listing from the start
      // again (the inserts are idempotent).
      if (first && start && StackfeedError.is(err, 'BAD_REQUEST')) {
        pages = source.byPage({});
        first = false;
        continue;
      }
      throw err;
    }
    first = false;
    if (r.done) {
      // The listing is read to its end: nothing to resume from.
      if (result.batches === 0) await write([], null);
      return;
    }
    const { items, continuationToken } = r.value;
    for (let i = 0; i < items.length || i === 0; i += batchSize) {
      const chunk = items.slice(i, i + batchSize);
      const last = i + batchSize >= items.length;
      // Only the page's last batch moves the cursor: an earlier one keeps the page's own start.
      await write(chunk, last ? (continuationToken ?? null) : undefined);
      if (items.length === 0) break;
    }
  }
}

/**
 * A stream into batches of `batchSize`, a partial batch written once the source has been quiet
 * for `flushIntervalMs`; what arrived before a failure or an abort is written first.
 */
export async function archiveStream(
  source: AsyncIterable<Archivable>,
  options: SourceOptions,
  batchSize: number,
  write: WriteBatch,
  result: SourceResult,
): Promise<void> {
  const flushMs = Math.max(1, options.flushIntervalMs ?? 250);
  const it = source[Symbol.asyncIterator]();
  let batch: Archivable[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    await write(items, undefined);
  };
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    void Promise.resolve(it.return?.()).catch(() => {});
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  let pending: Promise<IteratorResult<Archivable>> | undefined;
  try {
    while (!aborted) {
      pending ??= it.next();
      let r: IteratorResult<Archivable> | 'flush';
      if (batch.length > 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const quiet = new Promise<'flush'>((res) => {
          timer = setTimeout(() => res('flush'), flushMs);
        });
        try {
          r = await Promise.race([pending, quiet]);
        } finally {
          clearTimeout(timer);
        }
        if (r === 'flush') {
          await flush();
          continue;
        }
      } else {
        r = await pending;
      }
      pending = undefined;
      if (r.done) break;
      batch.push(r.value);
      if (batch.length >= batchSize) await flush();
    }
  } catch (err) {
    // What arrived before the failure is real: store it, then report the failure.
    await flush();
    if (aborted) {
      result.aborted = true;
      return;
    }
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  await flush();
  if (aborted) result.aborted = true;
}
