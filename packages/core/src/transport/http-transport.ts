import type {
  CancelableRequest,
  Got,
  BeforeRedirectHook,
  BeforeRequestHook,
  OptionsInit,
  PlainResponse,
  RequestError,
  Response,
} from 'got';
import { codeForHttpStatus, type ErrorCode, StackfeedError, throwIfAborted } from '../errors/stackfeed-error.js';
import { redact, safeExcerpt } from '../errors/redact.js';
import { parseTimestamp } from '../mapping/wire.js';
import { fullJitterDelay } from '../util/sleep.js';
import { VERSION } from '../version.js';
import { encodeQuery, sameOrigin } from './encoding.js';
import {
  assertHeaderSafe,
  checkLimit,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TOTAL_TIMEOUT_MS,
  MAX_RESPONSE_BYTES_LIMIT,
  MAX_TIMER_MS,
} from './limits.js';
import { keepAliveAgents } from './agents.js';
import { nativeRequest } from './native-request.js';
import { type RateLimiter, toRateLimiter } from './rate-limiter.js';
import type {
  AuthHook,
  HttpMethod,
  HttpResponse,
  Logger,
  ProviderErrorInfo,
  RequestSpec,
  SignableRequest,
  TransportOptions,
} from './types.js';

const DEFAULT_REQUEST_ID_HEADERS = [
  'x-request-id',
  'x-openstack-request-id',
  'x-amzn-requestid',
  'x-amz-request-id',
  'x-amzn-request-id',
];
const NETWORK_ERROR_CODES = [
  'ETIMEDOUT',
  'ECONNRESET',
  'EADDRINUSE',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
];
const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME_MISMATCH|ALTNAME/;

/**
 * got (and http2-wrapper, which it loads) is imported on the first request, not with core: a
 * program that imports a client but has not made a request yet (a CLI printing --help) does not
 * pay for it.
 */
type GotModule = typeof import('got');
let gotModule: GotModule | undefined;
let gotLoading: Promise<GotModule> | undefined;
function loadGot(): Promise<GotModule> {
  gotLoading ??= import('got').then((m) => {
    gotModule = m;
    return m;
  });
  return gotLoading;
}
/** An error got raised; got is loaded by then (no request, no got error). */
function isRequestError(err: unknown): err is RequestError {
  return gotModule !== undefined && err instanceof gotModule.RequestError;
}
/** The stackfeed User-Agent: product, version, runtime. */
export const USER_AGENT = `stackfeed/${VERSION} node/${process.version}`;

type RequestOptions = Parameters<BeforeRequestHook>[0];
type RedirectOptions = Parameters<BeforeRedirectHook>[0];

/** Per-request state that got's hooks read through `options.context`. */
interface CallContext {
  spec: RequestSpec;
  auth: AuthHook | undefined;
  startedAt: number;
  /** When the whole call (all attempts) must be over: a retry that would wait past it is not made. */
  deadline: number;
  /** Set when the body passed maxResponseBytes: the answer, whatever got reports for the cancel. */
  failure?: StackfeedError;
}

/**
 * HTTP for every adapter that speaks HTTP itself: got underneath, with stackfeed's policies on
 * top: per-attempt timeout, full-jitter retries that honour Retry-After, a signing hook that runs
 * on every attempt, same-origin-only redirects, AbortSignal, and errors as StackfeedError.
 */
export class HttpTransport {
  readonly provider: TransportOptions['provider'];
  private readonly opts: TransportOptions;
  /** Built on the first request (see loadGot). */
  private client: Got | undefined;
  private readonly requestIdHeaders: string[];
  /** The user's logger, made safe: a sink that throws never breaks a request. */
  private readonly log: Logger | undefined;
  /** The client-side request budget, if any; every attempt (retries, redirects) takes a slot. */
  readonly rateLimiter: RateLimiter | undefined;
  private readonly timeoutMs: number;
  private readonly totalTimeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly retry: ResolvedRetry;

