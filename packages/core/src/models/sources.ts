import type { Paginator, ListOptions } from '../paging/paginator.js';
import type { WatchOptions, WatchStream } from '../watch/watch.js';
import { parseTimestamp } from '../mapping/wire.js';
import type { Phase, ProviderId } from './enums.js';
import type { ImageInfo, StackEvent, StackRef } from './types.js';

/** The common event filters. Each adapter pushes what it can to the server and applies the rest locally. */
export interface EventFilterOptions {
  /** Only events at or after this instant. */
  since?: Date | undefined;
  resourceName?: string | readonly string[] | undefined;
  resourceType?: string | readonly string[] | undefined;
  phase?: Phase | readonly Phase[] | undefined;
}

/** The order an event list yields its events in. */
export type EventOrder = 'oldest-first' | 'newest-first';

/**
 * The order option every event list call takes (the same name on every provider). Default
 * `oldest-first` everywhere; `maxItems` / `toArray({ limit })` take the first N in the chosen order.
 * On an API whose native order is newest first, `oldest-first` reads the listing to its end and
 * yields it reversed; `newest-first` is the cheap order there.
 */
export interface EventOrderOption {
  order?: EventOrder | undefined;
}

/** Where a filter runs: on the provider (`server`), in stackfeed after fetching (`local`), or not at all. */
export type FilterSupport = 'server' | 'local' | 'none';

/** What a client can do, and where: so callers (and the CLI) know what a filter costs. */
export interface Capabilities {
  provider: ProviderId;
  filters: Record<keyof EventFilterOptions, FilterSupport>;
  /** Allowed pageSize range, or null when the provider has no page size. */
  pageSize: { min: number; max: number; default?: number } | null;
  /** The order list calls return events in by default (`oldest-first` on every provider). */
  eventOrder: EventOrder;
  /** The provider API's own order: the order that costs no full read (`order: nativeOrder`). */
  nativeOrder?: EventOrder;
  /** Whether events of nested stacks can be included. */
  nestedStacks: boolean;
  /** `provider`: the provider gives event ids; `content-hash`: stackfeed derives them. */
  eventIds: 'provider' | 'content-hash';
}

/** A client that lists and watches stack events. */
export interface StackEventSource<Ref = StackRef> {
  readonly provider: ProviderId;
  readonly capabilities: Capabilities;
  listStackEvents(ref: Ref, options?: ListOptions & EventFilterOptions): Paginator<StackEvent>;
  watchStackEvents(ref: Ref, options?: WatchOptions & EventFilterOptions): WatchStream<StackEvent>;
}

/** A client that lists and describes images. */
export interface ImageSource {
  readonly provider: ProviderId;
  listImages(options?: ListOptions): Paginator<ImageInfo>;
  describeImage(id: string, options?: { signal?: AbortSignal }): Promise<ImageInfo>;
}

const asSet = <T extends string>(v: T | readonly T[] | undefined): ReadonlySet<T> | undefined =>
  v === undefined ? undefined : new Set<T>(typeof v === 'string' ? [v as T] : (v as readonly T[]));

/**
 * A predicate for the filters a provider cannot apply itself. Pass the filters that the server
 * already applied as `serverSide` so they are not applied twice (they may match differently).
 */
export function applyEventFilters(
  filters: EventFilterOptions,
  serverSide: ReadonlyArray<keyof EventFilterOptions> = [],
): ((ev: StackEvent) => boolean) | undefined {
  const skip = new Set(serverSide);
  const since = !skip.has('since') ? filters.since?.getTime() : undefined;
  const names = !skip.has('resourceName') ? asSet(filters.resourceName) : undefined;
  const types = !skip.has('resourceType') ? asSet(filters.resourceType) : undefined;
  const phases = !skip.has('phase') ? asSet<Phase>(filters.phase) : undefined;
  if (since === undefined && !names && !types && !phases) return undefined;
  return (ev) => {
    if (since !== undefined && ev.timestamp.getTime() < since) return false;
    if (names && !(names.has(ev.resource.logicalId ?? '') || names.has(ev.resource.name ?? ''))) return false;
    if (types && !types.has(ev.resource.type ?? '')) return false;
    if (phases && !phases.has(ev.phase)) return false;
    return true;
  };
}

/**
 * `since` as users write it: a Date, an ISO string, epoch milliseconds, or a duration back from
 * now such as `90s`, `10m`, `2h`, `1d`.
 */
export function resolveSince(value: Date | string | number | undefined, now: number = Date.now()): Date | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date || typeof value === 'number') {
    const d = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(d.getTime())) throw new TypeError(`since: ${String(value)} is not a valid time`);
    return d;
  }
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
  if (m) {
    const n = Number(m[1]);
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
    return new Date(now - n * unit);
  }
  // Same reading as every timestamp in stackfeed: zone-less ISO is UTC, no lenient guessing.
  const d = parseTimestamp(value);
  if (!d) throw new TypeError(`cannot read ${JSON.stringify(value)} as a time or a duration like 10m`);
  return d;
}
