import { parseIsoTimestamp } from '@stackfeed/core/adapter';
import * as z from 'zod';

/**
 * zod schemas of the RFS wire shapes (field names as the service spells them). Optional fields may
 * be absent or null; unknown fields are kept (passthrough) so `raw` stays complete. Enums are
 * plain strings here: unknown values are mapped to UNKNOWN later, never rejected.
 */

const optStr = z.string().nullish();

/** The RFC 3339 form RFS sends (`2025-06-12T08:01:04Z`, optional fraction, Z or an offset). */
const ZONED_RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Epoch ms of a timestamp in the form RFS sends, or NaN for anything else (which then goes through
 * core's strict ISO 8601 parser). Shared by the zod schema and the fast page check, so both read a
 * time the same way.
 */
function rfc3339Ms(s: string): number {
  return ZONED_RFC3339.test(s) ? Date.parse(s) : Number.NaN;
}

/**
 * RFC 3339 timestamp → Date, the form the official models document (`yyyy-mm-ddTHH:MM:SSZ`); other
 * ISO 8601 date-times are read too (zone-less = UTC). Anything else, a numeric string like
 * "20260101" included, fails with the field's path: no epoch guessing.
 */
const timestamp = z.string().transform((s, ctx) => {
  // Fast path for what RFS sends; everything else goes through core's strict parser.
  const ms = rfc3339Ms(s);
  if (!Number.isNaN(ms)) return new Date(ms);
  const d = parseIsoTimestamp(s);
  if (!d) {
    ctx.addIssue({ code: 'custom', message: 'is not an RFC 3339 timestamp' });
    return z.NEVER;
  }
  return d;
});

/**
 * One `stack_events[]` item. RFS events have no id. Every member is optional in the official
 * model (a `field` selection leaves most out), `event_type` included. The time comes as `time` (the
 * SDK models' name) or `timestamp` (the document's name for `field`); a record with neither has no
 * time and is not emitted as an event.
 */
export const WireStackEventSchema = z.looseObject({
  resource_type: optStr,
  resource_name: optStr,
  resource_id_key: optStr,
  resource_id_value: optStr,
  resource_key: optStr,
  time: timestamp.nullish(),
  timestamp: timestamp.nullish(),
  event_type: optStr,
  event_message: optStr,
  elapsed_seconds: z.number().nullish(),
});
export type WireStackEvent = z.input<typeof WireStackEventSchema>;

/** The time of a parsed event: `time`, else `timestamp`, else undefined (the record has none). */
export function wireEventTime(ev: { time?: Date | null | undefined; timestamp?: Date | null | undefined }) {
  return ev.time ?? ev.timestamp ?? undefined;
}

/** `page_info`, present since the 2025 API revision; absent means "this was the whole list". */
export const WirePageInfoSchema = z.looseObject({
  next_marker: optStr,
  previous_marker: optStr,
  current_count: z.number().nullish(),
});

export const ListStackEventsResponseSchema = z.looseObject({
  stack_events: z.array(WireStackEventSchema).nullish(),
  page_info: WirePageInfoSchema.nullish(),
});

/** What the mapping reads of one event: the wire record's fields except `time` (passed as ms). */
export interface RfsEventFields {
  resource_type?: string | null | undefined;
  resource_name?: string | null | undefined;
  resource_id_key?: string | null | undefined;
  resource_id_value?: string | null | undefined;
  resource_key?: string | null | undefined;
  event_type?: string | null | undefined;
  event_message?: string | null | undefined;
  elapsed_seconds?: number | null | undefined;
}

/** A ListStackEvents body the fast check accepted: the records as received, and their times. */
export interface CheckedEventsPage {
  events: RfsEventFields[];
  /** `times[i]` is the time of `events[i]` in epoch ms, NaN when the record has none. */
  times: number[];
  nextMarker: string | undefined;
}

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
/** `z.string().nullish()` */
const isOptStr = (v: unknown) => v === undefined || v === null || typeof v === 'string';
/** `z.number().nullish()` (zod rejects NaN and ±Infinity; JSON can produce Infinity from `1e999`). */
const isOptNum = (v: unknown) => v === undefined || v === null || (typeof v === 'number' && Number.isFinite(v));

/**
 * Fast path of {@link ListStackEventsResponseSchema}, for the hot loop of a listing: answers the
 * records as received (no copies) with their parsed times when `body` is a shape the schema accepts
 * and every `time` has the RFC 3339 form RFS sends; otherwise `undefined`, and the caller parses
 * with the zod schema, which accepts the other timestamp forms and names the first bad field. It
 * accepts nothing the schema rejects (a property test holds it to that), so validation is the same,
 * only cheaper: no zod object copies per record.
 */
export function checkEventsPage(body: unknown): CheckedEventsPage | undefined {
  if (!isRecord(body)) return undefined;
  const pi = body.page_info;
  if (pi !== undefined && pi !== null) {
    if (!isRecord(pi) || !isOptStr(pi.next_marker) || !isOptStr(pi.previous_marker) || !isOptNum(pi.current_count))
      return undefined;
  }
  const list = body.stack_events;
  let events: RfsEventFields[] = [];
  let times: number[] = [];
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) return undefined;
    times = new Array<number>(list.length);
    // Events of one second come in runs: parse each distinct time string once.
    let lastT: string | undefined;
    let lastMs = Number.NaN;
    for (let i = 0; i < list.length; i++) {
      const e: unknown = list[i];
      if (!isRecord(e)) return undefined;
      if (
        !isOptStr(e.event_type) ||
        !isOptStr(e.resource_type) ||
        !isOptStr(e.resource_name) ||
        !isOptStr(e.resource_id_key) ||
        !isOptStr(e.resource_id_value) ||
        !isOptStr(e.resource_key) ||
        !isOptStr(e.event_message) ||
        !isOptNum(e.elapsed_seconds)
      )
        return undefined;
      const time = e.time;
      const alt = e.timestamp;
      // The `timestamp` spelling is rare: leave it (and any present-but-odd time) to the schema.
      if (alt !== undefined && alt !== null) return undefined;
      if (time === undefined || time === null) {
        times[i] = Number.NaN;
        continue;
      }
      if (typeof time !== 'string') return undefined;
      if (time !== lastT) {
        lastMs = rfc3339Ms(time);
        if (Number.isNaN(lastMs)) return undefined;
        lastT = time;
      }
      times[i] = lastMs;
    }
    events = list as RfsEventFields[];
  }
  const next = isRecord(pi) ? (pi.next_marker as string | null | undefined) : undefined;
  return { events, times, nextMarker: next || undefined };
}

