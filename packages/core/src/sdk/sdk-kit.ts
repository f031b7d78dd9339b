/**
 * Everything an adapter built on AWS SDK v3 clients does with them, once: the config of the
 * clients it creates (from core's `ClientOptions`), the finishing of every client (its own or the
 * caller's), and the one way to call them. Structurally typed: core loads no SDK.
 */
import { type ErrorCode, StackfeedError } from '../errors/stackfeed-error.js';
import type { ClientOptions } from '../models/client-options.js';
import type { ProviderId } from '../models/enums.js';
import { assertHeaderSafe } from '../transport/limits.js';
import { type RateLimiter, toRateLimiter } from '../transport/rate-limiter.js';
import type { RetryOptions } from '../transport/types.js';
import { callSdk, SDK_DEFAULT_TOTAL_TIMEOUT_MS, type SdkCommandOutput, type SdkSender } from './call.js';
import {
  type PreparableSdkClient,
  prepareSdkClient,
  type SdkClientConfig,
  sdkClientConfig,
  type SdkCredentialProvider,
  type SdkCredentials,
} from './client-config.js';
import { SDK_DEFAULT_TIMEOUT_MS } from './request-handler.js';

/** The names of core's `ClientOptions` an adapter built on SDK clients hands to {@link createSdkKit}. */
export const SDK_ADAPTER_OPTION_NAMES = [
  'region',
  'endpoint',
  'retry',
  'logger',
  'timeoutMs',
  'totalTimeoutMs',
  'maxResponseBytes',
  'rateLimit',
  'tls',
  'userAgent',
] as const;

/** Core's `ClientOptions` as an adapter built on SDK clients takes them (each documented there). */
export type SdkAdapterOptions = Pick<ClientOptions, (typeof SDK_ADAPTER_OPTION_NAMES)[number]>;

/** The options {@link createSdkKit} reads from an adapter's own: {@link SdkAdapterOptions} and the deprecated `maxAttempts`. */
export type PickedSdkOptions = SdkAdapterOptions & { maxAttempts?: number | undefined };

/** Of an adapter's options, those {@link createSdkKit} reads (the ones given; the adapter's own stay behind). */
export function pickSdkAdapterOptions(options: PickedSdkOptions): PickedSdkOptions {
  const picked: Record<string, unknown> = {};
  for (const name of [...SDK_ADAPTER_OPTION_NAMES, 'maxAttempts'] as const)
    if (options[name] !== undefined) picked[name] = options[name];
  return picked as PickedSdkOptions;
}

/** Options of {@link createSdkKit}: core's `ClientOptions` as an SDK-based adapter takes them. */
export interface SdkKitOptions extends SdkAdapterOptions {
  provider: ProviderId;
  /** The service's name in messages (default: the provider id). */
  service?: string | undefined;
  /** The service's own error shapes by name (they win over the shared AWS ones). */
  errorCodes?: Readonly<Record<string, ErrorCode>> | undefined;
  /** Static credentials or a provider (default: the SDK's chain); every identity is registered for redaction. */
  credentials?: SdkCredentials | SdkCredentialProvider | undefined;
  /** A deprecated `maxAttempts` option of the adapter: used when `retry.maxAttempts` is not given. */
  maxAttempts?: number | undefined;
  /** The adapter's last word on a failure core already classified (a provider-specific message or code). */
  refineError?: ((error: StackfeedError, operation: string) => StackfeedError) | undefined;
}

/** What {@link createSdkKit} returns. */
export interface SdkKit {
  /** For `new XClient(config)`: bounded request handler, SDK retries off, region, endpoint, credentials, user agent. */
  readonly config: SdkClientConfig;
  /** The deadlines of the clients the kit configures: one attempt (`timeoutMs`) and one call (`totalTimeoutMs`). */
  readonly limits: { readonly timeoutMs: number; readonly totalTimeoutMs: number };
  /** The same config with another endpoint (one service of several); CONFIG when it is not a URL. */
  configFor(endpoint: string | undefined): SdkClientConfig;
  /**
   * Finish a client (one made from `config`, or the caller's own): its credentials registered for
   * redaction, the empty-body check, and the kit's one request budget (shared by every client).
   */
  prepare<C extends PreparableSdkClient>(client: C): C;
  /** `client.send(command)` through core's `callSdk` with the kit's retry, deadline and error shapes. */
  call<C>(
    client: SdkSender,
    command: C,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<SdkCommandOutput<C>>;
}

/** Config with the user agent the SDK appends (`customUserAgent`). */
type UserAgentConfig = SdkClientConfig & { customUserAgent?: string };

/**
 * The SDK setup of one adapter client from its options; every invalid option is CONFIG here,
 * before a request is made.
 */
export function createSdkKit(options: SdkKitOptions): SdkKit {
  const { provider } = options;
  checkPositive(options);
  if (options.userAgent !== undefined)
    assertHeaderSafe('user-agent', options.userAgent, { provider, option: 'userAgent' });
  const config: UserAgentConfig = sdkClientConfig({
    provider,
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    timeoutMs: options.timeoutMs,
    maxResponseBytes: options.maxResponseBytes,
    tls: options.tls,
    logger: options.logger,
  });
  if (options.userAgent !== undefined) config.customUserAgent = options.userAgent;
  const rateLimit: RateLimiter | undefined = toRateLimiter(options.rateLimit);
  const totalTimeoutMs = options.totalTimeoutMs ?? SDK_DEFAULT_TOTAL_TIMEOUT_MS;
  const retry: RetryOptions | undefined =
    options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts, ...options.retry } : options.retry;
  return {
    config,
    limits: { timeoutMs: options.timeoutMs ?? SDK_DEFAULT_TIMEOUT_MS, totalTimeoutMs },
    configFor: (endpoint) => {
      if (endpoint === undefined) return config;
      // Validated like the kit's own endpoint; the handler (and its sockets) stays shared.
      sdkClientConfig({ provider, endpoint, requestHandler: config.requestHandler });
      return { ...config, endpoint };
    },
    prepare: (client) => {
      prepareSdkClient(client, { provider, rateLimit });
      return client;
    },
    call: async (client, command, operation, signal) => {
      try {
        return await callSdk(client, command, {
          provider,
          operation,
          signal,
          retry,
          totalTimeoutMs,
          service: options.service,
          errorCodes: options.errorCodes,
          logger: options.logger,
        });
      } catch (err) {
        // callSdk throws StackfeedError only.
        const error = err as StackfeedError;
        throw options.refineError ? options.refineError(error, operation) : error;
      }
    },
  };
}

function checkPositive(options: SdkKitOptions): void {
  for (const name of ['timeoutMs', 'totalTimeoutMs', 'maxResponseBytes'] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0))
      throw new StackfeedError({
        code: 'CONFIG',
        provider: options.provider,
        retryable: false,
        message: `${name} must be a positive number, not ${String(value)}`,
      });
  }
}