  constructor(opts: TransportOptions) {
    this.opts = opts;
    this.provider = opts.provider;
    const at = (option: string) => ({ provider: opts.provider, option });
    this.timeoutMs = checkLimit(opts.timeoutMs, DEFAULT_TIMEOUT_MS, MAX_TIMER_MS, at('timeoutMs'));
    this.totalTimeoutMs = checkLimit(opts.totalTimeoutMs, DEFAULT_TOTAL_TIMEOUT_MS, MAX_TIMER_MS, at('totalTimeoutMs'));
    this.maxResponseBytes = checkLimit(
      opts.maxResponseBytes,
      DEFAULT_MAX_RESPONSE_BYTES,
      MAX_RESPONSE_BYTES_LIMIT,
      at('maxResponseBytes'),
    );
    if (opts.userAgent !== undefined) assertHeaderSafe('user-agent', opts.userAgent, at('userAgent'));
    this.rateLimiter = toRateLimiter(opts.rateLimit);
    this.requestIdHeaders = (opts.requestIdHeaders ?? [])
      .map((h) => h.toLowerCase())
      .concat(DEFAULT_REQUEST_ID_HEADERS);
    this.retry = resolveRetry(opts);
    this.log = safeLogger(opts.logger);
  }

  /** The got instance, on the first request: the import, then createClient once. */
  private async gotClient(): Promise<Got> {
    const { default: got } = await loadGot();
    this.client ??= this.createClient(got);
    return this.client;
  }

  /** The got instance with stackfeed's defaults: set once, since got merges per-request options on every call. */
  private createClient(got: GotModule['default']): Got {
    const { opts } = this;
    const ua = opts.userAgent ? `${USER_AGENT} ${opts.userAgent}` : USER_AGENT;
    const client = got.extend({
      // Mutable so that cacheOptions can be emptied below (see there).
      mutableDefaults: true,
      // Opens each request with only the options that are set (see native-request.ts for why).
      request: nativeRequest as unknown as NonNullable<OptionsInit['request']>,
      agent: keepAliveAgents,
      // got adds `accept-encoding` (gzip, deflate, and br / zstd where this Node has them) and decodes.
      headers: { 'user-agent': ua, accept: 'application/json' },
      responseType: 'buffer',
      timeout: { request: this.timeoutMs },
      throwHttpErrors: true,
      // Redirects are decided per response: same origin only.
      followRedirect: (response: PlainResponse) => {
        const location = response.headers.location;
        if (!location) return false;
        try {
          return sameOrigin(new URL(response.url), new URL(location, response.url));
        } catch {
          return false;
        }
      },
      maxRedirects: 5,
      methodRewriting: false,
      https: opts.tls
        ? {
            ...(opts.tls.ca !== undefined ? { certificateAuthority: opts.tls.ca } : {}),
            rejectUnauthorized: opts.tls.insecure !== true,
          }
        : {},
      retry: {
        limit: this.retry.maxAttempts - 1,
        // got's own ceiling for Retry-After defaults to the request timeout; ours is maxRetryAfterMs.
        maxRetryAfter: this.retry.maxRetryAfterMs,
        methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'],
        statusCodes: this.retry.statusCodes,
        errorCodes: NETWORK_ERROR_CODES,
        // Let calculateDelay see only errors that the rules above allow; it decides the delay.
        enforceRetryRules: true,
        calculateDelay: ({ attemptCount, error, retryAfter }) => this.retryDelay(attemptCount, error, retryAfter),
      },
      hooks: {
        // Registered only when there is work for it: an empty async hook still costs every request
        // a promise and a few ticks in got's hook loop.
        beforeRequest: opts.auth || this.rateLimiter || this.log ? [(options) => this.beforeRequest(options)] : [],
        beforeRedirect: [(options, response) => this.logRedirect(options, response)],
      },
    });
    // got spreads cacheOptions (4 undefined keys by default) into the object it builds for every
    // request; a spread source with keys puts that literal on V8 11.3's slow path (Node 20: ~50 µs
    // per request). stackfeed never caches responses, so the cache options are empty.
    client.defaults.options.cacheOptions = {};
    return client;
  }

