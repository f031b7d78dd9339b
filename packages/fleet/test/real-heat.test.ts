import { openStore, type Store } from '@stackfeed/store';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openFleet } from '../src/index.js';
import { freshSchema, postgresUrl, until } from './engines.js';
import { forkWorker, type Proc } from './fork-worker.js';
import {
  createPeerStack,
  deletePeerStack,
  flatTemplate,
  type PeerStack,
  peerEvents,
  peerStackStatus,
  updatePeerStack,
} from './heat-peer.js';

/**
 * The fleet on the real OpenStack Heat (the shared peer, noauth): a handful of stacks created on
 * it, followed by 2 worker processes through PostgreSQL; one is killed -9 while it holds targets,
 * and one stack is updated after the crash. Every event of the peer's stacks is stored exactly
 * once, the ground truth being Heat's own event list. Correctness only.
 */
const TTL = 3000;
/** Per account (the peer's project), fleet-wide. */
const BUDGET = { limit: 20, intervalMs: 1000 };
/** Only guards against a hang; no timing is asserted. */
const GUARD_MS = 240_000;
const TERMINAL = /_(COMPLETE|FAILED)$/;

function peerUrl(): string {
  const peer = inject('heatPeer');
  if (!peer.url) throw new Error(`no real Heat peer for the fleet: ${peer.error}`);
  return peer.url;
}

describe('the fleet on the real Heat peer: 2 worker processes, a crash, an update after it', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it('every event of the peer’s stacks stored exactly once, the killed worker’s targets taken over', {
    timeout: GUARD_MS + 60_000,
  }, async () => {
    const base = peerUrl();
    // The peer is shared (other suites, earlier runs): this run's stacks, by name.
    const prefix = `fleet-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const stacks: PeerStack[] = [];
    cleanup.push(() => Promise.all(stacks.map((s) => deletePeerStack(base, s))));
    for (let i = 0; i < 6; i++) {
      const fails = i % 3 === 2;
      const template = flatTemplate({ slow: fails ? 1 : 2 + (i % 2), waitSecs: 3, fails });
      stacks.push(await createPeerStack(base, `${prefix}-s${i}`, template));
    }

    const store: Store = await openStore(postgresUrl(), { schema: freshSchema() });
    cleanup.push(() => store.close());
    const fleet = await openFleet(store, { leaseTtlMs: TTL });
    const cfg = {
      url: postgresUrl(),
      schema: store.schema,
      endpoints: { peer: base },
      name: `${prefix}-*`,
      ttl: TTL,
      budget: BUDGET,
      pollIntervalMs: 1000,
      discoverEveryMs: 1500,
    };
    const procs = ['worker-0', 'worker-1'].map((id) => {
      const p = forkWorker('worker-child.ts', id, cfg);
      cleanup.push(async () => {
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
        await p.exit;
      });
      return p;
    });
    const [victim, survivor] = procs as [Proc, Proc];
    const S = store.schema;
    const held = async (id: string) =>
      (
        await store.query<{ key: string }>(
          `select key from ${S}.fleet_targets where owner = $1 and state = 'pending' and lease_until > now()`,
          [id],
        )
      ).map((r) => r.key);
    const storedCount = async () =>
      Number((await store.query<{ n: string }>(`select count(*)::text as n from ${S}.events`))[0]?.n);

    // Mid-run: the victim follows stacks that are still being created, and events are stored.
    await until(
      async () => (await held(victim.id)).length > 0 && (await storedCount()) > 0,
      'the victim at work',
      GUARD_MS,
    );
    const orphaned = await held(victim.id);
    victim.child.kill('SIGKILL');
    expect((await victim.exit).signal).toBe('SIGKILL');

    // After the crash, an update of a stack once its create is over: new events the survivor must find.
    const updated = stacks[0] as PeerStack;
    await until(async () => TERMINAL.test(await peerStackStatus(base, updated)), 'the first create over', GUARD_MS);
    await updatePeerStack(base, updated, flatTemplate({ slow: 2, waitSecs: 2, value: 'v2' }));
    await until(
      async () =>
        (await peerStackStatus(base, updated)).startsWith('UPDATE_') &&
        TERMINAL.test(await peerStackStatus(base, updated)),
      'the update over',
      GUARD_MS,
    );
    for (const s of stacks)
      await until(async () => TERMINAL.test(await peerStackStatus(base, s)), `${s.name} over`, GUARD_MS);

    // Exactly once: per stack, what is stored is Heat's own event list (ids; the order of events
    // within Heat's one-second timestamps is not compared).
    const mismatches = async () => {
      const bad: Array<{ stack: string; got: string[]; want: string[] }> = [];
      for (const s of stacks) {
        const want = (await peerEvents(base, s)).map((e) => e.id).sort();
        const got = (await store.events({ stack: s.id }).toArray({ limit: 10_000 })).map((e) => e.id).sort();
        if (JSON.stringify(got) !== JSON.stringify(want)) bad.push({ stack: s.name, got, want });
      }
      return bad;
    };
    await until(
      async () => {
        const [row] = await store.query<{ n: number; pending: number }>(
          `select count(*)::int as n, count(*) filter (where state <> 'done')::int as pending from ${S}.fleet_targets`,
        );
        return row?.n === stacks.length && row.pending === 0 && (await mismatches()).length === 0;
      },
      'every stack followed to its end and stored',
      GUARD_MS,
    ).catch(() => {});
    survivor.child.kill('SIGTERM');
    expect((await survivor.exit).code, survivor.stderr()).toBe(0);

    expect(await mismatches()).toEqual([]);
    let truthTotal = 0;
    for (const s of stacks) truthTotal += (await peerEvents(base, s)).length;
    // Every stack's create has its stack event and two per resource: nothing here is vacuous.
    expect(truthTotal).toBeGreaterThan(stacks.length * 4);
    expect(await storedCount()).toBe(truthTotal);
    expect(
      await store.query(`select provider, stack_key, event_id from ${S}.events group by 1, 2, 3 having count(*) > 1`),
    ).toEqual([]);
    // The update's events are among them (found after the crash).
    expect((await peerEvents(base, updated)).some((e) => e.resource_status.startsWith('UPDATE_'))).toBe(true);

    const status = await fleet.status();
    expect(status.targets).toHaveLength(stacks.length);
    expect(orphaned.length).toBeGreaterThan(0);
    for (const k of orphaned) {
      const t = status.targets.find((x) => x.key === k);
      expect(t?.state, k).toBe('done');
      expect(t?.takeovers, k).toBeGreaterThan(0);
    }
    expect(status.workers.find((w) => w.id === victim.id)?.live).toBe(false);
    expect(status.errors).toEqual([]);
  });
});
