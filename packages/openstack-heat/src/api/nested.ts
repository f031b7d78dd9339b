import type { StackEvent } from '@stackfeed/core';
import { drainPages, parseWire } from '@stackfeed/core/adapter';
import type { CanonicalStack } from '../mapping/event.js';
import { loadSchemas } from '../wire/load.js';
import type { HeatApi } from './heat-api.js';
import { canonicalFromPath, pathSegment } from './refs.js';

/** Events per request while reading a whole stack's list. */
const PAGE = 1000;
/** Safety cap on pages of one stack's list. */
const MAX_PAGES = 1000;

/**
 * Whether Heat honoured `nested_depth`: with it, every event carries a `root_stack` link; an older
 * Heat ignores the parameter and sends only `self`, `resource` and `stack`.
 */
export function honoursNestedDepth(first: StackEvent): boolean {
  const links = (first.raw as { links?: Array<{ rel?: unknown }> | null } | null)?.links;
  return Array.isArray(links) && links.some((l) => l?.rel === 'root_stack');
}

/**
 * Whether this Heat honours `nested_depth`, from the first event of a listing or, when the
 * (filtered) listing had none, from one unfiltered event of the stack; undefined while the stack
 * has no event at all (nothing to tell by yet).
 */
export async function supportsNestedDepth(
  api: HeatApi,
  stack: CanonicalStack,
  depth: number,
  first: StackEvent | undefined,
  operation: string,
  signal: AbortSignal | undefined,
): Promise<boolean | undefined> {
  if (first) return honoursNestedDepth(first);
  const q = { nested_depth: depth, limit: 1, sort_dir: 'asc' };
  const probe = (await api.fetchEvents(stack, stack, undefined, q, operation, signal)).events[0];
  return probe === undefined ? undefined : honoursNestedDepth(probe);
}

/** The nested stacks of a stack: its resources' `nested` links (`GET …/resources`). */
async function nestedStacksOf(
  api: HeatApi,
  stack: CanonicalStack,
  operation: string,
  signal: AbortSignal | undefined,
): Promise<CanonicalStack[]> {
  const base = await api.endpoint(signal);
  const url = `${base}/stacks/${pathSegment(stack.name)}/${pathSegment(stack.id)}/resources`;
  const res = await api.get(url, {}, operation, signal);
  const { ResourceListWire } = await loadSchemas();
  const body = parseWire(ResourceListWire, res.body, api.ctx(operation, res));
  const out: CanonicalStack[] = [];
  for (const r of body.resources) {
    const href = r.links?.find((l) => l.rel === 'nested')?.href;
    const nested = href === undefined ? undefined : canonicalFromPath(new URL(href, base).pathname);
    if (nested) out.push(nested);
  }
  return out;
}

/** Every event of one stack (no nesting), all pages, in the query's order. */
async function allEventsOf(
  api: HeatApi,
  stack: CanonicalStack,
  query: Record<string, unknown>,
  operation: string,
  signal: AbortSignal | undefined,
): Promise<StackEvent[]> {
  const page = async (marker: string | undefined) => {
    const q = { ...query, nested_depth: undefined, limit: PAGE, marker };
    const { events } = await api.fetchEvents(stack, stack, undefined, q, operation, signal);
    const last = events[events.length - 1];
    return { items: events, next: events.length >= PAGE && last ? last.id : undefined };
  };
  return (await drainPages(page, { maxPages: MAX_PAGES, cursorKey: (m) => m, signal })).items;
}

/**
 * The events of a stack and its nested stacks down to `depth`, read the way python-heatclient
 * does on a Heat without `nested_depth`: the stack's own list, then each nested stack found
 * through `GET …/resources` (recursively), merged by event time (stable: on a tie the outer
 * stack's event first). Nested events name `root` as their root stack.
 */
export async function readNestedEvents(
  api: HeatApi,
  root: CanonicalStack,
  depth: number,
  query: Record<string, unknown>,
  operation: string,
  signal: AbortSignal | undefined,
): Promise<StackEvent[]> {
  const all: StackEvent[] = [];
  const visit = async (stack: CanonicalStack, left: number): Promise<void> => {
    for (const ev of await allEventsOf(api, stack, query, operation, signal)) {
      ev.stack.rootId = root.id;
      ev.stack.rootName = root.name;
      all.push(ev);
    }
    if (left <= 0) return;
    for (const nested of await nestedStacksOf(api, stack, operation, signal)) await visit(nested, left - 1);
  };
  await visit(root, depth);
  const dir = query.sort_dir === 'desc' ? -1 : 1;
  return all.sort((a, b) => dir * (a.timestamp.getTime() - b.timestamp.getTime()));
}
