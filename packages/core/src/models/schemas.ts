import { z } from 'zod';
import { ACTIONS, EXECUTION_STATES, IMAGE_STATES, PHASES, PROVIDER_IDS, STACK_STATES } from './enums.js';
import type { ExecutionInfo, ImageInfo, StackEvent, StackInfo } from './types.js';

/**
 * zod schemas of the normalized model. Useful to validate what crosses a process boundary
 * (NDJSON from the CLI, Server-Sent Events in a dashboard): dates are coerced from ISO strings,
 * and unknown enum values fall back to `UNKNOWN` instead of failing.
 */
const openEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values).catch('UNKNOWN' as T[number]);

export const ProviderIdSchema = z.enum(PROVIDER_IDS);
export const PhaseSchema = openEnum(PHASES);
export const ActionSchema = openEnum(ACTIONS);
export const ImageStateSchema = openEnum(IMAGE_STATES);
export const ExecutionStateSchema = openEnum(EXECUTION_STATES);
export const StackStateSchema = openEnum(STACK_STATES);

// Only strings, numbers (epoch ms) and Dates are coerced: `new Date(null)` or `new Date(true)`
// would silently give 1970-01-01.
const date = z.union([z.date(), z.string(), z.number()]).pipe(z.coerce.date());
const details = z.record(z.string(), z.unknown()).optional();

export const StackRefSchema = z.object({ name: z.string().optional(), id: z.string().optional() });

export const StackEventSchema = z.object({
  provider: ProviderIdSchema,
  id: z.string().min(1),
  timestamp: date,
  stack: z.object({
    id: z.string().optional(),
    name: z.string().optional(),
    rootId: z.string().optional(),
    rootName: z.string().optional(),
  }),
  resource: z.object({
    logicalId: z.string().optional(),
    physicalId: z.string().optional(),
    type: z.string().optional(),
    name: z.string().optional(),
    key: z.string().optional(),
  }),
  action: ActionSchema,
  phase: PhaseSchema,
  status: z.string(),
  message: z.string().optional(),
  elapsedSeconds: z.number().optional(),
  properties: z.unknown().optional(),
  isStackEvent: z.boolean().optional(),
  deploymentId: z.string().optional(),
  details,
  raw: z.unknown(),
}) satisfies z.ZodType<StackEvent, unknown>;

export const ImageArtifactSchema = z.object({
  kind: z.enum(['ami', 'container', 'snapshot', 'other']).catch('other'),
  id: z.string(),
  name: z.string().optional(),
  region: z.string().optional(),
  architecture: z.string().optional(),
  state: z.string().optional(),
  uri: z.string().optional(),
});

export const ImageInfoSchema = z.object({
  provider: ProviderIdSchema,
  id: z.string().min(1),
  name: z.string().optional(),
  version: z.string().optional(),
  region: z.string().optional(),
  state: ImageStateSchema,
  status: z.string(),
  reason: z.string().optional(),
  createdAt: date.optional(),
  updatedAt: date.optional(),
  artifacts: z.array(ImageArtifactSchema),
  stack: z
    .object({
      id: z.string().optional(),
      name: z.string().optional(),
      status: z.string().optional(),
      reason: z.string().optional(),
      createdAt: date.optional(),
    })
    .optional(),
  tags: z.record(z.string(), z.string()),
  details,
  raw: z.unknown(),
}) satisfies z.ZodType<ImageInfo, unknown>;

export const ExecutionInfoSchema = z.object({
  provider: ProviderIdSchema,
  id: z.string().min(1),
  kind: z.string(),
  state: ExecutionStateSchema,
  status: z.string(),
  reason: z.string().optional(),
  startedAt: date.optional(),
  endedAt: date.optional(),
  details,
  raw: z.unknown(),
}) satisfies z.ZodType<ExecutionInfo, unknown>;

export const StackInfoSchema = z.object({
  provider: ProviderIdSchema,
  id: z.string().optional(),
  name: z.string(),
  state: StackStateSchema,
  action: ActionSchema,
  phase: PhaseSchema,
  status: z.string(),
  reason: z.string().optional(),
  createdAt: date.optional(),
  updatedAt: date.optional(),
  details,
  raw: z.unknown(),
}) satisfies z.ZodType<StackInfo, unknown>;
