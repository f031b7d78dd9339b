/** What the emulated AWS services (Image Builder, the ParallelCluster API's gateway) share to check a SigV4 signature. */
import { timingSafeEqual } from 'node:crypto';

/** `Authorization: AWS4-HMAC-SHA256 Credential=key/date/region/service/aws4_request, SignedHeaders=…, Signature=…`. */
export const SIGV4_AUTH_RE =
  /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;_.-]+), ?Signature=([0-9a-f]{64})$/;

/**
 * AWS's words for a signature dated more than `max` ms from `now` (undefined when within), e.g.
 * "Signature expired: 20190516T180427Z is now earlier than 20190516T181511Z (20190516T182011Z - 5 min.)".
 */
export function skewMessage(amzDate: string, at: number, now: number, max: number): string | undefined {
  if (Math.abs(now - at) <= max) return undefined;
  const amz = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
  const min = `${Math.round(max / 60_000)} min.`;
  return at < now
    ? `Signature expired: ${amzDate} is now earlier than ${amz(now - max)} (${amz(now)} - ${min})`
    : `Signature not yet current: ${amzDate} is still later than ${amz(now + max)} (${amz(now)} + ${min})`;
}

/** Query parameters as the signer takes them: a repeated name becomes an array, in order. */
export function multiValueQuery(params: Iterable<[string, string]>): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of params) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return query;
}

/** The `Signature=` of a signed Authorization header, compared in constant time with the one received. */
export function signatureMatches(signedAuthorization: unknown, received: string): boolean {
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signedAuthorization))?.[1] ?? '';
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}