  /** How long to wait before the next attempt; 0 = no retry (the error is the answer). */
  private retryDelay(attemptCount: number, error: RequestError, retryAfter: number | undefined): number {
    const { maxAttempts, maxRetryAfterMs, baseDelayMs, maxDelayMs, random } = this.retry;
    const ctx = error.options?.context as unknown as CallContext | undefined;
    if (ctx?.spec.signal?.aborted) return 0;
    if (attemptCount > maxAttempts - 1) return 0;
    // The body passed the size cap: the same body would come again.
    if (ctx?.failure) return 0;
    const status = error.response?.statusCode;
    if (status !== undefined && error.response) {
      const info = this.providerError(toHttpResponse(error.response as Response<Buffer>, this.requestIdHeaders));
      if (info?.retryable === false) return 0;
    }
    let delay: number;
    if (retryAfter !== undefined && Number.isFinite(retryAfter)) {
      if (retryAfter > maxRetryAfterMs) return 0;
      delay = Math.max(1, retryAfter);
    } else {
      delay = Math.max(1, fullJitterDelay(attemptCount - 1, baseDelayMs, maxDelayMs, random));
    }
    // A retry that could only start after the call's deadline is not made: the error is the answer.
    if (ctx && Date.now() + delay >= ctx.deadline) return 0;
    this.log?.({
      level: 'warn',
      event: 'retry',
      provider: this.provider,
      ...(ctx ? { operation: ctx.spec.operation } : {}),
      attempt: attemptCount,
      delayMs: delay,
      ...(status !== undefined ? { status } : {}),
      message: redact(error.code ?? error.message),
    });
    return delay;
  }

  /** Before every attempt (retries and redirects too): the request budget, then signing, then a log entry. */
  private async beforeRequest(options: RequestOptions): Promise<void> {
    const ctx = options.context as unknown as CallContext;
    // Before signing, so a signature's timestamp is not aged by the wait.
    if (this.rateLimiter) await this.rateLimiter.acquire(ctx.spec.signal, this.provider);
    if (!ctx.auth && !this.log) return;
    const url = new URL(String(options.url));
    if (ctx.auth) await this.sign(ctx, ctx.auth, options, url);
    this.log?.({
      level: 'debug',
      event: 'request',
      provider: this.provider,
      operation: ctx.spec.operation,
      method: options.method,
      url: redact(url.toString()),
    });
  }

  private async sign(ctx: CallContext, auth: AuthHook, options: RequestOptions, url: URL): Promise<void> {
    const headers = options.headers as Record<string, string>;
    const signable: SignableRequest = {
      method: (options.method?.toUpperCase() ?? 'GET') as HttpMethod,
      url,
      headers,
      body: typeof options.body === 'string' ? options.body : undefined,
    };
    try {
      await auth.sign(signable, { signal: ctx.spec.signal });
    } catch (err) {
      // A signer's own StackfeedError (no credentials, a token service that throttled)
      // is the answer; anything else is a bug or bad configuration, not worth a retry.
      if (StackfeedError.is(err)) throw err;
      throw new StackfeedError({
        code: 'CONFIG',
        provider: this.provider,
        operation: ctx.spec.operation,
        retryable: false,
        message: `${ctx.spec.operation}: the signing hook failed: ${err instanceof Error ? err.message : String(err)}`,
        cause: err,
      });
    }
    // Signers may add or replace headers; copy back in case they replaced the object.
    for (const [k, v] of Object.entries(signable.headers)) headers[k.toLowerCase()] = v;
  }

  private logRedirect(options: RedirectOptions, response: PlainResponse): void {
    const ctx = options.context as unknown as CallContext;
    this.log?.({
      level: 'debug',
      event: 'redirect',
      provider: this.provider,
      operation: ctx.spec.operation,
      status: response.statusCode,
      url: redact(String(options.url)),
    });
  }

