import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EmulatorRequest, type EmulatorServer, type Handler, startEmulator } from '@stackfeed/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuthHook,
  HttpTransport,
  type LogEntry,
  registerSecret,
  StackfeedError,
  type TransportOptions,
  USER_AGENT,
  VERSION,
} from './entry.js';

let server: EmulatorServer;
let other: EmulatorServer;
let handle: Handler;
let otherHandle: Handler;

const ok: Handler = () => ({ status: 200, body: { ok: true } });

beforeAll(async () => {
  server = await startEmulator({ handler: (req) => handle(req) });
  other = await startEmulator({ handler: (req) => otherHandle(req) });
});
afterAll(async () => {
  await server?.close();
  await other?.close();
});
beforeEach(() => {
  handle = ok;
  otherHandle = ok;
  for (const s of [server, other]) {
    s.faults.clear();
    s.requests.length = 0;
  }
});

function transport(over: Partial<TransportOptions> = {}): HttpTransport {
  return new HttpTransport({
    provider: 'openstack-heat',
    timeoutMs: 2000,
    ...over,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, ...(over.retry ?? {}) },
  });
}

async function failure(p: Promise<unknown>): Promise<StackfeedError> {
  try {
    await p;
  } catch (e) {
    if (StackfeedError.is(e)) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}

const get = (t: HttpTransport, path = '/ok', extra: Record<string, unknown> = {}) =>
  t.request({ url: `${server.url}${path}`, operation: 'testOp', ...extra });

describe('HttpTransport over the emulator: faults', () => {
  type Case = {
    name: string;
    fault: Parameters<EmulatorServer['faults']['inject']>[0];
    /** When the fault hits every attempt: the code, or undefined when one attempt is the answer. */
    always: string;
    retried: boolean;
  };
  const cases: Case[] = [
    { name: '429 without Retry-After', fault: { kind: 'throttle' }, always: 'THROTTLED', retried: true },
    { name: '500', fault: { kind: 'status', status: 500 }, always: 'SERVER', retried: true },
    { name: '502', fault: { kind: 'status', status: 502 }, always: 'SERVER', retried: true },
    { name: '503', fault: { kind: 'status', status: 503 }, always: 'SERVER', retried: true },
    { name: '504', fault: { kind: 'status', status: 504 }, always: 'TIMEOUT', retried: true },
    { name: 'reset before the body', fault: { kind: 'reset' }, always: 'NETWORK', retried: true },
    { name: 'reset mid-body', fault: { kind: 'reset-mid-body' }, always: 'NETWORK', retried: true },
    { name: 'HTML error page (502)', fault: { kind: 'html' }, always: 'SERVER', retried: true },
    { name: 'malformed JSON', fault: { kind: 'malformed-json' }, always: 'INVALID_RESPONSE', retried: false },
    { name: 'truncated body', fault: { kind: 'truncated' }, always: 'INVALID_RESPONSE', retried: false },
    { name: 'empty 200', fault: { kind: 'empty' }, always: 'INVALID_RESPONSE', retried: false },
    { name: 'HTML page with 200', fault: { kind: 'html', status: 200 }, always: 'INVALID_RESPONSE', retried: false },
  ];

  for (const c of cases) {
    if (c.retried) {
      it(`${c.name}: once → retried and succeeds (2 attempts)`, async () => {
        server.faults.inject(c.fault, { times: 1 });
        const res = await get(transport());
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ ok: true });
        expect(server.requests.map((r) => r.fault ?? 'ok')).toEqual([c.fault.kind, 'ok']);
      });
    }
    it(`${c.name}: every time → ${c.always} after ${c.retried ? 'maxAttempts' : 'one'} attempt(s)`, async () => {
      server.faults.inject(c.fault, { times: Number.POSITIVE_INFINITY });
      const err = await failure(get(transport()));
      expect(err.code).toBe(c.always);
      expect(err.provider).toBe('openstack-heat');
      expect(err.operation).toBe('testOp');
      expect(server.requests).toHaveLength(c.retried ? 3 : 1);
      if (c.fault.kind === 'html') expect(err.message).toMatch(/HTML/);
    });
  }

  it('delay past the timeout: once → retried and succeeds; always → TIMEOUT after maxAttempts', async () => {
    server.faults.inject({ kind: 'delay', ms: 20_000 }, { times: 1 });
    expect((await get(transport({ timeoutMs: 400 }))).body).toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
    server.requests.length = 0;
    server.faults.inject({ kind: 'delay', ms: 20_000 }, { times: Number.POSITIVE_INFINITY });
    const err = await failure(get(transport({ timeoutMs: 400 })));
    expect(err.code).toBe('TIMEOUT');
    expect(server.requests).toHaveLength(3);
  });

  it('429 with Retry-After in seconds waits that long (logged) and succeeds', async () => {
    const logs: LogEntry[] = [];
    server.faults.inject({ kind: 'throttle', retryAfter: 1 }, { times: 1 });
    expect((await get(transport({ logger: (e) => logs.push(e) }))).status).toBe(200);
    expect(server.requests).toHaveLength(2);
    expect(logs.find((l) => l.event === 'retry')?.delayMs).toBe(1000);
  });

  it('429 with Retry-After as an HTTP date is honoured and succeeds', async () => {
    const logs: LogEntry[] = [];
    const when = new Date(Date.now() + 1500).toUTCString();
    server.faults.inject({ kind: 'throttle', retryAfter: when }, { times: 1 });
    expect((await get(transport({ logger: (e) => logs.push(e) }))).status).toBe(200);
    expect(server.requests).toHaveLength(2);
    const delay = logs.find((l) => l.event === 'retry')?.delayMs as number;
    expect(delay).toBeGreaterThan(0);
    expect(delay).toBeLessThanOrEqual(1500);
  });

  it('Retry-After above maxRetryAfterMs → THROTTLED at once, with retryAfterSeconds', async () => {
    server.faults.inject({ kind: 'throttle', retryAfter: 3600 }, { times: Number.POSITIVE_INFINITY });
    const err = await failure(get(transport({ retry: { maxRetryAfterMs: 1000 } })));
    expect(err.code).toBe('THROTTLED');
    expect(err.retryAfterSeconds).toBe(3600);
    expect(err.httpStatus).toBe(429);
    expect(server.requests).toHaveLength(1);
  }, 10_000);

  it('a non-retryable status (404, 400) is one attempt, with the provider parseError applied', async () => {
    handle = () => ({
      status: 404,
      headers: { 'x-openstack-request-id': 'req-abc' },
      body: { error: { code: 404, title: 'Not Found', message: 'The Stack (web) could not be found.' } },
    });
    const t = transport({
      parseError: (res) => {
        const b = res.body as { error?: { title?: string; message?: string } };
        return { providerCode: b.error?.title, message: b.error?.message };
      },
    });
    const err = await failure(get(t));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.httpStatus).toBe(404);
    expect(err.providerCode).toBe('Not Found');
    expect(err.requestId).toBe('req-abc');
    expect(err.message).toContain('could not be found');
    expect(server.requests).toHaveLength(1);
  });

  it('parseError can mark a 5xx as not retryable, and a 400 as THROTTLED', async () => {
    handle = () => ({ status: 503, body: { code: 'NOPE' } });
    const t = transport({ parseError: () => ({ retryable: false, providerCode: 'NOPE' }) });
    expect((await failure(get(t))).retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
    server.requests.length = 0;
    handle = () => ({ status: 400, body: { code: 'Throttling' } });
    const t2 = transport({ parseError: () => ({ code: 'THROTTLED', providerCode: 'Throttling' }) });
    expect((await failure(get(t2))).code).toBe('THROTTLED');
  });

  it('an unusable URL is a CONFIG error, not a TypeError', async () => {
    for (const url of ['not a url', '', 'ftp//x']) {
      const err = await failure(transport().request({ url, operation: 'op' }));
      expect(err.code, url).toBe('CONFIG');
      expect(err.operation).toBe('op');
    }
  });

  it("responseType 'text' takes any body and hands it over as text; 'none' ignores it", async () => {
    handle = () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'plain <b>text</b>' });
    const t = transport();
    const text = await t.request({ url: `${server.url}/x`, operation: 'op', responseType: 'text' });
    expect(text.body).toBe('plain <b>text</b>');
    expect(text.text).toBe('plain <b>text</b>');
    const none = await t.request({ url: `${server.url}/x`, operation: 'op', responseType: 'none' });
    expect(none.body).toBeUndefined();
    expect(none.status).toBe(200);
  });

  it('passStatuses returns the response instead of throwing', async () => {
    handle = () => ({ status: 404, body: { gone: true } });
    const res = await get(transport(), '/ok', { passStatuses: [404] });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ gone: true });
  });

  it('sends query and JSON bodies as given', async () => {
    handle = (req) => ({
      status: 200,
      body: { q: req.rawQuery, body: JSON.parse(req.body), ct: req.headers['content-type'] },
    });
    const res = await transport().request({
      url: `${server.url}/x`,
      method: 'POST',
      query: { marker: 'a b/c', limit: 5, skip: undefined, tag: ['x', 'y'] },
      json: { hello: 'wörld' },
      operation: 'post',
    });
    expect(res.body).toEqual({
      q: 'marker=a%20b%2Fc&limit=5&tag=x&tag=y',
      body: { hello: 'wörld' },
      ct: 'application/json',
    });
  });
});

