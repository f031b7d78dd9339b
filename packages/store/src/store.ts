import { EventEmitter } from 'node:events';
import {
  type Deployment,
  type ExecutionInfo,
  type ImageInfo,
  type Paginator,
  type Phase,
  type ProviderId,
  type StackEvent,
  type StackEventSource,
  StackfeedError,
  type WatchOptions,
  type WatchResult,
} from '@stackfeed/core';
import { createPaginator, createTokenKey, groupDeployments, type TokenKey } from '@stackfeed/core/adapter';
import { type Db, type Engine, openDb, parseStoreUrl, quoteIdent, redactUrl, type StoreLocation } from './db.js';
import { archivePages, archiveStream, isPaginator } from './archive-sources.js';
import { runOnDb, type StoreContext } from './context.js';
import { configError } from './errors.js';
import { migrate } from './migrations.js';
import { type Archivable, EVENT_SELECT, type EventRowOut, put, type StoredEvent, toStackEvent } from './rows.js';
import { feedAfter } from './subscribe/feed.js';
import { openSubscription, type SubscribeFilter, type Subscription } from './subscribe/subscription.js';
import { writeBatch } from './write/batch.js';

export type { StoredEvent, SubscribeFilter, Subscription };

/** Options of `openStore`. */
export interface OpenStoreOptions {
  /** The PostgreSQL schema the tables live in (default `stackfeed`); several stores can share a database. */
  schema?: string | undefined;
  /** Environment read for the default data directory (default `process.env`). */
  env?: NodeJS.ProcessEnv | undefined;
  /**
   * Use this PGlite instance instead of opening one (an application that already embeds PGlite;
   * the tables go in `schema`). The caller owns it: `store.close()` leaves it open.
   */
  pglite?: import('@electric-sql/pglite').PGlite | undefined;
  /**
   * The key that signs `store.events()` continuation tokens (default: random per store). Give the
   * same key to stores in several processes that hand tokens to each other.
   */
  tokenKey?: string | Uint8Array | undefined;
}

/** Options of `store.archive`. */
export interface ArchiveOptions {
  /** The checkpoint this archive advances, e.g. `openstack-heat:web`. One target, one checkpoint. */
  target: string;
  /** Records per transaction (default 500). */
  batchSize?: number | undefined;
  /** A partial batch is written when the source has been quiet this long (default 250 ms). */
  flushIntervalMs?: number | undefined;
  /** For a Paginator: resume from the checkpoint's continuation token (default true). */
  resume?: boolean | undefined;
  /** Stops archiving: the records received so far are written, then archive resolves. */
  signal?: AbortSignal | undefined;
  /** Told after each committed batch. */
  onBatch?: ((batch: BatchInfo) => void) | undefined;
}

/** One committed batch. */
export interface BatchInfo {
  received: number;
  inserted: number;
  /** The checkpoint's low-water time after this batch. */
  lowWater: Date | undefined;
}

/** What an archive call did. */
export interface ArchiveResult {
  /** Records read from the source. */
  received: number;
  /** Events newly stored. */
  inserted: number;
  /** Events the store already had (re-reads): dropped, not stored twice. */
  duplicates: number;
  images: number;
  executions: number;
  batches: number;
  /** True when `signal` stopped it. */
  aborted: boolean;
}

/** The resume state of one followed target. */
export interface Checkpoint {
  target: string;
  /** Every event older than this is stored; a resumed watch starts here (inclusive). */
  lowWater: Date | undefined;
  /** The continuation token of the next page, while a listing is being archived. */
  cursor: string | undefined;
  /** Ids of the stored events at exactly `lowWater`. */
  recentIds: string[];
  eventsStored: number;
  updatedAt: Date;
}

/** Options of `store.follow`: the watch's options, and how to archive. */
export interface FollowOptions extends WatchOptions, Omit<ArchiveOptions, 'target'> {
  /** The checkpoint name (default `<provider>:<stack name or id>`). */
  target?: string | undefined;
}

export interface FollowResult extends ArchiveResult {
  /** Where the watch started: the checkpoint's low-water, or `since`, or undefined (from the start). */
  resumedFrom: Date | undefined;
  /** How the deployment ended (absent when the watch was stopped before the end). */
  watch: WatchResult | undefined;
}

