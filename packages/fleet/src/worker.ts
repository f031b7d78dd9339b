import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type DiscoveredTarget,
  type Logger,
  type Paginator,
  type RateLimiter,
  StackfeedError,
  type WatchResult,
} from '@stackfeed/core';
import { fullJitterDelay, matchesDiscoverFilters } from '@stackfeed/core/adapter';
import type { Archivable, Checkpoint } from '@stackfeed/store';
import type { SharedBudget } from './budget.js';
import type { Place } from './config.js';
import { type Fleet, type FleetError, type FleetTarget, reviveTarget } from './fleet.js';

/** What a follow or a discovery gets from the fleet, to hand to its client. */
export interface FleetContext {
  /** The shared budget of the target's account and region: pass it as the client's `rateLimit`. */
  rateLimit: RateLimiter;
  /** Pass as the client's `logger`: a THROTTLED retry slows the budget for every worker. */
  logger: Logger;
  /** The poll interval the fleet is configured with. */
  pollIntervalMs: number;
}

/**
 * Follow one target from its checkpoint: a watch stream of its records (events, image or
 * execution snapshots) that ends when the target reaches a terminal state. `checkpoint` is the
 * store's (undefined the first time); start at `checkpoint.lowWater`. Stop when `signal` aborts.
 */
export type FollowFn = (
  target: FleetTarget,
  checkpoint: Checkpoint | undefined,
  signal: AbortSignal,
  context: FleetContext,
) => AsyncIterable<Archivable> & { readonly result?: WatchResult | undefined };

/** List what a place holds (an adapter's `discover()`), within the place's budget. */
export type DiscoverFn = (
  place: Place,
  signal: AbortSignal,
  context: FleetContext,
) => Paginator<DiscoveredTarget<unknown>> | AsyncIterable<DiscoveredTarget<unknown>>;

/**
 * A failure as the worker reports it: the account (budget key) it concerns, the error's code and
 * message, how many in a row (`count`), when (`lastSeen`), and the back-off before the next try.
 */
export interface FailureReport {
  /** The provider account and region (budget key). */
  account: string;
  /** The `StackfeedError` code; SERVER for anything else. */
  code: string;
  message: string;
  /** Failures in a row of this place's discovery or this target's follow. */
  count: number;
  lastSeen: Date;
  /** The back-off before any worker tries again. */
  retryInMs: number;
}

/** What a worker tells as it goes (for logs and tests). */
export type WorkerEvent =
  | { type: 'claimed'; key: string; takenFrom: string | undefined }
  | { type: 'done'; key: string; outcome: string | undefined; inserted: number }
  | { type: 'released'; key: string; inserted: number }
  | { type: 'lost'; key: string }
  | ({ type: 'failed'; key: string } & FailureReport)
  | { type: 'discovered'; place: string; found: number; added: number }
  | ({ type: 'discovery-failed'; place: string } & FailureReport);

export interface WorkerOptions {
  /** Default `<host>:<pid>:<random>`. */
  id?: string | undefined;
  follow: FollowFn;
  /** With `places`: discovery runs periodically, one worker per place at a time. */
  discover?: DiscoverFn | undefined;
  places?: readonly Place[] | undefined;
  /** Lease length (default the fleet's, 30 s); heartbeats every third of it. */
  leaseTtlMs?: number | undefined;
  /** How often a place is discovered (default 60 s). */
  discoverEveryMs?: number | undefined;
  /** Handed to each follow (default 5 s). */
  pollIntervalMs?: number | undefined;
  /** At most this many targets at once (default unlimited: the fair share decides). */
  maxTargets?: number | undefined;
  /**
   * Back-off after a failure: core's full jitter, a random delay up to `backoffMs` (default 1 s)
   * doubled per failure in a row, at most `maxBackoffMs` (default 5 min).
   */
  backoffMs?: number | undefined;
  maxBackoffMs?: number | undefined;
  /** The jitter's random source in [0, 1] (tests: `() => 1` gives the ceilings). */
  random?: (() => number) | undefined;
  /** Store batching of each follow. */
  batchSize?: number | undefined;
  flushIntervalMs?: number | undefined;
  onEvent?: ((event: WorkerEvent) => void) | undefined;
}

interface Running {
  target: FleetTarget;
  abort: AbortController;
  /** Why it was stopped: the lease was lost, or this worker hands it back. */
  stop?: 'lost' | 'release' | 'abandon';
  done: Promise<void>;
}

