import type { DiscoveredTarget } from '@stackfeed/core';
import { StackfeedError } from '@stackfeed/core';
import type { Store } from '@stackfeed/store';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetWorker, type FollowFn, openFleet, type Place, type WorkerEvent } from '../src/index.js';
import { ENGINES, until } from './engines.js';

const place: Place = {
  key: 'openstack-heat:cloud=a',
  provider: 'openstack-heat',
  cloud: 'a',
  kinds: ['stack'],
  filters: {},
  budget: { key: 'openstack-heat:a:-', limit: 50, intervalMs: 1000 },
};

const stack = (i: number, inProgress = true): DiscoveredTarget<unknown> => ({
  provider: 'openstack-heat',
  kind: 'stack',
  ref: { name: `s${i}`, id: `id-${i}` },
  name: `s${i}`,
  id: `id-${i}`,
  status: inProgress ? 'CREATE_IN_PROGRESS' : 'CREATE_COMPLETE',
  state: inProgress ? 'IN_PROGRESS' : 'COMPLETE',
  inProgress,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
});

/** A follow that holds its target until stopped (a deployment that never ends), reading nothing. */
const holdForever: FollowFn = (_t, _cp, signal) => ({
  async *[Symbol.asyncIterator]() {
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  },
});

const TTL = 1500;

