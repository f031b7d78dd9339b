import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../src/index.js';
import { ENGINES, freshStores, fromArray, makeEvent, postgresUrl } from './engines.js';

const openSubscriptions = (store: object) => (store as { closers: Set<unknown> }).closers.size;

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

describe.each(ENGINES)('store.subscribe and store.feed limits on $name', (engine) => {
  const fresh = freshStores(engine);

  it('a reader that falls more than maxBuffered behind gets what was held, then THROTTLED; the store forgets it', async () => {
    const store = await fresh();
    const sub = store.subscribe({ maxBuffered: 3 });
    await sub.ready;
    await store.archive(fromArray(Array.from({ length: 5 }, (_, i) => makeEvent(i))), { target: 't' });
    // On PostgreSQL the rows come back through LISTEN and a read-back: read once the overflow has
    // ended the subscription (a reader waiting earlier would take one row straight from the commit).
    await until(() => openSubscriptions(store) === 0);
    const held: string[] = [];
    const error = await (async () => {
      try {
        for (;;) {
          const r = await sub.next();
          if (r.done) return undefined;
          held.push(r.value.id);
        }
      } catch (err) {
        return err;
      }
    })();
    expect(held).toEqual(['ev-000000', 'ev-000001', 'ev-000002']);
    expect(error).toMatchObject({ code: 'THROTTLED', message: expect.stringContaining('more than 3 events unread') });
  });

  it('a feed catches up over more than one page of stored rows, in seq order, then goes live', async () => {
    const store = await fresh();
    const stored = Array.from({ length: 1234 }, (_, i) => makeEvent(i));
    await store.archive(fromArray(stored), { target: 't', batchSize: 500 });
    const feed = store.feed({ after: '0' });
    await feed.ready;
    const got: StoredEvent[] = [];
    while (got.length < stored.length) {
      const r = await feed.next();
      if (r.done) break;
      got.push(r.value);
    }
    const seqs = got.map((s) => BigInt(s.seq));
    expect(seqs.every((s, i) => i === 0 || s > (seqs[i - 1] as bigint))).toBe(true);
    expect(new Set(got.map((s) => s.event.id)).size).toBe(stored.length);
    await store.archive(fromArray([makeEvent(5000)]), { target: 't' });
    expect(((await feed.next()).value as StoredEvent).event.id).toBe(makeEvent(5000).id);
    await feed.close();
    expect(await feed.next()).toEqual({ done: true, value: undefined });
    expect(openSubscriptions(store)).toBe(0);
  });

  it('a subscription whose signal is already aborted ends at once and receives nothing', async () => {
    const store = await fresh();
    const sub = store.subscribe({ signal: AbortSignal.abort() });
    await sub.ready;
    await store.archive(fromArray([makeEvent(1)]), { target: 't' });
    expect(await sub.next()).toEqual({ done: true, value: undefined });
    // Ended subscriptions leave nothing for store.close() to end (a long-lived store opens many).
    expect(openSubscriptions(store)).toBe(0);
  });
});

// Only PostgreSQL reads rows back (the embedded engine hands the writer's rows over in-process).
describe('a read-back on PostgreSQL that fails after the subscription closed', () => {
  const fresh = freshStores(ENGINES[1] as (typeof ENGINES)[number]);

  it('is silent: the closed subscription stays done', async () => {
    const store = await fresh();
    await store.archive(fromArray([makeEvent(1)]), { target: 't' });
    const sub = store.subscribe();
    await sub.ready;
    const admin = new pg.Client({ connectionString: postgresUrl() });
    await admin.connect();
    const locker = new pg.Client({ connectionString: postgresUrl() });
    await locker.connect();
    try {
      // Hold the events table so that the read-back of a notification waits, then close the
      // subscription and end the waiting read-back's session: the read-back fails after close.
      await locker.query('begin');
      await locker.query(`lock table "${store.schema}".events in access exclusive mode`);
      await admin.query('select pg_notify($1, $2)', [`${store.schema}_events`, '1']);
      const waiting = `select pid from pg_stat_activity where wait_event_type = 'Lock' and query like '%jsonb_array_elements_text%' and query like $1`;
      const pattern = [`%${store.schema}%`];
      let pids: Array<{ pid: number }> = [];
      for (let i = 0; i < 500 && pids.length === 0; i++) {
        pids = (await admin.query(waiting, pattern)).rows;
        if (pids.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(pids.length).toBe(1);
      await sub.close();
      await admin.query('select pg_terminate_backend($1)', [pids[0]?.pid]);
      await locker.query('rollback');
      // The failure reaches this process some time after the backend ended: read for a while.
      for (let i = 0; i < 20; i++) {
        expect(await sub.next()).toEqual({ done: true, value: undefined });
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      await locker.end();
      await admin.end();
    }
  });
});
