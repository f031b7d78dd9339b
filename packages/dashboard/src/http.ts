import type { ServerResponse } from 'node:http';
import { StackfeedError } from '@stackfeed/core';
import { toBody } from './json.js';

/** The Content-Security-Policy of every response: the page loads its own files only, no inline code. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Headers on every response, API and page alike. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = toBody(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** A JSON error answer: `{ error: { code, message } }`. */
export function jsonError(res: ServerResponse, status: number, code: string, message: string): void {
  json(res, status, { error: { code, message } });
}

export function configError(message: string): StackfeedError {
  return new StackfeedError({ code: 'CONFIG', provider: 'core', operation: 'dashboard', message });
}

export function badRequest(message: string): StackfeedError {
  return new StackfeedError({ code: 'BAD_REQUEST', provider: 'core', operation: 'dashboard', message });
}

/** The answer to a request that threw: a StackfeedError keeps its message; anything else is an opaque 500. */
export function toHttpError(err: unknown): { status: number; code: string; message: string } {
  if (StackfeedError.is(err)) {
    const status = err.code === 'BAD_REQUEST' || err.code === 'CONFIG' ? 400 : err.code === 'NOT_FOUND' ? 404 : 500;
    return { status, code: status === 400 ? 'BAD_REQUEST' : err.code, message: err.message };
  }
  return { status: 500, code: 'SERVER', message: 'internal error' };
}
