import type { StackEvent, StackInfo } from '@stackfeed/core';
import { parseWire } from '@stackfeed/core/adapter';
import { type HeatEventFields, type WireLink, checkEventList } from '../wire/check.js';
import { loadSchemas } from '../wire/load.js';
import type { WireEvent, WireStack } from '../wire/schemas.js';
import { mapHeatStatus, stackStateOf } from './status.js';

/** A stack as Heat names it in URLs: both parts known. */
export interface CanonicalStack {
  name: string;
  id: string;
}

/** The resource type Heat gives stack-level events (`show event` of the stack itself). */
export const STACK_RESOURCE_TYPE = 'OS::Heat::Stack';

/** Parsed stack links: every event of a stack repeats the same two hrefs. Bounded. */
const linkCache = new Map<string, CanonicalStack | null>();

/** `{name, id}` from a Heat `stack` / `root_stack` link (`…/stacks/{name}/{id}`). */
export function stackFromLink(links: readonly WireLink[] | null | undefined, rel: string): CanonicalStack | undefined {
  const out = linkedStack(links, rel);
  return out ? { ...out } : undefined;
}

/** {@link stackFromLink} without the defensive copy: the cached object, to read and not to keep. */
function linkedStack(links: readonly WireLink[] | null | undefined, rel: string): CanonicalStack | undefined {
  if (!links) return undefined;
  let href: string | undefined;
  for (let i = 0; i < links.length; i++) {
    const l = links[i] as WireLink;
    if (l.rel === rel) {
      href = l.href;
      break;
    }
  }
  if (href === undefined) return undefined;
  // Consecutive events repeat the same two hrefs: a string compare is cheaper than hashing a fresh
  // ~100-character string for the Map on every call.
  if (href === recentHref[0]) return recentOut[0];
  if (href === recentHref[1]) return recentOut[1];
  const out = linkedStackUncached(href);
  recentHref[recentSlot] = href;
  recentOut[recentSlot] = out;
  recentSlot ^= 1;
  return out;
}

/** The last two hrefs seen (a stack link and a root_stack link) and what they parsed to. */
const recentHref: [string | undefined, string | undefined] = [undefined, undefined];
const recentOut: [CanonicalStack | undefined, CanonicalStack | undefined] = [undefined, undefined];
let recentSlot = 0;

function linkedStackUncached(href: string): CanonicalStack | undefined {
  const cached = linkCache.get(href);
  if (cached !== undefined) return cached ?? undefined;
  let out: CanonicalStack | null = null;
  try {
    const segs = new URL(href, 'http://x').pathname.split('/').filter(Boolean);
    const at = segs.lastIndexOf('stacks');
    if (at >= 0 && at === segs.length - 3) {
      out = { name: decodeURIComponent(segs[at + 1] as string), id: decodeURIComponent(segs[at + 2] as string) };
    }
  } catch {
    out = null;
  }
  if (linkCache.size >= 2048) linkCache.delete(linkCache.keys().next().value as string);
  linkCache.set(href, out);
  return out ?? undefined;
}

/**
 * A Heat event → StackEvent. `root` is the stack the call was made on (for nested listings the
 * event's own stack comes from its `stack` link). A stack-level event is one whose resource name
 * is its stack's name and whose physical id is its stack's id (the rule python-heatclient uses);
 * it gets `isStackEvent: true` and resource type `OS::Heat::Stack`.
 */
export function toStackEvent(wire: WireEvent, raw: unknown, root: CanonicalStack | undefined): StackEvent {
  return eventFromFields(wire, wire.event_time, raw, root);
}

/**
 * The mapping itself, on the event's fields and its time (a listing's hot path calls this on the
 * records as received, once they passed the page check).
 */
