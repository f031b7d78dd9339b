/**
 * URL building with one encoding everywhere (RFC 3986 unreserved set), because three of the four
 * signers hash the exact query string and path: if the URL we send is not byte-for-byte the URL
 * we signed, the server rejects the signature.
 */

import { StackfeedError } from '../errors/stackfeed-error.js';

/** A UTF-16 surrogate without its pair: not encodable as UTF-8, so not sendable in a URL. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Percent-encode everything outside RFC 3986's unreserved set (A-Z a-z 0-9 - . _ ~).
 * A string that cannot be encoded (a lone surrogate) is a CONFIG error, not a URIError.
 */
export function encodeRfc3986(value: string): string {
  if (LONE_SURROGATE.test(value)) {
    throw new StackfeedError({
      code: 'CONFIG',
      message: `${JSON.stringify(value.slice(0, 60))} contains a lone UTF-16 surrogate and cannot be put in a URL`,
    });
  }
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Encode one path segment. `/`, `..`, `%`, `?`, `#` and spaces become inert data, so a stack or
 * resource name can never address another URL. `.` and `..` alone are rejected (StackfeedError
 * CONFIG, before any request) because servers and proxies normalize them even when encoded as-is.
 */
export function encodePathSegment(value: string): string {
  if (value === '' || value === '.' || value === '..') {
    throw new StackfeedError({
      code: 'CONFIG',
      message: `path segment ${JSON.stringify(value)} cannot be encoded safely (servers normalize it away)`,
    });
  }
  return encodeRfc3986(value);
}

export type QueryScalar = string | number | boolean;
export type QueryParams = Record<string, QueryScalar | ReadonlyArray<QueryScalar> | undefined | null>;

/** Build `a=1&b=x&b=y` in key order given; arrays repeat the key; undefined/null are skipped. */
export function encodeQuery(query: QueryParams | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values as QueryScalar[]) parts.push(`${encodeRfc3986(key)}=${encodeRfc3986(String(v))}`);
  }
  return parts.join('&');
}

/** Join a base URL, pre-encoded path segments and a query. */
export function buildUrl(base: string | URL, path: string, query?: QueryParams): URL {
  const b = new URL(base);
  const basePath = b.pathname.replace(/\/+$/, '');
  const rel = path.startsWith('/') ? path : `/${path}`;
  b.pathname = `${basePath}${rel}`;
  const qs = encodeQuery(query);
  b.search = qs ? `?${qs}` : '';
  b.hash = '';
  return b;
}

/** Same scheme, host and port. */
export function sameOrigin(a: URL, b: URL): boolean {
  return a.origin === b.origin;
}
