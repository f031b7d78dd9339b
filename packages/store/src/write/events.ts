import type { StackEvent } from '@stackfeed/core';
import type { Queryable } from '../db.js';
import { compareText, EVENT_COLUMNS, EVENT_RECORD, pgJson, type StoredEvent } from '../rows.js';

/** What the insert returns of each newly stored event: only what the stack summary needs. */
interface AddedRow {
  seq: string;
  provider: string;
  stack_key: string;
  event_id: string;
  stack_id: string | null;
  stack_name: string | null;
  status: string;
  phase: string;
  is_stack_event: boolean | null;
  root_key: string | null;
  ts_ms: number;
}

/** One stack's part of a batch, as its row of the stacks table (times still in epoch ms). */
interface StackSummary {
  provider: string;
  stack_key: string;
  stack_id: string | null;
  stack_name: string | null;
  first_ms: number;
  last_ms: number;
  last_status: string;
  last_phase: string;
  stack_status: string | null;
  stack_phase: string | null;
  stack_status_ms: number | null;
  event_count: number;
  root_key: string | null;
  failed_ms: number | null;
  failed_status: string | null;
}

/**
 * Insert event rows (already in key order), dropping those the store has, and fold the newly
 * stored ones into their stacks' summaries. Resolves to the new ones with their sequence numbers
 * (the caller's event objects, looked up in `byKey`).
 */
export async function insertEvents(
  tx: Queryable,
  quotedSchema: string,
  rows: Record<string, unknown>[],
  byKey: Map<string, StackEvent>,
): Promise<StoredEvent[]> {
  // Only what the stack summary needs comes back: the inserted events are the caller's objects.
  const added = await tx.query<AddedRow>(
    `insert into ${quotedSchema}.events (${EVENT_COLUMNS})
       select ${EVENT_COLUMNS} from jsonb_to_recordset($1::text::jsonb) as r(${EVENT_RECORD})
       on conflict (provider, stack_key, event_id) do nothing
       returning seq::text as seq, provider, stack_key, event_id, stack_id, stack_name, status, phase, is_stack_event,
         coalesce(root_id, root_name) as root_key, (extract(epoch from ts) * 1000)::float8 as ts_ms`,
    [pgJson(rows)],
  );
  if (added.length === 0) return [];
  await upsertStacks(tx, quotedSchema, stackSummaries(added));
  return added.map((r) => ({
    seq: r.seq,
    event: byKey.get(`${r.provider}\u0000${r.stack_key}\u0000${r.event_id}`) as StackEvent,
  }));
}

/** The stack summary follows the newly stored events: one row per stack (in key order), latest wins. */
function stackSummaries(added: readonly AddedRow[]): Record<string, unknown>[] {
  const stacks = new Map<string, StackSummary>();
  for (const r of added) {
    const key = `${r.provider}\u0000${r.stack_key}`;
    const s = stacks.get(key);
    if (s) addToSummary(s, r);
    else stacks.set(key, newSummary(r));
  }
  return [...stacks.values()]
    .sort((a, b) => compareText(`${a.provider}\u0000${a.stack_key}`, `${b.provider}\u0000${b.stack_key}`))
    .map((s) => ({
      ...s,
      first_event_at: new Date(s.first_ms).toISOString(),
      last_event_at: new Date(s.last_ms).toISOString(),
      stack_status_at: s.stack_status_ms === null ? null : new Date(s.stack_status_ms).toISOString(),
      failed_at: s.failed_ms === null ? null : new Date(s.failed_ms).toISOString(),
    }));
}

/** A stack-level log line (RFS) says nothing of the stack's state. */
const tellsStackState = (r: AddedRow) => r.is_stack_event === true && r.phase !== 'INFO';

