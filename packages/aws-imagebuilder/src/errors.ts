import { type ErrorCode, StackfeedError } from '@stackfeed/core';
import { sdkErrorToStackfeedError } from '@stackfeed/core/adapter';

/**
 * AWS SDK v3 errors → StackfeedError for Image Builder: core's SDK classifier with Image Builder's
 * own error shapes, and a message that says what to do about a refused continuation token.
 */

const PROVIDER = 'aws-imagebuilder' as const;

/** Image Builder's own error shapes by name (the shared AWS ones are in core's classifier). */
export const IMAGE_BUILDER_ERROR_CODES: Readonly<Record<string, ErrorCode>> = Object.freeze({
  InvalidPaginationTokenException: 'BAD_REQUEST',
  InvalidRequestException: 'BAD_REQUEST',
  ClientException: 'BAD_REQUEST',
  InvalidVersionNumberException: 'BAD_REQUEST',
  ForbiddenException: 'FORBIDDEN',
  ResourceInUseException: 'CONFLICT',
  ResourceDependencyException: 'CONFLICT',
  IdempotentParameterMismatchException: 'CONFLICT',
  CallRateLimitExceededException: 'THROTTLED',
  ServiceException: 'SERVER',
});

/**
 * Translate whatever `client.send` threw into a StackfeedError (`operation` is the stackfeed
 * method name). Pass the call's signal so an abort becomes ABORTED with the caller's reason.
 * @internal Exported for stackfeed's conformance tests; the client already throws StackfeedError.
 */
export function toStackfeedError(err: unknown, operation: string, signal?: AbortSignal): StackfeedError {
  const e = sdkErrorToStackfeedError(err, {
    provider: PROVIDER,
    operation,
    signal,
    service: 'Image Builder',
    errorCodes: IMAGE_BUILDER_ERROR_CODES,
  });
  return withTokenHint(e, operation);
}

/** A refused continuation token says what to do about it; any other error is returned as is. */
export function withTokenHint(e: StackfeedError, operation: string): StackfeedError {
  if (e.providerCode !== 'InvalidPaginationTokenException') return e;
  return new StackfeedError({
    code: 'BAD_REQUEST',
    provider: PROVIDER,
    operation,
    providerCode: e.providerCode,
    retryable: false,
    ...(e.httpStatus !== undefined ? { httpStatus: e.httpStatus } : {}),
    ...(e.requestId ? { requestId: e.requestId } : {}),
    cause: e.cause ?? e,
    message:
      `${e.message}. Image Builder rejected the continuation token: it is expired, altered, or from another list; ` +
      'start the list again without continuationToken.',
  });
}
