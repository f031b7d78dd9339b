/**
 * The transports ask for compressed bodies and keep their connections: the pages of a listing and
 * the polls of a watch go over one TCP connection, counted at a local server (its `connection`
 * events), for core's HttpTransport and for the SDK request handler.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpTransport, SdkRequestHandler, createPaginator, watchEvents } from './entry.js';

const PAGES = 100;
let server: http.Server;
let base: string;
let connections = 0;
let acceptEncodings: Array<string | undefined> = [];

/** `/items?page=N`: page N of a PAGES-page listing, gzipped when the request accepts gzip. */
function respond(req: IncomingMessage, res: ServerResponse): void {
  acceptEncodings.push(req.headers['accept-encoding']);
  const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? 0);
  const items = [{ id: `e${page}`, t: page }];
  const body = Buffer.from(JSON.stringify({ items, next: page + 1 < PAGES ? page + 1 : null }));
  res.setHeader('content-type', 'application/json');
  if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
    res.setHeader('content-encoding', 'gzip');
    res.end(zlib.gzipSync(body));
  } else {
    res.end(body);
  }
}

beforeAll(async () => {
  server = http.createServer(respond);
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  // Connections already open stay in the pool: each test starts from none.
  server.closeAllConnections();
  connections = 0;
  acceptEncodings = [];
});

interface Item {
  id: string;
  t: number;
}
type Page = { items: Item[]; next: number | null };

const transport = () => new HttpTransport({ provider: 'openstack-heat', retry: { maxAttempts: 1 } });

describe('HttpTransport connections and compression', () => {
  it(`a ${PAGES}-page listing goes over one TCP connection, every request asking for gzip (and br where Node has it)`, async () => {
    const http = transport();
    const pages = createPaginator<Item, number>({
      provider: 'openstack-heat',
      operation: 'listThings',
      scope: {},
      options: {},
      fetchPage: async (cursor, _size, signal) => {
        const res = await http.request<Page>({
          url: `${base}/items`,
          query: { page: cursor ?? 0 },
          operation: 'listThings',
          signal,
        });
        return { items: res.body.items, next: res.body.next ?? undefined };
      },
    });
    const items = await pages.toArray({ limit: 10 * PAGES });
    expect(items.map((i) => i.id)).toEqual(Array.from({ length: PAGES }, (_, i) => `e${i}`));
    expect(acceptEncodings).toHaveLength(PAGES);
    for (const value of acceptEncodings) {
      const names = (value ?? '').split(/,\s*/);
      expect(names).toContain('gzip');
      if (process.versions.brotli) expect(names).toContain('br');
    }
    expect(connections).toBe(1);
  });

  it('the polls of a watch reuse that connection, and two transports share the pool', async () => {
    const first = transport();
    const second = transport();
    let polls = 0;
    const stream = watchEvents<{ id: string; timestamp: Date }>(
      {
        provider: 'openstack-heat',
        operation: 'watchThings',
        poll: async ({ signal }) => {
          const t = polls % 2 === 0 ? first : second;
          const res = await t.request<Page>({
            url: `${base}/items`,
            query: { page: polls },
            operation: 'watchThings',
            signal,
          });
          polls++;
          return { events: res.body.items.map((i) => ({ id: i.id, timestamp: new Date(i.t * 1000) })) };
        },
        checkTerminal: () =>
          polls >= 6 ? { terminal: true, outcome: 'succeeded', status: 'DONE' } : { terminal: false },
      },
      { pollIntervalMs: 10 },
    );
    const seen: string[] = [];
    for await (const ev of stream) seen.push(ev.id);
    expect(seen.length).toBeGreaterThanOrEqual(6);
    expect(polls).toBeGreaterThanOrEqual(6);
    expect(connections).toBe(1);
  });
});

describe('SdkRequestHandler connections and compression', () => {
  it(`${PAGES} requests over one connection; it asks for gzip, deflate and br and decodes the gzip body`, async () => {
    const handler = new SdkRequestHandler({ provider: 'aws-imagebuilder' });
    try {
      const { port } = new URL(base);
      for (let page = 0; page < PAGES; page++) {
        const { response } = await handler.handle({
          method: 'GET',
          protocol: 'http:',
          hostname: '127.0.0.1',
          port: Number(port),
          path: '/items',
          query: { page: String(page) },
          headers: {},
        });
        const body = JSON.parse(Buffer.from(response.body).toString()) as Page;
        expect(body.items[0]?.id).toBe(`e${page}`);
      }
      expect(acceptEncodings).toEqual(Array.from({ length: PAGES }, () => 'gzip, deflate, br'));
      expect(connections).toBe(1);
    } finally {
      handler.destroy();
    }
  });

  it('keeps an encoding the SDK chose itself', async () => {
    const handler = new SdkRequestHandler({ provider: 'aws-imagebuilder' });
    try {
      const { port } = new URL(base);
      await handler.handle({
        method: 'GET',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: Number(port),
        path: '/items',
        headers: { 'Accept-Encoding': 'identity' },
      });
      expect(acceptEncodings).toEqual(['identity']);
    } finally {
      handler.destroy();
    }
  });
});
