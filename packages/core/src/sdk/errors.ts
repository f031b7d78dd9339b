/**
 * Whatever an AWS SDK v3 call threw → StackfeedError. Direct SDK calls do not go through core's
 * HttpTransport, so this is the one place that reads the SDK's error fields (`name`,
 * `$metadata.httpStatusCode`, `$metadata.requestId`, `$fault`, `$retryable`, `$response`).
 */
import { abortError, codeForHttpStatus, type ErrorCode, StackfeedError } from '../errors/stackfeed-error.js';
import { redact } from '../errors/redact.js';
import type { ProviderId } from '../models/enums.js';
import {
  classifyAwsAuthFailure,
  describeClockOffset,
  EmptyBodyError,
  safeString,
  sdkErrorServerDate,
} from '../transport/aws-sdk.js';
import { parseRetryAfterSeconds } from '../transport/http-transport.js';
import { SdkTransportError } from './request-handler.js';

/** AWS error shapes shared by most services (and the AWS front door), by name. */
const AWS_ERROR_CODES: Readonly<Record<string, ErrorCode>> = Object.freeze({
  ValidationException: 'BAD_REQUEST',
  ValidationError: 'BAD_REQUEST',
  InvalidParameterException: 'BAD_REQUEST',
  InvalidParameterValueException: 'BAD_REQUEST',
  InvalidParameterCombinationException: 'BAD_REQUEST',
  AccessDeniedException: 'FORBIDDEN',
  AccessDenied: 'FORBIDDEN',
  ResourceNotFoundException: 'NOT_FOUND',
  ThrottlingException: 'THROTTLED',
  Throttling: 'THROTTLED',
  TooManyRequestsException: 'THROTTLED',
  RequestLimitExceeded: 'THROTTLED',
  ServiceUnavailableException: 'SERVER',
  ServiceUnavailable: 'SERVER',
  InternalFailure: 'SERVER',
  InternalServerError: 'SERVER',
  MissingAuthenticationTokenException: 'UNAUTHORIZED',
  UnrecognizedClientException: 'UNAUTHORIZED',
  InvalidSignatureException: 'UNAUTHORIZED',
  IncompleteSignatureException: 'UNAUTHORIZED',
  SignatureDoesNotMatch: 'UNAUTHORIZED',
  ExpiredTokenException: 'UNAUTHORIZED',
  ExpiredToken: 'UNAUTHORIZED',
  RequestExpired: 'UNAUTHORIZED',
  RequestTimeTooSkewed: 'UNAUTHORIZED',
  RequestInTheFuture: 'UNAUTHORIZED',
  InvalidClientTokenId: 'UNAUTHORIZED',
  AuthFailure: 'UNAUTHORIZED',
  CredentialsProviderError: 'CONFIG',
  TimeoutError: 'TIMEOUT',
  RequestTimeout: 'TIMEOUT',
  RequestTimeoutException: 'TIMEOUT',
});

/** Options of {@link sdkErrorToStackfeedError}. */
export interface SdkErrorContext {
  provider: ProviderId;
  /** The stackfeed method name, for the message and `operation`. */
  operation: string;
  /** The call's signal: once it fired, any failure is ABORTED with its reason. */
  signal?: AbortSignal | undefined;
  /** The service's name in messages (default: the provider id). */
  service?: string | undefined;
  /** The service's own error shapes by name; they win over the shared AWS ones. */
  errorCodes?: Readonly<Record<string, ErrorCode>> | undefined;
}

interface SdkErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $retryable?: { throttling?: boolean } | undefined;
  $metadata?: { httpStatusCode?: number; requestId?: string } | undefined;
  $response?: { headers?: Record<string, unknown> } | undefined;
  Code?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

/** The fields every error of one call shares. */
function common(err: unknown, ctx: SdkErrorContext) {
  const e = (err ?? {}) as SdkErrorLike;
  const meta = e.$metadata !== null && typeof e.$metadata === 'object' ? e.$metadata : undefined;
  const status =
    typeof meta?.httpStatusCode === 'number' && Number.isInteger(meta.httpStatusCode) ? meta.httpStatusCode : undefined;
  const requestId = typeof meta?.requestId === 'string' ? redact(meta.requestId) : undefined;
  return {
    base: { provider: ctx.provider, operation: ctx.operation, cause: err } as const,
    extra: { ...(status !== undefined ? { httpStatus: status } : {}), ...(requestId ? { requestId } : {}) },
    status,
  };
}

