/**
 * A request handler for AWS SDK v3 clients (the `requestHandler` config option) over node:http /
 * node:https, structurally typed so that core loads no SDK. Unlike the SDK's own NodeHttpHandler
 * it bounds every response: the body is read whole under a size cap counted after decompression,
 * and one deadline covers connect, headers and the whole body (a trickling body cannot outlast it).
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { ErrorCode } from '../errors/stackfeed-error.js';
import { redact } from '../errors/redact.js';
import type { ProviderId } from '../models/enums.js';
import { encodeRfc3986 } from '../transport/encoding.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS } from '../transport/limits.js';
import type { Logger, TlsOptions } from '../transport/types.js';

/** Default cap of one SDK response body, after decompression: core's `DEFAULT_MAX_RESPONSE_BYTES` (64 MiB). */
export const SDK_DEFAULT_MAX_RESPONSE_BYTES = DEFAULT_MAX_RESPONSE_BYTES;
/** Default deadline of one SDK attempt (connect + headers + whole body): core's `DEFAULT_TIMEOUT_MS` (30 s). */
export const SDK_DEFAULT_TIMEOUT_MS = DEFAULT_TIMEOUT_MS;

/** The request an SDK v3 client hands its handler (smithy's `HttpRequest`, duck-typed). */
export interface SdkHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number | undefined;
  path: string;
  query?: Record<string, string | Array<string | null> | null> | undefined;
  headers: Record<string, string>;
  body?: unknown;
  username?: string | undefined;
  password?: string | undefined;
  fragment?: string | undefined;
}

/** The response handed back to the SDK (smithy's `HttpResponse`, duck-typed): the body read whole. */
export interface SdkHttpResponse {
  statusCode: number;
  reason?: string | undefined;
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * The abort signal the SDK hands its handler: a DOM `AbortSignal` in practice; smithy types it as
 * an older interface with `onabort` only, so both are accepted.
 */
export interface SdkAbortSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener?: ((type: 'abort', listener: () => void, options?: { once?: boolean }) => void) | undefined;
  removeEventListener?: ((type: 'abort', listener: () => void) => void) | undefined;
  /** Set when there is no addEventListener (smithy's older signal type). */
  onabort?: unknown;
}

/** Options of {@link SdkRequestHandler}. */
export interface SdkRequestHandlerOptions {
  /** Whose requests these are (for errors and logs). */
  provider: ProviderId;
  /** Deadline of one attempt in ms: connect + response headers + the whole body (default 30 s). */
  timeoutMs?: number | undefined;
  /** Largest body accepted, in bytes after decompression (default 64 MiB); past it the attempt fails INVALID_RESPONSE. */
  maxResponseBytes?: number | undefined;
  /** Extra CA certificate(s), or `insecure` for local testing. Certificates are verified by default. */
  tls?: TlsOptions | undefined;
  /** Receives one `request` and one `response` debug entry per attempt (URLs redacted). */
  logger?: Logger | undefined;
}

/**
 * Thrown by {@link SdkRequestHandler} for a failure of the exchange itself; `callSdk` and
 * `sdkErrorToStackfeedError` turn it into a StackfeedError with the same code.
 */
