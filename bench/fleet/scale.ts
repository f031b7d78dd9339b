/**
 * The fleet at scale: TARGETS targets (default 2,000) with activity over 8 accounts across the four
 * emulators (2 Heat projects, 2 RFS projects, 2 ParallelCluster accounts' clusters, 2 Image Builder
 * accounts' lifecycle executions; one emulator each, in this process), followed by WORKERS worker
 * processes (default 4) through a private PostgreSQL cluster, for N minutes of activity (the
 * argument, default 3: the stacks' first operations start staggered over it). Prints requests per
 * minute per target, how many targets one worker follows at the budget (measured CPU per
 * request), lag from event time to stored (p50/p95), stored events against the ground truth (per
 * provider), and RSS. With KILLS=2 (the default) one worker is killed -9 at 40% of the span and a
 * second at 65%: the result says how long their targets took to be claimed again (against the
 * lease TTL) and whether every event was stored exactly once (the CI proof's check). The lag is
 * broken into its parts (packages/fleet/test/lag-trace.ts). Targets that went from done back to
 * pending are listed with the status discovery read and the one their follow ended on.
 * Writes bench/results/fleet-scale.json (or OUT).
 *
 *   npx tsx --conditions=@stackfeed/source bench/fleet/scale.ts 3
 *   TARGETS=2000 WORKERS=4 POLL_MS=5000 LIMIT=25 npx tsx --conditions=@stackfeed/source bench/fleet/scale.ts 10
 */
import { loadavg } from 'node:os';
import { openStore } from '@stackfeed/store';
import { openFleet } from '../../packages/fleet/src/index.ts';
import { forkWorker, type Proc } from '../../packages/fleet/test/fork-worker.ts';
import { exactlyOnce, lagReport } from '../../packages/fleet/test/scale-report.ts';
import { providerOf, startScaleWorld } from '../../packages/fleet/test/scale-source.ts';
import startPostgres from '../../packages/store/test/global-setup.ts';
import { round, writeResult } from '../lib.ts';

const num = (name: string, dflt: number) => {
  const v = process.env[name];
  return v === undefined || v === '' ? dflt : Number(v);
};
const minutes = Number(process.argv[2] ?? 3);
const TARGETS = num('TARGETS', 2000);
const WORKERS = num('WORKERS', 4);
const POLL_MS = num('POLL_MS', 5000);
const LIMIT = num('LIMIT', 25);
const ACCOUNTS = 8;
const KILLS = num('KILLS', 2);
/** Discovery as often as the polls (a new stack's first events wait for it); 10 s before session 11. */
const DISCOVER_MS = num('DISCOVER_MS', POLL_MS);
const TTL = 30_000;

let pg: { url?: string; error?: string } = {};
const stopPostgres = await startPostgres({ provide: (_k: string, v: typeof pg) => (pg = v) } as never);
if (!pg.url) throw new Error(`no PostgreSQL: ${pg.error}`);
const url = pg.url;

const world = await startScaleWorld({
  heatAccounts: ACCOUNTS / 4,
  rfsAccounts: ACCOUNTS / 4,
  pclusterAccounts: ACCOUNTS / 4,
  imageBuilderAccounts: ACCOUNTS / 4,
  perAccount: Math.ceil(TARGETS / ACCOUNTS),
  spanMs: minutes * 60_000,
  budget: { limit: LIMIT, intervalMs: 1000 },
});
const store = await openStore(url, { schema: 'fleet_scale' });
const fleet = await openFleet(store, { leaseTtlMs: TTL });
const t0 = Date.now();
const cpu0 = process.cpuUsage();
const procs: Proc[] = Array.from({ length: WORKERS }, (_, i) =>
  forkWorker('scale-worker-child.ts', `worker-${i}`, {
    url,
    schema: store.schema,
    accounts: world.accounts,
    ttl: TTL,
    pollIntervalMs: POLL_MS,
    discoverEveryMs: DISCOVER_MS,
    trace: true,
  }),
);
/** kill -9 of worker i at `atMs` of the span: what it held (leases live then), and when. */
const kills: Array<{ id: string; atS: number; killedAt?: number; held: string[] }> = [0.4, 0.65]
  .slice(0, KILLS)
  .map((f, i) => ({ id: `worker-${i}`, atS: Math.round((f * minutes * 60_000 + 1000) / 1000), held: [] }));
