import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from '@stackfeed/store';
import { allowedHost, isLoopback, TokenGate, unbracket } from './access.js';
import { configError, jsonError, SECURITY_HEADERS, toHttpError } from './http.js';
import { type InventoryItem, readInventory } from './inventory.js';
import { type ApiContext, serveApi } from './routes.js';
import { defaultWebRoot, staticHandler } from './static-files.js';
import { LiveHub } from './stream.js';
import type { KnownTarget, TargetBoard } from './targets.js';

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
  const inventory = async (): Promise<InventoryItem[]> => {
    const known: KnownTarget[] = [...(options.board?.list() ?? []), ...((await options.targets?.()) ?? [])];
    return readInventory(store, known);
  };
  const hub = new LiveHub(store, {
    board: options.board,
    targets: options.targets,
    targetsPollMs: options.targetsPollMs ?? 5000,
    inventory,
  });
  const streams = new Set<() => void>();
  const server = createServer();
  const handle = requestHandler({
    host,
    server,
    gate: token === undefined ? undefined : new TokenGate(token),
    api: { store, hub, inventory, version: options.version ?? '0.0.0', pingMs: options.pingMs ?? 15_000, streams },
    statics: staticHandler(options.webRoot ?? defaultWebRoot()),
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const { status, code, message } = toHttpError(err);
      jsonError(res, status, code, message);
    });
  });
  await listen(server, host, options.port ?? 0);
  await hub.start();
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' || host.includes(':') ? `[${unbracket(host)}]` : host;
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

/** Every request: the security headers, the Host (without a token) or the token, the method; then the API or the page. */
function requestHandler(o: {
  host: string;
  server: Server;
  gate: TokenGate | undefined;
  api: ApiContext;
  statics: (req: IncomingMessage, res: ServerResponse) => void;
}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const port = (o.server.address() as AddressInfo | null)?.port;
    if (!o.gate && !allowedHost(req.headers.host, o.host, port)) {
      // A page on another site that rebinds its name to this address must not read the API.
      return jsonError(res, 403, 'FORBIDDEN', 'this Host is not the dashboard');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return jsonError(res, 405, 'BAD_REQUEST', `${req.method} is not allowed`);
    }
    if (o.gate && !o.gate.admit(req, res, url)) return;
    if (url.pathname.startsWith('/api/')) return serveApi(o.api, req, res, url);
    return o.statics(req, res);
  };
}

/** Bind, or a CONFIG error naming the address and why. */
function listen(server: Server, host: string, port: number): Promise<void> {
  // A stream is long-lived by design: no request timeout may cut it.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  return new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(configError(`dashboard: cannot listen on ${host}:${port}: ${err.code ?? err.message}`)),
    );
    server.listen(port, host, () => resolve());
  });
}