describe('HttpTransport: signing, auth refresh, redirects', () => {
  function signer() {
    let n = 0;
    const seen: Array<{ url: string; sig: string }> = [];
    const auth: AuthHook = {
      sign: (req) => {
        const sig = `sig-${n++}-${Math.random().toString(36).slice(2)}`;
        req.headers['x-sig'] = sig;
        req.headers.authorization = `SDK-HMAC-SHA256 Access=AKTEST, SignedHeaders=host, Signature=${sig}`;
        req.headers['x-auth-token'] = 'token-value-123456';
        seen.push({ url: req.url.toString(), sig });
      },
    };
    return { auth, seen, count: () => n };
  }

  it('the signing hook runs once per attempt, each time with a fresh value', async () => {
    const s = signer();
    server.faults.inject({ kind: 'status', status: 503 }, { times: 2 });
    expect((await get(transport({ auth: s.auth }))).status).toBe(200);
    expect(server.requests).toHaveLength(3);
    expect(s.count()).toBe(3);
    const sent = server.requests.map((r) => r.headers['x-sig']);
    expect(sent).toEqual(s.seen.map((x) => x.sig));
    expect(new Set(sent).size).toBe(3);
  });

  it('the signer sees the method, the final URL (query encoded) and the exact body it must hash', async () => {
    const seen: Array<{ method: string; url: string; body: string | undefined }> = [];
    const auth: AuthHook = {
      sign: (req) => {
        seen.push({ method: req.method, url: req.url.toString(), body: req.body });
      },
    };
    handle = (req) => ({ status: 200, body: { got: req.body, q: req.rawQuery } });
    const res = await transport({ auth }).request({
      url: `${server.url}/x`,
      method: 'POST',
      query: { 'a b': 'c/d' },
      json: { n: 1 },
      operation: 'post',
    });
    expect(seen).toEqual([{ method: 'POST', url: `${server.url}/x?a%20b=c%2Fd`, body: '{"n":1}' }]);
    expect(res.body).toEqual({ got: '{"n":1}', q: 'a%20b=c%2Fd' });
  });

  it('requestIdHeaders: the adapter header wins over the defaults', async () => {
    handle = () => ({
      status: 200,
      headers: { 'x-request-id': 'generic', 'X-Huawei-Request-Id': 'specific' },
      body: {},
    });
    const res = await transport({ requestIdHeaders: ['X-Huawei-Request-Id'] }).request({
      url: `${server.url}/x`,
      operation: 'op',
    });
    expect(res.requestId).toBe('specific');
  });

  it('onUnauthorized → exactly one retry after a 401', async () => {
    let token = 'old-token-value';
    let refreshes = 0;
    const auth: AuthHook = {
      sign: (req) => {
        req.headers['x-auth-token'] = token;
      },
      onUnauthorized: async () => {
        refreshes++;
        token = 'new-token-value';
        return true;
      },
    };
    handle = (req) =>
      req.headers['x-auth-token'] === 'new-token-value' ? { status: 200, body: { ok: 1 } } : { status: 401, body: {} };
    expect((await get(transport({ auth }))).body).toEqual({ ok: 1 });
    expect(server.requests.map((r) => r.headers['x-auth-token'])).toEqual(['old-token-value', 'new-token-value']);
    expect(refreshes).toBe(1);

    // still 401 after the refresh → UNAUTHORIZED, no third attempt
    server.requests.length = 0;
    refreshes = 0;
    handle = () => ({ status: 401, body: {} });
    expect((await failure(get(transport({ auth })))).code).toBe('UNAUTHORIZED');
    expect(server.requests).toHaveLength(2);
    expect(refreshes).toBe(1);

    // a refresh that obtains nothing → no retry
    server.requests.length = 0;
    const noRefresh: AuthHook = { sign: () => {}, onUnauthorized: async () => false };
    expect((await failure(get(transport({ auth: noRefresh })))).code).toBe('UNAUTHORIZED');
    expect(server.requests).toHaveLength(1);
  });

  it('same-origin redirects are followed and re-signed for the new URL', async () => {
    const s = signer();
    handle = (req) =>
      req.rawPath === '/start'
        ? { status: 302, headers: { location: '/middle' } }
        : req.rawPath === '/middle'
          ? { status: 307, headers: { location: `${server.url}/ok` } }
          : ok(req);
    expect((await get(transport({ auth: s.auth }), '/start')).body).toEqual({ ok: true });
    expect(server.requests.map((r) => r.path)).toEqual(['/start', '/middle', '/ok']);
    expect(s.seen.map((x) => new URL(x.url).pathname)).toEqual(['/start', '/middle', '/ok']);
    expect(new Set(server.requests.map((r) => r.headers['x-sig'])).size).toBe(3);
  });

  it('a network failure after a same-origin redirect is NETWORK (retried), not INVALID_RESPONSE', async () => {
    handle = (req) => (req.rawPath === '/start' ? { status: 302, headers: { location: '/ok' } } : ok(req));
    server.faults.inject({ kind: 'reset' }, { match: (r) => r.rawPath === '/ok', times: Number.POSITIVE_INFINITY });
    const err = await failure(get(transport(), '/start'));
    expect(err.code).toBe('NETWORK');
    expect(err.httpStatus).toBeUndefined();
    expect(server.requests.filter((r) => r.path === '/ok').length).toBeGreaterThan(1);
    expect(server.requests.length).toBeLessThanOrEqual(6);
    // and once the target recovers, the retry succeeds
    server.faults.clear();
    server.requests.length = 0;
    server.faults.inject({ kind: 'reset' }, { match: (r) => r.rawPath === '/ok', times: 1 });
    expect((await get(transport(), '/start')).body).toEqual({ ok: true });
  });

  it('a same-origin redirect loop ends with INVALID_RESPONSE (too many redirects)', async () => {
    handle = (req) => ({ status: 302, headers: { location: req.rawPath === '/a' ? '/b' : '/a' } });
    const err = await failure(get(transport(), '/a'));
    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.message).toMatch(/redirect/);
    expect(server.requests.length).toBeLessThanOrEqual(6);
  });

  const credentialHeaders = ['authorization', 'x-auth-token', 'x-sig', 'x-amz-security-token', 'cookie'];

  it('a redirect to another origin fails clearly by default, and the other origin receives nothing', async () => {
    const s = signer();
    handle = () => ({ status: 302, headers: { location: `${other.url}/ok` } });
    const err = await failure(get(transport({ auth: s.auth })));
    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.message).toMatch(/another origin/);
    expect(err.httpStatus).toBe(302);
    expect(other.requests).toHaveLength(0);
  });

  it('a cross-origin redirect after a same-origin one is refused too', async () => {
    handle = (req) =>
      req.rawPath === '/a'
        ? { status: 301, headers: { location: '/b' } }
        : { status: 302, headers: { location: `${other.url}/ok` } };
    const err = await failure(get(transport({ auth: signer().auth }), '/a'));
    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.message).toMatch(/another origin/);
    expect(server.requests.map((r) => r.path)).toEqual(['/a', '/b']);
    expect(other.requests).toHaveLength(0);
  });

  it('relocate maps a redirect to another origin onto the endpoint it names: signed there, the other origin untouched', async () => {
    const s = signer();
    handle = (req) =>
      req.rawPath === '/start'
        ? { status: 302, headers: { location: `${other.url}/inner/stacks/x?y=1` } }
        : { status: 200, body: { at: req.rawPath, q: req.rawQuery } };
    const asked: string[] = [];
    const res = await get(transport({ auth: s.auth }), '/start', {
      relocate: (location: URL) => {
        asked.push(location.href);
        return `${server.url}/mapped${location.pathname.slice('/inner'.length)}${location.search}`;
      },
    });
    expect(res.body).toEqual({ at: '/mapped/stacks/x', q: 'y=1' });
    expect(asked).toEqual([`${other.url}/inner/stacks/x?y=1`]);
    expect(other.requests).toHaveLength(0);
    expect(server.requests.map((r) => r.path)).toEqual(['/start', '/mapped/stacks/x']);
    // Both hops signed, each for its own URL.
    expect(s.seen.map((x) => new URL(x.url).pathname)).toEqual(['/start', '/mapped/stacks/x']);
  });

  it('relocate is asked once per call; undefined (or a second cross-origin hop) refuses as usual', async () => {
    handle = () => ({ status: 302, headers: { location: `${other.url}/elsewhere` } });
    const none = await failure(get(transport(), '/start', { relocate: () => undefined }));
    expect(none).toMatchObject({ code: 'INVALID_RESPONSE', httpStatus: 302 });
    expect(none.message).toMatch(/another origin/);
    let calls = 0;
    const loop = await failure(
      get(transport(), '/start', {
        relocate: () => {
          calls++;
          return `${server.url}/again`;
        },
      }),
    );
    expect(loop.message).toMatch(/another origin/);
    expect(calls).toBe(1);
    expect(other.requests).toHaveLength(0);
  });

  it("crossOriginRedirects: 'follow-without-credentials' follows unsigned: no credential header reaches the other origin", async () => {
    const s = signer();
    handle = () => ({ status: 302, headers: { location: `${other.url}/ok?x=1` } });
    otherHandle = () => ({ status: 200, body: { from: 'other' } });
    const t = transport({ auth: s.auth, crossOriginRedirects: 'follow-without-credentials' });
    const res = await t.request({
      url: `${server.url}/start`,
      operation: 'testOp',
      // credentials some adapters put in the request headers directly
      headers: {
        'X-Auth-Token': 'direct-token-987654',
        Authorization: 'Bearer direct-bearer-987654',
        'X-Amz-Security-Token': 'session-987654',
        Cookie: 'sid=987654',
        'X-Custom': 'kept',
      },
    });
    expect(res.body).toEqual({ from: 'other' });
    expect(other.requests).toHaveLength(1);
    const h = other.requests[0]?.headers ?? {};
    for (const name of credentialHeaders) expect(h[name], name).toBeUndefined();
    expect(h['x-custom']).toBe('kept');
    expect(s.count()).toBe(1);
    // the first origin did get the signed request
    expect(server.requests[0]?.headers['x-sig']).toBeDefined();
  });

  it('User-Agent names stackfeed and its version (plus the adapter suffix)', async () => {
    await get(transport());
    await get(transport({ userAgent: 'heat-adapter/1.2' }));
    expect(USER_AGENT.startsWith(`stackfeed/${VERSION} `)).toBe(true);
    expect(server.requests[0]?.headers['user-agent']).toBe(USER_AGENT);
    expect(server.requests[1]?.headers['user-agent']).toBe(`${USER_AGENT} heat-adapter/1.2`);
    expect(server.requests[0]?.headers['user-agent']).toMatch(/^stackfeed\/\d+\.\d+\.\d+/);
  });

  it('the logger receives request/response/retry entries and none contains a secret', async () => {
    const secret = 'logger-secret-abcdef-123';
    registerSecret(secret);
    const logs: LogEntry[] = [];
    const auth: AuthHook = {
      sign: (req) => {
        req.headers['x-auth-token'] = secret;
      },
    };
    server.faults.inject({ kind: 'status', status: 500, body: { message: `bad token ${secret}` } }, { times: 1 });
    await transport({ auth, logger: (e) => logs.push(e) }).request({
      url: `${server.url}/ok?token=${secret}&password=${secret}`,
      query: { access_token: 'unregistered-query-token-xyz' },
      operation: 'testOp',
    });
    const events = logs.map((l) => l.event);
    expect(events).toContain('request');
    expect(events).toContain('response');
    expect(events).toContain('retry');
    const text = JSON.stringify(logs);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('unregistered-query-token-xyz');
    expect(logs.every((l) => l.provider === 'openstack-heat')).toBe(true);
  });

  it('an error message never contains a secret the server echoes back', async () => {
    const secret = 'echoed-secret-value-42';
    registerSecret(secret);
    handle = (req) => ({ status: 400, body: { message: `invalid token ${req.headers['x-auth-token']}` } });
    const err = await failure(
      transport().request({ url: `${server.url}/x`, headers: { 'x-auth-token': secret }, operation: 'testOp' }),
    );
    expect(err.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(err)).not.toContain(secret);
    expect(err.message).not.toContain(secret);
  });

  it('a signing hook that throws a StackfeedError fails with that error, and nothing is sent', async () => {
    const cfg = new StackfeedError({ code: 'CONFIG', provider: 'huawei-rfs', message: 'no AK/SK configured' });
    const auth: AuthHook = {
      sign: () => {
        throw cfg;
      },
    };
    const err = await failure(get(transport({ auth })));
    expect(err.code).toBe('CONFIG');
    expect(err.message).toBe('no AK/SK configured');
    expect(server.requests).toHaveLength(0);
  });

  it('a signing hook that fetches a token and gets THROTTLED surfaces THROTTLED', async () => {
    const auth: AuthHook = {
      sign: async () => {
        throw new StackfeedError({ code: 'THROTTLED', provider: 'openstack-heat', message: 'keystone busy' });
      },
    };
    expect((await failure(get(transport({ auth })))).code).toBe('THROTTLED');
    expect(server.requests).toHaveLength(0);
  });

  it('a signing hook with a bug (plain Error) is CONFIG, not retried, nothing sent', async () => {
    let calls = 0;
    const auth: AuthHook = {
      sign: () => {
        calls++;
        throw new TypeError("Cannot read properties of undefined (reading 'secret')");
      },
    };
    const err = await failure(get(transport({ auth })));
    expect(err.code).toBe('CONFIG');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/sign/);
    expect(calls).toBe(1);
    expect(server.requests).toHaveLength(0);
  });

  it('a logger that throws never breaks a request', async () => {
    server.faults.inject({ kind: 'status', status: 503 }, { times: 1 });
    const res = await get(
      transport({
        logger: () => {
          throw new Error('log sink down');
        },
      }),
    );
    expect(res.body).toEqual({ ok: true });
  });

  it('an already-aborted signal sends nothing', async () => {
    const err = await failure(get(transport(), '/ok', { signal: AbortSignal.abort() }));
    expect(err.code).toBe('ABORTED');
    expect(server.requests).toHaveLength(0);
  });

  it('abort during the backoff wait → ABORTED, no further attempt', async () => {
    const ac = new AbortController();
    server.faults.inject({ kind: 'throttle', retryAfter: 30 }, { times: Number.POSITIVE_INFINITY });
    const t = transport({
      logger: (e) => {
        if (e.event === 'retry') setImmediate(() => ac.abort());
      },
    });
    const err = await failure(get(t, '/ok', { signal: ac.signal }));
    expect(err.code).toBe('ABORTED');
    expect(server.requests).toHaveLength(1);
  }, 10_000);
});

