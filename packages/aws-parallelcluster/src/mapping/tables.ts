import type { ImageState, StackState } from '@stackfeed/core';
import { type ActionPhase, actionPhaseSplitter, statusTable } from '@stackfeed/core/adapter';

/**
 * The status vocabularies of ParallelCluster and the services behind it, mapped to the normalized
 * model. These tables are DATA: every literal of every enum in the official specs is listed (tests
 * check that), and a literal that is not listed maps to `UNKNOWN` with the literal kept in `status`.
 */

/**
 * CloudFormation `ResourceStatus` (28 values, incl. IMPORT_*, EXPORT_*, ROLLBACK_*) and the stack
 * statuses that appear on a stack's own events (`StackStatus`, 23 values; REVIEW_IN_PROGRESS,
 * UPDATE_COMPLETE_CLEANUP_IN_PROGRESS …). The ParallelCluster API's `CloudFormationResourceStatus`
 * enum (16 values) is a subset; the server passes the others through (quirk Q1).
 */
export const CFN_STATUS_ENTRIES: Readonly<Record<string, ActionPhase>> = {
  CREATE_IN_PROGRESS: { action: 'CREATE', phase: 'IN_PROGRESS' },
  CREATE_FAILED: { action: 'CREATE', phase: 'FAILED' },
  CREATE_COMPLETE: { action: 'CREATE', phase: 'COMPLETE' },
  DELETE_IN_PROGRESS: { action: 'DELETE', phase: 'IN_PROGRESS' },
  DELETE_FAILED: { action: 'DELETE', phase: 'FAILED' },
  DELETE_COMPLETE: { action: 'DELETE', phase: 'COMPLETE' },
  DELETE_SKIPPED: { action: 'DELETE', phase: 'SKIPPED' },
  UPDATE_IN_PROGRESS: { action: 'UPDATE', phase: 'IN_PROGRESS' },
  UPDATE_FAILED: { action: 'UPDATE', phase: 'FAILED' },
  UPDATE_COMPLETE: { action: 'UPDATE', phase: 'COMPLETE' },
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: { action: 'UPDATE', phase: 'IN_PROGRESS' },
  IMPORT_FAILED: { action: 'IMPORT', phase: 'FAILED' },
  IMPORT_COMPLETE: { action: 'IMPORT', phase: 'COMPLETE' },
  IMPORT_IN_PROGRESS: { action: 'IMPORT', phase: 'IN_PROGRESS' },
  IMPORT_ROLLBACK_IN_PROGRESS: { action: 'ROLLBACK', phase: 'IN_PROGRESS' },
  IMPORT_ROLLBACK_FAILED: { action: 'ROLLBACK', phase: 'FAILED' },
  IMPORT_ROLLBACK_COMPLETE: { action: 'ROLLBACK', phase: 'COMPLETE' },
  EXPORT_FAILED: { action: 'EXPORT', phase: 'FAILED' },
  EXPORT_COMPLETE: { action: 'EXPORT', phase: 'COMPLETE' },
  EXPORT_IN_PROGRESS: { action: 'EXPORT', phase: 'IN_PROGRESS' },
  EXPORT_ROLLBACK_IN_PROGRESS: { action: 'ROLLBACK', phase: 'IN_PROGRESS' },
  EXPORT_ROLLBACK_FAILED: { action: 'ROLLBACK', phase: 'FAILED' },
  EXPORT_ROLLBACK_COMPLETE: { action: 'ROLLBACK', phase: 'COMPLETE' },
  UPDATE_ROLLBACK_IN_PROGRESS: { action: 'ROLLBACK', phase: 'IN_PROGRESS' },
  UPDATE_ROLLBACK_COMPLETE: { action: 'ROLLBACK', phase: 'COMPLETE' },
  UPDATE_ROLLBACK_FAILED: { action: 'ROLLBACK', phase: 'FAILED' },
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: { action: 'ROLLBACK', phase: 'IN_PROGRESS' },
  ROLLBACK_IN_PROGRESS: { action: 'ROLLBACK', phase: 'IN_PROGRESS' },
  ROLLBACK_COMPLETE: { action: 'ROLLBACK', phase: 'COMPLETE' },
  ROLLBACK_FAILED: { action: 'ROLLBACK', phase: 'FAILED' },
  REVIEW_IN_PROGRESS: { action: 'CREATE', phase: 'IN_PROGRESS' },
};

