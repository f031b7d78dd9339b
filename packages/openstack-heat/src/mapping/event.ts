import type { StackEvent, StackInfo } from '@stackfeed/core';
import { parseTimestamp } from '@stackfeed/core';
import type { WireEvent, WireLink, WireStack } from '../wire/schemas.js';
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
  const link = links?.find((l) => l.rel === rel);
  if (!link) return undefined;
  const cached = linkCache.get(link.href);
  if (cached !== undefined) return cached ? { ...cached } : undefined;
  let out: CanonicalStack | null = null;
  try {
    const segs = new URL(link.href, 'http://x').pathname.split('/').filter(Boolean);
    const at = segs.lastIndexOf('stacks');
    if (at >= 0 && at === segs.length - 3) {
      out = { name: decodeURIComponent(segs[at + 1] as string), id: decodeURIComponent(segs[at + 2] as string) };
    }
  } catch {
    out = null;
  }
  if (linkCache.size >= 2048) linkCache.delete(linkCache.keys().next().value as string);
  linkCache.set(link.href, out);
  return out ? { ...out } : undefined;
}

/**
 * A Heat event → StackEvent. `root` is the stack the call was made on (for nested listings the
 * event's own stack comes from its `stack` link). A stack-level event is one whose resource name
 * is its stack's name and whose physical id is its stack's id (the rule python-heatclient uses);
 * it gets `isStackEvent: true` and resource type `OS::Heat::Stack`.
 */
export function toStackEvent(wire: WireEvent, raw: unknown, root: CanonicalStack | undefined): StackEvent {
  const own = stackFromLink(wire.links, 'stack') ?? root;
  const rootLink = stackFromLink(wire.links, 'root_stack') ?? root;
  const name = wire.resource_name ?? wire.logical_resource_id ?? undefined;
  const isStackEvent =
    own !== undefined &&
    name === own.name &&
    (wire.physical_resource_id == null || wire.physical_resource_id === own.id);
  const { action, phase } = mapHeatStatus(wire.resource_status);
  const ev: StackEvent = {
    provider: 'openstack-heat',
    id: wire.id,
    timestamp: wire.event_time,
    stack: {},
    resource: {},
    action,
    phase,
    status: wire.resource_status,
    isStackEvent,
    raw,
  };
  if (own) {
    ev.stack.id = own.id;
    ev.stack.name = own.name;
  }
  if (rootLink) {
    ev.stack.rootId = rootLink.id;
    ev.stack.rootName = rootLink.name;
  }
  if (name != null) ev.resource.logicalId = name;
  if (wire.physical_resource_id) ev.resource.physicalId = wire.physical_resource_id;
  const type = wire.resource_type ?? (isStackEvent ? STACK_RESOURCE_TYPE : undefined);
  if (type) ev.resource.type = type;
  if (wire.resource_status_reason != null) ev.message = wire.resource_status_reason;
  if (wire.resource_properties !== undefined) ev.properties = wire.resource_properties;
  return ev;
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
  const updated = parseTimestamp(wire.updated_time);
  if (updated) info.updatedAt = updated;
  const details: Record<string, unknown> = {};
  if (wire.parent) details.parentId = wire.parent;
  if (wire.project) details.project = wire.project;
  const deleted = parseTimestamp(wire.deletion_time);
  if (deleted) details.deletedAt = deleted;
  if (wire.tags && wire.tags.length > 0) details.tags = wire.tags;
  if (wire.description) details.description = wire.description;
  if (Object.keys(details).length > 0) info.details = details;
  return info;
}