/** Targets seen back in pending after done: first sighting, with what discovery read. */
const reopened = new Map<
  string,
  { atS: number; status: string; finalStatus: string; inProgress: boolean; endedAgoMs: number | null }
>();
const total = world.accounts.length * Math.ceil(TARGETS / ACCOUNTS);
const S = store.schema;
const q = async <T>(sql: string) => (await store.query<T & Record<string, unknown>>(sql))[0] as T;
let truthTotal = 0;
let maxHeldPerWorker = 0;
/**
 * The ground truth per provider: an event log's every event (`must` = `served` = the log), or, for
 * Image Builder's snapshots, the states the emulator served (`served`) of which the end states (`must`) are stored.
 */
const truthOf = () => {
  const by = new Map<string, { must: number; served: number }>();
  for (const [placeKey, act] of world.activity) {
    const t = by.get(providerOf(placeKey)) ?? { must: 0, served: 0 };
    for (const target of act.targets) {
      const ev = act.events(target.id);
      t.served += ev.length;
      t.must += act.truth === 'served' ? ev.filter((e) => e.final).length : ev.length;
    }
    by.set(providerOf(placeKey), t);
  }
  return by;
};
while (true) {
  await new Promise((r) => setTimeout(r, 5000));
  const sinceStart = (Date.now() - t0) / 1000;
  for (const k of kills) {
    if (k.killedAt !== undefined || sinceStart < k.atS) continue;
    const p = procs.find((x) => x.id === k.id);
    k.held = (
      await store.query<{ key: string }>(
        `select key from ${S}.fleet_targets where owner = $1 and state = 'pending' and lease_until > now()`,
        [k.id],
      )
    ).map((r) => r.key);
    p?.child.kill('SIGKILL');
    k.killedAt = Date.now();
    console.log(`${Math.round(sinceStart)} s: kill -9 ${k.id} (${k.held.length} targets held)`);
  }
  for (const r of await store.query<{
    key: string;
    status: string;
    final_status: string;
    in_progress: boolean;
    ended_ago_ms: number | null;
  }>(
    `select key, status, final_status, in_progress,
       (extract(epoch from now() - ended_at) * 1000)::float8 as ended_ago_ms
     from ${S}.fleet_targets where state = 'pending' and final_status is not null`,
  )) {
    if (!reopened.has(r.key)) {
      reopened.set(r.key, {
        atS: Math.round(sinceStart),
        status: r.status,
        finalStatus: r.final_status,
        inProgress: r.in_progress,
        endedAgoMs: r.ended_ago_ms === null ? null : Math.round(r.ended_ago_ms),
      });
    }
  }
  const row = await q<{ n: number; pending: number; held: number; events: number }>(
    `select count(*)::int as n, count(*) filter (where state <> 'done')::int as pending,
       count(*) filter (where owner is not null and lease_until > now())::int as held,
       (select count(*)::int from ${S}.events) as events from ${S}.fleet_targets`,
  );
  maxHeldPerWorker = Math.max(maxHeldPerWorker, ...procs.map((p) => lastRss(p)?.held ?? 0));
  const over = world.clock.now() > world.endsAt + 15_000;
  const truth = truthOf();
  truthTotal = [...truth.values()].reduce((n, t) => n + t.must, 0);
  console.log(
    `${Math.round((Date.now() - t0) / 1000)} s: targets ${row.n}/${total}, following ${row.held}, pending ${row.pending}, events ${row.events}/${truthTotal}`,
  );
  if (over && row.n === total && row.pending === 0 && row.events >= truthTotal) break;
}
const wallMs = Date.now() - t0;
const rss = procs.map((p) => lastRss(p));
for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
await Promise.all(procs.map((p) => p.exit));
const once = await exactlyOnce(store, world);
const lagParts = await lagReport(store, world, procs);
// Takeover: from the kill to the first claim of each target it held by another worker (by the
// time the parent read the claim), against the lease TTL (a claim comes at the next tick after
// the expiry: up to TTL + TTL/3).
const takeovers = kills.map((k) => {
  const delays: number[] = [];
  let notTaken = 0;
  for (const key of k.held) {
    let first: number | undefined;
    for (const p of procs) {
      if (p.id === k.id) continue;
      for (const e of p.events) {
        if (e.type === 'claimed' && e.key === key && e.at !== undefined && e.at >= (k.killedAt ?? 0)) {
          first = Math.min(first ?? e.at, e.at);
        }
      }
    }
    if (first === undefined) notTaken++;
    else delays.push(first - (k.killedAt ?? 0));
  }
  delays.sort((a, b) => a - b);
  return {
    worker: k.id,
    atS: k.atS,
    held: k.held.length,
    reclaimed: delays.length,
    notReclaimed: notTaken,
    msToReclaim: { min: delays[0], median: delays[Math.floor(delays.length / 2)], max: delays[delays.length - 1] },
    ttlMs: TTL,
  };
});
// Follows to done per target against its operations: more dones than operations is a re-open
// that found nothing new (discovery read a status the follow had already seen end).
const dones = new Map<string, number>();
for (const p of procs) for (const e of p.events) if (e.type === 'done') dones.set(e.key, (dones.get(e.key) ?? 0) + 1);
const opsOf = new Map<string, number>();
for (const [placeKey, act] of world.activity)
  for (const t of act.targets) opsOf.set(`${placeKey}|${t.name}`, t.operations.length);
