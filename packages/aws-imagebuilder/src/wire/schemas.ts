import { parseIsoTimestamp } from '@stackfeed/core/adapter';
import * as z from 'zod';
import { MIN_WIRE_TIME_MS } from './guards.js';

/**
 * zod schemas of the Image Builder shapes stackfeed reads, as @aws-sdk/client-imagebuilder hands
 * them over. Note the two timestamp types of the model: `DateTimeTimestamp` members (lifecycle
 * `startTime`/`endTime`, `deprecationTime`) arrive as `Date`; `DateTime` members (`dateCreated`,
 * workflow and step `startTime`/`endTime`) arrive as ISO strings. {@link wireTime} accepts both,
 * and only those: an epoch number or a numeric string such as `"20260101"` is no DateTime.
 * The model requires no member of any output shape, and neither do these; enums are plain strings (open).
 */

const TOO_EARLY = 'is before 2000-01-01 (Image Builder did not exist then): not a timestamp of the service';

/**
 * A `DateTime` member (a string in the model): an ISO 8601 / RFC 3339 date-time (or a Date) → Date;
 * anything else (epoch numbers, numeric strings, a time before {@link MIN_WIRE_TIME_MS}) is an
 * error naming the field.
 */
export const wireTime = z
  .unknown()
  .transform((v, ctx): Date | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    const d = parseIsoTimestamp(v);
    if (!d) {
      ctx.issues.push({ code: 'custom', message: 'is not a timestamp', input: v });
      return z.NEVER;
    }
    if (d.getTime() < MIN_WIRE_TIME_MS) {
      ctx.issues.push({ code: 'custom', message: TOO_EARLY, input: v });
      return z.NEVER;
    }
    return d;
  })
  .optional();

/**
 * A `DateTimeTimestamp` member: the SDK has already turned it into a Date. An invalid Date (a wire
 * value the SDK could not read) or one before {@link MIN_WIRE_TIME_MS} (a numeric string read as
 * epoch seconds) is an error naming the field.
 */
export const wireTimestamp = z
  .date()
  .refine((d) => d.getTime() >= MIN_WIRE_TIME_MS, { message: TOO_EARLY })
  .optional();

const str = z.string();
const optStr = z.string().optional();

const StateSchema = z.object({ status: optStr, reason: optStr }).optional();

/*
 * The model marks every member of every output shape optional (no `required` lists), so no
 * member is required here either: a record missing its id still maps (its id is then a content
 * hash of the record), and only a member of the wrong type is INVALID_RESPONSE.
 */
export const LifecycleExecutionSchema = z.object({
  lifecycleExecutionId: optStr,
  lifecyclePolicyArn: optStr,
  resourcesImpactedSummary: z.object({ hasImpactedResources: z.boolean().optional() }).optional(),
  state: StateSchema,
  startTime: wireTimestamp,
  endTime: wireTimestamp,
});
export type WireLifecycleExecution = z.output<typeof LifecycleExecutionSchema>;

export const GetLifecycleExecutionSchema = z.object({ lifecycleExecution: LifecycleExecutionSchema });

export const ListLifecycleExecutionsSchema = z.object({
  lifecycleExecutions: z.array(LifecycleExecutionSchema).optional(),
  nextToken: optStr,
});

/** LifecyclePolicySummary (ListLifecyclePolicies). */
export const LifecyclePolicySummarySchema = z.object({
  arn: optStr,
  name: optStr,
  description: optStr,
  status: optStr,
  resourceType: optStr,
  dateCreated: wireTimestamp,
  dateUpdated: wireTimestamp,
  dateLastRun: wireTimestamp,
  tags: z.record(z.string(), z.string()).optional(),
});
export type WireLifecyclePolicy = z.output<typeof LifecyclePolicySummarySchema>;

export const ListLifecyclePoliciesSchema = z.object({
  lifecyclePolicySummaryList: z.array(LifecyclePolicySummarySchema).optional(),
  nextToken: optStr,
});

export const LifecycleResourceSchema = z.object({
  accountId: optStr,
  resourceId: optStr,
  state: StateSchema,
  action: z.object({ name: optStr, reason: optStr }).optional(),
  region: optStr,
  snapshots: z.array(z.object({ snapshotId: optStr, state: StateSchema })).optional(),
  imageUris: z.array(str).optional(),
  startTime: wireTimestamp,
  endTime: wireTimestamp,
});
export type WireLifecycleResource = z.output<typeof LifecycleResourceSchema>;

