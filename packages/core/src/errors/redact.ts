/**
 * Secret redaction. Two layers, because neither alone is enough:
 * 1. values: every credential a client holds is registered here when the client is built
 *    (access keys, secret keys, passwords, tokens), and any occurrence is replaced;
 * 2. shapes: header values and query parameters that carry credentials by definition
 *    (Authorization, X-Auth-Token, X-Amz-Signature, ...) are masked even if never registered.
 */

const MASK = '[REDACTED]';
const MAX_SECRETS = 512;
/** Shorter values are too likely to collide with ordinary text to be replaced blindly. */
const MIN_SECRET_LENGTH = 6;

const secrets = new Set<string>();

/** Register a secret value so it is masked in every error message, log entry and serialized error. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  if (secrets.has(value)) return;
  if (secrets.size >= MAX_SECRETS) {
    // Bounded: evict the oldest (Set keeps insertion order). Tokens rotate; old ones matter less.
    const oldest = secrets.values().next().value;
    if (oldest !== undefined) secrets.delete(oldest);
  }
  secrets.add(value);
  // Percent-encoded and base64 forms show up in URLs and basic-auth headers.
  const encoded = encodeURIComponent(value);
  if (encoded !== value) secrets.add(encoded);
}

const HEADER_NAMES = [
  'authorization',
  'proxy-authorization',
  'x-auth-token',
  'x-subject-token',
  'x-security-token',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-credential',
  'cookie',
  'set-cookie',
];
const HEADER_RE = new RegExp(`((?:${HEADER_NAMES.join('|')})["']?\\s*[:=]\\s*["']?)([^"'\\r\\n,}]+)`, 'gi');
const QUERY_RE =
  /([?&](?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|signature|token|access_token|password|secret)=)([^&#\s"']+)/g;
const AUTH_SCHEME_RE = /\b(SDK-HMAC-SHA256|AWS4-HMAC-SHA256|Bearer|Basic)\s+[^\s"',}]+(?:[^"\r\n}]*)/g;
// The value part allows escaped quotes (`"a\"b"`): stopping at the first quote would leak the rest.
const JSON_SECRET_RE =
  /("(?:password|passwd|secret|secret_access_key|secretAccessKey|sessionToken|session_token|securitytoken|security_token|token|access_token|refresh_token|id_token|api_key|apiKey|client_secret|private_key|secret_key|access_key|sk|ak)"\s*:\s*")((?:[^"\\]|\\.)*)(")/gi;

/** Mask every registered secret and every credential-shaped substring in `text`. */
export function redact(text: string): string {
  if (!text) return text;
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join(MASK);
  }
  out = out.replace(AUTH_SCHEME_RE, (_m, scheme: string) => `${scheme} ${MASK}`);
  out = out.replace(HEADER_RE, (_m, head: string) => `${head}${MASK}`);
  out = out.replace(QUERY_RE, (_m, head: string) => `${head}${MASK}`);
  out = out.replace(JSON_SECRET_RE, (_m, head: string, _v: string, tail: string) => `${head}${MASK}${tail}`);
  return out;
}

const SENSITIVE_KEY =
  /^(authorization|proxy-authorization|x-auth-token|x-subject-token|x-security-token|x-amz-security-token|x-amz-signature|x-amz-credential|x-sdk-signature|signature|cookie|set-cookie|password|passwd|secret|secretaccesskey|secret_access_key|secret_key|sessiontoken|session_token|token|access_token|refresh_token|id_token|api_?key|client_secret|private_key|sk|credentials?)$/i;

/**
 * Deep-copy a value with credential-named keys masked and every string redacted.
 * Used on headers, request descriptions and `raw` payloads before they reach a log hook or an error.
 */
export function redactValue<T>(value: T, depth = 0): T {
  // Too deep to walk: a string is still redacted; a structure is replaced rather than passed on unread.
  if (depth > 8)
    return (typeof value === 'string' ? redact(value) : value && typeof value === 'object' ? MASK : value) as T;
  if (typeof value === 'string') return redact(value) as T;
  // JSON.stringify throws on a BigInt: the copy carries its digits instead.
  if (typeof value === 'bigint') return String(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    let entries: Array<[string, unknown]>;
    try {
      entries = Object.entries(value as Record<string, unknown>);
    } catch {
      return MASK as T; // a proxy or getter that throws: nothing readable to keep
    }
    for (const [k, v] of entries) {
      out[k] = SENSITIVE_KEY.test(k) && v != null ? MASK : redactValue(v, depth + 1);
    }
    return out as T;
  }
  return value;
}

export const REDACTED = MASK;

/** A cut that leaves at least this many leading characters of a registered secret masks them. */
const PARTIAL_MIN = 4;
/** Text redacted around the cut: enough for any credential shape to be seen whole before cutting. */
const EXCERPT_WINDOW = 8192;

/**
 * A short, credential-free excerpt of `text` (an error body, a reflected request): redacted
 * first, then cut to `maxChars` (plus `…`). Redacting first means a secret straddling the cut is
 * still recognised whole; a cut that still ends inside a registered secret (the window's edge)
 * masks the trailing partial match of 4 or more characters.
 */
export function safeExcerpt(text: string, maxChars: number): string {
  if (!text) return text;
  const limit = Math.max(0, Math.floor(maxChars));
  // A huge body is redacted only around what is kept: redacting 64 MiB to show 200 characters is waste.
  const window = text.length > limit + EXCERPT_WINDOW ? text.slice(0, limit + EXCERPT_WINDOW) : text;
  const redacted = redact(window);
  if (redacted.length <= limit && window.length === text.length) return redacted;
  return `${maskTrailingPartial(redacted.slice(0, limit))}…`;
}

/** Mask a suffix of `cut` that is the start of a registered secret (the rest of it was cut off). */
function maskTrailingPartial(cut: string): string {
  let longest = 0;
  for (const s of secrets) {
    const max = Math.min(s.length - 1, cut.length);
    for (let k = max; k >= PARTIAL_MIN && k > longest; k--) {
      if (cut.endsWith(s.slice(0, k))) {
        longest = k;
        break;
      }
    }
  }
  return longest > 0 ? `${cut.slice(0, cut.length - longest)}${MASK}` : cut;
}
