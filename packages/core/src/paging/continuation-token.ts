import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { registerSecret } from '../errors/redact.js';
import { StackfeedError } from '../errors/stackfeed-error.js';
import type { ProviderId } from '../models/enums.js';
import { canonicalJson } from '../util/hash.js';

/**
 * Continuation tokens are opaque to users but carry who they belong to: the provider, the
 * operation, and a digest of the call's arguments (the "scope": stack, filters). They are signed
 * with HMAC-SHA256 under the client's {@link TokenKey}: a token cannot be edited (to name another
 * stack, a huge limit) and re-signed by whoever holds it, and a token handed to another call fails
 * with BAD_REQUEST before any request is made.
 *
 * Wire form: `sf2.` + base64url(JSON { v, p, o, s, c, k }) + `.` + base64url(HMAC of `sf2.` + payload).
 *   c: the provider cursor for the page to fetch (marker, nextToken, ...; any JSON),
 *   k: how many items of that page were already handed out (a page cut by maxItems or limit).
 */
export interface TokenState<C> {
  cursor: C | undefined;
  skip: number;
}

interface TokenBody {
  v: 2;
  p: ProviderId;
  o: string;
  s: string;
  c?: unknown;
  k?: number;
}

const PREFIX = 'sf2.';
const OLD_PREFIX = 'sf1.';
/** A passphrase shorter than this is too easy to guess to protect tokens handed to browsers. */
const MIN_KEY_CHARS = 16;
/** Decoded `skip` above this is not a position in any page a provider may send. */
const MAX_SKIP = 10_000_000;

const keyBytes = new WeakMap<TokenKey, Buffer>();

/**
 * The key continuation tokens are signed with. A client makes one in its constructor (from its
 * `tokenKey` option) and hands it to all its paginators. The key material is held outside the
 * object: it never shows in `inspect`, JSON or an error.
 */
export class TokenKey {
  /** @internal */
  constructor(bytes: Buffer) {
    keyBytes.set(this, bytes);
  }

  toJSON(): string {
    return 'TokenKey';
  }

  [inspect.custom](): string {
    return 'TokenKey {}';
  }
}

/**
 * A token-signing key. Without `option`: 32 random bytes (tokens resume only with this client
 * object). With a string passphrase (at least 16 characters) or bytes (at least 16): the same key
 * every time, so tokens survive a restart and work across processes that share the option.
 */
export function createTokenKey(option?: string | Uint8Array): TokenKey {
  if (option === undefined) return new TokenKey(randomBytes(32));
  if (typeof option === 'string') {
    if (option.length < MIN_KEY_CHARS) throw badKey(`a tokenKey string needs at least ${MIN_KEY_CHARS} characters`);
    registerSecret(option);
    // Derived, so a passphrase of any length becomes a full-size HMAC key.
    return new TokenKey(createHash('sha256').update('stackfeed-token-key\0').update(option, 'utf8').digest());
  }
  if (option instanceof Uint8Array) {
    if (option.byteLength < MIN_KEY_CHARS) throw badKey(`a tokenKey of bytes needs at least ${MIN_KEY_CHARS} bytes`);
    return new TokenKey(Buffer.from(option));
  }
  throw badKey('tokenKey must be a string or a Uint8Array');
}

function badKey(message: string): StackfeedError {
  return new StackfeedError({ code: 'CONFIG', message });
}

let processKey: TokenKey | undefined;
/**
 * The key of paginators built without one (callers that predate per-client keys): random per
 * process, so their tokens do not outlive the process. Clients pass their own key.
 * @internal
 */
export function defaultTokenKey(): TokenKey {
  processKey ??= createTokenKey();
  return processKey;
}

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

function sign(key: TokenKey, payload: string): Buffer {
  const bytes = keyBytes.get(key);
  if (!bytes) throw badKey('the token key was not made by createTokenKey');
  return createHmac('sha256', bytes).update(PREFIX).update(payload).digest();
}

export function encodeToken<C>(
  key: TokenKey,
  provider: ProviderId,
  operation: string,
  scope: string,
  state: TokenState<C>,
): string {
  const body: TokenBody = { v: 2, p: provider, o: operation, s: scope };
  if (state.cursor !== undefined) body.c = state.cursor;
  if (state.skip > 0) body.k = state.skip;
  const payload = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  return `${PREFIX}${payload}.${sign(key, payload).toString('base64url')}`;
}

export function decodeToken<C>(
  key: TokenKey,
  token: string,
  provider: ProviderId,
  operation: string,
  scope: string,
): TokenState<C> {
  const bad = (why: string): never => {
    throw new StackfeedError({
      code: 'BAD_REQUEST',
      provider,
      operation,
      message: `${operation}: the continuation token ${why}`,
    });
  };
  if (typeof token !== 'string') return bad('is not a string');
  if (token.startsWith(OLD_PREFIX)) return bad('is from an older stackfeed (unsigned); start the listing again');
  if (!token.startsWith(PREFIX)) return bad('is not a stackfeed continuation token');
  const rest = token.slice(PREFIX.length);
  const dot = rest.lastIndexOf('.');
  if (dot <= 0) return bad('is corrupted (no signature)');
  const payload = rest.slice(0, dot);
  const given = Buffer.from(rest.slice(dot + 1), 'base64url');
  const expected = sign(key, payload);
  // Base64url decoding ignores stray characters: the signature must also re-encode to what was sent.
  if (
    given.length !== expected.length ||
    !timingSafeEqual(given, expected) ||
    given.toString('base64url') !== rest.slice(dot + 1)
  ) {
    return bad('was not issued by this client (signature mismatch: edited, damaged, or signed with another tokenKey)');
  }
  let body: TokenBody;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenBody;
  } catch {
    return bad('is corrupted (not decodable)');
  }
  if (!body || typeof body !== 'object' || body.v !== 2) return bad('is corrupted or from a newer stackfeed');
  if (body.p !== provider) return bad(`belongs to provider ${String(body.p)}, not ${provider}`);
  if (body.o !== operation) return bad(`belongs to ${String(body.o)}, not ${operation}`);
  if (body.s !== scope)
    return bad('belongs to the same operation with other arguments (another stack or other filters)');
  let skip = 0;
  if (body.k !== undefined) {
    if (typeof body.k !== 'number' || !Number.isSafeInteger(body.k) || body.k < 0 || body.k > MAX_SKIP) {
      return bad('holds an out-of-range page position');
    }
    skip = body.k;
  }
  return { cursor: body.c as C | undefined, skip };
}
