import { parseTimestamp } from '@stackfeed/core';
import { z } from 'zod';

/**
 * zod schemas of Heat's orchestration v1 wire shapes (Heat 19 / Zed, checked against a real Heat).
 * Only what stackfeed reads is required; everything else passes through (`raw` keeps it all).
 */

/** A Heat timestamp (`2026-11-23T19:03:08Z`, older Heats without `Z`): parsed as UTC. */
export const HeatTime = z.unknown().transform((v, ctx) => {
  const d = parseTimestamp(v);
  if (!d) {
    ctx.addIssue({ code: 'custom', message: `is not a timestamp (${JSON.stringify(v)?.slice(0, 40)})` });
    return z.NEVER;
  }
  return d;
});

const optStr = z.string().nullish();

export const LinkSchema = z.object({ href: z.string(), rel: z.string() }).loose();
export type WireLink = z.infer<typeof LinkSchema>;

/** One item of `GET …/events` (and of resource events). */
export const WireEventSchema = z
  .object({
    id: z.string().min(1),
    links: z.array(LinkSchema).nullish(),
    event_time: HeatTime,
    resource_name: optStr,
    logical_resource_id: optStr,
    physical_resource_id: optStr,
    resource_status: z.string(),
    resource_status_reason: optStr,
    /** Only in `show event`. */
    resource_type: optStr,
    /** Only in `show event`. */
    resource_properties: z.unknown().optional(),
  })
  .loose();
export type WireEvent = z.infer<typeof WireEventSchema>;

export const EventListSchema = z.object({ events: z.array(z.unknown()) }).loose();
export const EventShowSchema = z.object({ event: z.unknown() }).loose();

/** A stack in `GET /stacks` and `GET /stacks/{name}/{id}`. */
export const WireStackSchema = z
  .object({
    id: z.string().min(1),
    stack_name: z.string().min(1),
    stack_status: z.string(),
    stack_status_reason: optStr,
    creation_time: HeatTime.nullish(),
    updated_time: z.unknown().optional(),
    deletion_time: z.unknown().optional(),
    links: z.array(LinkSchema).nullish(),
    parent: optStr,
    project: optStr,
    description: optStr,
    tags: z.array(z.string()).nullish(),
  })
  .loose();
export type WireStack = z.infer<typeof WireStackSchema>;

export const StackListSchema = z.object({ stacks: z.array(z.unknown()), links: z.array(LinkSchema).nullish() }).loose();
export const StackShowSchema = z.object({ stack: z.unknown() }).loose();

/** Heat's fault body (`heat/api/middleware/fault.py`). */
export const HeatFaultSchema = z
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
  .loose();

/** Keystone v3 `POST /v3/auth/tokens` answer body. */
export const KeystoneEndpointSchema = z
  .object({
    url: z.string(),
    interface: z.string().nullish(),
    region: z.string().nullish(),
    region_id: z.string().nullish(),
  })
  .loose();
export const KeystoneServiceSchema = z
  .object({ type: z.string(), name: z.string().nullish(), endpoints: z.array(KeystoneEndpointSchema).default([]) })
  .loose();
export const KeystoneTokenSchema = z
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
  .loose();
export type KeystoneService = z.infer<typeof KeystoneServiceSchema>;