const cfnTable = statusTable<ActionPhase | undefined>(CFN_STATUS_ENTRIES, undefined);
/** Best effort for a status CloudFormation adds later: split `<ACTION>_<PHASE>`. */
const cfnSplitter = actionPhaseSplitter({
  actions: {
    CREATE: 'CREATE',
    UPDATE: 'UPDATE',
    DELETE: 'DELETE',
    IMPORT: 'IMPORT',
    EXPORT: 'EXPORT',
    ROLLBACK: 'ROLLBACK',
    UPDATE_ROLLBACK: 'ROLLBACK',
    IMPORT_ROLLBACK: 'ROLLBACK',
    EXPORT_ROLLBACK: 'ROLLBACK',
  },
  phases: { IN_PROGRESS: 'IN_PROGRESS', COMPLETE: 'COMPLETE', FAILED: 'FAILED', SKIPPED: 'SKIPPED' },
});

/** A CloudFormation resource or stack status → action and phase; never throws. */
export function cfnActionPhase(literal: string | null | undefined): ActionPhase {
  return cfnTable.map(literal) ?? cfnSplitter(literal);
}

/**
 * CloudFormation `HookStatus` (4 values): the phase of a hook event, an event that carries a
 * HookStatus and no ResourceStatus. A hook checks a resource before it is provisioned, so its
 * action is CHECK; the literal is kept in `status`.
 */
export const HOOK_STATUS_ENTRIES: Readonly<Record<string, ActionPhase>> = {
  HOOK_IN_PROGRESS: { action: 'CHECK', phase: 'IN_PROGRESS' },
  HOOK_COMPLETE_SUCCEEDED: { action: 'CHECK', phase: 'COMPLETE' },
  HOOK_COMPLETE_FAILED: { action: 'CHECK', phase: 'FAILED' },
  HOOK_FAILED: { action: 'CHECK', phase: 'FAILED' },
};
const hookTable = statusTable<ActionPhase>(HOOK_STATUS_ENTRIES, { action: 'CHECK', phase: 'UNKNOWN' });
/** A CloudFormation hook status → action and phase; never throws (an unknown one is CHECK / UNKNOWN). */
export function hookActionPhase(literal: string | null | undefined): ActionPhase {
  return hookTable.map(literal);
}

/** CloudFormation `StackStatus` (23 values) → the normalized stack state. */
export const STACK_STATE_ENTRIES: Readonly<Record<string, StackState>> = {
  CREATE_IN_PROGRESS: 'IN_PROGRESS',
  CREATE_FAILED: 'FAILED',
  CREATE_COMPLETE: 'COMPLETE',
  ROLLBACK_IN_PROGRESS: 'IN_PROGRESS',
  ROLLBACK_FAILED: 'FAILED',
  ROLLBACK_COMPLETE: 'ROLLED_BACK',
  DELETE_IN_PROGRESS: 'IN_PROGRESS',
  DELETE_FAILED: 'FAILED',
  DELETE_COMPLETE: 'DELETED',
  UPDATE_IN_PROGRESS: 'IN_PROGRESS',
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'IN_PROGRESS',
  UPDATE_COMPLETE: 'COMPLETE',
  UPDATE_FAILED: 'FAILED',
  UPDATE_ROLLBACK_IN_PROGRESS: 'IN_PROGRESS',
  UPDATE_ROLLBACK_FAILED: 'FAILED',
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'IN_PROGRESS',
  UPDATE_ROLLBACK_COMPLETE: 'ROLLED_BACK',
  REVIEW_IN_PROGRESS: 'IN_PROGRESS',
  IMPORT_IN_PROGRESS: 'IN_PROGRESS',
  IMPORT_COMPLETE: 'COMPLETE',
  IMPORT_ROLLBACK_IN_PROGRESS: 'IN_PROGRESS',
  IMPORT_ROLLBACK_FAILED: 'FAILED',
  IMPORT_ROLLBACK_COMPLETE: 'ROLLED_BACK',
};
export const stackStateTable = statusTable<StackState>(STACK_STATE_ENTRIES, 'UNKNOWN');

/** True while CloudFormation is still working on the stack (REVIEW_IN_PROGRESS waits for a user: not counted). */
export function isStackInProgress(status: string | undefined): boolean {
  return !!status?.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS';
}

/**
 * ParallelCluster `ImageBuildStatus` → image state. Besides the spec's 6 values, the server passes
 * some CloudFormation stack statuses through unchanged (`REVIEW_IN_PROGRESS`, `IMPORT_*`,
 * `UPDATE_FAILED`); they are listed too.
 */
