import type { WireLifecycleResource } from './schemas.js';

/**
 * The earliest time Image Builder can report, 2000-01-01T00:00:00Z (the service dates from 2019).
 * The SDK reads a restJson1 timestamp given as a numeric string as epoch seconds, so
 * `endTime: "20260101"` arrives as 1970-08-23: any earlier time is no answer but a misread value.
 */
export const MIN_WIRE_TIME_MS = Date.UTC(2000, 0, 1);

/**
 * Allocation-free checks for the hot path (lifecycle executions with thousands of resources):
 * they accept exactly what the zod schemas accept (a property test holds them to it), so a page
 * that passes is used as the SDK returned it, and a page that fails is parsed with zod to report
 * the offending field path.
 */

const optString = (v: unknown) => v === undefined || typeof v === 'string';

const isState = (v: unknown): boolean =>
  v === undefined ||
  (typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    optString((v as { status?: unknown }).status) &&
    optString((v as { reason?: unknown }).reason));

const isAction = (v: unknown): boolean =>
  v === undefined ||
  (typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    optString((v as { name?: unknown }).name) &&
    optString((v as { reason?: unknown }).reason));

/** Same acceptance as `wireTimestamp`: a valid Date, not before 2000-01-01 (NaN fails the comparison). */
const isOptDate = (v: unknown) => v === undefined || (v instanceof Date && v.getTime() >= MIN_WIRE_TIME_MS);

/** Same acceptance as `LifecycleResourceSchema`. */
export function isLifecycleResource(v: unknown): v is WireLifecycleResource {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  if (!optString(r.resourceId) || !optString(r.accountId) || !optString(r.region)) return false;
  if (!isState(r.state) || !isAction(r.action)) return false;
  if (!isOptDate(r.startTime) || !isOptDate(r.endTime)) return false;
  const snaps = r.snapshots;
  if (snaps !== undefined) {
    if (!Array.isArray(snaps)) return false;
    for (const s of snaps) {
      if (typeof s !== 'object' || s === null || Array.isArray(s)) return false;
      if (!optString((s as { snapshotId?: unknown }).snapshotId)) return false;
      if (!isState((s as { state?: unknown }).state)) return false;
    }
  }
  const uris = r.imageUris;
  if (uris !== undefined) {
    if (!Array.isArray(uris)) return false;
    for (const u of uris) if (typeof u !== 'string') return false;
  }
  return true;
}

/** Same acceptance as `ListLifecycleResourcesSchema`. */
export function isLifecycleResourcesPage(v: unknown): v is {
  lifecycleExecutionId?: string;
  lifecycleExecutionState?: { status?: string; reason?: string };
  resources?: WireLifecycleResource[];
  nextToken?: string;
} {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const p = v as Record<string, unknown>;
  if (!optString(p.lifecycleExecutionId) || !optString(p.nextToken) || !isState(p.lifecycleExecutionState))
    return false;
  const rs = p.resources;
  if (rs === undefined) return true;
  if (!Array.isArray(rs)) return false;
  for (const r of rs) if (!isLifecycleResource(r)) return false;
  return true;
}
