import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PHASES, type Phase, type ProviderId, StackfeedError } from '@stackfeed/core';
import type { Store } from '@stackfeed/store';
import sirv from 'sirv';
import { countInventory, filterInventory, type InventoryItem, readInventory } from './inventory.js';
import { deploymentJson, eventJson, itemJson, toBody } from './json.js';
import { LiveHub, serveStream } from './stream.js';
import type { KnownTarget, TargetBoard } from './targets.js';

/** The Content-Security-Policy of every response: the page loads its own files only, no inline code. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The cookie `GET /?token=…` sets, for the page's EventSource (which cannot send headers). */
export const TOKEN_COOKIE = 'sf_token';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** Where the history and the live events come from (embedded or PostgreSQL). */
  store: Store;
  /** The address to bind (default 127.0.0.1). Anything but loopback requires `token`. */
  host?: string | undefined;
  /** The port (default 0: any free port; the CLI passes its default). */
  port?: number | undefined;
  /** A bearer token every request must carry (header, or the cookie set by `/?token=`). */
  token?: string | undefined;
  /** Shown by `/api/health`. */
  version?: string | undefined;
  /** The targets this process follows, with their error state (the CLI's follow loops report to it). */
  board?: TargetBoard | undefined;
  /** More targets, read at each inventory (e.g. a fleet's status on PostgreSQL). */
  targets?: (() => Promise<readonly KnownTarget[]>) | undefined;
  /** How often `targets` is read for error changes to stream (default 5 s). */
  targetsPollMs?: number | undefined;
  /**
   * The page's built files (default: this package's `web/`, where `@stackfeed/dashboard-web`'s build puts them). When the directory is
   * missing, `/` answers with one line saying the page was not built; the API works regardless.
   */
  webRoot?: string | undefined;
  /** Between `: ping` comments on the stream (default 15 s). */
  pingMs?: number | undefined;
}

/** A running dashboard server. */
export interface DashboardServer {
  /** `http://host:port/` (IPv6 hosts in brackets). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops listening, ends the open streams. The store stays open (the caller owns it). */
  close(): Promise<void>;
}

/** Is this a loopback address or name? */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/**
 * Serve the dashboard: the API of docs/dashboard.md on the store (inventory, events, deployments,
 * a resumable Server-Sent Events stream) and the page's static files. Every response carries the
 * CSP and `X-Content-Type-Options: nosniff`; with a token, every request needs it.
 * @throws StackfeedError CONFIG: a non-loopback host without a token, or the port cannot be bound.
 */
