import type { Deployment, StackEvent } from '@stackfeed/core';
import { redact } from '@stackfeed/core/adapter';
import type { StoredEvent } from '@stackfeed/store';
import type { InventoryItem } from './inventory.js';

/**
 * JSON text of a response body. Redacted once more on the way out: every credential a client of
 * this process registered and every credential-shaped field are masked, whatever a provider put in
 * a raw record or a message (the SDK redacts already; the page must never see a secret).
 */
export function toBody(value: unknown): string {
  return redact(JSON.stringify(value));
}

/** StoredEventJson: the StackEvent as the SDK serializes it, plus its store sequence number. */
export function eventJson(s: StoredEvent): Record<string, unknown> {
  return { ...(s.event as unknown as Record<string, unknown>), seq: s.seq };
}

/** DeploymentJson: core's Deployment, resources with a key, the root cause with its event's reason. */
export function deploymentJson(d: Deployment): Record<string, unknown> {
  return {
    ...d,
    resources: d.resources.map((r) => ({
      key: resourceKey(r.stack, r.resource, d.stack),
      logicalId: r.resource.logicalId,
      type: r.resource.type,
      stack: r.stack,
      resource: r.resource,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      durationSeconds: r.durationSeconds,
      status: r.status,
      phase: r.phase,
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
    })),
    ...(d.rootCause
      ? {
          rootCause: {
            resource: d.rootCause.resource,
            stack: d.rootCause.stack,
            reason: d.rootCause.reason ?? d.rootCause.event.message,
            event: d.rootCause.event,
          },
        }
      : {}),
  };
}

/** A resource's key in a deployment: `logicalId` or `logicalId[key]`, a nested stack's name before it. */
function resourceKey(
  stack: { id?: string; name?: string },
  r: StackEvent['resource'],
  top: { id?: string; name?: string },
): string {
  const own = `${r.logicalId ?? r.name ?? r.physicalId ?? '?'}${r.key !== undefined ? `[${r.key}]` : ''}`;
  const nested = (stack.id !== undefined && stack.id !== top.id) || (stack.id === undefined && stack.name !== top.name);
  return nested && (stack.name || stack.id) ? `${stack.name ?? stack.id}/${own}` : own;
}

/** An inventory item as JSON (dates as ISO strings). */
export function itemJson(i: InventoryItem): Record<string, unknown> {
  return {
    ...i,
    lastEventAt: i.lastEventAt?.toISOString() ?? null,
    error: i.error ? { ...i.error, lastSeen: i.error.lastSeen.toISOString() } : null,
  };
}
