import type { DiscoveredTarget } from '@stackfeed/core';
import type { Store } from '@stackfeed/store';
import { type BudgetOptions, type BudgetState, readBudgets, SharedBudget } from './budget.js';
import type { Place } from './config.js';
import { migrateFleet } from './schema.js';

/** A target as the fleet holds it: the discovered thing, and where and under which budget it lives. */
export interface FleetTarget {
  /** `<place key>/<kind>/<id or name>`; also the store checkpoint name of its follow. */
  key: string;
  /** The place it was discovered in (`Place.key`). */
  place: string;
  /** The budget its requests draw on (`Place.budget.key`). */
  budget: string;
  discovered: DiscoveredTarget<unknown>;
}

/** One row of `fleet.status().targets`. */
export interface TargetStatus {
  key: string;
  provider: string;
  place: string;
  kind: string;
  name: string;
  status: string;
  inProgress: boolean;
  /** `pending` (to follow, or being followed) or `done` (its follow reached a terminal state). */
  state: 'pending' | 'done';
  owner: string | undefined;
  leaseUntil: Date | undefined;
  /** How often it was claimed, and how often from a worker whose lease had expired. */
  claims: number;
  takeovers: number;
  /** The worker whose expired lease the last claim took over. */
  takenFrom: string | undefined;
  failures: number;
  lastError: string | undefined;
  notBefore: Date | undefined;
  doneStatus: string | undefined;
  /** Events stored for it (its checkpoint's count), and the checkpoint's low-water time (lag = now - this). */
  eventsStored: number;
  lowWater: Date | undefined;
}

/** One row of `fleet.status().workers`. */
export interface WorkerStatus {
  id: string;
  host: string;
  pid: number;
  startedAt: Date;
  heartbeatAt: Date;
  /** False once its heartbeat is older than the lease TTL, or it stopped. */
  live: boolean;
  leases: number;
}

/** One row of `fleet.status().places`. */
export interface PlaceStatus {
  key: string;
  runs: number;
  failures: number;
  lastError: string | undefined;
  lastRun: Date | undefined;
  nextRun: Date;
  found: number;
}

/**
 * One thing that is failing: a place's discovery or a target's follow, under its account (an
 * unknown cloud or profile, an unreachable endpoint, a revoked credential, …). It is retried with
 * back-off and the row goes when it next succeeds; the rest of the fleet goes on meanwhile.
 */
export interface FleetError {
  /** The provider account and region it concerns (the budget key, e.g. `openstack-heat:prod:-`). */
  account: string;
  /** `discovery` of a place, or `follow` of a target. */
  scope: 'discovery' | 'follow';
  /** The place key or the target key. */
  key: string;
  /** The `StackfeedError` code (UNAUTHORIZED, FORBIDDEN, NETWORK, CONFIG, …); SERVER for anything else. */
  code: string;
  /** The error's message (redacted as every StackfeedError message is). */
  message: string;
  /** Failures in a row. */
  count: number;
  firstSeen: Date;
  lastSeen: Date;
  /** When it is tried again. */
  retryAt: Date | undefined;
}

export interface FleetStatus {
  workers: WorkerStatus[];
  targets: TargetStatus[];
  budgets: BudgetState[];
  places: PlaceStatus[];
  /** What is failing now, by account then key. */
  errors: FleetError[];
}

/** Options of `openFleet`. */
export interface OpenFleetOptions {
  /** A worker counts as live while its heartbeat is younger than this (default 30 s). */
  leaseTtlMs?: number | undefined;
}

/**
 * The fleet's shared state in the store's database: targets and their leases, workers, request
 * budgets, places to discover. Workers in several processes (PostgreSQL) or one (PGlite) share it.
 * Creates its tables on open.
 */
export async function openFleet(store: Store, options: OpenFleetOptions = {}): Promise<Fleet> {
  await migrateFleet(store);
  return new Fleet(store, options.leaseTtlMs ?? 30_000);
}

const DATE_KEYS = ['createdAt', 'updatedAt'] as const;

/** Targets, leases, budgets and status; `FleetWorker`s do the following. */
export class Fleet {
  /** @internal */
  readonly S: string;
  /** The NOTIFY channel that wakes idle workers when targets are added or released. */
  readonly channel: string;
  private readonly budgets = new Map<string, SharedBudget>();

  /** @internal use `openFleet`. */
  constructor(
    readonly store: Store,
    readonly leaseTtlMs: number,
  ) {
    this.S = `"${store.schema}"`;
    this.channel = `${store.schema}_fleet`;
  }

  /**
   * The shared request budget `key` (one per provider account and region), created or updated
   * with these limits. One instance per key in this process.
   */
  async budget(key: string, options: BudgetOptions): Promise<SharedBudget> {
    let b = this.budgets.get(key);
    if (!b || b.limit !== options.limit || b.intervalMs !== (options.intervalMs ?? 1000)) {
      b = new SharedBudget(this.store, key, options);
      await b.ensure();
      this.budgets.set(key, b);
    }
    return b;
  }

