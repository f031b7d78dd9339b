import { StackfeedError, abortError, codeForHttpStatus, type ErrorCode, redact } from '@stackfeed/core';

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
  const base = { provider: PROVIDER, operation, cause: safeCause(err) } as const;
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

/** `String(value)` that cannot throw (null-prototype objects, symbols, hostile toString). */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * The cause to keep. Core copies an Error cause's message and stack through its redaction (which
 * expects strings) but its `name` and `code` as they are: an Error with a non-string message or
 * stack, or with a credential in its name or code, is kept as a redacted plain Error instead.
 */
function safeCause(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  let fields: { message: unknown; stack: unknown; name: unknown; code: unknown };
  try {
    // V8 formats `stack` lazily from name and message: reading it can throw.
    const e = err as unknown as typeof fields;
    fields = { message: e.message, stack: e.stack, name: e.name, code: e.code };
  } catch {
    return new Error('an unreadable error object');
  }
  const { message, stack, name, code } = fields;
  const cleanName = typeof name === 'string' ? redact(name) : 'Error';
  if (
    typeof message === 'string' &&
    (stack === undefined || typeof stack === 'string') &&
    cleanName === name &&
    (typeof code !== 'string' || redact(code) === code)
  )
    return err;
  const copy = new Error(safeString(message));
  copy.name = cleanName;
  if (typeof code === 'string') (copy as Error & { code?: string }).code = redact(code);
  return copy;
}

const SKEW_MESSAGE =
  /Signature expired|Signature not yet current|RequestTimeTooSkewed|too skewed|Request has expired|in the future/i;
const SKEW_CODES = new Set(['RequestExpired', 'RequestTimeTooSkewed', 'RequestInTheFuture']);
const EXPIRED_CREDENTIALS = /security token included in the request is expired|ExpiredToken|token has expired/i;

/**
 * Name the cause of an authentication failure that has one: a clock skew (the AWS SDK corrects
 * its clock from the server's Date and retries; this is what is left when it could not), or
 * expired credentials.
 */
function withAuthHint(message: string, name: string, err: unknown): string {
  if (SKEW_MESSAGE.test(message) || SKEW_CODES.has(name)) {
    let date: string | undefined;
    try {
      const h = (err as { $response?: { headers?: Record<string, unknown> } } | null)?.$response?.headers;
      date = typeof h?.date === 'string' ? h.date : undefined;
    } catch {
      date = undefined;
    }
    const t = Date.parse(date ?? '');
    const off = Number.isNaN(t) ? undefined : Math.round((t - Date.now()) / 60_000);
    const by =
      off === undefined || off === 0
        ? ''
        : ` (this machine's clock is about ${Math.abs(off)} min ${off > 0 ? 'behind' : 'ahead of'} the server's)`;
    return `${message} [clock skew: the request was signed with a time too far from AWS's clock${by}, and the SDK could not correct it from the server's Date: correct the local clock (NTP)]`;
  }
  if (EXPIRED_CREDENTIALS.test(message) || name === 'ExpiredToken' || name === 'ExpiredTokenException')
    return `${message} [the AWS credentials expired: pass a credential provider function so the SDK can refresh them]`;
  return message;
}
