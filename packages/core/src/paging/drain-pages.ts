import { throwIfAborted } from '../errors/stackfeed-error.js';

/** Why {@link drainPages} stopped. Every reason is a normal end, never an error. */
export type DrainStop = 'end' | 'stop-when' | 'max-pages' | 'repeated-cursor' | 'empty-pages';

export interface DrainOptions<C, T = unknown> {
  /** The most pages fetched in one drain (one watch poll): a server that never ends is cut here. */
  maxPages: number;
  /** Cursor of the first page (undefined: the listing's start). */
  start?: C | undefined;
  /** Compare cursors for the repeated-cursor rule (default: JSON of the cursor). */
  cursorKey?: ((cursor: C) => string) | undefined;
  signal?: AbortSignal | undefined;
  /** Stop after this many pages in a row that were empty yet had a next cursor (default 10). */
  maxEmptyPages?: number | undefined;
  /**
   * Stop after a page for which this says true, though it had a next cursor: the caller's own end
   * (a newest-first listing whose page reached an older event than the poll needs). The page's
   * items are kept.
   */
  stopWhen?: ((items: readonly T[]) => boolean) | undefined;
}

export interface DrainResult<T, C> {
  /** Every item of every page fetched, in page order. */
  items: T[];
  /** Pages fetched. */
  pages: number;
  stoppedBy: DrainStop;
  /**
   * The cursor the last fetched page was requested with (undefined for the listing's first page):
   * where a tail poll starts next time to see items appended to that page.
   */
  lastCursor: C | undefined;
  /** The next cursor the server gave that was not followed (stop-when, max-pages, repeated-cursor, empty-pages). */
  nextCursor?: C | undefined;
}

/**
 * The one paging loop inside watch polls, with one policy: follow `next` until the last page,
 * stopping (never failing) where `stopWhen` says so, on a cursor seen before in this drain, on a
 * run of empty pages, or at `maxPages`. `stoppedBy` says which (checked in that order);
 * `'max-pages'` means more pages were waiting (a capped poll).
 */
export async function drainPages<T, C>(
  fetch: (cursor: C | undefined) => Promise<{ items: T[]; next?: C | undefined }>,
  options: DrainOptions<C, T>,
): Promise<DrainResult<T, C>> {
  const maxPages = Math.max(1, Math.floor(options.maxPages));
  const maxEmpty = Math.max(1, options.maxEmptyPages ?? 10);
  const key = options.cursorKey ?? ((c: C) => JSON.stringify(c));
  const seen = new Set<string>();
  const items: T[] = [];
  let cursor = options.start;
  if (cursor !== undefined) seen.add(key(cursor));
  let pages = 0;
  let emptyRun = 0;
  while (true) {
    throwIfAborted(options.signal);
    const page = await fetch(cursor);
    pages++;
    const got = Array.isArray(page.items) ? page.items : [];
    for (const item of got) items.push(item);
    const next = page.next;
    const stop = (stoppedBy: DrainStop): DrainResult<T, C> => ({
      items,
      pages,
      stoppedBy,
      lastCursor: cursor,
      ...(stoppedBy !== 'end' ? { nextCursor: next } : {}),
    });
    if (next === undefined) return stop('end');
    if (options.stopWhen?.(got)) return stop('stop-when');
    const k = key(next);
    if (seen.has(k)) return stop('repeated-cursor');
    seen.add(k);
    emptyRun = got.length === 0 ? emptyRun + 1 : 0;
    if (emptyRun >= maxEmpty) return stop('empty-pages');
    if (pages >= maxPages) return stop('max-pages');
    cursor = next;
  }
}