export const IMAGE_BUILD_STATUS_ENTRIES: Readonly<Record<string, ImageState>> = {
  BUILD_IN_PROGRESS: 'BUILDING',
  BUILD_FAILED: 'FAILED',
  BUILD_COMPLETE: 'AVAILABLE',
  DELETE_IN_PROGRESS: 'DELETING',
  DELETE_FAILED: 'FAILED',
  DELETE_COMPLETE: 'DELETED',
  // Passed through by cloud_formation_status_to_image_status (pcluster passes statuses it has no mapping for through unchanged).
  REVIEW_IN_PROGRESS: 'BUILDING',
  IMPORT_IN_PROGRESS: 'BUILDING',
  IMPORT_ROLLBACK_IN_PROGRESS: 'BUILDING',
  IMPORT_ROLLBACK_FAILED: 'FAILED',
  IMPORT_ROLLBACK_COMPLETE: 'FAILED',
  IMPORT_COMPLETE: 'AVAILABLE',
  UPDATE_FAILED: 'FAILED',
};
export const imageBuildStatusTable = statusTable<ImageState>(IMAGE_BUILD_STATUS_ENTRIES, 'UNKNOWN');

/**
 * pcluster's `ImageBuilderStatusMapping` (used by DescribeImage): CloudFormation stack status →
 * `imageBuildStatus`. UPDATE_FAILED is deliberately absent (pcluster returns no status for it).
 */
export const STACK_TO_IMAGE_BUILD_STATUS: Readonly<Record<string, string>> = {
  CREATE_IN_PROGRESS: 'BUILD_IN_PROGRESS',
  UPDATE_IN_PROGRESS: 'BUILD_IN_PROGRESS',
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'BUILD_IN_PROGRESS',
  UPDATE_ROLLBACK_IN_PROGRESS: 'BUILD_IN_PROGRESS',
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'BUILD_IN_PROGRESS',
  REVIEW_IN_PROGRESS: 'BUILD_IN_PROGRESS',
  IMPORT_IN_PROGRESS: 'BUILD_IN_PROGRESS',
  IMPORT_ROLLBACK_IN_PROGRESS: 'BUILD_IN_PROGRESS',
  CREATE_FAILED: 'BUILD_FAILED',
  ROLLBACK_IN_PROGRESS: 'BUILD_FAILED',
  ROLLBACK_FAILED: 'BUILD_FAILED',
  ROLLBACK_COMPLETE: 'BUILD_FAILED',
  UPDATE_ROLLBACK_FAILED: 'BUILD_FAILED',
  UPDATE_ROLLBACK_COMPLETE: 'BUILD_FAILED',
  IMPORT_ROLLBACK_FAILED: 'BUILD_FAILED',
  IMPORT_ROLLBACK_COMPLETE: 'BUILD_FAILED',
  CREATE_COMPLETE: 'BUILD_COMPLETE',
  UPDATE_COMPLETE: 'BUILD_COMPLETE',
  IMPORT_COMPLETE: 'BUILD_COMPLETE',
  DELETE_IN_PROGRESS: 'DELETE_IN_PROGRESS',
  DELETE_FAILED: 'DELETE_FAILED',
  DELETE_COMPLETE: 'DELETE_COMPLETE',
};

/**
 * pcluster's `cloud_formation_status_to_image_status` (used by ListImages): unmapped statuses are
 * passed through unchanged.
 */
export function listImagesBuildStatus(stackStatus: string): string {
  if (
    [
      'CREATE_IN_PROGRESS',
      'UPDATE_IN_PROGRESS',
      'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'UPDATE_ROLLBACK_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
    ].includes(stackStatus)
  )
    return 'BUILD_IN_PROGRESS';
  if (
    [
      'CREATE_FAILED',
      'ROLLBACK_IN_PROGRESS',
      'ROLLBACK_FAILED',
      'ROLLBACK_COMPLETE',
      'UPDATE_ROLLBACK_FAILED',
      'UPDATE_ROLLBACK_COMPLETE',
    ].includes(stackStatus)
  )
    return 'BUILD_FAILED';
  if (stackStatus === 'CREATE_COMPLETE' || stackStatus === 'UPDATE_COMPLETE') return 'BUILD_COMPLETE';
  return stackStatus;
}

