import { type ExecutionInfo, type ImageInfo, type StackEvent, StackfeedError } from '@stackfeed/core';
import type { StoreContext } from '../context.js';
import { isTransient, toStoreError } from '../errors.js';
import { type Archivable, compareText, eventRow, kindOf, type StoredEvent, stackKeyOf } from '../rows.js';
import { writeInTransaction } from './transaction.js';

const MAX_RECENT_IDS = 1000;
const TX_ATTEMPTS = 5;

/** The checkpoint an archive call carries from batch to batch (its low-water time and the ids at it). */
export interface CheckpointState {
  lowWaterMs: number | undefined;
  recent: Set<string>;
}

/** What one batch stored. */
export interface BatchCounts {
  inserted: number;
  duplicates: number;
  images: number;
  executions: number;
}

/**
 * One batch in one transaction (retried whole on a lock-order race between writers), the
 * target's checkpoint moved in the same transaction; `state` follows once it is committed.
 */
export async function writeBatch(
  ctx: StoreContext,
  items: Archivable[],
  target: string,
  cursor: string | null | undefined,
  state: CheckpointState,
): Promise<BatchCounts> {
  const { events, images, executions } = byKind(items);
  // The checkpoint this batch leads to (applied to `state` only once committed).
  const next = checkpointAfter(state, events);
  // Rows in key order: two writers of overlapping batches then take their row locks in the
  // same order and wait for each other instead of deadlocking.
  const rows = events.map(eventRow).sort(byRowKey);
  const byKey = new Map(events.map((ev) => [`${ev.provider}\u0000${stackKeyOf(ev)}\u0000${ev.id}`, ev]));
  const batch = {
    rows,
    byKey,
    images,
    executions,
    target,
    cursor,
    lowWaterMs: next.lowWaterMs,
    recentIds: next.recent,
  };
  const inserted = await retryTransient(ctx, 'store.archive', () =>
    ctx.db.transaction((tx) => writeInTransaction(tx, ctx, batch)),
  );
  state.lowWaterMs = next.lowWaterMs;
  state.recent = next.recent;
  if (ctx.engine === 'pglite' && inserted.length) ctx.local.emit('events', inserted);
  return {
    inserted: inserted.length,
    duplicates: events.length - inserted.length,
    images: images.length,
    executions: executions.length,
  };
}

/** The records of a batch by kind. @throws StackfeedError BAD_REQUEST for a record of no kind. */
function byKind(items: readonly Archivable[]): {
  events: StackEvent[];
  images: ImageInfo[];
  executions: ExecutionInfo[];
} {
  const events: StackEvent[] = [];
  const images: ImageInfo[] = [];
  const executions: ExecutionInfo[] = [];
  for (const item of items) {
    const kind = kindOf(item);
    if (kind === 'event') events.push(item as StackEvent);
    else if (kind === 'image') images.push(item as ImageInfo);
    else if (kind === 'execution') executions.push(item as ExecutionInfo);
    else {
      throw new StackfeedError({
        code: 'BAD_REQUEST',
        provider: 'core',
        operation: 'store.archive',
        message: 'store.archive: a record is neither a StackEvent, an ImageInfo nor an ExecutionInfo',
      });
    }
  }
  return { events, images, executions };
}

/** The checkpoint after `events`: the latest time seen, and the ids at exactly that time (a new set when it changes). */
function checkpointAfter(state: CheckpointState, events: readonly StackEvent[]): CheckpointState {
  let lowWaterMs = state.lowWaterMs;
  let recent = state.recent;
  for (const ev of events) {
    const ms = ev.timestamp.getTime();
    if (lowWaterMs === undefined || ms > lowWaterMs) {
      lowWaterMs = ms;
      recent = new Set([ev.id]);
    } else if (ms === lowWaterMs) {
      if (recent === state.recent) recent = new Set(recent);
      if (recent.size < MAX_RECENT_IDS) recent.add(ev.id);
    }
  }
  return { lowWaterMs, recent };
}

/** `attempt()` again (after a short random pause) while it fails with a transient error, up to TX_ATTEMPTS times. */
async function retryTransient(
  ctx: StoreContext,
  operation: string,
  attempt: () => Promise<StoredEvent[]>,
): Promise<StoredEvent[]> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n < TX_ATTEMPTS && isTransient(err)) {
        await new Promise((r) => setTimeout(r, 5 * n + Math.random() * 20));
        continue;
      }
      throw toStoreError(err, operation, ctx.engine);
    }
  }
}

const byRowKey = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  compareText(
    `${a.provider}\u0000${a.stack_key}\u0000${a.event_id}`,
    `${b.provider}\u0000${b.stack_key}\u0000${b.event_id}`,
  );
