import type { StackInfo } from '@stackfeed/core';
import { parseWire } from '@stackfeed/core/adapter';
import { toStackInfo } from '../mapping/event.js';
import { loadSchemas } from '../wire/load.js';
import type { HeatApi } from './heat-api.js';
import { markerOf } from './refs.js';

/** One page of `GET /stacks`: the stacks and the marker of the next page (from Heat's `next` link). */
export async function fetchStackPage(
  api: HeatApi,
  query: Record<string, unknown>,
  pageSize: number | undefined,
  marker: string | undefined,
  operation: string,
  signal: AbortSignal | undefined,
): Promise<{ items: StackInfo[]; next: string | undefined; raw: unknown }> {
  const base = await api.endpoint(signal);
  const res = await api.get(`${base}/stacks`, { ...query, limit: pageSize, marker }, operation, signal);
  const { StackListSchema, StackListWire } = await loadSchemas();
  const body = parseWire(StackListSchema, res.body, api.ctx(operation, res));
  const parsed = parseWire(StackListWire, res.body, api.ctx(operation, res));
  const items = parsed.stacks.map((s, i) => toStackInfo(s, body.stacks[i]));
  const nextLink = body.links?.find((l) => l.rel === 'next');
  let next: string | undefined;
  if (nextLink && items.length > 0) next = markerOf(nextLink.href) ?? parsed.stacks[parsed.stacks.length - 1]?.id;
  return { items, next, raw: res.body };
}

const STATUS_PARTS = ['COMPLETE', 'FAILED', 'IN_PROGRESS'] as const;

function values(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/**
 * Whether Heat can take `tags` together with the other filters of `query`. Heat joins the tag
 * table first and then applies a filter with one distinct value as `filter_by(key=value)`, which
 * SQLAlchemy resolves against the joined tag table: a 500 (`InvalidRequestError`, Heat's
 * `db/sqlalchemy/api.py` `_query_stack_get_all` + `filters.py` `exact_filter`). A filter with
 * several values becomes `IN (…)` and is safe. `status=CREATE_FAILED` counts as status `FAILED`
 * plus action `CREATE` (`engine/api.py` `translate_filters`). A tag with a comma cannot be sent
 * either (Heat splits the parameter on commas).
 */
export function tagsSafeWith(query: Record<string, unknown>, tags: readonly string[]): boolean {
  if (tags.some((t) => t.includes(','))) return false;
  const statusParts = new Set<string>();
  const actions = new Set(values(query.action));
  for (const v of values(query.status)) {
    for (const part of STATUS_PARTS) {
      const at = v.lastIndexOf(part);
      if (at < 0) continue;
      statusParts.add(v.slice(at));
      if (at > 1) actions.add(v.slice(0, at - 1));
    }
  }
  return statusParts.size !== 1 && actions.size !== 1 && new Set(values(query.name)).size !== 1;
}

/** Every tag of `wanted` is one of the stack's tags. */
export function hasTags(info: StackInfo, wanted: readonly string[]): boolean {
  const own = info.details?.tags;
  return wanted.every((t) => Array.isArray(own) && own.includes(t));
}
