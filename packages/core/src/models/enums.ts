/**
 * The normalized vocabularies. Every one is open: a provider value we have not seen maps to
 * `UNKNOWN`, and the provider's literal string is kept next to it (`status`).
 */

export const PROVIDER_IDS = ['aws-parallelcluster', 'aws-imagebuilder', 'huawei-rfs', 'openstack-heat'] as const;
/** Which service a record came from. */
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** Where one resource (or the stack itself) is in its current action. */
export const PHASES = ['IN_PROGRESS', 'COMPLETE', 'FAILED', 'SKIPPED', 'CANCELLED', 'INFO', 'UNKNOWN'] as const;
export type Phase = (typeof PHASES)[number];

/** What was being done to the resource. */
export const ACTIONS = [
  'CREATE',
  'UPDATE',
  'DELETE',
  'ROLLBACK',
  'IMPORT',
  'EXPORT',
  'INIT',
  'SUSPEND',
  'RESUME',
  'ADOPT',
  'SNAPSHOT',
  'CHECK',
  'RESTORE',
  'SIGNAL',
  'DEPRECATE',
  'DISABLE',
  'ENABLE',
  'BUILD',
  'TEST',
  'DISTRIBUTE',
  'DRIFT',
  'LOG',
  'UNKNOWN',
] as const;
export type Action = (typeof ACTIONS)[number];

/** The lifecycle state of an image or image build. */
export const IMAGE_STATES = [
  'PENDING',
  'BUILDING',
  'AVAILABLE',
  'FAILED',
  'DEPRECATED',
  'DISABLED',
  'DELETING',
  'DELETED',
  'CANCELLED',
  'UNKNOWN',
] as const;
export type ImageState = (typeof IMAGE_STATES)[number];

/** The state of a long-running run (lifecycle execution, workflow execution, deployment). */
export const EXECUTION_STATES = [
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
  'SKIPPED',
  'UNKNOWN',
] as const;
export type ExecutionState = (typeof EXECUTION_STATES)[number];

/** The normalized state of a stack (deployment) as a whole. */
export const STACK_STATES = ['IN_PROGRESS', 'COMPLETE', 'FAILED', 'ROLLED_BACK', 'DELETED', 'UNKNOWN'] as const;
export type StackState = (typeof STACK_STATES)[number];

/** Phases after which a resource's action is over. */
export const TERMINAL_PHASES: ReadonlySet<Phase> = new Set(['COMPLETE', 'FAILED', 'SKIPPED', 'CANCELLED']);
