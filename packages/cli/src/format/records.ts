import type { Deployment, ExecutionInfo, ImageInfo, StackEvent, StackInfo, WatchResult } from '@stackfeed/core';

/**
 * The NDJSON/JSON records the CLI prints: version 1 of a stable, documented schema (docs/cli.md).
 * Field names follow the SDK's model; times are ISO 8601 UTC strings; absent fields are omitted;
 * `raw` (the provider's record) only with `--raw`. New fields may be added; none is renamed or removed.
 */
export const RECORD_SCHEMA_VERSION = 1;

type Json = Record<string, unknown>;

const iso = (d: Date | undefined) => (d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined);

/** Drops undefined values (and empty objects) so records stay small and stable. */
function compact(o: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
      const inner = compact(v as Json);
      if (Object.keys(inner).length === 0 && k !== 'tags') continue;
      out[k] = inner;
    } else out[k] = v;
  }
  return out;
}

/** A StackEvent as a record of type `event`. */
export function eventRecord(ev: StackEvent, raw = false): Json {
  return compact({
    type: 'event',
    v: RECORD_SCHEMA_VERSION,
    provider: ev.provider,
    id: ev.id,
    timestamp: iso(ev.timestamp),
    stack: { ...ev.stack },
    resource: { ...ev.resource },
    action: ev.action,
    phase: ev.phase,
    status: ev.status,
    message: ev.message,
    elapsedSeconds: ev.elapsedSeconds,
    isStackEvent: ev.isStackEvent,
    details: ev.details,
    raw: raw ? ev.raw : undefined,
  });
}

/** An ImageInfo as a record of type `image`. */
export function imageRecord(img: ImageInfo, raw = false): Json {
  return compact({
    type: 'image',
    v: RECORD_SCHEMA_VERSION,
    provider: img.provider,
    id: img.id,
    name: img.name,
    version: img.version,
    region: img.region,
    state: img.state,
    status: img.status,
    reason: img.reason,
    createdAt: iso(img.createdAt),
    updatedAt: iso(img.updatedAt),
    artifacts: img.artifacts,
    stack: img.stack ? { ...img.stack, createdAt: iso(img.stack.createdAt) } : undefined,
    tags: img.tags,
    details: img.details,
    raw: raw ? img.raw : undefined,
  });
}

/** An ExecutionInfo as a record of type `execution`. */
export function executionRecord(ex: ExecutionInfo, raw = false): Json {
  return compact({
    type: 'execution',
    v: RECORD_SCHEMA_VERSION,
    provider: ex.provider,
    id: ex.id,
    kind: ex.kind,
    state: ex.state,
    status: ex.status,
    reason: ex.reason,
    startedAt: iso(ex.startedAt),
    endedAt: iso(ex.endedAt),
    details: ex.details,
    raw: raw ? ex.raw : undefined,
  });
}

/** A Deployment as a record of type `deployment` (its root cause as the event record it points at). */
export function deploymentRecord(d: Deployment): Json {
  return compact({
    type: 'deployment',
    v: RECORD_SCHEMA_VERSION,
    provider: d.provider,
    stack: d.stack,
    id: d.id,
    action: d.action,
    outcome: d.outcome,
    status: d.status,
    reason: d.reason,
    startedAt: iso(d.startedAt),
    endedAt: iso(d.endedAt),
    durationSeconds: d.durationSeconds,
    rootCause: d.rootCause
      ? compact({
          stack: d.rootCause.stack,
          resource: d.rootCause.resource,
          reason: d.rootCause.reason,
          timestamp: iso(d.rootCause.event.timestamp),
          eventId: d.rootCause.event.id,
        })
      : undefined,
    counts: d.counts,
    resources: d.resources.map((r) =>
      compact({
        stack: r.stack,
        resource: r.resource,
        phase: r.phase,
        status: r.status,
        startedAt: iso(r.startedAt),
        endedAt: iso(r.endedAt),
        durationSeconds: r.durationSeconds,
        reason: r.reason,
      }),
    ),
  });
}

/** A StackInfo as a record of type `stack`. */
export function stackRecord(st: StackInfo, raw = false): Json {
  return compact({
    type: 'stack',
    v: RECORD_SCHEMA_VERSION,
    provider: st.provider,
    id: st.id,
    name: st.name,
    state: st.state,
    action: st.action,
    phase: st.phase,
    status: st.status,
    reason: st.reason,
    createdAt: iso(st.createdAt),
    updatedAt: iso(st.updatedAt),
    raw: raw ? st.raw : undefined,
  });
}

/** How a followed deployment ended, as a record of type `result`. */
export function resultRecord(provider: string, target: string, result: WatchResult | undefined, events: number): Json {
  return compact({
    type: 'result',
    v: RECORD_SCHEMA_VERSION,
    provider,
    target,
    outcome: result?.outcome ?? 'incomplete',
    status: result?.status,
    reason: result?.reason,
    events,
  });
}

/** JSON.stringify that survives what providers may put in `raw`/`details` (bigint, cycles). */
export function toJson(value: unknown, indent?: number): string {
  const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);
  try {
    return JSON.stringify(value, big, indent);
  } catch {
    // A cycle: repeat references become a marker.
    const seen = new WeakSet<object>();
    return JSON.stringify(
      value,
      (k, v: unknown) => {
        const b = big(k, v);
        if (b && typeof b === 'object') {
          if (seen.has(b)) return '[Circular]';
          seen.add(b);
        }
        return b;
      },
      indent,
    );
  }
}
