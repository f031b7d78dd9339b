/**
 * @stackfeed/aws-parallelcluster: AWS ParallelCluster images, clusters and CloudFormation stack
 * events, through a deployed ParallelCluster API (SigV4) or directly through CloudFormation, EC2,
 * Image Builder and CloudWatch Logs (AWS SDK v3, imported only in direct mode).
 * @packageDocumentation
 */
export {
  ParallelClusterClient,
  type ParallelClusterClientOptions,
  type CommonClientOptions,
  type ListImagesOptions,
  type ListStackEventsOptions,
  type ListClustersOptions,
  type ListLogEventsOptions,
  type WatchClusterOptions,
  type WatchImageBuildOptions,
} from './client.js';
export type { ApiModeOptions } from './api/backend.js';
export type { DirectModeOptions } from './direct/options.js';
export type { AwsCredentials, CredentialsInput } from './auth/credentials.js';
export { regionFromApiHost, sigv4AuthHook, type SigV4AuthHook } from './auth/sigv4.js';
export { parseApiError, fromAwsError } from './errors.js';
export {
  type ClusterInfo,
  type ImageStatusFilter,
  type LogEventInfo,
  type LogStreamInfo,
  type ParallelClusterRef,
  type ParallelClusterStackRef,
  type ParallelClusterKind,
  type ImageIdRef,
  type ClusterNameRef,
  IMAGE_STATUS_FILTERS,
} from './types.js';
export {
  CFN_STATUS_ENTRIES,
  STACK_STATE_ENTRIES,
  IMAGE_BUILD_STATUS_ENTRIES,
  IMAGEBUILDER_STATUS_ENTRIES,
  AMI_STATE_ENTRIES,
  CLUSTER_STATUS_ENTRIES,
  STACK_TO_IMAGE_BUILD_STATUS,
  IMAGE_STATUS_FILTER_STACK_STATUSES,
  cfnActionPhase,
  amiState,
  clusterStatusFromStack,
  listImagesBuildStatus,
  isStackInProgress,
} from './mapping/tables.js';
export { listAwsRegions, type ListAwsRegionsOptions } from './regions.js';
