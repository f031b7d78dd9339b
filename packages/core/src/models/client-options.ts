import type { RateLimiter, RateLimitOptions } from '../transport/rate-limiter.js';
import type { Logger, RetryOptions, TlsOptions } from '../transport/types.js';

/**
 * The options every stackfeed client takes, named and documented once. Each adapter's options
 * extend this and add what only that provider has (its auth, its catalog interface, …).
 */
export interface ClientOptions {
  /** The service endpoint (a VPC endpoint, a private cloud, an emulator); default: the provider's own. */
  endpoint?: string | undefined;
  /** The region (AWS, Huawei) or catalog region (OpenStack `OS_REGION_NAME`). */
  region?: string | undefined;
  /**
   * Retries of throttling, 5xx, network failures and timeouts: full-jitter back-off, Retry-After
   * honoured (default 4 attempts).
   */
  retry?: RetryOptions | undefined;
  /** Receives request, response and retry entries; never a credential. */
  logger?: Logger | undefined;
  /**
   * Deadline of one attempt in ms (core's `DEFAULT_TIMEOUT_MS`, 30 s): connect, headers and the
   * whole body must arrive within it, so a trickling body cannot outlast it.
   */
  timeoutMs?: number | undefined;
  /** Deadline of one call across all its attempts and back-offs, in ms (`DEFAULT_TOTAL_TIMEOUT_MS`, 120 s). */
  totalTimeoutMs?: number | undefined;
  /**
   * Largest answer accepted, in bytes after decompression (`DEFAULT_MAX_RESPONSE_BYTES`, 64 MiB);
   * past it the request stops with INVALID_RESPONSE naming the limit.
   */
  maxResponseBytes?: number | undefined;
  /**
   * Client-side request budget: at most `limit` requests per `intervalMs` (default 1 s), every
   * attempt counted. Pass one `RateLimiter` to several clients to share a quota.
   */
  rateLimit?: RateLimiter | RateLimitOptions | undefined;
  /**
   * Key that signs this client's continuation tokens (HMAC): a passphrase (≥ 16 characters) or
   * bytes, so tokens survive a restart or work across processes. Default: random per client.
   */
  tokenKey?: string | Uint8Array | undefined;
  /** Extra CA certificates, or `insecure` (local testing only). Certificates are verified by default. */
  tls?: TlsOptions | undefined;
  /** Appended to the User-Agent. */
  userAgent?: string | undefined;
}
