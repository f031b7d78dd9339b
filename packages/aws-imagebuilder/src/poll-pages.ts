/**
 * The paging loop inside one watch poll, with core's one policy: a repeated cursor or the page cap
 * stops paging (never an error). Shaped like core's `drainPages`, which replaces it once merged.
 */

/** Pages one watch poll may read. */
export const MAX_POLL_PAGES = 1000;

export interface DrainResult<T, C> {
  items: T[];
  pages: number;
  stoppedBy: 'end' | 'max-pages' | 'repeated-cursor';
  lastCursor: C | undefined;
}

export async function drainPages<T, C>(
  fetch: (cursor: C | undefined) => Promise<{ items: T[]; next?: C | undefined }>,
  options: { maxPages: number },
): Promise<DrainResult<T, C>> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: C | undefined;
  let pages = 0;
  while (true) {
    const page = await fetch(cursor);
    pages++;
    for (const item of page.items) items.push(item);
    if (page.next === undefined) return { items, pages, stoppedBy: 'end', lastCursor: cursor };
    const key = JSON.stringify(page.next);
    if (seen.has(key)) return { items, pages, stoppedBy: 'repeated-cursor', lastCursor: cursor };
    if (pages >= options.maxPages) return { items, pages, stoppedBy: 'max-pages', lastCursor: cursor };
    seen.add(key);
    cursor = page.next;
  }
}
