/**
 * Issue 13: the hostile-server faults of the harness (huge body, gzip bomb, trickle, silent,
 * outage, reflected secrets, transformed and huge listings), each answering as documented.
 */
import { spawn } from 'node:child_process';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createGunzip, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type EmulatorRequest,
  type EmulatorServer,
  FaultInjector,
  gzipBomb,
  type Handler,
  hugeJsonBody,
  startEmulator,
  unorderedListing,
} from '../src/index.js';

const servers: EmulatorServer[] = [];
async function start(handler: Handler): Promise<EmulatorServer> {
  const s = await startEmulator({ handler });
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Open a request and hand back the response as soon as its headers arrive. */
function open(
  server: EmulatorServer,
  path = '/',
  headers: Record<string, string> = {},
): Promise<{ res: IncomingMessage; destroy: () => void }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, headers }, (res) =>
      resolve({ res, destroy: () => req.destroy() }),
    );
    req.on('error', reject);
    req.end();
  });
}

async function text(server: EmulatorServer, path = '/', headers: Record<string, string> = {}) {
  const { res } = await open(server, path, headers);
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') };
}

const concat = (g: Iterable<Buffer>) => Buffer.concat([...g]).toString('utf8');

const listing: Handler = () => ({
  status: 200,
  body: {
    events: Array.from({ length: 12 }, (_, i) => ({
      id: `e${i}`,
      event_time: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`,
    })),
    next: 'tok',
  },
});

describe('huge-body', () => {
  it('is valid JSON of exactly the requested size, whatever the size (frame edge cases too)', () => {
    for (const n of [0, 1, 3, 4, 5, 60, 61, 62, 63, 64, 65, 66, 200, 1000, 65_536, 65_537, 300_001]) {
      const body = concat(hugeJsonBody(n));
      if (n >= 4) expect(body.length, `size ${n}`).toBe(n);
      expect(Array.isArray(JSON.parse(body)), `size ${n}`).toBe(true);
    }
    const framed = concat(hugeJsonBody(10_000, '{"events":', '}'));
    expect(framed.length).toBe(10_000);
    expect(Array.isArray(JSON.parse(framed).events)).toBe(true);
  });

  it('1.5 GB is generated lazily: the first chunks come at once and the generator holds no body', () => {
    const gen = hugeJsonBody(1.5e9);
    let seen = 0;
    for (let i = 0; i < 20; i++) {
      const r = gen.next();
      expect(r.done).toBe(false);
      seen += (r.value as Buffer).length;
    }
    expect(seen).toBeLessThan(2 * 1024 * 1024);
    gen.return(undefined);
  });

  it('over HTTP: chunked by default, the announced length on request, every byte counted', async () => {
    const s = await start(listing);
    s.faults.inject({ kind: 'huge-body', bytes: 5_000_000, prefix: '{"events":', suffix: '}' });
    const r = await text(s);
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBeUndefined();
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.body.length).toBe(5_000_000);
    expect(JSON.parse(r.body).events.length).toBeGreaterThan(1000);

    s.faults.inject({ kind: 'huge-body', bytes: 1000, announceLength: true, status: 201 });
    const a = await text(s);
    expect([a.status, a.headers['content-length'], a.body.length]).toEqual([201, '1000', 1000]);
    expect(s.requests.map((q) => q.fault)).toEqual(['huge-body', 'huge-body']);
  });

  it('a client that leaves after the first megabyte of 1.5 GB ends the stream; the server goes on', async () => {
    const s = await start(listing);
    s.faults.inject({ kind: 'huge-body', bytes: 1.5e9 });
    const { res, destroy } = await open(s);
    let got = 0;
    for await (const c of res) {
      got += (c as Buffer).length;
      if (got > 1024 * 1024) break;
    }
    destroy();
    expect(got).toBeGreaterThan(1024 * 1024);
    const after = await text(s);
    expect(JSON.parse(after.body).events).toHaveLength(12);
  });
});

describe('gzip-bomb', () => {
  it('3 GiB inflated is a few MB on the wire (about 1000:1)', () => {
    const bomb = gzipBomb(3 * 1024 ** 3);
    expect(bomb.compressedBytes).toBeLessThan(4 * 1024 * 1024);
    expect(bomb.compressedBytes).toBeGreaterThan(1024 * 1024);
  });

  it('small bombs inflate (all members) to exactly the size asked, a valid JSON document', () => {
    for (const n of [2, 100, 16 * 1024 * 1024 + 7]) {
      const bomb = gzipBomb(n, '{"items":', '}');
      const inflated = gunzipSync(Buffer.concat([...bomb.chunks()]));
      expect(inflated.length).toBe(Math.max(n, '{"items":[]}'.length));
      expect(JSON.parse(inflated.toString('utf8'))).toEqual({ items: [] });
      expect(Buffer.concat([...bomb.chunks()]).length).toBe(bomb.compressedBytes);
    }
  });

  it('over HTTP: Content-Encoding gzip with the compressed length; 100 MiB inflate to the byte', async () => {
    const s = await start(listing);
    const size = 100 * 1024 * 1024;
    s.faults.inject({ kind: 'gzip-bomb', inflatedBytes: size });
    const { res } = await open(s);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    const wire = Number(res.headers['content-length']);
    expect(wire).toBeLessThan(size / 500);
    let inflated = 0;
    let first = '';
    let last = '';
    for await (const c of res.pipe(createGunzip())) {
      const b = c as Buffer;
      if (inflated === 0) first = b.subarray(0, 1).toString();
      inflated += b.length;
      last = b.subarray(b.length - 1).toString();
    }
    expect([inflated, first, last]).toEqual([size, '[', ']']);
  });
});

describe('trickle', () => {
  it('sends the headers at once, then the body a byte at a time, and finally all of it', async () => {
    const s = await start(() => ({ status: 200, body: { ok: true, pad: 'abcdefghij' } }));
    const full = JSON.stringify({ ok: true, pad: 'abcdefghij' });
    s.faults.inject({ kind: 'trickle', intervalMs: 10 });
    const { res } = await open(s);
    expect(res.headers['content-length']).toBe(String(full.length));
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe(full);
    // One byte per tick (a loaded machine may coalesce a few).
    expect(chunks.length).toBeGreaterThan(full.length / 2);
  });

  it('bytesPerTick sets the pace; a client leaving stops the ticks', async () => {
    const s = await start(() => ({ status: 200, body: 'x'.repeat(10_000) }));
    s.faults.inject({ kind: 'trickle', intervalMs: 5, bytesPerTick: 4 });
    const { res, destroy } = await open(s);
    const sizes: number[] = [];
    for await (const c of res) {
      sizes.push((c as Buffer).length);
      if (sizes.length === 5) break;
    }
    destroy();
    expect(Math.min(...sizes)).toBe(4);
    expect((await text(s)).body).toHaveLength(10_000);
  });
});

describe('silent', () => {
  it('reads the request and never answers; the request is logged and the server goes on', async () => {
    const s = await start(listing);
    s.faults.inject({ kind: 'silent' });
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port: s.port, path: '/quiet', method: 'POST' }, () =>
        resolve('answered'),
      );
      req.setTimeout(200, () => {
        req.destroy();
        resolve('no answer');
      });
      req.on('error', () => undefined);
      req.end('hello');
    });
    expect(outcome).toBe('no answer');
    expect(s.requests[0]).toMatchObject({ path: '/quiet', body: 'hello', fault: 'silent' });
    expect((await text(s)).status).toBe(200);
  });

  it('close() resolves with a silent request open', async () => {
    const s = await startEmulator({ handler: listing });
    s.faults.inject({ kind: 'silent' }, { times: Number.POSITIVE_INFINITY });
    const pending = text(s).then(
      () => 'answered',
      () => 'cut',
    );
    while (s.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await s.close();
    expect(await pending).toBe('cut');
  });
});

describe('outage', () => {
  const req = (path = '/'): EmulatorRequest => ({
    method: 'GET',
    url: new URL(`http://h${path}`),
    rawPath: path,
    rawQuery: '',
    headers: {},
    body: '',
    params: {},
  });

  it('lasts a wall-clock duration from the first matching request, whatever the request count', () => {
    const f = new FaultInjector();
    f.inject({ kind: 'outage', status: 500, durationMs: 60_000 }, { match: (r) => r.rawPath === '/api' });
    // Injected at t=0, first matched at t=5000: the outage runs 5000..65000.
    expect(f.take(req('/other'), 0)).toBeUndefined();
    for (let t = 5_000; t < 65_000; t += 250) expect(f.take(req('/api'), t)?.kind, `t=${t}`).toBe('outage');
    expect(f.take(req('/api'), 65_000)).toBeUndefined();
    expect(f.take(req('/api'), 64_999)).toBeUndefined();
    expect(f.pending).toBe(0);
  });

  it('over HTTP: the status until the time is up, then the handler again', async () => {
    const s = await start(listing);
    s.faults.inject({ kind: 'outage', status: 503, durationMs: 150, headers: { 'x-outage': '1' } });
    const statuses: number[] = [];
    for (;;) {
      const r = await text(s);
      statuses.push(r.status);
      if (r.status === 200) break;
      expect(r.headers['x-outage']).toBe('1');
      await new Promise((res) => setTimeout(res, 10));
    }
    expect(statuses.length).toBeGreaterThan(2);
    expect(new Set(statuses.slice(0, -1))).toEqual(new Set([503]));
    expect((await text(s)).status).toBe(200);
  });
});

describe('reflect', () => {
  const token = 'gAAAAAharnessREFLECTEDtoken';

  it('echoes request headers, picked values and literals at the chosen offset, wrapped as asked', async () => {
    const s = await start(listing);
    for (const offset of [0, 1, 199, 200, 201]) {
      s.faults.inject({ kind: 'reflect', offset, headers: ['X-Auth-Token'] });
      const r = await text(s, '/', { 'x-auth-token': token });
      expect(r.status).toBe(400);
      const message = JSON.parse(r.body).message as string;
      expect(message.indexOf(token), `offset ${offset}`).toBe(offset);
      expect(message.length).toBe(offset + token.length + 100);
    }
    s.faults.inject({
      kind: 'reflect',
      offset: 195,
      status: 401,
      headers: ['x-auth-token'],
      pick: (q) => [q.rawQuery],
      values: ['LITERAL'],
      tail: 3,
      wrap: (t) => ({ error: { message: t } }),
      replyHeaders: { 'x-amzn-errortype': 'AccessDenied' },
    });
    const r = await text(s, '/?secret=PICKED', { 'x-auth-token': token });
    expect([r.status, r.headers['x-amzn-errortype']]).toEqual([401, 'AccessDenied']);
    const m = JSON.parse(r.body).error.message as string;
    expect(m.slice(195)).toBe(`${token} secret=PICKED LITERAL pa`);
  });
});

describe('transform and unorderedListing', () => {
  it('rewrites the JSON body, keeping status and headers; a non-JSON body passes untouched', async () => {
    const s = await start((q) =>
      q.rawPath === '/text'
        ? { status: 200, body: 'plain' }
        : { status: 202, headers: { 'x-keep': 'yes' }, body: { n: 1 } },
    );
    s.faults.inject({ kind: 'transform', rewrite: (b, q) => ({ ...(b as object), path: q.rawPath }) }, { times: 2 });
    const r = await text(s, '/json');
    expect([r.status, r.headers['x-keep'], JSON.parse(r.body)]).toEqual([202, 'yes', { n: 1, path: '/json' }]);
    expect((await text(s, '/text')).body).toBe('plain');
    s.faults.inject({ kind: 'transform', rewrite: () => ({ replaced: true }), status: 200 });
    const over = await text(s, '/json');
    expect([over.status, JSON.parse(over.body)]).toEqual([200, { replaced: true }]);
  });

  it('unorderedListing: the same items, not in time order, in the same order on every read', async () => {
    const s = await start(listing);
    s.faults.inject(unorderedListing('events'), { times: 2 });
    const a = JSON.parse((await text(s)).body);
    const b = JSON.parse((await text(s)).body);
    const truth = (listing(undefined as never) as { body: { events: Array<{ id: string }> } }).body.events;
    expect(a.next).toBe('tok');
    expect([...a.events].sort((x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id))).toEqual(
      [...truth].sort((x, y) => x.id.localeCompare(y.id)),
    );
    expect(a.events).not.toEqual(truth);
    expect(a.events).not.toEqual([...truth].reverse());
    expect(b.events).toEqual(a.events);
  });

  it('unorderedListing with an empty path reorders a top-level array', async () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ id: i }));
    const s = await start(() => ({ status: 200, body: items }));
    s.faults.inject(unorderedListing(''));
    const got = JSON.parse((await text(s)).body) as Array<{ id: number }>;
    expect(got.map((x) => x.id).sort((x, y) => x - y)).toEqual(items.map((x) => x.id));
    expect(got).not.toEqual(items);
  });
});