describe('HttpTransport: abort leaves nothing holding the process open', () => {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const child = (mode: 'backoff' | 'in-flight', url: string) =>
    new Promise<{ code: number | null; out: string; killed: boolean }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'abort-child.ts'), mode, url], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      // in-flight: tell the child to abort once the server holds its request
      const watcher = setInterval(() => {
        if (mode === 'in-flight' && server.requests.length > 0) {
          clearInterval(watcher);
          p.stdin.write('abort\n');
        }
      }, 10);
      let out = '';
      p.stdout.on('data', (d) => {
        out += String(d);
      });
      p.stderr.on('data', (d) => {
        out += String(d);
      });
      // Generous bound: a leaked 30 s backoff timer or a kept-alive socket would hold the child far longer.
      const guard = setTimeout(() => p.kill('SIGKILL'), 20_000);
      p.on('exit', (code, signal) => {
        clearTimeout(guard);
        clearInterval(watcher);
        resolve({ code, out, killed: signal === 'SIGKILL' });
      });
    });

  it('abort during a Retry-After wait: the child exits on its own; the server saw one attempt', async () => {
    server.faults.inject({ kind: 'throttle', retryAfter: 50 }, { times: Number.POSITIVE_INFINITY });
    const r = await child('backoff', server.url);
    expect(r.killed, r.out).toBe(false);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('ABORTED');
    expect(server.requests).toHaveLength(1);
  }, 30_000);

  it('abort while the response is in flight: the child exits on its own; the server saw one attempt', async () => {
    server.faults.inject({ kind: 'delay', ms: 60_000 }, { times: Number.POSITIVE_INFINITY });
    const r = await child('in-flight', server.url);
    expect(r.killed, r.out).toBe(false);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('ABORTED');
    expect(server.requests).toHaveLength(1);
  }, 30_000);
});

