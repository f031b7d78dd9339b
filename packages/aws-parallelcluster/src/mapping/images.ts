import type { ImageArtifact, ImageInfo, ImageState } from '@stackfeed/core';
import { parseIsoTimestamp } from '@stackfeed/core/adapter';
import type { ClusterInfo } from '../types.js';
import type {
  ClusterInfoSummaryWire,
  DescribeClusterWire,
  DescribeImageWire,
  ImageInfoSummaryWire,
} from '../wire/api.js';
import {
  STACK_TO_IMAGE_BUILD_STATUS,
  amiState,
  clusterStatusTable,
  imageBuildStatusTable,
  imagebuilderStatusTable,
  isStackInProgress,
  stackStateTable,
} from './tables.js';

type Tag = { key?: string | undefined; value?: string | undefined };

function tagsOf(...lists: Array<Tag[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const list of lists) for (const t of list ?? []) if (t.key !== undefined) out[t.key] = t.value ?? '';
  return out;
}

const date = (v: string | undefined): Date | undefined => (v === undefined ? undefined : parseIsoTimestamp(v));

/**
 * The normalized image state from ParallelCluster's words. The build status decides; when it is
 * missing (pcluster returns none for an unmapped stack status) the stack status is translated the
 * way pcluster would, and then Image Builder's own status.
 */
export function imageStateOf(w: {
  imageBuildStatus?: string | undefined;
  cloudformationStackStatus?: string | undefined;
  imagebuilderImageStatus?: string | undefined;
}): { state: ImageState; status: string } {
  let status = w.imageBuildStatus;
  if (status === undefined && w.cloudformationStackStatus !== undefined)
    status = STACK_TO_IMAGE_BUILD_STATUS[w.cloudformationStackStatus] ?? w.cloudformationStackStatus;
  let state = imageBuildStatusTable.map(status);
  if (state === 'UNKNOWN' && w.imagebuilderImageStatus !== undefined)
    state = imagebuilderStatusTable.map(w.imagebuilderImageStatus);
  // A build whose Image Builder image has not started yet is PENDING rather than BUILDING.
  if (state === 'BUILDING' && w.imagebuilderImageStatus === 'PENDING') state = 'PENDING';
  return { state, status: status ?? w.imagebuilderImageStatus ?? '' };
}

/** DescribeImageResponseContent → ImageInfo. */
export function imageFromDescribe(w: DescribeImageWire, raw: unknown): ImageInfo {
  const { state, status } = imageStateOf(w);
  const tags = tagsOf(w.cloudformationStackTags, w.ec2AmiInfo?.tags);
  const info: ImageInfo = {
    provider: 'aws-parallelcluster',
    id: w.imageId,
    name: tags['parallelcluster:image_name'] ?? w.imageId,
    version: w.version,
    region: w.region,
    state,
    status,
    artifacts: [],
    tags,
    raw,
  };
  const reason =
    state === 'FAILED'
      ? (w.imagebuilderImageStatusReason ?? w.cloudformationStackStatusReason)
      : (w.cloudformationStackStatusReason ?? w.imagebuilderImageStatusReason);
  if (reason !== undefined) info.reason = reason;
  const created = date(w.creationTime) ?? date(w.cloudformationStackCreationTime);
  if (created) info.createdAt = created;
  if (w.ec2AmiInfo) {
    const a: ImageArtifact = { kind: 'ami', id: w.ec2AmiInfo.amiId, region: w.region };
    if (w.ec2AmiInfo.amiName !== undefined) a.name = w.ec2AmiInfo.amiName;
    if (w.ec2AmiInfo.architecture !== undefined) a.architecture = w.ec2AmiInfo.architecture;
    if (w.ec2AmiInfo.state !== undefined) a.state = w.ec2AmiInfo.state;
    info.artifacts.push(a);
  }
  if (w.cloudformationStackArn !== undefined || w.cloudformationStackStatus !== undefined) {
    const stack: NonNullable<ImageInfo['stack']> = { name: w.imageId };
    if (w.cloudformationStackArn !== undefined) stack.id = w.cloudformationStackArn;
    if (w.cloudformationStackStatus !== undefined) stack.status = w.cloudformationStackStatus;
    if (w.cloudformationStackStatusReason !== undefined) stack.reason = w.cloudformationStackStatusReason;
    const sc = date(w.cloudformationStackCreationTime);
    if (sc) stack.createdAt = sc;
    info.stack = stack;
  }
  const details: Record<string, unknown> = {};
  // The AMI path of DescribeImage has no imageBuildLogsArn; the AMI's own tag says the same.
  const logsArn = w.imageBuildLogsArn ?? tags['parallelcluster:build_log'];
  if (logsArn !== undefined) details.imageBuildLogsArn = logsArn;
  if (w.imagebuilderImageStatus !== undefined) {
    details.imagebuilderImageStatus = w.imagebuilderImageStatus;
    details.imagebuilderImageState = imagebuilderStatusTable.map(w.imagebuilderImageStatus);
  }
  if (w.imagebuilderImageStatusReason !== undefined)
    details.imagebuilderImageStatusReason = w.imagebuilderImageStatusReason;
  if (w.imageConfiguration?.url !== undefined) details.imageConfigurationUrl = w.imageConfiguration.url;
  if (w.ec2AmiInfo?.description !== undefined) details.amiDescription = w.ec2AmiInfo.description;
  if (w.ec2AmiInfo?.state !== undefined) details.amiState = amiState(w.ec2AmiInfo.state);
  if (Object.keys(details).length > 0) info.details = details;
  return info;
}

