import { StackfeedError, type ErrorCode } from '@stackfeed/core';
import {
  abortError,
  classifyAwsAuthFailure,
  codeForHttpStatus,
  describeClockOffset,
  redact,
  safeString,
  sdkErrorServerDate,
} from '@stackfeed/core/adapter';

/**
 * AWS SDK v3 errors → StackfeedError. Direct SDK calls do not go through core's HttpTransport,
 * so this is the one place that reads the SDK's error fields (`name`, `$metadata.httpStatusCode`,
 * `$metadata.requestId`, `$fault`, `$retryable`) and network/abort/deserialization failures.
 */

const PROVIDER = 'aws-imagebuilder' as const;

/** Image Builder error shapes (and the AWS front-door errors) by name. */
const BY_NAME: Readonly<Record<string, ErrorCode>> = Object.freeze({
  InvalidPaginationTokenException: 'BAD_REQUEST',
  InvalidRequestException: 'BAD_REQUEST',
  ClientException: 'BAD_REQUEST',
  InvalidParameterException: 'BAD_REQUEST',
  InvalidParameterValueException: 'BAD_REQUEST',
  InvalidParameterCombinationException: 'BAD_REQUEST',
  InvalidVersionNumberException: 'BAD_REQUEST',
  ValidationException: 'BAD_REQUEST',
  ForbiddenException: 'FORBIDDEN',
  AccessDeniedException: 'FORBIDDEN',
  ResourceNotFoundException: 'NOT_FOUND',
  ResourceInUseException: 'CONFLICT',
  ResourceDependencyException: 'CONFLICT',
  IdempotentParameterMismatchException: 'CONFLICT',
  CallRateLimitExceededException: 'THROTTLED',
  TooManyRequestsException: 'THROTTLED',
  ThrottlingException: 'THROTTLED',
  Throttling: 'THROTTLED',
  ServiceException: 'SERVER',
  ServiceUnavailableException: 'SERVER',
  InternalFailure: 'SERVER',
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
  CredentialsProviderError: 'CONFIG',
  TimeoutError: 'TIMEOUT',
  RequestTimeout: 'TIMEOUT',
  RequestTimeoutException: 'TIMEOUT',
});

/** Node's certificate verification failures (err.code / message). */
const TLS_ERROR = /CERT_|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME_MISMATCH|ALTNAME|self[- ]signed certificate/i;

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

interface SdkErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $retryable?: { throttling?: boolean } | undefined;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string } | undefined;
  $response?: unknown;
  Code?: unknown;
}

/**
 * Translate whatever `client.send` threw into a StackfeedError (`operation` is the stackfeed
 * method name). Pass the call's signal so an abort becomes ABORTED with the caller's reason.
 */
