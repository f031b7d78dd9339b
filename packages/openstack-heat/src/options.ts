import type { ClientOptions } from '@stackfeed/core';
import type { EndpointInterface, HeatAuth } from './auth/types.js';

/**
 * Options for building a HeatClient directly: core's `ClientOptions` (documented there once) plus
 * what only OpenStack has. `endpoint` is the orchestration endpoint, e.g.
 * `http://127.0.0.1:8004/v1/admin`: required for `none`, otherwise it overrides the catalog
 * (`%(tenant_id)s` / `%(project_id)s` are filled from the token). `region` is the catalog region
 * (`OS_REGION_NAME`).
 */
export interface HeatClientOptions extends ClientOptions {
  /** How to authenticate (Keystone v3 password / token / application credential, or `none`). */
  auth: HeatAuth;
  /** Catalog interface (default `public`). */
  interface?: EndpointInterface | undefined;
  /** Re-authenticate this long before the Keystone token expires (default 60 s). */
  tokenRefreshMarginMs?: number | undefined;
  /** Extra headers on every Heat request (e.g. `X-Auth-User` for a noauth Heat). No credentials here. */
  headers?: Record<string, string> | undefined;
  /**
   * Clock for token expiry (tests).
   * @internal
   */
  now?: () => number;
}
