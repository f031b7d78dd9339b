import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';

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
  | { kind: 'empty' }
  /**
   * A 2xx JSON body of exactly `bytes` bytes (a valid array of small objects by default), generated
   * chunk by chunk as the client reads it: never held in memory, so gigabytes cost the emulator
   * nothing. Sent chunked unless `announceLength` (then with its true Content-Length).
   */
  | {
      kind: 'huge-body';
      bytes: number;
      status?: number;
      /** Text before the array (default `''`), e.g. `{"events":` to look like a listing. */
      prefix?: string;
      /** Text after the array (default `''`), e.g. `}`. */
      suffix?: string;
      announceLength?: boolean;
    }
  /**
   * A 2xx `Content-Encoding: gzip` body that inflates to `inflatedBytes` (default 3 GiB) of a valid
   * JSON array padded with spaces, from a few MB on the wire (about 1000:1). The compressed unit is
   * made once per process and repeated lazily (concatenated gzip members, as RFC 1952 allows).
   */
  | { kind: 'gzip-bomb'; inflatedBytes?: number; status?: number; prefix?: string; suffix?: string }
  /**
   * The handler's status and headers at once (with the body's true Content-Length), then the body
   * `bytesPerTick` bytes (default 1) per `intervalMs`: a server that never stalls long enough for
   * an idle timer yet never finishes in time.
   */
  | { kind: 'trickle'; intervalMs: number; bytesPerTick?: number }
  /** Accept the connection and read the request, then never answer (until the client gives up). */
  | { kind: 'silent' }
  /**
   * Answer `status` to every matching request for `durationMs` of wall-clock time counted from the
   * first request it matches (not a count of requests), then let requests through again.
   */
  | { kind: 'outage'; status: number; durationMs: number; body?: unknown; headers?: Record<string, string> }
  /**
   * An error answer whose text echoes what the request carried: the values of `headers` (request
   * header names, e.g. `x-auth-token`), what `pick(req)` returns (e.g. a password from the body) and
   * the literal `values`, joined by a space, starting at character `offset` of the text (so a value
   * can straddle a client's truncation point). The text is `wrap(text)` (default `{ message }`).
   */
  | {
      kind: 'reflect';
      offset: number;
      status?: number;
      headers?: string[];
      values?: string[];
      pick?: (req: EmulatorRequest) => string[];
      /** Characters of padding after the reflected values (default 100). */
      tail?: number;
      wrap?: (text: string) => unknown;
      replyHeaders?: Record<string, string>;
    }
  /**
   * The handler's answer with its JSON body rewritten by `rewrite` (status and headers kept, the
   * Content-Length recomputed; `status` replaces the status, e.g. to answer a cursor the handler
   * refused). Non-JSON bodies pass untouched. See `unorderedListing`.
   */
  | { kind: 'transform'; rewrite: (body: unknown, req: EmulatorRequest) => unknown; status?: number }
  /**
   * The handler's listing with the array at `path` (dot-separated keys, `''` for a top-level array)
   * grown to `count` items: copies of its items with every top-level string field whose key ends
   * in `id` (any case) suffixed `-hN` so they look distinct. An empty listing stays empty.
   */
  | { kind: 'huge-page'; path: string; count: number };

export interface FaultRule {
  fault: Fault;
  /** Only requests this predicate accepts (default: all). */
  match?: (req: EmulatorRequest) => boolean;
  /** How many matching requests get the fault (default 1; Infinity for all). */
  times?: number;
}

/** Queue of faults; the first rule whose predicate matches a request is applied and counted down. */
export class FaultInjector {
  private rules: Array<FaultRule & { left: number; endsAt?: number }> = [];

  /**
   * Inject `fault` into the next `times` matching requests. An `outage` is bounded by its duration
   * instead (`times` defaults to Infinity for it).
   */
  inject(fault: Fault, opts: { match?: (req: EmulatorRequest) => boolean; times?: number } = {}): this {
    const left = opts.times ?? (fault.kind === 'outage' ? Number.POSITIVE_INFINITY : 1);
    this.rules.push({ fault, ...(opts.match ? { match: opts.match } : {}), left });
    return this;
  }

  clear(): void {
    this.rules = [];
  }

  /** Faults still waiting to fire. */
  get pending(): number {
    return this.rules.reduce((n, r) => n + (Number.isFinite(r.left) ? r.left : 1), 0);
  }

