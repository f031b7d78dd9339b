/**
 * The transport never turns on got's HTTP/2, response cache or DNS cache. The CLI's bundle relies
 * on it: it replaces the modules got loads for them (http2-wrapper, cacheable-request,
 * cacheable-lookup) with stand-ins that throw (packages/cli/tsup.bin.config.ts). Checked on the
 * options got itself resolves for every attempt, through every option the transport takes.
 */
import type { BeforeRequestHook, Got } from 'got';
import { type EmulatorServer, type Handler, startEmulator } from '@stackfeed/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTransport, type TransportOptions } from './entry.js';

let server: EmulatorServer;
let handle: Handler;

beforeAll(async () => {
  server = await startEmulator({ handler: (req) => handle(req) });
});
afterAll(() => server?.close());

/** What got resolved for one attempt, for the three features. */
interface Seen {
  path: string;
  http2: boolean;
  cache: unknown;
  dnsCache: unknown;
  dnsLookup: unknown;
}

/** A transport whose got instance records the options of every attempt (retries and redirects too). */
async function recording(opts: Partial<TransportOptions>): Promise<{ t: HttpTransport; seen: Seen[] }> {
  const t = new HttpTransport({
    provider: 'openstack-heat',
    timeoutMs: 2000,
    ...opts,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
  });
  const client = await (t as unknown as { gotClient(): Promise<Got> }).gotClient();
  const seen: Seen[] = [];
  const record: BeforeRequestHook = (o) => {
    seen.push({
      path: (o.url as URL).pathname,
      http2: o.http2,
      cache: o.cache,
      dnsCache: o.dnsCache,
      dnsLookup: o.dnsLookup,
    });
  };
  client.defaults.options.hooks.beforeRequest.push(record);
  return { t, seen };
}

describe("the transport leaves got's HTTP/2, response cache and DNS cache off", () => {
  const variants: Array<[string, Partial<TransportOptions>]> = [
    ['defaults', {}],
    [
      'every transport option set',
      {
        auth: {
          sign: (req) => {
            req.headers['x-sig'] = 'sig';
          },
        },
        logger: () => {},
        rateLimit: { limit: 100 },
        userAgent: 'test/1',
        tls: { insecure: true },
        maxResponseBytes: 1_000_000,
        totalTimeoutMs: 10_000,
      },
    ],
  ];

  for (const [name, opts] of variants) {
    it(`${name}: GET, POST with JSON, a retried 503, a same-origin redirect, per-call timeout and signal`, async () => {
      let failedOnce = false;
      handle = (req) => {
        if (req.rawPath === '/moved') return { status: 302, headers: { location: '/ok' } };
        if (req.rawPath === '/flaky' && !failedOnce) {
          failedOnce = true;
          return { status: 503, body: {} };
        }
        return { status: 200, body: { ok: true } };
      };
      const { t, seen } = await recording(opts);
      const url = (path: string) => `${server.url}${path}`;
      await t.request({ url: url('/ok'), operation: 'get' });
      await t.request({ url: url('/ok'), method: 'POST', json: { a: 1 }, operation: 'post' });
      await t.request({ url: url('/ok'), method: 'PUT', body: 'x', operation: 'put' });
      await t.request({ url: url('/flaky'), operation: 'retried' });
      await t.request({ url: url('/moved'), operation: 'redirected' });
      await t.request({
        url: url('/ok'),
        operation: 'overrides',
        timeoutMs: 1500,
        totalTimeoutMs: 5000,
        maxResponseBytes: 10_000,
        signal: new AbortController().signal,
        headers: { 'X-Extra': '1' },
        query: { q: 'v' },
      });
      // every attempt was seen: 5 calls + 1 retry + 1 redirect
      expect(seen.map((s) => s.path)).toEqual(['/ok', '/ok', '/ok', '/flaky', '/flaky', '/moved', '/ok', '/ok']);
      for (const s of seen) {
        expect(s.http2, s.path).toBe(false);
        expect(s.cache, s.path).toBeUndefined();
        expect(s.dnsCache, s.path).toBeUndefined();
        expect(s.dnsLookup, s.path).toBeUndefined();
      }
    });
  }

  it('the recorder sees a feature when it is on (else the checks above prove nothing)', async () => {
    handle = () => ({ status: 200, body: { ok: true } });
    const { t, seen } = await recording({});
    const client = (t as unknown as { client: Got }).client;
    client.defaults.options.dnsCache = true;
    client.defaults.options.http2 = true;
    client.defaults.options.cache = new Map();
    // whether the request then works does not matter here: the hook ran first
    await t.request({ url: `${server.url}/ok`, operation: 'get' }).catch(() => undefined);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.http2).toBe(true);
    expect(seen[0]?.cache).toBeInstanceOf(Map);
    expect(seen[0]?.dnsCache).toBeDefined();
  });
});
