import type { StackInfo, StackRef } from '@stackfeed/core';

/** The `imageStatus` filter of ListImages. */
export type ImageStatusFilter = 'AVAILABLE' | 'PENDING' | 'FAILED';
/** The three `imageStatus` values ListImages accepts, in the order `listImages()` reads them by default. */
export const IMAGE_STATUS_FILTERS: readonly ImageStatusFilter[] = ['AVAILABLE', 'PENDING', 'FAILED'];

/** One CloudWatch log stream of an image build (`<version>/<build>`, e.g. `3.12.0/1`). */
export interface LogStreamInfo {
  /** The stream's name, `<version>/<build>`. */
  name: string;
  /** The stream's ARN. */
  arn?: string;
  /** When the stream was created. */
  createdAt?: Date;
  /** The time of its first log line. */
  firstEventAt?: Date;
  /** The time of its last log line. */
  lastEventAt?: Date;
  /** When CloudWatch last took in a line. */
  lastIngestionAt?: Date;
  /** CloudWatch's upload sequence token (deprecated by CloudWatch; kept as sent). */
  uploadSequenceToken?: string;
  /** The stream as received. */
  raw: unknown;
}

/** One line of an image build log. */
export interface LogEventInfo {
  /** When the line was logged (UTC). */
  timestamp: Date;
  /** The line. */
  message: string;
  /** The log stream it came from. */
  stream: string;
  raw: unknown;
}

/** A ParallelCluster cluster: the normalized stack view plus ParallelCluster's own status words. */
export interface ClusterInfo extends StackInfo {
  /** ParallelCluster `clusterStatus`, literal (may be a CloudFormation status passed through, Q10). */
  clusterStatus: string;
  /** The CloudFormation stack status, literal. */
  stackStatus: string;
  /** The ParallelCluster version that created it. */
  version?: string;
  /** The region it lives in. */
  region?: string;
  /** The scheduler (`slurm`, `awsbatch`). */
  scheduler?: string;
}

/** What a ParallelCluster stack is: an image build or a cluster. */
export type ParallelClusterKind = 'image' | 'cluster';

/**
 * A ParallelCluster stack: core's `StackRef` with the kind it is. `name` (required) is the image id
 * or the cluster name, which is also the CloudFormation stack's name; `id` (the stack ARN) is
 * informational and not used to look the stack up. `discover()` returns refs of this shape.
 */
export interface ParallelClusterStackRef extends StackRef {
  /** `image` (an image build stack) or `cluster`. */
  kind: ParallelClusterKind;
  /** The image id or the cluster name (the stack's name). */
  name: string;
}

/**
 * An image by its id, the older ref shape.
 * @deprecated Use `{ kind: 'image', name: imageId }`; accepted for one more release.
 */
export interface ImageIdRef {
  /** The image id. */
  imageId: string;
}

/**
 * A cluster by its name, the older ref shape.
 * @deprecated Use `{ kind: 'cluster', name: clusterName }`; accepted for one more release.
 */
export interface ClusterNameRef {
  /** The cluster name. */
  clusterName: string;
}

/**
 * Which ParallelCluster object a call is about: `{ kind, name }`; the older `{ imageId }` and
 * `{ clusterName }` shapes are deprecated aliases of it.
 */
export type ParallelClusterRef = ParallelClusterStackRef | ImageIdRef | ClusterNameRef;

/**
 * A CloudFormation stack event in a neutral shape: what the API sends (camelCase, 11 fields) and
 * what CloudFormation itself sends (PascalCase, with hook fields, DetailedStatus and OperationId).
 * @internal
 */
export interface CfnEventRecord {
  stackId: string;
  eventId: string;
  stackName: string;
  logicalResourceId?: string | undefined;
  physicalResourceId?: string | undefined;
  resourceType?: string | undefined;
  timestamp: Date;
  resourceStatus?: string | undefined;
  resourceStatusReason?: string | undefined;
  resourceProperties?: string | undefined;
  clientRequestToken?: string | undefined;
  hookType?: string | undefined;
  hookStatus?: string | undefined;
  hookStatusReason?: string | undefined;
  hookInvocationPoint?: string | undefined;
  hookInvocationId?: string | undefined;
  hookFailureMode?: string | undefined;
  detailedStatus?: string | undefined;
  operationId?: string | undefined;
}
