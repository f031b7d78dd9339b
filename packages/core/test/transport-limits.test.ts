import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { gzipSync, brotliCompressSync, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertHeaderSafe,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TOTAL_TIMEOUT_MS,
  HttpTransport,
  registerSecret,
  StackfeedError,
  type TransportOptions,
} from './entry.js';

type Route = (req: IncomingMessage, res: ServerResponse) => void;
let route: Route = (_req, res) => res.end('{}');
let server: Server;
let base: string;
let hits = 0;
const open = new Set<ServerResponse>();

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    open.add(res);
    res.on('close', () => open.delete(res));
    route(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const res of open) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function transport(over: Partial<TransportOptions> = {}): HttpTransport {
  return new HttpTransport({
    provider: 'openstack-heat',
    ...over,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, ...(over.retry ?? {}) },
  });
}

async function failure(p: Promise<unknown>): Promise<StackfeedError> {
  try {
    await p;
  } catch (e) {
    expect(StackfeedError.is(e), String(e)).toBe(true);
    return e as StackfeedError;
  }
  throw new Error('expected the request to fail');
}

const get = (t: HttpTransport, extra: Record<string, unknown> = {}) =>
  t.request({ url: `${base}/x`, operation: 'testOp', ...extra });

describe('HttpTransport limits: response size', () => {
  it('exports the documented defaults', () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(64 * 1024 * 1024);
    expect(DEFAULT_TIMEOUT_MS).toBe(30_000);
    expect(DEFAULT_TOTAL_TIMEOUT_MS).toBe(120_000);
  });

  it('a chunked body past maxResponseBytes is aborted: INVALID_RESPONSE naming the limit, not retried', async () => {
    hits = 0;
    let written = 0;
    route = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        // Stops on its own far past the cap, so a client that does not abort gets a whole (valid) body.
        while (written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end('{}');
      };
      res.write('[');
      pump();
    };
    const err = await failure(get(transport({ maxResponseBytes: 1024 * 1024 })));
    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('maxResponseBytes');
    expect(err.message).toContain(String(1024 * 1024));
    expect(hits).toBe(1);
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('a Content-Length above the cap fails before the body is read', async () => {
    route = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
      res.write('[');
    };
    const err = await failure(get(transport({ maxResponseBytes: 1024 })));
    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.message).toContain('maxResponseBytes (1024 bytes');
  });

  it('the per-request maxResponseBytes overrides the transport one', async () => {
    route = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ pad: 'x'.repeat(5000) }));
    };
    const t = transport({ maxResponseBytes: 100 });
    expect((await failure(get(t))).code).toBe('INVALID_RESPONSE');
    const ok = await get(t, { maxResponseBytes: 10_000 });
    expect((ok.body as { pad: string }).pad).toHaveLength(5000);
  });

  for (const [encoding, compress] of [
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const) {
    it(`a ${encoding} bomb is capped on its inflated size`, async () => {
      // 32 MiB of spaces compress to a few kB: the inflated size is what counts.
      const bomb = compress(Buffer.alloc(32 * 1024 * 1024, 0x20));
      expect(bomb.length).toBeLessThan(1024 * 1024);
      route = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
        res.end(bomb);
      };
      const err = await failure(get(transport({ maxResponseBytes: 2 * 1024 * 1024 })));
      expect(err.code).toBe('INVALID_RESPONSE');
      expect(err.message).toContain('after decompression');
    });
  }

  it('a compressed body under the cap is read', async () => {
    route = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ ok: true })));
    };
    expect((await get(transport({ maxResponseBytes: 1000 }))).body).toEqual({ ok: true });
  });

  it('maxResponseBytes beyond what a string can hold, zero or negative is CONFIG at construction', () => {
    for (const bad of [0, -1, Number.NaN, 2 ** 40]) {
      expect(() => transport({ maxResponseBytes: bad })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    }
  });
});

