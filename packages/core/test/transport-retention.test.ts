import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTransport, SdkRequestHandler } from './entry.js';

// A full collection on demand (what --expose-gc gives), to see what the transport still references.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collect twice, with a macrotask between (weak references clear at the end of a job). */
async function collect(): Promise<void> {
  await new Promise((r) => setTimeout(r, 5));
  gc();
  await new Promise((r) => setTimeout(r, 5));
  gc();
}

const page = Buffer.from(JSON.stringify({ events: Array.from({ length: 2000 }, (_, i) => ({ id: `ev-${i}` })) }));
let server: http.Server;
let url: string;
/** Held by the server while a request waits: the client's next request is then in flight. */
let hold: Promise<void> | undefined;
beforeAll(async () => {
  server = http.createServer((_req, res) => {
    void (hold ?? Promise.resolve()).then(() => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'req-1' });
      res.end(page);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('what a transport keeps after a call (a page kept alive across the next request is promoted by GC)', () => {
  it('HttpTransport: nothing of a response (its parsed body, its text, its response) outlives a signed call while the next request is in flight', async () => {
    const { signal } = new AbortController();
    const transport = new HttpTransport({
      provider: 'aws-parallelcluster',
      auth: {
        sign: (req) => {
          req.headers.authorization = 'sig';
        },
      },
    });
    const refs: WeakRef<object>[] = [];
    await (async () => {
      const res = await transport.request<{ events: unknown[] }>({ url: `${url}/a`, operation: 'probe', signal });
      expect(res.body.events).toHaveLength(2000);
      refs.push(new WeakRef(res), new WeakRef(res.body as object), new WeakRef(res.headers));
    })();
    // The next request is in flight (the server holds it) while we look.
    let release = () => {};
    hold = new Promise((r) => {
      release = r;
    });
    const next = transport.request({ url: `${url}/b`, operation: 'probe', signal });
    await collect();
    const alive = refs.map((r) => r.deref() !== undefined);
    release();
    hold = undefined;
    await next;
    expect(alive).toEqual([false, false, false]);
  });

  it('SdkRequestHandler: the body it handed to the SDK is not referenced after the exchange', async () => {
    const handler = new SdkRequestHandler({ provider: 'aws-imagebuilder' });
    const { port } = server.address() as AddressInfo;
    const request = { method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port, path: '/List', headers: {} };
    const { signal } = new AbortController();
    let ref: WeakRef<object> | undefined;
    await (async () => {
      const { response } = await handler.handle(request, { abortSignal: signal });
      expect(response.body.length).toBe(page.length);
      ref = new WeakRef(response.body);
    })();
    let release = () => {};
    hold = new Promise((r) => {
      release = r;
    });
    const next = handler.handle(request, { abortSignal: signal });
    await collect();
    const alive = ref?.deref() !== undefined;
    release();
    hold = undefined;
    await next;
    handler.destroy();
    expect(alive).toBe(false);
  });
});
