import { type ErrorCode, StackfeedError } from '@stackfeed/core';
import {
  type HttpResponse,
  type ProviderErrorInfo,
  classifyAwsAuthFailure,
  codeForHttpStatus,
  describeClockOffset,
  redact,
  sdkErrorToStackfeedError,
} from '@stackfeed/core/adapter';

const PROVIDER = 'aws-parallelcluster' as const;

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The API's error statuses other than 403: the code, and the provider code when no `x-amzn-ErrorType` names one. */
const STATUS_ERRORS: Readonly<Record<number, { providerCode: string; code: ErrorCode; retryable?: boolean }>> = {
  400: { providerCode: 'BadRequestException', code: 'BAD_REQUEST' },
  401: { providerCode: 'UnauthorizedClientError', code: 'UNAUTHORIZED' },
  404: { providerCode: 'NotFoundException', code: 'NOT_FOUND' },
  409: { providerCode: 'ConflictException', code: 'CONFLICT' },
  429: { providerCode: 'LimitExceededException', code: 'THROTTLED' },
  500: { providerCode: 'InternalServiceException', code: 'SERVER' },
  502: { providerCode: 'BadGatewayException', code: 'SERVER' },
  504: { providerCode: 'GatewayTimeoutException', code: 'TIMEOUT', retryable: true },
};

const SIGNATURE_ERROR_TYPES = new Set([
  'InvalidSignatureException',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'IncompleteSignatureException',
]);

/**
 * The ParallelCluster API's error bodies (`{"message"}` with 400/401/404/409/429/500) and API
 * Gateway's own answers (403 Missing Authentication Token, invalid signature, explicit deny, 429,
 * 502, 504), told apart by `x-amzn-ErrorType`. Exported for the conformance fuzz tests. @internal
 */
export function parseApiError(res: HttpResponse): ProviderErrorInfo | undefined {
  const rawMessage = bodyMessage(res.body);
  const errorType = header(res, 'x-amzn-errortype')?.split(':')[0];
  const requestId = header(res, 'x-amzn-requestid') ?? header(res, 'x-amz-apigw-id');
  const info: ProviderErrorInfo = {};
  // Header values are the server's words: never let one carry a registered secret onwards.
  if (requestId) info.requestId = redact(requestId);
  let message = rawMessage;
  let providerCode = errorType;
  const known = STATUS_ERRORS[res.status];
  if (res.status === 403) {
    const gateway = gateway403(res, rawMessage, errorType);
    info.code = gateway.code;
    providerCode = gateway.providerCode;
    message = gateway.message;
    info.retryable = false;
  } else if (known) {
    providerCode ??= known.providerCode;
    info.code = known.code;
    if (known.retryable !== undefined) info.retryable = known.retryable;
  } else {
    info.code = codeForHttpStatus(res.status);
  }
  if (providerCode) info.providerCode = redact(providerCode);
  if (message !== undefined) info.message = message;
  return info;
}

/** `message` (the API's) or `Message` (API Gateway's) of an error body. */
function bodyMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { message?: unknown; Message?: unknown };
  if (typeof b.message === 'string') return b.message;
  return typeof b.Message === 'string' ? b.Message : undefined;
}

/** API Gateway's 403s: a missing token (or a wrong path), an explicit deny, a bad signature, or another refusal. */
function gateway403(
  res: HttpResponse,
  message: string | undefined,
  errorType: string | undefined,
): { code: ErrorCode; providerCode: string | undefined; message: string | undefined } {
  const m = message ?? '';
  if (errorType === 'MissingAuthenticationTokenException' || /Missing Authentication Token/i.test(m)) {
    return {
      code: 'UNAUTHORIZED',
      providerCode: 'MissingAuthenticationTokenException',
      message: `${m || 'Missing Authentication Token'} (API Gateway says this for an unsigned request and also for a path, stage or method it does not have: check that the endpoint (the invoke URL) ends with the stage, e.g. /prod)`,
    };
  }
  if (/explicit deny/i.test(m) || (/not authorized to perform/i.test(m) && errorType !== 'InvalidSignatureException')) {
    return {
      code: 'FORBIDDEN',
      providerCode: errorType ?? 'AccessDeniedException',
      message: /explicit deny/i.test(m)
        ? `${m} (by default the ParallelCluster API only admits its ParallelClusterApiUserRole: assume that role)`
        : message,
    };
  }
  if (SIGNATURE_ERROR_TYPES.has(errorType ?? '') || /signature|security token|expired/i.test(m)) {
    const providerCode = errorType ?? 'InvalidSignatureException';
    return {
      code: 'UNAUTHORIZED',
      providerCode,
      message: withAuthHint(message ?? '', providerCode, header(res, 'date')),
    };
  }
  return { code: 'FORBIDDEN', providerCode: errorType, message };
}

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

/**
 * Error names of the four services behind direct mode that the shared AWS table does not know
 * (it wins over that table): EC2's, CloudFormation's and Image Builder's own shapes. @internal
 */
export const DIRECT_ERROR_CODES: Readonly<Record<string, ErrorCode>> = Object.freeze({
  ThrottledException: 'THROTTLED',
  RequestThrottledException: 'THROTTLED',
  RequestThrottled: 'THROTTLED',
  EC2ThrottledException: 'THROTTLED',
  LimitExceededException: 'THROTTLED',
  SlowDown: 'THROTTLED',
  ExpiredToken: 'UNAUTHORIZED',
  IncompleteSignature: 'UNAUTHORIZED',
  MissingAuthenticationToken: 'UNAUTHORIZED',
  UnauthorizedOperation: 'FORBIDDEN',
  OptInRequired: 'FORBIDDEN',
  'InvalidAMIID.NotFound': 'NOT_FOUND',
  'InvalidAMIID.Unavailable': 'NOT_FOUND',
  StackNotFoundException: 'NOT_FOUND',
  NotFoundException: 'NOT_FOUND',
  NoSuchEntity: 'NOT_FOUND',
});

/**
 * An AWS SDK v3 exception (direct mode) → StackfeedError, through core's one SDK classifier (with
 * `DIRECT_ERROR_CODES`); CloudFormation's `ValidationError … does not exist` is NOT_FOUND.
 * Exported for the conformance fuzz tests. @internal
 */
export function fromAwsError(err: unknown, operation: string, signal?: AbortSignal): StackfeedError {
  const e = StackfeedError.is(err)
    ? err
    : sdkErrorToStackfeedError(err, { provider: PROVIDER, operation, signal, errorCodes: DIRECT_ERROR_CODES });
  return notFoundOfValidation(e, operation);
}

/** CloudFormation's `ValidationError … does not exist` is NOT_FOUND; any other error is returned as is. @internal */
export function notFoundOfValidation(e: StackfeedError, operation: string): StackfeedError {
  if (e.code !== 'BAD_REQUEST' || e.providerCode !== 'ValidationError' || !/does not exist/i.test(e.message)) return e;
  return new StackfeedError({
    code: 'NOT_FOUND',
    provider: PROVIDER,
    operation: e.operation ?? operation,
    retryable: false,
    providerCode: e.providerCode,
    ...(e.httpStatus !== undefined ? { httpStatus: e.httpStatus } : {}),
    ...(e.requestId !== undefined ? { requestId: e.requestId } : {}),
    message: e.message,
    cause: e.cause ?? e,
  });
}

/** A CONFIG error (bad client options). */
export function configError(message: string): StackfeedError {
  return new StackfeedError({ code: 'CONFIG', provider: PROVIDER, message, retryable: false });
}
