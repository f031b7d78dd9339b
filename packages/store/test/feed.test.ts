import type { StackEvent } from '@stackfeed/core';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../src/index.js';
import { ENGINES, freshStores, fromArray, makeEvent } from './engines.js';

const bySeq = (a: string, b: string) => Number(a) - Number(b);

/** Reads `n` items of an iterator. */
async function take<T>(it: AsyncIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) throw new Error(`ended after ${out.length} of ${n}`);
    out.push(r.value);
  }
  return out;
}

describe.each(ENGINES)('store.feed, storedEvents, deployments and stack summaries on $name', (engine) => {
  const fresh = freshStores(engine);

  it('storedEvents gives each event with its seq, the same order and filters as events()', async () => {
    const store = await fresh();
    await store.archive(fromArray(Array.from({ length: 30 }, (_, i) => makeEvent(i))), { target: 't', batchSize: 7 });
    const plain = await store.events({ phase: 'FAILED', order: 'newest-first' }).toArray({ limit: 100 });
    const stored = await store.storedEvents({ phase: 'FAILED', order: 'newest-first' }).toArray({ limit: 100 });
    expect(stored.map((s) => s.event)).toEqual(plain);
    expect(stored.every((s) => /^\d+$/.test(s.seq))).toBe(true);
    expect(new Set(stored.map((s) => s.seq)).size).toBe(stored.length);
  });

  it('feed({ after }) gives every stored event past it, then the live ones: none twice, none missed', async () => {
    const store = await fresh();
    const first = Array.from({ length: 25 }, (_, i) => makeEvent(i));
    await store.archive(fromArray(first), { target: 't', batchSize: 10 });
    const all = (await store.storedEvents({}).toArray({ limit: 100 })).map((s) => s.seq).sort(bySeq);
    const cut = all[9] as string;
    const feed = store.feed({ after: cut });
    await feed.ready;
    // Written while the feed catches up: each comes once, from the stored part or live.
    const writing = store.archive(fromArray(Array.from({ length: 20 }, (_, i) => makeEvent(100 + i))), {
      target: 't',
      batchSize: 4,
    });
    const got = await take(feed, 15 + 20);
    await writing;
    await feed.close();
    const seqs = got.map((s) => s.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    const want = (await store.storedEvents({}).toArray({ limit: 100 }))
      .map((s) => s.seq)
      .filter((s) => BigInt(s) > BigInt(cut))
      .sort(bySeq);
    expect([...seqs].sort(bySeq)).toEqual(want);
    expect((await feed.next()).done).toBe(true);
  });

  it('feed filters (provider, stack, phase, text) apply to the stored and the live part alike', async () => {
    const store = await fresh();
    const ev = (i: number, over: Partial<StackEvent> = {}) => makeEvent(i, over);
    await store.archive(fromArray([ev(1), ev(6), ev(13, { message: 'Disk QUOTA exceeded' })]), { target: 't' });
    const feed = store.feed({ after: '0', phase: 'FAILED', text: 'quota' });
    await feed.ready;
    await store.archive(fromArray([ev(20), ev(27, { message: 'quota again' }), ev(34)]), { target: 't' });
    const got: StoredEvent[] = await take(feed, 2);
    await feed.close();
    expect(got.map((s) => s.event.id)).toEqual([ev(13).id, ev(27).id]);
  });

  it('feed without after is live only; a bad after is CONFIG', async () => {
    const store = await fresh();
    await store.archive(fromArray([makeEvent(1)]), { target: 't' });
    const feed = store.feed();
    await feed.ready;
    await store.archive(fromArray([makeEvent(2)]), { target: 't' });
    const [one] = await take(feed, 1);
    expect(one?.event.id).toBe(makeEvent(2).id);
    await feed.close();
    expect(() => store.feed({ after: 'x1' })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  });

  it('stacks() count events, tell a stack-level phase, a nested stack its root, a failure its last one; prune uncounts', async () => {
    const store = await fresh();
    const root = { id: 'stack-1', name: 'web' };
    const nested = { id: 'nested-1', name: 'web-db', rootId: 'stack-1', rootName: 'web' };
    const t = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000);
    const events: StackEvent[] = [
      makeEvent(0, {
        stack: root,
        isStackEvent: true,
        resource: { logicalId: 'web' },
        phase: 'IN_PROGRESS',
        status: 'CREATE_IN_PROGRESS',
        timestamp: t(0),
      }),
      makeEvent(1, {
        stack: nested,
        isStackEvent: true,
        resource: { logicalId: 'web-db' },
        phase: 'IN_PROGRESS',
        status: 'CREATE_IN_PROGRESS',
        timestamp: t(1),
      }),
      makeEvent(2, {
        stack: nested,
        resource: { logicalId: 'vol' },
        phase: 'IN_PROGRESS',
        status: 'CREATE_IN_PROGRESS',
        timestamp: t(2),
      }),
      makeEvent(3, {
        stack: nested,
        resource: { logicalId: 'vol' },
        phase: 'FAILED',
        status: 'CREATE_FAILED',
        message: 'quota',
        timestamp: t(3),
      }),
      makeEvent(4, {
        stack: nested,
        isStackEvent: true,
        resource: { logicalId: 'web-db' },
        phase: 'FAILED',
        status: 'CREATE_FAILED',
        timestamp: t(4),
      }),
      makeEvent(5, {
        stack: root,
        resource: { logicalId: 'db' },
        phase: 'FAILED',
        status: 'CREATE_FAILED',
        timestamp: t(5),
      }),
      makeEvent(6, {
        stack: root,
        isStackEvent: true,
        resource: { logicalId: 'web' },
        phase: 'FAILED',
        status: 'CREATE_FAILED',
        timestamp: t(6),
      }),
      // A log line at stack level (RFS) does not change the stack's state.
      makeEvent(7, { stack: root, isStackEvent: true, resource: {}, phase: 'INFO', status: 'LOG', timestamp: t(7) }),
    ];
    await store.archive(fromArray(events.slice(0, 7)), { target: 't', batchSize: 3 });
    // Deployments of the root read its nested stack's events too: the root cause is the nested volume.
    const [dep] = await store.deployments({ provider: 'openstack-heat', stack: 'web' });
    expect(dep?.outcome).toBe('failed');
    expect(dep?.rootCause?.resource.logicalId).toBe('vol');
    expect(dep?.counts.events).toBe(7);
    expect(await store.deployment({ provider: 'openstack-heat', stack: 'stack-1', id: dep?.id as string })).toEqual(
      dep,
    );
    expect(await store.deployment({ provider: 'openstack-heat', stack: 'web', id: 'nope' })).toBeUndefined();
    expect(await store.deployments({ provider: 'huawei-rfs', stack: 'web' })).toEqual([]);

    await store.archive(fromArray(events.slice(7)), { target: 't' });
    const stacks = await store.stacks();
    const web = stacks.find((s) => s.key === 'stack-1');
    const db = stacks.find((s) => s.key === 'nested-1');
    expect(web).toMatchObject({ eventCount: 4, phase: 'FAILED', status: 'CREATE_FAILED', lastPhase: 'INFO' });
    expect(web?.rootKey).toBeUndefined();
    expect(web?.lastFailure).toEqual({ at: t(6), status: 'CREATE_FAILED' });
    expect(db).toMatchObject({ eventCount: 4, rootKey: 'stack-1', phase: 'FAILED' });

    await store.prune({ before: t(3) });
    const after = await store.stacks();
    expect(after.find((s) => s.key === 'stack-1')?.eventCount).toBe(3);
    expect(after.find((s) => s.key === 'nested-1')?.eventCount).toBe(2);
  });
});
