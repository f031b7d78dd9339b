/**
 * Issue 13, Image Builder: every call ends, memory is bounded, classification matches the other
 * providers, and a watch stops paging on a repeated nextToken. Real SDK client, hostile loopback servers.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { StackfeedError } from '@stackfeed/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ImageBuilderClient, type ImageBuilderClientOptions } from '../src/index.js';
import { CREDS } from './helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A bare HTTP server; `answer` gets the request number (1-based), the path and the body. */
async function hostile(answer: (n: number, path: string, body: string, res: ServerResponse) => void) {
  const bodies: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      bodies.push(body);
      answer(bodies.length, req.url ?? '', body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

function client(endpoint: string, over: Partial<ImageBuilderClientOptions> = {}) {
  const c = new ImageBuilderClient({ region: 'us-east-1', endpoint, credentials: CREDS, ...over });
  cleanups.push(() => c.close());
  return c;
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => {
      if (!StackfeedError.is(e)) throw e;
      return e;
    },
  );

const LCE = 'lce-00000000-0000-4000-8000-000000000001';
const resource = (i: number) => ({
  resourceId: `ami-${String(i).padStart(17, '0')}`,
  state: { status: 'SUCCESS' },
  action: { name: 'DELETE' },
  startTime: 1_768_478_400 + i,
  endTime: 1_768_478_460 + i,
});
const json = (res: ServerResponse, body: unknown) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

describe('every call ends', () => {
  it('a server that accepts and never answers ends TIMEOUT within the total deadline (default deadlines exist)', async () => {
    const srv = await hostile(() => {});
    const c = client(srv.url, { totalTimeoutMs: 400 });
    const err = await failure(c.getLifecycleExecution(LCE));
    expect(err).toMatchObject({ code: 'TIMEOUT', operation: 'getLifecycleExecution' });
    expect(c.limits).toEqual({ timeoutMs: 30_000, totalTimeoutMs: 400 });
    expect(client(srv.url).limits).toEqual({ timeoutMs: 30_000, totalTimeoutMs: 120_000 });
  });

  it('a trickling body fails TIMEOUT at the per-attempt deadline, and is retried', async () => {
    const timers: NodeJS.Timeout[] = [];
    cleanups.push(() => timers.forEach(clearInterval));
    const srv = await hostile((_n, _p, _b, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      timers.push(setInterval(() => res.write(' '), 50));
    });
    const err = await failure(
      client(srv.url, { timeoutMs: 300, retry: { maxAttempts: 2, baseDelayMs: 1 } }).getLifecycleExecution(LCE),
    );
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(srv.bodies).toHaveLength(2);
  });

  it('abort() during the back-off: the process exits on its own (the SDK retry timer is gone)', async () => {
    const srv = await hostile((_n, _p, _b, res) => {
      res.writeHead(503, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceUnavailableException' });
      res.end('{"message":"later"}');
    });
    const fixture = new URL('./fixtures/abort-child.ts', import.meta.url).pathname;
    const r = await new Promise<{ code: number | null; out: string; killed: boolean }>((done) => {
      const p = spawn(process.execPath, ['--conditions=@stackfeed/source', '--import', 'tsx', fixture, srv.url], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      let out = '';
      p.stdout.on('data', (d) => {
        out += String(d);
      });
      p.stderr.on('data', (d) => {
        out += String(d);
      });
      // Generous bound: a leaked ten-minute back-off or a kept-alive socket would hold the child far longer.
      const guard = setTimeout(() => p.kill('SIGKILL'), 20_000);
      p.on('exit', (code, signal) => {
        clearTimeout(guard);
        done({ code, out, killed: signal === 'SIGKILL' });
      });
    });
    expect(r.killed, r.out).toBe(false);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('ABORTED');
    expect(srv.bodies).toHaveLength(1);
  }, 30_000);

  it('retry (and its deprecated alias maxAttempts) set the attempts of core’s policy', async () => {
    const srv = await hostile((_n, _p, _b, res) => {
      res.writeHead(503, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceUnavailableException' });
      res.end('{"message":"later"}');
    });
    await failure(
      client(srv.url, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } }).getLifecycleExecution(LCE),
    );
    expect(srv.bodies).toHaveLength(3);
    await failure(
      client(srv.url, { maxAttempts: 2, retry: { baseDelayMs: 1, maxDelayMs: 1 } }).getLifecycleExecution(LCE),
    );
    expect(srv.bodies).toHaveLength(5);
  });
});

describe('memory is bounded', () => {
  it('a body over maxResponseBytes is INVALID_RESPONSE naming the limit; a gzip bomb too', async () => {
    const big = JSON.stringify({
      lifecycleExecutionId: LCE,
      resources: Array.from({ length: 500 }, (_, i) => resource(i)),
    });
    const srv = await hostile((n, _p, _b, res) => {
      if (n === 1) return json(res, big);
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20)));
    });
    const c = client(srv.url, { maxResponseBytes: 16 * 1024 });
    const err = await failure(c.listLifecycleExecutionEvents(LCE).toArray({ limit: 10 }));
    expect(err).toMatchObject({
      code: 'INVALID_RESPONSE',
      retryable: false,
      operation: 'listLifecycleExecutionEvents',
    });
    expect(err.message).toContain('maxResponseBytes (16384 bytes');
    const bomb = await failure(c.listLifecycleExecutionEvents(LCE).toArray({ limit: 10 }));
    expect(bomb.code).toBe('INVALID_RESPONSE');
    expect(bomb.message).toContain('after decompression');
  });

  it('a page with far more items than asked for (> max(10 × pageSize, 10 000)) is INVALID_RESPONSE', async () => {
    const many = { lifecycleExecutionId: LCE, resources: Array.from({ length: 10_001 }, (_, i) => resource(i)) };
    const srv = await hostile((_n, _p, _b, res) => json(res, many));
    const err = await failure(
      client(srv.url).listLifecycleExecutionEvents(LCE, { pageSize: 5 }).toArray({ limit: 10 }),
    );
    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.message).toMatch(/10001 items/);
  });
});