describe.each(ENGINES)('leases on $name', (engine) => {
  const open: Store[] = [];
  const workers: FleetWorker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  async function setup(n: number, follow: FollowFn = holdForever, events: WorkerEvent[][] = []) {
    const store = await engine.open();
    open.push(store);
    const fleet = await openFleet(store, { leaseTtlMs: TTL });
    const ws = Array.from({ length: n }, (_, i) => {
      const log: WorkerEvent[] = [];
      events.push(log);
      return fleetWorker(fleet, `w${i}`, follow, log);
    });
    return { store, fleet, ws };
  }
  function fleetWorker(fleet: Awaited<ReturnType<typeof openFleet>>, id: string, follow: FollowFn, log: WorkerEvent[]) {
    const w = new FleetWorker(fleet, { id, follow, places: [place], random: () => 1, onEvent: (e) => log.push(e) });
    workers.push(w);
    return w;
  }

  it('workers split the targets fairly; an abandoned worker’s leases expire and the others take them over', async () => {
    const events: WorkerEvent[][] = [];
    const { fleet, ws } = await setup(3, holdForever, events);
    for (const w of ws) await w.start();
    await fleet.addTargets(
      place,
      Array.from({ length: 9 }, (_, i) => stack(i)),
    );
    await until(() => ws.every((w) => w.held.length === 3), 'each of 3 workers holds 3 of 9 targets');
    const status = await fleet.status();
    expect(status.workers.filter((w) => w.live)).toHaveLength(3);
    expect(new Set(status.targets.map((t) => t.owner)).size).toBe(3);

    const [dead, ...rest] = ws as [FleetWorker, FleetWorker, FleetWorker];
    const orphaned = dead.held;
    await dead.abandon();
    await until(
      () => rest.every((w) => w.held.length >= 4) && rest.reduce((n, w) => n + w.held.length, 0) === 9,
      'the two others hold all 9',
    );
    const after = await fleet.status();
    for (const key of orphaned) {
      const t = after.targets.find((x) => x.key === key);
      expect(t?.owner, JSON.stringify(t)).not.toBe('w0');
      expect(t?.takenFrom, JSON.stringify(t)).toBe('w0');
      expect(t?.takeovers).toBe(1);
    }
    // The takeover came after the lease ran out: the survivors' claims of those keys follow w0's.
    const claimedBy = (i: number) =>
      (events[i] ?? []).filter((e) => e.type === 'claimed').map((e) => (e as { key: string }).key);
    expect([...claimedBy(1), ...claimedBy(2)].filter((k) => orphaned.includes(k)).sort()).toEqual([...orphaned].sort());
    expect(after.workers.find((w) => w.id === 'w0')?.live).toBe(false);
  });

  it('400 targets over 4 workers, each on its own connection: disjoint shares of 100, as the database records them', async () => {
    const first = await engine.open();
    open.push(first);
    const stores = [first];
    // PostgreSQL: a pool per worker, as in four processes; PGlite: one process, one database.
    for (let i = 1; i < 4; i++) {
      const s = engine.name === 'postgres' ? await engine.open(first.schema) : first;
      if (s !== first) open.push(s);
      stores.push(s);
    }
    const fleets = await Promise.all(stores.map((s) => openFleet(s, { leaseTtlMs: 5000 })));
    const ws = fleets.map((f, i) => new FleetWorker(f, { id: `p${i}`, follow: holdForever, leaseTtlMs: 5000 }));
    workers.push(...ws);
    for (const w of ws) await w.start();
    await (fleets[0] as Awaited<ReturnType<typeof openFleet>>).addTargets(
      place,
      Array.from({ length: 400 }, (_, i) => stack(i)),
    );
    await until(() => ws.every((w) => w.held.length === 100), 'each worker holds 100');
    const all = ws.flatMap((w) => w.held);
    expect(new Set(all).size).toBe(400);
    const owners = await first.query<{ key: string; owner: string }>(
      `select key, owner from ${first.schema}.fleet_targets order by key`,
    );
    for (const { key, owner } of owners) expect(ws.find((w) => w.held.includes(key))?.id, key).toBe(owner);
  });

  it('a crashed worker’s targets are taken over as its leases end, not at the taker’s next heartbeat', async () => {
    const store = await engine.open();
    open.push(store);
    const fleet = await openFleet(store, { leaseTtlMs: TTL });
    const crashed = fleetWorker(fleet, 'crashed', holdForever, []);
    await crashed.start();
    await fleet.addTargets(place, [stack(1)]);
    await until(() => crashed.held.length === 1, 'the first worker holds the target');
    await crashed.abandon();
    // The taker heartbeats every 200 s (TTL 600 s): it claims the target at the end of the
    // crashed worker's 1.5 s lease only if it wakes for that moment; its periodic tick is far
    // past the guard.
    const taker = new FleetWorker(fleet, { id: 'taker', follow: holdForever, leaseTtlMs: 600_000 });
    workers.push(taker);
    await taker.start();
    await until(() => taker.held.length === 1, 'taken over when the lease ended', 60_000);
    const [row] = await store.query<{ takeovers: number; taken_from: string }>(
      `select takeovers, taken_from from ${store.schema}.fleet_targets`,
    );
    expect(row).toEqual({ takeovers: 1, taken_from: 'crashed' });
  });

  it('NOTIFY wakes an idle worker: targets added are claimed long before its next heartbeat', async () => {
    const store = await engine.open();
    open.push(store);
    const fleet = await openFleet(store, { leaseTtlMs: 600_000 });
    const heard: string[] = [];
    const unlisten = await store.listen(fleet.channel, (p) => heard.push(p));
    // A heartbeat every 200 s: without the notification nothing would be claimed within the guard.
    const w = new FleetWorker(fleet, { id: 'idle', follow: holdForever, leaseTtlMs: 600_000 });
    workers.push(w);
    await w.start();
    await until(async () => (await fleet.status()).workers.length === 1, 'registered');
    await store.query('select 1');
    await fleet.addTargets(place, [stack(1)]);
    await until(() => w.held.length === 1, 'claimed on NOTIFY', 60_000);
    await until(() => heard.includes('targets'), 'the channel carried it', 60_000);
    await unlisten();
  });

  it('a new worker gets its share: the busy one hands targets back', async () => {
    const { fleet, ws } = await setup(2);
    const [a, b] = ws as [FleetWorker, FleetWorker];
    await a.start();
    await fleet.addTargets(
      place,
      Array.from({ length: 6 }, (_, i) => stack(i)),
    );
    await until(() => a.held.length === 6, 'the only worker holds all 6');
    await b.start();
    await until(() => a.held.length === 3 && b.held.length === 3, 'then 3 each');
  });

  it('a follow that fails backs off with a growing delay and keeps the error; a THROTTLED one also slows the budget', async () => {
    let calls = 0;
    const failing: FollowFn = (t) => ({
      // biome-ignore lint/correctness/useYield: fails before its first record
      async *[Symbol.asyncIterator]() {
        calls++;
        if (t.discovered.name === 's0') {
          throw new StackfeedError({
            code: 'THROTTLED',
            provider: 'openstack-heat',
            httpStatus: 429,
            message: 'Rate exceeded',
          });
        }
        throw new StackfeedError({
          code: 'UNAUTHORIZED',
          provider: 'openstack-heat',
          httpStatus: 401,
          message: 'token revoked',
        });
      },
    });
    const events: WorkerEvent[][] = [];
    const { fleet, ws } = await setup(1, failing, events);
    await ws[0]?.start();
    await fleet.addTargets(place, [stack(0), stack(1)]);
    await until(() => (events[0] ?? []).filter((e) => e.type === 'failed').length >= 2, 'both failed once');
    const status = await fleet.status();
    const s0 = status.targets.find((t) => t.name === 's0');
    const s1 = status.targets.find((t) => t.name === 's1');
    expect(s0?.lastError).toMatch(/^THROTTLED: /);
    expect(s1?.lastError).toMatch(/^UNAUTHORIZED: token revoked/);
    expect(s1?.owner).toBeUndefined();
    expect(s1?.notBefore).toBeInstanceOf(Date);
    expect(status.budgets.find((b) => b.key === place.budget.key)?.throttled).toBe(1);
    await until(() => (events[0] ?? []).filter((e) => e.type === 'failed').length >= 4, 'retried after the back-off');
    const delays = (events[0] ?? [])
      .filter((e): e is Extract<WorkerEvent, { type: 'failed' }> => e.type === 'failed' && e.key.endsWith('/id-1'))
      .map((e) => e.retryInMs);
    expect(delays.slice(0, 2)).toEqual([1000, 2000]);
    expect(calls).toBeGreaterThanOrEqual(4);
  });

  it('a target done is followed again when discovery finds it in progress once more', async () => {
    const ended: FollowFn = () => ({
      async *[Symbol.asyncIterator]() {},
    });
    const events: WorkerEvent[][] = [];
    const { fleet, ws } = await setup(1, ended, events);
    await ws[0]?.start();
    expect(await fleet.addTargets(place, [stack(1, false)])).toBe(1);
    await until(async () => (await fleet.status()).targets[0]?.state === 'done', 'the follow ended');
    expect(await fleet.addTargets(place, [stack(1, false)])).toBe(0);
    expect((await fleet.status()).targets[0]?.state).toBe('done');
    await fleet.addTargets(place, [stack(1, true)]);
    await until(() => (events[0] ?? []).filter((e) => e.type === 'done').length === 2, 'followed a second time');
  });

  it('a target done is followed again when discovery lists another status than its follow ended on', async () => {
    // The follow ends as a watch does: its result says the status the stack ended on.
    const ended: FollowFn = () => ({
      async *[Symbol.asyncIterator]() {},
      result: {
        outcome: 'succeeded',
        status: 'CREATE_COMPLETE',
        eventsYielded: 0,
        polls: 1,
        cappedPolls: 0,

        fullRereadPolls: 0,
      },
    });
    const events: WorkerEvent[][] = [];
    const { fleet, ws } = await setup(1, ended, events);
    await ws[0]?.start();
    const at = (status: string) => ({ ...stack(1, false), status, state: 'COMPLETE' as const });
    await fleet.addTargets(place, [at('CREATE_IN_PROGRESS')]);
    await until(async () => (await fleet.status()).targets[0]?.state === 'done', 'the follow ended');
    // The status it ended on: nothing new to read.
    await fleet.addTargets(place, [at('CREATE_COMPLETE')]);
    expect((await fleet.status()).targets[0]?.state).toBe('done');
    // An update began and ended between two discoveries: its events are still to be read.
    await fleet.addTargets(place, [at('UPDATE_COMPLETE')]);
    await until(() => (events[0] ?? []).filter((e) => e.type === 'done').length === 2, 'followed a second time');
  });

  it('a status that re-opened a target for nothing (the listing names the end differently) re-opens it no more', async () => {
    // As a ParallelCluster cluster: discovery lists CREATE_FAILED, the follow of its stack ends ROLLBACK_COMPLETE.
    const ended: FollowFn = () => ({
      async *[Symbol.asyncIterator]() {},
      result: {
        outcome: 'failed',
        status: 'ROLLBACK_COMPLETE',
        eventsYielded: 0,
        polls: 1,
        cappedPolls: 0,
        fullRereadPolls: 0,
      },
    });
    const events: WorkerEvent[][] = [];
    const { fleet, ws } = await setup(1, ended, events);
    await ws[0]?.start();
    const dones = () => (events[0] ?? []).filter((e) => e.type === 'done').length;
    const at = (status: string, inProgress = false) => ({ ...stack(1, inProgress), status, state: 'FAILED' as const });
    await fleet.addTargets(place, [at('CREATE_IN_PROGRESS', true)]);
    await until(() => dones() === 1, 'the follow ended');
    // Another status than the follow's: followed once more, which reads nothing new.
    await fleet.addTargets(place, [at('CREATE_FAILED')]);
    await until(() => dones() === 2, 'followed a second time');
    for (let i = 0; i < 3; i++) await fleet.addTargets(place, [at('CREATE_FAILED')]);
    expect((await fleet.status()).targets[0]?.state).toBe('done');
    expect(dones()).toBe(2);
    // A status not seen before still does.
    await fleet.addTargets(place, [at('UPDATE_FAILED')]);
    await until(() => dones() === 3, 'followed a third time');
  });

  it('a listing that began before the follow ended does not re-open the target for what it read', async () => {
    const ended: FollowFn = () => ({
      async *[Symbol.asyncIterator]() {},
    });
    const events: WorkerEvent[][] = [];
    const { fleet, ws, store } = await setup(1, ended, events);
    const [before] = await store.query<{ at: Date }>('select now() as at');
    await ws[0]?.start();
    expect(await fleet.addTargets(place, [stack(1, false)])).toBe(1);
    await until(async () => (await fleet.status()).targets[0]?.state === 'done', 'the follow ended');
    // A discovery that started listing before that end still read it in progress: stale, no re-open.
    await fleet.addTargets(place, [stack(1, true)], { listedAt: before?.at });
    expect((await fleet.status()).targets[0]?.state).toBe('done');
    // A listing begun after the end that finds it in progress: a new operation, followed again.
    const [after] = await store.query<{ at: Date }>('select now() as at');
    await fleet.addTargets(place, [stack(1, true)], { listedAt: after?.at });
    await until(() => (events[0] ?? []).filter((e) => e.type === 'done').length === 2, 'followed a second time');
  });
});