  /** Send a request; resolve with the response or reject with a StackfeedError. */
  async request<T = unknown>(requestSpec: RequestSpec): Promise<HttpResponse<T>> {
    throwIfAborted(requestSpec.signal, this.provider);
    this.checkRequestHeaders(requestSpec);
    const totalMs = checkLimit(requestSpec.totalTimeoutMs, this.totalTimeoutMs, MAX_TIMER_MS, {
      provider: this.provider,
      option: 'totalTimeoutMs',
    });
    // The call's deadline aborts whatever is in progress: an attempt, a back-off wait, a signer.
    const deadline = new AbortController();
    const timer = setTimeout(() => {
      deadline.abort(
        new StackfeedError({
          code: 'TIMEOUT',
          provider: this.provider,
          operation: requestSpec.operation,
          message: `${requestSpec.operation}: no answer within totalTimeoutMs (${totalMs} ms) across all attempts`,
        }),
      );
    }, totalMs);
    timer.unref?.();
    // The caller's abort joins through a listener removed when the call is over, not
    // AbortSignal.any: on Node 20 that costs ≈ 20–40 µs per call (a WeakRef and a
    // FinalizationRegistry entry per signal), and a listing makes one call per page.
    const outer = requestSpec.signal;
    const onAbort = outer ? () => deadline.abort(outer.reason) : undefined;
    if (outer && onAbort) outer.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.requestWithin<T>({ ...requestSpec, signal: deadline.signal }, Date.now() + totalMs);
    } finally {
      clearTimeout(timer);
      if (outer && onAbort) outer.removeEventListener('abort', onAbort);
    }
  }

  /** Header values a caller passed go on the wire as they are: a line break in one is a bad option. */
  private checkRequestHeaders(spec: RequestSpec): void {
    if (!spec.headers) return;
    for (const name in spec.headers) {
      assertHeaderSafe(name, spec.headers[name] as string, {
        provider: this.provider,
        option: `${spec.operation} headers`,
      });
    }
  }

  private async requestWithin<T>(requestSpec: RequestSpec, deadline: number): Promise<HttpResponse<T>> {
    let spec = requestSpec;
    let refreshed = false;
    let relocated = false;
    let auth = this.opts.auth;
    let url: URL;
    try {
      url = toUrl(spec);
    } catch (err) {
      throw new StackfeedError({
        code: 'CONFIG',
        provider: this.provider,
        operation: spec.operation,
        message: `${spec.operation}: cannot build a request URL from ${JSON.stringify(String(spec.url))}`,
        cause: err,
      });
    }
    for (let hop = 0; ; hop++) {
      try {
        return (await this.send<T>(spec, url, auth, deadline)) as HttpResponse<T>;
      } catch (err) {
        if (!(err instanceof RedirectOut)) {
          if (StackfeedError.is(err, 'UNAUTHORIZED') && !refreshed && auth?.onUnauthorized && !spec.signal?.aborted) {
            refreshed = true;
            this.log?.({
              level: 'info',
              event: 'auth-refresh',
              provider: this.provider,
              operation: spec.operation,
            });
            if (await auth.onUnauthorized({ signal: spec.signal })) continue;
          }
          throw err;
        }
        const target = relocated ? undefined : this.relocation(spec, err);
        if (target) {
          relocated = true;
          url = target;
          continue;
        }
        // A redirect to another origin: never with credentials.
        if (this.opts.crossOriginRedirects === 'follow-without-credentials' && hop < 5) {
          url = err.location;
          auth = undefined;
          // Credentials the caller put in the headers directly stay behind too.
          spec = { ...spec, headers: withoutCredentials(spec.headers) };
          continue;
        }
        throw new StackfeedError({
          code: 'INVALID_RESPONSE',
          provider: this.provider,
          operation: spec.operation,
          httpStatus: err.status,
          message: `${spec.operation}: the server redirected to another origin (${err.location.origin}); stackfeed does not send credentials across origins`,
        });
      }
    }
  }

  /** Where the caller's `relocate` maps a redirect to another origin (undefined: no mapping). */
  private relocation(spec: RequestSpec, redirect: RedirectOut): URL | undefined {
    const target = spec.relocate?.(redirect.location);
    if (target === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return undefined;
    }
    this.log?.({
      level: 'debug',
      event: 'redirect',
      provider: this.provider,
      operation: spec.operation,
      status: redirect.status,
      url: redact(url.toString()),
      message: `the Location names another origin (${redirect.location.origin}); its path is requested on the configured endpoint`,
    });
    return url;
  }

  private providerError(res: HttpResponse): ProviderErrorInfo | undefined {
    try {
      return this.opts.parseError?.(res);
    } catch {
      return undefined;
    }
  }

  private async send<T>(
    spec: RequestSpec,
    url: URL,
    auth: AuthHook | undefined,
    deadline: number,
  ): Promise<HttpResponse<T | unknown>> {
    const ctx: CallContext = { spec, auth, startedAt: Date.now(), deadline };
    const maxBytes = checkLimit(spec.maxResponseBytes, this.maxResponseBytes, MAX_RESPONSE_BYTES_LIMIT, {
      provider: this.provider,
      option: 'maxResponseBytes',
    });
    let headers: Record<string, string> | undefined;
    if (spec.headers) {
      headers = {};
      for (const k in spec.headers) headers[k.toLowerCase()] = spec.headers[k] as string;
    }
    let body = spec.body;
    if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      headers ??= {};
      headers['content-type'] ??= 'application/json';
    }
    let response: Response<Buffer>;
    try {
      // Only options that differ from the instance defaults: got merges every one on every request.
      const client = this.client ?? (await this.gotClient());
      const pending = client(url.href, {
        ...(spec.method && spec.method !== 'GET' ? { method: spec.method } : {}),
        ...(headers ? { headers } : {}),
        ...(body !== undefined ? { body } : {}),
        // The transport-wide timeout is set once in got.extend; per call only when it differs
        // (every option passed here is merged by got on every request).
        ...(spec.timeoutMs !== undefined ? { timeout: { request: spec.timeoutMs } } : {}),
        ...(spec.signal ? { signal: spec.signal } : {}),
        context: ctx as unknown as Record<string, unknown>,
      });
      this.capBody(pending as unknown as CancelableRequest<unknown>, ctx, maxBytes);
      response = (await pending) as unknown as Response<Buffer>;
      if (ctx.failure) throw ctx.failure;
      const size = (response.rawBody ?? response.body)?.length ?? 0;
      if (size > maxBytes) throw this.tooLarge(spec, maxBytes);
    } catch (err) {
      if (ctx.failure) throw ctx.failure;
      if (StackfeedError.is(err, 'INVALID_RESPONSE')) throw err;
      // Only a status error carries the response to act on; a network error after a redirect
      // still points at the 3xx it followed, which must not be passed back or read as a redirect.
      const res =
        isRequestError(err) && err.name === 'HTTPError' ? (err.response as Response<Buffer> | undefined) : undefined;
      if (res && spec.passStatuses?.includes(res.statusCode)) {
        return this.finish<T>(spec, res, true);
      }
      if (res && res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
        const location = new URL(res.headers.location, res.url);
        if (!sameOrigin(new URL(res.url), location)) throw new RedirectOut(location, res.statusCode);
      }
      throw this.toError(err, spec);
    }
    // A redirect got did not follow (our followRedirect said no: another origin) comes back as a response.
    if (response.statusCode >= 300 && response.statusCode < 400 && response.headers.location) {
      let location: URL | undefined;
      try {
        location = new URL(response.headers.location, response.url);
      } catch {
        location = undefined;
      }
      if (location && !sameOrigin(new URL(response.url), location)) {
        if (!spec.passStatuses?.includes(response.statusCode)) throw new RedirectOut(location, response.statusCode);
      }
    }
    return this.finish<T>(spec, response, spec.passStatuses?.includes(response.statusCode) ?? false);
  }

  /**
   * Abort the request as soon as its body (decompressed: a gzip bomb counts inflated) passes
   * `maxBytes`, or as soon as the headers announce more: the body is never held beyond the cap.
   */
  private capBody(pending: CancelableRequest<unknown>, ctx: CallContext, maxBytes: number): void {
    const stop = () => {
      if (ctx.failure) return;
      ctx.failure = this.tooLarge(ctx.spec, maxBytes);
      pending.cancel();
    };
    // The first progress event comes with the headers: `total` is the announced Content-Length.
    pending.on('downloadProgress', (progress: { transferred: number; total?: number | undefined }) => {
      if (progress.transferred > maxBytes || (progress.total ?? 0) > maxBytes) stop();
    });
  }

  private tooLarge(spec: RequestSpec, maxBytes: number): StackfeedError {
    return new StackfeedError({
      code: 'INVALID_RESPONSE',
      provider: this.provider,
      operation: spec.operation,
      retryable: false,
      message: `${spec.operation}: the response body is larger than maxResponseBytes (${maxBytes} bytes, counted after decompression); raise the maxResponseBytes option if this answer is expected`,
    });
  }

  private finish<T>(spec: RequestSpec, res: Response<Buffer>, passed: boolean): HttpResponse<T | unknown> {
    const out = toHttpResponse(res, this.requestIdHeaders);
    this.log?.({
      level: 'debug',
      event: 'response',
      provider: this.provider,
      operation: spec.operation,
      status: res.statusCode,
      ...(out.requestId ? { requestId: out.requestId } : {}),
      ...(res.timings?.phases.total !== undefined ? { durationMs: res.timings.phases.total } : {}),
    });
    const type = spec.responseType ?? 'json';
    if (type === 'json' && !passed) {
      out.body = this.parseJsonBody(spec, res, out);
    } else if (type === 'json') {
      out.body = safeJson(out.text);
    } else if (type === 'text') {
      out.body = out.text;
    }
    return out;
  }

  private parseJsonBody(spec: RequestSpec, res: Response<Buffer>, out: HttpResponse): unknown {
    const fail = (what: string): never => {
      throw new StackfeedError({
        code: 'INVALID_RESPONSE',
        provider: this.provider,
        operation: spec.operation,
        httpStatus: res.statusCode,
        ...(out.requestId ? { requestId: out.requestId } : {}),
        message: `${spec.operation}: ${what}`,
      });
    };
    const ctype = res.headers['content-type'];
    const htmlType = ctype !== undefined && /html/i.test(ctype);
    if (!htmlType) {
      // The common case first: the body parses. What went wrong is worked out only when it does not.
      try {
        return JSON.parse(out.text);
      } catch {
        if (out.text.trim() === '') return fail(`HTTP ${res.statusCode} with an empty body where JSON was expected`);
        if (!/^\s*<(!doctype|html)/i.test(out.text)) {
          // Not V8's message: it quotes the body around the error, which may be a reflected secret.
          return fail(`malformed JSON in the response body (${out.text.length} characters)`);
        }
      }
    } else if (out.text.trim() === '') {
      return fail(`HTTP ${res.statusCode} with an empty body where JSON was expected`);
    }
    return fail(`HTTP ${res.statusCode} with an HTML page instead of JSON (a proxy or gateway answered?)`);
  }

  private toError(err: unknown, spec: RequestSpec): StackfeedError {
    const provider = this.provider;
    const operation = spec.operation;
    if (StackfeedError.is(err)) return err;
    // got wraps what a hook threw (the signer) in a RequestError; the original is the answer.
    if (isRequestError(err) && StackfeedError.is(err.cause)) return err.cause;
    if (spec.signal?.aborted) {
      const reason = spec.signal.reason;
      if (StackfeedError.is(reason)) return reason;
      return new StackfeedError({
        code: 'ABORTED',
        provider,
        operation,
        message: `${operation}: aborted`,
        cause: reason,
      });
    }
    if (!isRequestError(err)) {
      return new StackfeedError({
        code: 'NETWORK',
        provider,
        operation,
        message: `${operation}: ${err instanceof Error ? err.message : String(err)}`,
        cause: err,
      });
    }
    // Only an HTTP status error is classified by its status. A body that broke off after a 200
    // (ReadError, content-length mismatch) is a network failure, whatever the status said.
    const res = err.name === 'HTTPError' ? (err.response as Response<Buffer> | undefined) : undefined;
    if (res) return this.statusError(err, res, operation);
    return this.failureError(err, spec);
  }

  /** An HTTP status error: classified by the provider's error body, else by the status. */
  private statusError(err: RequestError, res: Response<Buffer>, operation: string): StackfeedError {
    const provider = this.provider;
    const http = toHttpResponse(res, this.requestIdHeaders);
    http.body = safeJson(http.text);
    const info = this.providerError(http);
    const code: ErrorCode = info?.code ?? codeForHttpStatus(res.statusCode);
    const retryAfter = parseRetryAfterSeconds(res.headers['retry-after']);
    const requestId = info?.requestId ?? http.requestId;
    const detail = info?.message ?? describeBody(http.text);
    const pc = info?.providerCode ? ` ${info.providerCode}` : '';
    return new StackfeedError({
      code,
      provider,
      operation,
      httpStatus: res.statusCode,
      ...(info?.providerCode ? { providerCode: info.providerCode } : {}),
      ...(requestId ? { requestId } : {}),
      ...(info?.retryable !== undefined ? { retryable: info.retryable } : {}),
      ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
      message: `${operation}: HTTP ${res.statusCode}${pc}${detail ? `: ${detail}` : ''}`,
      cause: err,
    });
  }

  /** A request that got no usable status: timeouts, aborts, TLS, redirects, connection failures. */
  private failureError(err: RequestError, spec: RequestSpec): StackfeedError {
    const provider = this.provider;
    const operation = spec.operation;
    const code = err.code ?? '';
    if (err.name === 'TimeoutError' || code === 'ETIMEDOUT') {
      const ms = spec.timeoutMs ?? this.timeoutMs;
      return new StackfeedError({
        code: 'TIMEOUT',
        provider,
        operation,
        message: `${operation}: no complete response (headers and whole body) within timeoutMs (${ms} ms)`,
        cause: err,
      });
    }
    // Node refuses a header value with a line break (a signer put one in): a bad option, not a network failure.
    if (code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_HTTP_TOKEN') {
      return new StackfeedError({
        code: 'CONFIG',
        provider,
        operation,
        message: `${operation}: a request header is invalid (${code}); check header-bound options for line breaks`,
        cause: err,
      });
    }
    if (err.name === 'AbortError' || code === 'ERR_ABORTED') {
      return new StackfeedError({ code: 'ABORTED', provider, operation, message: `${operation}: aborted`, cause: err });
    }
    if (TLS_ERROR.test(code) || TLS_ERROR.test(err.message)) {
      return new StackfeedError({
        code: 'NETWORK',
        provider,
        operation,
        retryable: false,
        message: `${operation}: TLS verification failed (${code || err.message}); pass the server's CA with the \`tls.ca\` option`,
        cause: err,
      });
    }
    if (err.name === 'MaxRedirectsError') {
      return new StackfeedError({
        code: 'INVALID_RESPONSE',
        provider,
        operation,
        message: `${operation}: too many redirects`,
        cause: err,
      });
    }
    return new StackfeedError({
      code: 'NETWORK',
      provider,
      operation,
      message: `${operation}: ${code ? `${code} ` : ''}${err.message}`,
      cause: err,
    });
  }
}

