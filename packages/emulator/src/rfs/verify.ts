import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { EmulatorRequest } from '../harness.js';

/**
 * Server-side check of `SDK-HMAC-SHA256` signatures, as Huawei's API gateway does it.
 * Written independently of the client signer in @stackfeed/huawei-rfs (different encoding and
 * parsing code), so that a bug shared by both cannot make a wrong signature pass.
 */

export interface AkSkIdentity {
  accessKey: string;
  secretKey: string;
  /** For temporary credentials: the X-Security-Token the request must carry. */
  securityToken?: string | undefined;
  /** Temporary credentials stop working at this time (ms, on the gateway's clock). */
  expiresAt?: number | undefined;
}

export type VerifyResult = { ok: true; accessKey: string } | { ok: false; reason: string };

const AUTH_RE = /^SDK-HMAC-SHA256 Access=([^,\s]+), SignedHeaders=([a-z0-9\-_;.]+), Signature=([0-9a-f]{64})$/;
const DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const HEX = '0123456789ABCDEF';

/** Percent-encode UTF-8 bytes outside A-Z a-z 0-9 - _ . ~ (upper-case hex). */
function pctEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const unreserved =
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      (byte >= 0x30 && byte <= 0x39) ||
      byte === 0x2d ||
      byte === 0x5f ||
      byte === 0x2e ||
      byte === 0x7e;
    out += unreserved ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

function unescapeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Parse `X-Sdk-Date` strictly; undefined when malformed. */
export function parseSdkDate(value: string): number | undefined {
  const m = DATE_RE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const t = Date.UTC(y as number, (mo as number) - 1, d as number, h as number, mi as number, s as number);
  const back = new Date(t);
  if (back.getUTCDate() !== d || back.getUTCMonth() !== (mo as number) - 1) return undefined;
  return t;
}

function headerValue(req: EmulatorRequest, name: string): string | undefined {
  const v = req.headers[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v.join(',') : String(v)).trim();
}

/** The canonical request the gateway computes for `req` and the given signed header names. */
export function gatewayCanonicalRequest(req: EmulatorRequest, signedHeaders: string[]): string | undefined {
  const pathParts = req.rawPath.split('/').map((seg) => pctEncode(unescapeSegment(seg)));
  let path = pathParts.join('/');
  if (path[path.length - 1] !== '/') path += '/';
  const byKey = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(req.rawQuery)) {
    const arr = byKey.get(k) ?? [];
    arr.push(v);
    byKey.set(k, arr);
  }
  const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const query = [...byKey.keys()]
    .sort(byteOrder)
    .flatMap((k) => (byKey.get(k) as string[]).sort(byteOrder).map((v) => `${pctEncode(k)}=${pctEncode(v)}`))
    .join('&');
  const lines: string[] = [];
  for (const name of signedHeaders) {
    const value = headerValue(req, name);
    if (value === undefined) return undefined;
    lines.push(`${name}:${value}`);
  }
  const bodyHash = createHash('sha256').update(req.body, 'utf8').digest('hex');
  return `${req.method}\n${path}\n${query}\n${lines.join('\n')}\n\n${signedHeaders.join(';')}\n${bodyHash}`;
}

/**
 * Verify one request. `now` is the gateway's clock; `maxSkewMs` how far X-Sdk-Date may be from
 * it (Huawei: 15 minutes).
 */
export function verifyAkSkRequest(
  req: EmulatorRequest,
  lookup: (accessKey: string) => AkSkIdentity | undefined,
  now: number,
  maxSkewMs: number,
): VerifyResult {
  const auth = headerValue(req, 'authorization');
  if (!auth) return { ok: false, reason: 'no Authorization header' };
  const m = AUTH_RE.exec(auth);
  if (!m) return { ok: false, reason: 'malformed Authorization header' };
  const [, accessKey, signedList, signature] = m as unknown as [string, string, string, string];
  const identity = lookup(accessKey);
  if (!identity) return { ok: false, reason: 'Get secretKey failed: ak not exist' };
  const signed = signedList.split(';');
  const sorted = [...signed].sort();
  if (signed.join(';') !== sorted.join(';') || new Set(signed).size !== signed.length) {
    return { ok: false, reason: 'signed headers not sorted' };
  }
  if (!signed.includes('x-sdk-date')) return { ok: false, reason: 'x-sdk-date is not signed' };
  const dateHeader = headerValue(req, 'x-sdk-date') ?? '';
  const t = parseSdkDate(dateHeader);
  if (t === undefined) return { ok: false, reason: 'invalid x-sdk-date' };
  if (Math.abs(now - t) > maxSkewMs) return { ok: false, reason: 'x-sdk-date is out of the allowed time range' };
  if (identity.securityToken !== undefined && headerValue(req, 'x-security-token') !== identity.securityToken) {
    return { ok: false, reason: 'security token invalid' };
  }
  if (identity.expiresAt !== undefined && now >= identity.expiresAt) {
    return { ok: false, reason: 'the security token has expired' };
  }
  const canonical = gatewayCanonicalRequest(req, signed);
  if (canonical === undefined) return { ok: false, reason: 'a signed header is missing' };
  const digest = createHash('sha256').update(canonical, 'utf8').digest('hex');
  const expected = createHmac('sha256', identity.secretKey)
    .update(`SDK-HMAC-SHA256\n${dateHeader}\n${digest}`, 'utf8')
    .digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'verify aksk signature fail' };
  }
  return { ok: true, accessKey };
}