export function toStackfeedError(err: unknown, operation: string, signal?: AbortSignal): StackfeedError {
  if (StackfeedError.is(err)) return err;
  if (signal?.aborted) return abortError(signal, PROVIDER);
  const e = (err ?? {}) as SdkErrorLike;
  // Every field is read defensively: a thrown value may be anything (a string, a null-prototype
  // object, a record with fields of the wrong type), and the mapping must never throw itself.
  const name = redact(typeof e.name === 'string' ? e.name : typeof e.Code === 'string' ? e.Code : 'Error');
  const rawMessage = typeof e.message === 'string' && e.message ? e.message : safeString(err);
  const meta = e.$metadata !== null && typeof e.$metadata === 'object' ? e.$metadata : undefined;
  const status =
    typeof meta?.httpStatusCode === 'number' && Number.isInteger(meta.httpStatusCode) ? meta.httpStatusCode : undefined;
  const requestId = typeof meta?.requestId === 'string' ? redact(meta.requestId) : undefined;
  const base = { provider: PROVIDER, operation, cause: err } as const;
  const extra = {
    ...(status !== undefined ? { httpStatus: status } : {}),
    ...(requestId ? { requestId } : {}),
  };

  if (name === 'AbortError') {
    return new StackfeedError({ ...base, code: 'ABORTED', message: `${operation}: the request was aborted` });
  }
  if (name === 'InvalidPaginationTokenException') {
    return new StackfeedError({
      ...base,
      ...extra,
      code: 'BAD_REQUEST',
      providerCode: name,
      retryable: false,
      message:
        `${operation}: Image Builder rejected the continuation token (InvalidPaginationTokenException: ${rawMessage}). ` +
        'It is expired, altered, or from another list; start the list again without continuationToken.',
    });
  }
  const netCode = typeof e.code === 'string' ? e.code : undefined;
  if (netCode && NETWORK_CODES.has(netCode) && status === undefined) {
    return new StackfeedError({
      ...base,
      code: netCode === 'ETIMEDOUT' ? 'TIMEOUT' : 'NETWORK',
      providerCode: netCode,
      message: `${operation}: network error talking to Image Builder (${netCode}): ${rawMessage}`,
    });
  }
  if (status === undefined && TLS_ERROR.test(`${netCode ?? ''} ${rawMessage}`)) {
    return new StackfeedError({
      ...base,
      code: 'NETWORK',
      retryable: false,
      ...(netCode ? { providerCode: netCode } : {}),
      message: `${operation}: TLS verification failed (${netCode ?? rawMessage}); pass the server's CA with the \`tls.ca\` option`,
    });
  }
  // The SDK could not parse a (200) body: truncated, HTML, not JSON.
  if (
    e.$response !== undefined &&
    (name === 'SyntaxError' || /Deserialization error|Unexpected token|JSON/i.test(rawMessage)) &&
    (status === undefined || status < 300)
  ) {
    return new StackfeedError({
      ...base,
      ...extra,
      code: 'INVALID_RESPONSE',
      message: `${operation}: Image Builder sent a response that is not valid JSON`,
    });
  }
  if (name === 'Error' && /Region is missing/i.test(rawMessage)) {
    return new StackfeedError({
      ...base,
      code: 'CONFIG',
      message: `${operation}: no AWS region configured (pass { region } or set AWS_REGION)`,
    });
  }

  let code: ErrorCode | undefined = Object.hasOwn(BY_NAME, name) ? BY_NAME[name] : undefined;
  if (code === undefined && typeof e.$retryable === 'object' && e.$retryable?.throttling === true) code = 'THROTTLED';
  if (code === undefined && status !== undefined) code = codeForHttpStatus(status);
  if (code === undefined) code = e.$fault === 'server' ? 'SERVER' : e.$fault === 'client' ? 'BAD_REQUEST' : 'NETWORK';
  if (code === 'SERVER' && status === 504) code = 'TIMEOUT';

  const retryable =
    code === 'THROTTLED' ||
    code === 'NETWORK' ||
    code === 'TIMEOUT' ||
    (code === 'SERVER' && (status === undefined || [500, 502, 503, 504].includes(status)));
  return new StackfeedError({
    ...base,
    ...extra,
    code,
    retryable,
    ...(name !== 'Error' ? { providerCode: name } : {}),
    message: `${operation}: ${name}${status !== undefined ? ` (HTTP ${status})` : ''}: ${code === 'UNAUTHORIZED' ? withAuthHint(rawMessage, name, err) : rawMessage}`,
  });
}

/**
 * Name the cause of an authentication failure that has one: a clock skew (the AWS SDK corrects
 * its clock from the server's Date and retries; this is what is left when it could not), or
 * expired credentials.
 */
function withAuthHint(message: string, name: string, err: unknown): string {
  const f = classifyAwsAuthFailure(message, name, sdkErrorServerDate(err));
  if (f?.kind === 'clock-skew')
    return `${message} [clock skew: the request was signed with a time too far from AWS's clock${describeClockOffset(f)}, and the SDK could not correct it from the server's Date: correct the local clock (NTP)]`;
  if (f?.kind === 'expired-credentials')
    return `${message} [the AWS credentials expired: pass a credential provider function so the SDK can refresh them]`;
  return message;
}