/** The retry options with their defaults filled in. */
interface ResolvedRetry {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  statusCodes: number[];
  random: () => number;
}

function resolveRetry(opts: TransportOptions): ResolvedRetry {
  const retry = opts.retry ?? {};
  return {
    maxAttempts: Math.max(1, retry.maxAttempts ?? 4),
    baseDelayMs: retry.baseDelayMs ?? 250,
    maxDelayMs: retry.maxDelayMs ?? 20_000,
    maxRetryAfterMs: retry.maxRetryAfterMs ?? 60_000,
    statusCodes: retry.statusCodes ?? [429, 500, 502, 503, 504],
    random: opts.random ?? Math.random,
  };
}

function safeLogger(logger: Logger | undefined): Logger | undefined {
  if (!logger) return undefined;
  return (entry) => {
    try {
      logger(entry);
    } catch {
      // a failing log sink is not the request's problem
    }
  };
}

/** Thrown internally when a redirect leaves the origin; `request` decides what to do with it. */
class RedirectOut extends Error {
  constructor(
    readonly location: URL,
    readonly status: number,
  ) {
    super('cross-origin redirect');
  }
}

/** Header names that carry credentials by definition; never sent to another origin. */
const CREDENTIAL_HEADER =
  /^(authorization|proxy-authorization|cookie|x-auth-token|x-subject-token|x-security-token|x-amz-security-token|x-amz-date|x-amz-content-sha256|x-sdk-date|x-project-id|x-domain-id)$/i;