export function eventFromFields(
  wire: HeatEventFields,
  time: Date,
  raw: unknown,
  root: CanonicalStack | undefined,
): StackEvent {
  const own = linkedStack(wire.links, 'stack') ?? root;
  const rootLink = linkedStack(wire.links, 'root_stack') ?? root;
  const name = wire.resource_name ?? wire.logical_resource_id ?? undefined;
  const physical = wire.physical_resource_id;
  const isStackEvent = own !== undefined && name === own.name && (physical == null || physical === own.id);
  const { action, phase } = mapHeatStatus(wire.resource_status);
  const stack: StackEvent['stack'] = {};
  const resource: StackEvent['resource'] = {};
  const ev: StackEvent = {
    provider: 'openstack-heat',
    id: wire.id,
    timestamp: time,
    stack,
    resource,
    action,
    phase,
    status: wire.resource_status,
    isStackEvent,
    raw,
  };
  if (own) {
    stack.id = own.id;
    stack.name = own.name;
  }
  if (rootLink) {
    stack.rootId = rootLink.id;
    stack.rootName = rootLink.name;
  }
  if (name != null) resource.logicalId = name;
  if (physical) resource.physicalId = physical;
  const type = wire.resource_type ?? (isStackEvent ? STACK_RESOURCE_TYPE : undefined);
  if (type) resource.type = type;
  if (wire.resource_status_reason != null) ev.message = wire.resource_status_reason;
  if (wire.resource_properties !== undefined) ev.properties = wire.resource_properties;
  return ev;
}

/**
 * A list-events body (JSON-parsed) → StackEvents through the zod-free page check alone (sync):
 * undefined when the check says no (then {@link normalizeEventList}'s zod parse names the field).
 */
export function normalizeCheckedEventList(body: unknown, root: CanonicalStack | undefined): StackEvent[] | undefined {
  const checked = checkEventList(body);
  if (!checked) return undefined;
  const { events, times } = checked;
  const out = new Array<StackEvent>(events.length);
  for (let i = 0; i < events.length; i++) {
    const w = events[i] as HeatEventFields;
    out[i] = eventFromFields(w, new Date(times[i] as number), w, root);
  }
  return out;
}

/**
 * A list-events body (JSON-parsed) → StackEvents, validated: the fast page check first, else the
 * zod schema, loaded then (INVALID_RESPONSE naming the field path). `raw` of each event is the
 * record as received.
 */
export async function normalizeEventList(
  body: unknown,
  root: CanonicalStack | undefined,
  ctx: { operation: string; requestId?: string | undefined },
): Promise<StackEvent[]> {
  const fast = normalizeCheckedEventList(body, root);
  if (fast) return fast;
  const where = { provider: 'openstack-heat' as const, operation: ctx.operation, requestId: ctx.requestId };
  const { EventListSchema, EventListWire } = await loadSchemas();
  const body0 = parseWire(EventListSchema, body, where);
  const parsed = parseWire(EventListWire, body, where);
  return parsed.events.map((w, i) => eventFromFields(w, w.event_time, body0.events[i], root));
}

/** A Heat stack → StackInfo. `details`: parentId, project, deletedAt, tags, description. */
export function toStackInfo(wire: WireStack, raw: unknown): StackInfo {
  const { action, phase } = mapHeatStatus(wire.stack_status);
  const info: StackInfo = {
    provider: 'openstack-heat',
    id: wire.id,
    name: wire.stack_name,
    state: stackStateOf(wire.stack_status),
    action,
    phase,
    status: wire.stack_status,
    raw,
  };
  if (wire.stack_status_reason != null) info.reason = wire.stack_status_reason;
  if (wire.creation_time) info.createdAt = wire.creation_time;
  if (wire.updated_time) info.updatedAt = wire.updated_time;
  const details: Record<string, unknown> = {};
  if (wire.parent) details.parentId = wire.parent;
  if (wire.project) details.project = wire.project;
  if (wire.deletion_time) details.deletedAt = wire.deletion_time;
  if (wire.tags && wire.tags.length > 0) details.tags = wire.tags;
  if (wire.description) details.description = wire.description;
  if (Object.keys(details).length > 0) info.details = details;
  return info;
}