  take(req: EmulatorRequest, now = Date.now()): Fault | undefined {
    for (const rule of this.rules) {
      if (rule.left <= 0) continue;
      if (rule.match && !rule.match(req)) continue;
      if (rule.fault.kind === 'outage') {
        rule.endsAt ??= now + rule.fault.durationMs;
        if (now >= rule.endsAt) {
          rule.left = 0;
          continue;
        }
      }
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
  /**
   * Stop the server (its listener, open connections, fault timers) from keeping the process
   * alive, while it goes on serving: a child process can then show that only what the *client*
   * left behind (a timer, a socket it still waits on) keeps it from exiting.
   */
  unref(): void;
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

/** The timers of one server: cleared by close(), unref'd with it. */
class ServerTimers {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Whether the server no longer keeps the process alive (new timers and sockets follow it). */
  unrefd = false;

  later(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    if (this.unrefd) t.unref();
    this.timers.add(t);
    return t;
  }

  cancel(t: ReturnType<typeof setTimeout>): void {
    clearTimeout(t);
    this.timers.delete(t);
  }

  unref(): void {
    this.unrefd = true;
    for (const t of this.timers) t.unref();
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
  }
}

/** What a fault's reply may use of its server: the real handler (for faults that bend its reply) and its timers. */
interface FaultContext {
  handler: Handler;
  timers: ServerTimers;
}

type FaultReply<K extends Fault['kind']> = (
  fault: Extract<Fault, { kind: K }>,
  req: EmulatorRequest,
  res: ServerResponse,
  ctx: FaultContext,
) => void | Promise<void>;

/** How each injected fault answers a request, by kind. */
const FAULT_REPLIES: { [K in Fault['kind']]: FaultReply<K> } = {
  status: (fault, _req, res) =>
    send(res, {
      status: fault.status,
      body: fault.body ?? { message: `injected ${fault.status}` },
      ...(fault.headers ? { headers: fault.headers } : {}),
    }),
  throttle: (fault, _req, res) =>
    send(res, {
      status: fault.status ?? 429,
      headers: fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {},
      body: fault.body ?? { message: 'Too Many Requests' },
    }),
  reset: (_fault, _req, res) => {
    res.socket?.destroy();
  },
  'reset-mid-body': async (_fault, req, res, ctx) => {
    const { body, headers } = encode(await ctx.handler(req));
    res.writeHead(200, { ...headers, 'content-length': String(body.length) });
    res.write(body.subarray(0, Math.floor(body.length / 2)));
    // Give the bytes a moment to leave, then cut the connection.
    ctx.timers.later(() => res.socket?.destroy(), 5);
  },
  delay: async (fault, req, res, ctx) => {
    await new Promise<void>((resolve) => {
      const t = ctx.timers.later(resolve, fault.ms);
      res.on('close', () => {
        ctx.timers.cancel(t);
        resolve();
      });
    });
    if (res.destroyed || res.writableEnded) return;
    return send(res, await ctx.handler(req));
  },
  'malformed-json': (_fault, _req, res) =>
    send(res, {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"events": [{"id": "abc", ',
    }),
  truncated: async (_fault, req, res, ctx) => {
    const { body } = encode(await ctx.handler(req));
    return send(res, {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: body.subarray(0, Math.max(1, Math.floor(body.length / 2))),
    });
  },
  html: (fault, _req, res) =>
    send(res, {
      status: fault.status ?? 502,
      headers: { 'content-type': 'text/html' },
      body: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>',
    }),
  empty: (_fault, _req, res) => send(res, { status: 200, headers: { 'content-type': 'application/json' }, body: '' }),
  'huge-body': (fault, _req, res) => {
    const parts = hugeJsonBody(fault.bytes, fault.prefix ?? '', fault.suffix ?? '');
    res.writeHead(fault.status ?? 200, {
      'content-type': 'application/json',
      ...(fault.announceLength ? { 'content-length': String(fault.bytes) } : {}),
    });
    return stream(res, parts);
  },
  'gzip-bomb': (fault, _req, res) => {
    const bomb = gzipBomb(fault.inflatedBytes ?? 3 * 1024 ** 3, fault.prefix ?? '', fault.suffix ?? '');
    res.writeHead(fault.status ?? 200, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'content-length': String(bomb.compressedBytes),
    });
    return stream(res, bomb.chunks());
  },
  trickle: async (fault, req, res, ctx) => {
    const reply = await ctx.handler(req);
    const { body, headers } = encode(reply);
    res.writeHead(reply.status, { ...headers, 'content-length': String(body.length) });
    const step = Math.max(1, fault.bytesPerTick ?? 1);
    let at = 0;
    const tick = () => {
      if (res.destroyed) return;
      const next = body.subarray(at, at + step);
      at += next.length;
      if (at >= body.length) return void res.end(next);
      res.write(next);
      ctx.timers.later(tick, fault.intervalMs);
    };
    tick();
  },
  // The socket stays open until the client leaves or close() destroys it.
  silent: () => undefined,
  outage: (fault, _req, res) =>
    send(res, {
      status: fault.status,
      body: fault.body ?? { message: `injected outage ${fault.status}` },
      ...(fault.headers ? { headers: fault.headers } : {}),
    }),
  reflect: (fault, req, res) => {
    const echoed = [
      ...(fault.headers ?? []).map((h) => headerValue(req.headers[h.toLowerCase()])),
      ...(fault.pick ? fault.pick(req) : []),
      ...(fault.values ?? []),
    ].join(' ');
    const text = `${filler(fault.offset, 'reflect ')}${echoed}${filler(fault.tail ?? 100, ' padding')}`;
    return send(res, {
      status: fault.status ?? 400,
      ...(fault.replyHeaders ? { headers: fault.replyHeaders } : {}),
      body: fault.wrap ? fault.wrap(text) : { message: text },
    });
  },
  transform: async (fault, req, res, ctx) => {
    const reply = await ctx.handler(req);
    const json = asJson(reply.body);
    if (json === undefined) return send(res, reply);
    return send(res, { ...reply, status: fault.status ?? reply.status, body: fault.rewrite(json, req) });
  },
  'huge-page': async (fault, req, res, ctx) => {
    const reply = await ctx.handler(req);
    const json = asJson(reply.body);
    const items = json === undefined ? undefined : getPath(json, fault.path);
    if (!Array.isArray(items) || items.length === 0) return send(res, reply);
    const grown = Array.from({ length: fault.count }, (_, i) => distinctCopy(items[i % items.length], i));
    return send(res, { ...reply, body: setPath(json, fault.path, grown) });
  },
};

/** Answer `req`: the handler's reply, or the fault injected for it. */
async function serve(req: EmulatorRequest, res: ServerResponse, fault: Fault | undefined, ctx: FaultContext) {
  if (!fault) return send(res, await ctx.handler(req));
  const reply = FAULT_REPLIES[fault.kind] as FaultReply<Fault['kind']>;
  return reply(fault, req, res, ctx);
}

/** The request as a handler sees it, from the node request and its body. */
function toEmulatorRequest(req: IncomingMessage, body: string): EmulatorRequest {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  return {
    method: req.method ?? 'GET',
    // Concatenated, not resolved: a path starting with `//` must stay a path, not become a host.
    url: toUrl(rawUrl, req.headers.host),
    rawPath: q === -1 ? rawUrl : rawUrl.slice(0, q),
    rawQuery: q === -1 ? '' : rawUrl.slice(q + 1),
    headers: req.headers,
    body,
    params: {},
  };
}

/** Start an HTTP server on loopback that serves `handler`, with fault injection in front. */
export async function startEmulator(opts: StartOptions): Promise<EmulatorServer> {
  const faults = new FaultInjector();
  const requests: RecordedRequest[] = [];
  const keep = opts.keepRequests ?? 1000;
  const sockets = new Set<Socket>();
  const timers = new ServerTimers();
  const ctx: FaultContext = { handler: opts.handler, timers };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const er = toEmulatorRequest(req, Buffer.concat(chunks).toString('utf8'));
      const fault = faults.take(er);
      requests.push({
        method: er.method,
        path: er.rawPath,
        query: er.rawQuery,
        headers: er.headers,
        body: er.body,
        ...(fault ? { fault: fault.kind } : {}),
      });
      if (requests.length > keep) requests.shift();
      void serve(er, res, fault, ctx).catch((err: unknown) => {
        if (!res.headersSent) {
          send(res, { status: 500, body: { message: `emulator handler failed: ${String(err)}` } });
        } else res.destroy();
      });
    });
  };
  const server: Server = opts.tls
    ? (createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, onRequest) as unknown as Server)
    : createServer(onRequest);
  server.on('connection', (s: Socket) => {
    if (timers.unrefd) s.unref();
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
    unref: () => {
      timers.unref();
      server.unref();
      for (const s of sockets) s.unref();
    },
    close: () =>
      new Promise<void>((resolve) => {
        timers.clear();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Pipe lazily generated chunks to the response, honouring back-pressure; a client leaving ends it. */
async function stream(res: ServerResponse, chunks: Iterable<Buffer>): Promise<void> {
  try {
    await pipeline(Readable.from(chunks, { objectMode: false }), res);
  } catch {
    // The client hung up (the expected end of a refused body).
  }
}

const CHUNK_BYTES = 64 * 1024;

/**
 * Exactly `bytes` bytes: `prefix[` + `{"id":"hN","pad":"…"},` repeated + spaces + `{}]suffix`, a
 * valid JSON document. Bodies too small for the frame are `prefix[]suffix` padded with spaces.
 */
export function* hugeJsonBody(bytes: number, prefix = '', suffix = ''): Generator<Buffer> {
  const head = Buffer.from(`${prefix}[`);
  const tail = Buffer.from(`{}]${suffix}`);
  let left = bytes - head.length - tail.length;
  if (left < 0) {
    yield Buffer.from(`${prefix}[]${suffix}`);
    return;
  }
  yield head;
  const unit = `{"id":"h0000000","pad":"${'x'.repeat(40)}"},`;
  const perChunk = Math.floor(CHUNK_BYTES / unit.length);
  const chunk = Buffer.from(unit.repeat(perChunk));
  while (left >= chunk.length) {
    yield chunk;
    left -= chunk.length;
  }
  const units = Math.floor(left / unit.length);
  if (units > 0) yield chunk.subarray(0, units * unit.length);
  left -= units * unit.length;
  if (left > 0) yield Buffer.alloc(left, ' ');
  yield tail;
}

/** Inflated bytes per gzip member of the bomb. */
const BOMB_UNIT = 16 * 1024 * 1024;
let bombUnit: Buffer | undefined;

/**
 * A gzip stream of `prefix[` + spaces + `]suffix` inflating to `inflatedBytes` (at least the frame);
 * one member of BOMB_UNIT spaces is compressed once per process (~16 KB) and repeated.
 */
export function gzipBomb(
  inflatedBytes: number,
  prefix = '',
  suffix = '',
): { compressedBytes: number; chunks: () => Generator<Buffer> } {
  bombUnit ??= gzipSync(Buffer.alloc(BOMB_UNIT, ' '), { level: 9 });
  const unit = bombUnit;
  const head = gzipSync(Buffer.from(`${prefix}[`));
  const tailText = `]${suffix}`;
  const spaces = Math.max(0, inflatedBytes - Buffer.byteLength(`${prefix}[`) - Buffer.byteLength(tailText));
  const units = Math.floor(spaces / BOMB_UNIT);
  const tail = gzipSync(Buffer.concat([Buffer.alloc(spaces - units * BOMB_UNIT, ' '), Buffer.from(tailText)]));
  return {
    compressedBytes: head.length + units * unit.length + tail.length,
    *chunks() {
      yield head;
      for (let i = 0; i < units; i++) yield unit;
      yield tail;
    },
  };
}

/**
 * A `transform` fault that reorders the listing array at `path` (dot-separated keys, `''` for a
 * top-level array) into a stable order that is not time order: items sorted by a hash of their
 * JSON, so the same items always come back in the same (wrong) order, poll after poll.
 */
export function unorderedListing(path: string): Fault {
  return {
    kind: 'transform',
    rewrite: (body) => {
      const items = getPath(body, path);
      if (!Array.isArray(items)) return body;
      const keyed = items.map((item) => ({ item, key: fnv1a(JSON.stringify(item)) }));
      keyed.sort((a, b) => a.key - b.key);
      return setPath(
        body,
        path,
        keyed.map((k) => k.item),
      );
    },
  };
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A JSON copy of a reply body (objects, or strings/buffers holding JSON); undefined otherwise. */
function asJson(body: unknown): unknown {
  try {
    if (Buffer.isBuffer(body)) return JSON.parse(body.toString('utf8'));
    if (typeof body === 'string') return JSON.parse(body);
    if (body !== null && typeof body === 'object') return JSON.parse(JSON.stringify(body));
  } catch {
    return undefined;
  }
  return undefined;
}

function getPath(json: unknown, path: string): unknown {
  let at = json;
  for (const key of path.split('.').filter(Boolean)) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function setPath(json: unknown, path: string, value: unknown): unknown {
  const keys = path.split('.').filter(Boolean);
  if (keys.length === 0) return value;
  let at = json as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[keys[keys.length - 1] as string] = value;
  return json;
}

function distinctCopy(item: unknown, i: number): unknown {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
  const copy: Record<string, unknown> = { ...(item as Record<string, unknown>) };
  for (const [k, v] of Object.entries(copy)) if (/id$/i.test(k) && typeof v === 'string') copy[k] = `${v}-h${i}`;
  return copy;
}

function headerValue(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

/** `n` characters of `pattern` repeated. */
function filler(n: number, pattern: string): string {
  return pattern.repeat(Math.ceil(n / pattern.length)).slice(0, n);
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
