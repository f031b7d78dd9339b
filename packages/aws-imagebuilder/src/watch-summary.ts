/**
 * What the two watches tell core's watch engine about operations and the deployment they
 * followed (`WatchSource.operationMark` / `summarize`), by the rules `listDeployments` uses: a
 * lifecycle execution is one deployment; an image build's deployments are its workflow executions.
 */
import type { ExecutionInfo, StackEvent } from '@stackfeed/core';
import { boundaryOperationMark, type OperationMark, type WatchSummary } from '@stackfeed/core/adapter';
import type { WireWorkflow } from './api.js';
import { lifecycleDeployment, workflowDeployment } from './mapping/deployments.js';
import { RESOURCE_TYPES } from './mapping/tables.js';

/**
 * The latest event of each resource (a watch yields every transition; a deployment has one entry
 * per resource, in its current state), in the order the resources first appeared.
 */
function latestPerResource(events: readonly StackEvent[], key: (ev: StackEvent) => string): StackEvent[] {
  const latest = new Map<string, StackEvent>();
  for (const ev of events) latest.set(key(ev), ev);
  return [...latest.values()];
}

/** A lifecycle resource action: the event id without its status. */
const lifecycleResourceKey = (ev: StackEvent) =>
  JSON.stringify([
    ev.resource.physicalId,
    ev.details?.actionName,
    ev.details?.accountId,
    ev.details?.region,
    ev.details?.parentResourceId,
  ]);

/** A workflow step: its execution id, else its name, action and start (as its event id is made). */
const stepKey = (ev: StackEvent) =>
  ev.resource.physicalId ?? JSON.stringify([ev.resource.logicalId, ev.details?.stepAction, ev.details?.startTime]);

/**
 * A lifecycle watch follows one execution: every event is that one operation's (a start while it
 * is open continues it), so `operation: 'current'` follows the execution as `'all'` does.
 */
export function lifecycleOperationMark(): OperationMark {
  return 'start';
}

/** The watched lifecycle execution as a deployment, from its final state and the events yielded. */
export function lifecycleSummary(final: ExecutionInfo | undefined, events: readonly StackEvent[]): WatchSummary {
  if (!final) return {};
  const deployment = lifecycleDeployment(final, latestPerResource(events, lifecycleResourceKey));
  return deployment.rootCause ? { deployment, rootCause: deployment.rootCause } : { deployment };
}

/**
 * An image build's operations are its workflow executions: a workflow's own status event opens
 * one (IN_PROGRESS; its rollback resumes it) or ends it (COMPLETE, FAILED, SKIPPED, CANCELLED).
 * Step events mark nothing. (A workflow in ROLLBACK_IN_PROGRESS has action ROLLBACK.)
 */
export function buildOperationMark(ev: StackEvent): OperationMark | undefined {
  return ev.resource.type === RESOURCE_TYPES.workflow ? boundaryOperationMark(ev) : undefined;
}

/**
 * The deployment an image build watch followed: of the workflows with events among `events`, the
 * one that started last (its latest state as the watch last read it), with its steps' latest events.
 */
export function buildSummary(
  arn: string,
  workflows: ReadonlyMap<string, WireWorkflow>,
  events: readonly StackEvent[],
): WatchSummary {
  let last: (WireWorkflow & { workflowExecutionId: string }) | undefined;
  for (const id of new Set(events.map((ev) => ev.deploymentId))) {
    const w = id === undefined ? undefined : workflows.get(id);
    if (!w?.startTime || (last?.startTime && last.startTime.getTime() > w.startTime.getTime())) continue;
    last = { ...w, workflowExecutionId: id as string };
  }
  if (!last) return {};
  const id = last.workflowExecutionId;
  const steps = events.filter((ev) => ev.deploymentId === id && ev.resource.type === RESOURCE_TYPES.workflowStep);
  const deployment = workflowDeployment(last, arn, latestPerResource(steps, stepKey));
  return deployment.rootCause ? { deployment, rootCause: deployment.rootCause } : { deployment };
}