/**
 * One worker: claims a fair share of the pending targets (`FOR UPDATE SKIP LOCKED`, so workers
 * never wait on each other's rows), holds each under a lease renewed every TTL/3, follows each
 * into the store from its checkpoint, and hands back what it cannot keep. A worker that dies
 * stops renewing: its leases expire and the others take its targets over, resuming from the
 * checkpoints (the store's idempotent inserts drop what both read).
 *
 * Why not pg-boss or graphile-worker: their unit is a job that runs to completion and is retried
 * whole; a follow runs for hours, must be handed over mid-way with its checkpoint, is re-opened by
 * discovery, and must be spread evenly over the workers (a queue gives work to whoever polls
 * first). Both also need a PostgreSQL server and their own schema, while the embedded PGlite store
 * must run the same fleet in one process. Leases here are one row per target and three statements.
 */
export class FleetWorker {
  readonly id: string;
  private readonly ttl: number;
  private readonly running = new Map<string, Running>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  /** Ms until the next pending target becomes claimable (a lease of another worker ends, a back-off ends). */
  private nextClaimableMs: number | undefined;
  private stopped = false;
  private started = false;
  private unlisten: (() => Promise<void>) | undefined;
  private discovering: Promise<void> | undefined;
  private readonly discoverAbort = new AbortController();
  private readonly S: string;

  constructor(
    private readonly fleet: Fleet,
    private readonly options: WorkerOptions,
  ) {
    this.id = options.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.ttl = options.leaseTtlMs ?? fleet.leaseTtlMs;
    this.S = fleet.S;
  }

  /** Targets this worker follows now. */
  get held(): string[] {
    return [...this.running.keys()];
  }

  /** Register, listen for new targets, and start the heartbeat/claim loop. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.fleet.store.query(
      `insert into ${this.S}.fleet_workers (id, host, pid) values ($1, $2, $3)
       on conflict (id) do update set heartbeat_at = now(), stopped_at = null`,
      [this.id, hostname(), process.pid],
    );
    if (this.options.places?.length) {
      await this.fleet.store.query(
        `insert into ${this.S}.fleet_places (key, place)
         select key, place from jsonb_to_recordset($1::text::jsonb) as r(key text, place jsonb)
         on conflict (key) do update set place = excluded.place`,
        [JSON.stringify(this.options.places.map((p) => ({ key: p.key, place: p })))],
      );
    }
    this.unlisten = await this.fleet.store.listen(this.fleet.channel, () => this.wake());
    this.wake();
  }

  /** Stop: every follow is stopped (what it read is stored), its lease handed back for others. */
  async stop(): Promise<void> {
    await this.halt('release');
    await this.fleet.store
      .query(`update ${this.S}.fleet_workers set stopped_at = now() where id = $1`, [this.id])
      .catch(() => {});
    await this.fleet.notify('released').catch(() => {});
  }

  /**
   * Stop at once as a crash would: no lease is handed back, so the other workers take the
   * targets over when the leases expire. For a process that must exit now.
   */
  async abandon(): Promise<void> {
    await this.halt('abandon');
  }

