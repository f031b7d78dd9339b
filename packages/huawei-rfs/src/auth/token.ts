import { type Logger, StackfeedError, type TlsOptions } from '@stackfeed/core';
import {
  type AuthHook,
  abortError,
  assertHeaderSafe,
  type SignableRequest,
  HttpTransport,
  registerSecret,
  transportOptionsOf,
} from '@stackfeed/core/adapter';
import { parseRfsError } from '../errors.js';
import { stampRequest } from './aksk.js';

/** IAM password credentials, exchanged for a token at `POST {iam}/v3/auth/tokens`. */
export interface IamPasswordCredentials {
  /** IAM user name. */
  userName: string;
  password: string;
  /** The account (domain) name the IAM user belongs to. */
  domainName: string;
}

/**
 * Options of `IamTokenAuth` (RfsClient builds one from its own options).
 * @internal
 */
export interface IamTokenAuthOptions {
  /** Either a token obtained elsewhere, or password credentials to obtain (and renew) one. */
  token?: string | undefined;
  password?: IamPasswordCredentials | undefined;
  /** IAM endpoint, e.g. `https://iam.cn-north-4.myhuaweicloud.com`. */
  iamEndpoint: string;
  /** The token is scoped to this project (id); falls back to the region name as project name. */
  projectId?: string | undefined;
  region?: string | undefined;
  /** Renew this long before `expires_at` (default 5 minutes). */
  refreshMarginMs?: number | undefined;
  timeoutMs?: number | undefined;
  totalTimeoutMs?: number | undefined;
  maxResponseBytes?: number | undefined;
  logger?: Logger | undefined;
  tls?: TlsOptions | undefined;
  now?: (() => number) | undefined;
}

/**
 * IAM token auth as an AuthHook: sends `X-Auth-Token`. With password credentials the token is
 * fetched on first use, cached until shortly before `expires_at`, fetched once for concurrent
 * callers, and renewed once after a 401.
 * @internal
 */
export class IamTokenAuth implements AuthHook {
  private readonly opts: IamTokenAuthOptions;
  private readonly iam: HttpTransport;
  private cached: { token: string; expiresAt: number; lifetime: number } | undefined;
  /** The IAM request all current callers wait for, and how to cancel it once none waits. */
  private inflight: InflightToken | undefined;
  /** How many tokens were obtained from IAM (for tests and diagnostics). */
  tokensIssued = 0;

  constructor(opts: IamTokenAuthOptions) {
    this.opts = opts;
    if (!opts.token && !opts.password) {
      throw new StackfeedError({
        code: 'CONFIG',
        provider: 'huawei-rfs',
        message: 'IAM token auth needs a token or password credentials',
      });
    }
    registerSecret(opts.token);
    registerSecret(opts.password?.password);
    if (opts.token) {
      this.cached = { token: opts.token, expiresAt: Number.POSITIVE_INFINITY, lifetime: Number.POSITIVE_INFINITY };
    }
    // Sent as X-Auth-Token: a line break must fail now, not as a NETWORK error on every attempt.
    if (opts.token)
      assertHeaderSafe('x-auth-token', opts.token, { provider: 'huawei-rfs', option: 'credentials.token' });
    this.iam = new HttpTransport({
      provider: 'huawei-rfs',
      parseError: parseRfsError,
      ...transportOptionsOf(opts, ['retry', 'rateLimit', 'userAgent']),
    });
  }

  /**
   * Make sure a valid token is cached. The client calls this before each request, outside the
   * HTTP library's hooks, so that an IAM failure surfaces as its own typed error (an error thrown
   * inside \`sign\` reaches the caller re-wrapped by got as a network error).
   */
  async prepare(signal?: AbortSignal): Promise<void> {
    await this.token(signal);
  }

  async sign(req: SignableRequest, ctx: { signal?: AbortSignal | undefined }): Promise<void> {
    const token = await this.token(ctx.signal);
    stampRequest(req, this.opts.projectId);
    req.headers['x-auth-token'] = token;
  }