describe('a worker whose database goes away (PostgreSQL)', () => {
  it('keeps failing its ticks quietly (no unhandled rejection) while another worker takes its targets over', async () => {
    const pg = ENGINES.find((e) => e.name === 'postgres') as (typeof ENGINES)[number];
    const healthy = await pg.open();
    const doomed = await pg.open(healthy.schema);
    const fleetA = await openFleet(healthy, { leaseTtlMs: TTL });
    const fleetB = await openFleet(doomed, { leaseTtlMs: TTL });
    const evB: WorkerEvent[] = [];
    let following = 0;
    const b = new FleetWorker(fleetB, {
      id: 'doomed',
      // Counts the follows that got past their start (budget, checkpoint): then only ticks query.
      follow: (t, cp, signal, ctx) => {
        const inner = holdForever(t, cp, signal, ctx);
        return {
          async *[Symbol.asyncIterator]() {
            following++;
            yield* inner;
          },
        };
      },
      places: [place],
      discover: () => (async function* () {})(),
      onEvent: (e) => evB.push(e),
    });
    await b.start();
    await fleetA.addTargets(place, [stack(1), stack(2)]);
    await until(() => b.held.length === 2 && following === 2, 'the doomed worker follows both');
    // Its pool is ended under it: every later query of that worker fails.
    await doomed.close();
    const a = new FleetWorker(fleetA, { id: 'healthy', follow: holdForever });
    await a.start();
    await until(() => a.held.length === 2, 'the healthy worker took both over');
    const s = await fleetA.status();
    expect(
      s.targets.map((t) => [t.owner, t.takenFrom]),
      JSON.stringify(evB),
    ).toEqual([
      ['healthy', 'doomed'],
      ['healthy', 'doomed'],
    ]);
    await b.stop();
    await a.stop();
    await healthy.close();
  });
});
