/**
 * Event lists in time order. Image Builder promises no order for lifecycle resources and lists
 * steps workflow by workflow, so a list in time order (oldest first by default, the contract of
 * every provider; or newest first) reads the whole listing, sorts it by time (stable: same-time
 * events keep the service's order), and hands it out in pages of the size asked. A continuation
 * token holds the offset into that order: resuming reads the listing again.
 */
import {
  type EventFilterOptions,
  type EventOrder,
  type ListOptions,
  type Paginator,
  type StackEvent,
  StackfeedError,
} from '@stackfeed/core';
import { applyEventFilters, createPaginator, drainPages } from '@stackfeed/core/adapter';
import { type ImageBuilderApi, PAGE_SIZE, PROVIDER } from './api.js';

/** Pages one ordered list reads from the service (25 items a page). */
export const MAX_LIST_PAGES = 10_000;

/** Options of every Image Builder event list. */
export interface EventListOptions extends ListOptions, EventFilterOptions {
  /**
   * `oldest-first` (default) or `newest-first`. Either way the whole listing is read first (the
   * service promises no time order), so `maxItems` / `toArray({ limit })` give the first N events of
   * the chosen order, the same N as on every other provider.
   */
  order?: EventOrder;
}

/**
 * Every item of a listing (`fetch` one page per cursor) through core's drainPages: a repeated
 * token or a run of empty pages ends it; a listing longer than {@link MAX_LIST_PAGES} pages is
 * INVALID_RESPONSE (a list is never silently cut short).
 */
export async function readListing<T>(
  fetch: (cursor: string | undefined) => Promise<{ items: T[]; next?: string | undefined }>,
  operation: string,
  signal: AbortSignal | undefined,
): Promise<T[]> {
  const drained = await drainPages<T, string>(fetch, { maxPages: MAX_LIST_PAGES, signal });
  if (drained.stoppedBy === 'max-pages')
    throw new StackfeedError({
      code: 'INVALID_RESPONSE',
      provider: PROVIDER,
      operation,
      retryable: false,
      message: `${operation}: Image Builder handed out more than ${MAX_LIST_PAGES} pages for one listing`,
    });
  return drained.items;
}

/**
 * What a whole-listing read keeps per event until it is handed out: the service record and what
 * maps it, not the StackEvent. The listing is held whole (oldest first needs its end), so every
 * object kept per item is kept for the whole listing and traced by every full GC; the StackEvent
 * (its id string, details, resource and stack objects) is built when its page is handed out, and
 * is short-lived garbage from then on.
 */
export interface PendingEvent {
  /** The event's time (epoch ms): the sort key. */
  readonly ms: number;
}

/**
 * A paginator over a whole listing in time order. `readAll` gives every event of the listing in
 * the service's order as pending records; `toEvent` maps one when its page is handed out.
 */
export function orderedEventList<P extends PendingEvent>(
  api: ImageBuilderApi,
  config: {
    operation: string;
    scope: Record<string, unknown>;
    options: EventListOptions;
    /** Every event of the listing, in the service's order; `onRaw` gets each service response. */
    readAll: (signal: AbortSignal | undefined, onRaw: (raw: unknown) => void) => Promise<P[]>;
    toEvent: (pending: P) => StackEvent;
  },
): Paginator<StackEvent> {
  const { options } = config;
  const order = options.order ?? 'oldest-first';
  return wholeListPaginator<StackEvent, P>(api, {
    operation: config.operation,
    scope: { ...config.scope, order },
    options,
    filter: applyEventFilters(options),
    readAll: async (signal, onRaw) => {
      // Stable: events of the same time keep the service's order.
      const events = (await config.readAll(signal, onRaw)).sort((a, b) => a.ms - b.ms);
      return order === 'newest-first' ? events.reverse() : events;
    },
    map: config.toEvent,
  });
}

/** StackEvents already built (short lists: workflow steps) as pending records of {@link orderedEventList}. */
export interface BuiltEvent extends PendingEvent {
  readonly event: StackEvent;
}
export const builtEvents = (events: StackEvent[]): BuiltEvent[] =>
  events.map((event) => ({ ms: event.timestamp.getTime(), event }));
export const builtEvent = (p: BuiltEvent): StackEvent => p.event;

/**
 * A paginator over a list computed whole by `readAll` (read once per paginator, again after a
 * failure), handed out in pages of the size asked. The cursor is an offset into that list, so a
 * continuation token resumes by reading the list again.
 */
export function wholeListPaginator<T, R = T>(
  api: ImageBuilderApi,
  config: {
    operation: string;
    scope: Record<string, unknown>;
    options: ListOptions;
    filter?: ((item: T) => boolean) | undefined;
    /** The whole list in the order handed out; `onRaw` gets each service response. */
    readAll: (signal: AbortSignal | undefined, onRaw: (raw: unknown) => void) => Promise<R[]>;
    /** Maps the items of a page as it is handed out (absent: the list's items are handed out as they are). */
    map?: ((item: R) => T) | undefined;
  },
): Paginator<T> {
  let whole: Promise<R[]> | undefined;
  /** The first service response: the `raw` of the first page handed out (pages are cut from all of them). */
  let firstRaw: unknown;
  const readAll = (signal: AbortSignal | undefined) => {
    firstRaw = undefined;
    return config.readAll(signal, (raw) => {
      if (firstRaw === undefined) firstRaw = raw;
    });
  };
  return createPaginator<T, number>({
    provider: PROVIDER,
    operation: config.operation,
    scope: config.scope,
    tokenKey: api.settings.tokenKey,
    validateCursor: (c) =>
      typeof c === 'number' && Number.isInteger(c) && c > 0 && c <= MAX_LIST_PAGES * PAGE_SIZE.max
        ? undefined
        : 'the cursor is not an offset into this listing',
    pageSizeLimits: PAGE_SIZE,
    options: config.options,
    filter: config.filter,
    fetchPage: async (cursor, pageSize, signal) => {
      whole ??= readAll(signal);
      let items: R[];
      try {
        items = await whole;
      } catch (err) {
        whole = undefined;
        throw err;
      }
      const start = cursor ?? 0;
      const end = start + (pageSize ?? PAGE_SIZE.max);
      const slice = items.slice(start, end);
      const page = {
        items: config.map ? slice.map(config.map) : (slice as unknown as T[]),
        next: end < items.length ? end : undefined,
      };
      return start === 0 && firstRaw !== undefined ? { ...page, raw: firstRaw } : page;
    },
  });
}
