import type { AuthHook, SignableRequest } from '@stackfeed/core/adapter';
import type { AwsCredentials } from './credentials.js';

const EXECUTE_API_HOST =
  /^[a-z0-9]+(?:-vpce-[a-z0-9]+)?\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/i;

/**
 * The signing region of an API Gateway invoke URL: the region in its host
 * (`{apiId}.execute-api.{region}.amazonaws.com`, also private `{apiId}-{vpce}` hosts). Undefined
 * for custom domains, which carry no region. @internal
 */
export function regionFromApiHost(hostname: string): string | undefined {
  return EXECUTE_API_HOST.exec(hostname)?.[1]?.toLowerCase();
}

/** Query string → the object @smithy/signature-v4 signs (decoded values; repeated keys as arrays). */
function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

type Sha256 = ConstructorParameters<typeof import('@smithy/signature-v4').SignatureV4>[0]['sha256'];
let modules:
  | Promise<{
      SignatureV4: typeof import('@smithy/signature-v4').SignatureV4;
      HttpRequest: typeof import('@smithy/protocol-http').HttpRequest;
      sha256: Sha256;
    }>
  | undefined;

/** The signer is imported with the first request, not with the package (a smaller cold start). */
function signerModules() {
  modules ??= Promise.all([
    import('@smithy/signature-v4'),
    import('@smithy/protocol-http'),
    import('@smithy/hash-node'),
  ]).then(([sv4, http, hash]) => ({
    SignatureV4: sv4.SignatureV4,
    HttpRequest: http.HttpRequest,
    sha256: hash.Hash.bind(null, 'sha256') as unknown as Sha256,
  }));
  return modules;
}

/** A SigV4 AuthHook that also learns the server's clock (see {@link sigv4AuthHook}). @internal */
export interface SigV4AuthHook extends AuthHook {
  /** Tell the signer the server's time (a response's `Date` header). */
  noteServerDate(date: string | string[] | undefined): void;
  /** The correction in use: ms added to the local clock when signing (0 until a skew was seen). */
  readonly clockOffsetMs: number;
}

/** A skew the AWS SDKs correct (they use 5 minutes minus a margin: 4 minutes). */
const SKEW_MS = 4 * 60_000;

/**
 * An AuthHook that signs each attempt with SigV4 for `execute-api` (the service API Gateway checks;
 * not the Smithy model's `ParallelCluster`). The path is signed as sent (already percent-encoded;
 * the signer encodes it once more, as non-S3 SigV4 requires).
 *
 * After an UNAUTHORIZED answer it gets one retry (core's transport calls `onUnauthorized` once per
 * request): when the server's `Date` shows the local clock more than 4 minutes off, it signs with
 * the server's time from then on (as the AWS SDKs do; `correctClockSkew: false` turns that off);
 * otherwise, when `refresh` is given (credentials from a provider), it asks for fresh credentials.
 * @internal
 */
export function sigv4AuthHook(opts: {
  region: string;
  credentials: () => Promise<AwsCredentials>;
  service?: string;
  /** Correct a skewed local clock from the server's Date (default true). */
  correctClockSkew?: boolean | undefined;
  /** Drop cached credentials so the next `credentials()` asks the provider again. */
  refresh?: (() => boolean) | undefined;
  /** Local clock (tests). */
  now?: (() => number) | undefined;
}): SigV4AuthHook {
  const now = opts.now ?? Date.now;
  let offsetMs = 0;
  let observedSkewMs: number | undefined;
  return {
    get clockOffsetMs() {
      return offsetMs;
    },
    noteServerDate(date) {
      const t = Date.parse(Array.isArray(date) ? (date[0] ?? '') : (date ?? ''));
      if (!Number.isNaN(t)) observedSkewMs = t - now();
    },
    async onUnauthorized() {
      const skew = observedSkewMs;
      if (opts.correctClockSkew !== false && skew !== undefined && Math.abs(skew - offsetMs) > SKEW_MS) {
        offsetMs = skew;
        return true;
      }
      return opts.refresh?.() ?? false;
    },
    async sign(req: SignableRequest) {
      const [{ SignatureV4, HttpRequest, sha256 }, credentials] = await Promise.all([
        signerModules(),
        opts.credentials(),
      ]);
      const signer = new SignatureV4({
        service: opts.service ?? 'execute-api',
        region: opts.region,
        credentials,
        sha256,
      });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (k === 'authorization' || k === 'x-amz-date' || k === 'x-amz-security-token') continue;
        headers[k] = v;
      }
      headers.host = req.url.host;
      const request = new HttpRequest({
        method: req.method,
        protocol: req.url.protocol,
        hostname: req.url.hostname,
        ...(req.url.port ? { port: Number(req.url.port) } : {}),
        path: req.url.pathname,
        query: queryObject(req.url),
        headers,
        ...(req.body !== undefined ? { body: req.body } : {}),
      });
      const signed = await signer.sign(request, { signingDate: new Date(now() + offsetMs) });
      for (const [k, v] of Object.entries(signed.headers)) {
        const key = k.toLowerCase();
        if (key === 'host') continue;
        req.headers[key] = String(v);
      }
    },
  };
}
