import type * as z from 'zod';
import { StackfeedError } from '../errors/stackfeed-error.js';
import type { ProviderId } from '../models/enums.js';

/**
 * Validate a wire payload against the adapter's zod schema. A mismatch becomes INVALID_RESPONSE
 * naming the first offending field path (e.g. `events[3].event_time`), never a raw ZodError.
 */
export function parseWire<S extends z.ZodType>(
  schema: S,
  data: unknown,
  ctx: { provider: ProviderId; operation: string; requestId?: string | undefined },
): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue ? formatPath(issue.path) : '';
  const what = issue ? issue.message : 'does not match the expected shape';
  return invalidResponse(ctx, path, what);
}

function invalidResponse(
  ctx: { provider: ProviderId; operation: string; requestId?: string | undefined },
  path: string,
  what: string,
): never {
  throw new StackfeedError({
    code: 'INVALID_RESPONSE',
    provider: ctx.provider,
    operation: ctx.operation,
    requestId: ctx.requestId,
    fieldPath: path || '(root)',
    message: `${ctx.provider} ${ctx.operation}: response field ${path || '(root)'} ${what}`,
  });
}

/** `['events', 3, 'event_time']` → `events[3].event_time`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** ISO-8601 date-time as providers send it: `T` or space, optional fraction, optional zone. */
const ISO_RE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;
/** RFC 7231 / RFC 2822 dates (`Mon, 01 Jan 2024 00:00:00 GMT`), as in Retry-After and Date headers. */
const RFC_DATE_RE =
  /^(?:[A-Za-z]{3},?\s+)?\d{1,2}[\s-][A-Za-z]{3}[\s-]\d{2,4}\s+\d{2}:\d{2}(?::\d{2})?\s*(?:GMT|UTC|Z|[+-]\d{4})?$/;
const EPOCH_RE = /^-?\d+(?:\.\d+)?$/;
/** Largest magnitude a Date can hold (ms). */
const MAX_DATE_MS = 8.64e15;

function fromEpoch(value: number): Date | undefined {
  if (!Number.isFinite(value)) return undefined;
  // Heuristic: values below 1e11 are seconds (year 5138 in ms), above are milliseconds.
  const ms = Math.abs(value) < 1e11 ? value * 1000 : value;
  if (Math.abs(ms) > MAX_DATE_MS) return undefined;
  return new Date(ms);
}

/**
 * Parse a provider timestamp into a Date. Accepts ISO-8601 (with or without zone; zone-less means
 * UTC, as Heat sends it), RFC 7231 HTTP dates, epoch seconds or milliseconds (numbers or numeric
 * strings), and Date objects. Returns undefined for anything else (no lenient guessing: `hello 1`
 * is not a date), so schemas can turn that into a field-path error.
 */