/** ListImages `imageStatus=PENDING|FAILED` → the stack statuses pcluster keeps. */
export const IMAGE_STATUS_FILTER_STACK_STATUSES: Readonly<Record<'PENDING' | 'FAILED', readonly string[]>> = {
  PENDING: ['CREATE_IN_PROGRESS'],
  FAILED: ['CREATE_FAILED', 'DELETE_FAILED', 'ROLLBACK_FAILED', 'ROLLBACK_COMPLETE', 'ROLLBACK_IN_PROGRESS'],
};

/** pcluster's `cloud_formation_status_to_cluster_status`: everything not listed passes through. */
export function clusterStatusFromStack(stackStatus: string): string {
  switch (stackStatus) {
    case 'ROLLBACK_IN_PROGRESS':
    case 'ROLLBACK_FAILED':
    case 'ROLLBACK_COMPLETE':
      return 'CREATE_FAILED';
    case 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS':
    case 'UPDATE_ROLLBACK_IN_PROGRESS':
    case 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS':
      return 'UPDATE_IN_PROGRESS';
    case 'UPDATE_ROLLBACK_FAILED':
    case 'UPDATE_ROLLBACK_COMPLETE':
      return 'UPDATE_FAILED';
    default:
      return stackStatus;
  }
}

/** EC2 Image Builder `ImageStatus` (as ParallelCluster's `ImageBuilderImageStatus`, plus DISABLED) → image state. */
export const IMAGEBUILDER_STATUS_ENTRIES: Readonly<Record<string, ImageState>> = {
  PENDING: 'PENDING',
  CREATING: 'BUILDING',
  BUILDING: 'BUILDING',
  TESTING: 'BUILDING',
  DISTRIBUTING: 'BUILDING',
  INTEGRATING: 'BUILDING',
  AVAILABLE: 'AVAILABLE',
  CANCELLED: 'CANCELLED',
  FAILED: 'FAILED',
  DEPRECATED: 'DEPRECATED',
  DELETED: 'DELETED',
  DISABLED: 'DISABLED',
};
export const imagebuilderStatusTable = statusTable<ImageState>(IMAGEBUILDER_STATUS_ENTRIES, 'UNKNOWN');

/**
 * AMI state: ParallelCluster's `Ec2AmiState` (EC2's `ImageState` upper-cased; EC2 also has
 * `disabled`, missing from the ParallelCluster spec) → image state. Keys are upper case; EC2's
 * lower-case literals are looked up upper-cased.
 */
export const AMI_STATE_ENTRIES: Readonly<Record<string, ImageState>> = {
  PENDING: 'PENDING',
  AVAILABLE: 'AVAILABLE',
  INVALID: 'FAILED',
  DEREGISTERED: 'DELETED',
  TRANSIENT: 'PENDING',
  FAILED: 'FAILED',
  ERROR: 'FAILED',
  DISABLED: 'DISABLED',
};
const amiTable = statusTable<ImageState>(AMI_STATE_ENTRIES, 'UNKNOWN');
/** An AMI state as EC2 (`available`) or ParallelCluster (`AVAILABLE`) spells it → image state; never throws. */
export function amiState(literal: string | null | undefined): ImageState {
  return amiTable.map(literal?.toUpperCase());
}

/** ParallelCluster `ClusterStatus` → stack state, action and phase of the cluster's last operation. */
export const CLUSTER_STATUS_ENTRIES: Readonly<Record<string, { state: StackState } & ActionPhase>> = {
  CREATE_IN_PROGRESS: { state: 'IN_PROGRESS', action: 'CREATE', phase: 'IN_PROGRESS' },
  CREATE_FAILED: { state: 'FAILED', action: 'CREATE', phase: 'FAILED' },
  CREATE_COMPLETE: { state: 'COMPLETE', action: 'CREATE', phase: 'COMPLETE' },
  DELETE_IN_PROGRESS: { state: 'IN_PROGRESS', action: 'DELETE', phase: 'IN_PROGRESS' },
  DELETE_FAILED: { state: 'FAILED', action: 'DELETE', phase: 'FAILED' },
  DELETE_COMPLETE: { state: 'DELETED', action: 'DELETE', phase: 'COMPLETE' },
  UPDATE_IN_PROGRESS: { state: 'IN_PROGRESS', action: 'UPDATE', phase: 'IN_PROGRESS' },
  UPDATE_COMPLETE: { state: 'COMPLETE', action: 'UPDATE', phase: 'COMPLETE' },
  UPDATE_FAILED: { state: 'FAILED', action: 'UPDATE', phase: 'FAILED' },
};
export const clusterStatusTable = statusTable<({ state: StackState } & ActionPhase) | undefined>(
  CLUSTER_STATUS_ENTRIES,
  undefined,
);
