import type { StackEvent } from '@stackfeed/core';

/**
 * Where one RFS deployment ends and the next begins in a stack's event listing.
 *
 * RFS gives every deploy and rollback a `deployment_id`, but no read API returns it: not the
 * events, not ListStacks, not GetStackMetadata (only DeployStack / CreateStack answer it). So a
 * listing of all events is split by what the events themselves show. Each run of `terraform apply`
 * opens with stack-level `LOG` lines (no resource: "Apply required resource success."), then its
 * resource events, and ends with a stack-level `SUMMARY` ("Apply complete! …") or a failure
 * (`*_FAILED`, `ERROR`). Rule: a stack-level `LOG` opens a new deployment when the current one has
 * ended (a SUMMARY or a failure) or already has resource events; leading LOG lines stay together.
 * Events before the first opening LOG belong to a deployment whose start was pruned.
 */
export interface Segment {
  /** Oldest first. */
  events: StackEvent[];
  /** The stack-level LOG that opened it; undefined when its start is not in the listing. */
  opening: StackEvent | undefined;
  /** The stack-level SUMMARY that closed it, when it has one. */
  summary: StackEvent | undefined;
  /** Its first FAILED event (resource failure or ERROR line), when it has one. */
  firstFailure: StackEvent | undefined;
  hasResourceEvents: boolean;
}

/** A stack-level event: no resource name or type (the mapping sets `isStackEvent` when it can tell). */
export const isStackLevel = (ev: StackEvent): boolean =>
  ev.isStackEvent ?? (ev.resource.logicalId === undefined && ev.resource.type === undefined);

/** Split a stack's events (oldest first) into deployments, oldest first. */
export function splitDeployments(events: readonly StackEvent[]): Segment[] {
  const out: Segment[] = [];
  let cur: Segment | undefined;
  for (const ev of events) {
    const stackLevel = isStackLevel(ev);
    const opens = stackLevel && ev.status === 'LOG';
    // A pruned-start deployment (no opening LOG) ends at the next LOG whatever it held.
    const ended = (c: Segment) => !c.opening || c.summary || c.firstFailure || c.hasResourceEvents;
    if (!cur || (opens && ended(cur))) {
      cur = {
        events: [],
        opening: opens ? ev : undefined,
        summary: undefined,
        firstFailure: undefined,
        hasResourceEvents: false,
      };
      out.push(cur);
    }
    cur.events.push(ev);
    if (!stackLevel) cur.hasResourceEvents = true;
    if (stackLevel && ev.status === 'SUMMARY') cur.summary ??= ev;
    if (ev.phase === 'FAILED') cur.firstFailure ??= ev;
  }
  return out;
}
