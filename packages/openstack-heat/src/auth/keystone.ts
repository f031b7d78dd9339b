import { type Logger, type RetryOptions, StackfeedError, type TlsOptions } from '@stackfeed/core';
import { type AuthHook, HttpTransport, parseWire, registerSecret, transportOptionsOf } from '@stackfeed/core/adapter';
import { parseHeatError } from '../errors.js';
import { loadSchemas } from '../wire/load.js';
import type { KeystoneService } from '../wire/schemas.js';
import type { EndpointInterface, HeatAuth, KeystoneScope } from './types.js';

/** What the session needs besides the credentials. */
export interface SessionOptions {
  auth: HeatAuth;
  /** Orchestration endpoint override; may contain `%(tenant_id)s` / `%(project_id)s`. */
  endpoint?: string | undefined;
  region?: string | undefined;
  interface?: EndpointInterface | undefined;
  /** Service type in the catalog (default `orchestration`). */
  serviceType?: string | undefined;
  /** Re-authenticate this long before the token expires (default 60 s). */
  refreshMarginMs?: number | undefined;
  timeoutMs?: number | undefined;
  /** One Keystone call across its retries (core's default when unset). */
  totalTimeoutMs?: number | undefined;
  /** Largest Keystone answer accepted, after decompression (core's default when unset). */
  maxResponseBytes?: number | undefined;
  retry?: RetryOptions | undefined;
  logger?: Logger | undefined;
  tls?: TlsOptions | undefined;
  /**
   * Clock for token expiry (tests).
   * @internal
   */
  now?: () => number;
}

interface IssuedToken {
  value: string;
  expiresAt: number;
  catalog: KeystoneService[];
  projectId: string | undefined;
}

const DEFAULT_DOMAIN = 'default';

/**
 * Keystone v3 session: obtains a token (password, token exchange, application credential),
 * caches it until shortly before `expires_at`, re-authenticates once after a 401, and finds the
 * orchestration endpoint in the token's catalog (interface and region honoured) unless one is
 * given. Credentials are registered for redaction and only ever sent to Keystone (the body) and
 * to the Heat endpoint's origin (`X-Auth-Token`).
 */
export class KeystoneSession {
  private readonly opts: SessionOptions;
  private readonly keystone: HttpTransport | undefined;
  private current: IssuedToken | undefined;
  private pending: Promise<IssuedToken> | undefined;
  private resolvedEndpoint: string | undefined;
  /** Number of tokens issued by Keystone so far (observability, tests). */
  tokensIssued = 0;

  constructor(opts: SessionOptions) {
    this.opts = opts;
    const a = opts.auth;
    if (a.type === 'password') registerSecret(a.password);
    if (a.type === 'token' || a.type === 'none') registerSecret(a.token);
    if (a.type === 'v3applicationcredential') registerSecret(a.applicationCredentialSecret);
    if (a.type === 'none' || (a.type === 'token' && !a.authUrl)) {
      if (!opts.endpoint) {
        throw new StackfeedError({
          code: 'CONFIG',
          provider: 'openstack-heat',
          message:
            a.type === 'none'
              ? 'auth type "none" needs the orchestration endpoint (option `endpoint`, OS_ENDPOINT or orchestration_endpoint_override)'
              : 'a token without an auth URL needs the orchestration endpoint (option `endpoint`)',
        });
      }
    } else {
      if (!('authUrl' in a) || !a.authUrl) {
        throw new StackfeedError({
          code: 'CONFIG',
          provider: 'openstack-heat',
          message: `auth type "${a.type}" needs authUrl (OS_AUTH_URL)`,
        });
      }
      this.keystone = new HttpTransport({
        provider: 'openstack-heat',
        parseError: parseHeatError,
        // Token requests do not spend Heat's request budget.
        ...transportOptionsOf(opts, ['rateLimit', 'userAgent']),
      });
    }
  }

  /** True when the session talks to Keystone (not noauth, not a static token). */
  get usesKeystone(): boolean {
    return this.keystone !== undefined;
  }

