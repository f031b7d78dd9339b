import { type ErrorCode, StackfeedError } from '@stackfeed/core';
import {
  type HttpResponse,
  type ProviderErrorInfo,
  classifyAwsAuthFailure,
  codeForHttpStatus,
  describeClockOffset,
  redact,
  safeString,
  sdkErrorServerDate,
} from '@stackfeed/core/adapter';

const PROVIDER = 'aws-parallelcluster' as const;

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The ParallelCluster API's error bodies (`{"message"}` with 400/401/404/409/429/500) and API
 * Gateway's own answers (403 Missing Authentication Token, invalid signature, explicit deny, 429,
 * 502, 504), told apart by `x-amzn-ErrorType`.
 */
export function parseApiError(res: HttpResponse): ProviderErrorInfo | undefined {
  const body = res.body as { message?: unknown; Message?: unknown } | undefined;
  const rawMessage =
    body && typeof body === 'object'
      ? typeof body.message === 'string'
        ? body.message
        : typeof body.Message === 'string'
          ? body.Message
          : undefined
      : undefined;
  const errorType = header(res, 'x-amzn-errortype')?.split(':')[0];
  const requestId = header(res, 'x-amzn-requestid') ?? header(res, 'x-amz-apigw-id');
  const info: ProviderErrorInfo = {};
  // Header values are the server's words: never let one carry a registered secret onwards.
  if (requestId) info.requestId = redact(requestId);
  let message = rawMessage;
  let code: ErrorCode | undefined;
  let providerCode = errorType;
  switch (res.status) {
    case 400:
      providerCode ??= 'BadRequestException';
      code = 'BAD_REQUEST';
      break;
    case 401:
      providerCode ??= 'UnauthorizedClientError';
      code = 'UNAUTHORIZED';
      break;
    case 403: {
      const m = rawMessage ?? '';
      if (errorType === 'MissingAuthenticationTokenException' || /Missing Authentication Token/i.test(m)) {
        providerCode = 'MissingAuthenticationTokenException';
        code = 'UNAUTHORIZED';
        message = `${m || 'Missing Authentication Token'} (API Gateway says this for an unsigned request and also for a path, stage or method it does not have: check that apiUrl ends with the stage, e.g. /prod)`;
      } else if (
        /explicit deny/i.test(m) ||
        (/not authorized to perform/i.test(m) && errorType !== 'InvalidSignatureException')
      ) {
        providerCode ??= 'AccessDeniedException';
        code = 'FORBIDDEN';
        if (/explicit deny/i.test(m))
          message = `${m} (by default the ParallelCluster API only admits its ParallelClusterApiUserRole: assume that role)`;
      } else if (
        [
          'InvalidSignatureException',
          'ExpiredTokenException',
          'UnrecognizedClientException',
          'IncompleteSignatureException',
        ].includes(errorType ?? '') ||
        /signature|security token|expired/i.test(m)
      ) {
        providerCode ??= 'InvalidSignatureException';
        code = 'UNAUTHORIZED';
        message = withAuthHint(message ?? '', providerCode, header(res, 'date'));
      } else {
        code = 'FORBIDDEN';
      }
      info.retryable = false;
      break;
    }
    case 404:
      providerCode ??= 'NotFoundException';
      code = 'NOT_FOUND';
      break;
    case 409:
      providerCode ??= 'ConflictException';
      code = 'CONFLICT';
      break;
    case 429:
      providerCode ??= 'LimitExceededException';
      code = 'THROTTLED';
      break;
    case 500:
      providerCode ??= 'InternalServiceException';
      code = 'SERVER';
      break;
    case 502:
      providerCode ??= 'BadGatewayException';
      code = 'SERVER';
      break;
    case 504:
      providerCode ??= 'GatewayTimeoutException';
      code = 'TIMEOUT';
      info.retryable = true;
      break;
    default:
      code = codeForHttpStatus(res.status);
  }
  info.code = code;
  if (providerCode) info.providerCode = redact(providerCode);
  if (message !== undefined) info.message = message;
  return info;
}

/** Node's certificate verification failures (err.code / message). */
const TLS_ERROR = /CERT_|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME_MISMATCH|ALTNAME|self[- ]signed certificate/i;

/**
 * Name the cause of an authentication failure that has one: a clock skew (with how far off the
 * local clock is when the server's Date says so), or expired credentials.
 */
export function withAuthHint(message: string, code: string | undefined, serverDate?: string): string {
  const f = classifyAwsAuthFailure(message, code, serverDate);
  if (f?.kind === 'clock-skew')
    return `${message} [clock skew: the request was signed with a time too far from AWS's clock${describeClockOffset(f)}; a SigV4 signature must reach AWS within 5 minutes of its X-Amz-Date: correct the local clock (NTP), or keep correctClockSkew on]`;
  if (f?.kind === 'expired-credentials')
    return `${message} [the AWS credentials expired: pass a credential provider function (it is asked again once after such an answer), or refresh them]`;
  return message;
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);
const UNAUTHORIZED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'AuthFailure',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidSignatureException',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
  'RequestExpired',
  'RequestTimeTooSkewed',
  'RequestInTheFuture',
]);
const FORBIDDEN = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'OptInRequired']);
const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'InvalidAMIID.NotFound',
  'InvalidAMIID.Unavailable',
  'StackNotFoundException',
  'NotFoundException',
  'NoSuchEntity',
]);

