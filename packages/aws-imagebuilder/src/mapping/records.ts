import type { ExecutionInfo, ImageArtifact, ImageInfo, StackEvent } from '@stackfeed/core';
import { contentId, parseJsonLoose } from '@stackfeed/core/adapter';
import type {
  WireImage,
  WireImageVersion,
  WireLifecycleExecution,
  WireLifecycleResource,
  WireWorkflowExecution,
  WireWorkflowStep,
} from '../wire/schemas.js';
import {
  IMAGE_STATES_TABLE,
  LIFECYCLE_ACTIONS,
  LIFECYCLE_EXECUTION_STATES,
  LIFECYCLE_RESOURCE_PHASES,
  RESOURCE_TYPES,
  WORKFLOW_EVENT_PHASES,
  WORKFLOW_EXECUTION_STATES,
  WORKFLOW_STEP_PHASES,
  WORKFLOW_STEP_ROLLBACK_PHASES,
  WORKFLOW_TYPE_ACTIONS,
} from './tables.js';

const PROVIDER = 'aws-imagebuilder' as const;

const secondsBetween = (a: Date | undefined, b: Date | undefined) =>
  a && b ? Math.max(0, (b.getTime() - a.getTime()) / 1000) : undefined;

/**
 * The id of a record the service sent without its own id (the model makes every member optional):
 * a hash of the whole record, so that a re-read gives the same id. `details.idFromContent` says so.
 */
export const idFromContent = (prefix: string, wire: unknown): string => contentId(prefix, [wire]);

/** The region part of an ARN (`arn:aws:imagebuilder:<region>:…`). */
export function regionOfArn(arn: string): string | undefined {
  const r = arn.split(':')[3];
  return r ? r : undefined;
}

/** A LifecycleExecution → ExecutionInfo (kind `lifecycle`). */
export function lifecycleExecutionInfo(w: WireLifecycleExecution, raw: unknown): ExecutionInfo {
  const status = w.state?.status ?? '';
  const out: ExecutionInfo = {
    provider: PROVIDER,
    id: w.lifecycleExecutionId ?? idFromContent('lce', w),
    kind: 'lifecycle',
    state: LIFECYCLE_EXECUTION_STATES.map(status),
    status,
    details: {
      lifecyclePolicyArn: w.lifecyclePolicyArn,
      hasImpactedResources: w.resourcesImpactedSummary?.hasImpactedResources,
      ...(w.lifecycleExecutionId ? {} : { idFromContent: true }),
    },
    raw,
  };
  if (w.state?.reason) out.reason = w.state.reason;
  if (w.startTime) out.startedAt = w.startTime;
  if (w.endTime) out.endedAt = w.endTime;
  return out;
}

/** What kind of resource a lifecycle resource record is about. */
export function lifecycleResourceType(r: WireLifecycleResource): string {
  const id = r.resourceId ?? '';
  if (id.startsWith('ami-')) return RESOURCE_TYPES.ami;
  if (id.startsWith('snap-')) return RESOURCE_TYPES.snapshot;
  if (r.imageUris && r.imageUris.length > 0) return RESOURCE_TYPES.containerImage;
  if (id.startsWith('arn:') && id.includes(':image/')) return RESOURCE_TYPES.image;
  return 'UNKNOWN';
}

export interface LifecycleEventContext {
  executionId: string;
  parentResourceId?: string | undefined;
  /** The execution's state as the resources page reported it. */
  executionState?: { status?: string | undefined; reason?: string | undefined } | undefined;
}

/**
 * The synthetic id of a lifecycle resource event. Resources have no id of their own; this key is
 * built from what identifies the record (execution, account, region, action, status, resource,
 * parent), so the same state re-read gives the same id and each transition (DEPRECATE → DELETE,
 * IN_PROGRESS → SUCCESS) a new one. A readable composite rather than a hash: collision-free by
 * construction (`|` does not occur in ids, regions, enum literals or ARNs) and cheap on large
 * executions.
 */
export function lifecycleEventId(
  executionId: string,
  r: WireLifecycleResource,
  parentResourceId: string | undefined,
): string {
  return `${executionId}|${r.accountId ?? ''}|${r.region ?? ''}|${r.action?.name ?? ''}|${r.state?.status ?? ''}|${r.resourceId ?? ''}${parentResourceId ? `|${parentResourceId}` : ''}`;
}

/** The time of a lifecycle resource's event (its end, else its start) in epoch ms; undefined: no event yet. */
export function lifecycleResourceTime(r: WireLifecycleResource): number | undefined {
  return (r.endTime ?? r.startTime)?.getTime();
}

