import type { Store } from '@stackfeed/store';

/**
 * The fleet's tables, next to the store's in the store's schema (`{S}`), as numbered steps: a
 * step is never edited once released. One statement each (PGlite's extended protocol runs one at
 * a time).
 */
const STEPS: ReadonlyArray<{ version: number; statements: readonly string[] }> = [
  {
    version: 1,
    statements: [
      // One row per followed thing. `owner` + `lease_until` is the lease; a row whose lease has
      // expired is free for any worker (its owner died or stalled past the TTL).
      `create table {S}.fleet_targets (
        key text primary key,
        provider text not null,
        place text not null,
        budget text not null,
        kind text not null,
        name text not null,
        target jsonb not null,
        status text not null,
        in_progress boolean not null,
        state text not null default 'pending',
        owner text,
        lease_until timestamptz,
        claims integer not null default 0,
        takeovers integer not null default 0,
        taken_from text,
        claimed_at timestamptz,
        not_before timestamptz,
        failures integer not null default 0,
        last_error text,
        done_status text,
        discovered_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`,
      'create index fleet_targets_claimable on {S}.fleet_targets (state, lease_until)',
      'create index fleet_targets_by_owner on {S}.fleet_targets (owner)',
      `create table {S}.fleet_workers (
        id text primary key,
        host text not null,
        pid integer not null,
        started_at timestamptz not null default now(),
        heartbeat_at timestamptz not null default now(),
        stopped_at timestamptz
      )`,
      // One request budget per provider account and region: the start times (epoch ms, the
      // database's clock, so every machine agrees) of the requests granted in the last window.
      `create table {S}.fleet_budgets (
        key text primary key,
        lim integer not null,
        interval_ms double precision not null,
        grants double precision[] not null default '{}',
        granted bigint not null default 0,
        denied bigint not null default 0,
        slowed_until timestamptz,
        throttled bigint not null default 0
      )`,
      // Requests granted per second and budget, for the last hour: the rates `fleet status` shows.
      `create table {S}.fleet_budget_usage (
        key text not null,
        second bigint not null,
        n integer not null,
        primary key (key, second)
      )`,
      // Take one request slot: 0 when granted, else the ms until one frees up. The row lock makes
      // the check and the grant one step for every worker; the time is read after the lock.
      `create function {S}.fleet_take(p_key text) returns double precision language plpgsql as $fn$
      declare
        b record;
        t double precision;
        eff integer;
        kept double precision[];
        n integer;
      begin
        select * into b from {S}.fleet_budgets where key = p_key for update;
        if not found then return -1; end if;
        t := extract(epoch from clock_timestamp()) * 1000;
        eff := case when b.slowed_until is not null and b.slowed_until > clock_timestamp()
          then greatest(1, b.lim / 2) else b.lim end;
        select coalesce(array_agg(g order by g), '{}') into kept from unnest(b.grants) g where g > t - b.interval_ms;
        n := coalesce(array_length(kept, 1), 0);
        if n < eff then
          update {S}.fleet_budgets set grants = kept || t, granted = granted + 1 where key = p_key;
          insert into {S}.fleet_budget_usage as u (key, second, n) values (p_key, floor(t / 1000)::bigint, 1)
            on conflict (key, second) do update set n = u.n + 1;
          delete from {S}.fleet_budget_usage where key = p_key and second < floor(t / 1000)::bigint - 3600;
          return 0;
        end if;
        update {S}.fleet_budgets set grants = kept, denied = denied + 1 where key = p_key;
        return greatest(1, kept[n - eff + 1] + b.interval_ms - t);
      end
      $fn$`,
      // Discovery of each configured place, run by one worker at a time under the same kind of lease.
      `create table {S}.fleet_places (
        key text primary key,
        place jsonb not null,
        owner text,
        lease_until timestamptz,
        next_run timestamptz not null default now(),
        runs integer not null default 0,
        failures integer not null default 0,
        last_error text,
        last_run timestamptz,
        found integer not null default 0
      )`,
    ],
  },
  {
    version: 2,
    statements: [
      // What failed, per place (its discovery) or target (its follow), under the account (budget
      // key) it belongs to: the last error's code and message, how many failures in a row, when
      // first and last seen, and when it is tried again. Deleted when it next succeeds.
      `create table {S}.fleet_errors (
        scope text not null,
        key text not null,
        account text not null,
        code text not null,
        message text not null,
        count integer not null default 1,
        first_seen timestamptz not null default now(),
        last_seen timestamptz not null default now(),
        retry_at timestamptz,
        primary key (scope, key)
      )`,
      'create index fleet_errors_by_account on {S}.fleet_errors (account)',
      // The provider status a follow ended on: a later discovery that lists another status (an
      // operation that began and ended between two discoveries) follows the target again.
      'alter table {S}.fleet_targets add column final_status text',
    ],
  },
  {
    version: 3,
    statements: [
      // How long a granted request may take to reach the provider (the grant is on the database's
      // clock, the provider counts arrivals). Grants are counted over the window plus this, so that
      // requests which left late, bunched with the next window's, still arrive at most `lim` in any
      // window: arrivals in [a, a + w] were granted in [a - transit, a + w], a span of w + transit.
      'alter table {S}.fleet_budgets add column transit_ms double precision not null default 0',
      `create or replace function {S}.fleet_take(p_key text) returns double precision language plpgsql as $fn$
      declare
        b record;
        t double precision;
        eff integer;
        span double precision;
        kept double precision[];
        n integer;
      begin
        select * into b from {S}.fleet_budgets where key = p_key for update;
        if not found then return -1; end if;
        t := extract(epoch from clock_timestamp()) * 1000;
        eff := case when b.slowed_until is not null and b.slowed_until > clock_timestamp()
          then greatest(1, b.lim / 2) else b.lim end;
        span := b.interval_ms + b.transit_ms;
        select coalesce(array_agg(g order by g), '{}') into kept from unnest(b.grants) g where g > t - span;
        n := coalesce(array_length(kept, 1), 0);
        if n < eff then
          update {S}.fleet_budgets set grants = kept || t, granted = granted + 1 where key = p_key;
          insert into {S}.fleet_budget_usage as u (key, second, n) values (p_key, floor(t / 1000)::bigint, 1)
            on conflict (key, second) do update set n = u.n + 1;
          delete from {S}.fleet_budget_usage where key = p_key and second < floor(t / 1000)::bigint - 3600;
          return 0;
        end if;
        update {S}.fleet_budgets set grants = kept, denied = denied + 1 where key = p_key;
        return greatest(1, kept[n - eff + 1] + span - t);
      end
      $fn$`,
    ],
  },
  {
    version: 4,
    statements: [
      // Fair waiting: a reservation takes the next free slot (now, or the first instant the window
      // has room after every slot reserved before it) and returns {ms until it, its time}; the
      // caller starts then without asking again. Slots go in the order the takes reached the row
      // lock, so under
      // contention no request loses again and again (the old take made a waiter retry, and another
      // worker's fresh take could win each freed slot). Reserved times are kept with the grants:
      // any window of interval + transit holds at most the limit, since each new slot is placed
      // after the limit-th newest. `denied` counts the reservations that had to wait. fleet_take
      // stays for workers of the version before (it counts reserved slots as taken, so it keeps
      // within the limit next to these).
      `create function {S}.fleet_reserve(p_key text) returns double precision[] language plpgsql as $fn$
      declare
        b record;
        t double precision;
        g double precision;
        eff integer;
        span double precision;
        kept double precision[];
        n integer;
      begin
        select * into b from {S}.fleet_budgets where key = p_key for update;
        if not found then return null; end if;
        t := extract(epoch from clock_timestamp()) * 1000;
        eff := case when b.slowed_until is not null and b.slowed_until > clock_timestamp()
          then greatest(1, b.lim / 2) else b.lim end;
        span := b.interval_ms + b.transit_ms;
        select coalesce(array_agg(x order by x), '{}') into kept from unnest(b.grants) x where x > t - span;
        n := coalesce(array_length(kept, 1), 0);
        g := t;
        if n > 0 then g := greatest(g, kept[n]); end if;
        if n >= eff then g := greatest(g, kept[n - eff + 1] + span); end if;
        update {S}.fleet_budgets set grants = kept || g, granted = granted + 1,
          denied = denied + (case when g > t then 1 else 0 end) where key = p_key;
        insert into {S}.fleet_budget_usage as u (key, second, n) values (p_key, floor(g / 1000)::bigint, 1)
          on conflict (key, second) do update set n = u.n + 1;
        delete from {S}.fleet_budget_usage where key = p_key and second < floor(t / 1000)::bigint - 3600;
        return array[g - t, g];
      end
      $fn$`,
      // A waiter that gives up (its follow stopped) hands its reserved slot back: removing a slot
      // only lowers every window's count, so the slots reserved after it stay valid. Returns the
      // slot's time when it was still to come (else null: it was used, or never reserved).
      `create function {S}.fleet_release(p_key text, p_at double precision) returns double precision
      language plpgsql as $fn$
      declare
        b record;
        i integer;
      begin
        select * into b from {S}.fleet_budgets where key = p_key for update;
        if not found then return null; end if;
        if p_at <= extract(epoch from clock_timestamp()) * 1000 then return null; end if;
        i := array_position(b.grants, p_at);
        if i is null then return null; end if;
        update {S}.fleet_budgets set grants = b.grants[:i - 1] || b.grants[i + 1:], granted = granted - 1
          where key = p_key;
        update {S}.fleet_budget_usage set n = n - 1 where key = p_key and second = floor(p_at / 1000)::bigint;
        return p_at;
      end
      $fn$`,
      // When a follow ended (its target set done): a discovery whose listing began before that read
      // the target as it was before the follow's end, and must not re-open it for what it read.
      'alter table {S}.fleet_targets add column ended_at timestamptz',
      // A listed status that re-opened the target and whose follow found nothing new: the same
      // stack said in discovery's words (a ParallelCluster cluster CREATE_FAILED whose stack's follow
      // ended ROLLBACK_COMPLETE). It re-opens the target no more; any other status still does.
      'alter table {S}.fleet_targets add column settled_status text',
    ],
  },
];

export const FLEET_SCHEMA_VERSION = STEPS[STEPS.length - 1]?.version ?? 0;

/** Create or upgrade the fleet's tables in one transaction, under an advisory lock (workers start together). */
export async function migrateFleet(store: Store): Promise<void> {
  const S = `"${store.schema}"`;
  await store.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`stackfeed-fleet:${store.schema}`]);
    await tx.query(`create table if not exists ${S}.fleet_migrations (version integer primary key)`);
    const rows = await tx.query<{ v: number | null }>(`select max(version)::int as v from ${S}.fleet_migrations`);
    const current = rows[0]?.v ?? 0;
    for (const step of STEPS) {
      if (step.version <= current) continue;
      for (const sql of step.statements) await tx.query(sql.replaceAll('{S}.', `${S}.`));
      await tx.query(`insert into ${S}.fleet_migrations (version) values ($1)`, [step.version]);
    }
  });
}
