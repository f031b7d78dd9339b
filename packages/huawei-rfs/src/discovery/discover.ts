import {
  type DiscoveredTarget,
  type DiscoverOptions,
  type Paginator,
  type StackInfo,
  type StackRef,
  StackfeedError,
} from '@stackfeed/core';
import { type TokenKey, createPaginator, inProgressFirst, matchesDiscoverFilters } from '@stackfeed/core/adapter';
import { type OffsetCursor, offsetCursorProblem } from '../paging.js';

const PROVIDER = 'huawei-rfs' as const;

/** What discovery needs from the client: where it reads, and one full read of ListStacks. */
export interface DiscoverContext {
  projectId: string;
  region: string;
  endpoint: string;
  tokenKey: TokenKey;
  pageSizeLimits: { min: number; max: number };
  /** Every stack of the project, in ListStacks order (newest created first). */
  readAllStacks: (signal: AbortSignal | undefined) => Promise<StackInfo[]>;
}

/** The target of one RFS stack: its ref is `{ name, id }` (name addresses it, id pins it). */
export function stackTarget(s: StackInfo, where: { region: string; projectId: string }): DiscoveredTarget<StackRef> {
  const t: DiscoveredTarget<StackRef> = {
    provider: PROVIDER,
    kind: 'stack',
    ref: s.id ? { name: s.name, id: s.id } : { name: s.name },
    name: s.name,
    status: s.status,
    state: s.state,
    // A status this version does not know yet counts as running when it says so (`*_IN_PROGRESS`).
    inProgress: s.state === 'IN_PROGRESS' || (s.state === 'UNKNOWN' && /_IN_PROGRESS$/.test(s.status)),
    region: where.region,
    project: where.projectId,
  };
  if (s.id) t.id = s.id;
  if (s.createdAt) t.createdAt = s.createdAt;
  if (s.updatedAt) t.updatedAt = s.updatedAt;
  const details: Record<string, unknown> = { ...(s.details ?? {}) };
  if (s.reason) details.reason = s.reason;
  if (Object.keys(details).length > 0) t.details = details;
  return t;
}

/**
 * `discover()`: the project's stacks, in-progress ones first. Every filter runs locally (ListStacks
 * takes only marker/limit), so the whole listing is read before the first page: in-progress first
 * is an order over all of it. RFS stacks have no tags: a `tags` filter with any entry is a CONFIG
 * error (thrown here) rather than a filter that silently matches nothing or everything.
 */
export function discoverStacks(
  ctx: DiscoverContext,
  options: DiscoverOptions = {},
): Paginator<DiscoveredTarget<StackRef>> {
  checkOptions(options);
  const wanted = options.kinds === undefined || options.kinds.includes('stack');
  const matches = matchesDiscoverFilters(options);
  let listing: DiscoveredTarget<StackRef>[] | undefined;
  return createPaginator<DiscoveredTarget<StackRef>, OffsetCursor>({
    provider: PROVIDER,
    operation: 'discover',
    scope: {
      p: ctx.projectId,
      e: ctx.endpoint,
      kinds: options.kinds,
      activeOnly: options.activeOnly === true,
      name: options.name === undefined ? undefined : String(options.name),
    },
    pageSizeLimits: ctx.pageSizeLimits,
    options,
    tokenKey: ctx.tokenKey,
    validateCursor: offsetCursorProblem,
    fetchPage: async (cursor, pageSize, signal) => {
      if (!wanted) return { items: [] };
      if (cursor === undefined || listing === undefined) {
        const stacks = await ctx.readAllStacks(signal);
        listing = inProgressFirst(stacks.map((s) => stackTarget(s, ctx)).filter(matches));
      }
      const offset = cursor?.offset ?? 0;
      const end = offset + (pageSize ?? ctx.pageSizeLimits.max);
      return { items: listing.slice(offset, end), next: end < listing.length ? { offset: end } : undefined };
    },
  });
}

const config = (message: string) =>
  new StackfeedError({ code: 'CONFIG', provider: PROVIDER, operation: 'discover', message });

/** CONFIG (thrown, before any request) for options discovery cannot honour. */
function checkOptions(options: DiscoverOptions): void {
  if (options === null || typeof options !== 'object') throw config('discover options must be an object');
  const { kinds, name, tags } = options;
  if (kinds !== undefined && !Array.isArray(kinds)) throw config('kinds must be an array of target kinds');
  if (name !== undefined && typeof name !== 'string' && !(name instanceof RegExp)) {
    throw config('name must be a glob string or a RegExp');
  }
  if (tags !== undefined && (tags === null || typeof tags !== 'object')) throw config('tags must be an object');
  if (tags && Object.keys(tags).length > 0) {
    throw config('RFS stacks have no tags: a tags filter cannot be applied (leave it out for RFS)');
  }
}
