import { type StoreContext, runOnDb } from '../context.js';
import { EVENT_SELECT, type EventRowOut, type StoredEvent, toStackEvent } from '../rows.js';
import type { Subscription } from './subscription.js';

/** Stored rows per read while a feed catches up. */
const FEED_PAGE = 500;
/** How long a write transaction may run before it commits (see `storedThenLive`). */
const FEED_TX_SLACK_MS = 60_000;

/** What the catch-up reads. */
export interface CatchUp {
  /** Resume after this sequence number. */
  after: string;
  /** The WHERE terms of the feed's filters, their parameters added with `p`. */
  where: (p: (v: unknown) => string) => string[];
  signal?: AbortSignal | undefined;
}

/**
 * A feed that resumes: the stored rows after `catchUp.after`, then those of `live` (listening
 * already), each row once. Closing it closes `live`.
 */
export function feedAfter(
  ctx: StoreContext,
  live: Subscription<StoredEvent>,
  catchUp: CatchUp,
): Subscription<StoredEvent> {
  const gen = storedThenLive(ctx, live, catchUp);
  const sub: Subscription<StoredEvent> = {
    ready: live.ready,
    next: () => gen.next(),
    return: async () => {
      await live.close();
      return gen.return(undefined);
    },
    close: async () => {
      await live.close();
      await gen.return(undefined);
    },
    [Symbol.asyncIterator]() {
      return sub;
    },
  };
  return sub;
}

async function* storedThenLive(
  ctx: StoreContext,
  live: Subscription<StoredEvent>,
  { after, where, signal }: CatchUp,
): AsyncGenerator<StoredEvent> {
  await live.ready;
  // A row committed before the subscription listened cannot also come live; one committed
  // after may, and is dropped there. first_seen is its transaction's start, so allow for it.
  const [clock] = await runOnDb(ctx, 'store.feed', (db) =>
    db.query<{ now_ms: number }>('select (extract(epoch from clock_timestamp()) * 1000)::float8 as now_ms'),
  );
  const horizon = (clock?.now_ms ?? 0) - FEED_TX_SLACK_MS;
  const sent = new Set<string>();
  let cursor = after;
  while (!signal?.aborted) {
    const rows = await storedPage(ctx, cursor, where);
    for (const r of rows) {
      if (r.first_seen_ms >= horizon) sent.add(r.seq);
      yield { seq: r.seq, event: toStackEvent(r) };
    }
    const last = rows.at(-1);
    if (rows.length < FEED_PAGE || !last) break;
    cursor = last.seq;
  }
  for await (const s of live) {
    if (sent.delete(s.seq)) continue;
    yield s;
  }
}

/** One page of stored rows after `cursor`, in sequence order. */
async function storedPage(
  ctx: StoreContext,
  cursor: string,
  where: (p: (v: unknown) => string) => string[],
): Promise<EventRowOut[]> {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const terms = where(p);
  terms.push(`e.seq > ${p(cursor)}::bigint`);
  return runOnDb(ctx, 'store.feed', (db) =>
    db.query<EventRowOut>(
      `select ${EVENT_SELECT} from ${ctx.quotedSchema}.events e where ${terms.join(' and ')}
             order by e.seq limit ${p(FEED_PAGE)}`,
      params,
    ),
  );
}
