import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** A request as an emulator handler sees it. */
export interface EmulatorRequest {
  method: string;
  url: URL;
  /** The raw path as sent (still percent-encoded), e.g. for signature checks. */
  rawPath: string;
  /** The raw query string without `?`. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Route parameters (decoded) when the request matched a Router route. */
  params: Record<string, string>;
}

export interface EmulatorReply {
  status: number;
  headers?: Record<string, string | string[]>;
  /** Objects are sent as JSON; strings and buffers as they are. */
  body?: unknown;
}

export type Handler = (req: EmulatorRequest) => EmulatorReply | Promise<EmulatorReply>;

/** The faults the harness can inject in place of (or on top of) a handler's answer. */
export type Fault =
  /** Answer with this status (and body) instead of calling the handler. */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** 429 (or `status`) with an optional Retry-After (seconds or an HTTP date). */
  | { kind: 'throttle'; retryAfter?: number | string; status?: number; body?: unknown }
  /** Close the connection before sending anything. */
  | { kind: 'reset' }
  /** Send the headers and half the body, then close the connection. */
  | { kind: 'reset-mid-body' }
  /** Wait before answering (past the client's timeout, typically). */
  | { kind: 'delay'; ms: number }
  /** 200 with a body that is not JSON. */
  | { kind: 'malformed-json' }
  /** The handler's body cut in half, with a matching Content-Length (a proxy's truncation). */
  | { kind: 'truncated' }
  /** An HTML error page, as a proxy or load balancer sends it. */
  | { kind: 'html'; status?: number }
  /** A 200 with an empty body. */
  | { kind: 'empty' };

export interface FaultRule {
  fault: Fault;
  /** Only requests this predicate accepts (default: all). */
  match?: (req: EmulatorRequest) => boolean;
  /** How many matching requests get the fault (default 1; Infinity for all). */
  times?: number;
}

/** Queue of faults; the first rule whose predicate matches a request is applied and counted down. */
export class FaultInjector {
  private rules: Array<FaultRule & { left: number }> = [];

  /** Inject `fault` into the next `times` matching requests. */
  inject(fault: Fault, opts: { match?: (req: EmulatorRequest) => boolean; times?: number } = {}): this {
    this.rules.push({ fault, ...(opts.match ? { match: opts.match } : {}), left: opts.times ?? 1 });
    return this;
  }

  clear(): void {
    this.rules = [];
  }

  /** Faults still waiting to fire. */
  get pending(): number {
    return this.rules.reduce((n, r) => n + (Number.isFinite(r.left) ? r.left : 1), 0);
  }

  take(req: EmulatorRequest): Fault | undefined {
    for (const rule of this.rules) {
      if (rule.left <= 0) continue;
      if (rule.match && !rule.match(req)) continue;
      rule.left--;
      return rule.fault;
    }
    return undefined;
  }
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Fault applied to this request, if any. */
  fault?: Fault['kind'];
}

