import { constants } from 'node:buffer';
import { StackfeedError } from '../errors/stackfeed-error.js';
import type { ProviderId } from '../models/enums.js';

/** Default cap of one response body, counted after decompression: 64 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Default deadline of one attempt: connect, headers and the whole body (30 s). */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default deadline of one call across its retries and redirects (120 s). */
export const DEFAULT_TOTAL_TIMEOUT_MS = 120_000;
/** The longest delay a Node timer can hold; a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The largest body that can still become one string (the response text is decoded whole). */
export const MAX_RESPONSE_BYTES_LIMIT = constants.MAX_STRING_LENGTH;

/** Control characters other than tab: in a header value they would split or corrupt the request. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const HEADER_UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f]/;
/** RFC 9110 token characters: what a header name may consist of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Throw CONFIG when a header name is not a token or its value holds CR, LF or another control
 * character. Call it on every option that ends up in a header (project id, region, user agent,
 * extra headers) when a client is built, so a bad value fails before any request, not as a
 * retryable NETWORK error on each attempt. The value is never quoted (it may be a credential).
 */
export function assertHeaderSafe(
  name: string,
  value: string,
  ctx: { provider: ProviderId | 'core'; option: string },
): void {
  if (typeof name !== 'string' || !HEADER_NAME.test(name)) {
    throw new StackfeedError({
      code: 'CONFIG',
      provider: ctx.provider,
      message: `${ctx.option}: ${JSON.stringify(String(name)).slice(0, 64)} is not a valid HTTP header name`,
    });
  }
  if (typeof value !== 'string' || HEADER_UNSAFE.test(value)) {
    throw new StackfeedError({
      code: 'CONFIG',
      provider: ctx.provider,
      message: `${ctx.option}: the value for header ${name} contains a line break or another control character`,
    });
  }
}

/**
 * Check a duration or size option: a positive number no larger than `max`; undefined → `fallback`.
 * @internal
 */
export function checkLimit(
  value: number | undefined,
  fallback: number,
  max: number,
  ctx: { provider: ProviderId | 'core'; option: string },
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new StackfeedError({
      code: 'CONFIG',
      provider: ctx.provider,
      message: `${ctx.option} must be a positive number no larger than ${max} (got ${String(value)})`,
    });
  }
  return value;
}