/**
 * ImageInfoSummary (ListImages) → ImageInfo. The summary has no name: pcluster names an image by
 * its `parallelcluster:image_name` tag, which defaults to the image id, so the id is the name unless
 * the caller read the tag (direct mode does). The summary has no tags either; direct mode's
 * listings (AMIs, stacks) do, and pass them.
 */
export function imageFromSummary(
  w: ImageInfoSummaryWire,
  raw: unknown,
  name: string = w.imageId,
  tags: Record<string, string> = {},
): ImageInfo {
  const { state, status } = imageStateOf(w);
  const info: ImageInfo = {
    provider: 'aws-parallelcluster',
    id: w.imageId,
    name,
    version: w.version,
    region: w.region,
    state,
    status,
    artifacts: w.ec2AmiInfo ? [{ kind: 'ami', id: w.ec2AmiInfo.amiId, region: w.region }] : [],
    tags,
    raw,
  };
  if (w.cloudformationStackArn !== undefined || w.cloudformationStackStatus !== undefined) {
    const stack: NonNullable<ImageInfo['stack']> = { name: w.imageId };
    if (w.cloudformationStackArn !== undefined) stack.id = w.cloudformationStackArn;
    if (w.cloudformationStackStatus !== undefined) stack.status = w.cloudformationStackStatus;
    info.stack = stack;
  }
  return info;
}

/** Is an image build over (succeeded, failed for good, deleted)? */
export function imageBuildTerminal(info: ImageInfo): boolean {
  if (info.stack?.status !== undefined && isStackInProgress(info.stack.status)) return false;
  return ['AVAILABLE', 'FAILED', 'DELETED', 'CANCELLED', 'DISABLED', 'DEPRECATED'].includes(info.state);
}

export function clusterBase(
  name: string,
  clusterStatus: string,
  stackStatus: string,
  raw: unknown,
): Omit<ClusterInfo, 'createdAt' | 'updatedAt'> {
  const byCluster = clusterStatusTable.map(clusterStatus);
  const state = byCluster?.state ?? stackStateTable.map(stackStatus);
  return {
    provider: 'aws-parallelcluster',
    name,
    state,
    action: byCluster?.action ?? 'UNKNOWN',
    phase: byCluster?.phase ?? 'UNKNOWN',
    status: clusterStatus,
    clusterStatus,
    stackStatus,
    raw,
  };
}

/** ClusterInfoSummary (ListClusters) → ClusterInfo. */
export function clusterFromSummary(w: ClusterInfoSummaryWire, raw: unknown): ClusterInfo {
  const c: ClusterInfo = {
    ...clusterBase(w.clusterName, w.clusterStatus, w.cloudformationStackStatus, raw),
    id: w.cloudformationStackArn,
    version: w.version,
    region: w.region,
  };
  if (w.scheduler?.type !== undefined) c.scheduler = w.scheduler.type;
  return c;
}

/** DescribeClusterResponseContent → ClusterInfo. */
export function clusterFromDescribe(w: DescribeClusterWire, raw: unknown): ClusterInfo {
  const c: ClusterInfo = {
    ...clusterBase(w.clusterName, w.clusterStatus, w.cloudFormationStackStatus, raw),
    id: w.cloudformationStackArn,
    version: w.version,
    region: w.region,
  };
  const created = parseIsoTimestamp(w.creationTime);
  if (created) c.createdAt = created;
  const updated = parseIsoTimestamp(w.lastUpdatedTime);
  if (updated) c.updatedAt = updated;
  if (w.scheduler?.type !== undefined) c.scheduler = w.scheduler.type;
  const reason = w.failures?.map((f) => f.failureReason ?? f.failureCode).filter(Boolean);
  if (reason && reason.length > 0) c.reason = reason.join('; ');
  c.details = {
    computeFleetStatus: w.computeFleetStatus,
    tags: tagsOf(w.tags),
    ...(w.clusterConfiguration.url !== undefined ? { clusterConfigurationUrl: w.clusterConfiguration.url } : {}),
    ...(w.headNode !== undefined ? { headNode: w.headNode } : {}),
    ...(w.loginNodes !== undefined ? { loginNodes: w.loginNodes } : {}),
  };
  return c;
}