describe('huge-page', () => {
  it('grows the listing to `count` distinct-looking items; an empty listing stays empty', async () => {
    let empty = false;
    const s = await start(() =>
      empty
        ? { status: 200, body: { data: { items: [] } } }
        : { status: 200, body: { data: { items: [{ id: 'a', EventId: 'b', n: 1 }] }, more: 1 } },
    );
    s.faults.inject({ kind: 'huge-page', path: 'data.items', count: 20_000 }, { times: 2 });
    const r = JSON.parse((await text(s)).body);
    expect(r.more).toBe(1);
    expect(r.data.items).toHaveLength(20_000);
    expect(new Set(r.data.items.map((x: { id: string }) => x.id)).size).toBe(20_000);
    expect(new Set(r.data.items.map((x: { EventId: string }) => x.EventId)).size).toBe(20_000);
    expect(r.data.items[7]).toEqual({ id: 'a-h7', EventId: 'b-h7', n: 1 });
    empty = true;
    expect(JSON.parse((await text(s)).body).data.items).toEqual([]);
  });
});

describe('unref', () => {
  function child(arg: string): Promise<'exited' | 'alive'> {
    return new Promise((resolve) => {
      const p = spawn(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('./fixtures/unref-child.ts', import.meta.url)), arg],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let grace: ReturnType<typeof setTimeout> | undefined;
      p.stdout.on('data', () => {
        grace ??= setTimeout(() => {
          p.kill('SIGKILL');
          resolve('alive');
        }, 3000);
      });
      p.on('exit', () => {
        if (grace) clearTimeout(grace);
        resolve('exited');
      });
    });
  }

  it('an unref-ed server with a silent request open lets the process exit; a client still waiting does not', async () => {
    expect(await child('release-client')).toBe('exited');
    expect(await child('hold-client')).toBe('alive');
  }, 30_000);

  it('an unref-ed server goes on serving', async () => {
    const s = await start(listing);
    s.unref();
    expect(JSON.parse((await text(s)).body).events).toHaveLength(12);
  });
});