describe('classification as elsewhere', () => {
  it('garbage instead of HTTP is NETWORK (retried), not BAD_REQUEST', async () => {
    let n = 0;
    const junk = net.createServer((s) => {
      n++;
      s.once('data', () => s.end('HTTP/1.1 ???\r\n\r\n\u0000\u0001'));
    });
    await new Promise<void>((r) => junk.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => junk.close(r)));
    const err = await failure(
      client(`http://127.0.0.1:${(junk.address() as AddressInfo).port}`, {
        retry: { maxAttempts: 2, baseDelayMs: 1 },
      }).getLifecycleExecution(LCE),
    );
    expect(err).toMatchObject({ code: 'NETWORK', retryable: true });
    expect(n).toBe(2);
  });

  it('a body cut before its end is NETWORK and retried (the same meaning as core’s transport)', async () => {
    const srv = await hostile((n, _p, _b, res) => {
      if (n === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
        res.write('{"lifecycleExecution":{"lifecycleExecutionId":"');
        setTimeout(() => res.socket?.destroy(), 10);
        return;
      }
      json(res, { lifecycleExecution: { lifecycleExecutionId: LCE, state: { status: 'SUCCESS' } } });
    });
    const info = await client(srv.url, { retry: { baseDelayMs: 1 } }).getLifecycleExecution(LCE);
    expect(info.id).toBe(LCE);
    expect(srv.bodies).toHaveLength(2);
  });

  it('HTTP 200 with body [1,2,3] is INVALID_RESPONSE, not an empty last page', async () => {
    const srv = await hostile((_n, _p, _b, res) => json(res, '[1,2,3]'));
    const err = await failure(client(srv.url).listLifecycleExecutionEvents(LCE).toArray({ limit: 10 }));
    expect(err).toMatchObject({ code: 'INVALID_RESPONSE', httpStatus: 200, retryable: false });
    expect(err.message).toMatch(/not an object/);
  });
});