export interface EmulatorServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly port: number;
  readonly faults: FaultInjector;
  /** The last requests received (bounded), oldest first. */
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface StartOptions {
  handler: Handler;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** How many requests to keep in `requests` (default 1000). */
  keepRequests?: number;
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP; `url` starts with `https://`. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/** Start an HTTP server on loopback that serves `handler`, with fault injection in front. */
export async function startEmulator(opts: StartOptions): Promise<EmulatorServer> {
  const faults = new FaultInjector();
  const requests: RecordedRequest[] = [];
  const keep = opts.keepRequests ?? 1000;
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawUrl = req.url ?? '/';
      const q = rawUrl.indexOf('?');
      const er: EmulatorRequest = {
        method: req.method ?? 'GET',
        // Concatenated, not resolved: a path starting with `//` must stay a path, not become a host.
        url: toUrl(rawUrl, req.headers.host),
        rawPath: q === -1 ? rawUrl : rawUrl.slice(0, q),
        rawQuery: q === -1 ? '' : rawUrl.slice(q + 1),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        params: {},
      };
      const fault = faults.take(er);
      const rec: RecordedRequest = {
        method: er.method,
        path: er.rawPath,
        query: er.rawQuery,
        headers: er.headers,
        body: er.body,
        ...(fault ? { fault: fault.kind } : {}),
      };
      requests.push(rec);
      if (requests.length > keep) requests.shift();
      void serve(er, res, fault).catch((err: unknown) => {
        if (!res.headersSent) {
          send(res, { status: 500, body: { message: `emulator handler failed: ${String(err)}` } });
        } else res.destroy();
      });
    });
  };
  const server: Server = opts.tls
    ? (createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, onRequest) as unknown as Server)
    : createServer(onRequest);

  const serve = async (req: EmulatorRequest, res: ServerResponse, fault: Fault | undefined) => {
    if (!fault) return send(res, await opts.handler(req));
    switch (fault.kind) {
      case 'status':
        return send(res, {
          status: fault.status,
          body: fault.body ?? { message: `injected ${fault.status}` },
          ...(fault.headers ? { headers: fault.headers } : {}),
        });
      case 'throttle':
        return send(res, {
          status: fault.status ?? 429,
          headers: fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {},
          body: fault.body ?? { message: 'Too Many Requests' },
        });
      case 'reset':
        res.socket?.destroy();
        return;
      case 'reset-mid-body': {
        const { body, headers } = encode(await opts.handler(req));
        res.writeHead(200, { ...headers, 'content-length': String(body.length) });
        res.write(body.subarray(0, Math.floor(body.length / 2)));
        // Give the bytes a moment to leave, then cut the connection.
        const t = setTimeout(() => {
          timers.delete(t);
          res.socket?.destroy();
        }, 5);
        timers.add(t);
        return;
      }
      case 'delay': {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, fault.ms);
          timers.add(t);
          res.on('close', () => {
            clearTimeout(t);
            timers.delete(t);
            resolve();
          });
        });
        if (res.destroyed || res.writableEnded) return;
        return send(res, await opts.handler(req));
      }
      case 'malformed-json':
        return send(res, {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: '{"events": [{"id": "abc", ',
        });
      case 'truncated': {
        const { body } = encode(await opts.handler(req));
        return send(res, {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: body.subarray(0, Math.max(1, Math.floor(body.length / 2))),
        });
      }
      case 'html':
        return send(res, {
          status: fault.status ?? 502,
          headers: { 'content-type': 'text/html' },
          body: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>',
        });
      case 'empty':
        return send(res, { status: 200, headers: { 'content-type': 'application/json' }, body: '' });
    }
  };

  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  return {
    url: `${opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    faults,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function toUrl(rawUrl: string, host: string | undefined): URL {
  const base = `http://${host && /^[\w.:[\]-]+$/.test(host) ? host : '127.0.0.1'}`;
  try {
    return new URL(rawUrl.startsWith('/') ? `${base}${rawUrl}` : rawUrl, base);
  } catch {
    return new URL('/', base);
  }
}

function encode(reply: EmulatorReply): { body: Buffer; headers: Record<string, string | string[]> } {
  const headers: Record<string, string | string[]> = { ...(reply.headers ?? {}) };
  let body: Buffer;
  if (reply.body === undefined || reply.body === null) body = Buffer.alloc(0);
  else if (Buffer.isBuffer(reply.body)) body = reply.body;
  else if (typeof reply.body === 'string') body = Buffer.from(reply.body, 'utf8');
  else {
    body = Buffer.from(JSON.stringify(reply.body), 'utf8');
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
  }
  return { body, headers };
}

function send(res: ServerResponse, reply: EmulatorReply): void {
  if (res.destroyed) return;
  const { body, headers } = encode(reply);
  res.writeHead(reply.status, { ...headers, 'content-length': String(body.length) });
  res.end(body);
}

/** A tiny router: `router.on('GET', '/v1/:tenant/stacks/:name', handler)`; params are decoded. */
export class Router {
  private readonly routes: Array<{ method: string; parts: string[]; handler: Handler }> = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method: method.toUpperCase(), parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /** The handler to pass to startEmulator; unmatched requests get `fallback` (default 404). */
  handler(fallback?: Handler): Handler {
    return (req) => {
      const segs = req.rawPath.split('/').filter(Boolean);
      for (const r of this.routes) {
        if (r.method !== req.method && !(r.method === 'GET' && req.method === 'HEAD')) continue;
        const params = matchParts(r.parts, segs);
        if (params) return r.handler({ ...req, params });
      }
      return fallback ? fallback(req) : { status: 404, body: { message: `no route for ${req.method} ${req.rawPath}` } };
    };
  }
}

function matchParts(pattern: string[], segs: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  let i = 0;
  for (; i < pattern.length; i++) {
    const p = pattern[i] as string;
    if (p === '*') {
      params['*'] = segs.slice(i).map(safeDecode).join('/');
      return params;
    }
    const s = segs[i];
    if (s === undefined) return undefined;
    if (p.startsWith(':')) params[p.slice(1)] = safeDecode(s);
    else if (p !== s) return undefined;
  }
  return i === segs.length ? params : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