export class SdkTransportError extends Error {
  override readonly name = 'SdkTransportError';
  constructor(
    readonly code: ErrorCode,
    readonly retryable: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Node's certificate verification failures (err.code / message). */
const TLS_ERROR = /CERT_|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME_MISMATCH|ALTNAME|self[- ]signed certificate/i;

/** Check a positive finite number option; throws a plain Error that the callers turn into CONFIG. */
export function checkPositive(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new RangeError(`${name} must be a positive number, not ${String(value)}`);
}

/**
 * smithy-compatible request handler: pass it as `requestHandler` to any SDK v3 client (what
 * `sdkClientConfig` does). One keep-alive agent per scheme; `destroy()` closes its sockets.
 */
export class SdkRequestHandler {
  /** Read by the SDK to pick its protocol behaviour. */
  readonly metadata = { handlerProtocol: 'http/1.1' } as const;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  private readonly provider: ProviderId;
  private readonly logger: Logger | undefined;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(options: SdkRequestHandlerOptions) {
    checkPositive('timeoutMs', options.timeoutMs);
    checkPositive('maxResponseBytes', options.maxResponseBytes);
    this.provider = options.provider;
    this.timeoutMs = options.timeoutMs ?? SDK_DEFAULT_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? SDK_DEFAULT_MAX_RESPONSE_BYTES;
    this.logger = options.logger;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 50 });
    const tls = options.tls;
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: 50,
      rejectUnauthorized: tls?.insecure !== true,
      ...(tls?.ca !== undefined ? { ca: tls.ca } : {}),
    });
  }

  /** Called by the SDK when a client extension changes handler settings; none are taken. */
  updateHttpClientConfig(_key: never, _value: never): void {}

  /** Read by the SDK's runtime extensions. */
  httpHandlerConfigs(): Record<string, unknown> {
    return { requestTimeout: this.timeoutMs };
  }

  /** Close the keep-alive sockets. */
  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Send one request and read its whole response (the SDK's handler contract). */
  handle(
    request: SdkHttpRequest,
    options: { abortSignal?: SdkAbortSignal | undefined } = {},
  ): Promise<{ response: SdkHttpResponse }> {
    const signal = options.abortSignal;
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    const started = Date.now();
    // The URL (a parse and a redaction) only for the log entry; the request goes out from its parts.
    if (this.logger)
      this.log({
        level: 'debug',
        event: 'request',
        method: request.method,
        url: redact(requestUrl(request).toString()),
      });
    const target = requestTarget(request);
    return new Promise((resolve, reject) => {
      const isHttps = target.https;
      const req = (isHttps ? https : http).request({
        ...target.options,
        method: request.method,
        headers: withAcceptEncoding(request.headers),
        agent: isHttps ? this.httpsAgent : this.httpAgent,
      });
      let settled = false;
      const finish = (err: Error | undefined, response?: SdkHttpResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener?.('abort', onAbort);
        if (err) {
          req.destroy();
          reject(err);
        } else if (response) {
          this.log({
            level: 'debug',
            event: 'response',
            status: response.statusCode,
            durationMs: Date.now() - started,
          });
          resolve({ response });
        }
      };
      const onAbort = () => finish(abortedError(signal));
      if (signal?.addEventListener) signal.addEventListener('abort', onAbort, { once: true });
      else if (signal) signal.onabort = onAbort;
      // One deadline for the whole exchange: a server that trickles its body cannot reset it.
      const timer = setTimeout(
        () =>
          finish(
            new SdkTransportError('TIMEOUT', true, `no complete response within timeoutMs (${this.timeoutMs} ms)`),
          ),
        this.timeoutMs,
      );
      req.on('error', (err) => finish(exchangeError(err)));
      req.on('response', (res) => {
        readBody(res, this.maxResponseBytes).then(
          (body) =>
            finish(undefined, {
              statusCode: res.statusCode ?? 0,
              reason: res.statusMessage,
              headers: body.headers,
              body: body.bytes,
            }),
          (err: Error) => finish(err),
        );
      });
      writeBody(req, request.body, (err) => finish(exchangeError(err)));
    });
  }

  private log(entry: Omit<Parameters<Logger>[0], 'provider'>): void {
    if (!this.logger) return;
    try {
      this.logger({ ...entry, provider: this.provider });
    } catch {
      // a failing log sink is not the request's problem
    }
  }
}

/** What `readBody` decodes. */
const ACCEPT_ENCODING = 'gzip, deflate, br';

/** The SDK's headers, asking for a compressed body unless the SDK chose an encoding itself. */
function withAcceptEncoding(headers: Record<string, string>): Record<string, string> {
  for (const name in headers) if (name.toLowerCase() === 'accept-encoding') return headers;
  return { ...headers, 'accept-encoding': ACCEPT_ENCODING };
}

function abortedError(signal: SdkAbortSignal | undefined): Error {
  const err = new Error('The request was aborted', { cause: signal?.reason });
  err.name = 'AbortError';
  return err;
}

/** A failure before or during the exchange: NETWORK (retryable, except a TLS verification failure). */
function exchangeError(err: Error & { code?: unknown }): Error {
  if (err instanceof SdkTransportError) return err;
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (TLS_ERROR.test(`${code ?? ''} ${err.message}`))
    return new SdkTransportError(
      'NETWORK',
      false,
      `TLS verification failed (${code ?? err.message}); pass the server's CA with the \`tls.ca\` option`,
      { cause: err },
    );
  // Garbage instead of HTTP (HPE_*), refused or reset connections: the network's fault, as elsewhere.
  return new SdkTransportError('NETWORK', true, `network error (${code ?? err.message})`, { cause: err });
}

function requestUrl(request: SdkHttpRequest): URL {
  const protocol = request.protocol.endsWith(':') ? request.protocol : `${request.protocol}:`;
  const host =
    request.hostname.includes(':') && !request.hostname.startsWith('[') ? `[${request.hostname}]` : request.hostname;
  const url = new URL(`${protocol}//${host}${request.port ? `:${request.port}` : ''}`);
  url.pathname = request.path;
  const query = queryString(request.query);
  if (query) url.search = query;
  return url;
}

