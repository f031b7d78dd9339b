import type { ExecutionInfo, ImageInfo, StackEvent } from '@stackfeed/core';
import { createPaginator } from '@stackfeed/core/adapter';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../src/index.js';
import { ENGINES, freshStores, fromArray, makeEvent } from './engines.js';

describe.each(ENGINES)('store on $name', (engine) => {
  const fresh = freshStores(engine);

  it('stores every event once: a re-read of the same events inserts nothing and counts duplicates', async () => {
    const store = await fresh();
    const events = Array.from({ length: 120 }, (_, i) => makeEvent(i));
    const first = await store.archive(fromArray(events), { target: 'heat:web', batchSize: 50 });
    expect(first).toMatchObject({ received: 120, inserted: 120, duplicates: 0, batches: 3 });
    const again = await store.archive(fromArray([...events.slice(100), makeEvent(120)]), { target: 'heat:web' });
    expect(again).toMatchObject({ received: 21, inserted: 1, duplicates: 20 });
    const [{ n }] = (await store.query(`select count(*)::int as n from ${store.schema}.events`)) as [{ n: number }];
    expect(n).toBe(121);
    const cp = await store.checkpoint('heat:web');
    expect(cp?.lowWater).toEqual(makeEvent(120).timestamp);
    expect(cp?.recentIds).toEqual([makeEvent(120).id]);
    expect(cp?.eventsStored).toBe(121);
  });

  it('gives back the same StackEvent that was archived, field by field (absent fields stay absent)', async () => {
    const store = await fresh();
    const full: StackEvent = {
      ...makeEvent(1),
      stack: { id: 'nested-id', name: 'web-db', rootId: 'stack-1', rootName: 'web' },
      resource: { logicalId: 'db', physicalId: 'p', type: 'OS::Nova::Server', name: 'db-0', key: '0' },
      elapsedSeconds: 12.5,
      properties: { flavor: 'm1.small', nested: [1, { a: null }] },
      isStackEvent: false,
      deploymentId: 'req-7f3a',
      details: { resourceEventsUrl: 'x' },
      raw: { deep: { list: [1, 2, 3] }, text: 'ü ✓' },
    };
    const bare: StackEvent = {
      provider: 'huawei-rfs',
      id: 'hash-1',
      timestamp: new Date('2026-03-04T05:06:07.891Z'),
      stack: { name: 'shop' },
      resource: {},
      action: 'UNKNOWN',
      phase: 'UNKNOWN',
      status: 'WEIRD_NEW_STATUS',
      raw: null,
    };
    await store.archive(fromArray([full, bare]), { target: 't' });
    const back = await store.events().toArray({ limit: 10 });
    expect(back).toStrictEqual([full, bare]);
  });

  it('a NUL character in a provider message is stored (as U+FFFD) instead of failing the batch forever', async () => {
    const store = await fresh();
    const ev = makeEvent(1, { message: 'bad\u0000byte', raw: { m: 'a\u0000b', kept: '\\u0000' } });
    await store.archive(fromArray([ev]), { target: 't' });
    const [back] = await store.events().toArray({ limit: 1 });
    expect(back?.message).toBe('bad\ufffdbyte');
    // An escaped backslash followed by "u0000" is text, not a NUL: it is kept as is.
    expect(back?.raw).toEqual({ m: 'a\ufffdb', kept: '\\u0000' });
  });

  it('events(): the filters intersect; order, byPage tokens and toArray({limit}) follow the Paginator contract', async () => {
    const store = await fresh();
    const events = [
      ...Array.from({ length: 60 }, (_, i) => makeEvent(i)),
      ...Array.from({ length: 20 }, (_, i) =>
        makeEvent(i, { id: `other-${i}`, stack: { id: 'stack-2', name: 'db' }, provider: 'huawei-rfs' }),
      ),
    ];
    await store.archive(fromArray(events), { target: 't' });
    const t0 = Date.UTC(2026, 0, 1);

    const web = await store.events({ stack: 'web' }).toArray({ limit: 1000 });
    expect(web.map((e) => e.id)).toEqual(events.slice(0, 60).map((e) => e.id));
    expect(await store.events({ stack: 'stack-1' }).toArray({ limit: 1000 })).toHaveLength(60);

    const q = {
      stack: 'web',
      since: new Date(t0 + 10_000),
      until: new Date(t0 + 40_000),
      phase: 'FAILED' as const,
    };
    const failed = await store.events(q).toArray({ limit: 100 });
    const expected = events.slice(10, 40).filter((e) => e.phase === 'FAILED');
    expect(failed.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(expected.length).toBeGreaterThan(2);

    expect((await store.events({ resource: 'res3', provider: 'openstack-heat' }).toArray({ limit: 100 })).length).toBe(
      12,
    );
    expect((await store.events({ text: 'CHANGED 1', stack: 'db' }).toArray({ limit: 100 })).map((e) => e.id)).toEqual([
      'other-1',
      ...Array.from({ length: 10 }, (_, i) => `other-${10 + i}`),
    ]);
    expect(await store.events({ text: '100%' }).toArray({ limit: 10 })).toEqual([]);

    const newest = await store.events({ stack: 'web', order: 'newest-first' }).toArray({ limit: 3 });
    expect(newest.map((e) => e.id)).toEqual(['ev-000059', 'ev-000058', 'ev-000057']);

    // byPage: pages of 25, and a token from page 1 resumes at page 2 in a new paginator.
    const pages = [];
    for await (const p of store.events({ stack: 'web' }).byPage({ pageSize: 25 })) pages.push(p);
    expect(pages.map((p) => p.items.length)).toEqual([25, 25, 10]);
    expect(pages[2]?.continuationToken).toBeUndefined();
    const resumed = store
      .events({ stack: 'web' })
      .byPage({ pageSize: 25, continuationToken: pages[0]?.continuationToken });
    const next = await resumed.next();
    expect(next.value?.items.map((e: StackEvent) => e.id)).toEqual(pages[1]?.items.map((e) => e.id));
    // A token is bound to its query.
    await expect(
      store.events({ stack: 'db' }).byPage({ continuationToken: pages[0]?.continuationToken }).next(),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('events() pages through many events of one timestamp without losing any (rows ordered by number, not text)', async () => {
    const store = await fresh();
    // 25 events in one second: row numbers 1…25 sort as 1, 10, 11, … 19, 2, 20 … as text.
    const same = new Date(Date.UTC(2026, 0, 2));
    const events = Array.from({ length: 25 }, (_, i) => makeEvent(i, { timestamp: same }));
    await store.archive(fromArray(events), { target: 'heat:web' });
    for (const order of ['oldest-first', 'newest-first'] as const) {
      const seen: string[] = [];
      for await (const page of store.events({ order, pageSize: 4 }).byPage()) seen.push(...page.items.map((e) => e.id));
      const expected = events.map((e) => e.id);
      expect(seen).toEqual(order === 'oldest-first' ? expected : [...expected].reverse());
    }
  });

  it('events() tokens are signed: another store with the same tokenKey resumes them, another key is BAD_REQUEST', async () => {
    const a = await fresh({ tokenKey: 'shared-key-for-tokens-0123456789' });
    await a.archive(fromArray(Array.from({ length: 30 }, (_, i) => makeEvent(i))), { target: 't' });
    const first = await a.events().byPage({ pageSize: 10 }).next();
    const token = first.value?.continuationToken as string;
    const b = await fresh({ schema: a.schema, tokenKey: 'shared-key-for-tokens-0123456789' });
    const next = await b.events().byPage({ pageSize: 10, continuationToken: token }).next();
    expect(next.value?.items[0]?.id).toBe('ev-000010');
    const c = await fresh({ schema: a.schema, tokenKey: 'another-key-entirely-9876543210' });
    await expect(c.events().byPage({ continuationToken: token }).next()).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('stacks(): each stack with its latest stack-level status and last event time, after the provider forgot it', async () => {
    const store = await fresh();
    const stackEv = (i: number, status: string) =>
      makeEvent(i, { isStackEvent: true, status, resource: { logicalId: 'web' }, phase: 'COMPLETE' });
    await store.archive(fromArray([stackEv(0, 'CREATE_IN_PROGRESS'), makeEvent(1), stackEv(2, 'CREATE_COMPLETE')]), {
      target: 't',
    });
    // Later: a resource event after the stack-level one, archived out of order in another batch.
    await store.archive(fromArray([makeEvent(5), stackEv(4, 'DELETE_COMPLETE'), makeEvent(3)]), { target: 't' });
    const [s] = await store.stacks();
    expect(s).toMatchObject({
      provider: 'openstack-heat',
      id: 'stack-1',
      name: 'web',
      status: 'DELETE_COMPLETE',
      firstEventAt: makeEvent(0).timestamp,
      lastEventAt: makeEvent(5).timestamp,
    });
  });

  it('images() and executions(): the latest snapshot and a history row per state change', async () => {
    const store = await fresh();
    const img = (state: ImageInfo['state'], status: string): ImageInfo => ({
      provider: 'aws-parallelcluster',
      id: 'rocky9',
      name: 'rocky9',
      region: 'eu-west-1',
      state,
      status,
      createdAt: new Date('2026-01-01T00:00:00Z'),
      artifacts: state === 'AVAILABLE' ? [{ kind: 'ami', id: 'ami-1', region: 'eu-west-1' }] : [],
      stack: { name: 'rocky9', status, createdAt: new Date('2026-01-01T00:00:00Z') },
      tags: { team: 'hpc' },
      raw: { imageBuildStatus: status },
    });
    const ex = (state: ExecutionInfo['state'], status: string): ExecutionInfo => ({
      provider: 'aws-imagebuilder',
      id: 'lce-1',
      kind: 'lifecycle',
      state,
      status,
      startedAt: new Date('2026-01-02T00:00:00Z'),
      ...(state === 'SUCCEEDED' ? { endedAt: new Date('2026-01-02T01:00:00Z') } : {}),
      raw: {},
    });
    await store.archive(fromArray([img('BUILDING', 'BUILD_IN_PROGRESS'), ex('RUNNING', 'IN_PROGRESS')]), {
      target: 'i',
    });
    await store.archive(
      fromArray([
        img('BUILDING', 'BUILD_IN_PROGRESS'),
        img('AVAILABLE', 'BUILD_COMPLETE'),
        ex('SUCCEEDED', 'SUCCESS'),
        img('AVAILABLE', 'BUILD_COMPLETE'),
      ]),
      { target: 'i', batchSize: 2 },
    );
    const [i] = await store.images();
    expect(i).toMatchObject({
      id: 'rocky9',
      state: 'AVAILABLE',
      artifacts: [{ id: 'ami-1' }],
      tags: { team: 'hpc' },
      createdAt: new Date('2026-01-01T00:00:00Z'),
      stack: { createdAt: new Date('2026-01-01T00:00:00Z'), status: 'BUILD_COMPLETE' },
    });
    expect(i?.history.map((h) => h.status)).toEqual(['BUILD_IN_PROGRESS', 'BUILD_COMPLETE']);
    const [e] = await store.executions({ kind: 'lifecycle' });
    expect(e).toMatchObject({ state: 'SUCCEEDED', endedAt: new Date('2026-01-02T01:00:00Z') });
    expect(e?.history.map((h) => h.state)).toEqual(['RUNNING', 'SUCCEEDED']);
  });

  it('archive(paginator) commits the page token with each page and resumes from it; the end clears it', async () => {
    const store = await fresh();
    const all = Array.from({ length: 50 }, (_, i) => makeEvent(i));
    const fetched: Array<number | undefined> = [];
    const listing = (failAt?: number) =>
      createPaginator<StackEvent, number>({
        provider: 'openstack-heat',
        operation: 'listStackEvents',
        fetchPage: async (cursor) => {
          const at = cursor ?? 0;
          fetched.push(cursor);
          if (at === failAt) throw Object.assign(new Error('provider down'), { code: 'ECONNRESET' });
          return { items: all.slice(at, at + 10), next: at + 10 < all.length ? at + 10 : undefined };
        },
      });
    await expect(store.archive(listing(30), { target: 'list', batchSize: 4 })).rejects.toThrow('provider down');
    const cp = await store.checkpoint('list');
    expect(cp?.cursor).toBeTypeOf('string');
    expect((await store.events().toArray({ limit: 100 })).length).toBe(30);
    fetched.length = 0;
    const r = await store.archive(listing(), { target: 'list' });
    // Resumed at page 4: pages 1–3 were not read again.
    expect(fetched[0]).toBe(30);
    expect(r).toMatchObject({ received: 20, inserted: 20, duplicates: 0 });
    expect((await store.checkpoint('list'))?.cursor).toBeUndefined();
    expect((await store.events().toArray({ limit: 100 })).map((e) => e.id)).toEqual(all.map((e) => e.id));
  });

  it('a batch failing in the database stores none of its rows, and the checkpoint stays at the last committed batch', async () => {
    const store = await fresh();
    // A real failure inside the engine: a trigger refusing one event (no mock of the database).
    await store.query(
      `create function ${store.schema}.refuse() returns trigger language plpgsql as $$
       begin if new.event_id = 'poison' then raise exception 'refused by test trigger'; end if; return new; end $$`,
    );
    await store.query(
      `create trigger refuse before insert on ${store.schema}.events for each row execute function ${store.schema}.refuse()`,
    );
    const events = Array.from({ length: 10 }, (_, i) => makeEvent(i));
    events[7] = makeEvent(7, { id: 'poison' });
    const batches: number[] = [];
    const err = await store
      .archive(fromArray(events), { target: 'mid', batchSize: 5, onBatch: (b) => batches.push(b.inserted) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'StackfeedError', code: 'SERVER', operation: 'store.archive' });
    expect(String((err as Error).message)).toContain('refused by test trigger');
    expect(batches).toEqual([5]);
    const stored = await store.events().toArray({ limit: 100 });
    expect(stored.map((e) => e.id)).toEqual(events.slice(0, 5).map((e) => e.id));
    expect((await store.checkpoint('mid'))?.lowWater).toEqual(events[4]?.timestamp);
    expect((await store.checkpoint('mid'))?.eventsStored).toBe(5);
  });

  it('subscribe() yields newly committed events matching its filter, in commit order', async () => {
    const store = await fresh();
    const sub = store.subscribe({ phase: 'FAILED' });
    await sub.ready;
    const got: StackEvent[] = [];
    const reading = (async () => {
      for await (const ev of sub) {
        got.push(ev);
        if (got.length === 3) break;
      }
    })();
    const events = Array.from({ length: 21 }, (_, i) => makeEvent(i));
    await store.archive(fromArray(events.slice(0, 10)), { target: 's', batchSize: 3 });
    // A re-read is not new: nothing is delivered for it.
    await store.archive(fromArray(events.slice(0, 10)), { target: 's' });
    await store.archive(fromArray(events.slice(10)), { target: 's', batchSize: 4 });
    await reading;
    expect(got.map((e) => e.id)).toEqual(['ev-000006', 'ev-000013', 'ev-000020']);
    expect(got[0]).toStrictEqual(events[6]);
  });

  it('an ended subscription is forgotten by the store (many short subscriptions do not pile up)', async () => {
    const store = await fresh();
    for (let i = 0; i < 5; i++) {
      const sub = store.subscribe({});
      await sub.ready;
      await sub.close();
    }
    const stop = new AbortController();
    const aborted = store.subscribe({ signal: stop.signal });
    await aborted.ready;
    stop.abort();
    expect(await aborted.next()).toEqual({ done: true, value: undefined });
    expect((store as unknown as { closers: Set<unknown> }).closers.size).toBe(0);
  });

  it('prune({ before }) deletes older events and keeps each image’s latest state; stacks stay listed', async () => {
    const store = await fresh();
    await store.archive(fromArray(Array.from({ length: 30 }, (_, i) => makeEvent(i))), { target: 'p' });
    const r = await store.prune({ before: makeEvent(20).timestamp, chunk: 7 });
    expect(r.events).toBe(20);
    expect((await store.events().toArray({ limit: 100 }))[0]?.id).toBe('ev-000020');
    expect(await store.stacks()).toHaveLength(1);
    await expect(store.prune({ before: new Date(Number.NaN) })).rejects.toMatchObject({ code: 'CONFIG' });
  });

  it('refuses a schema newer than it knows (CONFIG) and leaves it untouched', async () => {
    const store = await engine.open();
    const probe = await fresh({ schema: store.schema });
    await store.query(`insert into ${store.schema}.schema_migrations (version, name) values (999, 'from the future')`);
    const schema = store.schema;
    await store.close();
    await expect(engine.open({ schema })).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining('version 999, newer than'),
    });
    const rows = await probe.query<{ n: number }>(`select count(*)::int as n from ${schema}.schema_migrations`);
    // Every known step, and the one from the future.
    expect(rows[0]?.n).toBe(SCHEMA_VERSION + 1);
  });
});
