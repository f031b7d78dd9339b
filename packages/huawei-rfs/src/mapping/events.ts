import { type StackEvent, type StackInfo, contentId, parseTimestamp } from '@stackfeed/core';
import type { z } from 'zod';
import type { WireStackEventSchema, WireStackMetadata, WireStack } from '../wire/schemas.js';
import { EVENT_TYPE_TABLE, STACK_STATUS_TABLE } from './tables.js';

type ParsedEvent = z.output<typeof WireStackEventSchema>;

/** What a listing knows about the events it reads, besides the events themselves. */
export interface EventScope {
  stackName: string;
  stackId?: string | undefined;
  deploymentId?: string | undefined;
}

const nn = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/**
 * The content key of an event: every field that tells one event from another. Events have no id
 * in RFS, so two reads of the same event must produce the same key.
 */
function contentParts(scope: EventScope, ev: ParsedEvent): unknown[] {
  return [
    scope.stackName,
    ev.event_type,
    ev.time.toISOString(),
    nn(ev.resource_type) ?? null,
    nn(ev.resource_name) ?? null,
    nn(ev.resource_key) ?? null,
    nn(ev.resource_id_key) ?? null,
    nn(ev.resource_id_value) ?? null,
    nn(ev.event_message) ?? null,
    nn(ev.elapsed_seconds) ?? null,
  ];
}

/**
 * Assigns stable ids to the events of one listing, read newest first (the order RFS returns).
 *
 * id = hash(stack name, every event field) + occurrence index. The deployment id is NOT hashed:
 * events do not carry it, so hashing the query's `deployment_id` would give one event two ids
 * (listed with and without it) and break dedupe when a deployment-scoped watch is merged with a
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
 */
export class EventIdAssigner {
  private readonly counts = new Map<string, number>();
  constructor(private readonly scope: EventScope) {}

  idFor(ev: ParsedEvent): string {
    // The tuple holds only primitives, so JSON.stringify is canonical; one string part hashes in one
    // pass (several times cheaper than one part per field through a key-sorting replacer).
    const base = contentId('rfs', [JSON.stringify(contentParts(this.scope, ev))]);
    const n = this.counts.get(base) ?? 0;
    this.counts.set(base, n + 1);
    return n === 0 ? base : `${base}.${n}`;
  }
}

/** One RFS wire event → StackEvent. `raw` is the record as received. */
export function toStackEvent(ev: ParsedEvent, raw: unknown, id: string, scope: EventScope): StackEvent {
  const { action, phase } = EVENT_TYPE_TABLE.map(ev.event_type);
  const resourceName = nn(ev.resource_name);
  const resourceType = nn(ev.resource_type);
  const out: StackEvent = {
    provider: 'huawei-rfs',
    id,
    timestamp: ev.time,
    stack: { name: scope.stackName, ...(scope.stackId ? { id: scope.stackId } : {}) },
    resource: {},
    action,
    phase,
    status: ev.event_type,
    raw,
  };
  if (resourceName) {
    out.resource.logicalId = resourceName;
    out.resource.name = resourceName;
  }
  if (resourceType) out.resource.type = resourceType;
  const physical = nn(ev.resource_id_value);
  if (physical) out.resource.physicalId = physical;
  const key = nn(ev.resource_key);
  if (key !== undefined) out.resource.key = key;
  const message = nn(ev.event_message);
  if (message !== undefined) out.message = message;
  const elapsed = nn(ev.elapsed_seconds);
  if (elapsed !== undefined) out.elapsedSeconds = elapsed;
  out.isStackEvent = !resourceName && !resourceType;
  const details: Record<string, unknown> = {};
  const idKey = nn(ev.resource_id_key);
  if (idKey) details.resourceIdKey = idKey;
  if (physical) details.resourceIdValue = physical;
  if (scope.deploymentId) details.deploymentId = scope.deploymentId;
  if (Object.keys(details).length > 0) out.details = details;
  return out;
}

/** A stack (ListStacks item or GetStackMetadata) → StackInfo. */
export function toStackInfo(s: WireStack | WireStackMetadata): StackInfo {
  const status = s.status ?? '';
  const m = STACK_STATUS_TABLE.map(status);
  const out: StackInfo = {
    provider: 'huawei-rfs',
    name: s.stack_name,
    state: m.state,
    action: m.action,
    phase: m.phase,
    status,
    raw: s,
  };
  if (s.stack_id) out.id = s.stack_id;
  if (s.status_message) out.reason = s.status_message;
  const created = parseTimestamp(s.create_time);
  if (created) out.createdAt = created;
  const updated = parseTimestamp(s.update_time);
  if (updated) out.updatedAt = updated;
  const details: Record<string, unknown> = {};
  if (s.description) details.description = s.description;
  const meta = s as Partial<WireStackMetadata>;
  if (typeof meta.enable_auto_rollback === 'boolean') details.enableAutoRollback = meta.enable_auto_rollback;
  if (typeof meta.enable_deletion_protection === 'boolean')
    details.enableDeletionProtection = meta.enable_deletion_protection;
  if (Object.keys(details).length > 0) out.details = details;
  return out;
}