/**
 * One LifecycleExecutionResource → one StackEvent (id: {@link lifecycleEventId}). `details` keeps
 * the action literal and reason, account, region, parent, snapshots (id, status, reason) and
 * container image URIs. A resource with neither endTime nor startTime has not started: it is no
 * event (a time is never invented); it becomes one once the service reports a time for it.
 */
export function lifecycleResourceEvent(
  r: WireLifecycleResource,
  ctx: LifecycleEventContext,
  raw: unknown,
): StackEvent | undefined {
  const timestamp = r.endTime ?? r.startTime;
  if (!timestamp) return undefined;
  const status = r.state?.status ?? '';
  const actionName = r.action?.name ?? '';
  const details: Record<string, unknown> = { actionName };
  if (r.action?.reason) details.actionReason = r.action.reason;
  if (r.accountId) details.accountId = r.accountId;
  if (r.region) details.region = r.region;
  if (ctx.parentResourceId) details.parentResourceId = ctx.parentResourceId;
  if (r.snapshots) {
    const snaps = new Array(r.snapshots.length);
    for (let i = 0; i < r.snapshots.length; i++) {
      const sn = r.snapshots[i] as NonNullable<WireLifecycleResource['snapshots']>[number];
      const o: Record<string, unknown> = { snapshotId: sn.snapshotId, status: sn.state?.status };
      if (sn.state?.reason) o.reason = sn.state.reason;
      snaps[i] = o;
    }
    details.snapshots = snaps;
  }
  if (r.imageUris) details.imageUris = r.imageUris.slice();
  if (r.startTime) details.startTime = r.startTime;
  if (r.endTime) details.endTime = r.endTime;
  if (ctx.executionState?.status) details.executionStatus = ctx.executionState.status;
  const ev: StackEvent = {
    provider: PROVIDER,
    id: lifecycleEventId(ctx.executionId, r, ctx.parentResourceId),
    timestamp,
    stack: { id: ctx.executionId },
    deploymentId: ctx.executionId,
    resource: {
      ...(r.resourceId ? { physicalId: r.resourceId, name: r.resourceId } : {}),
      type: lifecycleResourceType(r),
    },
    action: LIFECYCLE_ACTIONS.map(actionName),
    phase: LIFECYCLE_RESOURCE_PHASES.map(status),
    status,
    details,
    raw,
  };
  const message = r.state?.reason ?? r.action?.reason;
  if (message) ev.message = message;
  const elapsed = secondsBetween(r.startTime, r.endTime);
  if (elapsed !== undefined) ev.elapsedSeconds = elapsed;
  return ev;
}

function artifactsOf(w: WireImage): ImageArtifact[] {
  const out: ImageArtifact[] = [];
  for (const a of w.outputResources?.amis ?? []) {
    // An AMI entry without its id is no artifact one could use (it stays in `raw`).
    if (!a.image) continue;
    const art: ImageArtifact = { kind: 'ami', id: a.image };
    if (a.name) art.name = a.name;
    if (a.region) art.region = a.region;
    if (a.state?.status) art.state = a.state.status;
    out.push(art);
  }
  for (const c of w.outputResources?.containers ?? []) {
    for (const uri of c.imageUris ?? []) {
      const art: ImageArtifact = { kind: 'container', id: uri, uri };
      if (c.region) art.region = c.region;
      out.push(art);
    }
  }
  return out;
}

/** Image (GetImage) or ImageSummary (ListImageBuildVersions) → ImageInfo. */
export function imageInfo(w: WireImage, raw: unknown, extra?: Record<string, unknown>): ImageInfo {
  const status = w.state?.status ?? '';
  const out: ImageInfo = {
    provider: PROVIDER,
    id: w.arn ?? idFromContent('img', w),
    state: IMAGE_STATES_TABLE.map(status),
    status,
    artifacts: artifactsOf(w),
    tags: { ...(w.tags ?? {}) },
    details: {
      ...(w.type ? { type: w.type } : {}),
      ...(w.platform ? { platform: w.platform } : {}),
      ...(w.osVersion ? { osVersion: w.osVersion } : {}),
      ...(w.owner ? { owner: w.owner } : {}),
      ...(w.buildType ? { buildType: w.buildType } : {}),
      ...(w.imageSource ? { imageSource: w.imageSource } : {}),
      ...(w.deprecationTime ? { deprecationTime: w.deprecationTime } : {}),
      ...(w.lifecycleExecutionId ? { lifecycleExecutionId: w.lifecycleExecutionId } : {}),
      ...(w.scanState?.status ? { scanStatus: w.scanState.status } : {}),
      ...(w.workflows ? { workflows: w.workflows.map((x) => x.workflowArn).filter(Boolean) } : {}),
      ...(w.loggingConfiguration?.logGroupName ? { logGroupName: w.loggingConfiguration.logGroupName } : {}),
      ...(w.arn ? {} : { idFromContent: true }),
      ...(extra ?? {}),
    },
    raw,
  };
  if (w.name) out.name = w.name;
  if (w.version) out.version = w.version;
  const region = w.arn ? regionOfArn(w.arn) : undefined;
  if (region) out.region = region;
  if (w.state?.reason) out.reason = w.state.reason;
  if (w.dateCreated) out.createdAt = w.dateCreated;
  return out;
}

