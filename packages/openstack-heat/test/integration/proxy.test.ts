import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StackEvent } from '@stackfeed/core';
import { afterAll, describe, expect } from 'vitest';
import { HeatClient } from '../../src/index.js';
import { type StackHandle, createStack, deleteStack, rawEvents, uniqueName, waitStack } from '../support/peer.js';
import { noauthUrl, realPeerSuite } from './peers.js';

/**
 * A REAL Heat behind a front on another origin (a loopback forwarder standing in for a
 * TLS-terminating proxy): Heat's 302 Location names Heat's own origin, not the front's.
 * Test-only, the front passes the credential on to Heat as any proxy would.
 */
const TEMPLATE = `heat_template_version: 2018-08-31
resources:
  one:
    type: OS::Heat::None
  two:
    type: OS::Heat::None
`;
let url: string;
let front: Server;
let frontUrl: string;
let stack: StackHandle;
const seen: string[] = [];

const itReal = realPeerSuite(async () => {
  url = noauthUrl();
  const heat = new URL(url);
  front = createServer((req, res) => {
    seen.push(req.url ?? '');
    const fwd = request(
      // Like nginx's default (`proxy_set_header Host $proxy_host`): Heat sees its own host, and
      // builds its Location from it.
      {
        host: heat.hostname,
        port: heat.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: heat.host },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}${heat.pathname}`;
  stack = await createStack(url, uniqueName('it-proxy'), TEMPLATE, { inline: true });
  expect(await waitStack(url, stack, 120_000)).toBe('CREATE_COMPLETE');
}, 150_000);
afterAll(async () => {
  await new Promise((r) => front?.close(r));
  if (stack) await deleteStack(url, stack);
});

describe('a real Heat behind a front on another origin', () => {
  itReal('resolves a name-only ref through the front, following only the Location path', async () => {
    const heat = new HeatClient({ auth: { type: 'none' }, endpoint: frontUrl });
    const info = await heat.getStack(stack.name);
    expect(info).toMatchObject({ id: stack.id, status: 'CREATE_COMPLETE' });
    const events = await heat.listStackEvents(stack.name, { pageSize: 2 }).toArray({ limit: 100 });
    expect(events.map((e) => e.id)).toEqual((await rawEvents(url, stack)).map((e) => e.id));
    const watched: StackEvent[] = [];
    for await (const e of heat.watchStackEvents(stack.name, { pollIntervalMs: 10 })) watched.push(e);
    expect(watched).toHaveLength(events.length);
    // The canonical URLs (taken from Heat's Location) were asked of the front.
    expect(seen.some((p) => p.includes(`/stacks/${stack.name}/${stack.id}`))).toBe(true);
  });
});
