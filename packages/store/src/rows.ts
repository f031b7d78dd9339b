import type { ExecutionInfo, ImageInfo, StackEvent } from '@stackfeed/core';

/** What a store can hold: the three record kinds of the model. */
export type Archivable = StackEvent | ImageInfo | ExecutionInfo;

export type RecordKind = 'event' | 'image' | 'execution';

/** A stored event with its row number in the store: increasing in insertion order, a resume point. */
export interface StoredEvent {
  /** The store's sequence number of the row (a decimal string: it is a 64-bit integer). */
  seq: string;
  event: StackEvent;
}

/** Which model record this is (by the fields only that kind has). */
export function kindOf(item: unknown): RecordKind | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const o = item as Record<string, unknown>;
  if (o.timestamp instanceof Date && typeof o.phase === 'string' && typeof o.id === 'string') return 'event';
  if (Array.isArray(o.artifacts) && typeof o.state === 'string' && typeof o.id === 'string') return 'image';
  if (typeof o.kind === 'string' && typeof o.state === 'string' && typeof o.id === 'string') return 'execution';
  return undefined;
}

/**
 * The stack an event belongs to, for idempotency: its id, or its name where the provider gives no
 * id. Re-reads of the same event carry the same stack fields, so they land on the same key.
 */
export function stackKeyOf(ev: StackEvent): string {
  return ev.stack.id ?? ev.stack.name ?? '';
}

/**
 * JSON for PostgreSQL: `\u0000` is the one character text and jsonb cannot hold. A provider
 * message carrying it must not block archiving forever, so it becomes U+FFFD (only where the
 * backslash before `u0000` is itself unescaped).
 */
export function pgJson(value: unknown): string {
  const json = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  return json.includes('\\u0000') ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : json;
}

/** Code-unit order of two strings (the order of the keys rows are written in). */
export const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const iso = (d: Date | undefined) => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : null);

/** One events row, as the JSON object `jsonb_to_recordset` reads. */
export function eventRow(ev: StackEvent): Record<string, unknown> {
  return {
    provider: ev.provider,
    stack_key: stackKeyOf(ev),
    event_id: ev.id,
    ts: ev.timestamp.toISOString(),
    stack_id: ev.stack.id ?? null,
    stack_name: ev.stack.name ?? null,
    root_id: ev.stack.rootId ?? null,
    root_name: ev.stack.rootName ?? null,
    logical_id: ev.resource.logicalId ?? null,
    physical_id: ev.resource.physicalId ?? null,
    resource_type: ev.resource.type ?? null,
    resource_name: ev.resource.name ?? null,
    resource_key: ev.resource.key ?? null,
    action: ev.action,
    phase: ev.phase,
    status: ev.status,
    message: ev.message ?? null,
    elapsed_seconds: ev.elapsedSeconds ?? null,
    properties: ev.properties ?? null,
    is_stack_event: ev.isStackEvent ?? null,
    deployment_id: ev.deploymentId ?? null,
    details: ev.details ?? null,
    raw: ev.raw ?? null,
  };
}

/** The record definition of an events row in `jsonb_to_recordset(...) as r(<this>)`. */
export const EVENT_RECORD = `provider text, stack_key text, event_id text, ts timestamptz, stack_id text, stack_name text,
  root_id text, root_name text, logical_id text, physical_id text, resource_type text, resource_name text,
  resource_key text, action text, phase text, status text, message text, elapsed_seconds double precision,
  properties jsonb, is_stack_event boolean, deployment_id text, details jsonb, raw jsonb`;

export const EVENT_COLUMNS = `provider, stack_key, event_id, ts, stack_id, stack_name, root_id, root_name, logical_id,
  physical_id, resource_type, resource_name, resource_key, action, phase, status, message, elapsed_seconds,
  properties, is_stack_event, deployment_id, details, raw`;

/** The select list that `toStackEvent` reads. */
export const EVENT_SELECT = `seq::text as seq, provider, event_id, (extract(epoch from ts) * 1000)::float8 as ts_ms,
  stack_id, stack_name, root_id, root_name, logical_id, physical_id, resource_type, resource_name, resource_key,
  action, phase, status, message, elapsed_seconds, properties, is_stack_event, deployment_id, details, raw,
  (extract(epoch from first_seen) * 1000)::float8 as first_seen_ms`;

export interface EventRowOut {
  seq: string;
  provider: string;
  event_id: string;
  ts_ms: number;
  stack_id: string | null;
  stack_name: string | null;
  root_id: string | null;
  root_name: string | null;
  logical_id: string | null;
  physical_id: string | null;
  resource_type: string | null;
  resource_name: string | null;
  resource_key: string | null;
  action: string;
  phase: string;
  status: string;
  message: string | null;
  elapsed_seconds: number | null;
  properties: unknown;
  is_stack_event: boolean | null;
  deployment_id: string | null;
  details: Record<string, unknown> | null;
  raw: unknown;
  first_seen_ms: number;
}

/** Set `o[key]` only when the stored column has a value: absent fields stay absent (NULL is not one). */
export function put<O extends object, K extends keyof O>(o: O, key: K, v: O[K] | null | undefined) {
  if (v !== null && v !== undefined) o[key] = v;
}

/** A stored row back into the model: the same StackEvent that was archived (absent fields stay absent). */
export function toStackEvent(r: EventRowOut): StackEvent {
  const stack: StackEvent['stack'] = {};
  put(stack, 'id', r.stack_id);
  put(stack, 'name', r.stack_name);
  put(stack, 'rootId', r.root_id);
  put(stack, 'rootName', r.root_name);
  const resource: StackEvent['resource'] = {};
  put(resource, 'logicalId', r.logical_id);
  put(resource, 'physicalId', r.physical_id);
  put(resource, 'type', r.resource_type);
  put(resource, 'name', r.resource_name);
  put(resource, 'key', r.resource_key);
  const ev: StackEvent = {
    provider: r.provider as StackEvent['provider'],
    id: r.event_id,
    timestamp: new Date(r.ts_ms),
    stack,
    resource,
    action: r.action as StackEvent['action'],
    phase: r.phase as StackEvent['phase'],
    status: r.status,
    raw: r.raw,
  };
  put(ev, 'message', r.message);
  put(ev, 'elapsedSeconds', r.elapsed_seconds);
  put(ev, 'properties', r.properties);
  put(ev, 'isStackEvent', r.is_stack_event);
  put(ev, 'deploymentId', r.deployment_id);
  put(ev, 'details', r.details);
  return ev;
}

export function imageRow(img: ImageInfo): Record<string, unknown> {
  return {
    provider: img.provider,
    image_id: img.id,
    name: img.name ?? null,
    version: img.version ?? null,
    region: img.region ?? null,
    state: img.state,
    status: img.status,
    reason: img.reason ?? null,
    created_at: iso(img.createdAt),
    updated_at: iso(img.updatedAt),
    artifacts: img.artifacts,
    stack: img.stack ? { ...img.stack, createdAt: iso(img.stack.createdAt) ?? undefined } : null,
    tags: img.tags ?? {},
    details: img.details ?? null,
    raw: img.raw ?? null,
  };
}

export function executionRow(ex: ExecutionInfo): Record<string, unknown> {
  return {
    provider: ex.provider,
    execution_id: ex.id,
    kind: ex.kind,
    state: ex.state,
    status: ex.status,
    reason: ex.reason ?? null,
    started_at: iso(ex.startedAt),
    ended_at: iso(ex.endedAt),
    details: ex.details ?? null,
    raw: ex.raw ?? null,
  };
}
