import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { json } from './http.js';

/** The cookie `GET /?token=…` sets, for the page's EventSource (which cannot send headers). */
export const TOKEN_COOKIE = 'sf_token';

/** Is this a loopback address or name? */
export function isLoopback(host: string): boolean {
  const h = unbracket(host).toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/**
 * Without a token: does the Host header name this server (loopback, or the bound address, on the
 * bound port)? A page on another site that rebinds its name to this address must not read the API.
 */
export function allowedHost(header: string | undefined, bound: string, port: number | undefined): boolean {
  if (!header) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header.trim());
  if (!m) return false;
  const name = unbracket(m[1] as string).toLowerCase();
  if (m[2] !== undefined && Number(m[2]) !== port) return false;
  if (isLoopback(name)) return true;
  const b = unbracket(bound).toLowerCase();
  // Bound to every interface: any name (the token guards it; a non-loopback bind always has one).
  return name === b || b === '0.0.0.0' || b === '::';
}

/** With a token, every request carries it: `Authorization: Bearer`, or the cookie `/?token=` sets. */
export class TokenGate {
  private readonly want: Buffer;

  constructor(private readonly token: string) {
    this.want = digest(token);
  }

  /**
   * True when the request may go on; otherwise it has been answered: a 401, or for `/?token=…`
   * the cookie and a redirect to `/` (so the token leaves the address bar).
   */
  admit(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (url.pathname === '/' && url.searchParams.has('token')) {
      if (!same(digest(url.searchParams.get('token') ?? ''), this.want)) unauthorized(res);
      else {
        res.setHeader(
          'Set-Cookie',
          `${TOKEN_COOKIE}=${encodeURIComponent(this.token)}; HttpOnly; SameSite=Strict; Path=/`,
        );
        res.setHeader('Location', '/');
        res.statusCode = 303;
        res.end();
      }
      return false;
    }
    if (this.authorized(req)) return true;
    unauthorized(res);
    return false;
  }

  private authorized(req: IncomingMessage): boolean {
    const auth = req.headers.authorization;
    let ok = false;
    if (typeof auth === 'string' && /^Bearer\s+/i.test(auth))
      ok = same(digest(auth.replace(/^Bearer\s+/i, '').trim()), this.want);
    const cookie = readCookie(req.headers.cookie, TOKEN_COOKIE);
    if (cookie !== undefined) ok = same(digest(cookie), this.want) || ok;
    return ok;
  }
}

function unauthorized(res: ServerResponse): void {
  res.setHeader('WWW-Authenticate', 'Bearer realm="stackfeed"');
  json(res, 401, {
    error: { code: 'UNAUTHORIZED', message: 'a token is required (Authorization: Bearer, or open /?token=…)' },
  });
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
/** Constant time: both sides are SHA-256 digests, so their lengths never differ. */
const same = (a: Buffer, b: Buffer) => timingSafeEqual(a, b);

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function unbracket(host: string): string {
  return host.replace(/^\[|\]$/g, '');
}