/** One `stacks[]` item of ListStacks. */
export const WireStackSchema = z.looseObject({
  stack_name: z.string(),
  stack_id: optStr,
  description: optStr,
  status: optStr,
  status_message: optStr,
  create_time: timestamp.nullish(),
  update_time: timestamp.nullish(),
});
export type WireStack = z.output<typeof WireStackSchema>;

export const ListStacksResponseSchema = z.looseObject({
  stacks: z.array(WireStackSchema).nullish(),
  page_info: WirePageInfoSchema.nullish(),
});

/** GetStackMetadata. */
export const GetStackMetadataResponseSchema = z.looseObject({
  stack_id: optStr,
  stack_name: z.string(),
  description: optStr,
  status: optStr,
  status_message: optStr,
  create_time: timestamp.nullish(),
  update_time: timestamp.nullish(),
  enable_deletion_protection: z.boolean().nullish(),
  enable_auto_rollback: z.boolean().nullish(),
  vars_structure: z
    .array(z.looseObject({ var_key: z.string(), var_value: z.string().nullish(), encryption: z.unknown().optional() }))
    .nullish(),
  agencies: z
    .array(z.looseObject({ provider_name: z.string().nullish(), agency_name: optStr, agency_urn: optStr }))
    .nullish(),
});
export type WireStackMetadata = z.output<typeof GetStackMetadataResponseSchema>;
