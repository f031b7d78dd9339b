import type { DiscoveredTarget, DiscoverOptions, Paginator, StackInfo, StackRef } from '@stackfeed/core';
import { createPaginator, matchesDiscoverFilters } from '@stackfeed/core/adapter';
import { type HeatApi, PROVIDER } from './heat-api.js';
import { isMarker } from './refs.js';
import { fetchStackPage, hasTags, tagsSafeWith } from './stacks.js';

/** A stack found by `discover()`: its `ref` has both its name and id (no lookup redirect when followed). */
type HeatDiscoveredStack = DiscoveredTarget<StackRef>;

/** Pass-1 ids carried in a continuation token, so a resumed pass 2 still skips them. */
const MAX_CARRIED_IDS = 100;

/** The cursor of a discovery listing. */
interface DiscoverCursor {
  /** 1: the stacks Heat lists as `IN_PROGRESS`; 2: all stacks, minus those already handed out. */
  pass: 1 | 2;
  /** Heat's `marker` (the last stack id of the previous page of this pass). */
  marker?: string | undefined;
  /** Ids handed out in pass 1 (absent when there were more than {@link MAX_CARRIED_IDS}). */
  seen?: string[] | undefined;
}

/**
 * Heat's tags are plain strings; stackfeed's are key/value pairs. `key=value` is the pair
 * (split at the first `=`), a tag without `=` is `key` with the value `''`.
 */
export function tagsFromHeat(tags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) {
    const at = t.indexOf('=');
    if (at < 0) out[t] = '';
    else out[t.slice(0, at)] = t.slice(at + 1);
  }
  return out;
}

/** The Heat tag strings a `tags` filter asks for (the inverse of {@link tagsFromHeat}). */
export function tagsToHeat(tags: Record<string, string>): string[] {
  return Object.entries(tags).map(([k, v]) => (v === '' ? k : `${k}=${v}`));
}

/** The project of an orchestration endpoint `…/v1/{tenant_id}`, or undefined. */
export function projectOf(endpoint: string): string | undefined {
  try {
    const segs = new URL(endpoint).pathname.split('/').filter(Boolean);
    const at = segs.lastIndexOf('v1');
    return at >= 0 && segs[at + 1] ? decodeURIComponent(segs[at + 1] as string) : undefined;
  } catch {
    return undefined;
  }
}

function toTarget(info: StackInfo, region: string | undefined, project: string | undefined): HeatDiscoveredStack {
  const id = info.id as string;
  const t: HeatDiscoveredStack = {
    provider: PROVIDER,
    kind: 'stack',
    ref: { name: info.name, id },
    name: info.name,
    id,
    status: info.status,
    state: info.state,
    inProgress: info.phase === 'IN_PROGRESS',
  };
  if (info.createdAt) t.createdAt = info.createdAt;
  if (info.updatedAt) t.updatedAt = info.updatedAt;
  const d = info.details ?? {};
  if (typeof d.parentId === 'string') t.parent = { id: d.parentId };
  // Heat names the project per stack only in admin listings; else it is the endpoint's own.
  const own = typeof d.project === 'string' ? d.project : project;
  if (own !== undefined) t.project = own;
  if (region !== undefined) t.region = region;
  if (Array.isArray(d.tags)) t.tags = tagsFromHeat(d.tags as string[]);
  return t;
}

function refuseCursor(c: unknown): string | undefined {
  if (typeof c !== 'object' || c === null) return 'its cursor is not an object';
  const { pass, marker, seen } = c as Partial<Record<keyof DiscoverCursor, unknown>>;
  if (pass !== 1 && pass !== 2) return 'its pass is neither 1 nor 2';
  if (marker !== undefined && !isMarker(marker)) return 'its marker is not a stack id';
  if (seen !== undefined && (!Array.isArray(seen) || seen.length > MAX_CARRIED_IDS || !seen.every(isMarker))) {
    return 'its seen ids are malformed';
  }
  return undefined;
}

/**
 * The project's stacks (all projects for an admin), nested ones included (`show_nested=true`,
 * `parent` set), as discovery targets: first the stacks Heat lists with `status=IN_PROGRESS`,
 * then every stack not handed out yet, each pass in Heat's order (newest first). `name` is
 * checked here (a name without `*`/`?` also goes to Heat as its exact `name` filter);
 * `activeOnly` stops after the first pass; `tags` go to Heat's `tags` parameter where Heat can
 * take them (see {@link tagsSafeWith}: never beside the single `status` of the first pass) and are
 * checked here otherwise. A stack that pass 1 lists but is no longer in progress is left to pass 2.
 * A token resumed in pass 2 skips the pass-1 stacks only when there were at most 100 of them
 * (else a stack that finished in between may come twice; ids tell them apart).
 */
export function discoverStacks(
  api: HeatApi,
  options: DiscoverOptions = {},
  pageSizeLimits: { min: number; max: number; default?: number },
): Paginator<HeatDiscoveredStack> {
  const wantsStacks = options.kinds === undefined || options.kinds.includes('stack');
  const exactName = typeof options.name === 'string' && !/[*?]/.test(options.name) ? options.name : undefined;
  const wantedTags = options.tags ? tagsToHeat(options.tags) : [];
  const matches = matchesDiscoverFilters({ ...options, tags: undefined });
  let seen = new Set<string>();
  const scope = {
    kinds: options.kinds,
    activeOnly: options.activeOnly,
    name: options.name === undefined ? undefined : String(options.name),
    tags: wantedTags,
  };
  return createPaginator<HeatDiscoveredStack, DiscoverCursor>({
    provider: PROVIDER,
    operation: 'discover',
    scope,
    options,
    pageSizeLimits,
    tokenKey: api.tokenKey,
    validateCursor: refuseCursor,
    cursorKey: (c) => `${c.pass}:${c.marker ?? ''}`,
    onWarning: (m) => api.warn('discover', m),
    fetchPage: async (cursor, pageSize, signal) => {
      if (!wantsStacks) return { items: [] };
      if (!cursor) seen = new Set();
      for (const id of cursor?.seen ?? []) seen.add(id);
      const pass = cursor?.pass ?? 1;
      const query: Record<string, unknown> = {
        show_nested: true,
        name: exactName,
        status: pass === 1 ? 'IN_PROGRESS' : undefined,
      };
      const serverTags = wantedTags.length > 0 && tagsSafeWith(query, wantedTags);
      if (serverTags) query.tags = wantedTags.join(',');
      const page = await fetchStackPage(api, query, pageSize, cursor?.marker, 'discover', signal);
      const project = projectOf(await api.endpoint(signal));
      const items: HeatDiscoveredStack[] = [];
      for (const info of page.items) {
        if (!info.id) continue;
        if (pass === 1 ? info.phase !== 'IN_PROGRESS' : seen.has(info.id)) continue;
        if (!serverTags && !hasTags(info, wantedTags)) continue;
        const t = toTarget(info, api.region, project);
        if (!matches(t)) continue;
        if (pass === 1) seen.add(info.id);
        items.push(t);
      }
      const carried = seen.size <= MAX_CARRIED_IDS ? [...seen] : undefined;
      let next: DiscoverCursor | undefined;
      if (page.next) next = { pass, marker: page.next, seen: carried };
      else if (pass === 1 && !options.activeOnly) next = { pass: 2, seen: carried };
      return { items, next, raw: page.raw };
    },
  });
}