export function parseTimestamp(value: unknown): Date | undefined {
  if (typeof value === 'string') {
    // Most wire timestamps are canonical UTC ISO: read those digits directly (no string rebuilding).
    const ms = canonicalUtcMs(value);
    if (ms !== undefined) return new Date(ms);
  }
  return parseTimestampGeneral(value);
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.f]Z` (1–3 fraction digits), or without the `Z` (older Heats; UTC as in the
 * general path), read as the general path reads it; undefined when not that form or out of range.
 * Read by character code: a regex match allocated an array and seven substrings per timestamp
 * (≈ 0.6 µs; this runs once per event).
 */
function canonicalUtcMs(s: string): number | undefined {
  const len = s.length;
  if (len < 19 || len > 24) return undefined;
  if (
    s.charCodeAt(4) !== 45 /* - */ ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 /* T */ ||
    s.charCodeAt(13) !== 58 /* : */ ||
    s.charCodeAt(16) !== 58
  ) {
    return undefined;
  }
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  const se = digitsAt(s, 17, 2);
  // NaN (not digits) fails every comparison below, so it is caught by the `!(… >= …)` forms.
  let i = 19;
  let ms = 0;
  if (i < len && s.charCodeAt(i) === 46 /* . */) {
    i++;
    let n = 0;
    while (n < 3 && i < len) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      ms = ms * 10 + c;
      i++;
      n++;
    }
    if (n === 0) return undefined;
    if (n === 1) ms *= 100;
    else if (n === 2) ms *= 10;
  }
  if (i < len && s.charCodeAt(i) === 90 /* Z */) i++;
  if (i !== len) return undefined;
  // Years below 1000 (Date.UTC maps 0-99 to 19xx) and leap seconds: the general path decides.
  if (!(y >= 1000 && mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && se <= 59)) return undefined;
  if (d > 28 && d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, se, ms);
}

/** The decimal value of `n` ASCII digits at `at`, or NaN when one of them is not a digit. */
function digitsAt(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    v = v * 10 + c;
  }
  return v;
}

/** The general parser behind {@link parseTimestamp} (exported for the property test that holds the fast path to it). @internal */
export function parseTimestampGeneral(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (s === '') return undefined;
  if (EPOCH_RE.test(s)) return fromEpoch(Number(s));
  let text: string;
  const m = ISO_RE.exec(s);
  if (m) {
    const [, day, hm, sec, zone] = m;
    let z = zone ?? 'Z';
    if (z === 'z' || z === 'UTC' || z === 'GMT') z = 'Z';
    else if (z !== 'Z') z = z.length === 3 ? `${z}:00` : z.includes(':') ? z : `${z.slice(0, 3)}:${z.slice(3)}`;
    text = `${day}T${hm ?? '00:00'}${sec ?? ':00'}${z}`;
    // Range-check the fields: Date would roll 2024-02-30 over to March.
    const [y, mo, d] = (day as string).split('-').map(Number) as [number, number, number];
    const [h, mi] = (hm ?? '00:00').split(':').map(Number) as [number, number];
    const se = Number((sec ?? ':00').slice(1));
    const dim = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    if (mo < 1 || mo > 12 || d < 1 || d > dim || h > 23 || mi > 59 || se >= 61) return undefined;
  } else if (RFC_DATE_RE.test(s)) {
    text = s;
  } else {
    return undefined;
  }
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * RFC 3339 / ISO 8601 date-time: date, `T` (or `t`, or a space), hours and minutes, optional
 * seconds and fraction, optional zone (`Z`, `±HH:MM`, `±HHMM`, `±HH`).
 */
const STRICT_ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parse a timestamp field whose official model documents an ISO 8601 / RFC 3339 date-time (the
 * strict reader: use it wherever the model does not document epoch numbers). Accepts such strings
 * (zone-less = UTC, as older Heats send them) and valid Dates. Refuses (undefined) everything
 * else: numbers, numeric strings such as `"20260101"` or `"1700000000"` (which a lenient reader
 * would take for epoch seconds), date-only strings, out-of-range fields (`2026-02-30`, `24:00`,
 * leap second 60) and surrounding spaces.
 */
export function parseIsoTimestamp(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value !== 'string') return undefined;
  const fast = canonicalUtcMs(value);
  if (fast !== undefined) return new Date(fast);
  const m = STRICT_ISO_RE.exec(value);
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ses, frac, zone] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = Number(hs);
  const mi = Number(mis);
  const se = ses === undefined ? 0 : Number(ses);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return undefined;
  if (d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return undefined;
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  let offsetMin = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetMin = sign * (oh * 60 + om);
  }
  const utc = new Date(0);
  // setUTCFullYear: Date.UTC would read years 0-99 as 19xx.
  utc.setUTCFullYear(y, mo - 1, d);
  utc.setUTCHours(h, mi, se, ms);
  const t = utc.getTime() - offsetMin * 60_000;
  return Number.isFinite(t) && Math.abs(t) <= MAX_DATE_MS ? new Date(t) : undefined;
}

/** Parse `text` as JSON when it is JSON; otherwise return it unchanged. */
export function parseJsonLoose(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return text;
  try {
    return JSON.parse(t);
  } catch {
    return text;
  }
}
