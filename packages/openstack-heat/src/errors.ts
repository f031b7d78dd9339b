import type { ErrorCode } from '@stackfeed/core';
import type { HttpResponse, ProviderErrorInfo } from '@stackfeed/core/adapter';
import { codeForHttpStatus, redact } from '@stackfeed/core/adapter';
import { readHeatFault } from './wire/check.js';

/**
 * Read Heat's fault body `{code, title, explanation, error: {type, message, traceback}}` and
 * Keystone's `{error: {code, title, message}}` (keystonemiddleware 401s and Keystone itself).
 * The Heat exception type (`EntityNotFound`, `StackValidationFailed`, …) becomes `providerCode`;
 * for Keystone bodies, which have no type, the title (`Unauthorized`) does.
 */
export function parseHeatError(res: HttpResponse): ProviderErrorInfo | undefined {
  const body = readHeatFault(res.body);
  if (!body) return undefined;
  const err = body.error;
  const info: ProviderErrorInfo = {};
  const type = err?.type ?? (err?.title ? err.title.replace(/\s+/g, '') : undefined) ?? body.title?.replace(/\s+/g, '');
  // Redacted: the server's words may echo a credential (a token in a title, a request id).
  if (type) info.providerCode = redact(type);
  const message = err?.message || body.explanation || err?.title || body.title;
  if (message) info.message = message;
  const code = codeOf(res.status, type);
  if (code) info.code = code;
  if (res.requestId) info.requestId = redact(res.requestId);
  return info;
}

/** Heat exception types whose status alone would mislead. */
const TYPE_CODES: Readonly<Record<string, ErrorCode>> = Object.freeze({
  EntityNotFound: 'NOT_FOUND',
  NotFound: 'NOT_FOUND',
  HTTPNotFound: 'NOT_FOUND',
  StackExists: 'CONFLICT',
  ActionInProgress: 'CONFLICT',
  Forbidden: 'FORBIDDEN',
  HTTPForbidden: 'FORBIDDEN',
  InvalidTenant: 'FORBIDDEN',
});

function codeOf(status: number, type: string | undefined): ErrorCode | undefined {
  if (type && Object.hasOwn(TYPE_CODES, type) && status >= 400 && status < 500) return TYPE_CODES[type];
  return status >= 400 ? codeForHttpStatus(status) : undefined;
}

/** True for the 404 the resource-events URL answers when nothing matches (not a missing stack). */
export function isNoEventsFound(err: {
  providerCode?: string | undefined;
  message: string;
  httpStatus?: number | undefined;
}): boolean {
  return (
    err.httpStatus === 404 && err.providerCode === 'HTTPNotFound' && /No events found for resource/.test(err.message)
  );
}
