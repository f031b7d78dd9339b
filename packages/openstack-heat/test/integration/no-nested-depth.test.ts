import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect } from 'vitest';
import { HeatClient } from '../../src/index.js';
import { type StackHandle, createStack, deleteStack, rawEvents, uniqueName, waitStack } from '../support/peer.js';
import { noauthUrl, realPeerSuite } from './peers.js';

/**
 * A REAL Heat seen through a front that drops `nested_depth` from every query: exactly what an
 * older Heat without the parameter answers (no nested events, no `root_stack` links). The client
 * must still list the nested stacks' events, walking `GET …/resources` like python-heatclient.
 */
let url: string;
let front: Server;
let frontUrl: string;
let stack: StackHandle;

const itReal = realPeerSuite(async () => {
  url = noauthUrl();
  const heat = new URL(url);
  front = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    u.searchParams.delete('nested_depth');
    const path = `${u.pathname}${u.search}`;
    const fwd = request(
      { host: heat.hostname, port: heat.port, path, method: req.method, headers: req.headers },
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
  stack = await createStack(url, uniqueName('it-oldheat'), 'nested-deep.yaml', { files: ['leaf-group.yaml'] });
  expect(await waitStack(url, stack, 150_000)).toBe('CREATE_COMPLETE');
}, 170_000);
afterAll(async () => {
  await new Promise((r) => front?.close(r));
  if (stack) await deleteStack(url, stack);
});

describe('nested stacks on a Heat without nested_depth', () => {
  itReal('lists the same events as nested_depth would, nested stacks walked one by one', async () => {
    const heat = new HeatClient({ auth: { type: 'none' }, endpoint: frontUrl });
    for (const nestedDepth of [1, 3]) {
      const truth = await rawEvents(url, stack, `nested_depth=${nestedDepth}`);
      const got = await heat.listStackEvents(stack.name, { nestedDepth, pageSize: 7 }).toArray({ limit: 1000 });
      expect(new Set(got.map((e) => e.id))).toEqual(new Set(truth.map((e) => e.id)));
      expect(got).toHaveLength(truth.length);
      expect(got.every((e) => e.stack.rootId === stack.id)).toBe(true);
    }
    // Without the fallback, the front's answer has only the root stack's own events.
    expect((await rawEvents(url, stack)).length).toBeLessThan((await rawEvents(url, stack, 'nested_depth=1')).length);
  });
});