  async onUnauthorized(ctx: { signal?: AbortSignal | undefined }): Promise<boolean> {
    if (!this.opts.password) return false;
    this.cached = undefined;
    try {
      await this.token(ctx.signal);
    } catch (err) {
      // The gateway refused the token (expired or revoked) and IAM would not issue another.
      if (!StackfeedError.is(err) || (err.code !== 'UNAUTHORIZED' && err.code !== 'FORBIDDEN')) throw err;
      throw new StackfeedError({
        code: err.code,
        provider: 'huawei-rfs',
        ...(err.operation ? { operation: err.operation } : {}),
        ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}),
        ...(err.providerCode ? { providerCode: err.providerCode } : {}),
        ...(err.requestId ? { requestId: err.requestId } : {}),
        retryable: false,
        message: `the IAM token expired or was revoked, and getting a new one failed: ${err.message}`,
        cause: err,
      });
    }
    return true;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private async token(signal: AbortSignal | undefined): Promise<string> {
    const c = this.cached;
    // Never a margin longer than half the token's life, or short-lived tokens would be refetched on every call.
    if (c && c.expiresAt - Math.min(this.opts.refreshMarginMs ?? 300_000, c.lifetime / 2) > this.now()) return c.token;
    // One IAM call for all concurrent callers. No single caller's signal cancels it (one caller
    // giving up must not fail the others); it is cancelled when the last waiting caller gives up,
    // so an abandoned, hanging IAM request cannot keep the process alive.
    let flight = this.inflight;
    if (!flight) {
      const controller = new AbortController();
      const promise = this.fetchToken(controller.signal).finally(() => {
        if (this.inflight === flight) this.inflight = undefined;
      });
      promise.catch(() => {}); // rejections reach the callers; none is left unhandled if all gave up
      flight = { promise, controller, waiting: 0 };
      this.inflight = flight;
    }
    return waitForToken(flight, signal, () => {
      if (this.inflight === flight) this.inflight = undefined;
    });
  }

  private async fetchToken(signal: AbortSignal | undefined): Promise<string> {
    const pw = this.opts.password;
    if (!pw) {
      // A fixed token past its margin: keep using it; the server decides.
      return (this.cached as { token: string }).token;
    }
    const scope = this.opts.projectId
      ? { project: { id: this.opts.projectId } }
      : { project: { name: this.opts.region ?? '' } };
    const res = await this.iam.request<{ token?: { expires_at?: string; issued_at?: string } }>({
      method: 'POST',
      url: `${this.opts.iamEndpoint.replace(/\/+$/, '')}/v3/auth/tokens`,
      query: { nocatalog: 'true' },
      json: {
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: pw.userName, password: pw.password, domain: { name: pw.domainName } } },
          },
          scope,
        },
      },
      operation: 'iamGetToken',
      signal,
    });
    const header = res.headers['x-subject-token'];
    const token = Array.isArray(header) ? header[0] : header;
    if (!token) {
      throw new StackfeedError({
        code: 'INVALID_RESPONSE',
        provider: 'huawei-rfs',
        operation: 'iamGetToken',
        httpStatus: res.status,
        ...(res.requestId ? { requestId: res.requestId } : {}),
        fieldPath: 'headers.X-Subject-Token',
        message: 'iamGetToken: IAM answered without an X-Subject-Token header',
      });
    }
    registerSecret(token);
    // The lifetime comes from IAM's own issued_at/expires_at pair and is counted on our clock, so
    // a skewed local clock can neither keep an expired token nor refetch a fresh one on every call.
    const exp = Date.parse(res.body?.token?.expires_at ?? '');
    const iat = Date.parse(res.body?.token?.issued_at ?? '');
    const now = this.now();
    let lifetime = !Number.isNaN(exp) && !Number.isNaN(iat) ? exp - iat : Number.isNaN(exp) ? Number.NaN : exp - now;
    // IAM tokens live 24 h; without a usable expiry assume one hour.
    if (!(lifetime > 0)) lifetime = 3_600_000;
    this.cached = { token, expiresAt: now + lifetime, lifetime };
    this.tokensIssued++;
    return token;
  }
}

interface InflightToken {
  promise: Promise<string>;
  controller: AbortController;
  /** Callers still waiting for `promise`. */
  waiting: number;
}

/**
 * Wait for the shared IAM request, or reject with ABORTED as soon as `signal` fires. The last
 * waiting caller to give up cancels the request (`onAbandoned` then forgets it, so the next caller
 * starts a fresh one).
 */
function waitForToken(
  flight: InflightToken,
  signal: AbortSignal | undefined,
  onAbandoned: () => void,
): Promise<string> {
  if (signal?.aborted) return Promise.reject(abortError(signal, 'huawei-rfs'));
  flight.waiting++;
  if (!signal) return flight.promise;
  return new Promise<string>((resolve, reject) => {
    const onAbort = () => {
      reject(abortError(signal, 'huawei-rfs'));
      if (--flight.waiting === 0) {
        onAbandoned();
        flight.controller.abort();
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    flight.promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