/** Failures that never reached the service's error shapes: transport, abort, empty body, parse. */
function transportFailure(
  err: unknown,
  ctx: SdkErrorContext,
  name: string,
  message: string,
): StackfeedError | undefined {
  const { operation } = ctx;
  const service = ctx.service ?? ctx.provider;
  const { base, extra, status } = common(err, ctx);
  if (err instanceof SdkTransportError)
    return new StackfeedError({
      ...base,
      code: err.code,
      retryable: err.retryable,
      message: `${operation}: ${err.message}`,
    });
  if (name === 'AbortError')
    return new StackfeedError({ ...base, code: 'ABORTED', message: `${operation}: the request was aborted` });
  if (err instanceof EmptyBodyError)
    return new StackfeedError({
      ...base,
      httpStatus: err.httpStatus,
      ...(err.requestId ? { requestId: err.requestId } : {}),
      code: 'INVALID_RESPONSE',
      retryable: false,
      message: `${operation}: ${service} answered ${err.message}; nothing was read from it`,
    });
  const netCode =
    typeof (err as SdkErrorLike | null)?.code === 'string' ? ((err as SdkErrorLike).code as string) : undefined;
  if (netCode && NETWORK_CODES.has(netCode) && status === undefined)
    return new StackfeedError({
      ...base,
      code: netCode === 'ETIMEDOUT' ? 'TIMEOUT' : 'NETWORK',
      providerCode: netCode,
      message: `${operation}: network error talking to ${service} (${netCode}): ${message}`,
    });
  // The SDK could not parse a 2xx body: HTML, not JSON (the handler already read it whole).
  if (
    (err as SdkErrorLike | null)?.$response !== undefined &&
    (name === 'SyntaxError' || /Deserialization error|Unexpected token|JSON|XML/i.test(message)) &&
    (status === undefined || status < 300)
  )
    return new StackfeedError({
      ...base,
      ...extra,
      code: 'INVALID_RESPONSE',
      retryable: false,
      message: `${operation}: ${service} sent a response that could not be parsed`,
    });
  if (name === 'Error' && /Region is missing/i.test(message))
    return new StackfeedError({
      ...base,
      code: 'CONFIG',
      message: `${operation}: no AWS region configured (pass { region } or set AWS_REGION)`,
    });
  return undefined;
}

/**
 * Translate whatever `client.send` threw into a StackfeedError: an abort (signal fired) is ABORTED,
 * the handler's own failures keep their code, the service's error shapes map by name
 * (`errorCodes` first, then the shared AWS ones), then by HTTP status, then by `$fault`.
 */
export function sdkErrorToStackfeedError(err: unknown, ctx: SdkErrorContext): StackfeedError {
  if (StackfeedError.is(err)) return err;
  if (ctx.signal?.aborted) return abortError(ctx.signal, ctx.provider);
  const e = (err ?? {}) as SdkErrorLike;
  // Every field is read defensively: a thrown value may be anything (a string, a null-prototype
  // object, a record with fields of the wrong type), and the mapping must never throw itself.
  const name = redact(typeof e.name === 'string' ? e.name : typeof e.Code === 'string' ? e.Code : 'Error');
  const message = typeof e.message === 'string' && e.message ? e.message : safeString(err);
  const early = transportFailure(err, ctx, name, message);
  if (early) return early;
  const { base, extra, status } = common(err, ctx);
  const own = ctx.errorCodes && Object.hasOwn(ctx.errorCodes, name) ? ctx.errorCodes[name] : undefined;
  let code: ErrorCode | undefined = own ?? (Object.hasOwn(AWS_ERROR_CODES, name) ? AWS_ERROR_CODES[name] : undefined);
  if (code === undefined && typeof e.$retryable === 'object' && e.$retryable?.throttling === true) code = 'THROTTLED';
  if (code === undefined && status !== undefined) code = codeForHttpStatus(status);
  if (code === undefined) code = e.$fault === 'server' ? 'SERVER' : e.$fault === 'client' ? 'BAD_REQUEST' : 'NETWORK';
  if (code === 'SERVER' && status === 504) code = 'TIMEOUT';
  const retryable =
    code === 'THROTTLED' ||
    code === 'NETWORK' ||
    code === 'TIMEOUT' ||
    (code === 'SERVER' && (status === undefined || [500, 502, 503, 504].includes(status)));
  const retryAfter = readRetryAfter(err);
  return new StackfeedError({
    ...base,
    ...extra,
    code,
    retryable,
    ...(name !== 'Error' ? { providerCode: name } : {}),
    ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    message: `${ctx.operation}: ${name}${status !== undefined ? ` (HTTP ${status})` : ''}: ${code === 'UNAUTHORIZED' ? withAuthHint(message, name, err) : message}`,
  });
}

/** Seconds of the Retry-After header of the response an SDK error came with, if any. */
function readRetryAfter(err: unknown): number | undefined {
  try {
    const v = (err as SdkErrorLike | null)?.$response?.headers?.['retry-after'];
    return typeof v === 'string' ? parseRetryAfterSeconds(v) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Name the cause of an authentication failure that has one: a clock skew (the SDK corrects its
 * clock from the server's Date and retries; this is what is left when it could not), or expired
 * credentials.
 */
function withAuthHint(message: string, name: string, err: unknown): string {
  const f = classifyAwsAuthFailure(message, name, sdkErrorServerDate(err));
  if (f?.kind === 'clock-skew')
    return `${message} [clock skew: the request was signed with a time too far from AWS's clock${describeClockOffset(f)}, and the SDK could not correct it from the server's Date: correct the local clock (NTP)]`;
  if (f?.kind === 'expired-credentials')
    return `${message} [the AWS credentials expired: pass a credential provider function so the SDK can refresh them]`;
  return message;
}