  /** The budget of a place (its account and region). */
  budgetOf(place: Place): Promise<SharedBudget> {
    return this.budget(place.budget.key, place.budget);
  }

  /**
   * Add or refresh targets of a place (what discovery found). A target already done is followed
   * again when it is found in progress once more, or with another status than its follow ended on
   * (an operation that began and ended between two discoveries), unless its follow ended after
   * `listedAt` (when the listing began): then what the listing says is from before that end (an
   * in-progress status the follow has since seen end), and the next discovery tells. A status
   * that re-opened it once for nothing (its follow read nothing new: the provider's listing and
   * its event stream name the same end differently) does not re-open it again. Creates (or
   * updates) the place's budget. Returns how many targets are new.
   */
  async addTargets(
    place: Pick<Place, 'key' | 'budget'>,
    targets: readonly DiscoveredTarget<unknown>[],
    options: { listedAt?: Date | undefined } = {},
  ): Promise<number> {
    if (targets.length === 0) return 0;
    // Their budget exists before they can be claimed: any worker can follow them, config or not.
    await this.budget(place.budget.key, place.budget);
    const rows = targets.map((t) => ({
      key: targetKey(place.key, t),
      provider: t.provider,
      place: place.key,
      budget: place.budget.key,
      kind: t.kind,
      name: t.name,
      target: t,
      status: t.status,
      in_progress: t.inProgress,
    }));
    // Sorted: two discoveries of overlapping places lock rows in the same order.
    rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const out = await this.store.query<{ inserted: boolean; pending: boolean }>(
      `insert into ${this.S}.fleet_targets as f (key, provider, place, budget, kind, name, target, status, in_progress)
       select key, provider, place, budget, kind, name, target, status, in_progress
       from jsonb_to_recordset($1::text::jsonb) as r(key text, provider text, place text, budget text, kind text,
         name text, target jsonb, status text, in_progress boolean)
       on conflict (key) do update set target = excluded.target, status = excluded.status,
         in_progress = excluded.in_progress, budget = excluded.budget, updated_at = now(),
         state = case when f.state = 'done' and ($2::timestamptz is null or f.ended_at is null or f.ended_at < $2)
             and (excluded.in_progress or (f.final_status is not null and excluded.status <> f.final_status
               and excluded.status is distinct from f.settled_status))
           then 'pending' else f.state end
       returning (xmax = 0) as inserted, (state = 'pending') as pending`,
      [JSON.stringify(rows), options.listedAt ?? null],
    );
    const added = out.filter((r) => r.inserted).length;
    // New or re-opened targets: wake the workers now (else a re-opened one waits for a heartbeat
    // tick, TTL/3, before its follow resumes, and its first events' lag grows by as much).
    if (out.some((r) => r.pending)) await this.notify('targets');
    return added;
  }

  /**
   * Record a failure of a place's discovery or a target's follow: one more in a row, with its code
   * and message. Returns the row as it now stands (its `count` sets the back-off).
   * @internal the workers' own.
   */
  async recordError(e: {
    scope: FleetError['scope'];
    key: string;
    account: string;
    code: string;
    message: string;
  }): Promise<FleetError> {
    const [row] = await this.store.query<Record<string, unknown>>(
      `insert into ${this.S}.fleet_errors as f (scope, key, account, code, message) values ($1, $2, $3, $4, $5)
       on conflict (scope, key) do update set account = excluded.account, code = excluded.code,
         message = excluded.message, count = f.count + 1, last_seen = now(), retry_at = null
       returning ${ERROR_COLUMNS}`,
      [e.scope, e.key, e.account, e.code, e.message.slice(0, 2000)],
    );
    return toFleetError(row ?? {});
  }

  /** Set when a failing place or target is tried again. @internal */
  async retryErrorAt(scope: FleetError['scope'], key: string, retryInMs: number): Promise<void> {
    await this.store.query(
      `update ${this.S}.fleet_errors set retry_at = now() + ($3::float8 * interval '1 millisecond')
       where scope = $1 and key = $2`,
      [scope, key, retryInMs],
    );
  }

  /** It succeeded: its failures are over. @internal */
  async clearError(scope: FleetError['scope'], key: string): Promise<void> {
    await this.store.query(`delete from ${this.S}.fleet_errors where scope = $1 and key = $2`, [scope, key]);
  }

  /** What is failing now (of one account, or all), by account then key. */
  async errors(account?: string): Promise<FleetError[]> {
    const rows = await this.store.query<Record<string, unknown>>(
      `select ${ERROR_COLUMNS} from ${this.S}.fleet_errors where ($1::text is null or account = $1)
       order by account, scope, key`,
      [account ?? null],
    );
    return rows.map(toFleetError);
  }

