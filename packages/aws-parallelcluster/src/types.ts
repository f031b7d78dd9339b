import type { StackInfo } from '@stackfeed/core';

/** The `imageStatus` filter of ListImages. */
export type ImageStatusFilter = 'AVAILABLE' | 'PENDING' | 'FAILED';
/** The three `imageStatus` values ListImages accepts, in the order `listImages()` reads them by default. */
export const IMAGE_STATUS_FILTERS: readonly ImageStatusFilter[] = ['AVAILABLE', 'PENDING', 'FAILED'];

/** One CloudWatch log stream of an image build (`<version>/<build>`, e.g. `3.12.0/1`). */
export interface LogStreamInfo {
  name: string;
  arn?: string;
  createdAt?: Date;
  firstEventAt?: Date;
  lastEventAt?: Date;
  lastIngestionAt?: Date;
  uploadSequenceToken?: string;
  raw: unknown;
}

/** One line of an image build log. */
export interface LogEventInfo {
  timestamp: Date;
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
  version?: string;
  region?: string;
  scheduler?: string;
}

/** Which ParallelCluster object a stack event listing is about. */
export type ParallelClusterRef = { clusterName: string } | { imageId: string };

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
