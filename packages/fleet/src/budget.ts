import { type ProviderId, RateLimiter, StackfeedError } from '@stackfeed/core';
import type { Store } from '@stackfeed/store';

/** One request budget: at most `limit` requests start in any window of `intervalMs`. */
export interface BudgetOptions {
  /** Requests per window (>= 1), for the whole fleet. */
  limit: number;
  /** The window, in ms (default 1000). */
  intervalMs?: number | undefined;
  /** How long a THROTTLED answer halves the budget for every worker (default 30 s). */
  slowdownMs?: number | undefined;
  /**
   * The longest a granted request takes to reach the provider (default 250 ms). Grants are counted
   * over `intervalMs + transitMs`, so that the provider, counting arrivals, never sees more than
   * `limit` in any `intervalMs`; the fleet's rate is then at most `limit` per `intervalMs + transitMs`.
   */
  transitMs?: number | undefined;
}

/** {@link BudgetOptions.transitMs}'s default: a request's way from the grant to the provider under load. */
export const DEFAULT_TRANSIT_MS = 250;

/** A budget's counters, as `fleet status` shows them. */
export interface BudgetState {
  key: string;
  limit: number;
  intervalMs: number;
  /** Requests granted since the budget was created. */
  granted: number;
  /** Times a request had to wait for its slot (the budget was binding). */
  denied: number;
  /** How long a request asked now would wait for its slot (0: the budget has room now). */
  waitMs: number;
  /**
   * The budget binds: the last minute used at least 90% of what it allows in a minute
   * (`limit` per `intervalMs + transitMs`), or more than a window's worth of requests wait for
   * slots. Each follow's polls then come less often than its poll interval: as often as the
   * budget allows, shared first come, first served.
   */
  saturated: boolean;
  /** Requests granted in the last 60 s (by the database's clock). */
  lastMinute: number;
  /** THROTTLED answers reported. */
  throttled: number;
  /** While set and in the future, the budget runs at half its limit. */
  slowedUntil: Date | undefined;
}

/**
 * A request budget shared by every worker process through one PostgreSQL row (a sliding window of
 * grant times on the database's clock, so machines with skewed clocks still agree). It is a core
 * `RateLimiter`, so it plugs into any client's `rateLimit` option: every attempt of every call,
 * retries included, takes a slot first.
 *
 * Written on the fleet's own table rather than with rate-limiter-flexible: its PostgreSQL store is
 * written for `pg`/Knex clients, not PGlite (the embedded default), and it counts in fixed windows
 * (its documented choice, for speed), which let up to twice the limit through across a window
 * boundary: the very burst that trips a provider's own limit. The mechanism here is one row lock
 * and one array.
 */
export class SharedBudget extends RateLimiter {
  readonly key: string;
  private readonly slowdownMs: number;
  private readonly transitMs: number;
  private readonly S: string;

  /** @internal use `Fleet.budget` (it creates the row). */
  constructor(
    private readonly store: Store,
    key: string,
    options: BudgetOptions,
  ) {
    super({ limit: options.limit, intervalMs: options.intervalMs ?? 1000 });
    this.key = key;
    this.slowdownMs = options.slowdownMs ?? 30_000;
    this.transitMs = options.transitMs ?? DEFAULT_TRANSIT_MS;
    this.S = `"${store.schema}"`;
  }

  /** Create the budget's row, or set its limit (the configuration read last wins). */
  async ensure(): Promise<void> {
    await this.store.query(
      `insert into ${this.S}.fleet_budgets (key, lim, interval_ms, transit_ms) values ($1, $2, $3, $4)
       on conflict (key) do update set lim = excluded.lim, interval_ms = excluded.interval_ms,
         transit_ms = excluded.transit_ms`,
      [this.key, this.limit, this.intervalMs, this.transitMs],
    );
  }

  /**
   * Resolve when a request may start, by the fleet-wide count: the next free slot is reserved in
   * the order the workers asked (first come, first served, so no request starves under
   * contention) and this waits until it. Rejects with ABORTED when `signal` aborts first (the
   * reserved slot is handed back).
   */
  override async acquire(signal?: AbortSignal, provider: ProviderId | 'core' = 'core'): Promise<void> {
    if (signal?.aborted) throw abortedError(signal, provider);
    const rows = await this.store.query<{ slot: number[] | null }>(`select ${this.S}.fleet_reserve($1) as slot`, [
      this.key,
    ]);
    const slot = rows[0]?.slot;
    if (!slot) {
      throw new StackfeedError({
        code: 'CONFIG',
        provider,
        message: `fleet budget ${this.key}: no such budget (call ensure() first)`,
      });
    }
    const [wait = 0, at = 0] = slot.map(Number);
    if (wait <= 0) return;
    await sleep(wait, signal);
    if (signal?.aborted) {
      await this.store.query(`select ${this.S}.fleet_release($1, $2::float8)`, [this.key, at]).catch(() => {});
      throw abortedError(signal, provider);
    }
  }