/**
 * ImageVersion (ListImages) → ImageInfo. ImageVersion carries no state of its own: with its
 * newest build (from ListImageBuildVersions) the state, status, reason and artifacts are that
 * build's (`details.latestBuildArn`); without it `UNKNOWN`, status '' (`details.stateReported: false`).
 */
export function imageVersionInfo(w: WireImageVersion, raw: unknown, latestBuild?: WireImage): ImageInfo {
  const status = latestBuild?.state?.status ?? '';
  const out: ImageInfo = {
    provider: PROVIDER,
    id: w.arn ?? idFromContent('imv', w),
    state: latestBuild ? IMAGE_STATES_TABLE.map(status) : 'UNKNOWN',
    status,
    artifacts: latestBuild ? artifactsOf(latestBuild) : [],
    tags: { ...(latestBuild?.tags ?? {}) },
    details: {
      stateReported: latestBuild !== undefined,
      ...(latestBuild?.arn ? { latestBuildArn: latestBuild.arn } : {}),
      ...(w.arn ? {} : { idFromContent: true }),
      ...(w.type ? { type: w.type } : {}),
      ...(w.platform ? { platform: w.platform } : {}),
      ...(w.osVersion ? { osVersion: w.osVersion } : {}),
      ...(w.owner ? { owner: w.owner } : {}),
      ...(w.buildType ? { buildType: w.buildType } : {}),
      ...(w.imageSource ? { imageSource: w.imageSource } : {}),
    },
    raw,
  };
  if (w.name) out.name = w.name;
  if (w.version) out.version = w.version;
  const region = w.arn ? regionOfArn(w.arn) : undefined;
  if (region) out.region = region;
  if (latestBuild?.state?.reason) out.reason = latestBuild.state.reason;
  if (w.dateCreated) out.createdAt = w.dateCreated;
  return out;
}

/** WorkflowExecutionMetadata → ExecutionInfo (kind `workflow`). */
export function workflowExecutionInfo(
  w: WireWorkflowExecution,
  raw: unknown,
  imageBuildVersionArn?: string,
): ExecutionInfo {
  const status = w.status ?? '';
  const out: ExecutionInfo = {
    provider: PROVIDER,
    id: w.workflowExecutionId ?? idFromContent('wfx', w),
    kind: 'workflow',
    state: WORKFLOW_EXECUTION_STATES.map(status),
    status,
    details: {
      ...(w.type ? { type: w.type } : {}),
      ...(w.workflowBuildVersionArn ? { workflowBuildVersionArn: w.workflowBuildVersionArn } : {}),
      ...((w.imageBuildVersionArn ?? imageBuildVersionArn)
        ? { imageBuildVersionArn: w.imageBuildVersionArn ?? imageBuildVersionArn }
        : {}),
      totalStepCount: w.totalStepCount,
      totalStepsSucceeded: w.totalStepsSucceeded,
      totalStepsFailed: w.totalStepsFailed,
      totalStepsSkipped: w.totalStepsSkipped,
      ...(w.parallelGroup ? { parallelGroup: w.parallelGroup } : {}),
      ...(w.retried !== undefined ? { retried: w.retried } : {}),
    },
    raw,
  };
  if (w.message) out.reason = w.message;
  if (w.startTime) out.startedAt = w.startTime;
  if (w.endTime) out.endedAt = w.endTime;
  return out;
}

/** The workflow type in a workflow build version ARN (`…:workflow/build/…`). */
export function workflowTypeOfArn(arn: string | undefined): string | undefined {
  const m = arn ? /:workflow\/(build|test|distribution)\//.exec(arn) : null;
  return m ? (m[1] as string).toUpperCase() : undefined;
}

export interface StepEventContext {
  workflowExecutionId: string;
  workflowType?: string | undefined;
  workflowBuildVersionArn?: string | undefined;
  imageBuildVersionArn?: string | undefined;
}

/**
 * One WorkflowStepMetadata → one StackEvent. A step that is being or was rolled back is reported
 * as action ROLLBACK with the rollback status (the step's own status is in `details.stepStatus`);
 * otherwise the action is the workflow's (BUILD / TEST / DISTRIBUTE) and the status the step's.
 * A step with neither endTime nor startTime has not started: it is no event (its count is in the
 * workflow's ExecutionInfo `details.totalStepCount`); it becomes one when it starts.
 */
