import { openStore, type Store } from '@stackfeed/store';
import { afterAll, describe, expect, it } from 'vitest';
import { budgetUsage, openFleet } from '../src/index.js';
import { freshSchema, postgresUrl, until } from './engines.js';
import { forkWorker, type Proc } from './fork-worker.js';
import { exactlyOnce, lagReport } from './scale-report.js';
import { type ScaleWorld, startScaleWorld } from './scale-source.js';

/**
 * The CI-sized scale proof on PostgreSQL: 4 worker processes, 240 targets with activity over 8
 * accounts, two per emulator: Heat projects, RFS projects, ParallelCluster accounts (clusters'
 * stack events, API mode) and Image Builder accounts (lifecycle executions); one worker killed -9
 * mid-run and a second later. Asserted: correctness only (exactly once against the emulators'
 * ground truth, the crashed workers' targets taken over and finished, the budget never exceeded
 * at the emulators). The lag from event time to stored is printed as a figure, with its parts
 * (lag-trace.ts), never asserted.
 *
 * Demand against the budget, so that the lag it prints can be held to poll + 1 s at all: an
 * account's demand is (targets followed at once) × (requests per poll) ÷ (poll interval), its
 * budget 25 per (1 s + 250 ms transit allowance) = 20 requests/s. Requests per poll, measured
 * (session 11): Heat 1.2, RFS 1.9, ParallelCluster 1.8, Image Builder 1.1. Before session 11 the
 * proof had 60 targets per account starting within 60 s: 11-12 followed at once (median, 1 s
 * samples), up to 32 at ParallelCluster, i.e. 20 requests/s at the median for RFS and
 * ParallelCluster and up to 59/s at the peak: over the budget, so no scheduler could meet the
 * lag (p95 2.7-3.4 s printed). Now 30 per account within 90 s: 3-8 followed at once (median),
 * 4-10 requests/s at the median (14/s at ParallelCluster, whose clusters run the
 * longest); ParallelCluster's peaks (12-20 at once, 21-36/s) still bind for moments, and the
 * budget's first-come-first-served slots share them.
 */
const WORKERS = 4;
/** Two accounts per emulator kind (8), 30 targets each: 240 targets. */
const PER_KIND = 2;
const PER_ACCOUNT = 30;
const SPAN_MS = 90_000;
const TTL = 3000;
const POLL_MS = 1000;
/** Per account, fleet-wide: 25 requests in any second. */
const BUDGET = { limit: 25, intervalMs: 1000 };
/** Only guards against a hang; no timing is asserted. */
const GUARD_MS = 240_000;

