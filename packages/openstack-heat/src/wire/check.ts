import { parseIsoTimestamp } from '@stackfeed/core/adapter';

/**
 * The zod-free side of Heat's wire shapes: what the hot paths read without loading zod (the page
 * check of a listing, the fault body of an error answer). Each accepts exactly what its zod schema
 * in `schemas.ts` accepts (property tests hold them to that); when one says no, the caller parses
 * with zod, which names the field.
 */

/** A link of a Heat record (`{href, rel}`, other keys passed through). */
export interface WireLink {
  href: string;
  rel: string;
  [key: string]: unknown;
}

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

/** Heat's fault body, and Keystone's error body (`HeatFaultSchema`). */
export interface HeatFault {
  code?: number | string | undefined;
  title?: string | undefined;
  explanation?: string | undefined;
  error?:
    | {
        type?: string | undefined;
        message?: string | null | undefined;
        traceback?: unknown;
        code?: number | string | undefined;
        title?: string | undefined;
      }
    | undefined;
}

const isOpt = (v: unknown, type: 'string') => v === undefined || typeof v === type;
const isOptCode = (v: unknown) => v === undefined || typeof v === 'number' || typeof v === 'string';

/**
 * `HeatFaultSchema` without zod: the body as a fault when every field it has is of its type, else
 * undefined. Sync and zod-free, since core's transport reads every error answer through it.
 */
export function readHeatFault(body: unknown): HeatFault | undefined {
  if (!isRecord(body)) return undefined;
  if (!isOptCode(body.code) || !isOpt(body.title, 'string') || !isOpt(body.explanation, 'string')) return undefined;
  const err = body.error;
  if (err !== undefined) {
    if (!isRecord(err)) return undefined;
    if (!isOpt(err.type, 'string') || !isOptCode(err.code) || !isOpt(err.title, 'string')) return undefined;
    if (err.message !== null && !isOpt(err.message, 'string')) return undefined;
  }
  return body as HeatFault;
}