export function workflowStepEvent(s: WireWorkflowStep, ctx: StepEventContext, raw: unknown): StackEvent | undefined {
  const timestamp = s.endTime ?? s.startTime;
  if (!timestamp) return undefined;
  const stepStatus = s.status ?? '';
  const rollback = s.rollbackStatus;
  const rolledBack = rollback !== undefined && rollback !== '' && rollback !== 'SKIPPED';
  const status = rolledBack ? rollback : stepStatus;
  const ev: StackEvent = {
    provider: PROVIDER,
    // Without its own id a step is known by its name, action and start.
    id: contentId('wfs', [s.stepExecutionId ?? [s.name, s.action, s.startTime], stepStatus, rollback ?? '']),
    timestamp,
    stack: { id: ctx.imageBuildVersionArn ?? ctx.workflowExecutionId },
    deploymentId: ctx.workflowExecutionId,
    resource: {
      ...((s.name ?? s.stepExecutionId) ? { logicalId: s.name ?? s.stepExecutionId } : {}),
      ...(s.stepExecutionId ? { physicalId: s.stepExecutionId } : {}),
      type: RESOURCE_TYPES.workflowStep,
      ...(s.name ? { name: s.name } : {}),
    },
    action: rolledBack ? 'ROLLBACK' : WORKFLOW_TYPE_ACTIONS.map(ctx.workflowType),
    phase: rolledBack ? WORKFLOW_STEP_ROLLBACK_PHASES.map(rollback) : WORKFLOW_STEP_PHASES.map(stepStatus),
    status,
    details: {
      workflowExecutionId: ctx.workflowExecutionId,
      ...(ctx.workflowType ? { workflowType: ctx.workflowType } : {}),
      ...(ctx.workflowBuildVersionArn ? { workflowBuildVersionArn: ctx.workflowBuildVersionArn } : {}),
      stepStatus,
      ...(rollback ? { rollbackStatus: rollback } : {}),
      ...(s.action ? { stepAction: s.action } : {}),
      ...(s.description ? { description: s.description } : {}),
      ...(s.inputs !== undefined ? { inputs: parseJsonLoose(s.inputs) } : {}),
      ...(s.outputs !== undefined ? { outputs: parseJsonLoose(s.outputs) } : {}),
      ...(s.startTime ? { startTime: s.startTime } : {}),
      ...(s.endTime ? { endTime: s.endTime } : {}),
    },
    raw,
  };
  if (s.message) ev.message = s.message;
  const elapsed = secondsBetween(s.startTime, s.endTime);
  if (elapsed !== undefined) ev.elapsedSeconds = elapsed;
  return ev;
}

/**
 * One workflow execution's current status as an event (used by watchImageBuild); none for a
 * workflow that has not started (no time of its own).
 */
export function workflowEvent(
  w: WireWorkflowExecution,
  imageBuildVersionArn: string,
  raw: unknown,
): StackEvent | undefined {
  const status = w.status ?? '';
  const m = WORKFLOW_EVENT_PHASES.map(status);
  const timestamp = m.phase === 'IN_PROGRESS' ? w.startTime : (w.endTime ?? w.startTime);
  if (!timestamp) return undefined;
  const ev: StackEvent = {
    provider: PROVIDER,
    id: contentId('wfx', [w.workflowExecutionId ?? [w.type, w.workflowBuildVersionArn, w.startTime], status]),
    timestamp,
    stack: { id: imageBuildVersionArn },
    ...(w.workflowExecutionId ? { deploymentId: w.workflowExecutionId } : {}),
    resource: {
      ...((w.type ?? w.workflowExecutionId) ? { logicalId: w.type ?? w.workflowExecutionId } : {}),
      ...(w.workflowExecutionId ? { physicalId: w.workflowExecutionId } : {}),
      type: RESOURCE_TYPES.workflow,
      ...(w.workflowBuildVersionArn ? { name: w.workflowBuildVersionArn } : {}),
    },
    action: m.rollback ? 'ROLLBACK' : WORKFLOW_TYPE_ACTIONS.map(w.type),
    phase: m.phase,
    status,
    details: {
      ...(w.workflowExecutionId ? { workflowExecutionId: w.workflowExecutionId } : {}),
      ...(w.type ? { workflowType: w.type } : {}),
      totalStepCount: w.totalStepCount,
      totalStepsSucceeded: w.totalStepsSucceeded,
      totalStepsFailed: w.totalStepsFailed,
      totalStepsSkipped: w.totalStepsSkipped,
    },
    raw,
  };
  if (w.message) ev.message = w.message;
  const elapsed = secondsBetween(w.startTime, w.endTime);
  if (elapsed !== undefined) ev.elapsedSeconds = elapsed;
  return ev;
}
