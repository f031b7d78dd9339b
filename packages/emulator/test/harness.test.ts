import { Agent, request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type EmulatorRequest,
  type EmulatorServer,
  FaultInjector,
  type Handler,
  Router,
  startEmulator,
} from '../src/index.js';

const servers: EmulatorServer[] = [];
async function start(handler: Handler, extra: { keepRequests?: number } = {}): Promise<EmulatorServer> {
  const s = await startEmulator({ handler, ...extra });
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request: the path goes on the wire exactly as given (no URL normalization). */
function raw(
  server: EmulatorServer,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; agent?: Agent; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: opts.method ?? 'GET',
        headers: opts.headers,
        ...(opts.agent ? { agent: opts.agent } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const echo: Handler = (req) => ({
  status: 200,
  body: { params: req.params, path: req.rawPath, query: req.rawQuery, pathname: req.url.pathname, host: req.url.host },
});

describe('Router', () => {
  it('decodes params, matches segments exactly, and keeps the raw path', async () => {
    const router = new Router()
      .on('GET', '/v1/:tenant/stacks/:name/events', echo)
      .on('GET', '/v1/:tenant/stacks', echo)
      .on('POST', '/v1/:tenant/stacks', () => ({ status: 201, body: { created: true } }))
      .on('GET', '/files/*', echo);
    const s = await start(router.handler());
    const r1 = JSON.parse((await raw(s, '/v1/t%201/stacks/a%2Fb%3Fc%23d/events?marker=x%20y')).body);
    expect(r1.params).toEqual({ tenant: 't 1', name: 'a/b?c#d' });
    expect(r1.path).toBe('/v1/t%201/stacks/a%2Fb%3Fc%23d/events');
    expect(r1.query).toBe('marker=x%20y');
    const r2 = JSON.parse((await raw(s, '/files/a/b%20c/d')).body);
    expect(r2.params).toEqual({ '*': 'a/b c/d' });
    // a malformed escape is passed through rather than crashing the route
    const r3 = JSON.parse((await raw(s, '/v1/%E0%A4%A/stacks')).body);
    expect(r3.params).toEqual({ tenant: '%E0%A4%A' });
    // trailing slash is the same route
    expect((await raw(s, '/v1/t/stacks/')).status).toBe(200);
    // method decides
    expect((await raw(s, '/v1/t/stacks', { method: 'POST' })).status).toBe(201);
    expect((await raw(s, '/v1/t/stacks', { method: 'DELETE' })).status).toBe(404);
    // HEAD is served by the GET route, with no body
    const head = await raw(s, '/v1/t/stacks', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    // extra or missing segments do not match
    expect((await raw(s, '/v1/t/stacks/n/events/more')).status).toBe(404);
    expect((await raw(s, '/v1/t')).status).toBe(404);
    expect(JSON.parse((await raw(s, '/nope')).body).message).toMatch(/no route for GET \/nope/);
  });

  it('uses the fallback for unmatched requests', async () => {
    const s = await start(new Router().on('GET', '/a', echo).handler(() => ({ status: 418, body: { teapot: true } })));
    expect((await raw(s, '/b')).status).toBe(418);
  });

  it("a path starting with '//' stays a path (the host is not taken from it)", async () => {
    const s = await start(echo);
    const r = JSON.parse((await raw(s, '//evil.example/x?y=1')).body);
    expect(r.pathname).toBe('//evil.example/x');
    expect(r.host).toBe(`127.0.0.1:${s.port}`);
  });

  it('an odd Host header does not crash the server', async () => {
    const s = await start(echo);
    const r = await raw(s, '/x', { headers: { host: 'a b' } });
    expect(r.status).toBe(200);
    expect((await raw(s, '/still-alive')).status).toBe(200);
  });
});

describe('FaultInjector', () => {
  const req = (path: string): EmulatorRequest => ({
    method: 'GET',
    url: new URL(`http://h${path}`),
    rawPath: path,
    rawQuery: '',
    headers: {},
    body: '',
    params: {},
  });

  it('applies the first matching rule, counts it down, and reports what is pending', () => {
    const f = new FaultInjector();
    f.inject({ kind: 'status', status: 503 }, { match: (r) => r.rawPath === '/a', times: 2 });
    f.inject({ kind: 'reset' });
    expect(f.pending).toBe(3);
    expect(f.take(req('/a'))?.kind).toBe('status');
    expect(f.take(req('/b'))?.kind).toBe('reset');
    expect(f.take(req('/b'))).toBeUndefined();
    expect(f.take(req('/a'))?.kind).toBe('status');
    expect(f.take(req('/a'))).toBeUndefined();
    expect(f.pending).toBe(0);
    f.inject({ kind: 'empty' }, { times: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 50; i++) expect(f.take(req('/x'))?.kind).toBe('empty');
    f.clear();
    expect(f.take(req('/x'))).toBeUndefined();
  });

  it('over HTTP: only matching requests get the fault, `times` times, and the log says which', async () => {
    const s = await start(() => ({ status: 200, body: { ok: true } }));
    s.faults.inject({ kind: 'throttle', retryAfter: 7 }, { match: (r) => r.rawPath === '/a', times: 2 });
    const statuses = [];
    for (const p of ['/a', '/b', '/a', '/a']) statuses.push((await raw(s, p)).status);
    expect(statuses).toEqual([429, 200, 429, 200]);
    expect(s.requests.map((r) => r.fault ?? null)).toEqual(['throttle', null, 'throttle', null]);
  });

  it('each fault kind answers as documented', async () => {
    const s = await start(() => ({ status: 200, body: { items: [1, 2, 3, 4, 5, 6, 7, 8] } }));
    const full = JSON.stringify({ items: [1, 2, 3, 4, 5, 6, 7, 8] });

    s.faults.inject({ kind: 'throttle', retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' });
    const t = await raw(s, '/');
    expect(t.status).toBe(429);
    expect(t.headers['retry-after']).toBe('Wed, 21 Oct 2015 07:28:00 GMT');

    s.faults.inject({ kind: 'status', status: 500, body: { e: 1 }, headers: { 'x-request-id': 'r1' } });
    const st = await raw(s, '/');
    expect([st.status, st.body, st.headers['x-request-id']]).toEqual([500, '{"e":1}', 'r1']);

    s.faults.inject({ kind: 'malformed-json' });
    const mj = await raw(s, '/');
    expect(mj.status).toBe(200);
    expect(() => JSON.parse(mj.body)).toThrow();

    s.faults.inject({ kind: 'truncated' });
    const tr = await raw(s, '/');
    expect(tr.body).toBe(full.slice(0, Math.floor(full.length / 2)));
    expect(tr.headers['content-length']).toBe(String(tr.body.length));

    s.faults.inject({ kind: 'html' });
    const h = await raw(s, '/');
    expect(h.status).toBe(502);
    expect(h.headers['content-type']).toBe('text/html');

    s.faults.inject({ kind: 'empty' });
    const e = await raw(s, '/');
    expect([e.status, e.body]).toEqual([200, '']);

    s.faults.inject({ kind: 'reset' });
    await expect(raw(s, '/')).rejects.toThrow();

    s.faults.inject({ kind: 'reset-mid-body' });
    await expect(raw(s, '/')).rejects.toThrow();

    // the server is fine afterwards
    expect((await raw(s, '/')).body).toBe(full);
  });

  it('a throwing handler gives a 500, not a crash', async () => {
    const s = await start(() => {
      throw new Error('handler bug');
    });
    const r = await raw(s, '/');
    expect(r.status).toBe(500);
    expect(r.body).toMatch(/handler bug/);
  });
});

describe('startEmulator', () => {
  it('the requests log is bounded to keepRequests, keeping the newest', async () => {
    const s = await start(echo, { keepRequests: 3 });
    for (let i = 0; i < 7; i++) await raw(s, `/r${i}?q=${i}`, { method: 'POST', body: `b${i}` });
    expect(s.requests.map((r) => r.path)).toEqual(['/r4', '/r5', '/r6']);
    expect(s.requests.map((r) => [r.method, r.query, r.body])).toEqual([
      ['POST', 'q=4', 'b4'],
      ['POST', 'q=5', 'b5'],
      ['POST', 'q=6', 'b6'],
    ]);
  });

  it('close() resolves with idle keep-alive sockets open', async () => {
    const s = await startEmulator({ handler: echo });
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      await Promise.all([raw(s, '/a', { agent }), raw(s, '/b', { agent }), raw(s, '/c', { agent })]);
      const idle = Object.values(agent.freeSockets).flat().length;
      expect(idle).toBeGreaterThan(0);
      await s.close();
      // the server is really gone
      await expect(raw(s, '/after')).rejects.toThrow();
    } finally {
      agent.destroy();
    }
  });

  it('close() resolves with a request in flight (a delay fault) and clears its timer', async () => {
    const s = await startEmulator({ handler: echo });
    s.faults.inject({ kind: 'delay', ms: 60_000 });
    const pending = raw(s, '/slow').then(
      () => 'answered',
      () => 'cut',
    );
    while (s.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await s.close();
    expect(await pending).toBe('cut');
  });

  it('close() twice is harmless', async () => {
    const s = await startEmulator({ handler: echo });
    await s.close();
    await s.close();
  });

  it('records headers and the fault kind; url and port agree', async () => {
    const s = await start(echo);
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    await raw(s, '/h', { headers: { 'x-auth-token': 'abc' } });
    expect(s.requests[0]?.headers['x-auth-token']).toBe('abc');
    expect(s.requests[0]?.fault).toBeUndefined();
  });
});