export async function startDashboard(options: DashboardOptions): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token === '' ? undefined : options.token;
  if (!isLoopback(host) && token === undefined) {
    throw configError(
      `dashboard: --host ${host} is not loopback; it needs --token (anyone on the network could read it)`,
    );
  }
  const { store } = options;
  const hub = new LiveHub(store, {
    board: options.board,
    targets: options.targets,
    targetsPollMs: options.targetsPollMs ?? 5000,
    inventory: () => inventoryNow(),
  });
  const inventoryNow = async (): Promise<InventoryItem[]> => {
    const known: KnownTarget[] = [...(options.board?.list() ?? []), ...((await options.targets?.()) ?? [])];
    return readInventory(store, known);
  };
  const statics = staticHandler(options.webRoot ?? defaultWebRoot());
  const tokenDigest = token === undefined ? undefined : digest(token);
  const streams = new Set<() => void>();
  const api: Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>> = {
    '/api/health': async (_req, res) => {
      json(res, 200, { ok: true, store: store.engine, version: options.version ?? '0.0.0' });
    },
    '/api/inventory': async (_req, res, url) => {
      const q = url.searchParams;
      const items = filterInventory(await inventoryNow(), {
        provider: q.getAll('provider'),
        place: q.getAll('place'),
        name: q.get('name') ?? undefined,
        phase: phases(q.getAll('phase')),
        kind: kinds(q.getAll('kind')),
        since: date(q.get('since'), 'since'),
        until: date(q.get('until'), 'until'),
      });
      json(res, 200, { items: items.map(itemJson), counts: countInventory(items) });
    },
    '/api/events': async (_req, res, url) => {
      const q = url.searchParams;
      const limit = integer(q.get('limit'), 'limit', 1, 1000) ?? 200;
      const pages = store
        .storedEvents({
          ...eventFilter(q),
          since: date(q.get('since'), 'since'),
          until: date(q.get('until'), 'until'),
          resource: q.get('resource') || undefined,
          order: 'newest-first',
          pageSize: limit,
          continuationToken: q.get('pageToken') || undefined,
        })
        .byPage();
      const page = await pages.next();
      await pages.return?.(undefined);
      const items = page.done ? [] : page.value.items;
      const next = page.done ? undefined : page.value.continuationToken;
      json(res, 200, { items: items.map(eventJson), nextPageToken: next ?? null });
    },
    '/api/deployments': async (_req, res, url) => {
      const q = url.searchParams;
      const provider = required(q.get('provider'), 'provider') as ProviderId;
      const stack = required(q.get('stack'), 'stack');
      const items = await store.deployments({ provider, stack });
      json(res, 200, { items: items.map(deploymentJson) });
    },
    '/api/stream': async (req, res, url) => {
      const q = url.searchParams;
      const header = req.headers['last-event-id'];
      const after = (typeof header === 'string' && header !== '' ? header : undefined) ?? (q.get('after') || undefined);
      if (after !== undefined && !/^\d{1,19}$/.test(after)) {
        throw badRequest('Last-Event-ID (or after) must be a store sequence number');
      }
      await serveStream(req, res, {
        hub,
        store,
        after,
        filter: eventFilter(q),
        pingMs: options.pingMs ?? 15_000,
        streams,
      });
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    if (!tokenDigest && !allowedHost(req.headers.host, host, server)) {
      // A page on another site that rebinds its name to this address must not read the API.
      return json(res, 403, { error: { code: 'FORBIDDEN', message: 'this Host is not the dashboard' } });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return json(res, 405, { error: { code: 'BAD_REQUEST', message: `${req.method} is not allowed` } });
    }
    if (tokenDigest) {
      if (url.pathname === '/' && url.searchParams.has('token')) {
        if (!same(digest(url.searchParams.get('token') ?? ''), tokenDigest)) return unauthorized(res);
        res.setHeader(
          'Set-Cookie',
          `${TOKEN_COOKIE}=${encodeURIComponent(token as string)}; HttpOnly; SameSite=Strict; Path=/`,
        );
        res.setHeader('Location', '/');
        res.statusCode = 303;
        return res.end();
      }
      if (!authorized(req, tokenDigest)) return unauthorized(res);
    }
    if (url.pathname.startsWith('/api/')) {
      res.setHeader('Cache-Control', 'no-store');
      const route = api[url.pathname];
      if (route) return route(req, res, url);
      const m = /^\/api\/deployments\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (m) {
        const [provider, stack, id] = m.slice(1).map((s) => decodeURIComponent(s)) as [string, string, string];
        const d = await store.deployment({ provider: provider as ProviderId, stack, id });
        if (!d) return json(res, 404, { error: { code: 'NOT_FOUND', message: `no deployment ${id} of ${stack}` } });
        return json(res, 200, deploymentJson(d));
      }
      return json(res, 404, { error: { code: 'NOT_FOUND', message: `no API at ${url.pathname}` } });
    }
    return statics(req, res);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const { status, code, message } = toHttpError(err);
      json(res, status, { error: { code, message } });
    });
  });
  // A stream is long-lived by design: no request timeout may cut it.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(configError(`dashboard: cannot listen on ${host}:${options.port ?? 0}: ${err.code ?? err.message}`)),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  await hub.start();
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' || host.includes(':') ? `[${host.replace(/^\[|\]$/g, '')}]` : host;
  return {
    url: `http://${shown}:${addr.port}/`,
    host,
    port: addr.port,
    close: async () => {
      for (const end of [...streams]) end();
      await hub.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = toBody(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
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

function authorized(req: IncomingMessage, want: Buffer): boolean {
  const auth = req.headers.authorization;
  let ok = false;
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth))
    ok = same(digest(auth.replace(/^Bearer\s+/i, '').trim()), want);
  const cookie = readCookie(req.headers.cookie, TOKEN_COOKIE);
  if (cookie !== undefined) ok = same(digest(cookie), want) || ok;
  return ok;
}

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

function allowedHost(header: string | undefined, bound: string, server: Server): boolean {
  if (!header) return false;
  const port = (server.address() as AddressInfo | null)?.port;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header.trim());
  if (!m) return false;
  const name = (m[1] as string).replace(/^\[|\]$/g, '').toLowerCase();
  if (m[2] !== undefined && Number(m[2]) !== port) return false;
  if (isLoopback(name)) return true;
  const b = bound.replace(/^\[|\]$/g, '').toLowerCase();
  // Bound to every interface: any name (the token guards it; a non-loopback bind always has one).
  return name === b || b === '0.0.0.0' || b === '::';
}