describe('watch paging', () => {
  it('a server that pages forever (a fresh nextToken every time) is cut at the page cap and counted as capped', async () => {
    // A fresh token on every page of the first poll (more than the 1000-page cap); the pages after
    // it end. The final drain polls again while a poll is capped (core's rule, bounded there).
    let pages = 0;
    const srv = await hostile((n, path, _b, res) => {
      if (path.startsWith('/GetLifecycleExecution'))
        return json(res, { lifecycleExecution: { lifecycleExecutionId: LCE, state: { status: 'SUCCESS' } } });
      pages++;
      json(res, {
        lifecycleExecutionId: LCE,
        resources: [resource(n)],
        ...(pages <= 1500 ? { nextToken: `token-${n}` } : {}),
        lifecycleExecutionState: { status: 'SUCCESS' },
      });
    });
    const watch = client(srv.url).watchLifecycleExecution(LCE, { pollIntervalMs: 10 });
    let n = 0;
    for await (const _ of watch) n++;
    expect(watch.result?.outcome).toBe('succeeded');
    expect(watch.result?.cappedPolls).toBeGreaterThanOrEqual(1);
    expect(watch.result?.drainTruncated).toBeUndefined();
    // The first poll stops at 1000 pages; the drain starts again from the first page and reads to the end (501).
    expect(srv.bodies.filter((b) => b.includes('lifecycleExecutionId')).length).toBe(1000 + 501);
    expect(n).toBeGreaterThanOrEqual(1000);
  }, 60_000);

  it('a poll whose pages hand back a token already followed stops paging: no error, nothing lost', async () => {
    const srv = await hostile((n, path, _b, res) => {
      if (path.startsWith('/GetLifecycleExecution'))
        return json(res, { lifecycleExecution: { lifecycleExecutionId: LCE, state: { status: 'SUCCESS' } } });
      // Page 1 → token A, page 2 → token B, page 3 → A again (a circle), for every poll.
      const token = n % 2 === 1 ? 'token-A' : 'token-B';
      json(res, {
        lifecycleExecutionId: LCE,
        resources: [resource(n % 3)],
        nextToken: token,
        lifecycleExecutionState: { status: 'SUCCESS' },
      });
    });
    const watch = client(srv.url).watchLifecycleExecution(LCE, { pollIntervalMs: 10 });
    const ids = new Set<string>();
    for await (const ev of watch) ids.add(ev.resource.physicalId ?? '');
    expect(watch.result?.outcome).toBe('succeeded');
    expect(ids.size).toBeGreaterThan(0);
  });
});

describe('continuation tokens are bound to the client key and the call', () => {
  it('a token resumes on a client with the same tokenKey; another key, an edit or another call is BAD_REQUEST before any request', async () => {
    const { startImageBuilderEmulator } = await import('@stackfeed/emulator/imagebuilder');
    const emu = await startImageBuilderEmulator({
      auth: { credentials: [CREDS] },
      scenarios: ['lifecycleDeprecateThenDelete'],
    });
    cleanups.push(() => emu.close());
    const t = emu.truth.lifecycleDeprecateThenDelete as { executionId: string; endAt: number };
    (emu.clock as unknown as { set(ms: number): void }).set(t.endAt + 1000);
    const key = 'a shared passphrase of some length';
    const a = client(emu.url, { tokenKey: key });
    const first = await a.listLifecycleExecutionEvents(t.executionId).byPage({ pageSize: 10 }).next();
    const token = (first.done ? undefined : first.value.continuationToken) as string;
    expect(token).toMatch(/^sf2\./);
    const rest = async (c: ImageBuilderClient, tok: string, id = t.executionId) => {
      const items = [];
      for await (const p of c.listLifecycleExecutionEvents(id).byPage({ continuationToken: tok }))
        items.push(...p.items);
      return items;
    };
    expect(await rest(client(emu.url, { tokenKey: key }), token)).toHaveLength(30);
    const before = emu.server.requests.length;
    const refused = [
      await failure(rest(client(emu.url), token)),
      await failure(rest(a, `${token.slice(0, -2)}${token.endsWith('A') ? 'B' : 'A'}x`)),
      await failure(rest(a, token, 'lce-00000000-0000-4000-8000-0000000000ff')),
    ];
    expect(refused.map((e) => e.code)).toEqual(['BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST']);
    expect(emu.server.requests.length).toBe(before);
    expect(() => new ImageBuilderClient({ tokenKey: 'short' })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  });
});

describe('redaction cannot be cut around', () => {
  it('credentials reflected at every offset of an error body never surface, not even in part', async () => {
    const creds = {
      accessKeyId: 'AKIAREFLECTEDKEY0042',
      secretAccessKey: 'reflected-secret/0042+abcdefghijklmnop',
      sessionToken: 'reflected-session-token-0042-ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    };
    let offset = 0;
    const srv = await hostile((_n, _p, _b, res) => {
      // Each secret placed so that it straddles the 200-character mark at a shifting offset.
      const pad = 'x'.repeat(Math.max(0, 200 - offset));
      const message = `${pad}${creds.accessKeyId} ${creds.secretAccessKey} ${creds.sessionToken}`;
      res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'InvalidRequestException' });
      res.end(JSON.stringify({ message }));
    });
    const c = client(srv.url, { credentials: creds, retry: { maxAttempts: 1 } });
    const parts = Object.values(creds).flatMap((v) => [v, v.slice(0, 12), v.slice(-12)]);
    for (offset = 0; offset <= 60; offset += 3) {
      const err = await failure(c.getLifecycleExecution(LCE));
      expect(err.code).toBe('BAD_REQUEST');
      const dump = `${err.message}\n${String(err.stack)}\n${JSON.stringify(err)}\n${JSON.stringify(err.toJSON())}`;
      for (const p of parts) expect(dump.includes(p), `offset ${offset}: ${p}`).toBe(false);
    }
  });
});
