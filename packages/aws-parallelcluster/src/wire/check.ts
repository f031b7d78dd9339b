import { parseIsoTimestamp } from '@stackfeed/core/adapter';
import type { StackEventWire } from './api.js';

/**
 * The zod-free side of the ParallelCluster API's wire shapes: what a stack-event listing's hot path
 * reads without loading zod (schemas in `api.ts`, loaded by `load.ts` when a parse needs one).
 */

/** A StackEvent as {@link readStackEventsFast} hands it over: the schema's fields, `timestamp` parsed. */
export type StackEventRecord = Omit<StackEventWire, 'timestamp'> & { timestamp: Date };

/**
 * The hot path of GetClusterStackEvents / GetImageStackEvents (100 events a page, pages by the
 * thousand): accepts exactly what `StackEventsWire` (api.ts) accepts (a property test holds it to
 * that) and builds the same records with each timestamp parsed ONCE, without zod's per-field
 * work. Returns undefined for anything else; the caller then runs zod, which names the bad field.
 */
export function readStackEventsFast(
  body: unknown,
): { events: StackEventRecord[]; nextToken: string | undefined } | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const nt = b.nextToken;
  if (nt !== undefined && nt !== null && typeof nt !== 'string') return undefined;
  const list = b.events;
  const events: StackEventRecord[] = [];
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) return undefined;
    for (const e of list) {
      if (typeof e !== 'object' || e === null || Array.isArray(e)) return undefined;
      const r = e as Record<string, unknown>;
      // Field by field into one fixed-shape literal: keyed stores into an empty object cost more.
      const stackId = r.stackId;
      const eventId = r.eventId;
      const stackName = r.stackName;
      if (typeof stackId !== 'string' || typeof eventId !== 'string' || typeof stackName !== 'string') {
        return undefined;
      }
      const logicalResourceId = r.logicalResourceId ?? undefined;
      const physicalResourceId = r.physicalResourceId ?? undefined;
      const resourceType = r.resourceType ?? undefined;
      const resourceStatus = r.resourceStatus ?? undefined;
      const resourceStatusReason = r.resourceStatusReason ?? undefined;
      const resourceProperties = r.resourceProperties ?? undefined;
      const clientRequestToken = r.clientRequestToken ?? undefined;
      const hookType = r.hookType ?? undefined;
      const hookStatus = r.hookStatus ?? undefined;
      const hookStatusReason = r.hookStatusReason ?? undefined;
      const hookInvocationPoint = r.hookInvocationPoint ?? undefined;
      if (
        (logicalResourceId !== undefined && typeof logicalResourceId !== 'string') ||
        (physicalResourceId !== undefined && typeof physicalResourceId !== 'string') ||
        (resourceType !== undefined && typeof resourceType !== 'string') ||
        (resourceStatus !== undefined && typeof resourceStatus !== 'string') ||
        (resourceStatusReason !== undefined && typeof resourceStatusReason !== 'string') ||
        (resourceProperties !== undefined && typeof resourceProperties !== 'string') ||
        (clientRequestToken !== undefined && typeof clientRequestToken !== 'string') ||
        (hookType !== undefined && typeof hookType !== 'string') ||
        (hookStatus !== undefined && typeof hookStatus !== 'string') ||
        (hookStatusReason !== undefined && typeof hookStatusReason !== 'string') ||
        (hookInvocationPoint !== undefined && typeof hookInvocationPoint !== 'string')
      ) {
        return undefined;
      }
      const t = r.timestamp;
      const timestamp = typeof t === 'string' ? parseIsoTimestamp(t) : undefined;
      if (timestamp === undefined) return undefined;
      events.push({
        stackId,
        eventId,
        stackName,
        logicalResourceId,
        physicalResourceId,
        resourceType,
        timestamp,
        resourceStatus,
        resourceStatusReason,
        resourceProperties,
        clientRequestToken,
        hookType,
        hookStatus,
        hookStatusReason,
        hookInvocationPoint,
      });
    }
  }
  return { events, nextToken: typeof nt === 'string' ? nt : undefined };
}