/**
 * The built page: this package's `web/` folder (published with it; `@stackfeed/dashboard-web`'s
 * build writes it), found from `src/` and `dist/` alike.
 */
function defaultWebRoot(): string {
  return fileURLToPath(new URL('../web', import.meta.url));
}

const NOT_BUILT =
  'stackfeed dashboard: the page is not built (pnpm --filter @stackfeed/dashboard-web build); the API is under /api/\n';

function staticHandler(root: string): (req: IncomingMessage, res: ServerResponse) => void {
  let serve: ReturnType<typeof sirv> | undefined;
  const notBuilt = (res: ServerResponse) => {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(NOT_BUILT);
  };
  const notFound = (res: ServerResponse) => json(res, 404, { error: { code: 'NOT_FOUND', message: 'no such file' } });
  return (req, res) => {
    if (!serve) {
      if (!existsSync(join(root, 'index.html')) || !statSync(root).isDirectory()) return notBuilt(res);
      // Files are listed once, when the page is first asked for: a later build needs a restart.
      serve = sirv(root, { single: true, dotfiles: false, etag: true, gzip: false, brotli: false });
    }
    serve(req, res, () => notFound(res));
  };
}

function configError(message: string): StackfeedError {
  return new StackfeedError({ code: 'CONFIG', provider: 'core', operation: 'dashboard', message });
}

function badRequest(message: string): StackfeedError {
  return new StackfeedError({ code: 'BAD_REQUEST', provider: 'core', operation: 'dashboard', message });
}

function toHttpError(err: unknown): { status: number; code: string; message: string } {
  if (StackfeedError.is(err)) {
    const status = err.code === 'BAD_REQUEST' || err.code === 'CONFIG' ? 400 : err.code === 'NOT_FOUND' ? 404 : 500;
    return { status, code: status === 400 ? 'BAD_REQUEST' : err.code, message: err.message };
  }
  return { status: 500, code: 'SERVER', message: 'internal error' };
}

function required(v: string | null, name: string): string {
  if (v === null || v === '') throw badRequest(`${name} is required`);
  return v;
}

function date(v: string | null, name: string): Date | undefined {
  if (v === null || v === '') return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw badRequest(`${name}: ${JSON.stringify(v)} is not an ISO-8601 time`);
  return d;
}

function integer(v: string | null, name: string, min: number, max: number): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

function phases(list: string[]): Phase[] | undefined {
  const all = list.flatMap((p) => p.split(',')).filter((p) => p !== '');
  for (const p of all) {
    if (!(PHASES as readonly string[]).includes(p))
      throw badRequest(`phase: ${JSON.stringify(p)} is not one of ${PHASES.join(', ')}`);
  }
  return all.length ? (all as Phase[]) : undefined;
}

function kinds(list: string[]): string[] | undefined {
  const all = list.flatMap((p) => p.split(',')).filter((p) => p !== '');
  for (const k of all)
    if (!['stack', 'image', 'execution'].includes(k))
      throw badRequest(`kind: ${JSON.stringify(k)} is not stack, image or execution`);
  return all.length ? all : undefined;
}

/** The filters `/api/events` and `/api/stream` share. */
function eventFilter(q: URLSearchParams) {
  return {
    provider: (q.get('provider') || undefined) as ProviderId | undefined,
    stack: q.get('stack') || undefined,
    phase: phases(q.getAll('phase')),
    text: q.get('text') || undefined,
  };
}