describe('HttpTransport: TLS', () => {
  let dir: string;
  let tlsServer: EmulatorServer;
  let cert: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-tls-'));
    const { execFileSync } = await import('node:child_process');
    // A self-signed certificate for 127.0.0.1, made at test time (openssl is part of every CI image we use).
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
    tlsServer = await startEmulator({ handler: ok, tls: { key: readFileSync(join(dir, 'key.pem')), cert } });
  });
  afterAll(async () => {
    await tlsServer?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a self-signed server is refused by default: NETWORK, not retried', async () => {
    expect(tlsServer.url.startsWith('https://127.0.0.1:')).toBe(true);
    const logs: LogEntry[] = [];
    const err = await failure(
      transport({ logger: (e) => logs.push(e) }).request({ url: `${tlsServer.url}/ok`, operation: 'tls' }),
    );
    expect(err.code).toBe('NETWORK');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/TLS/);
    expect(logs.filter((l) => l.event === 'request')).toHaveLength(1);
    expect(tlsServer.requests).toHaveLength(0);
  });

  it('accepted with tls.ca', async () => {
    const res = await transport({ tls: { ca: cert } }).request({ url: `${tlsServer.url}/ok`, operation: 'tls' });
    expect(res.body).toEqual({ ok: true });
  });

  it('accepted with tls.insecure', async () => {
    const res = await transport({ tls: { insecure: true } }).request({ url: `${tlsServer.url}/ok`, operation: 'tls' });
    expect(res.body).toEqual({ ok: true });
  });
});

export type { EmulatorRequest };