  private async halt(how: 'release' | 'abandon'): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.unlisten?.().catch(() => {});
    await this.ticking?.catch(() => {});
    const all = [...this.running.values()];
    for (const r of all) {
      r.stop = how;
      r.abort.abort();
    }
    await Promise.all(all.map((r) => r.done));
    this.discoverAbort.abort();
    await this.discovering?.catch(() => {});
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.ticking = this.tick()
      .catch(() => {
        // The database is away: the next tick tries again; leases not renewed in time are lost.
      })
      .finally(() => {
        this.ticking = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.wake();
          return;
        }
        // The heartbeat's period, or sooner when a target becomes claimable before it: a crashed
        // worker's targets are then taken over as its leases end, within the TTL of its last
        // heartbeat, not up to a period later.
        const until = Math.min(this.ttl / 3, (this.nextClaimableMs ?? Number.POSITIVE_INFINITY) + 5);
        this.timer = setTimeout(() => this.wake(), Math.max(10, until));
      });
  }

  private async tick(): Promise<void> {
    await this.heartbeat();
    if (this.stopped) return;
    if (this.options.discover && this.options.places?.length && !this.discovering) {
      this.discovering = this.discoverDue()
        // The database is away: the next tick tries again (never an unhandled rejection).
        .catch(() => {})
        .finally(() => {
          this.discovering = undefined;
        });
    }
    await this.balance();
  }

  /** Renew this worker's row and its leases; a lease that is gone stops its follow. */
  private async heartbeat(): Promise<void> {
    const keys = [...this.running.keys()];
    await this.fleet.store.query(`update ${this.S}.fleet_workers set heartbeat_at = now() where id = $1`, [this.id]);
    if (keys.length === 0) return;
    const kept = await this.fleet.store.query<{ key: string }>(
      `update ${this.S}.fleet_targets set lease_until = now() + ($3::float8 * interval '1 millisecond')
       where owner = $1 and key in (select jsonb_array_elements_text($2::text::jsonb)) returning key`,
      [this.id, JSON.stringify(keys), this.ttl],
    );
    const ok = new Set(kept.map((r) => r.key));
    for (const k of keys) {
      const r = this.running.get(k);
      if (r && !ok.has(k) && !r.stop) {
        r.stop = 'lost';
        r.abort.abort();
        this.emit({ type: 'lost', key: k });
      }
    }
  }

  /** Hand back what exceeds the fair share, then claim up to it. */
  private async balance(): Promise<void> {
    const [counts] = await this.fleet.store.query<{ live: number; pending: number; next_ms: number | null }>(
      `select (select count(*)::int from ${this.S}.fleet_workers
                where stopped_at is null and heartbeat_at > now() - ($1::float8 * interval '1 millisecond')) as live,
              (select count(*)::int from ${this.S}.fleet_targets where state = 'pending') as pending,
              (select (extract(epoch from min(greatest(
                        case when owner is not null and owner <> $2 then lease_until end, not_before)) - now()) * 1000)::float8
                 from ${this.S}.fleet_targets
                 where state = 'pending' and ((owner is not null and owner <> $2 and lease_until >= now())
                   or (owner is null and not_before > now()))) as next_ms`,
      [this.ttl, this.id],
    );
    this.nextClaimableMs =
      counts?.next_ms === null || counts?.next_ms === undefined ? undefined : Math.max(0, counts.next_ms);
    const live = Math.max(1, counts?.live ?? 1);
    const share = Math.ceil((counts?.pending ?? 0) / live);
    const cap = Math.min(share, this.options.maxTargets ?? Number.POSITIVE_INFINITY);
    const mine = [...this.running.values()].filter((r) => !r.stop);
    if (mine.length > cap) {
      // Newest claims first: the longest-running follows are the furthest into their history.
      for (const r of mine.slice(cap)) {
        r.stop = 'release';
        r.abort.abort();
      }
      return;
    }
    const want = cap - mine.length;
    if (want <= 0 || this.stopped) return;
    const claimed = await this.fleet.store.query<{
      key: string;
      place: string;
      budget: string;
      target: unknown;
      taken_from: string | null;
    }>(
      // The pick is a materialized CTE: as `key in (subquery)` the planner may run the subquery
      // once per row and claim more than `limit`.
      `with picked as materialized (
         select key from ${this.S}.fleet_targets
         where state = 'pending' and (owner is null or lease_until < now()) and (not_before is null or not_before <= now())
         order by in_progress desc, discovered_at, key
         limit $2
         for update skip locked)
       update ${this.S}.fleet_targets t set owner = $1, lease_until = now() + ($3::float8 * interval '1 millisecond'),
         claims = t.claims + 1, takeovers = t.takeovers + (case when t.owner is not null and t.owner <> $1 then 1 else 0 end),
         taken_from = t.owner, claimed_at = now(), updated_at = now()
       from picked
       where t.key = picked.key and t.state = 'pending' and (t.owner is null or t.lease_until < now())
       returning t.key, t.place, t.budget, t.target, t.taken_from`,
      [this.id, want, this.ttl],
    );
    for (const row of claimed) {
      if (this.stopped) {
        await this.handBack(row.key);
        continue;
      }
      const target: FleetTarget = {
        key: row.key,
        place: row.place,
        budget: row.budget,
        discovered: reviveTarget(row.target),
      };
      this.emit({ type: 'claimed', key: row.key, takenFrom: row.taken_from ?? undefined });
      this.run(target);
    }
  }

  private run(target: FleetTarget): void {
    const abort = new AbortController();
    const entry: Running = { target, abort, done: Promise.resolve() };
    this.running.set(target.key, entry);
    entry.done = this.follow(entry).finally(() => {
      this.running.delete(target.key);
      if (!this.stopped) this.wake();
    });
  }

  private async follow(r: Running): Promise<void> {
    const { target, abort } = r;
    const store = this.fleet.store;
    let inserted = 0;
    try {
      const budget = await this.budgetFor(target.budget);
      const checkpoint = await store.checkpoint(target.key);
      const stream = this.options.follow(target, checkpoint, abort.signal, this.context(budget));
      const res = await store.archive(stream, {
        target: target.key,
        signal: abort.signal,
        batchSize: this.options.batchSize,
        flushIntervalMs: this.options.flushIntervalMs,
      });
      inserted = res.inserted;
      if (res.aborted || abort.signal.aborted) return await this.afterStop(r, inserted);
      const outcome = stream.result?.outcome;
      await store.query(
        // Nothing new read: the status discovery lists now is this end in its own words.
        `update ${this.S}.fleet_targets set state = 'done', done_status = $3, final_status = $4, owner = null, ended_at = now(),
           settled_status = case when $5::int = 0 then status else null end,
           lease_until = null, failures = 0, last_error = null, not_before = null, updated_at = now()
         where key = $2 and owner = $1`,
        [this.id, target.key, outcome ?? target.discovered.status, stream.result?.status ?? null, inserted],
      );
      await this.fleet.clearError('follow', target.key).catch(() => {});
      this.emit({ type: 'done', key: target.key, outcome, inserted });
    } catch (err) {
      if (abort.signal.aborted) return await this.afterStop(r, inserted);
      await this.failed(target, err);
    }
  }

  private async afterStop(r: Running, inserted: number): Promise<void> {
    if (r.stop === 'release') {
      await this.handBack(r.target.key);
      this.emit({ type: 'released', key: r.target.key, inserted });
    }
    // 'lost': another worker has it; 'abandon': the lease runs out as after a crash.
  }

  private async handBack(key: string): Promise<void> {
    await this.fleet.store
      .query(
        `update ${this.S}.fleet_targets set owner = null, lease_until = null, updated_at = now() where key = $2 and owner = $1`,
        [this.id, key],
      )
      .catch(() => {});
    await this.fleet.notify('released').catch(() => {});
  }

  /** A failed follow: the target waits out a back-off (growing per failure in a row), then any worker retries it. */
  private async failed(target: FleetTarget, err: unknown): Promise<void> {
    const { code, message } = describeError(err);
    if (code === 'THROTTLED') {
      const budget = await this.budgetFor(target.budget).catch(() => undefined);
      await budget?.slowDown().catch(() => {});
    }
    await this.fleet.store
      .query(
        `update ${this.S}.fleet_targets set failures = failures + 1, last_error = $3, updated_at = now()
         where key = $2 and owner = $1`,
        [this.id, target.key, `${code}: ${message}`.slice(0, 2000)],
      )
      .catch(() => {});
    const report = await this.report('follow', target.key, target.budget, code, message);
    await this.fleet.store
      .query(
        `update ${this.S}.fleet_targets set owner = null, lease_until = null,
           not_before = now() + ($3::float8 * interval '1 millisecond') where key = $2 and owner = $1`,
        [this.id, target.key, report.retryInMs],
      )
      .catch(() => {});
    this.emit({ type: 'failed', key: target.key, ...report });
  }

  /** Record a failure (one more in a row) and choose its back-off; a database away still gets one. */
  private async report(
    scope: FleetError['scope'],
    key: string,
    account: string,
    code: string,
    message: string,
  ): Promise<FailureReport> {
    const row = await this.fleet.recordError({ scope, key, account, code, message }).catch(() => undefined);
    const count = row?.count ?? 1;
    const retryInMs = Math.max(
      1,
      fullJitterDelay(
        count - 1,
        this.options.backoffMs ?? 1000,
        this.options.maxBackoffMs ?? 300_000,
        this.options.random,
      ),
    );
    await this.fleet.retryErrorAt(scope, key, retryInMs).catch(() => {});
    return { account, code, message, count, lastSeen: row?.lastSeen ?? new Date(), retryInMs };
  }

  private async budgetFor(key: string): Promise<SharedBudget> {
    const place = this.options.places?.find((p) => p.budget.key === key);
    if (place) return this.fleet.budgetOf(place);
    // A budget created by another worker's config: use the limits stored with it.
    const [row] = await this.fleet.store.query<{ lim: number; interval_ms: number; transit_ms: number }>(
      `select lim, interval_ms, transit_ms from ${this.S}.fleet_budgets where key = $1`,
      [key],
    );
    if (!row) {
      throw new StackfeedError({
        code: 'CONFIG',
        provider: 'core',
        message: `fleet: no budget ${key} is configured (give this worker the places of its config)`,
      });
    }
    // Its transit allowance too: `budget()` writes the options it is given back to the row.
    return this.fleet.budget(key, { limit: row.lim, intervalMs: row.interval_ms, transitMs: row.transit_ms });
  }

  private context(budget: SharedBudget): FleetContext {
    return {
      rateLimit: budget,
      pollIntervalMs: this.options.pollIntervalMs ?? 5000,
      logger: (entry) => {
        if (entry.event === 'retry' && (entry.status === 429 || entry.message === 'THROTTLED')) {
          void budget.slowDown().catch(() => {});
        }
      },
    };
  }

  /** Discover the places whose turn it is, one at a time, each under a lease of its own. */
  private async discoverDue(): Promise<void> {
    const discover = this.options.discover;
    if (!discover) return;
    while (!this.stopped) {
      const [row] = await this.fleet.store.query<{ key: string }>(
        `with picked as materialized (
           select key from ${this.S}.fleet_places
           where next_run <= now() and (owner is null or lease_until < now())
           order by next_run, key limit 1 for update skip locked)
         update ${this.S}.fleet_places p set owner = $1, lease_until = now() + ($2::float8 * interval '1 millisecond')
         from picked where p.key = picked.key
         returning p.key`,
        [this.id, this.ttl],
      );
      if (!row) return;
      const place = this.options.places?.find((p) => p.key === row.key);
      if (!place) {
        // Another worker's config names it: leave it to them.
        await this.fleet.store.query(
          `update ${this.S}.fleet_places set owner = null, lease_until = null where key = $1 and owner = $2`,
          [row.key, this.id],
        );
        return;
      }
      await this.discoverPlace(place, discover);
    }
  }

  private async discoverPlace(place: Place, discover: DiscoverFn): Promise<void> {
    const abort = new AbortController();
    const stop = () => abort.abort();
    this.discoverAbort.signal.addEventListener('abort', stop, { once: true });
    try {
      const budget = await this.fleet.budgetOf(place);
      // The listing's start, on the database's clock: what it reads is as of then or later.
      const [started] = await this.fleet.store.query<{ at: Date }>('select now() as at');
      const found: DiscoveredTarget<unknown>[] = [];
      // The place's kinds and filters hold whatever the discover function applied itself.
      const keep = matchesDiscoverFilters({ kinds: place.kinds, ...place.filters });
      for await (const t of discover(place, abort.signal, this.context(budget))) {
        if (keep(t)) found.push(t);
      }
      const added = await this.fleet.addTargets(place, found, { listedAt: started?.at });
      await this.fleet.store.query(
        `update ${this.S}.fleet_places set owner = null, lease_until = null, runs = runs + 1, failures = 0,
           last_error = null, last_run = now(), found = $3,
           next_run = now() + ($4::float8 * interval '1 millisecond')
         where key = $1 and owner = $2`,
        [place.key, this.id, found.length, this.options.discoverEveryMs ?? 60_000],
      );
      await this.fleet.clearError('discovery', place.key).catch(() => {});
      this.emit({ type: 'discovered', place: place.key, found: found.length, added });
    } catch (err) {
      if (abort.signal.aborted) {
        // This worker is stopping: the place is another worker's to discover, no failure.
        await this.fleet.store
          .query(`update ${this.S}.fleet_places set owner = null, lease_until = null where key = $1 and owner = $2`, [
            place.key,
            this.id,
          ])
          .catch(() => {});
        return;
      }
      // An unknown cloud or profile, an unreachable account, a revoked credential: this place is
      // reported and retried with back-off; the rest of the fleet goes on.
      const { code, message } = describeError(err);
      await this.fleet.store
        .query(
          `update ${this.S}.fleet_places set failures = failures + 1, last_error = $3, last_run = now()
           where key = $1 and owner = $2`,
          [place.key, this.id, `${code}: ${message}`.slice(0, 2000)],
        )
        .catch(() => {});
      const report = await this.report('discovery', place.key, place.budget.key, code, message);
      await this.fleet.store
        .query(
          `update ${this.S}.fleet_places set owner = null, lease_until = null,
             next_run = now() + ($3::float8 * interval '1 millisecond') where key = $1 and owner = $2`,
          [place.key, this.id, report.retryInMs],
        )
        .catch(() => {});
      this.emit({ type: 'discovery-failed', place: place.key, ...report });
    } finally {
      this.discoverAbort.signal.removeEventListener('abort', stop);
      abort.abort();
    }
  }

  private emit(e: WorkerEvent): void {
    try {
      this.options.onEvent?.(e);
    } catch {
      // a listener's failure is not the worker's
    }
  }
}

/** The code and message of what a follow or discovery threw (SERVER for what is not a StackfeedError). */
function describeError(err: unknown): { code: string; message: string } {
  if (StackfeedError.is(err)) return { code: err.code, message: err.message };
  return { code: 'SERVER', message: err instanceof Error ? err.message : String(err) };
}
