import type { Deployment, DeploymentOutcome, ResourceTiming, RootCause } from '../models/deployment.js';
import type { ProviderId } from '../models/enums.js';
import type { StackEvent } from '../models/types.js';

/** How {@link groupDeployments} tells a stack's own events apart and names its deployments. */
export interface GroupDeploymentsOptions {
  provider: ProviderId;
  /** The top-level stack: stack-level events whose stack matches it (by id, else by name) are its own. */
  stack: { id?: string | undefined; name?: string | undefined };
  /**
   * The id of a deployment, from the stack-level event that opened it. Default: the event's
   * `deploymentId`, else `<action>-<epoch ms>` of that event, which is the same on every re-read.
   */
  idOf?: ((opening: StackEvent) => string) | undefined;
}

const TERMINAL = new Set(['COMPLETE', 'FAILED', 'SKIPPED', 'CANCELLED']);

/** One deployment while it is being assembled. */
interface Draft {
  id: string;
  opening?: StackEvent;
  events: StackEvent[];
  /** The stack's own stack-level events, oldest first. */
  own: StackEvent[];
  rolledBack: boolean;
}

function defaultId(opening: StackEvent): string {
  return opening.deploymentId ?? `${opening.action.toLowerCase()}-${opening.timestamp.getTime()}`;
}

/** A stack-level event of the stack itself (not of a nested stack): by id when both have one, else by name. */
export function isOwnStackEvent(event: StackEvent, stack: GroupDeploymentsOptions['stack']): boolean {
  if (event.isStackEvent !== true) return false;
  if (stack.id !== undefined && event.stack.id !== undefined) return event.stack.id === stack.id;
  if (stack.name !== undefined && event.stack.name !== undefined) return event.stack.name === stack.name;
  // A stack-level event that names no stack at all can only be the stack's own.
  return event.stack.id === undefined && event.stack.name === undefined;
}

/** Does a stack-level IN_PROGRESS event continue the current deployment instead of opening one? */
function continues(current: Draft, event: StackEvent): boolean {
  // Pruned start, nothing stack-level seen yet: only its rollback can be told to belong to it.
  if (current.opening === undefined && current.own.length === 0) return isRollback(event);
  if (!ended(current)) return true;
  return current.own.at(-1)?.phase === 'FAILED' && isRollback(event);
}

/** Has this draft's operation ended (its last own stack-level event terminal)? */
function ended(draft: Draft): boolean {
  const last = draft.own.at(-1);
  return last !== undefined && TERMINAL.has(last.phase);
}

/** An event of a rollback (`ROLLBACK` action, or a status that says so, e.g. `UPDATE_ROLLBACK_IN_PROGRESS`). */
export function isRollback(event: StackEvent): boolean {
  return event.action === 'ROLLBACK' || event.status.toUpperCase().includes('ROLLBACK');
}

/**
 * Splits a stack's events (any order; nested stacks' events included) into its deployments,
 * oldest first. The rules, the same on every provider:
 * - An event carrying `deploymentId` belongs to that deployment.
 * - Otherwise a top-level stack-level IN_PROGRESS event opens a new deployment, unless the current
 *   one is still running, or it failed and this event starts its rollback (then it continues it).
 * - Events before the first opening event form a deployment whose start was pruned:
 *   `startedAt` stays undefined, never guessed.
 * - `rootCause` is the earliest FAILED resource event (nested stacks included), else the earliest
 *   failure of a nested stack, else the stack's own failure.
 */
export function groupDeployments(events: readonly StackEvent[], options: GroupDeploymentsOptions): Deployment[] {
  const idOf = options.idOf ?? defaultId;
  // Oldest first; ties keep the input order (Array.prototype.sort is stable).
  const sorted = [...events].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  const drafts: Draft[] = [];
  const byId = new Map<string, Draft>();
  let current: Draft | undefined;

  const open = (id: string, opening?: StackEvent): Draft => {
    const found = byId.get(id);
    if (found) return found;
    const draft: Draft = { id, events: [], own: [], rolledBack: false };
    if (opening) draft.opening = opening;
    drafts.push(draft);
    byId.set(id, draft);
    return draft;
  };

  for (const event of sorted) {
    const own = isOwnStackEvent(event, options.stack);
    let draft: Draft;
    if (event.deploymentId !== undefined) {
      draft = open(event.deploymentId, own && event.phase === 'IN_PROGRESS' ? event : undefined);
    } else if (own && event.phase === 'IN_PROGRESS') {
      draft = current && continues(current, event) ? current : open(uniqueId(idOf(event), byId), event);
    } else {
      draft = current ?? open(uniqueId(`pruned-${event.timestamp.getTime()}`, byId));
    }
    // A deployment known by its id may have shown a resource event before its opening event.
    if (draft.opening === undefined && draft.own.length === 0 && own && event.phase === 'IN_PROGRESS') {
      if (event.deploymentId !== undefined) draft.opening = event;
    }
    draft.events.push(event);
    if (own) {
      draft.own.push(event);
      if (isRollback(event)) draft.rolledBack = true;
    }
    current = draft;
  }
  return drafts.map((draft) => finish(draft, options));
}

