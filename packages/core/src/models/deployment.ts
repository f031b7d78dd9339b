import type { ListOptions, Paginator } from '../paging/paginator.js';
import type { Action, Phase, ProviderId } from './enums.js';
import type { StackEvent, StackRef } from './types.js';

/** How one deployment (one operation on a stack) ended, or that it has not yet. */
export type DeploymentOutcome = 'succeeded' | 'failed' | 'rolled-back' | 'cancelled' | 'in-progress' | 'unknown';

/** One resource's part in one deployment: from its first IN_PROGRESS event to its terminal event. */
export interface ResourceTiming {
  /** Which stack the resource belongs to (a nested stack's resources name their own stack). */
  stack: { id?: string; name?: string };
  resource: StackEvent['resource'];
  /** The first IN_PROGRESS event of this resource in the deployment; unknown when it was pruned. */
  startedAt?: Date;
  /** The terminal event (COMPLETE, FAILED, SKIPPED, CANCELLED); unknown while still running. */
  endedAt?: Date;
  /** `endedAt - startedAt` in seconds, only when both are known. */
  durationSeconds?: number;
  /** The resource's last phase in this deployment. */
  phase: Phase;
  /** The provider's literal status of the resource's last event. */
  status: string;
  /** The reason of the resource's last event, when it has one. */
  reason?: string;
}

/** The failure that explains a failed deployment: the earliest FAILED resource event of it. */
export interface RootCause {
  /** The event itself (searched through nested stacks' events too). */
  event: StackEvent;
  resource: StackEvent['resource'];
  stack: StackEvent['stack'];
  /** The failure's reason as the provider gave it. */
  reason?: string;
}

/** One operation on a stack (create, update, delete, rollback, image build run, …) and what it did. */
export interface Deployment {
  provider: ProviderId;
  stack: { id?: string; name?: string };
  /**
   * The provider's own operation id where it has one (RFS `deployment_id`, CloudFormation's client
   * request token, an Image Builder execution id); otherwise derived from the stack-level start
   * event so that it is the same on every re-read.
   */
  id: string;
  action: Action;
  /** The deployment's start; unknown (never guessed) when its start event was pruned. */
  startedAt?: Date;
  endedAt?: Date;
  /** `endedAt - startedAt` in seconds, only when both are known. */
  durationSeconds?: number;
  outcome: DeploymentOutcome;
  /** The provider's literal status of the deployment's last stack-level event. */
  status: string;
  reason?: string;
  rootCause?: RootCause;
  /** Every resource the deployment touched, in order of first event. */
  resources: ResourceTiming[];
  counts: { events: number; resources: number; complete: number; failed: number; inProgress: number };
}

/** Options of `listDeployments`. */
export interface ListDeploymentsOptions extends ListOptions {
  /** Include nested stacks' events when looking for resources and the root cause (default true). */
  nested?: boolean | undefined;
}

/** A client that tells a stack's deployments apart: every stackfeed client with stack events is one. */
export interface DeploymentSource<Ref = StackRef> {
  readonly provider: ProviderId;
  /** The stack's deployments, newest first. */
  listDeployments(ref: Ref, options?: ListDeploymentsOptions): Paginator<Deployment>;
  /** One deployment by its `id` (NOT_FOUND when the stack has none by that id). */
  getDeployment(ref: Ref, id: string, options?: { signal?: AbortSignal | undefined }): Promise<Deployment>;
}
