import { inspect } from 'node:util';
import type { ProviderId } from '../models/enums.js';
import { redact, redactValue } from './redact.js';

/** Every failure stackfeed reports carries one of these codes. */
export const ERROR_CODES = [
  'NOT_FOUND',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'THROTTLED',
  'BAD_REQUEST',
  'CONFLICT',
  'SERVER',
  'NETWORK',
  'TIMEOUT',
  'ABORTED',
  'INVALID_RESPONSE',
  'CONFIG',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes that are worth trying again on their own (the transport and watch engine do). */
const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set(['THROTTLED', 'SERVER', 'NETWORK', 'TIMEOUT']);

export interface StackfeedErrorOptions {
  code: ErrorCode;
  message: string;
  /** Which provider the call was for; `core` for failures before any provider is involved. */
  provider?: ProviderId | 'core';
  httpStatus?: number;
  /** The provider's own error code or type (e.g. `EntityNotFound`, `APIGW.0301`, `ValidationError`). */
  providerCode?: string;
  requestId?: string;
  /** Overrides the default for the code. */
  retryable?: boolean;
  /** Seconds the server asked us to wait (Retry-After), when it said. */
  retryAfterSeconds?: number;
  /** For INVALID_RESPONSE: the path of the offending field, e.g. `events[3].event_time`. */
  fieldPath?: string;
  /** The operation that failed, e.g. `listStackEvents`. */
  operation?: string;
  cause?: unknown;
}

/**
 * The one error class stackfeed throws. `code` is stable and meant for `switch`; `message` is for
 * humans. No credential, token or signature ever appears in `message`, `toJSON()` or `inspect` output.
 */
export class StackfeedError extends Error {
  override readonly name = 'StackfeedError';
  readonly code: ErrorCode;
  readonly provider: ProviderId | 'core';
  readonly httpStatus: number | undefined;
  readonly providerCode: string | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly fieldPath: string | undefined;
  readonly operation: string | undefined;

  constructor(opts: StackfeedErrorOptions) {
    super(text(opts.message), opts.cause === undefined ? undefined : { cause: sanitizeCause(opts.cause) });
    this.code = opts.code;
    this.provider = opts.provider ?? 'core';
    this.httpStatus = opts.httpStatus;
    // Both come from the server's answer: a reflected credential must not survive in them either.
    this.providerCode = opts.providerCode === undefined ? undefined : text(opts.providerCode);
    this.requestId = opts.requestId === undefined ? undefined : text(opts.requestId);
    this.retryable = opts.retryable ?? RETRYABLE_BY_DEFAULT.has(opts.code);
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.fieldPath = opts.fieldPath;
    this.operation = opts.operation;
    if (this.stack) this.stack = redact(this.stack);
  }

  /** A plain, credential-free object: safe to log as JSON or send to a browser. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      name: this.name,
      code: this.code,
      provider: this.provider,
      message: this.message,
      retryable: this.retryable,
    };
    if (this.httpStatus !== undefined) out.httpStatus = this.httpStatus;
    if (this.providerCode !== undefined) out.providerCode = this.providerCode;
    if (this.requestId !== undefined) out.requestId = this.requestId;
    if (this.retryAfterSeconds !== undefined) out.retryAfterSeconds = this.retryAfterSeconds;
    if (this.fieldPath !== undefined) out.fieldPath = this.fieldPath;
    if (this.operation !== undefined) out.operation = this.operation;
    if (this.cause !== undefined) out.cause = describeCause(this.cause);
    return out;
  }

  [inspect.custom](): string {
    const head = `StackfeedError [${this.code}] ${this.message}`;
    const meta = { ...this.toJSON() };
    delete meta.name;
    delete meta.message;
    delete meta.code;
    return `${head} ${inspect(meta, { depth: 3 })}`;
  }

  /** True when `err` is a StackfeedError (also across duplicated copies of the package). */
  static is(err: unknown, code?: ErrorCode): err is StackfeedError {
    const ok =
      err instanceof StackfeedError ||
      (typeof err === 'object' &&
        err !== null &&
        (err as { name?: unknown }).name === 'StackfeedError' &&
        'code' in err);
    return ok && (code === undefined || (err as StackfeedError).code === code);
  }
}

/** A redacted string from any value a caller or a library put where a string belongs. */
function text(v: unknown): string {
  if (typeof v === 'string') return redact(v);
  if (v === undefined || v === null) return '';
  try {
    return redact(String(v));
  } catch {
    return '';
  }
}

/** Read a property of a foreign error; a throwing getter reads as undefined. */
function read(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function describeCause(cause: unknown): unknown {
  if (cause instanceof StackfeedError) return cause.toJSON();
  if (cause instanceof Error) {
    const code = read(cause, 'code');
    return {
      name: text(read(cause, 'name')),
      message: text(read(cause, 'message')),
      ...(typeof code === 'string' ? { code: redact(code) } : {}),
    };
  }
  // Not JSON-representable: described as text so that toJSON() always serializes.
  if (typeof cause === 'symbol' || typeof cause === 'function') return text(cause.toString());
  return redactValue(cause);
}

/**
 * Library errors (got's HTTPError, the AWS SDK's ServiceException) hold the request options,
 * headers and sometimes bodies, i.e. credentials. The cause we keep is a reduced copy.
 */
function sanitizeCause(cause: unknown): unknown {
  if (cause instanceof StackfeedError) return cause;
  if (cause instanceof Error) {
    const copy = new Error(text(read(cause, 'message')));
    copy.name = text(read(cause, 'name')) || 'Error';
    const code = read(cause, 'code');
    if (typeof code === 'string') (copy as Error & { code?: string }).code = redact(code);
    const stack = read(cause, 'stack');
    copy.stack = typeof stack === 'string' ? redact(stack) : `${copy.name}: ${copy.message}`;
    return copy;
  }
  return redactValue(cause);
}

/** Map an HTTP status to the code that fits it when the provider's body says nothing better. */
export function codeForHttpStatus(status: number): ErrorCode {
  if (status === 400 || status === 422) return 'BAD_REQUEST';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404 || status === 410) return 'NOT_FOUND';
  if (status === 408) return 'TIMEOUT';
  if (status === 409 || status === 412) return 'CONFLICT';
  if (status === 429) return 'THROTTLED';
  if (status === 504) return 'TIMEOUT';
  if (status >= 500) return 'SERVER';
  if (status >= 300 && status < 400) return 'INVALID_RESPONSE';
  return 'BAD_REQUEST';
}

/** An ABORTED error for a signal, carrying the signal's reason as cause. */
export function abortError(signal: AbortSignal | undefined, provider: ProviderId | 'core' = 'core'): StackfeedError {
  const reason = signal?.reason;
  if (StackfeedError.is(reason)) return reason;
  return new StackfeedError({ code: 'ABORTED', provider, message: 'The operation was aborted', cause: reason });
}

/** Throw ABORTED if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, provider: ProviderId | 'core' = 'core'): void {
  if (signal?.aborted) throw abortError(signal, provider);
}

/** Node error codes that mean the connection failed: retryable NETWORK errors. */
const NETWORK_CODES =
  /^(ECONNRESET|ECONNREFUSED|ECONNABORTED|EPIPE|ETIMEDOUT|ENOTFOUND|ENETUNREACH|EHOSTUNREACH|EAI_AGAIN|ERR_STREAM_PREMATURE_CLOSE|UND_ERR_SOCKET)$/;

/**
 * Turn anything thrown into a StackfeedError, so that nothing else ever reaches a user.
 * A StackfeedError is returned as is; an `AbortError` is ABORTED, a `TimeoutError` TIMEOUT, a Node
 * connection error (`ECONNRESET`, …) a retryable NETWORK error; anything else (a parser or adapter
 * failure on an unexpected answer) is INVALID_RESPONSE, not retryable, with the original as `cause`.
 */
export function toStackfeedError(
  err: unknown,
  ctx: { provider?: ProviderId | 'core' | undefined; operation?: string | undefined } = {},
): StackfeedError {
  if (StackfeedError.is(err)) return err;
  const provider = ctx.provider ?? 'core';
  const operation = ctx.operation;
  const prefix = operation ? `${operation}: ` : '';
  const name = err instanceof Error ? read(err, 'name') : undefined;
  const code = err instanceof Error ? read(err, 'code') : undefined;
  const detail = err instanceof Error ? text(read(err, 'message')) : text(err);
  const base = { provider, ...(operation !== undefined ? { operation } : {}), cause: err };
  if (name === 'AbortError') return new StackfeedError({ ...base, code: 'ABORTED', message: `${prefix}aborted` });
  if (name === 'TimeoutError') return new StackfeedError({ ...base, code: 'TIMEOUT', message: `${prefix}timed out` });
  if (typeof code === 'string' && NETWORK_CODES.test(code)) {
    return new StackfeedError({ ...base, code: 'NETWORK', message: `${prefix}${code} ${detail}` });
  }
  return new StackfeedError({
    ...base,
    code: 'INVALID_RESPONSE',
    message: `${prefix}unexpected failure${typeof name === 'string' && name ? ` (${name})` : ''}: ${detail}`,
  });
}
