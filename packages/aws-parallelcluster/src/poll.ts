import type { StackEvent } from '@stackfeed/core';
import { type FetchedPage, drainPages } from '@stackfeed/core/adapter';

/**
 * Pages one watch poll may read (across all stacks of the poll): 200 pages of 100 events. A server
 * that never ends its listing (fresh tokens, empty pages) is cut here; the poll says it was capped.
 */
export const MAX_PAGES_PER_POLL = 200;

/** What one watch poll read: the events in listing order, and whether the page cap cut it. @internal */
export interface PollRead {
  events: StackEvent[];
  capped: boolean;
  pages: number;
}

/**
 * One stack's listing (newest first, as CloudFormation lists) read down to `sinceMs`, through
 * core's one paging loop: the page that reaches an older event is the last one (the rest is older
 * still). That page is returned whole, older events included, so the watch engine can see a
 * listing that breaks its order; it drops what it has seen. `sinceMs` undefined reads it all.
 * @internal
 */
export async function pollListing<C>(
  fetchPage: (cursor: C | undefined) => Promise<FetchedPage<StackEvent, C>>,
  sinceMs: number | undefined,
  maxPages: number,
  signal: AbortSignal | undefined,
): Promise<PollRead> {
  const result = await drainPages<StackEvent, C>(fetchPage, {
    maxPages,
    signal,
    stopWhen: sinceMs === undefined ? undefined : (items) => items.some((ev) => ev.timestamp.getTime() < sinceMs),
  });
  return { events: result.items, capped: result.stoppedBy === 'max-pages', pages: result.pages };
}

/**
 * Listings of several stacks, each newest first, as one newest-first sequence that keeps each
 * listing's own relative order: sorted when every listing is, out of order when one is (so the
 * watch engine's order check still sees it).
 * @internal
 */
export function mergeNewestFirst(listings: readonly StackEvent[][]): StackEvent[] {
  if (listings.length <= 1) return listings[0] ?? [];
  const heads = listings.map(() => 0);
  const out: StackEvent[] = [];
  while (true) {
    let pick = -1;
    let pickMs = Number.NEGATIVE_INFINITY;
    for (const [i, list] of listings.entries()) {
      const ev = list[heads[i] as number];
      if (ev && ev.timestamp.getTime() > pickMs) {
        pick = i;
        pickMs = ev.timestamp.getTime();
      }
    }
    if (pick < 0) return out;
    out.push((listings[pick] as StackEvent[])[heads[pick] as number] as StackEvent);
    heads[pick] = (heads[pick] as number) + 1;
  }
}
