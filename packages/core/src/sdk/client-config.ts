/**
 * Configuration of AWS SDK v3 clients that stackfeed creates: its bounded request handler, SDK
 * retries off (callSdk retries with core's policy), and every credential registered for redaction.
 * Structurally typed: core imports no SDK.
 */
import { StackfeedError } from '../errors/stackfeed-error.js';
import { registerSecret } from '../errors/redact.js';
import type { ProviderId } from '../models/enums.js';
import { addSdkEmptyBodyCheck, type SdkClientLike } from '../transport/aws-sdk.js';
import { addSdkRateLimit, type RateLimiter, type RateLimitOptions, toRateLimiter } from '../transport/rate-limiter.js';
import type { Logger, TlsOptions } from '../transport/types.js';
import { SdkRequestHandler } from './request-handler.js';

/** An AWS identity, as the SDK's credential providers return it. */
export interface SdkCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  expiration?: Date | undefined;
}

/** A credential provider (the SDK's `AwsCredentialIdentityProvider`). */
export type SdkCredentialProvider = (options?: Record<string, unknown>) => Promise<SdkCredentials>;

/** Options of {@link sdkClientConfig}. */
export interface SdkClientOptions {
  provider: ProviderId;
  /** AWS region (default: the SDK's chain: `AWS_REGION`, profile, …). */
  region?: string | undefined;
  /** Endpoint override (a VPC endpoint, an emulator). */
  endpoint?: string | undefined;
  /** Static credentials or a provider (default: the SDK's default chain; see {@link prepareSdkClient}). */
  credentials?: SdkCredentials | SdkCredentialProvider | undefined;
  /** Deadline of one attempt: connect + headers + whole body (default 30 s). */
  timeoutMs?: number | undefined;
  /** Largest response body, after decompression (default 64 MiB); past it INVALID_RESPONSE. */
  maxResponseBytes?: number | undefined;
  /** Extra CA certificate(s), or `insecure` (local testing only). Verification is on by default. */
  tls?: TlsOptions | undefined;
  /** Receives request/response debug entries (redacted). */
  logger?: Logger | undefined;
  /** Share one handler (and its sockets) between several clients; the options above are then not used for it. */
  requestHandler?: SdkRequestHandler | undefined;
}

/**
 * The SDK's own logger (its `logger` option), for the warnings and debug lines the SDK writes
 * itself. It has no `info` method on purpose: the SDK's logger middleware copies every command's
 * input and output through the schema's sensitive-data filter (`schemaLogFilter`, a walk of the
 * whole output: tens of µs per page) only to hand the copies to `logger.info`, and skips that
 * work when the logger has no `info`. The SDK's default logger is a no-op that has one, so every
 * call would pay for copies nobody reads; stackfeed's own log entries come from its request
 * handler and `callSdk`. The SDK calls `debug` and `warn` without checking that they exist.
 */
export interface SdkSilentLogger {
  debug(...content: unknown[]): void;
  warn(...content: unknown[]): void;
}

/** The {@link SdkSilentLogger} of every client config stackfeed builds. */
export const SDK_SILENT_LOGGER: SdkSilentLogger = Object.freeze({
  debug: () => {},
  warn: () => {},
});

/** What {@link sdkClientConfig} returns: spread it into `new XClient(...)`. */
export interface SdkClientConfig {
  region?: string;
  endpoint?: string;
  credentials?: SdkCredentials | SdkCredentialProvider;
  /** 1: the SDK does not retry; `callSdk` does, with core's policy and abort-safe timers. */
  maxAttempts: 1;
  requestHandler: SdkRequestHandler;
  /**
   * {@link SDK_SILENT_LOGGER}: the SDK's no-op logger without the per-call copies of input and
   * output. Typed loosely because the SDK's `Logger` type lists `info` and `error`, whose absence is the point.
   */
  // biome-ignore lint/suspicious/noExplicitAny: an SDK Logger without info/error, which the SDK's type does not describe.
  logger: any;
}