  /**
   * The AuthHook for the Heat transport: `X-Auth-Token` on every attempt, one refresh after a 401.
   * @internal
   */
  readonly hook: AuthHook = {
    sign: async (req, ctx) => {
      const token = await this.token(ctx.signal);
      if (token) req.headers['x-auth-token'] = token;
    },
    onUnauthorized: async (ctx) => {
      if (!this.keystone) return false;
      this.current = undefined;
      try {
        await this.token(ctx.signal);
      } catch (err) {
        throw reauthFailed(err);
      }
      return true;
    },
  };

  /** The token to send, issuing or refreshing it when needed; undefined in noauth mode without one. */
  async token(signal?: AbortSignal): Promise<string | undefined> {
    const a = this.opts.auth;
    if (!this.keystone) return a.type === 'none' || a.type === 'token' ? a.token : undefined;
    return (await this.issued(signal)).value;
  }

  /** The orchestration endpoint (base URL including `/v1/{project}`), from the override or the catalog. */
  async endpoint(signal?: AbortSignal): Promise<string> {
    if (this.resolvedEndpoint) return this.resolvedEndpoint;
    const override = this.opts.endpoint;
    if (override && !/%\((tenant_id|project_id)\)s|\$\((tenant_id|project_id)\)s/.test(override)) {
      this.resolvedEndpoint = stripSlash(override);
      return this.resolvedEndpoint;
    }
    if (!this.keystone) return stripSlash(override as string);
    const tok = await this.issued(signal);
    if (override) {
      if (!tok.projectId)
        throw configError('the endpoint override names the project but the token is not project-scoped');
      this.resolvedEndpoint = stripSlash(override.replace(/[%$]\((tenant_id|project_id)\)s/g, tok.projectId));
      return this.resolvedEndpoint;
    }
    this.resolvedEndpoint = stripSlash(
      findEndpoint(
        tok.catalog,
        this.opts.serviceType ?? 'orchestration',
        this.opts.interface ?? 'public',
        this.opts.region,
      ),
    );
    return this.resolvedEndpoint;
  }

  /** Forget the cached token (the next request authenticates again). */
  invalidate(): void {
    this.current = undefined;
  }

  private async issued(signal?: AbortSignal): Promise<IssuedToken> {
    const now = (this.opts.now ?? Date.now)();
    const margin = this.opts.refreshMarginMs ?? 60_000;
    if (this.current && now < this.current.expiresAt - margin) return this.current;
    // Single flight: concurrent requests share one authentication.
    this.pending ??= this.authenticate(signal).finally(() => {
      this.pending = undefined;
    });
    const tok = await this.pending;
    this.current = tok;
    return tok;
  }

  private async authenticate(signal?: AbortSignal): Promise<IssuedToken> {
    const a = this.opts.auth;
    if (a.type === 'none' || !this.keystone) throw configError('no Keystone configured');
    const res = await this.keystone.request<unknown>({
      method: 'POST',
      url: tokensUrl((a as { authUrl: string }).authUrl),
      json: { auth: authBody(a) },
      operation: 'authenticate',
      signal,
    });
    const subject = res.headers['x-subject-token'];
    const value = Array.isArray(subject) ? subject[0] : subject;
    if (!value) {
      throw new StackfeedError({
        code: 'INVALID_RESPONSE',
        provider: 'openstack-heat',
        operation: 'authenticate',
        httpStatus: res.status,
        ...(res.requestId ? { requestId: res.requestId } : {}),
        fieldPath: 'headers.X-Subject-Token',
        message: 'authenticate: Keystone answered without an X-Subject-Token header',
      });
    }
    registerSecret(value);
    const { KeystoneTokenSchema } = await loadSchemas();
    const body = parseWire(KeystoneTokenSchema, res.body, {
      provider: 'openstack-heat',
      operation: 'authenticate',
      requestId: res.requestId,
    });
    this.tokensIssued++;
    return {
      value,
      expiresAt: body.token.expires_at.getTime(),
      catalog: body.token.catalog ?? [],
      projectId: body.token.project?.id,
    };
  }
}