let extraDones = 0;
let targetsFollowedMoreThanOperations = 0;
for (const r of await store.query<{ key: string; name: string; place: string }>(
  `select key, name, place from ${S}.fleet_targets`,
)) {
  const extra = (dones.get(r.key) ?? 0) - (opsOf.get(`${r.place}|${r.name}`) ?? 1);
  if (extra > 0) {
    extraDones += extra;
    targetsFollowedMoreThanOperations++;
  }
}
const arrivals = Object.fromEntries(
  [...world.counters].map(([k, c]) => [k, { in1s: c.maxInWindow(k, 1000), in500ms: c.maxInWindow(k, 500) }]),
);

const lagOf = (where: string) =>
  q<{ p50: number; p95: number }>(
    `select percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.95) within group (order by ms) as p95
     from (select extract(epoch from e.first_seen - e.ts) * 1000 as ms from ${S}.events e ${where}) x`,
  );
const lag = await lagOf('');
const perProviderRows = await store.query<{ provider: string; n: number; p50: number; p95: number; minutes: number }>(
  `select x.provider, count(*)::int as n,
     percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.95) within group (order by ms) as p95,
     (select sum(extract(epoch from span) + ${POLL_MS / 1000}) / 60 from (select max(ts) - min(ts) as span
        from ${S}.events where provider = x.provider group by stack_key) y) as minutes
   from (select provider, extract(epoch from first_seen - ts) * 1000 as ms from ${S}.events) x group by x.provider order by 1`,
);
// Events of targets already known when they happened (no wait for the next discovery).
const lagKnown = await lagOf(
  `where e.ts >= (select min(t.discovered_at) from ${S}.fleet_targets t where t.name = e.stack_name)`,
);
// Target-minutes of following: per stack, its operations' span (first to last event) plus one poll.
const followed = await q<{ minutes: number }>(
  `select sum(extract(epoch from span) + ${POLL_MS / 1000}) / 60 as minutes
   from (select max(ts) - min(ts) as span from ${S}.events group by provider, stack_key) x`,
);
const stored = (await q<{ n: number }>(`select count(*)::int as n from ${S}.events`)).n;
// On-disk size of the events table with its indexes, per event (for the table-growth arithmetic).
const eventsBytes = Number((await q<{ b: string }>(`select pg_total_relation_size('${S}.events')::text as b`)).b);
const requests = [...world.counters.values()].reduce((n, c) => n + c.count(), 0);
const budgets = (await fleet.status()).budgets;
// CPU spent following (after start-up: tsx compiles the sources first).
const readyCpu = (p: Proc) => (p.events.find((e) => e.type === 'ready') as { cpuMs?: number } | undefined)?.cpuMs ?? 0;
const workerCpuMs = procs.reduce((n, p, i) => n + (rss[i]?.cpuMs ?? 0) - readyCpu(p), 0);
const cpuPerRequestMs = workerCpuMs / requests;
const reqPerMinPerTarget = requests / followed.minutes;
// One worker at one core: how many requests per second its CPU allows, and the budget's own limit.
const perWorkerAtCpu = ((1000 / cpuPerRequestMs) * 60) / reqPerMinPerTarget;
const perAccountAtBudget = (LIMIT * 60) / reqPerMinPerTarget;
const mainCpu = process.cpuUsage(cpu0);
const finalTruth = truthOf();
const perProvider = Object.fromEntries(
  perProviderRows.map((r) => {
    const reqs = [...world.counters]
      .filter(([k]) => providerOf(k) === r.provider)
      .reduce((n, [, c]) => n + c.count(), 0);
    const perTarget = reqs / r.minutes;
    const t = finalTruth.get(r.provider);
    return [
      r.provider,
      {
        targets: world.accounts.filter((a) => a.place.provider === r.provider).length * Math.ceil(TARGETS / ACCOUNTS),
        storedEvents: r.n,
        truthEvents: t?.must === t?.served ? t?.must : { mustStore: t?.must, served: t?.served },
        requests: reqs,
        requestsPerMinPerTarget: round(perTarget, 2),
        targetsOneAccountBudgetFollows: Math.floor((LIMIT * 60) / perTarget),
        lagMs: { p50: Math.round(r.p50), p95: Math.round(r.p95) },
      },
    ];
  }),
);
const result = {
  minutes,
  targets: total,
  workers: WORKERS,
  accounts: world.accounts.length,
  pollIntervalMs: POLL_MS,
  discoverEveryMs: DISCOVER_MS,
  budgetPerAccount: `${LIMIT}/s`,
  wallSeconds: round(wallMs / 1000, 1),
  storedEvents: stored,
  eventsTableBytesPerEvent: Math.round(eventsBytes / Math.max(1, stored)),
  truthEvents: truthTotal,
  requests,
  requestsPerMinPerTarget: round(reqPerMinPerTarget, 2),
  maxTargetsHeldPerWorker: maxHeldPerWorker,
  workerCpuMsPerRequest: round(cpuPerRequestMs, 3),
  targetsOneWorkerFollowsAtOneCore: Math.floor(perWorkerAtCpu),
  targetsOneAccountBudgetFollows: Math.floor(perAccountAtBudget),
  lagMs: { p50: Math.round(lag.p50), p95: Math.round(lag.p95) },
  lagMsOfKnownTargets: { p50: Math.round(lagKnown.p50), p95: Math.round(lagKnown.p95) },
  perProvider,
  budgetDenied: Object.fromEntries(budgets.map((b) => [b.key, b.denied])),
  workerRssMB: rss.map((r) => round((r?.bytes ?? 0) / 2 ** 20, 1)),
  workerCpuSeconds: procs.map((p, i) => round(((rss[i]?.cpuMs ?? 0) - readyCpu(p)) / 1000, 1)),
  exactlyOnce: {
    targets: once.targets,
    mismatched: once.bad.length,
    sample: once.bad.slice(0, 5).map((b) => ({ target: b.target, got: b.got.length, want: b.want.length })),
  },
  kills: takeovers,
  maxArrivalsPerAccount: arrivals,
  lagParts: lagParts.parts,
  requestsPerPoll: lagParts.requestsPerPoll,
  reopenedAfterDone: {
    extraDones,
    targetsFollowedMoreThanOperations,
    seenPendingAgain: reopened.size,
    sample: [...reopened].slice(0, 10).map(([key, v]) => ({ key, ...v })),
  },
  loadAverage: loadavg().map((x) => round(x, 2)),
  emulatorProcess: {
    rssMB: round(process.memoryUsage().rss / 2 ** 20, 1),
    cpuSeconds: round((mainCpu.user + mainCpu.system) / 1e6, 1),
  },
};
console.log(JSON.stringify(result, null, 2));
writeResult(process.env.OUT ?? 'bench/results/fleet-scale.json', result);
await store.close();
await world.close();
stopPostgres();
if (once.bad.length > 0) {
  console.error(
    `${once.bad.length} targets not stored exactly once, e.g. ${JSON.stringify(once.bad.slice(0, 3).map((b) => ({ target: b.target, got: b.got.length, want: b.want.length })))}`,
  );
  process.exitCode = 1;
}
for (const [provider, t] of finalTruth) {
  const n = perProviderRows.find((r) => r.provider === provider)?.n ?? 0;
  if (n < t.must || n > t.served) {
    console.error(`${provider}: stored ${n} events, the emulators' truth: ${t.must} to store (${t.served} served)`);
    process.exitCode = 1;
  }
}

function lastRss(p: Proc) {
  for (let i = p.events.length - 1; i >= 0; i--) {
    const e = p.events[i];
    if (e?.type === 'rss') return e;
  }
  return undefined;
}
