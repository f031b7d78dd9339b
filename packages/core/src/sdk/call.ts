/**
 * One AWS SDK v3 call with core's retry policy: full-jitter exponential back-off, Retry-After
 * honoured for THROTTLED (up to `maxRetryAfterMs`), a total deadline across attempts, and timers
 * that never outlive an abort (the SDK's own retry delay is not cancellable: it keeps a process
 * alive for seconds after abort(), so stackfeed turns SDK retries off and retries here).
 */
import { abortError, type ErrorCode, StackfeedError, throwIfAborted } from '../errors/stackfeed-error.js';
import { redact } from '../errors/redact.js';
import type { ProviderId } from '../models/enums.js';
import { DEFAULT_TOTAL_TIMEOUT_MS, MAX_TIMER_MS } from '../transport/limits.js';
import type { Logger, RetryOptions } from '../transport/types.js';
import { fullJitterDelay, sleep } from '../util/sleep.js';
import { sdkErrorToStackfeedError } from './errors.js';

/** Default deadline of one call across all its attempts and back-offs: core's `DEFAULT_TOTAL_TIMEOUT_MS` (120 s). */
export const SDK_DEFAULT_TOTAL_TIMEOUT_MS = DEFAULT_TOTAL_TIMEOUT_MS;

/** The part of an SDK v3 client `callSdk` uses. */
export interface SdkSender {
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's overloaded, generic `send`; core imports no SDK type.
  send(command: any, options?: { abortSignal?: AbortSignal }): Promise<any>;
}

/** The output type of an SDK v3 command (read from its `resolveMiddleware` handler type). */
export type SdkCommandOutput<C> = C extends {
  resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: infer O }>;
}
  ? O
  : unknown;

/** Options of {@link callSdk}. */
export interface CallSdkOptions {
  provider: ProviderId;
  /** The stackfeed method name, for errors and logs. */
  operation: string;
  signal?: AbortSignal | undefined;
  /** Attempts and back-off (defaults: 4 attempts, 250 ms base, 20 s cap, Retry-After up to 60 s). */
  retry?: RetryOptions | undefined;
  /** Deadline of the whole call, all attempts and back-offs included (default 120 s): TIMEOUT. */
  totalTimeoutMs?: number | undefined;
  /** The service's name in messages (default: the provider id). */
  service?: string | undefined;
  /** The service's own error shapes by name (see `sdkErrorToStackfeedError`). */
  errorCodes?: Readonly<Record<string, ErrorCode>> | undefined;
  /** Receives one `retry` warning per back-off. */
  logger?: Logger | undefined;
  /** Random source of the jitter (tests). */
  random?: (() => number) | undefined;
}

/**
 * `client.send(command)` under core's policies; every failure is a StackfeedError. Retried: what
 * the classification marks retryable (THROTTLED, 5xx, NETWORK, TIMEOUT). After `signal` fires,
 * the call rejects ABORTED at once and leaves no timer behind.
 */
export async function callSdk<C>(client: SdkSender, command: C, options: CallSdkOptions): Promise<SdkCommandOutput<C>> {
  const { provider, operation, signal } = options;
  throwIfAborted(signal, provider);
  const retry = options.retry ?? {};
  const maxAttempts = Math.max(1, Math.floor(retry.maxAttempts ?? 4));
  const baseDelayMs = retry.baseDelayMs ?? 250;
  const maxDelayMs = retry.maxDelayMs ?? 20_000;
  const maxRetryAfterMs = retry.maxRetryAfterMs ?? 60_000;
  const totalTimeoutMs = options.totalTimeoutMs ?? SDK_DEFAULT_TOTAL_TIMEOUT_MS;
  const deadline = Date.now() + totalTimeoutMs;

  // One signal for the attempts and the back-off: the caller's abort or the total deadline.
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () => {
      timedOut = true;
      controller.abort();
    },
    Math.min(totalTimeoutMs, 2 ** 31 - 1),
  );
  const ctx = { provider, operation, service: options.service, errorCodes: options.errorCodes };
  const overall = () =>
    new StackfeedError({
      code: 'TIMEOUT',
      provider,
      operation,
      message: `${operation}: no answer within totalTimeoutMs (${totalTimeoutMs} ms) across attempts`,
    });
  let skewRetried = false;
  try {
    for (let attempt = 1; ; attempt++) {
      let error: StackfeedError;
      try {
        return (await client.send(command, { abortSignal: controller.signal })) as SdkCommandOutput<C>;
      } catch (err) {
        if (signal?.aborted) throw abortError(signal, provider);
        if (timedOut) throw overall();
        // The SDK's signer has just corrected its clock from the server's Date (a clock-skew
        // refusal); as the SDK's own retry would, sign again with the corrected time: once, at
        // once, as one of the attempts (with maxAttempts 1 the refusal is the answer).
        if (!skewRetried && attempt < maxAttempts && clockSkewCorrected(err)) {
          skewRetried = true;
          continue;
        }
        error = sdkErrorToStackfeedError(err, ctx);
      }
      if (!error.retryable || attempt >= maxAttempts) throw error;
      let delay = Math.max(1, fullJitterDelay(attempt - 1, baseDelayMs, maxDelayMs, options.random));
      if (error.code === 'THROTTLED' && error.retryAfterSeconds !== undefined) {
        const asked = error.retryAfterSeconds * 1000;
        if (asked > maxRetryAfterMs) throw error;
        // A Node timer cannot hold more than 2^31-1 ms (longer fires at once).
        delay = Math.min(MAX_TIMER_MS, Math.max(1, asked));
      }
      if (Date.now() + delay >= deadline) throw overall();
      log(options.logger, { provider, operation, attempt, delayMs: delay, message: error.code });
      try {
        await sleep(delay, controller.signal);
      } catch {
        if (signal?.aborted) throw abortError(signal, provider);
        throw overall();
      }
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function clockSkewCorrected(err: unknown): boolean {
  try {
    return (err as { $metadata?: { clockSkewCorrected?: unknown } } | null)?.$metadata?.clockSkewCorrected === true;
  } catch {
    return false;
  }
}

function log(
  logger: Logger | undefined,
  e: { provider: ProviderId; operation: string; attempt: number; delayMs: number; message: string },
): void {
  if (!logger) return;
  try {
    logger({ level: 'warn', event: 'retry', ...e, message: redact(e.message) });
  } catch {
    // a failing log sink is not the call's problem
  }
}
