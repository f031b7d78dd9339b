import type { z } from 'zod';
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

/**
 * Parse a provider timestamp into a Date. Accepts ISO-8601 (with or without zone; zone-less means
 * UTC, as Heat sends it), epoch seconds or milliseconds, and Date objects. Returns undefined for
 * anything unparseable, so schemas can turn that into a field-path error.
 */
export function parseTimestamp(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Heuristic: values below 1e11 are seconds (year 5138 in ms), above are milliseconds.
    return new Date(value < 1e11 ? value * 1000 : value);
  }
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  let s = value.trim();
  // `2024-01-01T00:00:00` and `2024-01-01 00:00:00.123` without a zone are UTC on every API we read.
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s = `${s.replace(' ', 'T')}Z`;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
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
