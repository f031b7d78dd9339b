/**
 * Deployments: for Image Builder one deployment is one workflow execution of an image build
 * version (its steps are the resources), or one lifecycle execution (its resources are the
 * resources). The id is the execution's own id (`wf-…` / `lce-…`).
 */
import type { Deployment, ExecutionInfo, Paginator, ResourceTiming, RootCause, StackEvent } from '@stackfeed/core';
import type { ListDeploymentsOptions } from '@stackfeed/core';
import { deploymentPaginator, findDeployment } from '@stackfeed/core/adapter';
import { type ImageBuilderApi, PAGE_SIZE, PROVIDER } from './api.js';
import { getLifecycleExecution, readLifecycleEvents } from './lifecycle.js';
import {
  LIFECYCLE_DEPLOYMENT_OUTCOMES,
  WORKFLOW_DEPLOYMENT_OUTCOMES,
  WORKFLOW_TYPE_ACTIONS,
} from './mapping/tables.js';
import { readListing } from './ordered.js';
import { readSteps, type WireWorkflow, workflowPage } from './workflows.js';
import type { ResolvedRef } from './refs.js';

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

/** Every workflow execution of an image build version as a deployment, oldest first. */
async function buildDeployments(api: ImageBuilderApi, arn: string, operation: string, signal: AbortSignal | undefined) {
  const workflows = await readListing(
    async (cursor) => {
      const p = await workflowPage(api, arn, cursor, PAGE_SIZE.max, signal, operation);
      return { items: p.workflows, next: p.next };
    },
    operation,
    signal,
  );
  const out: Deployment[] = [];
  for (const w of workflows) {
    // A workflow without its id is no deployment one could ask for again.
    if (!w.workflowExecutionId) continue;
    const steps =
      w.totalStepCount === 0 ? [] : await readSteps(api, w.workflowExecutionId, w.type, operation, signal, () => {});
    out.push(workflowDeployment({ ...w, workflowExecutionId: w.workflowExecutionId }, arn, steps));
  }
  return sortOldestFirst(out);
}

async function lifecycleDeployments(
  api: ImageBuilderApi,
  id: string,
  operation: string,
  signal: AbortSignal | undefined,
) {
  const info = await getLifecycleExecution(api, id, signal);
  const events = await readLifecycleEvents(api, id, undefined, operation, signal, () => {});
  return [lifecycleDeployment(info, events)];
}

/** Oldest first by start (a deployment without a start, pruned or not started, first); stable. */
function sortOldestFirst(list: Deployment[]): Deployment[] {
  return list.sort((a, b) => (a.startedAt?.getTime() ?? -1) - (b.startedAt?.getTime() ?? -1));
}

/** One workflow execution (GetWorkflowExecution, then its steps) as the one deployment of a `wf-…` ref. */
async function workflowDeployments(
  api: ImageBuilderApi,
  id: string,
  operation: string,
  signal: AbortSignal | undefined,
) {
  const { wire } = await api.send('GetWorkflowExecution', { workflowExecutionId: id }, operation, signal);
  const steps = await readSteps(api, id, wire.type, operation, signal, () => {});
  return [workflowDeployment({ ...wire, workflowExecutionId: id }, wire.imageBuildVersionArn ?? id, steps)];
}

function loader(api: ImageBuilderApi, ref: ResolvedRef, operation: string) {
  return (signal: AbortSignal | undefined): Promise<Deployment[]> => {
    if (ref.kind === 'lifecycle-execution') return lifecycleDeployments(api, ref.id, operation, signal);
    if (ref.kind === 'workflow-execution') return workflowDeployments(api, ref.id, operation, signal);
    return buildDeployments(api, ref.id, operation, signal);
  };
}

/** The deployments of an image build version (its workflow executions) or of a lifecycle execution (itself), newest first. */
export function listDeployments(
  api: ImageBuilderApi,
  ref: ResolvedRef,
  options: ListDeploymentsOptions,
): Paginator<Deployment> {
  const operation = 'listDeployments';
  return deploymentPaginator({
    provider: PROVIDER,
    operation,
    scope: { kind: ref.kind, id: ref.id },
    options,
    tokenKey: api.settings.tokenKey,
    load: loader(api, ref, operation),
  });
}

/** One deployment by its execution id (`wf-…` of the build, or the `lce-…` itself); NOT_FOUND when the ref has none by that id. */
export function getDeployment(
  api: ImageBuilderApi,
  ref: ResolvedRef,
  id: string,
  signal: AbortSignal | undefined,
): Promise<Deployment> {
  return findDeployment(PROVIDER, loader(api, ref, 'getDeployment'), id, signal);
}
