import type { StoreContext } from '../context.js';
import { toStoreError } from '../errors.js';
import { EVENT_SELECT, type EventRowOut, type StoredEvent, toStackEvent } from '../rows.js';

/** A running subscription to the store's commits. */
export interface CommitListener {
  /** Resolves once every later commit reaches `onRows` (also when listening failed: `onError` was told). */
  readonly ready: Promise<void>;
  /** Stop: no `onRows` after this starts. */
  stop(): Promise<void>;
}

/**
 * Tell `onRows` of each commit's new events. Embedded store: the writer's in-process delivery.
 * PostgreSQL: LISTEN on the store's channel, whose payloads carry sequence numbers only, and read
 * the rows back by them.
 */
export function listenForCommits(
  ctx: StoreContext,
  onRows: (rows: readonly StoredEvent[]) => void,
  onError: (err: unknown) => void,
): CommitListener {
  if (ctx.engine === 'pglite') {
    ctx.local.on('events', onRows);
    return {
      ready: Promise.resolve(),
      stop: async () => {
        ctx.local.off('events', onRows);
      },
    };
  }
  let stopped = false;
  let unlisten: (() => Promise<void>) | undefined;
  let reading: Promise<void> = Promise.resolve();
  const onPayload = (payload: string) => {
    const ids = payload.split(',').filter((s) => /^\d+$/.test(s));
    if (ids.length === 0) return;
    // Read back in notification order: a later batch never overtakes an earlier one.
    reading = reading
      .then(async () => {
        if (stopped) return;
        onRows(await readBack(ctx, ids));
      })
      .catch((err) => onError(toStoreError(err, 'store.subscribe', ctx.engine)));
  };
  const ready = ctx.db
    .listen(ctx.channel, onPayload)
    .then((stop) => {
      unlisten = stop;
      if (stopped) void stop();
    })
    .catch((err) => {
      onError(toStoreError(err, 'store.subscribe', ctx.engine));
    });
  return {
    ready,
    stop: async () => {
      stopped = true;
      await unlisten?.();
    },
  };
}

/** The committed rows of a notification, in time order. */
async function readBack(ctx: StoreContext, ids: readonly string[]): Promise<StoredEvent[]> {
  const rows = await ctx.db.query<EventRowOut>(
    `select ${EVENT_SELECT} from ${ctx.quotedSchema}.events e
                 where e.seq in (select jsonb_array_elements_text($1::text::jsonb)::bigint) order by e.ts, e.seq`,
    [JSON.stringify(ids)],
  );
  return rows.map((r) => ({ seq: r.seq, event: toStackEvent(r) }));
}
