/**
 * The zod-free side of the RFS wire shapes: what a listing's hot path reads without loading zod.
 * `checkEventsPage` accepts exactly what `ListStackEventsResponseSchema` (schemas.ts) accepts (a
 * property test holds it to that); when it says no, the caller parses with zod, which names the field.
 */

/** The RFC 3339 form RFS sends (`2025-06-12T08:01:04Z`, optional fraction, Z or an offset). */
const ZONED_RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Epoch ms of a timestamp in the form RFS sends, or NaN for anything else (which then goes through
 * core's strict ISO 8601 parser). Shared by the zod schema and the fast page check, so both read a
 * time the same way.
 */
export function rfc3339Ms(s: string): number {
  return ZONED_RFC3339.test(s) ? Date.parse(s) : Number.NaN;
}

/** The time of a parsed event: `time`, else `timestamp`, else undefined (the record has none). */
export function wireEventTime(ev: { time?: Date | null | undefined; timestamp?: Date | null | undefined }) {
  return ev.time ?? ev.timestamp ?? undefined;
}

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