/** Filters of `store.events`. Each one narrows the result (they intersect). */
export interface EventQuery {
  provider?: ProviderId | undefined;
  /** The stack's id or name. */
  stack?: string | undefined;
  /** At or after this instant. */
  since?: Date | undefined;
  /** Before this instant. */
  until?: Date | undefined;
  phase?: Phase | readonly Phase[] | undefined;
  /** The resource's logical id, name or physical id. */
  resource?: string | undefined;
  /** A case-insensitive substring of the message, status or logical id. */
  text?: string | undefined;
  /** Default `oldest-first`, as every event list of the SDK. */
  order?: 'oldest-first' | 'newest-first' | undefined;
  pageSize?: number | undefined;
  maxItems?: number | undefined;
  signal?: AbortSignal | undefined;
  continuationToken?: string | undefined;
}

/** A stack the store has events of, with its latest state. */
export interface StoredStack {
  provider: ProviderId;
  /** The key its events are stored under (its id, or its name where the provider gives none). */
  key: string;
  id?: string;
  name?: string;
  /** The status of its latest stack-level event, else of its latest event. */
  status: string;
  /** The phase of its latest event. */
  lastPhase: Phase;
  /** The phase of its latest stack-level event (the stack's own state), else of its latest event. */
  phase: Phase;
  firstEventAt: Date;
  lastEventAt: Date;
  /** How many of its events the store holds. */
  eventCount: number;
  /** For a nested stack: the key of its top-level stack (as `key` names that one). */
  rootKey?: string;
  /** Its latest FAILED event (of any resource), when it has one. */
  lastFailure?: { at: Date; status: string };
}

/** One recorded state of an image or execution. */
export interface StateChange {
  state: string;
  status: string;
  reason?: string;
  observedAt: Date;
}

export type StoredImage = ImageInfo & { firstSeen: Date; lastSeen: Date; history: StateChange[] };
export type StoredExecution = ExecutionInfo & { firstSeen: Date; lastSeen: Date; history: StateChange[] };

/** Options of `store.feed`: the filters of `subscribe` (and `text`), and where to resume. */
export interface FeedOptions extends SubscribeFilter {
  /** Resume after this sequence number: every stored event past it first, then the live ones. Absent: live only. */
  after?: string | undefined;
  /** A case-insensitive substring of the message, status or logical id (as `events({ text })`). */
  text?: string | undefined;
}

export interface PruneResult {
  events: number;
  imageStates: number;
  executionStates: number;
}

const DEFAULT_SCHEMA = 'stackfeed';
/** Stored rows per read while a stack's deployments are assembled. */
const DEPLOYMENT_PAGE = 5000;

/**
 * Open a store. `url`: undefined → the embedded PGlite store in the default data directory
 * (`$XDG_DATA_HOME/stackfeed/store`, else `~/.local/share/stackfeed/store`); `:memory:` → an
 * embedded store in memory; a directory or `file://` URL → an embedded store there;
 * `postgres://…` → a PostgreSQL server. The schema is migrated on open.
 * @throws StackfeedError CONFIG: the database cannot be reached, refuses the login, its schema is
 * newer than this package, or the embedded directory is open in another process.
 */
export async function openStore(url?: string, options: OpenStoreOptions = {}): Promise<Store> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw configError(`store: schema ${JSON.stringify(schema)} must be a lower-case SQL name`);
  }
  const loc: StoreLocation = options.pglite
    ? { engine: 'pglite', dataDir: options.pglite.dataDir }
    : parseStoreUrl(url, options.env);
  const db = await openDb(loc, options.pglite);
  try {
    await migrate(db, schema);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  const where = loc.engine === 'postgres' ? redactUrl(loc.url) : (loc.dataDir ?? ':memory:');
  return new Store(db, schema, where, createTokenKey(options.tokenKey));
}

/** Durable history of stack events, images and executions, and the checkpoints that resume watches. */
export class Store {
  /** `pglite` or `postgres`. */
  readonly engine: Engine;
  /** The data directory, `:memory:`, or the PostgreSQL URL without its password. */
  readonly location: string;
  private readonly S: string;
  /** What the write and subscribe modules share with the store. */
  private readonly ctx: StoreContext;
  /** The close of each open subscription (`close()` ends them). */
  private readonly closers = new Set<() => Promise<void>>();
  private closed = false;

