import type { Logger, RateLimiter, RateLimitOptions, RetryOptions, TlsOptions } from '@stackfeed/core';
import type { EndpointInterface, HeatAuth } from './auth/types.js';

/** Options for building a HeatClient directly. */
export interface HeatClientOptions {
  /** How to authenticate (Keystone v3 password / token / application credential, or `none`). */
  auth: HeatAuth;
  /**
   * The orchestration endpoint, e.g. `http://127.0.0.1:8004/v1/admin`. Required for `none`;
   * otherwise it overrides the catalog. `%(tenant_id)s` / `%(project_id)s` are filled from the token.
   */
  endpoint?: string | undefined;
  /** Catalog region (`OS_REGION_NAME`). */
  region?: string | undefined;
  /** Catalog interface (default `public`). */
  interface?: EndpointInterface | undefined;
  /** Per attempt: connect, headers and the whole body (core's `DEFAULT_TIMEOUT_MS`, 30 s). */
  timeoutMs?: number | undefined;
  /** One call across its retries (core's `DEFAULT_TOTAL_TIMEOUT_MS`, 120 s). */
  totalTimeoutMs?: number | undefined;
  /**
   * Largest answer accepted, counted after decompression (core's `DEFAULT_MAX_RESPONSE_BYTES`,
   * 64 MiB); past it the request is aborted with INVALID_RESPONSE naming the limit.
   */
  maxResponseBytes?: number | undefined;
  /**
   * Key that signs this client's continuation tokens (HMAC). Default: random per client, so tokens
   * resume only in this client; set it (a passphrase or bytes) for tokens that survive a restart or
   * work across processes.
   */
  tokenKey?: string | Uint8Array | undefined;
  retry?: RetryOptions | undefined;
  logger?: Logger | undefined;
  tls?: TlsOptions | undefined;
  /**
   * Client-side request budget: at most `limit` requests per `intervalMs` (default 1 s), every
   * attempt counted. Pass one `RateLimiter` to several clients to share a quota.
   */
  rateLimit?: RateLimiter | RateLimitOptions | undefined;
  /** Appended to the User-Agent. */
  userAgent?: string | undefined;
  /** Re-authenticate this long before the Keystone token expires (default 60 s). */
  tokenRefreshMarginMs?: number | undefined;
  /** Extra headers on every Heat request (e.g. `X-Auth-User` for a noauth Heat). No credentials here. */
  headers?: Record<string, string> | undefined;
  /** Clock for token expiry (tests). */
  now?: () => number;
}
