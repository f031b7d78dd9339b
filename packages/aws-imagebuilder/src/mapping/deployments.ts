/**
 * Executions as deployments, from their events (pure: no request): one workflow execution with
 * its step events, or one lifecycle execution with its resource events. Used by `listDeployments`
 * and by the watches' summaries.
 */
import type { Deployment, ExecutionInfo, ResourceTiming, RootCause, StackEvent } from '@stackfeed/core';
import { PROVIDER, type WireWorkflow } from '../api.js';
import { LIFECYCLE_DEPLOYMENT_OUTCOMES, WORKFLOW_DEPLOYMENT_OUTCOMES, WORKFLOW_TYPE_ACTIONS } from './tables.js';

const time = (v: unknown) => (v instanceof Date ? v : undefined);
const secondsBetween = (a: Date | undefined, b: Date | undefined) =>
  a && b ? Math.max(0, (b.getTime() - a.getTime()) / 1000) : undefined;

/**
 * One event per resource (a step, a lifecycle resource) → its timing: from its start to its end
 * as the service reports them (`details.startTime` / `details.endTime`), never guessed.
 */
function timing(ev: StackEvent): ResourceTiming {
  const startedAt = time(ev.details?.startTime);
  const endedAt = time(ev.details?.endTime);
  const t: ResourceTiming = { stack: { ...ev.stack }, resource: ev.resource, phase: ev.phase, status: ev.status };
  if (startedAt) t.startedAt = startedAt;
  if (endedAt) t.endedAt = endedAt;
  const d = secondsBetween(startedAt, endedAt);
  if (d !== undefined) t.durationSeconds = d;
  if (ev.message) t.reason = ev.message;
  return t;
}

/** The earliest failure among `events`: a step (or resource) that FAILED, else one whose rollback failed. */
function rootCauseOf(events: readonly StackEvent[]): RootCause | undefined {
  const byTime = [...events].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  const own = (e: StackEvent) => (e.details?.stepStatus ?? e.status) === 'FAILED';
  const failed = byTime.find((e) => e.phase === 'FAILED' && own(e)) ?? byTime.find((e) => e.phase === 'FAILED');
  if (!failed) return undefined;
  const cause: RootCause = { event: failed, resource: failed.resource, stack: failed.stack };
  if (failed.message) cause.reason = failed.message;
  return cause;
}

function assemble(
  base: Omit<Deployment, 'resources' | 'counts' | 'rootCause' | 'durationSeconds'>,
  events: StackEvent[],
  failed: boolean,
): Deployment {
  const resources = events.map(timing);
  const d: Deployment = {
    ...base,
    resources,
    counts: {
      events: events.length,
      resources: resources.length,
      complete: resources.filter((r) => r.phase === 'COMPLETE').length,
      failed: resources.filter((r) => r.phase === 'FAILED').length,
      inProgress: resources.filter((r) => r.phase === 'IN_PROGRESS').length,
    },
  };
  const duration = secondsBetween(d.startedAt, d.endedAt);
  if (duration !== undefined) d.durationSeconds = duration;
  const cause = rootCauseOf(events);
  // A deployment that succeeded has no root cause, even if a step failed and was retried.
  if (cause && failed) d.rootCause = cause;
  return d;
}

/** A workflow execution with its step events → one Deployment. */
export function workflowDeployment(
  w: WireWorkflow & { workflowExecutionId: string },
  buildArn: string,
  steps: StackEvent[],
): Deployment {
  const status = w.status ?? '';
  const outcome = WORKFLOW_DEPLOYMENT_OUTCOMES.map(status);
  const base: Omit<Deployment, 'resources' | 'counts' | 'rootCause' | 'durationSeconds'> = {
    provider: PROVIDER,
    stack: { id: buildArn },
    id: w.workflowExecutionId,
    action: WORKFLOW_TYPE_ACTIONS.map(w.type),
    outcome,
    status,
  };
  if (w.startTime) base.startedAt = w.startTime;
  if (w.endTime) base.endedAt = w.endTime;
  if (w.message) base.reason = w.message;
  return assemble(base, steps, outcome === 'failed' || outcome === 'rolled-back');
}

/** A lifecycle execution with its resource events → one Deployment (its action: its resources' one action, else UNKNOWN). */
export function lifecycleDeployment(e: ExecutionInfo, events: StackEvent[]): Deployment {
  const outcome = LIFECYCLE_DEPLOYMENT_OUTCOMES.map(e.status);
  const actions = new Set(events.map((ev) => ev.action));
  const base: Omit<Deployment, 'resources' | 'counts' | 'rootCause' | 'durationSeconds'> = {
    provider: PROVIDER,
    stack: { id: e.id },
    id: e.id,
    action: actions.size === 1 ? ([...actions][0] as Deployment['action']) : 'UNKNOWN',
    outcome,
    status: e.status,
  };
  if (e.startedAt) base.startedAt = e.startedAt;
  if (e.endedAt) base.endedAt = e.endedAt;
  if (e.reason) base.reason = e.reason;
  return assemble(base, events, outcome === 'failed');
}
