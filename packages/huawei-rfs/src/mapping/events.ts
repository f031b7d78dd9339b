import { hash } from 'node:crypto';
import type { StackEvent, StackInfo } from '@stackfeed/core';
import { parseWire } from '@stackfeed/core/adapter';
import type * as z from 'zod';
import { type RfsEventFields, checkEventsPage, wireEventTime } from '../wire/check.js';
import { loadSchemas } from '../wire/load.js';
import type { WireStack, WireStackEventSchema, WireStackMetadata } from '../wire/schemas.js';
import { EVENT_TYPE_TABLE, STACK_STATUS_TABLE } from './tables.js';

type ParsedEvent = z.output<typeof WireStackEventSchema>;

/**
 * What a listing knows about the events it reads, besides the events themselves.
 * @internal
 */
export interface EventScope {
  stackName: string;
  stackId?: string | undefined;
  deploymentId?: string | undefined;
  /**
   * The wire attributes a `field` selection lets the response carry (undefined: all of them).
   * Whatever was not selected is unknown, never read as absent.
   */
  returned?: ReadonlySet<string> | undefined;
}

/** One length-prefixed part of the content key; `~` for an absent or null field. */
const part = (s: string | null | undefined): string => (s === undefined || s === null ? '~' : `${s.length}:${s}`);

/**
 * The content key of an event: every field that tells one event from another, length-prefixed
 * (`<length>:<text>`, `~` for absent/null) so that no two different events give the same key
 * whatever characters their fields contain. The time is the epoch ms (any notation of the same
 * instant gives the same key). Events have no id in RFS, so two reads of the same event must
 * produce the same key.
 */
export function eventContentKey(stackName: string, ev: RfsEventFields, timeMs: number): string {
  return `${part(stackName)}${part(ev.event_type)}${timeMs}|${part(ev.resource_type)}${part(ev.resource_name)}${part(
    ev.resource_key,
  )}${part(ev.resource_id_key)}${part(ev.resource_id_value)}${part(ev.event_message)}${ev.elapsed_seconds ?? '~'}`;
}

/**
 * Assigns stable ids to the events of one listing, read newest first (the order RFS returns).
 *
 * id = `rfs-` + the first 22 base64url characters (132 bits) of SHA-256 over
 * {@link eventContentKey} (stack name + every event field), plus `.<n>` for the n-th exact
 * duplicate. (Until 2026-11 the hash was core's `contentId` over a JSON tuple with an ISO time:
 * ids read by earlier versions differ from these.) The deployment id is NOT
 * hashed: events do not carry it, so hashing the query's `deployment_id` would give one event two
 * ids (listed with and without it) and break dedupe when a deployment-scoped watch is merged with a
 * full listing. The stack id is not hashed either (it is optional in the ref). Two deployments
 * cannot produce the same event content in the same second, so nothing is lost.
 *
 * The occurrence index counts exact duplicates (same content, same second) from the NEWEST end of
 * the listing, carried across the pages of one listing. Why newest: RFS lists newest first and may
 * prune the oldest events; counting from the newest end keeps indexes unchanged when old events
 * disappear, and a partial read (a watch poll that stops after the first page) counts the same way
 * as a full one. When a new exact duplicate appears, the indexes of its older twins shift by one,
 * but the set of ids grows by exactly one, so a watch yields exactly one new event: the count
 * stays right, and the twins are indistinguishable anyway. A listing resumed from a continuation
 * token in another process restarts the count, so exact twins split across that page boundary can
 * share an id there. Narrowing `fields` changes the content and therefore the ids.
 * @internal
 */
export class EventIdAssigner {
  /**
   * Occurrences so far per digest, partitioned by event time: twins have equal content, so equal
   * times, and a small map per second stays in cache where one map of the whole listing does not.
   */
  private readonly byTime = new Map<number, Map<string, number>>();
  private runMs = Number.NaN;
  private run: Map<string, number> | undefined;
  constructor(private readonly scope: EventScope) {}

  /** The id of a parsed event that has a time (`time` or `timestamp`). */
  idFor(ev: ParsedEvent): string {
    return this.idForFields(ev, wireEventTime(ev)?.getTime() ?? Number.NaN);
  }

  /** The id of an event given its fields and its time in epoch ms. */
  idForFields(ev: RfsEventFields, timeMs: number): string {
    // One-shot hash: no Hash object per event (the streaming API costs several times more here).
    const digest = hash('sha256', eventContentKey(this.scope.stackName, ev, timeMs), 'base64url').slice(0, 22);
    let counts = this.run;
    if (timeMs !== this.runMs || counts === undefined) {
      counts = this.byTime.get(timeMs);
      if (counts === undefined) {
        counts = new Map();
        this.byTime.set(timeMs, counts);
      }
      this.run = counts;
      this.runMs = timeMs;
    }
    const n = counts.get(digest);
    counts.set(digest, n === undefined ? 1 : n + 1);
    return n === undefined ? `rfs-${digest}` : `rfs-${digest}.${n}`;
  }
}

/**
 * One RFS wire event → StackEvent, or undefined when the record has no time (a timestamp is never
 * invented). `raw` is the record as received.
 * @internal
 */
export function toStackEvent(ev: ParsedEvent, raw: unknown, id: string, scope: EventScope): StackEvent | undefined {
  const time = wireEventTime(ev);
  return time ? eventFromFields(ev, time, raw, id, scope) : undefined;
}

/**
 * Whether the event is about the stack itself (no resource), decided only from what came back:
 * a resource name or type says no; both absent says yes only when both were selected, otherwise
 * the answer is unknown and not claimed.
 */
function stackEventOf(ev: RfsEventFields, returned: ReadonlySet<string> | undefined): boolean | undefined {
  if (ev.resource_name || ev.resource_type) return false;
  if (returned && !(returned.has('resource_name') && returned.has('resource_type'))) return undefined;
  return true;
}