  /** A THROTTLED answer: halve this budget for every worker for `slowdownMs`. */
  async slowDown(): Promise<void> {
    await this.store.query(
      `update ${this.S}.fleet_budgets set throttled = throttled + 1,
         slowed_until = greatest(coalesce(slowed_until, now()), now() + ($2::float8 * interval '1 millisecond'))
       where key = $1`,
      [this.key, this.slowdownMs],
    );
  }

  /** The budget's counters. */
  async state(): Promise<BudgetState | undefined> {
    const rows = await readBudgets(this.store, this.key);
    return rows[0];
  }
}

/** Every budget (or one), as stored. */
export async function readBudgets(store: Store, key?: string): Promise<BudgetState[]> {
  const rows = await store.query<{
    key: string;
    lim: number;
    interval_ms: number;
    transit_ms: number;
    granted: string;
    denied: string;
    throttled: string;
    slowed_ms: number | null;
    last_minute: number;
    now_ms: number;
    grants: number[];
  }>(
    `select b.key, lim, interval_ms, transit_ms, granted::text as granted, denied::text as denied,
       throttled::text as throttled, grants, (extract(epoch from clock_timestamp()) * 1000)::float8 as now_ms,
       (extract(epoch from slowed_until) * 1000)::float8 as slowed_ms,
       (select coalesce(sum(u.n), 0)::int from "${store.schema}".fleet_budget_usage u
         where u.key = b.key and u.second >= floor(extract(epoch from now())) - 60
           and u.second <= floor(extract(epoch from now()))) as last_minute
     from "${store.schema}".fleet_budgets b where ($1::text is null or b.key = $1) order by b.key`,
    [key ?? null],
  );
  return rows.map((r) => {
    const slowedUntil = r.slowed_ms === null ? undefined : new Date(r.slowed_ms);
    const eff = slowedUntil && slowedUntil.getTime() > r.now_ms ? Math.max(1, Math.floor(r.lim / 2)) : r.lim;
    const span = r.interval_ms + r.transit_ms;
    const waitMs = Math.max(0, nextSlot(r.grants.map(Number), eff, span, r.now_ms) - r.now_ms);
    const perMinute = (eff * 60_000) / span;
    return {
      key: r.key,
      limit: r.lim,
      intervalMs: r.interval_ms,
      granted: Number(r.granted),
      denied: Number(r.denied),
      waitMs: Math.round(waitMs),
      saturated: r.last_minute >= 0.9 * perMinute || waitMs > span,
      lastMinute: r.last_minute,
      throttled: Number(r.throttled),
      slowedUntil,
    };
  });
}

/** The slot a reservation made at `now` would get (fleet_reserve's rule, read-only). */
function nextSlot(grants: readonly number[], eff: number, span: number, now: number): number {
  const kept = grants.filter((g) => g > now - span).sort((a, b) => a - b);
  let g = now;
  if (kept.length > 0) g = Math.max(g, kept[kept.length - 1] as number);
  if (kept.length >= eff) g = Math.max(g, (kept[kept.length - eff] as number) + span);
  return g;
}

function abortedError(signal: AbortSignal, provider: ProviderId | 'core'): StackfeedError {
  if (StackfeedError.is(signal.reason)) return signal.reason;
  return new StackfeedError({
    code: 'ABORTED',
    provider,
    message: 'aborted while waiting for the fleet request budget',
    cause: signal.reason,
  });
}

/** Wait `ms`, or less when `signal` aborts (the caller then sees the abort). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Requests granted per second (epoch second → count) for a budget, the last hour, oldest first. */
export async function budgetUsage(store: Store, key: string): Promise<Array<{ second: number; requests: number }>> {
  const rows = await store.query<{ second: string; n: number }>(
    `select second::text as second, n from "${store.schema}".fleet_budget_usage where key = $1 order by second`,
    [key],
  );
  return rows.map((r) => ({ second: Number(r.second), requests: r.n }));
}