function withoutCredentials(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return headers;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!CREDENTIAL_HEADER.test(k)) out[k] = v;
  return out;
}

function toUrl(spec: RequestSpec): URL {
  const url = new URL(spec.url);
  const qs = encodeQuery(spec.query);
  if (qs) url.search = url.search ? `${url.search}&${qs}` : `?${qs}`;
  return url;
}

function toHttpResponse(res: Response<Buffer>, requestIdHeaders: string[]): HttpResponse {
  const raw = res.rawBody ?? res.body;
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : '';
  const headers = res.headers as Record<string, string | string[] | undefined>;
  let requestId: string | undefined;
  for (const h of requestIdHeaders) {
    const v = headers[h];
    if (typeof v === 'string' && v) {
      requestId = redact(v);
      break;
    }
  }
  return { status: res.statusCode, headers, body: undefined, text, url: res.url, ...(requestId ? { requestId } : {}) };
}

function safeJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A short, credential-free description of an unparsed error body. */
function describeBody(text: string): string {
  const t = text.trim();
  if (!t) return '';
  if (/^<(!doctype|html)/i.test(t)) return 'HTML error page (a proxy or gateway answered?)';
  return safeExcerpt(t, 200);
}

/** Retry-After as seconds: delta-seconds or an HTTP date. */
export function parseRetryAfterSeconds(value: string | string[] | undefined): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+(?:\.\d+)?$/.test(v)) return Number(v);
  // Anything else must be an HTTP date; `-5`, `1e400` or `soon` are not (no lenient Date guessing).
  if (/^[\d.eE+-]+$/.test(v)) return undefined;
  const t = parseTimestamp(v);
  if (!t) return undefined;
  return Math.max(0, Math.ceil((t.getTime() - Date.now()) / 1000));
}

export type { Logger };
