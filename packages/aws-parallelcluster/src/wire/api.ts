import { parseIsoTimestamp } from '@stackfeed/core/adapter';
import * as z from 'zod';

/**
 * zod schemas of the ParallelCluster API v3 responses (the official OpenAPI spec, components.schemas).
 * Loaded on first use (`load.ts`), never by importing the adapter: a stack-event listing whose pages
 * pass the zod-free reader (`check.ts`) loads no zod at all.
 * Enum-typed fields are read as plain strings: the server does not enforce its enums (quirks Q1, Q10).
 * Optional fields are absent, never null (pcluster's encoder drops them); a null is tolerated all the same.
 */
const opt = <T extends z.ZodType>(s: T) => s.nullish().transform((v) => v ?? undefined);
const str = z.string();
/** An ISO-8601 date-time (UTC, milliseconds, `Z`); anything unparseable fails with the field's path. */
const isoTime = z
  .string()
  .refine((v) => parseIsoTimestamp(v) !== undefined, { message: 'is not a valid ISO-8601 date-time' });

export const TagWire = z.object({ key: opt(str), value: opt(str) });

export const Ec2AmiInfoSummaryWire = z.object({ amiId: str });
export const Ec2AmiInfoWire = z.object({
  amiId: str,
  tags: opt(z.array(TagWire)),
  amiName: opt(str),
  architecture: opt(str),
  state: opt(str),
  description: opt(str),
});

export const ImageInfoSummaryWire = z.object({
  imageId: str,
  ec2AmiInfo: opt(Ec2AmiInfoSummaryWire),
  region: str,
  version: str,
  cloudformationStackArn: opt(str),
  imageBuildStatus: str,
  cloudformationStackStatus: opt(str),
});
export type ImageInfoSummaryWire = z.output<typeof ImageInfoSummaryWire>;

export const ListImagesWire = z.object({ nextToken: opt(str), images: z.array(ImageInfoSummaryWire) });

export const DescribeImageWire = z.object({
  imageId: str,
  region: str,
  version: str,
  /** Required by the spec, but pcluster omits it when the stack status is one it has no mapping for. */
  imageBuildStatus: opt(str),
  imageBuildLogsArn: opt(str),
  cloudformationStackStatus: opt(str),
  cloudformationStackStatusReason: opt(str),
  cloudformationStackArn: opt(str),
  creationTime: opt(str),
  cloudformationStackCreationTime: opt(str),
  cloudformationStackTags: opt(z.array(TagWire)),
  imageConfiguration: opt(z.object({ url: opt(str) })),
  imagebuilderImageStatus: opt(str),
  imagebuilderImageStatusReason: opt(str),
  ec2AmiInfo: opt(Ec2AmiInfoWire),
});
export type DescribeImageWire = z.output<typeof DescribeImageWire>;

/**
 * The spec marks eight members required, but the server copies CloudFormation's keys without
 * checking them against it, and CloudFormation's own model requires only StackId, EventId, StackName and
 * Timestamp: the other four are optional here, as they are there. The hook members are kept when
 * the server passes them on: a hook-only event (HookStatus, no ResourceStatus) has no status else.
 */
export const StackEventWire = z.object({
  stackId: str,
  eventId: str,
  stackName: str,
  logicalResourceId: opt(str),
  physicalResourceId: opt(str),
  resourceType: opt(str),
  timestamp: isoTime,
  resourceStatus: opt(str),
  resourceStatusReason: opt(str),
  resourceProperties: opt(str),
  clientRequestToken: opt(str),
  hookType: opt(str),
  hookStatus: opt(str),
  hookStatusReason: opt(str),
  hookInvocationPoint: opt(str),
});
export type StackEventWire = z.output<typeof StackEventWire>;

export const StackEventsWire = z.object({ nextToken: opt(str), events: opt(z.array(StackEventWire)) });

/** The zod-free reader of the same bodies (its property test compares the two). */
export { type StackEventRecord, readStackEventsFast } from './check.js';

export const LogStreamWire = z.object({
  logStreamName: str,
  creationTime: opt(str),
  firstEventTimestamp: opt(str),
  lastEventTimestamp: opt(str),
  lastIngestionTime: opt(str),
  uploadSequenceToken: opt(str),
  logStreamArn: opt(str),
});
export type LogStreamWire = z.output<typeof LogStreamWire>;
export const LogStreamsWire = z.object({ nextToken: opt(str), logStreams: z.array(LogStreamWire) });

export const LogEventWire = z.object({ timestamp: isoTime, message: str });
export const LogEventsWire = z.object({
  nextToken: opt(str),
  prevToken: opt(str),
  events: opt(z.array(LogEventWire)),
});

export const SchedulerWire = z.object({
  type: str,
  metadata: opt(z.object({ name: opt(str), version: opt(str) })),
});

export const ClusterInfoSummaryWire = z.object({
  clusterName: str,
  region: str,
  version: str,
  cloudformationStackArn: str,
  cloudformationStackStatus: str,
  clusterStatus: str,
  scheduler: opt(SchedulerWire),
});
export type ClusterInfoSummaryWire = z.output<typeof ClusterInfoSummaryWire>;
export const ListClustersWire = z.object({ nextToken: opt(str), clusters: z.array(ClusterInfoSummaryWire) });

export const DescribeClusterWire = z.object({
  clusterName: str,
  region: str,
  version: str,
  /** Capital F here, lower-case f in ClusterInfoSummary (quirk Q8). */
  cloudFormationStackStatus: str,
  clusterStatus: str,
  scheduler: opt(SchedulerWire),
  cloudformationStackArn: str,
  creationTime: str,
  lastUpdatedTime: str,
  clusterConfiguration: z.object({ url: opt(str) }),
  computeFleetStatus: str,
  tags: z.array(TagWire),
  headNode: opt(z.record(z.string(), z.unknown())),
  loginNodes: opt(z.array(z.record(z.string(), z.unknown()))),
  failures: opt(z.array(z.object({ failureCode: opt(str), failureReason: opt(str) }))),
});
export type DescribeClusterWire = z.output<typeof DescribeClusterWire>;

/** Every error body of the API (and of API Gateway itself): `{ "message": string }`. */
export const ErrorBodyWire = z.object({ message: opt(str) }).passthrough();
