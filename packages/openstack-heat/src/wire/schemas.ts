import { parseIsoTimestamp } from '@stackfeed/core/adapter';
import * as z from 'zod';

/**
 * zod schemas of Heat's orchestration v1 wire shapes (Heat 19 / Zed, checked against a real Heat).
 * Only what stackfeed reads is required; everything else passes through (`raw` keeps it all).
 * Each is a `z.lazy`: built on its first parse (zod keeps it then), not when the adapter is
 * imported, so that a command pays only for the shapes it reads.
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
export type WireLink = z.infer<typeof LinkSchema>;

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

/** What the mapping reads of one event: the wire record's fields except `event_time` (passed as a Date). */
export interface HeatEventFields {
  id: string;
  links?: readonly WireLink[] | null | undefined;
  resource_name?: string | null | undefined;
  logical_resource_id?: string | null | undefined;
  physical_resource_id?: string | null | undefined;
  resource_status: string;
  resource_status_reason?: string | null | undefined;
  resource_type?: string | null | undefined;
  resource_properties?: unknown;
}

/** A list-events body the fast check accepted: the records as received, and their times. */
export interface CheckedEventList {
  events: HeatEventFields[];
  /** `times[i]` is `events[i].event_time` in epoch ms. */
  times: number[];
}

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isOptStr = (v: unknown) => v === undefined || v === null || typeof v === 'string';

/**
 * Fast path of {@link EventListWire} for the hot loop of a listing: answers the records as
 * received (no zod copies) with their times when `body` is a shape the schema accepts and every
 * `event_time` is an ISO timestamp (core's `parseIsoTimestamp`, as the schema reads it); otherwise
 * `undefined`, and the caller parses with zod, which names the first bad field. It accepts nothing
 * the schema rejects (a property test holds it to that).
 */
export function checkEventList(body: unknown): CheckedEventList | undefined {
  if (!isRecord(body)) return undefined;
  const list = body.events;
  if (!Array.isArray(list)) return undefined;
  const times = new Array<number>(list.length);
  // Events of one second come in runs: read each distinct time string once.
  let lastT: string | undefined;
  let lastMs = Number.NaN;
  for (let i = 0; i < list.length; i++) {
    const e: unknown = list[i];
    if (!isRecord(e)) return undefined;
    const t = e.event_time;
    if (
      typeof e.id !== 'string' ||
      e.id === '' ||
      typeof e.resource_status !== 'string' ||
      typeof t !== 'string' ||
      !isOptStr(e.resource_name) ||
      !isOptStr(e.logical_resource_id) ||
      !isOptStr(e.physical_resource_id) ||
      !isOptStr(e.resource_status_reason) ||
      !isOptStr(e.resource_type)
    )
      return undefined;
    const links = e.links;
    if (links !== undefined && links !== null) {
      if (!Array.isArray(links)) return undefined;
      for (let j = 0; j < links.length; j++) {
        const l: unknown = links[j];
        if (!isRecord(l) || typeof l.href !== 'string' || typeof l.rel !== 'string') return undefined;
      }
    }
    if (t !== lastT) {
      const d = parseIsoTimestamp(t);
      if (!d) return undefined;
      lastMs = d.getTime();
      lastT = t;
    }
    times[i] = lastMs;
  }
  return { events: list as HeatEventFields[], times };
}
export const EventShowSchema = z.lazy(() => z.object({ event: z.unknown() }).loose());

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
