import type { ExecutionInfo, ImageInfo, StackEvent } from '@stackfeed/core';
import type { StoreContext } from '../context.js';
import type { Queryable } from '../db.js';
import { pgJson, type StoredEvent } from '../rows.js';
import { insertEvents } from './events.js';
import { upsertExecution, upsertImage } from './snapshots.js';

/** Sequence numbers per NOTIFY payload (PostgreSQL caps a payload at 8000 bytes). */
const IDS_PER_NOTIFY = 400;

/** What one batch writes, and the checkpoint it leads to. */
export interface BatchWrite {
  /** Event rows in key order. */
  rows: Record<string, unknown>[];
  /** The batch's events by `provider \0 stack key \0 event id`. */
  byKey: Map<string, StackEvent>;
  images: readonly ImageInfo[];
  executions: readonly ExecutionInfo[];
  target: string;
  /** The continuation token to store; undefined keeps the stored one, null clears it. */
  cursor: string | null | undefined;
  lowWaterMs: number | undefined;
  recentIds: ReadonlySet<string>;
}

/** The statements of one batch, in one open transaction: resolves to the events it newly stored. */
export async function writeInTransaction(tx: Queryable, ctx: StoreContext, batch: BatchWrite): Promise<StoredEvent[]> {
  // Writers of one store take their row numbers one transaction at a time, so that the
  // order of `seq` is the order of commit: a feed that resumes after seq N then cannot miss
  // a row numbered below N that another writer committed later. Held until commit.
  if (ctx.engine === 'postgres' && batch.rows.length) {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`${ctx.schema}.events`]);
  }
  const added = batch.rows.length ? await insertEvents(tx, ctx.quotedSchema, batch.rows, batch.byKey) : [];
  for (const img of batch.images) await upsertImage(tx, ctx.quotedSchema, img);
  for (const ex of batch.executions) await upsertExecution(tx, ctx.quotedSchema, ex);
  await saveCheckpoint(tx, ctx.quotedSchema, batch, added.length);
  if (ctx.engine === 'postgres' && added.length) await notifyCommitted(tx, ctx.channel, added);
  return added;
}

/** Move the target's checkpoint: never back in time, and the cursor only when the batch gives one. */
async function saveCheckpoint(tx: Queryable, quotedSchema: string, batch: BatchWrite, stored: number): Promise<void> {
  await tx.query(
    `insert into ${quotedSchema}.checkpoints as c (target, low_water, cursor, recent_ids, events_stored, updated_at)
             values ($1, $2::timestamptz, $3, $4::text::jsonb, $5, now())
             on conflict (target) do update set
               low_water = greatest(c.low_water, excluded.low_water),
               recent_ids = case when c.low_water is null or excluded.low_water >= c.low_water
                 then excluded.recent_ids else c.recent_ids end,
               cursor = case when $6::boolean then excluded.cursor else c.cursor end,
               events_stored = c.events_stored + excluded.events_stored,
               updated_at = now()`,
    [
      batch.target,
      batch.lowWaterMs === undefined ? null : new Date(batch.lowWaterMs).toISOString(),
      batch.cursor ?? null,
      pgJson([...batch.recentIds]),
      stored,
      batch.cursor !== undefined,
    ],
  );
}

/** Tell listeners the new rows' sequence numbers: delivered on commit only, so a listener never reads a row that is not there. */
async function notifyCommitted(tx: Queryable, channel: string, added: readonly StoredEvent[]): Promise<void> {
  const seqs = added.map((a) => a.seq);
  for (let i = 0; i < seqs.length; i += IDS_PER_NOTIFY) {
    await tx.query('select pg_notify($1, $2)', [channel, seqs.slice(i, i + IDS_PER_NOTIFY).join(',')]);
  }
}
