import type { Action, DeploymentOutcome, ExecutionState, ImageState, Phase } from '@stackfeed/core';
import { statusTable } from '@stackfeed/core/adapter';

/**
 * Image Builder literals → the normalized model. Data only; every value of every enum in the
 * 2019-12-02 model is listed, and anything else maps to UNKNOWN (the literal is kept in `status`).
 */

/** LifecycleExecutionStatus → ExecutionState. CANCELLING is still running. */
export const LIFECYCLE_EXECUTION_STATES = statusTable<ExecutionState>(
  {
    PENDING: 'PENDING',
    IN_PROGRESS: 'RUNNING',
    CANCELLING: 'RUNNING',
    CANCELLED: 'CANCELLED',
    FAILED: 'FAILED',
    SUCCESS: 'SUCCEEDED',
  },
  'UNKNOWN',
);

/** LifecycleExecutionStatus values after which the execution will not change. */
export const LIFECYCLE_TERMINAL: ReadonlySet<string> = new Set(['SUCCESS', 'FAILED', 'CANCELLED']);

/** How a watch of a lifecycle execution ended, by its terminal LifecycleExecutionStatus. */
export const LIFECYCLE_OUTCOMES = statusTable<'succeeded' | 'failed' | 'cancelled'>(
  { SUCCESS: 'succeeded', FAILED: 'failed', CANCELLED: 'cancelled' },
  'failed',
);

/** LifecycleExecutionResourceStatus → Phase. */
export const LIFECYCLE_RESOURCE_PHASES = statusTable<Phase>(
  {
    IN_PROGRESS: 'IN_PROGRESS',
    SUCCESS: 'COMPLETE',
    FAILED: 'FAILED',
    SKIPPED: 'SKIPPED',
  },
  'UNKNOWN',
);

/** LifecycleExecutionResourceActionName → Action (AVAILABLE makes a resource available again). */
export const LIFECYCLE_ACTIONS = statusTable<Action>(
  {
    AVAILABLE: 'ENABLE',
    DELETE: 'DELETE',
    DEPRECATE: 'DEPRECATE',
    DISABLE: 'DISABLE',
  },
  'UNKNOWN',
);

/** ImageStatus → ImageState. The build stages (CREATING … INTEGRATING) are all BUILDING. */
export const IMAGE_STATES_TABLE = statusTable<ImageState>(
  {
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
  },
  'UNKNOWN',
);

/** ImageStatus values at which a build is over, and how a watch of it ended. */
export const IMAGE_TERMINAL = statusTable<'succeeded' | 'failed' | 'cancelled' | 'deleted' | undefined>(
  {
    AVAILABLE: 'succeeded',
    DEPRECATED: 'succeeded',
    DISABLED: 'succeeded',
    FAILED: 'failed',
    CANCELLED: 'cancelled',
    DELETED: 'deleted',
  },
  undefined,
);

/** WorkflowExecutionStatus → ExecutionState. A rolled-back workflow has failed. */
export const WORKFLOW_EXECUTION_STATES = statusTable<ExecutionState>(
  {
    PENDING: 'PENDING',
    SKIPPED: 'SKIPPED',
    RUNNING: 'RUNNING',
    COMPLETED: 'SUCCEEDED',
    FAILED: 'FAILED',
    ROLLBACK_IN_PROGRESS: 'RUNNING',
    ROLLBACK_COMPLETED: 'FAILED',
    CANCELLED: 'CANCELLED',
  },
  'UNKNOWN',
);

/** WorkflowExecutionStatus → the action/phase of a workflow-level event. */
export const WORKFLOW_EVENT_PHASES = statusTable<{ rollback: boolean; phase: Phase }>(
  {
    // Waiting to start is not IN_PROGRESS (and is only an event when the service gives it a time).
    PENDING: { rollback: false, phase: 'INFO' },
    SKIPPED: { rollback: false, phase: 'SKIPPED' },
    RUNNING: { rollback: false, phase: 'IN_PROGRESS' },
    COMPLETED: { rollback: false, phase: 'COMPLETE' },
    FAILED: { rollback: false, phase: 'FAILED' },
    ROLLBACK_IN_PROGRESS: { rollback: true, phase: 'IN_PROGRESS' },
    ROLLBACK_COMPLETED: { rollback: true, phase: 'COMPLETE' },
    CANCELLED: { rollback: false, phase: 'CANCELLED' },
  },
  { rollback: false, phase: 'UNKNOWN' },
);

/**
 * WorkflowStepExecutionStatus → Phase. A PENDING step waits to start: not IN_PROGRESS (INFO), and
 * only an event at all when the service gives it a time (a step that has not started has none).
 */
export const WORKFLOW_STEP_PHASES = statusTable<Phase>(
  {
    PENDING: 'INFO',
    SKIPPED: 'SKIPPED',
    RUNNING: 'IN_PROGRESS',
    COMPLETED: 'COMPLETE',
    FAILED: 'FAILED',
    CANCELLED: 'CANCELLED',
  },
  'UNKNOWN',
);

/**
 * WorkflowStepExecutionRollbackStatus → Phase of the step's ROLLBACK. SKIPPED means the step was
 * not rolled back: such a step is reported by its own status instead.
 */
export const WORKFLOW_STEP_ROLLBACK_PHASES = statusTable<Phase>(
  {
    RUNNING: 'IN_PROGRESS',
    COMPLETED: 'COMPLETE',
    SKIPPED: 'SKIPPED',
    FAILED: 'FAILED',
  },
  'UNKNOWN',
);

/**
 * WorkflowExecutionStatus → the outcome of the workflow as a deployment. A workflow whose failed
 * step was rolled back is `rolled-back`; one rolling back is still in progress; a SKIPPED workflow
 * never ran (`cancelled`).
 */
export const WORKFLOW_DEPLOYMENT_OUTCOMES = statusTable<DeploymentOutcome>(
  {
    PENDING: 'in-progress',
    RUNNING: 'in-progress',
    ROLLBACK_IN_PROGRESS: 'in-progress',
    COMPLETED: 'succeeded',
    FAILED: 'failed',
    ROLLBACK_COMPLETED: 'rolled-back',
    CANCELLED: 'cancelled',
    SKIPPED: 'cancelled',
  },
  'unknown',
);

/** LifecycleExecutionStatus → the outcome of the execution as a deployment. */
export const LIFECYCLE_DEPLOYMENT_OUTCOMES = statusTable<DeploymentOutcome>(
  {
    PENDING: 'in-progress',
    IN_PROGRESS: 'in-progress',
    CANCELLING: 'in-progress',
    SUCCESS: 'succeeded',
    FAILED: 'failed',
    CANCELLED: 'cancelled',
  },
  'unknown',
);

/** WorkflowType → Action of its steps. */
export const WORKFLOW_TYPE_ACTIONS = statusTable<Action>(
  {
    BUILD: 'BUILD',
    TEST: 'TEST',
    DISTRIBUTION: 'DISTRIBUTE',
  },
  'UNKNOWN',
);

/** Resource types stackfeed reports for lifecycle resources (CloudFormation-style names). */
export const RESOURCE_TYPES = {
  ami: 'AWS::EC2::Image',
  snapshot: 'AWS::EC2::Snapshot',
  containerImage: 'AWS::ECR::Image',
  image: 'AWS::ImageBuilder::Image',
  workflow: 'AWS::ImageBuilder::Workflow',
  workflowStep: 'AWS::ImageBuilder::WorkflowStep',
} as const;