describe('the fleet at CI scale on PostgreSQL: 4 worker processes, 240 targets on the four emulators, two crashes', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it('every event stored exactly once, the killed workers’ targets resumed, no account over its budget', {
    timeout: GUARD_MS + 60_000,
  }, async () => {
    const world: ScaleWorld = await startScaleWorld({
      heatAccounts: PER_KIND,
      rfsAccounts: PER_KIND,
      pclusterAccounts: PER_KIND,
      imageBuilderAccounts: PER_KIND,
      perAccount: PER_ACCOUNT,
      spanMs: SPAN_MS,
      budget: BUDGET,
    });
    cleanup.push(() => world.close());
    const store: Store = await openStore(postgresUrl(), { schema: freshSchema() });
    cleanup.push(() => store.close());
    const fleet = await openFleet(store, { leaseTtlMs: TTL });
    const cfg = {
      url: postgresUrl(),
      schema: store.schema,
      accounts: world.accounts,
      ttl: TTL,
      pollIntervalMs: POLL_MS,
      // A new stack's (or a re-opened one's) first events wait for the next discovery: as often as
      // the polls, so that the p95 over every event is comparable with poll + 1 s.
      discoverEveryMs: POLL_MS,
      trace: true,
    };
    const procs: Proc[] = [];
    for (let i = 0; i < WORKERS; i++) {
      const p = forkWorker('scale-worker-child.ts', `worker-${i}`, cfg);
      procs.push(p);
      cleanup.push(async () => {
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
        await p.exit;
      });
    }
    const S = store.schema;
    const storedCount = async () =>
      Number((await store.query<{ n: string }>(`select count(*)::text as n from ${S}.events`))[0]?.n);
    const held = async (id: string) =>
      (
        await store.query<{ key: string }>(
          `select key from ${S}.fleet_targets where owner = $1 and state = 'pending' and lease_until > now()`,
          [id],
        )
      ).map((r) => r.key);
    // Demand, sampled each second: targets being followed per account (each polls every POLL_MS or so).
    const following = new Map<string, number[]>();
    const sampler = setInterval(() => {
      void store
        .query<{ budget: string; n: number }>(
          `select budget, count(*)::int as n from ${S}.fleet_targets
           where state = 'pending' and owner is not null and lease_until > now() group by 1`,
        )
        .then((rows) => {
          for (const r of rows) following.set(r.budget, [...(following.get(r.budget) ?? []), r.n]);
        })
        .catch(() => {});
    }, 1000);
    cleanup.push(async () => clearInterval(sampler));
    const [victim, second, ...survivors] = procs as [Proc, Proc, ...Proc[]];

    // Mid-run: the victim holds targets and the fleet has stored events.
    await until(
      async () => (await held(victim.id)).length > 0 && (await storedCount()) > 200,
      'the victim at work',
      GUARD_MS,
    );
    const orphaned = await held(victim.id);
    victim.child.kill('SIGKILL');
    expect((await victim.exit).signal).toBe('SIGKILL');
    // Later, a second crash: once the first one's targets are being taken over.
    const takenOver = async (keys: string[]) =>
      (
        await store.query<{ key: string }>(
          `select key from ${S}.fleet_targets where key = any($1::text[]) and (state = 'done' or takeovers > 0)`,
          [keys],
        )
      ).length;
    await until(
      async () => (await takenOver(orphaned)) > 0 && (await held(second.id)).length > 0,
      'the takeover under way',
      GUARD_MS,
    );
    const orphaned2 = await held(second.id);
    second.child.kill('SIGKILL');
    expect((await second.exit).signal).toBe('SIGKILL');

    // The end: every operation over, discovered again, and every target's follow done.
    const targetCount = world.accounts.length * PER_ACCOUNT;
    await until(
      async () => {
        if (world.clock.now() < world.endsAt + 3000) return false;
        const [row] = await store.query<{ n: number; pending: number }>(
          `select count(*)::int as n, count(*) filter (where state <> 'done')::int as pending from ${S}.fleet_targets`,
        );
        return row?.n === targetCount && row.pending === 0;
      },
      'every target followed to its end',
      GUARD_MS,
    );
    // Exactly once, per target, against the emulator's ground truth (scale-report.ts: the rule,
    // shared with bench/fleet/scale.ts).
    const mismatches = () => exactlyOnce(store, world);
    // A re-opened target (an update seen by discovery) may still be storing its last page.
    await until(async () => (await mismatches()).bad.length === 0, 'every event stored', 60_000).catch(() => {});
    for (const p of survivors) {
      p.child.kill('SIGTERM');
      expect((await p.exit).code, p.stderr()).toBe(0);
    }
    const { bad, logTotal } = await mismatches();
    expect(bad.slice(0, 3)).toEqual([]);
    const perProvider = await store.query<{ provider: string; n: number }>(
      `select provider, count(*)::int as n from ${S}.events group by 1 order by 1`,
    );
    expect(perProvider.map((r) => r.provider)).toEqual([
      'aws-imagebuilder',
      'aws-parallelcluster',
      'huawei-rfs',
      'openstack-heat',
    ]);
    const truthTotal = perProvider.reduce((n, r) => n + r.n, 0);
    expect(truthTotal - (perProvider.find((r) => r.provider === 'aws-imagebuilder')?.n ?? 0)).toBe(logTotal);
    expect(
      await store.query(`select provider, stack_key, event_id from ${S}.events group by 1, 2, 3 having count(*) > 1`),
    ).toEqual([]);

    // The crashed workers' targets: each taken over by another worker (or already done when read) and finished.
    const status = await fleet.status();
    const byKey = new Map(status.targets.map((t) => [t.key, t]));
    expect(orphaned.length).toBeGreaterThan(0);
    expect(orphaned2.length).toBeGreaterThan(0);
    for (const k of [...orphaned, ...orphaned2]) {
      const t = byKey.get(k);
      expect(t?.state, k).toBe('done');
      expect(t?.takeovers, k).toBeGreaterThan(0);
    }
    expect(status.workers.filter((w) => !w.live).map((w) => w.id)).toEqual(
      expect.arrayContaining([victim.id, second.id]),
    );
    expect(status.errors).toEqual([]);

    // The budget, counted at the emulators: every request that arrived took a slot of its account's
    // budget, and no account's arrivals exceeded the limit in any sliding half-window. The budget
    // counts its grants over the interval plus a transit allowance (250 ms), so arrivals stay within
    // the limit over the full interval as long as no request takes longer than that from its grant
    // to the emulator; on a loaded CI machine nothing bounds that, so the full-interval count is
    // printed as a figure (25 for every account in the runs of 2026-12-07, 26–34 before the
    // allowance), and the half-window is what is asserted.
    const lines: string[] = [];
    for (const { place } of world.accounts) {
      const placeKey = place.key;
      const counter = world.counters.get(placeKey);
      if (!counter) throw new Error(`no counter for ${placeKey}`);
      const b = status.budgets.find((x) => x.key === place.budget.key);
      expect(counter.count(), placeKey).toBeLessThanOrEqual(b?.granted ?? 0);
      expect(counter.count(), placeKey).toBeGreaterThan(BUDGET.limit);
      expect(counter.maxInWindow(placeKey, BUDGET.intervalMs / 2), placeKey).toBeLessThanOrEqual(BUDGET.limit);
      const usage = await budgetUsage(store, place.budget.key);
      expect(Math.max(...usage.map((u) => u.requests)), placeKey).toBeLessThanOrEqual(BUDGET.limit);
      lines.push(
        `${placeKey}: ${counter.count()} requests, most in any 1 s at the emulator ${counter.maxInWindow(placeKey, 1000)}, denied ${b?.denied}`,
      );
    }

    // Figures (printed, not asserted): lag from event time to stored.
    const [lag] = await store.query<{ p50: number; p95: number; n: number }>(
      `select percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.95) within group (order by ms) as p95, count(*)::int as n
       from (select extract(epoch from first_seen - ts) * 1000 as ms from ${S}.events) x`,
    );
    clearInterval(sampler);
    const anatomy = await lagReport(store, world, procs);
    // Committed event batches (one NOTIFY each): the inserts of one transaction share first_seen.
    const [batches] = await store.query<{ n: number }>(
      `select count(distinct (stack_key, first_seen))::int as n from ${S}.events`,
    );
    const demand = [...following].map(([k, v]) => {
      const sorted = [...v].sort((a, b) => a - b);
      return `${k} p50 ${sorted[Math.floor(sorted.length / 2)]} max ${sorted[sorted.length - 1]}`;
    });
    console.log(
      [
        `fleet scale (CI): ${WORKERS} workers, ${targetCount} targets, ${truthTotal} events (${perProvider.map((r) => `${r.provider} ${r.n}`).join(', ')}), poll ${POLL_MS} ms`,
        `lag event time → stored: p50 ${Math.round(lag?.p50 ?? 0)} ms, p95 ${Math.round(lag?.p95 ?? 0)} ms (poll + 1 s = ${POLL_MS + 1000} ms)`,
        ...lines,
        `lag parts (ms): ${JSON.stringify(anatomy.parts)}`,
        `requests per poll: ${JSON.stringify(anatomy.requestsPerPoll)}`,
        `event batches committed (one NOTIFY each): ${batches?.n} for ${truthTotal} events`,
        `targets followed at once per account (1 s samples): ${demand.join('; ')}`,
      ].join('\n'),
    );
  });
});