/**
 * The mapping itself, on the event's fields and its time (the listing's hot path calls this on the
 * records as received, once they passed the page check).
 */
export function eventFromFields(
  ev: RfsEventFields,
  time: Date,
  raw: unknown,
  id: string,
  scope: EventScope,
): StackEvent {
  const status = ev.event_type ?? '';
  const { action, phase } = EVENT_TYPE_TABLE.map(status);
  const resourceName = ev.resource_name;
  const resourceType = ev.resource_type;
  const resource: StackEvent['resource'] = {};
  const out: StackEvent = {
    provider: 'huawei-rfs',
    id,
    timestamp: time,
    stack: scope.stackId ? { name: scope.stackName, id: scope.stackId } : { name: scope.stackName },
    resource,
    action,
    phase,
    status,
    raw,
  };
  if (resourceName) {
    resource.logicalId = resourceName;
    resource.name = resourceName;
  }
  if (resourceType) resource.type = resourceType;
  const physical = ev.resource_id_value;
  if (physical) resource.physicalId = physical;
  const key = ev.resource_key;
  if (key !== undefined && key !== null) resource.key = key;
  const message = ev.event_message;
  if (message !== undefined && message !== null) out.message = message;
  const elapsed = ev.elapsed_seconds;
  if (elapsed !== undefined && elapsed !== null) out.elapsedSeconds = elapsed;
  // RFS records do not carry their deployment: it is known only when the listing was scoped to one.
  if (scope.deploymentId) out.deploymentId = scope.deploymentId;
  const isStack = stackEventOf(ev, scope.returned);
  if (isStack !== undefined) out.isStackEvent = isStack;
  const idKey = ev.resource_id_key;
  if (idKey || physical || scope.deploymentId) {
    const details: Record<string, unknown> = {};
    if (idKey) details.resourceIdKey = idKey;
    if (physical) details.resourceIdValue = physical;
    if (scope.deploymentId) details.deploymentId = scope.deploymentId;
    out.details = details;
  }
  return out;
}

/** What {@link normalizeEventsPage} gives back. */
export interface NormalizedEventsPage {
  items: StackEvent[];
  nextMarker: string | undefined;
}

/**
 * A ListStackEvents body (JSON-parsed) → StackEvents with their ids through the zod-free page check
 * alone (sync): undefined when the check says no (then {@link normalizeEventsPage} parses with zod).
 */
export function normalizeCheckedEventsPage(
  body: unknown,
  scope: EventScope,
  assigner: EventIdAssigner,
): NormalizedEventsPage | undefined {
  const checked = checkEventsPage(body);
  if (checked) {
    const { events, times } = checked;
    const items: StackEvent[] = [];
    for (let i = 0; i < events.length; i++) {
      const ms = times[i] as number;
      // No time, no event: the record stays in the page's `raw` only.
      if (Number.isNaN(ms)) continue;
      const ev = events[i] as RfsEventFields;
      items.push(eventFromFields(ev, new Date(ms), ev, assigner.idForFields(ev, ms), scope));
    }
    return { items, nextMarker: checked.nextMarker };
  }
  return undefined;
}

/**
 * A ListStackEvents body (JSON-parsed) → StackEvents with their ids, validated: the fast page
 * check first, else the zod schema, loaded then (INVALID_RESPONSE naming the field path).
 */
export async function normalizeEventsPage(
  body: unknown,
  scope: EventScope,
  assigner: EventIdAssigner,
  ctx: { operation: string; requestId?: string | undefined },
): Promise<NormalizedEventsPage> {
  const fast = normalizeCheckedEventsPage(body, scope, assigner);
  if (fast) return fast;
  const { ListStackEventsResponseSchema } = await loadSchemas();
  const parsed = parseWire(ListStackEventsResponseSchema, body, {
    provider: 'huawei-rfs',
    operation: ctx.operation,
    requestId: ctx.requestId,
  });
  const rawEvents = ((body as { stack_events?: unknown[] }).stack_events ?? []) as unknown[];
  const items: StackEvent[] = [];
  const wire = parsed.stack_events ?? [];
  for (let i = 0; i < wire.length; i++) {
    const ev = wire[i] as ParsedEvent;
    const time = wireEventTime(ev);
    if (!time) continue;
    items.push(eventFromFields(ev, time, rawEvents[i], assigner.idForFields(ev, time.getTime()), scope));
  }
  return { items, nextMarker: parsed.page_info?.next_marker || undefined };
}

/**
 * A parsed stack (ListStacks item or GetStackMetadata) → StackInfo; `raw` is the record as received.
 * @internal
 */
export function toStackInfo(s: WireStack | WireStackMetadata, raw: unknown = s): StackInfo {
  const status = s.status ?? '';
  const m = STACK_STATUS_TABLE.map(status);
  const out: StackInfo = {
    provider: 'huawei-rfs',
    name: s.stack_name,
    state: m.state,
    action: m.action,
    phase: m.phase,
    status,
    raw,
  };
  if (s.stack_id) out.id = s.stack_id;
  if (s.status_message) out.reason = s.status_message;
  if (s.create_time) out.createdAt = s.create_time;
  if (s.update_time) out.updatedAt = s.update_time;
  const details: Record<string, unknown> = {};
  if (s.description) details.description = s.description;
  const meta = s as Partial<WireStackMetadata>;
  if (typeof meta.enable_auto_rollback === 'boolean') details.enableAutoRollback = meta.enable_auto_rollback;
  if (typeof meta.enable_deletion_protection === 'boolean')
    details.enableDeletionProtection = meta.enable_deletion_protection;
  if (Object.keys(details).length > 0) out.details = details;
  return out;
}