  /** Wake idle workers (they claim at once instead of at their next heartbeat). */
  async notify(what: string): Promise<void> {
    await this.store.query('select pg_notify($1, $2)', [this.channel, what]);
  }

  /** Workers, targets with their leases and lag, budgets, places: what `stackfeed fleet status` shows. */
  async status(): Promise<FleetStatus> {
    const S = this.S;
    const workers = await this.store.query<{
      id: string;
      host: string;
      pid: number;
      started_ms: number;
      heartbeat_ms: number;
      live: boolean;
      leases: number;
    }>(
      `select w.id, w.host, w.pid, (extract(epoch from w.started_at) * 1000)::float8 as started_ms,
         (extract(epoch from w.heartbeat_at) * 1000)::float8 as heartbeat_ms,
         (w.stopped_at is null and w.heartbeat_at > now() - ($1::float8 * interval '1 millisecond')) as live,
         (select count(*)::int from ${S}.fleet_targets t where t.owner = w.id and t.lease_until > now()) as leases
       from ${S}.fleet_workers w order by w.started_at, w.id`,
      [this.leaseTtlMs],
    );
    const targets = await this.store.query<Record<string, unknown>>(
      `select t.key, t.provider, t.place, t.kind, t.name, t.status, t.in_progress, t.state, t.owner, t.claims, t.takeovers,
         t.taken_from, t.failures, t.last_error, t.done_status,
         (extract(epoch from t.lease_until) * 1000)::float8 as lease_ms,
         (extract(epoch from t.not_before) * 1000)::float8 as not_before_ms,
         coalesce(c.events_stored, 0)::text as events_stored,
         (extract(epoch from c.low_water) * 1000)::float8 as low_water_ms
       from ${S}.fleet_targets t left join ${S}.checkpoints c on c.target = t.key
       order by t.key`,
    );
    const places = await this.store.query<Record<string, unknown>>(
      `select key, runs, failures, last_error, found, (extract(epoch from last_run) * 1000)::float8 as last_ms,
         (extract(epoch from next_run) * 1000)::float8 as next_ms
       from ${S}.fleet_places order by key`,
    );
    const date = (v: unknown) => (typeof v === 'number' ? new Date(v) : undefined);
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return {
      workers: workers.map((w) => ({
        id: w.id,
        host: w.host,
        pid: w.pid,
        startedAt: new Date(w.started_ms),
        heartbeatAt: new Date(w.heartbeat_ms),
        live: w.live,
        leases: w.leases,
      })),
      targets: targets.map((t) => ({
        key: t.key as string,
        provider: t.provider as string,
        place: t.place as string,
        kind: t.kind as string,
        name: t.name as string,
        status: t.status as string,
        inProgress: t.in_progress as boolean,
        state: t.state as 'pending' | 'done',
        owner: str(t.owner),
        leaseUntil: date(t.lease_ms),
        claims: t.claims as number,
        takeovers: t.takeovers as number,
        takenFrom: str(t.taken_from),
        failures: t.failures as number,
        lastError: str(t.last_error),
        notBefore: date(t.not_before_ms),
        doneStatus: str(t.done_status),
        eventsStored: Number(t.events_stored),
        lowWater: date(t.low_water_ms),
      })),
      budgets: await readBudgets(this.store),
      places: places.map((p) => ({
        key: p.key as string,
        runs: p.runs as number,
        failures: p.failures as number,
        lastError: str(p.last_error),
        lastRun: date(p.last_ms),
        nextRun: new Date(p.next_ms as number),
        found: p.found as number,
      })),
      errors: await this.errors(),
    };
  }
}

const ERROR_COLUMNS = `scope, key, account, code, message, count,
  (extract(epoch from first_seen) * 1000)::float8 as first_ms, (extract(epoch from last_seen) * 1000)::float8 as last_ms,
  (extract(epoch from retry_at) * 1000)::float8 as retry_ms`;

function toFleetError(r: Record<string, unknown>): FleetError {
  return {
    account: r.account as string,
    scope: r.scope as FleetError['scope'],
    key: r.key as string,
    code: r.code as string,
    message: r.message as string,
    count: r.count as number,
    firstSeen: new Date(r.first_ms as number),
    lastSeen: new Date(r.last_ms as number),
    retryAt: typeof r.retry_ms === 'number' ? new Date(r.retry_ms) : undefined,
  };
}

/** The fleet's key of a discovered target. */
export function targetKey(place: string, t: Pick<DiscoveredTarget<unknown>, 'kind' | 'id' | 'name'>): string {
  return `${place}/${t.kind}/${t.id ?? t.name}`;
}

/** A stored target back as a DiscoveredTarget (JSON dates back to Date). */
export function reviveTarget(json: unknown): DiscoveredTarget<unknown> {
  const t = { ...(json as Record<string, unknown>) };
  for (const k of DATE_KEYS) if (typeof t[k] === 'string') t[k] = new Date(t[k] as string);
  return t as unknown as DiscoveredTarget<unknown>;
}
