import type { EventFilterOptions, ListOptions, Paginator, StackEvent } from '@stackfeed/core';
import { createPaginator } from '@stackfeed/core/adapter';
import type { CanonicalStack } from '../mapping/event.js';
import { type EventQuery, type HeatEventOptions, eventQuery } from './filters.js';
import { type HeatApi, PROVIDER } from './heat-api.js';
import { readNestedEvents, supportsNestedDepth } from './nested.js';
import { type DeploymentTrack, DeploymentIds, refuseTrack } from './deployment-ids.js';
import { type HeatStackRef, canonicalOf, isMarker, lookupKeyOf } from './refs.js';

/** Options of `listStackEvents` / `listResourceEvents`. */
export type ListEventsOptions = ListOptions & EventFilterOptions & HeatEventOptions;

/** The cursor of an event listing. */
interface EventCursor {
  /** marker: the id of the last event of the previous page. */
  m: string;
  /** That event's time (ms), to notice a marker Heat ignored. */
  t: number;
  /** Canonical stack, learned from the first page. */
  s?: CanonicalStack | undefined;
  /** Set when Heat ignored `nested_depth`: the listing is merged here from each nested stack's list. */
  n?: 1 | undefined;
  /** Where the listing stands between deployments (listings that derive `deploymentId`). */
  k?: DeploymentTrack | undefined;
}

/** The newest ids handed out, in a ring: one array write per event; a Set is built only when needed. */
class RecentIds {
  private readonly ring = new Array<string | undefined>(20_000);
  private at = 0;

  remember(id: string): void {
    this.ring[this.at] = id;
    this.at = this.at + 1 === this.ring.length ? 0 : this.at + 1;
  }

  toSet(): Set<string> {
    const out = new Set<string>();
    for (const id of this.ring) if (id !== undefined) out.add(id);
    return out;
  }
}

/**
 * A listing merged from each nested stack's own list (a Heat without `nested_depth`), read once
 * per paginator and handed out in pages after the cursor's event.
 */
class MergedListing {
  private events: StackEvent[] | undefined;

  constructor(
    private readonly api: HeatApi,
    private readonly depth: number,
    private readonly query: Record<string, unknown>,
    private readonly operation: string,
  ) {}

  async page(
    stack: CanonicalStack,
    cursor: EventCursor | undefined,
    pageSize: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ items: StackEvent[]; next: EventCursor | undefined }> {
    this.events ??= await readNestedEvents(this.api, stack, this.depth, this.query, this.operation, signal);
    const all = this.events;
    let start = 0;
    if (cursor) {
      const at = all.findIndex((e) => e.id === cursor.m);
      // The cursor's event is gone (pruned): resume after its time.
      start = at >= 0 ? at + 1 : all.findIndex((e) => e.timestamp.getTime() > cursor.t);
      if (start < 0) start = all.length;
    }
    const end = pageSize === undefined ? all.length : start + pageSize;
    const items = all.slice(start, end);
    const last = items[items.length - 1];
    const next =
      end < all.length && last ? { m: last.id, t: last.timestamp.getTime(), s: stack, n: 1 as const } : undefined;
    return { items, next };
  }
}

/** Latest event time a cursor may carry (year 2500): a larger number was never an event time. */
const MAX_TIME_MS = Date.UTC(2500, 0, 1);

/**
 * Why a decoded cursor does not belong to this call, or undefined: its marker must be an event
 * id, its time a real time, and the stack it names the call's own stack (a cursor naming another
 * stack would read that stack's URL).
 */
function refuseCursor(cursor: unknown, ref: HeatStackRef): string | undefined {
  if (typeof cursor !== 'object' || cursor === null) return 'its cursor is not an object';
  const c = cursor as Partial<Record<keyof EventCursor, unknown>>;
  if (!isMarker(c.m)) return 'its marker is not an event id';
  if (typeof c.t !== 'number' || !Number.isFinite(c.t) || c.t < 0 || c.t > MAX_TIME_MS)
    return 'its time is out of range';
  if (c.n !== undefined && c.n !== 1) return 'its nesting flag is not 1';
  const track = refuseTrack(c.k);
  if (track) return track;
  if (c.s === undefined) return undefined;
  const s = c.s as Partial<CanonicalStack> | null;
  if (typeof s !== 'object' || s === null || typeof s.name !== 'string' || typeof s.id !== 'string') {
    return 'its stack is malformed';
  }
  const known = canonicalOf(ref);
  const key = lookupKeyOf(ref);
  const mine = known ? known.name === s.name && known.id === s.id : key === s.name || key === s.id;
  return mine ? undefined : `it names another stack (${s.name}) than this call's`;
}

/** A name Heat cannot address in a URL path: it reads path bytes as Latin-1 (a real Heat 19 404s). */
export function needsQueryFilter(resourceName: string): boolean {
  return /[\u0080-\u{10ffff}]/u.test(resourceName);
}

