/**
 * Deployments: for Image Builder one deployment is one workflow execution of an image build
 * version (its steps are the resources), or one lifecycle execution (its resources are the
 * resources). The id is the execution's own id (`wf-…` / `lce-…`).
 */
import type { Deployment, ListDeploymentsOptions, Paginator } from '@stackfeed/core';
import { deploymentPaginator, findDeployment } from '@stackfeed/core/adapter';
import { type ImageBuilderApi, PROVIDER } from './api.js';
import { getLifecycleExecution, readLifecycleEvents } from './lifecycle.js';
import { lifecycleDeployment, workflowDeployment } from './mapping/deployments.js';
import { readSteps, readWorkflows } from './workflows.js';
import type { ResolvedRef } from './refs.js';

/** Every workflow execution of an image build version as a deployment, oldest first. */
async function buildDeployments(api: ImageBuilderApi, arn: string, operation: string, signal: AbortSignal | undefined) {
  const workflows = await readWorkflows(api, arn, operation, signal);
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