/** A path that a WHATWG URL would keep byte for byte: only URL path characters, no dot segments. */
const VERBATIM_PATH = /^\/[A-Za-z0-9\-._~%!$&'()*+,;=:@/]*$/;
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/**
 * Where `http.request` sends the request, as options (host, port, path with the query) rather
 * than a URL: parsing one per request costs more than the rest of this handler's own work. A
 * path that a URL would rewrite (dot segments, characters a URL escapes) goes through the URL as
 * before, so what is sent is the same either way.
 */
function requestTarget(request: SdkHttpRequest): {
  https: boolean;
  options: { hostname: string; port?: number | string; path: string };
} {
  const https = request.protocol === 'https:' || request.protocol === 'https';
  if (!VERBATIM_PATH.test(request.path) || DOT_SEGMENT.test(request.path)) {
    const url = requestUrl(request);
    return {
      https: url.protocol === 'https:',
      options: {
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        ...(url.port ? { port: url.port } : {}),
        path: `${url.pathname}${url.search}`,
      },
    };
  }
  const h = request.hostname;
  const query = queryString(request.query);
  return {
    https,
    options: {
      hostname: h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h,
      ...(request.port ? { port: request.port } : {}),
      path: query ? `${request.path}?${query}` : request.path,
    },
  };
}

/** The query as smithy's own handler writes it: keys sorted, RFC 3986 escaping, repeated keys for arrays. */
function queryString(query: SdkHttpRequest['query']): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    const k = encodeRfc3986(key);
    if (Array.isArray(value)) for (const v of value) parts.push(v === null ? k : `${k}=${encodeRfc3986(v)}`);
    else parts.push(value === null || value === undefined ? k : `${k}=${encodeRfc3986(value)}`);
  }
  return parts.join('&');
}

function writeBody(req: http.ClientRequest, body: unknown, onError: (err: Error) => void): void {
  if (body === undefined || body === null) {
    req.end();
  } else if (typeof body === 'string' || body instanceof Uint8Array) {
    req.end(body);
  } else if (typeof (body as Readable).pipe === 'function') {
    (body as Readable).on('error', onError);
    (body as Readable).pipe(req);
  } else {
    req.end(String(body));
  }
}

const DECODERS: Record<string, () => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/**
 * The whole body, decoded when the server compressed it (the SDK itself would hand gzip bytes to
 * its JSON parser), and counted after decoding so that a small bomb cannot inflate past the cap.
 * A body that ends before its Content-Length, or a connection cut mid-body, is NETWORK (retryable).
 */
function readBody(
  res: IncomingMessage,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; headers: Record<string, string> }> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const encoding = headers['content-encoding']?.trim().toLowerCase();
  const makeDecoder = encoding ? DECODERS[encoding] : undefined;
  const decoder = makeDecoder?.();
  if (decoder) {
    // What the SDK gets is the decoded document; the compressed framing no longer applies.
    delete headers['content-encoding'];
    delete headers['content-length'];
  }
  const declared = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let raw = 0;
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      res.destroy();
      decoder?.destroy();
      reject(err);
    };
    const tooLarge = () =>
      new SdkTransportError(
        'INVALID_RESPONSE',
        false,
        `the response body is larger than maxResponseBytes (${maxBytes} bytes${decoder ? ' after decompression' : ''}); nothing was read from it`,
      );
    const truncated = (cause?: unknown) =>
      new SdkTransportError('NETWORK', true, 'the connection closed before the whole response body arrived', { cause });
    const out: Readable = decoder ?? res;
    out.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return fail(tooLarge());
      chunks.push(chunk);
    });
    if (decoder) {
      res.on('data', (chunk: Buffer) => {
        raw += chunk.length;
        if (raw > maxBytes) fail(tooLarge());
      });
      res.pipe(decoder);
      decoder.on('error', (err) =>
        fail(
          new SdkTransportError('INVALID_RESPONSE', false, `the ${encoding} body could not be decoded`, { cause: err }),
        ),
      );
    }
    res.on('aborted', () => fail(truncated()));
    res.on('error', (err) => fail(truncated(err)));
    res.on('close', () => {
      if (!res.complete) fail(truncated());
    });
    out.on('end', () => {
      if (done) return;
      const received = decoder ? raw : size;
      if (!res.complete || (declared !== undefined && Number.isFinite(declared) && received < declared))
        return fail(truncated());
      done = true;
      resolve({ bytes: Buffer.concat(chunks, size), headers });
    });
  });
}
