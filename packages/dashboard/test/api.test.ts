import { request } from 'node:http';
import type { Store } from '@stackfeed/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP, type DashboardServer, startDashboard, TargetBoard } from '../src/index.js';
import { ENGINES, type Emulators, fill, RFS_KEYS, startEmulators } from './fixture.js';

/** Every body the tests read, to scan for credentials at the end. */
const bodies: string[] = [];

async function get(url: string, init: RequestInit = {}) {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  bodies.push(text);
  // Every response, whatever its status, carries the policy.
  expect(res.headers.get('content-security-policy')).toBe(CSP);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

describe.each(ENGINES)('dashboard API on $name, store filled from the emulators', (engine) => {
  let emu: Emulators;
  let store: Store;
  let server: DashboardServer;
  const board = new TargetBoard();

  beforeAll(async () => {
    emu = await startEmulators();
    store = await engine.open();
    await fill(store, emu);
    board.add({ provider: 'huawei-rfs', kind: 'stack', name: 'shop-db', place: 'cn-north-4' });
    board.add({ provider: 'openstack-heat', kind: 'stack', name: 'web', place: 'demo' });
    board.add({ provider: 'openstack-heat', kind: 'stack', name: 'db', place: 'demo' });
    server = await startDashboard({ store, board, version: '9.9.9', webRoot: '/nonexistent/dashboard-web/dist' });
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
    await emu?.close();
  });

  it('health names the engine and the version', async () => {
    const r = await get(`${server.url}api/health`);
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ ok: true, store: engine.name, version: '9.9.9' });
  });

  it("inventory: one item per top-level stack, counts equal the store's, failed first", async () => {
    const r = await get(`${server.url}api/inventory`);
    expect(r.status).toBe(200);
    const body = r.json();
    const stacks = await store.stacks();
    const top = stacks.filter((s) => s.rootKey === undefined);
    expect(body.counts.total).toBe(top.length);
    expect(body.items.map((i: { key: string }) => i.key).sort()).toEqual([
      'huawei-rfs/cn-north-4/shop-db',
      'openstack-heat/demo/db',
      'openstack-heat/demo/web',
    ]);
    for (const item of body.items) {
      // The item counts its own events and its nested stacks'.
      const own = await store.events({ provider: item.provider, stack: item.id }).toArray({ limit: 10_000 });
      const nested = stacks.filter((s) => s.rootKey !== undefined && [item.id, item.name].includes(s.rootKey));
      let n = own.length;
      for (const s of nested) {
        n += (await store.events({ provider: s.provider, stack: s.key }).toArray({ limit: 10_000 })).length;
      }
      expect(item.eventCount).toBe(n);
    }
    const web = body.items.find((i: { name: string }) => i.name === 'web');
    expect(web).toMatchObject({
      kind: 'stack',
      phase: 'COMPLETE',
      status: 'CREATE_COMPLETE',
      place: 'demo',
      error: null,
    });
    expect(body.items.slice(0, 2).map((i: { phase: string }) => i.phase)).toEqual(['FAILED', 'FAILED']);
    expect(body.counts.byPhase).toEqual({ FAILED: 2, COMPLETE: 1 });
    const rfs = body.items.find((i: { name: string }) => i.name === 'shop-db');
    expect(rfs.consoleUrl).toMatch(/^https:\/\/console\.huaweicloud\.com\/.*region=cn-north-4/);
  });

  it('inventory filters narrow exactly (provider, phase, name, kind, place, time) and bad values are 400', async () => {
    const q = async (s: string) => (await get(`${server.url}api/inventory?${s}`)).json();
    expect((await q('provider=openstack-heat')).items.map((i: { name: string }) => i.name).sort()).toEqual([
      'db',
      'web',
    ]);
    expect((await q('phase=FAILED&provider=openstack-heat')).items.map((i: { name: string }) => i.name)).toEqual([
      'db',
    ]);
    expect((await q('name=SHOP')).counts.total).toBe(1);
    expect((await q('place=demo&place=cn-north-4')).counts.total).toBe(3);
    expect((await q('kind=image')).counts.total).toBe(0);
    expect((await q('since=2100-01-01T00:00:00Z')).counts.total).toBe(0);
    expect((await q('until=2100-01-01T00:00:00Z')).counts.total).toBe(3);
    expect((await get(`${server.url}api/inventory?phase=BROKEN`)).status).toBe(400);
    expect((await get(`${server.url}api/inventory?since=yesterday`)).json().error.code).toBe('BAD_REQUEST');
  });

  it("deployments: the failed stack's root cause, through nested stacks; one by id; 404 for none", async () => {
    const db = (await get(`${server.url}api/deployments?provider=openstack-heat&stack=db`)).json();
    expect(db.items).toHaveLength(1);
    expect(db.items[0]).toMatchObject({ outcome: 'failed', action: 'CREATE', status: 'CREATE_FAILED' });
    expect(db.items[0].rootCause.resource.logicalId).toBe('volume');
    expect(db.items[0].rootCause.reason).toContain('Test Resource failed');
    const web = (await get(`${server.url}api/deployments?provider=openstack-heat&stack=web`)).json();
    expect(web.items[0].outcome).toBe('succeeded');
    // The nested stack's servers are resources of the deployment, named with their stack.
    const keys = web.items[0].resources.map((r: { key: string }) => r.key);
    expect(keys).toEqual(expect.arrayContaining(['net', 'servers', 'lb', 'web-servers-ab12/0', 'web-servers-ab12/1']));
    // Each resource ran from its first IN_PROGRESS to its end.
    const untimed = web.items[0].resources.filter((r: { durationSeconds?: number }) => r.durationSeconds === undefined);
    expect(untimed).toEqual([]);
    const rfs = (await get(`${server.url}api/deployments?provider=huawei-rfs&stack=shop-db`)).json();
    expect(rfs.items[0].rootCause.resource.logicalId).toBe('server');
    expect(rfs.items[0].rootCause.reason).toMatch(/server\["api"\]/);

    const id = encodeURIComponent(db.items[0].id);
    const one = await get(`${server.url}api/deployments/openstack-heat/db/${id}`);
    expect(one.status).toBe(200);
    expect(one.json()).toEqual(db.items[0]);
    const none = await get(`${server.url}api/deployments/openstack-heat/db/nope`);
    expect(none.status).toBe(404);
    expect(none.json().error.code).toBe('NOT_FOUND');
    expect((await get(`${server.url}api/deployments?provider=openstack-heat`)).status).toBe(400);
    expect((await get(`${server.url}api/deployments?provider=openstack-heat&stack=ghost`)).json()).toEqual({
      items: [],
    });
  });

  it("events: newest first with seq and raw; each filter narrows exactly as the store's query", async () => {
    const all = (await get(`${server.url}api/events?limit=1000`)).json();
    const stored = await store.events({ order: 'newest-first' }).toArray({ limit: 10_000 });
    expect(all.items.map((e: { id: string }) => e.id)).toEqual(stored.map((e) => e.id));
    expect(all.nextPageToken).toBeNull();
    expect(all.items[0]).toHaveProperty('raw');
    expect(all.items[0].seq).toMatch(/^\d+$/);
    const cases: Array<[string, Parameters<Store['events']>[0]]> = [
      ['provider=huawei-rfs', { provider: 'huawei-rfs' }],
      ['stack=db', { stack: 'db' }],
      ['phase=FAILED', { phase: 'FAILED' }],
      [
        'phase=FAILED&phase=COMPLETE&provider=openstack-heat',
        { phase: ['FAILED', 'COMPLETE'], provider: 'openstack-heat' },
      ],
      ['text=volume', { text: 'volume' }],
      ['text=creation%20FAILED', { text: 'creation FAILED' }],
      ['resource=lb', { resource: 'lb' }],
      [
        `since=${new Date(stored.at(-1)?.timestamp ?? 0).toISOString()}&until=${new Date((stored.at(-1)?.timestamp.getTime() ?? 0) + 3000).toISOString()}`,
        {
          since: stored.at(-1)?.timestamp,
          until: new Date((stored.at(-1)?.timestamp.getTime() ?? 0) + 3000),
        },
      ],
    ];
    for (const [qs, query] of cases) {
      const got = (await get(`${server.url}api/events?limit=1000&${qs}`)).json();
      const want = await store.events({ ...query, order: 'newest-first' }).toArray({ limit: 10_000 });
      expect(want.length, qs).toBeGreaterThan(0);
      expect(want.length, qs).toBeLessThan(stored.length);
      expect(
        got.items.map((e: { id: string }) => e.id),
        qs,
      ).toEqual(want.map((e) => e.id));
    }
  });

  it('events page by pageToken without a gap or a duplicate; a bad token, phase or limit is 400', async () => {
    const all = (await get(`${server.url}api/events?limit=1000`)).json().items;
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const qs: string = token ? `&pageToken=${encodeURIComponent(token)}` : '';
      const page = (await get(`${server.url}api/events?limit=7${qs}`)).json();
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((e: { seq: string }) => e.seq));
      token = page.nextPageToken;
    } while (token);
    expect(seen).toEqual(all.map((e: { seq: string }) => e.seq));
    expect((await get(`${server.url}api/events?pageToken=forged`)).status).toBe(400);
    expect((await get(`${server.url}api/events?phase=DONE`)).status).toBe(400);
    expect((await get(`${server.url}api/events?limit=5000`)).status).toBe(400);
  });

  it('a follow error shows on its item (code, message, count, last seen) and clears when it works again', async () => {
    const key = board.add({ provider: 'huawei-rfs', kind: 'stack', name: 'shop-db', place: 'cn-north-4' });
    const err = Object.assign(new Error('RFS ListStackEvents: throttled (HTTP 429)'), { code: 'THROTTLED' });
    board.fail(key, err, new Date('2026-06-01T13:00:00Z'));
    board.fail(key, err, new Date('2026-06-01T13:00:05Z'));
    const item = (await get(`${server.url}api/inventory?provider=huawei-rfs`)).json().items[0];
    expect(item.error).toEqual({
      code: 'THROTTLED',
      message: 'RFS ListStackEvents: throttled (HTTP 429)',
      count: 2,
      lastSeen: '2026-06-01T13:00:05.000Z',
    });
    board.ok(key);
    expect((await get(`${server.url}api/inventory?provider=huawei-rfs`)).json().items[0].error).toBeNull();
    // A followed target without any stored record yet (it failed from the start) is an item of its own.
    const ghost = board.add({ provider: 'openstack-heat', kind: 'stack', name: 'never-read', place: 'demo' });
    board.fail(ghost, Object.assign(new Error('unauthorized'), { code: 'UNAUTHORIZED' }));
    const items = (await get(`${server.url}api/inventory?name=never-read`)).json().items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ key: 'openstack-heat/demo/never-read', phase: 'UNKNOWN', eventCount: 0 });
    expect(items[0].error.code).toBe('UNAUTHORIZED');
  });

  it('the page: a one-line plain answer when it is not built; unknown API paths and methods are JSON errors', async () => {
    const page = await get(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(page.text.trim().split('\n')).toHaveLength(1);
    expect(page.text).toContain('not built');
    const missing = await get(`${server.url}api/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
    const post = await get(`${server.url}api/health`, { method: 'POST' });
    expect(post.status).toBe(405);
    // Another site's name rebound to this address is refused (no token on loopback: the Host guards it).
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}api/health`, { headers: { Host: `evil.example:${server.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(rebound).toBe(403);
  });

  it('no response carries a credential of the emulators', () => {
    expect(bodies.length).toBeGreaterThan(20);
    for (const b of bodies) {
      expect(b).not.toContain(RFS_KEYS.secretKey);
      expect(b).not.toContain(RFS_KEYS.accessKey);
    }
  });
});
