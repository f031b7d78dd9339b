import type { Db } from './db.js';
import { quoteIdent } from './db.js';
import { configError, toStoreError } from './errors.js';

/**
 * The schema, as numbered steps. A step is never edited once released: a change is a new step.
 * Each step is a list of single statements (PGlite's extended protocol runs one at a time).
 * `{S}` is replaced by the quoted schema name.
 */
const MIGRATIONS: ReadonlyArray<{ version: number; name: string; statements: readonly string[] }> = [
  {
    version: 1,
    name: 'events, stacks, images, executions, checkpoints',
    statements: [
      `create table {S}.events (
        seq bigint generated always as identity primary key,
        provider text not null,
        stack_key text not null,
        event_id text not null,
        ts timestamptz not null,
        stack_id text,
        stack_name text,
        root_id text,
        root_name text,
        logical_id text,
        physical_id text,
        resource_type text,
        resource_name text,
        resource_key text,
        action text not null,
        phase text not null,
        status text not null,
        message text,
        elapsed_seconds double precision,
        properties jsonb,
        is_stack_event boolean,
        details jsonb,
        raw jsonb,
        first_seen timestamptz not null default now(),
        constraint events_identity unique (provider, stack_key, event_id)
      )`,
      // "One stack's events in a time range": by the stack's id (or name when it has no id) …
      'create index events_by_stack_time on {S}.events (stack_key, ts, seq)',
      // … or by its name when the caller names it.
      'create index events_by_stack_name_time on {S}.events (stack_name, ts, seq)',
      // "Everything in a time range" and prune.
      'create index events_by_time on {S}.events (ts, seq)',
      `create table {S}.stacks (
        provider text not null,
        stack_key text not null,
        stack_id text,
        stack_name text,
        first_event_at timestamptz not null,
        last_event_at timestamptz not null,
        last_status text not null,
        last_phase text not null,
        stack_status text,
        stack_status_at timestamptz,
        primary key (provider, stack_key)
      )`,
      `create table {S}.images (
        provider text not null,
        image_id text not null,
        name text,
        version text,
        region text,
        state text not null,
        status text not null,
        reason text,
        created_at timestamptz,
        updated_at timestamptz,
        artifacts jsonb not null,
        stack jsonb,
        tags jsonb not null,
        details jsonb,
        raw jsonb,
        first_seen timestamptz not null default now(),
        last_seen timestamptz not null default now(),
        primary key (provider, image_id)
      )`,
      `create table {S}.image_states (
        seq bigint generated always as identity primary key,
        provider text not null,
        image_id text not null,
        state text not null,
        status text not null,
        reason text,
        observed_at timestamptz not null default now(),
        raw jsonb
      )`,
      'create index image_states_by_image on {S}.image_states (provider, image_id, seq)',
      `create table {S}.executions (
        provider text not null,
        execution_id text not null,
        kind text not null,
        state text not null,
        status text not null,
        reason text,
        started_at timestamptz,
        ended_at timestamptz,
        details jsonb,
        raw jsonb,
        first_seen timestamptz not null default now(),
        last_seen timestamptz not null default now(),
        primary key (provider, execution_id)
      )`,
      `create table {S}.execution_states (
        seq bigint generated always as identity primary key,
        provider text not null,
        execution_id text not null,
        state text not null,
        status text not null,
        reason text,
        observed_at timestamptz not null default now(),
        raw jsonb
      )`,
      'create index execution_states_by_execution on {S}.execution_states (provider, execution_id, seq)',
      `create table {S}.checkpoints (
        target text primary key,
        low_water timestamptz,
        cursor text,
        recent_ids jsonb not null default '[]',
        events_stored bigint not null default 0,
        updated_at timestamptz not null default now()
      )`,
    ],
  },
  {
    version: 2,
    name: 'stacks: event count, stack-level phase, root stack',
    statements: [
      // What an inventory shows per stack without counting its events at every read.
      'alter table {S}.stacks add column event_count bigint not null default 0',
      // The phase of the latest stack-level event (next to its status, stack_status).
      'alter table {S}.stacks add column stack_phase text',
      // A nested stack's top-level stack (its events' root id, else root name), so that views can fold it in.
      'alter table {S}.stacks add column root_key text',
      // The latest FAILED event (time, status): a stack whose stack-level events say nothing of its
      // state (RFS logs only) still shows that it failed.
      'alter table {S}.stacks add column failed_at timestamptz',
      'alter table {S}.stacks add column failed_status text',
      // "A stack's events with its nested stacks'" (store.deployments).
      `create index events_by_root on {S}.events (provider, (coalesce(root_id, root_name)), ts)
         where coalesce(root_id, root_name) is not null`,
      `update {S}.stacks s set event_count = (select count(*) from {S}.events e
         where e.provider = s.provider and e.stack_key = s.stack_key)`,
      `update {S}.stacks s set stack_phase = (select e.phase from {S}.events e
         where e.provider = s.provider and e.stack_key = s.stack_key and e.is_stack_event and e.phase <> 'INFO'
         order by e.ts desc, e.seq desc limit 1)`,
      `update {S}.stacks s set (failed_at, failed_status) = (select e.ts, e.status from {S}.events e
         where e.provider = s.provider and e.stack_key = s.stack_key and e.phase = 'FAILED'
         order by e.ts desc, e.seq desc limit 1)`,
      `update {S}.stacks s set root_key = (select coalesce(e.root_id, e.root_name) from {S}.events e
         where e.provider = s.provider and e.stack_key = s.stack_key and coalesce(e.root_id, e.root_name) is not null
         limit 1)`,
    ],
  },
  {
    version: 3,
    name: 'events: deployment id',
    statements: [
      // The deployment the provider (or the client) says an event belongs to (StackEvent.deploymentId).
      'alter table {S}.events add column deployment_id text',
    ],
  },
];

/** The newest schema version this build knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/**
 * Bring the schema up to SCHEMA_VERSION in one transaction, under an advisory lock so that two
 * processes opening the same new database do not both migrate. A database already at a newer
 * version than this build knows is refused (CONFIG), untouched.
 */
export async function migrate(db: Db, schema: string): Promise<number> {
  const S = quoteIdent(schema);
  try {
    return await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`stackfeed-store:${schema}`]);
      await tx.query(`create schema if not exists ${S}`);
      await tx.query(
        `create table if not exists ${S}.schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())`,
      );
      const rows = await tx.query<{ v: number | null }>(`select max(version)::int as v from ${S}.schema_migrations`);
      const current = rows[0]?.v ?? 0;
      if (current > SCHEMA_VERSION) {
        throw configError(
          `store: the database schema "${schema}" is at version ${current}, newer than this @stackfeed/store knows (${SCHEMA_VERSION}); upgrade @stackfeed/store`,
        );
      }
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        for (const statement of m.statements) await tx.query(statement.replaceAll('{S}.', `${S}.`));
        await tx.query(`insert into ${S}.schema_migrations (version, name) values ($1, $2)`, [m.version, m.name]);
      }
      return SCHEMA_VERSION;
    });
  } catch (err) {
    throw toStoreError(err, 'openStore (migrate)', db.engine);
  }
}