/**
 * Where one resource's events are read: its own URL, or, for a non-ASCII name, the stack's list
 * filtered by `resource_name` (which Heat decodes correctly). The caller's own `resourceName`
 * filter then still intersects, checked here.
 */
function resourcePlan(
  base: EventQuery,
  resourceName: string | undefined,
  options: ListEventsOptions,
): EventQuery & { resourcePath: string | undefined } {
  if (resourceName === undefined || !needsQueryFilter(resourceName)) return { ...base, resourcePath: resourceName };
  const wanted = options.resourceName === undefined ? undefined : new Set<string>([options.resourceName].flat());
  const local = base.local;
  return {
    ...base,
    query: { ...base.query, resource_name: [resourceName] },
    local: (ev) =>
      (wanted === undefined || wanted.has(ev.resource.logicalId ?? '')) && (local === undefined || local(ev)),
    resourcePath: undefined,
  };
}

/**
 * Events of a stack (or of one resource) as a Paginator. Paged with Heat's `marker` (the last
 * event id) and `limit`. A page that starts with the list's first event again, or with an event
 * older than the marker (newer, newest first), means Heat ignored the marker (a pruned event) and
 * restarted: the events already handed out are skipped.
 */
export function eventPaginator(
  api: HeatApi,
  operation: string,
  ref: HeatStackRef,
  resourceName: string | undefined,
  options: ListEventsOptions,
  pageSizeLimits: { min: number; max: number; default?: number },
): Paginator<StackEvent> {
  lookupKeyOf(ref);
  const plan = resourcePlan(eventQuery(options), resourceName, options);
  const { query, local } = plan;
  const asc = query.sort_dir === 'asc';
  const timeOrdered =
    !options.sortKeys?.length || (options.sortKeys.length === 1 && options.sortKeys[0] === 'event_time');
  let firstId: string | undefined;
  const recent = new RecentIds();
  const depth = Number(query.nested_depth ?? 0);
  const merged = new MergedListing(api, depth, query, operation);
  // `deploymentId` needs every event of the stack, oldest first, in Heat's order.
  const derivesDeployments =
    resourceName === undefined &&
    asc &&
    timeOrdered &&
    query.resource_action === undefined &&
    query.resource_status === undefined &&
    query.resource_name === undefined &&
    query.resource_type === undefined;
  const withDeploymentIds = (
    page: { items: StackEvent[]; next: EventCursor | undefined },
    stack: CanonicalStack | undefined,
    cursor: EventCursor | undefined,
  ) => {
    if (!derivesDeployments) return page;
    const ids = new DeploymentIds(stack, cursor?.k);
    for (const ev of page.items) ids.assign(ev);
    if (page.next) page.next.k = ids.track();
    return page;
  };
  const restartedAfter = (cursor: EventCursor, first: StackEvent): boolean => {
    const t = first.timestamp.getTime();
    return (asc ? t < cursor.t : t > cursor.t) || first.id === firstId;
  };
  return createPaginator<StackEvent, EventCursor>({
    provider: PROVIDER,
    operation,
    scope: { ref, resourceName, query },
    options,
    filter: local,
    pageSizeLimits,
    tokenKey: api.tokenKey,
    validateCursor: (c) => refuseCursor(c, ref),
    cursorKey: (c) => c.m,
    onWarning: (m) => api.warn(operation, m),
    fetchPage: async (cursor, pageSize, signal) => {
      if (cursor?.n && cursor.s) {
        return withDeploymentIds(await merged.page(cursor.s, cursor, pageSize, signal), cursor.s, cursor);
      }
      const q = { ...query, limit: pageSize, marker: cursor?.m };
      const { events, stack } = await api.fetchEvents(ref, cursor?.s, plan.resourcePath, q, operation, signal);
      if (!cursor && depth > 0) {
        const canonical = stack ?? (await api.resolveStack(ref, signal));
        if ((await supportsNestedDepth(api, canonical, depth, events[0], operation, signal)) === false) {
          api.warn(operation, 'Heat ignored nested_depth (an older Heat?); reading nested stacks one by one');
          return withDeploymentIds(await merged.page(canonical, undefined, pageSize, signal), canonical, undefined);
        }
      }
      let items = events;
      if (cursor && events[0] && timeOrdered && restartedAfter(cursor, events[0])) {
        api.warn(operation, 'Heat ignored the page marker (event pruned?); skipping events already listed');
        const seen = recent.toSet();
        items = events.filter((e) => {
          const et = e.timestamp.getTime();
          return (asc ? et >= cursor.t : et <= cursor.t) && !seen.has(e.id);
        });
      }
      if (!cursor && events[0]) firstId = events[0].id;
      for (const e of items) recent.remember(e.id);
      const last = events[events.length - 1];
      const next =
        pageSize !== undefined && events.length >= pageSize && last
          ? { m: last.id, t: last.timestamp.getTime(), s: stack }
          : undefined;
      return withDeploymentIds({ items, next }, stack ?? cursor?.s, cursor);
    },
  });
}
