import type { Action, ExecutionState, ImageState, Phase, ProviderId, StackState } from './enums.js';

/** Names a stack. Give what you have; adapters document which combination they need. */
export interface StackRef {
  /** The stack's name. */
  name?: string;
  /** The stack's id (UUID, ARN). */
  id?: string;
}

/** One state change of one resource (or of the stack itself) in one deployment. */
export interface StackEvent {
  provider: ProviderId;
  /** The provider's event id; where it has none, a stable content hash so that re-reads dedupe. */
  id: string;
  /** When the event happened (UTC). */
  timestamp: Date;
  stack: {
    id?: string;
    name?: string;
    /** For events of nested stacks: the top-level stack the watch or list was started on. */
    rootId?: string;
    rootName?: string;
  };
  resource: {
    /** The name the template gives the resource. */
    logicalId?: string;
    /** The id the cloud gave the resource. */
    physicalId?: string;
    /** The resource type, e.g. `AWS::EC2::Instance`, `OS::Heat::RandomString`. */
    type?: string;
    /** A display name where it differs from logicalId (RFS resource_name). */
    name?: string;
    /** The instance key of a count/for_each resource (RFS `resource_key`). */
    key?: string;
  };
  action: Action;
  phase: Phase;
  /** The provider's literal status string, untouched (e.g. `UPDATE_ROLLBACK_COMPLETE`). */
  status: string;
  message?: string;
  elapsedSeconds?: number;
  /** Resource properties, parsed when the provider sent JSON. */
  properties?: unknown;
  /** True for events about the stack itself rather than one of its resources. */
  isStackEvent?: boolean;
  /**
   * The deployment (operation) the event belongs to, where the provider says it (RFS
   * `deployment_id`, CloudFormation `ClientRequestToken`, an Image Builder execution id) or where
   * the client derived it (`Deployment.id`).
   */
  deploymentId?: string;
  /** Provider-specific fields worth keeping in the model (documented per adapter). */
  details?: Record<string, unknown>;
  /** The provider record as received. */
  raw: unknown;
}

/** One produced artifact of an image build: an AMI in a region, a container image, a snapshot. */
export interface ImageArtifact {
  kind: 'ami' | 'container' | 'snapshot' | 'other';
  id: string;
  name?: string;
  region?: string;
  architecture?: string;
  /** The artifact's own state, literal (e.g. `available`). */
  state?: string;
  uri?: string;
}

/** One image or image build. */
export interface ImageInfo {
  provider: ProviderId;
  id: string;
  name?: string;
  version?: string;
  region?: string;
  state: ImageState;
  /** The provider's literal status string. */
  status: string;
  reason?: string;
  createdAt?: Date;
  updatedAt?: Date;
  artifacts: ImageArtifact[];
  stack?: { id?: string; name?: string; status?: string; reason?: string; createdAt?: Date };
  tags: Record<string, string>;
  details?: Record<string, unknown>;
  raw: unknown;
}

/** One long-running run: an Image Builder lifecycle or workflow execution, an RFS deployment. */
export interface ExecutionInfo {
  provider: ProviderId;
  id: string;
  /** What kind of run, e.g. `lifecycle`, `workflow`, `deployment`. */
  kind: string;
  state: ExecutionState;
  status: string;
  reason?: string;
  startedAt?: Date;
  endedAt?: Date;
  details?: Record<string, unknown>;
  raw: unknown;
}

/** A stack (deployment) as a whole. */
export interface StackInfo {
  provider: ProviderId;
  id?: string;
  name: string;
  state: StackState;
  /** Action of the stack's current/last operation. */
  action: Action;
  phase: Phase;
  status: string;
  reason?: string;
  createdAt?: Date;
  updatedAt?: Date;
  details?: Record<string, unknown>;
  raw: unknown;
}
