import { StackfeedError } from '../errors/stackfeed-error.js';
import type { ProviderId } from '../models/enums.js';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/hash.js';

/**
 * Continuation tokens are opaque to users but carry who they belong to: the provider, the
 * operation, and a digest of the call's arguments (the "scope": stack, filters). Handing a token
 * to another call fails with a clear BAD_REQUEST before any request is made.
 *
 * Wire form: `sf1.` + base64url(JSON { v, p, o, s, c, k }) + `.` + a short checksum of that JSON, so a
 * token damaged in transit (a changed character that still decodes) is rejected, not followed.
 *   c: the provider cursor for the page to fetch (marker, nextToken, ...; any JSON),
 *   k: how many items of that page were already handed out (a page cut by maxItems or limit).
 */
export interface TokenState<C> {
  cursor: C | undefined;
  skip: number;
}

interface TokenBody {
  v: 1;
  p: ProviderId;
  o: string;
  s: string;
  c?: unknown;
  k?: number;
}

const PREFIX = 'sf1.';

/**
 * A short digest of the call's arguments that decide which list a token belongs to. Object keys
 * are sorted first: the same arguments written in another order are the same scope.
 */
export function scopeDigest(scope: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(scope ?? null))
    .digest('base64url')
    .slice(0, 16);
}

export function encodeToken<C>(provider: ProviderId, operation: string, scope: string, state: TokenState<C>): string {
  const body: TokenBody = { v: 1, p: provider, o: operation, s: scope };
  if (state.cursor !== undefined) body.c = state.cursor;
  if (state.skip > 0) body.k = state.skip;
  const json = JSON.stringify(body);
  return `${PREFIX}${Buffer.from(json, 'utf8').toString('base64url')}.${checksum(json)}`;
}

function checksum(json: string): string {
  return createHash('sha256').update(json, 'utf8').digest('base64url').slice(0, 10);
}

export function decodeToken<C>(token: string, provider: ProviderId, operation: string, scope: string): TokenState<C> {
  const bad = (why: string): never => {
    throw new StackfeedError({
      code: 'BAD_REQUEST',
      provider,
      operation,
      message: `${operation}: the continuation token ${why}`,
    });
  };
  if (typeof token !== 'string' || !token.startsWith(PREFIX)) return bad('is not a stackfeed continuation token');
  const rest = token.slice(PREFIX.length);
  const dot = rest.lastIndexOf('.');
  if (dot <= 0) return bad('is corrupted (no checksum)');
  const json = Buffer.from(rest.slice(0, dot), 'base64url').toString('utf8');
  // Base64url decoding ignores stray characters; re-encoding must give back exactly what was sent.
  if (
    Buffer.from(json, 'utf8').toString('base64url') !== rest.slice(0, dot) ||
    checksum(json) !== rest.slice(dot + 1)
  ) {
    return bad('is corrupted (checksum mismatch)');
  }
  let body: TokenBody;
  try {
    body = JSON.parse(json) as TokenBody;
  } catch {
    return bad('is corrupted (not decodable)');
  }
  if (!body || typeof body !== 'object' || body.v !== 1) return bad('is corrupted or from a newer stackfeed');
  if (body.p !== provider) return bad(`belongs to provider ${String(body.p)}, not ${provider}`);
  if (body.o !== operation) return bad(`belongs to ${String(body.o)}, not ${operation}`);
  if (body.s !== scope)
    return bad(`belongs to the same operation with other arguments (another stack or other filters)`);
  const skip = typeof body.k === 'number' && Number.isInteger(body.k) && body.k > 0 ? body.k : 0;
  return { cursor: body.c as C | undefined, skip };
}