  /** @internal use `openStore`. */
  constructor(
    private readonly db: Db,
    readonly schema: string,
    location: string,
    private readonly tokenKey: TokenKey,
  ) {
    this.engine = db.engine;
    this.location = location;
    this.S = quoteIdent(schema);
    const local = new EventEmitter();
    local.setMaxListeners(0);
    this.ctx = { db, engine: db.engine, schema, quotedSchema: this.S, channel: `${schema}_events`, local };
  }

  /** Run SQL on the store's database (for reports and tools; the schema is `store.schema`). */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return this.db.query<R>(sql, params);
  }

  /**
   * Run `fn` in one transaction on the store's database: committed when it resolves, rolled back
   * when it throws (for layers that keep tables of their own next to the store's).
   */
  async transaction<T>(
    fn: (tx: {
      query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
    }) => Promise<T>,
  ): Promise<T> {
    this.assertOpen('transaction');
    return this.db.transaction(fn);
  }

  /**
   * LISTEN on a channel of this store's database; resolves once listening, to a function that
   * stops it. PostgreSQL: a session of its own, so NOTIFYs from other processes arrive. PGlite:
   * the instance's own notifications (one process). Send with `select pg_notify($1, $2)`.
   */
  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    this.assertOpen('listen');
    return this.run('store.listen', (db) => db.listen(channel, onPayload));
  }

  /**
   * Write what a watch stream or a paginator yields (StackEvent, ImageInfo or ExecutionInfo), in
   * batches: one transaction per batch, the target's checkpoint updated in the same transaction,
   * so it never moves past what is committed. Events already stored are dropped (idempotent by
   * provider, stack and event id). A Paginator resumes from the checkpoint's continuation token.
   * @throws StackfeedError SERVER (the engine failed: nothing of the failing batch is stored),
   * CONFLICT (a write race retries could not resolve), or the source's own error after the records
   * received before it were written.
   */
  async archive(
    source: AsyncIterable<Archivable> | Paginator<Archivable>,
    options: ArchiveOptions,
  ): Promise<ArchiveResult> {
    this.assertOpen('archive');
    if (!options || typeof options.target !== 'string' || options.target === '') {
      throw configError('store.archive: options.target (the checkpoint name) is required');
    }
    const batchSize = Math.max(1, Math.floor(options.batchSize ?? 500));
    const result: ArchiveResult = {
      received: 0,
      inserted: 0,
      duplicates: 0,
      images: 0,
      executions: 0,
      batches: 0,
      aborted: false,
    };
    const cp = await this.checkpoint(options.target);
    const state = { lowWaterMs: cp?.lowWater?.getTime(), recent: new Set(cp?.recentIds ?? []) };
    const write = async (items: Archivable[], cursor: string | null | undefined) => {
      const w = await writeBatch(this.ctx, items, options.target, cursor, state);
      result.batches++;
      result.received += items.length;
      result.inserted += w.inserted;
      result.duplicates += w.duplicates;
      result.images += w.images;
      result.executions += w.executions;
      options.onBatch?.({
        received: items.length,
        inserted: w.inserted,
        lowWater: state.lowWaterMs === undefined ? undefined : new Date(state.lowWaterMs),
      });
    };

    if (isPaginator(source)) {
      await archivePages(source, options, cp?.cursor, batchSize, write, result);
    } else {
      await archiveStream(source, options, batchSize, write, result);
    }
    return result;
  }

  /**
   * Follow a stack's live deployment into the store, resuming where the last follow of the same
   * target stopped: the watch starts at the checkpoint's low-water time (inclusive), the events
   * it reads again are dropped by the idempotent insert, so after a crash nothing is lost and
   * nothing is stored twice. Resolves when the deployment ends (or `signal` stops it).
   */
  async follow<Ref>(client: StackEventSource<Ref>, ref: Ref, options: FollowOptions = {}): Promise<FollowResult> {
    const { batchSize, flushIntervalMs, onBatch, resume, target, ...watchOptions } = options;
    return this.resume(
      target ?? `${client.provider}:${refName(ref)}`,
      (since) => client.watchStackEvents(ref, { ...watchOptions, since }),
      { batchSize, flushIntervalMs, onBatch, resume, signal: options.signal, since: options.since },
    );
  }

  /**
   * `follow` for any watch: `start(since)` opens the stream from the target's checkpoint
   * (its low-water time, else `options.since`). What the CLI's `archive` and other layers use
   * when they hold a watch function rather than a client.
   */
  async resume(
    target: string,
    start: (since: Date | undefined) => AsyncIterable<Archivable> & { readonly result?: WatchResult | undefined },
    options: Omit<ArchiveOptions, 'target'> & { since?: Date | undefined } = {},
  ): Promise<FollowResult> {
    this.assertOpen('follow');
    const cp = await this.checkpoint(target);
    // A checkpoint wins over `since`: `since` only says where a target never archived starts.
    const resumedFrom = cp?.lowWater ?? options.since;
    const stream = start(resumedFrom);
    const res = await this.archive(stream, { ...options, target });
    return { ...res, resumedFrom, watch: stream.result };
  }

  /** The checkpoint of a target, or undefined when it was never archived. */
  async checkpoint(target: string): Promise<Checkpoint | undefined> {
    const rows = await this.run('checkpoint', (db) =>
      db.query<{
        target: string;
        low_water_ms: number | null;
        cursor: string | null;
        recent_ids: string[];
        events_stored: string;
        updated_ms: number;
      }>(
        `select target, (extract(epoch from low_water) * 1000)::float8 as low_water_ms, cursor, recent_ids,
          events_stored::text as events_stored, (extract(epoch from updated_at) * 1000)::float8 as updated_ms
         from ${this.S}.checkpoints where target = $1`,
        [target],
      ),
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      target: r.target,
      lowWater: r.low_water_ms === null ? undefined : new Date(r.low_water_ms),
      cursor: r.cursor ?? undefined,
      recentIds: r.recent_ids,
      eventsStored: Number(r.events_stored),
      updatedAt: new Date(r.updated_ms),
    };
  }

  /**
   * Stored events matching every given filter, as a Paginator (the same `byPage` / continuation
   * token / `toArray({limit})` contract as every list call), oldest first unless `order` says.
   * Pages are read by keyset on (time, insertion order), so a token stays valid while new events
   * arrive.
   */
  events(query: EventQuery = {}): Paginator<StackEvent> {
    this.assertOpen('events');
    return this.eventPaginator(query, toStackEvent);
  }

  /**
   * `events(query)` with each event's sequence number in the store (`{ seq, event }`): what a
   * feed resumes from (`feed({ after: seq })`). The same filters, order and continuation tokens
   * (a token of one is valid for the other).
   */
  storedEvents(query: EventQuery = {}): Paginator<StoredEvent> {
    this.assertOpen('storedEvents');
    return this.eventPaginator(query, (r) => ({ seq: r.seq, event: toStackEvent(r) }));
  }

  private eventPaginator<T>(query: EventQuery, map: (row: EventRowOut) => T): Paginator<T> {
    const newest = query.order === 'newest-first';
    const { order: _o, pageSize, maxItems, signal, continuationToken, ...scope } = query;
    return createPaginator<T, { ts: string; seq: string }>({
      // The store is not a provider; its tokens are tagged with a name of its own.
      provider: 'stackfeed-store' as ProviderId,
      operation: 'store.events',
      scope: { ...scope, order: newest ? 'newest-first' : 'oldest-first', schema: this.schema },
      pageSizeLimits: { min: 1, max: 10_000, default: 500 },
      tokenKey: this.tokenKey,
      validateCursor: (c) => {
        const cur = c as { ts?: unknown; seq?: unknown } | null;
        if (typeof cur !== 'object' || cur === null) return 'the cursor is not a store position';
        if (typeof cur.ts !== 'string' || Number.isNaN(Date.parse(cur.ts))) return 'the cursor has no valid time';
        if (typeof cur.seq !== 'string' || !/^\d{1,19}$/.test(cur.seq)) return 'the cursor has no valid row number';
        return undefined;
      },
      options: { pageSize, maxItems, signal, continuationToken },
      fetchPage: async (cursor, size) => {
        const limit = size ?? 500;
        const { text, args } = this.eventPageSql(query, cursor, limit + 1);
        const rows = await this.run('store.events', (db) => db.query<EventRowOut & { ts_text: string }>(text, args));
        const more = rows.length > limit;
        const page = more ? rows.slice(0, limit) : rows;
        const last = page[page.length - 1];
        return {
          items: page.map(map),
          next: more && last ? { ts: last.ts_text, seq: last.seq } : undefined,
        };
      },
    });
  }

  /**
   * The plan PostgreSQL picks for one page of `events(query)`: the very statement `events()` runs.
   * @internal For the plan test and the benchmark (does a history query use an index?).
   */
  async explainEvents(query: EventQuery = {}, limit = 101): Promise<string[]> {
    this.assertOpen('explainEvents');
    const { text, args } = this.eventPageSql(query, undefined, limit);
    const rows = await this.run('store.explainEvents', (db) =>
      db.query<{ 'QUERY PLAN': string }>(`explain ${text}`, args),
    );
    return rows.map((r) => r['QUERY PLAN']);
  }

  /** The WHERE terms of an event query (its filters), with their parameters added to `p`. */
  private eventWhere(query: EventQuery, p: (v: unknown) => string): string[] {
    const where: string[] = [];
    if (query.provider) where.push(`provider = ${p(query.provider)}`);
    if (query.stack) {
      const s = p(query.stack);
      where.push(`(stack_key = ${s} or stack_name = ${s})`);
    }
    if (query.since) where.push(`ts >= ${p(query.since.toISOString())}::timestamptz`);
    if (query.until) where.push(`ts < ${p(query.until.toISOString())}::timestamptz`);
    if (query.phase !== undefined) {
      const phases = typeof query.phase === 'string' ? [query.phase] : [...query.phase];
      where.push(`phase in (select jsonb_array_elements_text(${p(JSON.stringify(phases))}::text::jsonb))`);
    }
    if (query.resource) {
      const r = p(query.resource);
      where.push(`(logical_id = ${r} or resource_name = ${r} or physical_id = ${r})`);
    }
    if (query.text) {
      const t = p(`%${query.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(message ilike ${t} or status ilike ${t} or logical_id ilike ${t})`);
    }
    return where;
  }

  /** One page of `events(query)`: keyset on (time, row number) after `cursor`. */
  private eventPageSql(
    query: EventQuery,
    cursor: { ts: string; seq: string } | undefined,
    limit: number,
  ): { text: string; args: unknown[] } {
    const newest = query.order === 'newest-first';
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = this.eventWhere(query, p);
    if (cursor) {
      const ts = p(cursor.ts);
      const seq = p(cursor.seq);
      where.push(`(e.ts, e.seq) ${newest ? '<' : '>'} (${ts}::timestamptz, ${seq}::bigint)`);
    }
    const dir = newest ? 'desc' : 'asc';
    const lim = p(limit);
    // `e.seq`, not `seq`: ORDER BY would pick the select list's `seq::text` and sort row numbers
    // as text (10 before 9), while the cursor compares them as numbers.
    const text = `select ${EVENT_SELECT}, ts::text as ts_text from ${this.S}.events e
             ${where.length ? `where ${where.join(' and ')}` : ''}
             order by e.ts ${dir}, e.seq ${dir} limit ${lim}`;
    return { text, args: params };
  }

  /** The stacks the store has events of, with each one's latest status and last event time (latest first). */
  async stacks(filter: { provider?: ProviderId | undefined } = {}): Promise<StoredStack[]> {
    const rows = await this.run('store.stacks', (db) =>
      db.query<{
        provider: string;
        stack_key: string;
        stack_id: string | null;
        stack_name: string | null;
        status: string;
        last_phase: string;
        phase: string;
        event_count: string;
        root_key: string | null;
        failed_ms: number | null;
        failed_status: string | null;
        first_ms: number;
        last_ms: number;
      }>(
        `select provider, stack_key, stack_id, stack_name, coalesce(stack_status, last_status) as status, last_phase,
           coalesce(stack_phase, last_phase) as phase, event_count::text as event_count, root_key,
           (extract(epoch from failed_at) * 1000)::float8 as failed_ms, failed_status,
           (extract(epoch from first_event_at) * 1000)::float8 as first_ms,
           (extract(epoch from last_event_at) * 1000)::float8 as last_ms
         from ${this.S}.stacks where ($1::text is null or provider = $1) order by last_event_at desc, stack_key`,
        [filter.provider ?? null],
      ),
    );
    return rows.map((r) => {
      const s: StoredStack = {
        provider: r.provider as ProviderId,
        key: r.stack_key,
        status: r.status,
        lastPhase: r.last_phase as Phase,
        phase: r.phase as Phase,
        firstEventAt: new Date(r.first_ms),
        lastEventAt: new Date(r.last_ms),
        eventCount: Number(r.event_count),
      };
      if (r.stack_id !== null) s.id = r.stack_id;
      if (r.stack_name !== null) s.name = r.stack_name;
      if (r.root_key !== null && r.root_key !== r.stack_key) s.rootKey = r.root_key;
      if (r.failed_ms !== null && r.failed_status !== null) {
        s.lastFailure = { at: new Date(r.failed_ms), status: r.failed_status };
      }
      return s;
    });
  }

  /**
   * The deployments of a stored stack (named by id or name; a name that several stacks had is the
   * latest one), newest first: its stored events and its nested stacks', grouped by core's
   * `groupDeployments`, so the root cause is found through nested stacks as the clients do. The
   * store's view: what was archived (a provider that pruned its events still has them here).
   * Empty when the store has no events of it.
   */
  async deployments(query: {
    provider: ProviderId;
    stack: string;
    signal?: AbortSignal | undefined;
  }): Promise<Deployment[]> {
    this.assertOpen('deployments');
    const found = await this.run('store.deployments', (db) =>
      db.query<{ stack_key: string; stack_id: string | null; stack_name: string | null }>(
        `select stack_key, stack_id, stack_name from ${this.S}.stacks
         where provider = $1 and (stack_key = $2 or stack_name = $2)
         order by (root_key is null or root_key = stack_key) desc, (stack_key = $2) desc, last_event_at desc limit 1`,
        [query.provider, query.stack],
      ),
    );
    const st = found[0];
    if (!st) return [];
    const names = [st.stack_key, ...(st.stack_name !== null ? [st.stack_name] : [])];
    const events: StackEvent[] = [];
    let cursor = '0';
    while (true) {
      if (query.signal?.aborted) throw abortError('store.deployments');
      const rows = await this.run('store.deployments', (db) =>
        db.query<EventRowOut>(
          `select ${EVENT_SELECT} from ${this.S}.events e
           where e.provider = $1 and e.seq > $3::bigint and (e.stack_key = $2 or (coalesce(e.root_id, e.root_name)
             in (select jsonb_array_elements_text($4::text::jsonb)) and coalesce(e.root_id, e.root_name) is not null))
           order by e.seq limit ${DEPLOYMENT_PAGE}`,
          [query.provider, st.stack_key, cursor, JSON.stringify(names)],
        ),
      );
      for (const r of rows) {
        const ev = toStackEvent(r);
        // RFS keeps the deployment an event was listed under in details (its records do not carry it).
        const dep = ev.details?.deploymentId;
        if (typeof dep === 'string' && ev.deploymentId === undefined) ev.deploymentId = dep;
        events.push(ev);
      }
      const last = rows.at(-1);
      if (rows.length < DEPLOYMENT_PAGE || !last) break;
      cursor = last.seq;
    }
    if (events.length === 0) return [];
    // Rows of one batch are stored in key order (for lock order), not in arrival order: within one
    // timestamp (providers give whole seconds) a start comes before an end, and a stack opens first.
    events.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime() || tieRank(a) - tieRank(b));
    const stack: { id?: string; name?: string } = {};
    if (st.stack_id !== null) stack.id = st.stack_id;
    if (st.stack_name !== null) stack.name = st.stack_name;
    return groupDeployments(events, { provider: query.provider, stack }).reverse();
  }

  /** One deployment of a stored stack by its id (as `deployments()` names it); undefined when none. */
  async deployment(query: {
    provider: ProviderId;
    stack: string;
    id: string;
    signal?: AbortSignal | undefined;
  }): Promise<Deployment | undefined> {
    const all = await this.deployments(query);
    return all.find((d) => d.id === query.id);
  }

  /** Stored images (their latest snapshot) with their state history, oldest change first. */
  async images(filter: { provider?: ProviderId | undefined; id?: string | undefined } = {}): Promise<StoredImage[]> {
    const rows = await this.run('store.images', (db) =>
      db.query<Record<string, unknown>>(
        `select i.*, (extract(epoch from i.created_at) * 1000)::float8 as created_ms,
           (extract(epoch from i.updated_at) * 1000)::float8 as updated_ms,
           (extract(epoch from i.first_seen) * 1000)::float8 as first_ms,
           (extract(epoch from i.last_seen) * 1000)::float8 as last_ms,
           ${this.historyJson('image_states', 'image_id', 'i')} as history
         from ${this.S}.images i
         where ($1::text is null or i.provider = $1) and ($2::text is null or i.image_id = $2)
         order by i.provider, i.image_id`,
        [filter.provider ?? null, filter.id ?? null],
      ),
    );
    return rows.map((r) => {
      const img: StoredImage = {
        provider: r.provider as ProviderId,
        id: r.image_id as string,
        state: r.state as ImageInfo['state'],
        status: r.status as string,
        artifacts: r.artifacts as ImageInfo['artifacts'],
        tags: r.tags as Record<string, string>,
        raw: r.raw,
        firstSeen: new Date(r.first_ms as number),
        lastSeen: new Date(r.last_ms as number),
        history: toHistory(r.history),
      };
      put(img, 'name', r.name as string | null);
      put(img, 'version', r.version as string | null);
      put(img, 'region', r.region as string | null);
      put(img, 'reason', r.reason as string | null);
      if (r.created_ms !== null) img.createdAt = new Date(r.created_ms as number);
      if (r.updated_ms !== null) img.updatedAt = new Date(r.updated_ms as number);
      if (r.stack) {
        const st = r.stack as NonNullable<ImageInfo['stack']> & { createdAt?: unknown };
        img.stack = { ...st, ...(typeof st.createdAt === 'string' ? { createdAt: new Date(st.createdAt) } : {}) };
      }
      put(img, 'details', r.details as Record<string, unknown> | null);
      return img;
    });
  }

  /** Stored executions (their latest snapshot) with their state history, oldest change first. */
  async executions(
    filter: { provider?: ProviderId | undefined; id?: string | undefined; kind?: string | undefined } = {},
  ): Promise<StoredExecution[]> {
    const rows = await this.run('store.executions', (db) =>
      db.query<Record<string, unknown>>(
        `select e.*, (extract(epoch from e.started_at) * 1000)::float8 as started_ms,
           (extract(epoch from e.ended_at) * 1000)::float8 as ended_ms,
           (extract(epoch from e.first_seen) * 1000)::float8 as first_ms,
           (extract(epoch from e.last_seen) * 1000)::float8 as last_ms,
           ${this.historyJson('execution_states', 'execution_id', 'e')} as history
         from ${this.S}.executions e
         where ($1::text is null or e.provider = $1) and ($2::text is null or e.execution_id = $2)
           and ($3::text is null or e.kind = $3)
         order by e.provider, e.execution_id`,
        [filter.provider ?? null, filter.id ?? null, filter.kind ?? null],
      ),
    );
    return rows.map((r) => {
      const ex: StoredExecution = {
        provider: r.provider as ProviderId,
        id: r.execution_id as string,
        kind: r.kind as string,
        state: r.state as ExecutionInfo['state'],
        status: r.status as string,
        raw: r.raw,
        firstSeen: new Date(r.first_ms as number),
        lastSeen: new Date(r.last_ms as number),
        history: toHistory(r.history),
      };
      put(ex, 'reason', r.reason as string | null);
      if (r.started_ms !== null) ex.startedAt = new Date(r.started_ms as number);
      if (r.ended_ms !== null) ex.endedAt = new Date(r.ended_ms as number);
      put(ex, 'details', r.details as Record<string, unknown> | null);
      return ex;
    });
  }

  private historyJson(table: string, idColumn: string, alias: string): string {
    return `(select coalesce(jsonb_agg(jsonb_build_object('state', h.state, 'status', h.status, 'reason', h.reason,
        'observedMs', (extract(epoch from h.observed_at) * 1000)::float8) order by h.seq), '[]'::jsonb)
      from ${this.S}.${table} h where h.provider = ${alias}.provider and h.${idColumn} = ${alias}.${idColumn})`;
  }

  /**
   * Newly committed events matching the filter, as an async iterator. Embedded store: delivered
   * in-process. PostgreSQL: LISTEN/NOTIFY carrying row ids only (a payload is capped at 8 kB), the
   * events read back by id, so writers in other processes and machines are seen too.
   */
  subscribe(filter: SubscribeFilter = {}): Subscription {
    this.assertOpen('subscribe');
    return this.openSubscription(filter, (s) => s.event);
  }

  /**
   * Stored events after `after` (by sequence number, each one matching the filters), then the
   * live ones as they are committed: one iterator, no event twice and none missed in between
   * (the live subscription is listening before the stored ones are read). Without `after`: live
   * only. What a Server-Sent Events stream resumes from after a reconnect (`Last-Event-ID`).
   * @throws StackfeedError CONFIG when `after` is not a sequence number.
   */
  feed(options: FeedOptions = {}): Subscription<StoredEvent> {
    this.assertOpen('feed');
    const { after, ...filter } = options;
    if (after !== undefined && !/^\d{1,19}$/.test(after)) {
      throw configError(`store.feed: after ${JSON.stringify(after)} is not a store sequence number`);
    }
    const live = this.openSubscription(filter, (s) => s, true);
    if (after === undefined) return live;
    const query: EventQuery = {
      provider: filter.provider,
      stack: filter.stack,
      phase: filter.phase,
      text: filter.text,
    };
    return feedAfter(this.ctx, live, { after, where: (p) => this.eventWhere(query, p), signal: filter.signal });
  }

  /** The subscription behind `subscribe` and `feed`: committed rows with their sequence numbers. */
  private openSubscription<T>(
    filter: SubscribeFilter & { text?: string | undefined },
    map: (s: StoredEvent) => T,
    bySeq = false,
  ): Subscription<T> {
    return openSubscription(this.ctx, filter, { map, bySeq, closers: this.closers });
  }

  /**
   * Retention: delete events older than `before`, and image/execution state changes observed
   * before it (each image's and execution's latest state is kept). Stack summaries stay. Deletes
   * run in chunks so a large prune does not hold one huge transaction.
   */
  async prune(options: { before: Date; chunk?: number }): Promise<PruneResult> {
    this.assertOpen('prune');
    if (!(options?.before instanceof Date) || Number.isNaN(options.before.getTime())) {
      throw configError('store.prune: options.before must be a valid Date');
    }
    const before = options.before.toISOString();
    const chunk = Math.max(1, options.chunk ?? 10_000);
    const loop = async (sql: string): Promise<number> => {
      let total = 0;
      while (true) {
        const rows = await this.run('store.prune', (db) => db.query<{ n: number }>(sql, [before, chunk]));
        const n = rows[0]?.n ?? 0;
        total += n;
        if (n < chunk) return total;
      }
    };
    // Each chunk takes its events off their stacks' counts in the same statement.
    const events = await loop(
      `with d as (delete from ${this.S}.events where seq in
         (select seq from ${this.S}.events where ts < $1::timestamptz order by ts limit $2) returning provider, stack_key),
       c as (select provider, stack_key, count(*) as n from d group by provider, stack_key),
       u as (update ${this.S}.stacks s set event_count = greatest(0, s.event_count - c.n) from c
             where s.provider = c.provider and s.stack_key = c.stack_key returning 1)
       select coalesce(sum(n), 0)::int as n from c`,
    );
    const states = (table: string, id: string) =>
      loop(
        `with d as (delete from ${this.S}.${table} where seq in
           (select seq from ${this.S}.${table} h where observed_at < $1::timestamptz
              and seq <> (select max(seq) from ${this.S}.${table} l where l.provider = h.provider and l.${id} = h.${id})
            limit $2) returning 1)
         select count(*)::int as n from d`,
      );
    const imageStates = await states('image_states', 'image_id');
    const executionStates = await states('execution_states', 'execution_id');
    return { events, imageStates, executionStates };
  }

  /** Close subscriptions and the database (the embedded store's lock is released). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.closers].map((c) => c()));
    await this.db.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw configError(`store.${operation}: the store is closed`);
  }

  private run<T>(operation: string, fn: (db: Db) => Promise<T>): Promise<T> {
    return runOnDb(this.ctx, operation, fn);
  }
}

/** Order within one timestamp: a stack's start, resources' starts, their ends, a stack's end. */
function tieRank(ev: StackEvent): number {
  const start = ev.phase === 'IN_PROGRESS';
  if (ev.isStackEvent === true) return start ? 0 : 3;
  return start ? 1 : 2;
}

function abortError(operation: string): StackfeedError {
  return new StackfeedError({ code: 'ABORTED', provider: 'core', operation, message: `${operation}: aborted` });
}

function refName(ref: unknown): string {
  if (typeof ref === 'string') return ref;
  if (typeof ref === 'object' && ref !== null) {
    const r = ref as Record<string, unknown>;
    for (const k of ['name', 'stackName', 'id', 'stackId']) if (typeof r[k] === 'string') return r[k] as string;
  }
  return JSON.stringify(ref);
}

function toHistory(v: unknown): StateChange[] {
  if (!Array.isArray(v)) return [];
  return v.map((h: { state: string; status: string; reason: string | null; observedMs: number }) => {
    const c: StateChange = { state: h.state, status: h.status, observedAt: new Date(h.observedMs) };
    if (h.reason !== null) c.reason = h.reason;
    return c;
  });
}
