import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type SdkHttpRequest,
  SdkRequestHandler,
  SdkTransportError,
  StackfeedError,
  sdkClientConfig,
  sdkErrorToStackfeedError,
} from './entry.js';

type Respond = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;
let respond: Respond = (_req, res) => res.end('{}');
let server: http.Server;
let port: number;
const seen: Array<{ method?: string; url?: string; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, body });
      respond(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
afterEach(() => {
  seen.length = 0;
});

const request = (p: number, over: Partial<SdkHttpRequest> = {}): SdkHttpRequest => ({
  method: 'POST',
  protocol: 'http:',
  hostname: '127.0.0.1',
  port: p,
  path: '/ListThings',
  headers: { 'content-type': 'application/json' },
  body: '{"maxResults":5}',
  ...over,
});

const handlers: SdkRequestHandler[] = [];
const handler = (o: Partial<ConstructorParameters<typeof SdkRequestHandler>[0]> = {}) => {
  const h = new SdkRequestHandler({ provider: 'aws-imagebuilder', ...o });
  handlers.push(h);
  return h;
};
afterAll(() => {
  for (const h of handlers) h.destroy();
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as SdkTransportError,
  );

describe('SdkRequestHandler (the requestHandler of SDK v3 clients)', () => {
  it('sends method, path, sorted RFC 3986 query, headers and body; returns status, headers and the whole body', async () => {
    respond = (_req, res) => {
      res.setHeader('x-amzn-requestid', 'r-1');
      res.end('{"ok":true}');
    };
    const { response } = await handler().handle(
      request(port, {
        query: { b: 'x y', a: ["it's", null] },
        headers: { 'content-type': 'application/json', 'x-amz-date': 'd' },
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-amzn-requestid']).toBe('r-1');
    expect(Buffer.from(response.body).toString()).toBe('{"ok":true}');
    expect(seen[0]).toEqual({ method: 'POST', url: '/ListThings?a=it%27s&a&b=x%20y', body: '{"maxResults":5}' });
  });

  it('sends an encoded path as it is, and a path a URL would rewrite as that URL would (dot segments, spaces)', async () => {
    const h = handler();
    const sent = async (path: string, query?: SdkHttpRequest['query']) => {
      seen.length = 0;
      await h.handle(request(port, { path, query, method: 'GET', body: undefined }));
      return seen[0]?.url;
    };
    expect(await sent('/things/a%2Fb/%7Eowner:x@y', { k: 'v' })).toBe('/things/a%2Fb/%7Eowner:x@y?k=v');
    expect(await sent('//double//slash')).toBe('//double//slash');
    expect(await sent('/a/./b/../c', { k: 'v' })).toBe('/a/c?k=v');
    expect(await sent('/a/%2e%2E/c')).toBe('/c');
    expect(await sent('/with space/é')).toBe('/with%20space/%C3%A9');
  });

  it('a body over maxResponseBytes is INVALID_RESPONSE naming the limit, not retried', async () => {
    respond = (_req, res) => res.end('x'.repeat(5000));
    const err = await failure(handler({ maxResponseBytes: 4096 }).handle(request(port)));
    expect(err).toBeInstanceOf(SdkTransportError);
    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('maxResponseBytes (4096 bytes');
  });

  it('a gzip bomb is counted after decompression: INVALID_RESPONSE (a small gzip body is decoded for the SDK)', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024));
    respond = (_req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.end(bomb);
    };
    expect(bomb.length).toBeLessThan(64 * 1024);
    const err = await failure(handler({ maxResponseBytes: 1024 * 1024 }).handle(request(port)));
    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.message).toContain('after decompression');
    respond = (_req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.end(zlib.gzipSync('{"a":1}'));
    };
    const { response } = await handler().handle(request(port));
    expect(Buffer.from(response.body).toString()).toBe('{"a":1}');
    expect(response.headers['content-encoding']).toBeUndefined();
  });

  it('a body trickling a byte every 100 ms fails TIMEOUT at the deadline (a stall timer would never fire)', async () => {
    let ticker: NodeJS.Timeout | undefined;
    respond = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      ticker = setInterval(() => res.write(' '), 100);
    };
    const err = await failure(handler({ timeoutMs: 600 }).handle(request(port)));
    clearInterval(ticker);
    expect(err.code).toBe('TIMEOUT');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('timeoutMs (600 ms)');
  });

  it('a server that accepts and never answers fails TIMEOUT', async () => {
    respond = () => {};
    const err = await failure(handler({ timeoutMs: 300 }).handle(request(port)));
    expect(err.code).toBe('TIMEOUT');
  });

  it('a body cut before its Content-Length is NETWORK, retryable', async () => {
    respond = (_req, res) => {
      res.writeHead(200, { 'content-length': '100', 'content-type': 'application/json' });
      res.write('{"items":[');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const err = await failure(handler().handle(request(port)));
    expect(err.code).toBe('NETWORK');
    expect(err.retryable).toBe(true);
  });

  it('garbage instead of HTTP is NETWORK, retryable', async () => {
    const junk = net.createServer((s) => {
      s.once('data', () => s.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    });
    await new Promise<void>((r) => junk.listen(0, '127.0.0.1', r));
    try {
      const err = await failure(handler().handle(request((junk.address() as AddressInfo).port)));
      expect(err.code).toBe('NETWORK');
      expect(err.retryable).toBe(true);
      const sf = sdkErrorToStackfeedError(err, { provider: 'aws-imagebuilder', operation: 'listThings' });
      expect(sf).toBeInstanceOf(StackfeedError);
      expect(sf).toMatchObject({ code: 'NETWORK', retryable: true, operation: 'listThings' });
    } finally {
      await new Promise((r) => junk.close(r));
    }
  });

  it('abortSignal cuts the exchange short with an AbortError', async () => {
    respond = () => {};
    const ac = new AbortController();
    const p = failure(handler().handle(request(port), { abortSignal: ac.signal }));
    setTimeout(() => ac.abort(), 50);
    const err = await p;
    expect((err as Error).name).toBe('AbortError');
  });

  it('invalid timeoutMs / maxResponseBytes / region are CONFIG at sdkClientConfig', () => {
    for (const bad of [
      { timeoutMs: 0 },
      { maxResponseBytes: -1 },
      { timeoutMs: Number.NaN },
      { region: 'us-east-1\r\nx: y' },
    ]) {
      let err: unknown;
      try {
        sdkClientConfig({ provider: 'aws-imagebuilder', ...bad });
      } catch (e) {
        err = e;
      }
      expect(StackfeedError.is(err, 'CONFIG'), JSON.stringify(bad)).toBe(true);
    }
    const c = sdkClientConfig({ provider: 'aws-imagebuilder', region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' });
    expect(c.maxAttempts).toBe(1);
    expect(c.requestHandler).toBeInstanceOf(SdkRequestHandler);
    c.requestHandler.destroy();
  });
});

describe('SdkRequestHandler: TLS', () => {
  let dir: string;
  let tlsServer: https.Server;
  let tlsPort: number;
  let cert: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-sdk-tls-'));
    // A self-signed certificate for 127.0.0.1, made at test time.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    tlsServer = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (_req, res) => res.end('{}'));
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
    tlsPort = (tlsServer.address() as AddressInfo).port;
  });
  afterAll(async () => {
    tlsServer.closeAllConnections();
    await new Promise((r) => tlsServer.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies certificates by default (NETWORK, not retryable); tls.ca trusts the server', async () => {
    const err = await failure(handler().handle(request(tlsPort, { protocol: 'https:' })));
    expect(err.code).toBe('NETWORK');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('tls.ca');
    const { response } = await handler({ tls: { ca: cert } }).handle(request(tlsPort, { protocol: 'https:' }));
    expect(response.statusCode).toBe(200);
  });
});