/** Two operations opened in the same millisecond must not share an id. */
function uniqueId(id: string, taken: ReadonlyMap<string, Draft>): string {
  if (!taken.has(id)) return id;
  let n = 2;
  while (taken.has(`${id}-${n}`)) n++;
  return `${id}-${n}`;
}

function finish(draft: Draft, options: GroupDeploymentsOptions): Deployment {
  const first = draft.events[0] as StackEvent;
  const lastOwn = draft.own.at(-1);
  const last = lastOwn ?? (draft.events.at(-1) as StackEvent);
  const resources = timings(draft.events);
  const counts = {
    events: draft.events.length,
    resources: resources.length,
    complete: resources.filter((r) => r.phase === 'COMPLETE').length,
    failed: resources.filter((r) => r.phase === 'FAILED').length,
    inProgress: resources.filter((r) => r.phase === 'IN_PROGRESS').length,
  };
  const deployment: Deployment = {
    provider: options.provider,
    stack: stackOf(options.stack),
    id: draft.id,
    action: (draft.opening ?? first).action,
    outcome: outcomeOf(draft, counts.failed, counts.inProgress),
    status: last.status,
    resources,
    counts,
  };
  if (draft.opening) deployment.startedAt = draft.opening.timestamp;
  if (lastOwn && TERMINAL.has(lastOwn.phase)) deployment.endedAt = lastOwn.timestamp;
  if (deployment.startedAt && deployment.endedAt) {
    deployment.durationSeconds = seconds(deployment.startedAt, deployment.endedAt);
  }
  if (last.message !== undefined) deployment.reason = last.message;
  const rootCause = rootCauseOf(draft.events, options.stack);
  if (rootCause) deployment.rootCause = rootCause;
  return deployment;
}

function stackOf(stack: GroupDeploymentsOptions['stack']): { id?: string; name?: string } {
  const out: { id?: string; name?: string } = {};
  if (stack.id !== undefined) out.id = stack.id;
  if (stack.name !== undefined) out.name = stack.name;
  return out;
}

function outcomeOf(draft: Draft, failedResources: number, running: number): DeploymentOutcome {
  const last = draft.own.at(-1);
  if (last === undefined) {
    // No stack-level event: only the resources speak.
    if (running > 0) return 'in-progress';
    return failedResources > 0 ? 'failed' : 'unknown';
  }
  switch (last.phase) {
    case 'IN_PROGRESS':
      return 'in-progress';
    case 'COMPLETE':
      return draft.rolledBack ? 'rolled-back' : 'succeeded';
    case 'FAILED':
      return 'failed';
    case 'CANCELLED':
      return 'cancelled';
    default:
      return 'unknown';
  }
}

function seconds(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / 1000;
}

/** Per resource (its stack, logical id and instance key): first IN_PROGRESS → last terminal event. */
function timings(events: readonly StackEvent[]): ResourceTiming[] {
  const byKey = new Map<string, ResourceTiming>();
  for (const event of events) {
    if (event.isStackEvent === true) continue;
    if (event.phase === 'INFO' || event.phase === 'UNKNOWN') continue;
    const r = event.resource;
    const key = JSON.stringify([
      event.stack.id ?? event.stack.name ?? '',
      r.logicalId ?? r.physicalId ?? '',
      r.key ?? '',
    ]);
    let timing = byKey.get(key);
    if (!timing) {
      timing = { stack: stackOf(event.stack), resource: event.resource, phase: event.phase, status: event.status };
      byKey.set(key, timing);
    }
    timing.phase = event.phase;
    timing.status = event.status;
    if (event.message !== undefined) timing.reason = event.message;
    else delete timing.reason;
    if (event.phase === 'IN_PROGRESS') {
      timing.startedAt ??= event.timestamp;
      // A resource that starts again (a rollback touching it) is running until its next end.
      delete timing.endedAt;
      delete timing.durationSeconds;
    } else if (TERMINAL.has(event.phase)) {
      timing.endedAt = event.timestamp;
      if (timing.startedAt) timing.durationSeconds = seconds(timing.startedAt, event.timestamp);
    }
  }
  return [...byKey.values()];
}

function rootCauseOf(events: readonly StackEvent[], stack: GroupDeploymentsOptions['stack']): RootCause | undefined {
  const failed = events.filter((e) => e.phase === 'FAILED');
  const pick =
    failed.find((e) => e.isStackEvent !== true) ?? failed.find((e) => !isOwnStackEvent(e, stack)) ?? failed[0];
  if (!pick) return undefined;
  const cause: RootCause = { event: pick, resource: pick.resource, stack: pick.stack };
  if (pick.message !== undefined) cause.reason = pick.message;
  return cause;
}
