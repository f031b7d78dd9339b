import { parseIsoTimestamp } from '@stackfeed/core/adapter';
import * as z from 'zod';

/**
 * zod schemas of Heat's orchestration v1 wire shapes (Heat 19 / Zed, checked against a real Heat).
 * Only what stackfeed reads is required; everything else passes through (`raw` keeps it all).
 * This module is loaded on first use (`load.ts`), never by importing the adapter: a listing whose
 * pages pass the zod-free page check (`check.ts`) loads no zod at all. Each schema is also a
 * `z.lazy`, built on its first parse, so a command pays only for the shapes it reads.
 */

/**
 * A Heat timestamp: ISO 8601 (`2026-11-23T19:03:08Z`; older Heats without `Z`, read as UTC).
 * Numbers and numeric strings such as `"20260101"` are refused, never read as epoch seconds.
 */
export const HeatTime = z.lazy(() =>
  z.unknown().transform((v, ctx) => {
    const d = parseIsoTimestamp(v);
    if (!d) {
      ctx.addIssue({ code: 'custom', message: `is not a timestamp (${JSON.stringify(v)?.slice(0, 40)})` });
      return z.NEVER;
    }
    return d;
  }),
);

const optStr = () => z.string().nullish();

export const LinkSchema = z.lazy(() => z.object({ href: z.string(), rel: z.string() }).loose());

/** One item of `GET …/events` (and of resource events). */
export const WireEventSchema = z.lazy(() =>
  z
    .object({
      id: z.string().min(1),
      links: z.array(LinkSchema).nullish(),
      event_time: HeatTime,
      resource_name: optStr(),
      logical_resource_id: optStr(),
      physical_resource_id: optStr(),
      resource_status: z.string(),
      resource_status_reason: optStr(),
      /** Only in `show event`. */
      resource_type: optStr(),
      /** Only in `show event`. */
      resource_properties: z.unknown().optional(),
    })
    .loose(),
);
export type WireEvent = z.infer<typeof WireEventSchema>;

export const EventListSchema = z.lazy(() => z.object({ events: z.array(z.unknown()) }).loose());
/** A list-events body, every event validated. */
export const EventListWire = z.lazy(() => z.object({ events: z.array(WireEventSchema) }).loose());

export const EventShowSchema = z.lazy(() => z.object({ event: z.unknown() }).loose());
/** `show event`'s body, its event validated. */
export const EventShowWire = z.lazy(() => z.object({ event: WireEventSchema }));

/** A stack in `GET /stacks` and `GET /stacks/{name}/{id}`. */
export const WireStackSchema = z.lazy(() =>
  z
    .object({
      id: z.string().min(1),
      stack_name: z.string().min(1),
      stack_status: z.string(),
      stack_status_reason: optStr(),
      creation_time: HeatTime.nullish(),
      updated_time: HeatTime.nullish(),
      deletion_time: HeatTime.nullish(),
      links: z.array(LinkSchema).nullish(),
      parent: optStr(),
      project: optStr(),
      description: optStr(),
      tags: z.array(z.string()).nullish(),
    })
    .loose(),
);
export type WireStack = z.infer<typeof WireStackSchema>;

export const StackListSchema = z.lazy(() =>
  z.object({ stacks: z.array(z.unknown()), links: z.array(LinkSchema).nullish() }).loose(),
);
export const StackShowSchema = z.lazy(() => z.object({ stack: z.unknown() }).loose());
/** `GET /stacks/{name}/{id}`'s body, its stack validated. */
export const StackShowWire = z.lazy(() => z.object({ stack: WireStackSchema }));
/** `GET /stacks`' body, every stack validated. */
export const StackListWire = z.lazy(() => z.object({ stacks: z.array(WireStackSchema) }).loose());
/** `GET …/resources`: what the nested-stack walk reads (each resource's links). */
export const ResourceListWire = z.lazy(() =>
  z.object({ resources: z.array(z.object({ links: z.array(LinkSchema).nullish() }).loose()) }).loose(),
);

/** Heat's fault body (`heat/api/middleware/fault.py`). */
export const HeatFaultSchema = z.lazy(() =>
  z
    .object({
      code: z.union([z.number(), z.string()]).optional(),
      title: z.string().optional(),
      explanation: z.string().optional(),
      error: z
        .object({
          type: z.string().optional(),
          message: z.string().nullish(),
          traceback: z.unknown().optional(),
          code: z.union([z.number(), z.string()]).optional(),
          title: z.string().optional(),
        })
        .loose()
        .optional(),
    })
    .loose(),
);

/** Keystone v3 `POST /v3/auth/tokens` answer body. */
export const KeystoneEndpointSchema = z.lazy(() =>
  z
    .object({
      url: z.string(),
      interface: z.string().nullish(),
      region: z.string().nullish(),
      region_id: z.string().nullish(),
    })
    .loose(),
);
export const KeystoneServiceSchema = z.lazy(() =>
  z
    .object({ type: z.string(), name: z.string().nullish(), endpoints: z.array(KeystoneEndpointSchema).default([]) })
    .loose(),
);
export const KeystoneTokenSchema = z.lazy(() =>
  z
    .object({
      token: z
        .object({
          expires_at: HeatTime,
          catalog: z.array(KeystoneServiceSchema).nullish(),
          project: z.object({ id: z.string(), name: z.string().nullish() }).loose().nullish(),
          user: z.object({ id: z.string(), name: z.string().nullish() }).loose().nullish(),
        })
        .loose(),
    })
    .loose(),
);
export type KeystoneService = z.infer<typeof KeystoneServiceSchema>;
