import { StackfeedError } from '@stackfeed/core';
import type { Store } from '@stackfeed/store';
import { afterEach, describe, expect, it } from 'vitest';
import { openFleet } from '../src/index.js';
import { ENGINES, until } from './engines.js';

/** Resolves to 'pending' while `p` has not settled after a few database round trips. */
async function settled(p: Promise<unknown>, store: Store): Promise<'granted' | 'pending'> {
  let done = false;
  void p.then(
    () => {
      done = true;
    },
    () => {},
  );
  for (let i = 0; i < 5; i++) await store.query('select 1');
  return done ? 'granted' : 'pending';
}

describe.each(ENGINES)('shared request budget on $name', (engine) => {
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('grants `limit` requests per window across budget instances (workers), then makes the next one wait', async () => {
    const store = await engine.open();
    open.push(store);
    // A second connection (another worker) on PostgreSQL; the same instance on PGlite (one process).
    const other = engine.name === 'postgres' ? await engine.open(store.schema) : store;
    if (other !== store) open.push(other);
    const a = await (await openFleet(store)).budget('openstack-heat:cloud-a:-', { limit: 3, intervalMs: 60_000 });
    const b = await (await openFleet(other)).budget('openstack-heat:cloud-a:-', { limit: 3, intervalMs: 60_000 });
    await a.acquire();
    await b.acquire();
    await a.acquire();
    const stop = new AbortController();
    const fourth = b.acquire(stop.signal);
    expect(await settled(fourth, store)).toBe('pending');
    stop.abort();
    const err = await fourth.catch((e: unknown) => e);
    expect(StackfeedError.is(err, 'ABORTED')).toBe(true);
    const state = await a.state();
    expect(state).toMatchObject({ granted: 3, limit: 3, throttled: 0 });
    // Another account's budget is its own.
    const c = await (await openFleet(store)).budget('openstack-heat:cloud-b:-', { limit: 1, intervalMs: 60_000 });
    await c.acquire();
  });

  it('counts grants over the window plus the transit allowance: a slot frees only when both have passed', async () => {
    const store = await engine.open();
    open.push(store);
    const fleet = await openFleet(store);
    // A window of 50 ms, but a request may take 60 s to reach the provider: the next slot is a minute away.
    const slow = await fleet.budget('openstack-heat:cloud-t:-', { limit: 1, intervalMs: 50, transitMs: 60_000 });
    await slow.acquire();
    const stop = new AbortController();
    const second = slow.acquire(stop.signal);
    await new Promise((r) => setTimeout(r, 300));
    expect(await settled(second, store)).toBe('pending');
    stop.abort();
    expect(StackfeedError.is(await second.catch((e: unknown) => e), 'ABORTED')).toBe(true);
    // The same window with a 1 ms allowance: the next slot comes once the window has passed.
    const quick = await fleet.budget('openstack-heat:cloud-q:-', { limit: 1, intervalMs: 50, transitMs: 1 });
    await quick.acquire();
    await quick.acquire();
    expect((await quick.state())?.granted).toBe(2);
  });

  it('waiters get their slots in the order they asked, across workers; one that gives up hands its slot back', async () => {
    const store = await engine.open();
    open.push(store);
    const other = engine.name === 'postgres' ? await engine.open(store.schema) : store;
    if (other !== store) open.push(other);
    const opts = { limit: 1, intervalMs: 100, transitMs: 0 };
    const a = await (await openFleet(store)).budget('openstack-heat:cloud-f:-', opts);
    const b = await (await openFleet(other)).budget('openstack-heat:cloud-f:-', opts);
    await a.acquire();
    const order: string[] = [];
    // Asked one after the other (each reservation is made before the next is asked).
    const waits: Promise<void>[] = [];
    for (const [name, budget] of [
      ['first', b],
      ['second', a],
      ['third', b],
    ] as const) {
      waits.push(budget.acquire().then(() => void order.push(name)));
      await until(async () => ((await a.state())?.granted ?? 0) === waits.length + 1, `${name} reserved`);
    }
    await Promise.all(waits);
    expect(order).toEqual(['first', 'second', 'third']);
    // A slot reserved a minute ahead, given up: it is no longer counted.
    const slow = await (await openFleet(store)).budget('openstack-heat:cloud-g:-', {
      limit: 1,
      intervalMs: 60_000,
      transitMs: 0,
    });
    await slow.acquire();
    const stop = new AbortController();
    const waiting = slow.acquire(stop.signal);
    await until(async () => (await slow.state())?.granted === 2, 'the second slot reserved');
    expect((await slow.state())?.saturated).toBe(true);
    stop.abort();
    expect(StackfeedError.is(await waiting.catch((e: unknown) => e), 'ABORTED')).toBe(true);
    await until(async () => (await slow.state())?.granted === 1, 'the slot handed back');
  });

  it('a THROTTLED answer halves the budget for every worker', async () => {
    const store = await engine.open();
    open.push(store);
    const fleet = await openFleet(store);
    const a = await fleet.budget('huawei-rfs:p1:cn-north-4', { limit: 4, intervalMs: 60_000, slowdownMs: 60_000 });
    await a.acquire();
    await a.slowDown();
    await a.acquire();
    const stop = new AbortController();
    const third = a.acquire(stop.signal);
    expect(await settled(third, store)).toBe('pending');
    stop.abort();
    await third.catch(() => {});
    const s = await a.state();
    expect(s?.throttled).toBe(1);
    expect(s?.slowedUntil).toBeInstanceOf(Date);
    expect(s?.granted).toBe(2);
  });

  it('a budget that was never created is a CONFIG error, not a silent pass', async () => {
    const store = await engine.open();
    open.push(store);
    const fleet = await openFleet(store);
    const b = await fleet.budget('aws-imagebuilder:dev:us-east-1', { limit: 1 });
    await store.query(`delete from ${store.schema}.fleet_budgets`);
    const err = await b.acquire().catch((e: unknown) => e);
    expect(StackfeedError.is(err, 'CONFIG')).toBe(true);
  });
});