function configError(provider: ProviderId, message: string, cause?: unknown): StackfeedError {
  return new StackfeedError({ code: 'CONFIG', provider, retryable: false, message, cause });
}

/**
 * Config for `new XClient(config)` of any AWS SDK v3 client: stackfeed's bounded request handler
 * (response cap, whole-response deadline, keep-alive, TLS verification on), SDK retries off, and
 * given credentials registered for redaction (a provider is wrapped so every identity it returns
 * is). Invalid options are CONFIG. Pair it with {@link prepareSdkClient} once the client exists.
 */
export function sdkClientConfig(options: SdkClientOptions): SdkClientConfig {
  const { provider } = options;
  let handler = options.requestHandler;
  if (!handler) {
    try {
      handler = new SdkRequestHandler({
        provider,
        timeoutMs: options.timeoutMs,
        maxResponseBytes: options.maxResponseBytes,
        tls: options.tls,
        logger: options.logger,
      });
    } catch (err) {
      throw configError(provider, `${provider}: ${(err as Error).message}`, err);
    }
  }
  if (options.region !== undefined && !/^[a-z0-9-]{1,64}$/i.test(options.region))
    throw configError(
      provider,
      `${provider}: region must look like an AWS region (letters, digits, '-'), not ${JSON.stringify(options.region).slice(0, 80)}`,
    );
  if (options.endpoint !== undefined) {
    try {
      new URL(options.endpoint);
    } catch (err) {
      throw configError(provider, `${provider}: endpoint is not a URL`, err);
    }
  }
  const config: SdkClientConfig = { maxAttempts: 1, requestHandler: handler, logger: SDK_SILENT_LOGGER };
  if (options.region !== undefined) config.region = options.region;
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  const creds = options.credentials;
  if (typeof creds === 'function') config.credentials = registeringProvider(creds);
  else if (creds) {
    registerCredentials(creds);
    config.credentials = creds;
  }
  return config;
}

/** Register every secret part of an identity for redaction. */
export function registerCredentials(identity: Partial<SdkCredentials> | null | undefined): void {
  if (!identity || typeof identity !== 'object') return;
  registerSecret(typeof identity.accessKeyId === 'string' ? identity.accessKeyId : undefined);
  registerSecret(typeof identity.secretAccessKey === 'string' ? identity.secretAccessKey : undefined);
  registerSecret(typeof identity.sessionToken === 'string' ? identity.sessionToken : undefined);
}

const WRAPPED = Symbol.for('stackfeed.registeringProvider');

/** A provider that registers every identity it returns (once wrapped, never wrapped again). */
export function registeringProvider<P extends (...args: never[]) => Promise<unknown>>(provider: P): P {
  if ((provider as unknown as Record<symbol, unknown>)[WRAPPED]) return provider;
  const wrapped = (async (...args: Parameters<P>) => {
    const identity = await provider(...args);
    registerCredentials(identity as Partial<SdkCredentials>);
    return identity;
  }) as unknown as P;
  Object.defineProperty(wrapped, WRAPPED, { value: true });
  return wrapped;
}

/** The part of an SDK client {@link prepareSdkClient} touches. */
export interface PreparableSdkClient extends SdkClientLike {
  config: { credentials?: unknown };
}

/**
 * Finish an SDK client (one stackfeed made, or the caller's own): wrap its resolved credential
 * provider (the default chain included) so every identity is registered for redaction, add the
 * empty/non-document 2xx body check, and the client-side request budget when given.
 */
export function prepareSdkClient(
  client: PreparableSdkClient,
  options: { provider: ProviderId; rateLimit?: RateLimiter | RateLimitOptions | undefined },
): void {
  const current = client.config.credentials;
  // The SDK's config setter re-memoizes what is assigned; the wrapped provider keeps its own memo.
  if (typeof current === 'function')
    client.config.credentials = registeringProvider(current as (...args: never[]) => Promise<unknown>);
  addSdkEmptyBodyCheck(client);
  const limiter = toRateLimiter(options.rateLimit);
  if (limiter) addSdkRateLimit(client as Parameters<typeof addSdkRateLimit>[0], limiter, options.provider);
}