/**
 * The one place an AWS SDK v3 exception (direct mode) becomes a StackfeedError: `name`,
 * `$metadata.httpStatusCode`, `$fault` and the request id are read; CloudFormation's
 * `ValidationError … does not exist` is NOT_FOUND, throttling codes are THROTTLED.
 */
export function fromAwsError(err: unknown, operation: string, signal?: AbortSignal): StackfeedError {
  if (StackfeedError.is(err)) return err;
  if (signal?.aborted) {
    const reason = signal.reason;
    if (StackfeedError.is(reason)) return reason;
    return new StackfeedError({
      code: 'ABORTED',
      provider: PROVIDER,
      operation,
      message: `${operation}: aborted`,
      cause: reason,
    });
  }
  if (err instanceof Error && err.name === 'EmptyBodyError') {
    const x = err as Error & { httpStatus?: number; requestId?: string };
    return new StackfeedError({
      code: 'INVALID_RESPONSE',
      provider: PROVIDER,
      operation,
      ...(typeof x.httpStatus === 'number' ? { httpStatus: x.httpStatus } : {}),
      ...(typeof x.requestId === 'string' ? { requestId: redact(x.requestId) } : {}),
      message: `${operation}: ${x.message}`,
    });
  }
  const e = (err ?? {}) as {
    name?: string;
    message?: string;
    Code?: string;
    code?: string;
    $fault?: 'client' | 'server';
    $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
    $retryable?: unknown;
  };
  // Every field is read defensively: a thrown value may be anything (a string, a null-prototype
  // object, a record with fields of the wrong type), and the mapping must never throw itself.
  const name = redact(typeof e.name === 'string' ? e.name : typeof e.Code === 'string' ? e.Code : 'Error');
  const message = typeof e.message === 'string' ? e.message : safeString(err);
  const meta = e.$metadata !== null && typeof e.$metadata === 'object' ? e.$metadata : undefined;
  const status =
    typeof meta?.httpStatusCode === 'number' && Number.isInteger(meta.httpStatusCode) ? meta.httpStatusCode : undefined;
  const requestId = typeof meta?.requestId === 'string' ? redact(meta.requestId) : undefined;
  const netCode = typeof e.code === 'string' ? e.code : undefined;
  let code: ErrorCode;
  const unreadable =
    /XML parse error|Deserialization error|Unexpected token|Unexpected end of JSON|is not valid JSON/i.test(message);
  if (TLS_ERROR.test(`${netCode ?? ''} ${message}`) && status === undefined)
    return new StackfeedError({
      code: 'NETWORK',
      provider: PROVIDER,
      operation,
      retryable: false,
      ...(netCode ? { providerCode: netCode } : {}),
      message: `${operation}: TLS verification failed (${netCode ?? message}); pass the server's CA with the \`tls.ca\` option`,
      cause: err,
    });
  if (name === 'AbortError') code = 'ABORTED';
  else if (unreadable && (status === undefined || status < 300)) code = 'INVALID_RESPONSE';
  else if (/socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|ENOTFOUND|EAI_AGAIN/.test(`${message} ${netCode ?? ''}`))
    code = 'NETWORK';
  else if (name === 'ValidationError' && /does not exist/i.test(message)) code = 'NOT_FOUND';
  else if (THROTTLING.has(name) || status === 429) code = 'THROTTLED';
  else if (UNAUTHORIZED.has(name)) code = 'UNAUTHORIZED';
  else if (FORBIDDEN.has(name)) code = 'FORBIDDEN';
  else if (NOT_FOUND.has(name) || name.endsWith('.NotFound')) code = 'NOT_FOUND';
  else if (name === 'TimeoutError' || netCode === 'ETIMEDOUT') code = 'TIMEOUT';
  else if (status !== undefined) code = e.$fault === 'server' && status < 500 ? 'SERVER' : codeForHttpStatus(status);
  else if (e.$fault === 'server') code = 'SERVER';
  else if (meta === undefined && (netCode !== undefined || name === 'Error' || /ECONN|socket|network/i.test(message)))
    code = 'NETWORK';
  else if (name.includes('Deserialization') || /Deserialization error|Expected .* but/i.test(message))
    code = 'INVALID_RESPONSE';
  else code = 'BAD_REQUEST';
  return new StackfeedError({
    code,
    provider: PROVIDER,
    operation,
    ...(status !== undefined ? { httpStatus: status } : {}),
    ...(name !== 'Error' ? { providerCode: name } : {}),
    ...(requestId ? { requestId } : {}),
    message: `${operation}: ${name !== 'Error' ? `${name}: ` : ''}${code === 'UNAUTHORIZED' ? withAuthHint(message, name, sdkErrorServerDate(err)) : message}`,
    cause: err,
  });
}

/** A CONFIG error (bad client options). */
export function configError(message: string): StackfeedError {
  return new StackfeedError({ code: 'CONFIG', provider: PROVIDER, message, retryable: false });
}