function configError(message: string): StackfeedError {
  return new StackfeedError({ code: 'CONFIG', provider: 'openstack-heat', message });
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** `…:5000` → `…:5000/v3/auth/tokens`; `…/v3` → `…/v3/auth/tokens` (keystoneauth's rule). */
export function tokensUrl(authUrl: string): string {
  const base = stripSlash(authUrl);
  if (/\/v2\.0$/.test(base)) throw configError(`Keystone v2.0 (${base}) is not supported; use the v3 auth URL`);
  return /\/v3$/.test(base) ? `${base}/auth/tokens` : `${base}/v3/auth/tokens`;
}

function domainOf(id: string | undefined, name: string | undefined): Record<string, string> | undefined {
  if (id) return { id };
  if (name) return { name };
  return undefined;
}

function scopeOf(s: KeystoneScope): Record<string, unknown> | undefined {
  if (s.projectId) return { project: { id: s.projectId } };
  if (s.projectName) {
    const domain = domainOf(s.projectDomainId ?? s.domainId, s.projectDomainName ?? s.domainName) ?? {
      id: DEFAULT_DOMAIN,
    };
    return { project: { name: s.projectName, domain } };
  }
  const domain = domainOf(s.domainId, s.domainName);
  return domain ? { domain } : undefined;
}

/** The `auth` object of `POST /v3/auth/tokens` (keystoneauth's v3 plugins). */
export function authBody(a: Exclude<HeatAuth, { type: 'none' }>): Record<string, unknown> {
  if (a.type === 'password') {
    const user: Record<string, unknown> = { password: a.password };
    if (a.userId) user.id = a.userId;
    else if (a.username) {
      user.name = a.username;
      user.domain = domainOf(a.userDomainId ?? a.domainId, a.userDomainName ?? a.domainName) ?? { id: DEFAULT_DOMAIN };
    } else throw configError('password auth needs username or userId');
    const scope = scopeOf(a);
    return { identity: { methods: ['password'], password: { user } }, ...(scope ? { scope } : {}) };
  }
  if (a.type === 'token') {
    const scope = scopeOf(a);
    return { identity: { methods: ['token'], token: { id: a.token } }, ...(scope ? { scope } : {}) };
  }
  const cred: Record<string, unknown> = { secret: a.applicationCredentialSecret };
  if (a.applicationCredentialId) cred.id = a.applicationCredentialId;
  else if (a.applicationCredentialName) {
    cred.name = a.applicationCredentialName;
    if (a.userId) cred.user = { id: a.userId };
    else if (a.username)
      cred.user = { name: a.username, domain: domainOf(a.userDomainId, a.userDomainName) ?? { id: DEFAULT_DOMAIN } };
    else throw configError('an application credential given by name needs its user (userId or username)');
  } else throw configError('application credential auth needs applicationCredentialId or applicationCredentialName');
  return { identity: { methods: ['application_credential'], application_credential: cred } };
}

/**
 * keystoneauth's catalog lookup: services of `type`, endpoints of `interface` (v2 `publicURL`
 * spellings accepted) in `region` (matched on `region_id`, then `region`), first non-empty URL.
 */
export function findEndpoint(
  catalog: readonly KeystoneService[],
  type: string,
  iface: EndpointInterface,
  region: string | undefined,
): string {
  for (const svc of catalog) {
    if (svc.type !== type) continue;
    for (const ep of svc.endpoints) {
      const epIface = (ep.interface ?? '').replace(/URL$/, '');
      if (epIface !== iface) continue;
      if (region && (ep.region_id ?? ep.region) !== region && ep.region !== region) continue;
      if (ep.url) return ep.url;
    }
  }
  throw configError(
    `${iface} endpoint for ${type} service${region ? ` in ${region} region` : ''} not found in the Keystone catalog`,
  );
}

/**
 * Heat refused the token (expired or revoked) and Keystone would not issue a new one: say both,
 * keeping Keystone's code and status.
 */
function reauthFailed(err: unknown): unknown {
  if (!StackfeedError.is(err) || (err.code !== 'UNAUTHORIZED' && err.code !== 'FORBIDDEN')) return err;
  return new StackfeedError({
    code: err.code,
    provider: 'openstack-heat',
    ...(err.operation ? { operation: err.operation } : {}),
    ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}),
    ...(err.providerCode ? { providerCode: err.providerCode } : {}),
    ...(err.requestId ? { requestId: err.requestId } : {}),
    retryable: false,
    message: `the Keystone token expired or was revoked, and re-authenticating failed: ${err.message}`,
    cause: err,
  });
}