function newSummary(r: AddedRow): StackSummary {
  const stackLevel = tellsStackState(r);
  const failed = r.phase === 'FAILED';
  return {
    provider: r.provider,
    stack_key: r.stack_key,
    stack_id: r.stack_id,
    stack_name: r.stack_name,
    first_ms: r.ts_ms,
    last_ms: r.ts_ms,
    last_status: r.status,
    last_phase: r.phase,
    stack_status: stackLevel ? r.status : null,
    stack_phase: stackLevel ? r.phase : null,
    stack_status_ms: stackLevel ? r.ts_ms : null,
    event_count: 1,
    root_key: r.root_key,
    failed_ms: failed ? r.ts_ms : null,
    failed_status: failed ? r.status : null,
  };
}

function addToSummary(s: StackSummary, r: AddedRow): void {
  if (r.phase === 'FAILED' && (s.failed_ms === null || r.ts_ms >= s.failed_ms)) {
    s.failed_ms = r.ts_ms;
    s.failed_status = r.status;
  }
  s.event_count += 1;
  s.root_key ??= r.root_key;
  s.first_ms = Math.min(s.first_ms, r.ts_ms);
  if (r.ts_ms >= s.last_ms) {
    s.last_ms = r.ts_ms;
    s.last_status = r.status;
    s.last_phase = r.phase;
  }
  if (tellsStackState(r) && (s.stack_status_ms === null || r.ts_ms >= s.stack_status_ms)) {
    s.stack_status = r.status;
    s.stack_phase = r.phase;
    s.stack_status_ms = r.ts_ms;
  }
}

/** Merge a batch's stack summaries into the stacks table (a later event's state wins). */
async function upsertStacks(tx: Queryable, quotedSchema: string, summary: Record<string, unknown>[]): Promise<void> {
  await tx.query(
    `insert into ${quotedSchema}.stacks as s (provider, stack_key, stack_id, stack_name, first_event_at, last_event_at,
         last_status, last_phase, stack_status, stack_phase, stack_status_at, event_count, root_key, failed_at,
         failed_status)
       select provider, stack_key, stack_id, stack_name, first_event_at, last_event_at, last_status, last_phase,
         stack_status, stack_phase, stack_status_at, event_count, root_key, failed_at, failed_status
       from jsonb_to_recordset($1::text::jsonb) as r(provider text, stack_key text, stack_id text, stack_name text,
         first_event_at timestamptz, last_event_at timestamptz, last_status text, last_phase text, stack_status text,
         stack_phase text, stack_status_at timestamptz, event_count bigint, root_key text, failed_at timestamptz,
         failed_status text)
       on conflict (provider, stack_key) do update set
         stack_id = coalesce(excluded.stack_id, s.stack_id),
         stack_name = coalesce(excluded.stack_name, s.stack_name),
         first_event_at = least(s.first_event_at, excluded.first_event_at),
         last_event_at = greatest(s.last_event_at, excluded.last_event_at),
         last_status = case when excluded.last_event_at >= s.last_event_at then excluded.last_status else s.last_status end,
         last_phase = case when excluded.last_event_at >= s.last_event_at then excluded.last_phase else s.last_phase end,
         stack_status = case when excluded.stack_status_at is not null
           and (s.stack_status_at is null or excluded.stack_status_at >= s.stack_status_at)
           then excluded.stack_status else s.stack_status end,
         stack_phase = case when excluded.stack_status_at is not null
           and (s.stack_status_at is null or excluded.stack_status_at >= s.stack_status_at)
           then excluded.stack_phase else s.stack_phase end,
         stack_status_at = greatest(s.stack_status_at, excluded.stack_status_at),
         event_count = s.event_count + excluded.event_count,
         root_key = coalesce(s.root_key, excluded.root_key),
         failed_status = case when excluded.failed_at is not null and (s.failed_at is null or excluded.failed_at >= s.failed_at)
           then excluded.failed_status else s.failed_status end,
         failed_at = greatest(s.failed_at, excluded.failed_at)`,
    [pgJson(summary)],
  );
}