export const ListLifecycleResourcesSchema = z.object({
  lifecycleExecutionId: optStr,
  lifecycleExecutionState: StateSchema,
  resources: z.array(LifecycleResourceSchema).optional(),
  nextToken: optStr,
});

const AmiSchema = z.object({
  region: optStr,
  image: optStr,
  name: optStr,
  description: optStr,
  state: StateSchema,
  accountId: optStr,
});

const OutputResourcesSchema = z
  .object({
    amis: z.array(AmiSchema).optional(),
    containers: z.array(z.object({ region: optStr, imageUris: z.array(str).optional() })).optional(),
  })
  .optional();

/** Image (GetImage) and ImageSummary (ListImageBuildVersions) share what stackfeed reads. */
export const ImageSchema = z.object({
  arn: optStr,
  type: optStr,
  name: optStr,
  version: optStr,
  platform: optStr,
  osVersion: optStr,
  owner: optStr,
  state: StateSchema,
  dateCreated: wireTime,
  deprecationTime: wireTimestamp,
  outputResources: OutputResourcesSchema,
  tags: z.record(z.string(), z.string()).optional(),
  buildType: optStr,
  imageSource: optStr,
  lifecycleExecutionId: optStr,
  scanState: StateSchema,
  workflows: z.array(z.object({ workflowArn: optStr, onFailure: optStr, parallelGroup: optStr })).optional(),
  loggingConfiguration: z.object({ logGroupName: optStr }).optional(),
});
export type WireImage = z.output<typeof ImageSchema>;

export const GetImageSchema = z.object({
  requestId: optStr,
  image: ImageSchema,
  latestVersionReferences: z.record(z.string(), z.string()).optional(),
});

export const ListImageBuildVersionsSchema = z.object({
  requestId: optStr,
  imageSummaryList: z.array(ImageSchema).optional(),
  nextToken: optStr,
});

/** ImageVersion (ListImages): no state, no outputs. */
export const ImageVersionSchema = z.object({
  arn: optStr,
  name: optStr,
  type: optStr,
  version: optStr,
  platform: optStr,
  osVersion: optStr,
  owner: optStr,
  dateCreated: wireTime,
  buildType: optStr,
  imageSource: optStr,
});
export type WireImageVersion = z.output<typeof ImageVersionSchema>;

export const ListImagesSchema = z.object({
  requestId: optStr,
  imageVersionList: z.array(ImageVersionSchema).optional(),
  nextToken: optStr,
});

export const WorkflowExecutionSchema = z.object({
  workflowBuildVersionArn: optStr,
  workflowExecutionId: optStr,
  imageBuildVersionArn: optStr,
  type: optStr,
  status: optStr,
  message: optStr,
  totalStepCount: z.number().optional(),
  totalStepsSucceeded: z.number().optional(),
  totalStepsFailed: z.number().optional(),
  totalStepsSkipped: z.number().optional(),
  startTime: wireTime,
  endTime: wireTime,
  parallelGroup: optStr,
  retried: z.boolean().optional(),
});
export type WireWorkflowExecution = z.output<typeof WorkflowExecutionSchema>;

export const ListWorkflowExecutionsSchema = z.object({
  requestId: optStr,
  workflowExecutions: z.array(WorkflowExecutionSchema).optional(),
  imageBuildVersionArn: optStr,
  message: optStr,
  nextToken: optStr,
});

export const WorkflowStepSchema = z.object({
  stepExecutionId: optStr,
  name: optStr,
  description: optStr,
  action: optStr,
  status: optStr,
  rollbackStatus: optStr,
  message: optStr,
  inputs: optStr,
  outputs: optStr,
  startTime: wireTime,
  endTime: wireTime,
});
export type WireWorkflowStep = z.output<typeof WorkflowStepSchema>;

export const ListWorkflowStepsSchema = z.object({
  requestId: optStr,
  steps: z.array(WorkflowStepSchema).optional(),
  workflowBuildVersionArn: optStr,
  workflowExecutionId: optStr,
  imageBuildVersionArn: optStr,
  message: optStr,
  nextToken: optStr,
});
