import { createHash, createHmac } from 'node:crypto';
import { encodeRfc3986 } from '@stackfeed/core/adapter';

/**
 * Huawei Cloud `SDK-HMAC-SHA256` request signing (the APIG "AK/SK" scheme), written from the
 * algorithm description, checked against the official Node signer and the Go SDK's test vectors.
 *
 * CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
 * StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(sha256(CanonicalRequest))
 * Signature        = hex(HMAC-SHA256(SK, StringToSign))
 */

/** The algorithm name, also the scheme of the Authorization header. */
export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

/**
 * sha256 of the empty string: the payload hash of a request without a body.
 * @internal
 */
export const EMPTY_PAYLOAD_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** `X-Sdk-Date` format: UTC `YYYYMMDDTHHMMSSZ`. */
export function formatSdkDate(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

function decodeLoose(s: string, plusIsSpace: boolean): string {
  const t = plusIsSpace ? s.replace(/\+/g, ' ') : s;
  try {
    return decodeURIComponent(t);
  } catch {
    return t;
  }
}

/**
 * The canonical URI: every path segment decoded once and re-encoded with the RFC 3986 unreserved
 * set, joined with `/`, with a trailing `/` appended when missing.
 * @internal
 */
export function canonicalUri(encodedPath: string): string {
  const out = encodedPath
    .split('/')
    .map((seg) => encodeRfc3986(decodeLoose(seg, false)))
    .join('/');
  return out.endsWith('/') ? out : `${out}/`;
}

const utf8Compare = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * The canonical query string from a raw query (`a=1&b=x`, with or without `?`): keys sorted by
 * UTF-8 bytes, values of a repeated key sorted, each key and value RFC 3986-encoded, `k=v` pairs
 * joined with `&`. A key without `=` counts as an empty value.
 * @internal
 */
export function canonicalQueryString(rawQuery: string): string {
  const q = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery;
  if (!q) return '';
  const map = new Map<string, string[]>();
  for (const part of q.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeLoose(eq === -1 ? part : part.slice(0, eq), true);
    const value = eq === -1 ? '' : decodeLoose(part.slice(eq + 1), true);
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }
  const keys = [...map.keys()].sort(utf8Compare);
  const pairs: string[] = [];
  for (const key of keys) {
    const values = (map.get(key) as string[]).slice().sort(utf8Compare);
    for (const v of values) pairs.push(`${encodeRfc3986(key)}=${encodeRfc3986(v)}`);
  }
  return pairs.join('&');
}

/**
 * hex(sha256(bytes)) of a body; the empty-body constant when there is none.
 * @internal
 */
export function payloadHash(body: string | Uint8Array | undefined): string {
  if (body === undefined || body.length === 0) return EMPTY_PAYLOAD_SHA256;
  return createHash('sha256').update(body).digest('hex');
}

/** What to sign. Header names may be in any case; `signedHeaders` names which of them are signed. */
export interface SignInput {
  method: string;
  /** The URL as sent (path and query already encoded). */
  url: URL | string;
  headers: Record<string, string>;
  /** Lower-case names of the headers to sign; each must be present in `headers`. */
  signedHeaders: readonly string[];
  body?: string | Uint8Array | undefined;
  accessKey: string;
  secretKey: string;
}

/** Every intermediate of one signature, for tests and debugging. Contains no secret. */
export interface SignResult {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  signedHeaders: string;
  authorization: string;
}

/**
 * Sign one request. The `x-sdk-date` header must already be set (see `formatSdkDate`) and be in
 * `signedHeaders`.
 */
export function signRequest(input: SignInput): SignResult {
  const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) lower[k.toLowerCase()] = v;
  const date = lower['x-sdk-date'];
  if (!date) throw new TypeError('signRequest: the x-sdk-date header must be set before signing');
  const names = [...new Set(input.signedHeaders.map((h) => h.toLowerCase()))].sort();
  let canonicalHeaders = '';
  for (const name of names) {
    const value = lower[name];
    if (value === undefined) throw new TypeError(`signRequest: signed header ${name} is not set`);
    canonicalHeaders += `${name}:${value.trim()}\n`;
  }
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQueryString(url.search),
    canonicalHeaders,
    signedHeaders,
    payloadHash(input.body),
  ].join('\n');
  const stringToSign = [SIGNING_ALGORITHM, date, createHash('sha256').update(canonicalRequest).digest('hex')].join(
    '\n',
  );
  const signature = createHmac('sha256', input.secretKey).update(stringToSign).digest('hex');
  return {
    canonicalRequest,
    stringToSign,
    signature,
    signedHeaders,
    authorization: `${SIGNING_ALGORITHM} Access=${input.accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
