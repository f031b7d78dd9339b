import {
  type HttpResponse,
  type ProviderErrorInfo,
  codeForHttpStatus,
  redact,
  safeExcerpt,
} from '@stackfeed/core/adapter';

/**
 * The parts of a Huawei error body stackfeed reads (same precedence as the Huawei SDKs).
 * @internal
 */
export interface HuaweiErrorBody {
  errorCode?: string;
  errorMessage?: string;
  encodedAuthorizationMessage?: string;
  details: HuaweiErrorBody[];
  requestId?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Read `{error_code, error_msg, encoded_authorization_message, details}`, else `{code, message}`,
 * else a nested object holding either (e.g. `{"error": {"code", "message"}}`). Returns undefined
 * when the body holds none of them.
 * @internal
 */
export function readHuaweiErrorBody(body: unknown, depth = 0): HuaweiErrorBody | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body) || depth > 4) return undefined;
  const o = body as Record<string, unknown>;
  const out: HuaweiErrorBody = { details: [] };
  const enc = str(o.encoded_authorization_message);
  if (enc) out.encodedAuthorizationMessage = enc;
  const rid = str(o.request_id);
  if (rid) out.requestId = rid;
  if (Array.isArray(o.details)) {
    for (const d of o.details) {
      const parsed = readHuaweiErrorBody(d, depth + 1);
      if (parsed) out.details.push(parsed);
    }
  }
  const ec = str(o.error_code);
  const em = str(o.error_msg);
  const c = str(o.code);
  const m = str(o.message);
  if (ec && em) {
    out.errorCode = ec;
    out.errorMessage = em;
  } else if (c && m) {
    out.errorCode = c;
    out.errorMessage = m;
  } else {
    for (const v of Object.values(o)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const nested = readHuaweiErrorBody(v, depth + 1);
        if (nested?.errorCode || nested?.errorMessage) {
          out.errorCode = nested.errorCode ?? '';
          out.errorMessage = nested.errorMessage ?? '';
          out.encodedAuthorizationMessage ??= nested.encodedAuthorizationMessage;
          if (!out.encodedAuthorizationMessage) delete out.encodedAuthorizationMessage;
          break;
        }
      }
    }
    // Half a pair is still worth reporting.
    if (!out.errorCode && !out.errorMessage) {
      const code = ec ?? c;
      const msg = em ?? m;
      if (code) out.errorCode = code;
      if (msg) out.errorMessage = msg;
    }
  }
  if (!out.errorCode && !out.errorMessage && !out.encodedAuthorizationMessage && out.details.length === 0) {
    return undefined;
  }
  return out;
}

/** Huawei answers "too many requests" with 429 and APIG flow-control codes. */
const THROTTLE_CODES = /^APIG(W)?\.0308$/;

/** The most of the server's error text quoted in a message. */
const MAX_MESSAGE_CHARS = 2048;

/**
 * The transport's `parseError` for RFS and IAM: the Huawei error body as providerCode + message.
 * The request id comes from `X-Request-Id` (the transport reads it), else from the body.
 * @internal
 */
export function parseRfsError(res: HttpResponse): ProviderErrorInfo | undefined {
  const parsed = readHuaweiErrorBody(res.body);
  if (!parsed) return undefined;
  const info: ProviderErrorInfo = {};
  // Redacted: the server's words may echo a credential (e.g. an AK in a code or request id).
  if (parsed.errorCode) info.providerCode = redact(parsed.errorCode);
  let message = parsed.errorMessage ?? '';
  if (parsed.details.length > 0) {
    const parts = parsed.details
      .slice(0, 5)
      .map((d) => [d.errorCode, d.errorMessage].filter(Boolean).join(': '))
      .filter(Boolean);
    if (parts.length > 0) message += ` (details: ${parts.join('; ')}${parsed.details.length > 5 ? '; …' : ''})`;
  }
  if (parsed.encodedAuthorizationMessage) {
    const enc = parsed.encodedAuthorizationMessage;
    // Redacted before it is cut (safeExcerpt): a key straddling the cut is still masked whole.
    message += ` [encoded_authorization_message: ${safeExcerpt(enc, 512)}]`;
  }
  if (res.status === 401) message = withAuthHint(message, res.headers.date);
  // The server's text is quoted, not trusted: bounded, and redacted before the cut.
  if (message) info.message = safeExcerpt(message.trim(), MAX_MESSAGE_CHARS);
  if (!res.requestId && parsed.requestId) info.requestId = redact(parsed.requestId);
  if (parsed.errorCode && THROTTLE_CODES.test(parsed.errorCode)) info.code = 'THROTTLED';
  else info.code = codeForHttpStatus(res.status);
  return info;
}

/**
 * A 401 whose `Date` shows the local clock more than 5 minutes off the gateway's is named as a
 * clock skew: the gateway admits an `X-Sdk-Date` within 15 minutes of its own clock.
 */
function withAuthHint(message: string, date: string | string[] | undefined): string {
  const t = Date.parse(Array.isArray(date) ? (date[0] ?? '') : (date ?? ''));
  if (Number.isNaN(t)) return message;
  const off = Math.round((t - Date.now()) / 60_000);
  if (Math.abs(off) <= 5) return message;
  return `${message} [clock skew: this machine's clock is about ${Math.abs(off)} min ${off > 0 ? 'behind' : 'ahead of'} the gateway's; X-Sdk-Date must be within 15 minutes of it: correct the local clock (NTP), or keep correctClockSkew on]`;
}