describe('HttpTransport limits: deadlines', () => {
  it('a body trickling one byte at a time fails TIMEOUT at the per-attempt deadline', async () => {
    const timers = new Set<NodeJS.Timeout>();
    route = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      const t = setInterval(() => {
        if (res.destroyed) return clearInterval(t);
        res.write(' ');
      }, 50);
      timers.add(t);
      res.on('close', () => clearInterval(t));
    };
    const err = await failure(get(transport({ timeoutMs: 400, retry: { maxAttempts: 1 } })));
    for (const t of timers) clearInterval(t);
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toContain('timeoutMs (400 ms)');
  });

  it('totalTimeoutMs ends a call whose attempts each time out, across retries: TIMEOUT naming the option', async () => {
    hits = 0;
    route = () => {
      // never answers
    };
    const err = await failure(
      get(
        transport({ timeoutMs: 300, totalTimeoutMs: 500, retry: { maxAttempts: 50, baseDelayMs: 1, maxDelayMs: 1 } }),
      ),
    );
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toContain('totalTimeoutMs (500 ms)');
    // Far fewer than the 50 attempts allowed: the call deadline, not the attempt count, ended it.
    expect(hits).toBeLessThan(50);
  });

  it('a per-request totalTimeoutMs overrides the transport one', async () => {
    route = () => {};
    const err = await failure(get(transport({ timeoutMs: 10_000 }), { totalTimeoutMs: 300 }));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toContain('totalTimeoutMs (300 ms)');
  });

  it('timeoutMs and totalTimeoutMs out of range are CONFIG', () => {
    for (const o of [
      { timeoutMs: 0 },
      { timeoutMs: 2 ** 31 },
      { totalTimeoutMs: -5 },
      { totalTimeoutMs: Number.POSITIVE_INFINITY },
    ]) {
      expect(() => transport(o)).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    }
  });
});

describe('HttpTransport limits: truncated bodies, header safety, JSON errors', () => {
  it('a body cut short after 2xx headers (Content-Length mismatch) is NETWORK, retried, then succeeds', async () => {
    hits = 0;
    route = (_req, res) => {
      if (hits === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"a":');
        setTimeout(() => res.socket?.destroy(), 10);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"a":1}');
    };
    const res = await get(transport());
    expect(res.body).toEqual({ a: 1 });
    expect(hits).toBe(2);
  });

  it('a body cut short on every attempt is NETWORK (retryable)', async () => {
    route = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"a":');
      setTimeout(() => res.socket?.destroy(), 10);
    };
    const err = await failure(get(transport()));
    expect(err.code).toBe('NETWORK');
    expect(err.retryable).toBe(true);
  });

  it('CR/LF in a request header or the userAgent option is CONFIG before any request', async () => {
    hits = 0;
    route = (_req, res) => res.end('{}');
    const err = await failure(get(transport(), { headers: { 'x-project-id': 'abc\r\nx-evil: 1' } }));
    expect(err.code).toBe('CONFIG');
    expect(err.message).not.toContain('x-evil');
    expect(() => transport({ userAgent: 'me\nX-Injected: yes' })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    expect(hits).toBe(0);
  });

  it('a signer that puts a line break into a header is CONFIG, not NETWORK', async () => {
    const t = transport({
      auth: {
        sign(req) {
          req.headers['x-region'] = 'eu\r\nx: y';
        },
      },
    });
    const err = await failure(get(t));
    expect(err.code).toBe('CONFIG');
  });

  it('assertHeaderSafe: control characters and bad names refused, tabs and ordinary text accepted', () => {
    const at = { provider: 'huawei-rfs' as const, option: 'projectId' };
    expect(() => assertHeaderSafe('x-project-id', 'abc\r\n', at)).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    expect(() => assertHeaderSafe('x-project-id', 'a\u0000b', at)).toThrow(/projectId/);
    expect(() => assertHeaderSafe('bad name', 'v', at)).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    expect(() => assertHeaderSafe('x-ok', 'a\tb c/1.0 (ü)', at)).not.toThrow();
  });

  it('malformed JSON: INVALID_RESPONSE without the parser quoting the body', async () => {
    const secret = 'tok-QUOTEDBYV8-0123456789';
    registerSecret(secret);
    route = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // Unregistered look-alike next to the registered one: V8 would quote the characters around the error.
      res.end(`{"a": tok-unregisteredpart ${secret}`);
    };
    const err = await failure(get(transport()));
    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.message).not.toContain('unregistered');
    expect(err.message).not.toContain('tok-');
    expect(err.message).toContain('malformed JSON');
  });
});

describe('HttpTransport: a reflected secret at every offset around the excerpt cut', () => {
  const secret = 'Kp9-Zq7-Wm3-Rt5-Xv1-Lb8';
  beforeAll(() => registerSecret(secret));
  for (let offset = 180; offset <= 205; offset++) {
    it(`secret at offset ${offset}`, async () => {
      const body = `${'e'.repeat(offset)}${secret} trailing text that makes the body longer than the cut`;
      route = (_req, res) => {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(body);
      };
      const err = await failure(get(transport()));
      expect(err.code).toBe('BAD_REQUEST');
      const views = [err.message, err.stack ?? '', JSON.stringify(err), inspect(err), String(err)];
      for (const v of views) {
        // No 4 consecutive characters of the secret survive anywhere.
        for (let i = 0; i + 4 <= secret.length; i++) expect(v).not.toContain(secret.slice(i, i + 4));
      }
    });
  }
});
