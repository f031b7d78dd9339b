import * as z from 'zod';
import { ACTIONS, EXECUTION_STATES, IMAGE_STATES, PHASES, PROVIDER_IDS, STACK_STATES } from './enums.js';
import type { ExecutionInfo, ImageInfo, StackEvent, StackInfo } from './types.js';

/**
 * zod schemas of the normalized model. Useful to validate what crosses a process boundary
 * (NDJSON from the CLI, Server-Sent Events in a dashboard): dates are coerced from ISO strings,
 * and unknown enum values fall back to `UNKNOWN` instead of failing.
 *
 * Each schema is built on first use, not when core is imported: most programs never touch them,
 * and building them all costs every import. The exported values stand in for the built schema
 * (every property, `instanceof` and nesting in other zod schemas reach it).
 */

let builtCount = 0;
/** How many schemas have been built so far. @internal (core's import-cost test) */
export const schemasBuilt = (): number => builtCount;

/** The value `build` returns, built on the first call. */
function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    if (value === undefined) {
      value = build();
      builtCount++;
    }
    return value;
  };
}

/** An object that stands in for `get()`'s value and builds it when first touched. */
function standIn<T extends object>(get: () => T): T {
  return new Proxy(Object.create(null) as T, {
    get: (_t, key) => Reflect.get(get(), key),
    set: (_t, key, value) => Reflect.set(get(), key, value),
    has: (_t, key) => Reflect.has(get(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(get()),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Reflect.getOwnPropertyDescriptor(get(), key);
      // A proxy may not report a non-configurable property its target lacks.
      return d ? { ...d, configurable: true } : undefined;
    },
  });
}

const openEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values).catch('UNKNOWN' as T[number]);

const providerId = once(() => z.enum(PROVIDER_IDS));
const phase = once(() => openEnum(PHASES));
const action = once(() => openEnum(ACTIONS));
const imageState = once(() => openEnum(IMAGE_STATES));
const executionState = once(() => openEnum(EXECUTION_STATES));
const stackState = once(() => openEnum(STACK_STATES));

// Only strings, numbers (epoch ms) and Dates are coerced: `new Date(null)` or `new Date(true)`
// would silently give 1970-01-01.
const date = once(() => z.union([z.date(), z.string(), z.number()]).pipe(z.coerce.date()));
const details = once(() => z.record(z.string(), z.unknown()).optional());

const stackRef = once(() => z.object({ name: z.string().optional(), id: z.string().optional() }));

const stackEvent = once(
  () =>
    z.object({
      provider: providerId(),
      id: z.string().min(1),
      timestamp: date(),
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
      action: action(),
      phase: phase(),
      status: z.string(),
      message: z.string().optional(),
      elapsedSeconds: z.number().optional(),
      properties: z.unknown().optional(),
      isStackEvent: z.boolean().optional(),
      deploymentId: z.string().optional(),
      details: details(),
      raw: z.unknown(),
    }) satisfies z.ZodType<StackEvent, unknown>,
);

const imageArtifact = once(() =>
  z.object({
    kind: z.enum(['ami', 'container', 'snapshot', 'other']).catch('other'),
    id: z.string(),
    name: z.string().optional(),
    region: z.string().optional(),
    architecture: z.string().optional(),
    state: z.string().optional(),
    uri: z.string().optional(),
  }),
);

const imageInfo = once(
  () =>
    z.object({
      provider: providerId(),
      id: z.string().min(1),
      name: z.string().optional(),
      version: z.string().optional(),
      region: z.string().optional(),
      state: imageState(),
      status: z.string(),
      reason: z.string().optional(),
      createdAt: date().optional(),
      updatedAt: date().optional(),
      artifacts: z.array(imageArtifact()),
      stack: z
        .object({
          id: z.string().optional(),
          name: z.string().optional(),
          status: z.string().optional(),
          reason: z.string().optional(),
          createdAt: date().optional(),
        })
        .optional(),
      tags: z.record(z.string(), z.string()),
      details: details(),
      raw: z.unknown(),
    }) satisfies z.ZodType<ImageInfo, unknown>,
);

const executionInfo = once(
  () =>
    z.object({
      provider: providerId(),
      id: z.string().min(1),
      kind: z.string(),
      state: executionState(),
      status: z.string(),
      reason: z.string().optional(),
      startedAt: date().optional(),
      endedAt: date().optional(),
      details: details(),
      raw: z.unknown(),
    }) satisfies z.ZodType<ExecutionInfo, unknown>,
);

const stackInfo = once(
  () =>
    z.object({
      provider: providerId(),
      id: z.string().optional(),
      name: z.string(),
      state: stackState(),
      action: action(),
      phase: phase(),
      status: z.string(),
      reason: z.string().optional(),
      createdAt: date().optional(),
      updatedAt: date().optional(),
      details: details(),
      raw: z.unknown(),
    }) satisfies z.ZodType<StackInfo, unknown>,
);

export const ProviderIdSchema = standIn(providerId);
export const PhaseSchema = standIn(phase);
export const ActionSchema = standIn(action);
export const ImageStateSchema = standIn(imageState);
export const ExecutionStateSchema = standIn(executionState);
export const StackStateSchema = standIn(stackState);
export const StackRefSchema = standIn(stackRef);
export const StackEventSchema = standIn(stackEvent);
export const ImageArtifactSchema = standIn(imageArtifact);
export const ImageInfoSchema = standIn(imageInfo);
export const ExecutionInfoSchema = standIn(executionInfo);
export const StackInfoSchema = standIn(stackInfo);
