import type { ErrorCode } from '../errors/stackfeed-error.js';
import type { ProviderId } from '../models/enums.js';
import type { QueryParams } from './encoding.js';
import type { RateLimiter, RateLimitOptions } from './rate-limiter.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

/** The request a signer sees and may add headers to. `url` is final: path and query encoded. */
export interface SignableRequest {
  method: HttpMethod;
  url: URL;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string | undefined;
}

/**
 * Where adapters plug their authentication in: SigV4, Huawei AK/SK, a Keystone or IAM token.
 * `sign` runs before every attempt (retries and same-origin redirects included), so timestamps and
 * request ids are fresh and a redirected request is signed for its new URL.
 */
export interface AuthHook {
  sign(req: SignableRequest, ctx: { signal?: AbortSignal | undefined }): void | Promise<void>;
  /**
   * Called once per request after a 401. Return true when fresh credentials were obtained
   * (e.g. a re-issued token) and the request should be tried once more.
   */
  onUnauthorized?(ctx: { signal?: AbortSignal | undefined }): Promise<boolean>;
}

/** What a provider's error body says, as parsed by the adapter. */
export interface ProviderErrorInfo {
  code?: ErrorCode;
  providerCode?: string;
  message?: string;
  retryable?: boolean;
  requestId?: string;
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  event: 'request' | 'response' | 'retry' | 'redirect' | 'error' | 'auth-refresh';
  provider: ProviderId | 'core';
  operation?: string;
  method?: string;
  /** The URL with credential-bearing query parameters masked. */
  url?: string;
  status?: number;
  attempt?: number;
  delayMs?: number;
  durationMs?: number;
  requestId?: string;
  message?: string;
}

/** A user-supplied sink for structured log entries. Entries never contain credentials. */
export type Logger = (entry: LogEntry) => void;

export interface RetryOptions {
  /** Total attempts including the first (default 4). 1 disables retries. */
  maxAttempts?: number;
  /** Base of the exponential backoff (default 250 ms). */
  baseDelayMs?: number;
  /** Cap of one backoff delay (default 20 s). */
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the call fails THROTTLED (default 60 s). */
  maxRetryAfterMs?: number;
  /** HTTP statuses that are retried (default 429, 500, 502, 503, 504). */
  statusCodes?: number[];
}

export interface TlsOptions {
  /** Extra CA certificate(s), PEM. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Turn certificate verification off. Only for local testing; never the default. */
  insecure?: boolean;
}

export interface TransportOptions {
  provider: ProviderId;
  /**
   * Deadline of one attempt, covering connect, headers and the whole body (default
   * `DEFAULT_TIMEOUT_MS`, 30 s): a body that trickles in slower fails TIMEOUT at the deadline.
   */
  timeoutMs?: number | undefined;
  /**
   * Deadline of one call across all its attempts, back-off waits and redirects (default
   * `DEFAULT_TOTAL_TIMEOUT_MS`, 120 s). Past it the call fails TIMEOUT.
   */
  totalTimeoutMs?: number | undefined;
  /**
   * Largest response body accepted, in bytes after decompression (default
   * `DEFAULT_MAX_RESPONSE_BYTES`, 64 MiB). A larger body (or a compression bomb) is aborted as
   * soon as it passes the limit and the call fails INVALID_RESPONSE naming the limit.
   */
  maxResponseBytes?: number | undefined;
  retry?: RetryOptions | undefined;
  auth?: AuthHook | undefined;
  logger?: Logger | undefined;
  /** Appended to the stackfeed User-Agent. */
  userAgent?: string | undefined;
  tls?: TlsOptions | undefined;
  /** Turn a provider's error body into code / providerCode / message. */
  parseError?: (res: HttpResponse) => ProviderErrorInfo | undefined;
  /** Response headers that carry the request id, most specific first. */
  requestIdHeaders?: string[] | undefined;
  /**
   * What to do with a redirect to another origin. `refuse` (default) fails the call;
   * `follow-without-credentials` follows it unsigned. Same-origin redirects are always followed, signed.
   */
  crossOriginRedirects?: 'refuse' | 'follow-without-credentials' | undefined;
  /**
   * A client-side request budget: at most `limit` requests per `intervalMs` window, counted per
   * attempt (retries and redirects included). Pass a `RateLimiter` to share one budget between clients.
   */
  rateLimit?: RateLimiter | RateLimitOptions | undefined;
  /** Random source for backoff jitter (tests). */
  random?: () => number;
}

export interface RequestSpec {
  method?: HttpMethod;
  /** Absolute URL; its path must already be encoded (see `buildUrl`, `encodePathSegment`). */
  url: string | URL;
  query?: QueryParams;
  headers?: Record<string, string>;
  /** A body to send as is. */
  body?: string;
  /** A value to send as JSON. */
  json?: unknown;
  /** Name of the SDK operation, for errors and logs. */
  operation: string;
  signal?: AbortSignal | undefined;
  /** Overrides the transport's per-attempt `timeoutMs` for this request. */
  timeoutMs?: number;
  /** Overrides the transport's `totalTimeoutMs` for this request. */
  totalTimeoutMs?: number;
  /** Overrides the transport's `maxResponseBytes` for this request. */
  maxResponseBytes?: number;
  /** `json` (default): the body must be JSON. `text`: any body. `none`: body ignored. */
  responseType?: 'json' | 'text' | 'none';
  /** Statuses returned to the caller instead of thrown (e.g. a 404 that ends a delete watch). */
  passStatuses?: number[];
  /**
   * A redirect to another origin that the adapter maps back onto its own configured endpoint (a
   * service behind a TLS-terminating proxy whose `Location` names the service's inner host): the
   * URL to request instead, with the same credentials; undefined refuses the redirect as usual.
   * Asked at most once per call; the other origin itself is never contacted.
   */
  relocate?: ((location: URL) => string | undefined) | undefined;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  text: string;
  url: string;
  requestId?: string;
}
