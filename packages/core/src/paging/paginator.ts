import { StackfeedError, throwIfAborted } from '../errors/stackfeed-error.js';
import type { ProviderId } from '../models/enums.js';
import { decodeToken, defaultTokenKey, encodeToken, scopeDigest, type TokenKey } from './continuation-token.js';

/** A page may hold at most this many items whatever was asked (the floor of {@link maxItemsPerPage}). */
export const MAX_PAGE_ITEMS = 10_000;

/**
 * The most items a provider page may hold when `pageSize` was asked: max(10 × pageSize, 10 000).
 * More is INVALID_RESPONSE: a server that answers a page of 100 with millions is not followed.
 */
export function maxItemsPerPage(pageSize: number | undefined): number {
  return Math.max(MAX_PAGE_ITEMS, 10 * (pageSize ?? 0));
}

/** One page as the user sees it. */
export interface Page<T> {
  items: T[];
  /** Resumes at the next page; absent on the last page. Serializable and opaque. */
  continuationToken?: string;
  /** The provider response this page came from (absent for pages assembled locally). */
  raw?: unknown;
}

/** What an adapter's fetch function returns for one provider page. */
export interface FetchedPage<T, C> {
  items: T[];
  /** The cursor of the next page, or undefined when this was the last page. */
  next?: C | undefined;
  raw?: unknown;
}

/** The function each adapter writes: fetch the page at `cursor` (undefined = first page). */
export type FetchPage<T, C> = (
  cursor: C | undefined,
  pageSize: number | undefined,
  signal: AbortSignal | undefined,
) => Promise<FetchedPage<T, C>>;

export interface PageSettings {
  /** Resume where a previous page's `continuationToken` points. */
  continuationToken?: string | undefined;
  /** Items per request (clamped to what the provider allows). */
  pageSize?: number | undefined;
}

/** Options every list call accepts. */
export interface ListOptions {
  pageSize?: number | undefined;
  /** Stop after this many items in total. */
  maxItems?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Start from a token returned by `byPage()`. */
  continuationToken?: string | undefined;
}

export interface PaginatorConfig<T, C> {
  provider: ProviderId;
  /** The operation name: part of the token, and of error messages. */
  operation: string;
  /** The call's arguments that decide the list (stack, filters): tokens are bound to them. */
  scope?: unknown;
  fetchPage: FetchPage<T, C>;
  /** Filters the provider cannot apply: run on each page's items. */
  filter?: ((item: T) => boolean) | undefined;
  /** Clamp for pageSize. */
  pageSizeLimits?: { min?: number; max?: number; default?: number } | undefined;
  /** Stop after this many consecutive pages that were empty yet had a next cursor (default 10). */
  maxEmptyPages?: number | undefined;
  /** Compare cursors for the repeated-token guard (default: JSON equality). */
  cursorKey?: ((cursor: C) => string) | undefined;
  options?: ListOptions | undefined;
  /** Told when the paginator stops early on a degenerate provider answer. */
  onWarning?: ((message: string) => void) | undefined;
  /**
   * The client's token-signing key (one per client, from `createTokenKey(options.tokenKey)`).
   * Without it a per-process random key is used: tokens then resume only in this process.
   */
  tokenKey?: TokenKey | undefined;
  /**
   * Check a cursor decoded from a caller's continuation token against this call (its stack, its
   * options): return a reason to refuse it, or undefined to accept. A refusal is BAD_REQUEST
   * before any request. The token is signed, so this guards against a client's own tokens being
   * replayed into another call shape, and against older tokens of the same key.
   */
  validateCursor?: ((cursor: unknown) => string | undefined) | undefined;
}

/**
 * A lazy list: `for await` over items, `byPage()` over pages with resumable tokens, `toArray({limit})`.
 * Nothing is requested until iteration starts. Concurrent `next()` calls are queued, so pages are
 * never fetched twice or out of order. Item iteration is one pass (like the AWS SDK's paginators):
 * a second `for await` over a consumed Paginator yields nothing; each `byPage()` / `toArray()` call
 * starts a pass of its own.
 */
export class Paginator<T> implements AsyncIterableIterator<T> {
  /** The page iterator behind item iteration, and the page being handed out. */
  private pageIterator: AsyncIterator<Page<T>, undefined> | undefined;
  private buffer: T[] = [];
  private index = 0;
  private finished = false;
  /** The next() that is fetching; later next() calls queue behind it, so order is kept. */
  private inflight: Promise<IteratorResult<T, undefined>> | undefined;
  /** Aborted by return(): cuts a fetch that a pending next() is waiting for. */
  private closer: AbortController | undefined;
  private readonly config: PaginatorConfig<T, unknown>;
  private readonly scope: string;

  constructor(config: PaginatorConfig<T, unknown>) {
    this.config = config;
    this.scope = scopeDigest(config.scope);
  }

  /** Item-by-item iteration (what `for await` uses). */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    // Fast path: items of a page already fetched are handed out without generator machinery
    // (an async-generator step per item cost more than the HTTP request per page).
    if (!this.inflight && this.index < this.buffer.length) {
      return Promise.resolve({ value: this.buffer[this.index++] as T, done: false });
    }
    const pull = () => this.pull();
    const p = this.inflight ? this.inflight.then(pull, pull) : pull();
    this.inflight = p;
    const clear = () => {
      if (this.inflight === p) this.inflight = undefined;
    };
    p.then(clear, clear);
    return p;
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    // Without the abort, return() would wait for an in-flight fetch (a whole request with its retries).
    this.closer?.abort();
    this.finished = true;
    this.buffer = [];
    this.index = 0;
    if (this.pageIterator) await this.pageIterator.return?.(undefined);
    return { done: true, value: undefined };
  }

  private async pull(): Promise<IteratorResult<T, undefined>> {
    while (this.index >= this.buffer.length) {
      if (this.finished) return { done: true, value: undefined };
      if (!this.pageIterator) {
        this.closer = new AbortController();
        const o = this.config.options ?? {};
        this.pageIterator = this.pages(
          { continuationToken: o.continuationToken, pageSize: o.pageSize },
          undefined,
          this.closer.signal,
          false,
        );
      }
      // Let the page already handed out go before waiting for the next: held across a request,
      // a large page survives a GC and is promoted to the old generation (~1 µs per event).
      this.buffer = [];
      this.index = 0;
      let r: IteratorResult<Page<T>, undefined>;
      try {
        r = await this.pageIterator.next();
      } catch (err) {
        this.finished = true;
        // Closed by return() while a fetch was pending: the pending next() ends the list.
        if (this.closer?.signal.aborted) return { done: true, value: undefined };
        throw err;
      }
      if (r.done) {
        this.finished = true;
        return { done: true, value: undefined };
      }
      this.buffer = r.value.items;
      this.index = 0;
    }
    return { value: this.buffer[this.index++] as T, done: false };
  }

  /**
   * Page-by-page iteration. Each page carries a `continuationToken` that resumes at the next one
   * (pass it back as `byPage({ continuationToken })`, in this process or another).
   */
  byPage(settings: PageSettings = {}): AsyncIterableIterator<Page<T>> {
    const o = this.config.options ?? {};
    return this.pages({
      continuationToken: settings.continuationToken ?? o.continuationToken,
      pageSize: settings.pageSize ?? o.pageSize,
    });
  }

  /** Collect into an array. `limit` is required so that a huge list cannot exhaust memory by accident. */
  async toArray(opts: { limit: number }): Promise<T[]> {
    if (!opts || !Number.isInteger(opts.limit) || opts.limit < 0) {
      throw new StackfeedError({
        code: 'CONFIG',
        provider: this.config.provider,
        operation: this.config.operation,
        message: 'toArray({ limit }) needs a non-negative integer limit; iterate with for await for unbounded lists',
      });
    }
    const out: T[] = [];
    if (opts.limit === 0) return out;
    for await (const page of this.pages({ ...(this.config.options ?? {}) }, opts.limit, undefined, false)) {
      for (const item of page.items) out.push(item);
      if (out.length >= opts.limit) break;
    }
    return out;
  }

  private oversized(count: number, max: number, pageSize: number | undefined): StackfeedError {
    const { provider, operation } = this.config;
    return new StackfeedError({
      code: 'INVALID_RESPONSE',
      provider,
      operation,
      message: `${operation}: the provider sent a page of ${count} items (at most ${max} are accepted for a page size of ${pageSize ?? 'default'})`,
    });
  }

  /** Decode and check a caller's token: BAD_REQUEST (before any fetch) when it is not for this call. */
  private resume(key: TokenKey, token: string): { cursor: unknown; skip: number } {
    const { provider, operation, validateCursor } = this.config;
    const state = decodeToken<unknown>(key, token, provider, operation, this.scope);
    let reason: string | undefined;
    try {
      reason = validateCursor?.(state.cursor);
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
    }
    if (reason !== undefined) {
      throw new StackfeedError({
        code: 'BAD_REQUEST',
        provider,
        operation,
        message: `${operation}: the continuation token is refused: ${reason}`,
      });
    }
    return state;
  }

  /** `tokens`: encode a continuation token per page (only byPage() hands them out). */
  private async *pages(
    settings: PageSettings,
    limit?: number,
    closed?: AbortSignal,
    tokens = true,
  ): AsyncGenerator<Page<T>, undefined> {
    const { provider, fetchPage } = this.config;
    const userSignal = this.config.options?.signal;
    const signal = closed ? (userSignal ? AbortSignal.any([userSignal, closed]) : closed) : userSignal;
    const maxItems = minDefined(this.config.options?.maxItems, limit);
    const pageSize = clampPageSize(settings.pageSize, this.config.pageSizeLimits);
    const key = (c: unknown) => (this.config.cursorKey ? this.config.cursorKey(c) : JSON.stringify(c));

    const tokenKey = this.config.tokenKey ?? defaultTokenKey();
    let state = settings.continuationToken
      ? this.resume(tokenKey, settings.continuationToken)
      : { cursor: undefined as unknown, skip: 0 };
    const maxPageItems = maxItemsPerPage(pageSize);
    const seen = new Set<string>();
    if (state.cursor !== undefined) seen.add(key(state.cursor));
    const run = { emitted: 0, emptyRun: 0, seen, maxItems, maxPageItems, pageSize, tokenKey, tokens, key };

    while (true) {
      throwIfAborted(signal, provider);
      if (maxItems !== undefined && run.emitted >= maxItems) return undefined;
      // The fetched page is handled in settle(), so nothing of it but the caller's page stays
      // referenced from this generator while the next request is in flight (less to promote in GC).
      let fetched: FetchedPage<T, unknown> | undefined = await fetchPage(state.cursor, pageSize, signal);
      throwIfAborted(signal, provider);
      let settled: Settled<T> | undefined = this.settle(fetched, state, run);
      fetched = undefined;
      const { nextState, show } = settled;
      if (show) yield settled.page;
      settled = undefined;
      if (!nextState) return undefined;
      if (nextState.cursor === state.cursor && nextState.skip > 0) return undefined; // cut by maxItems
      state = nextState;
    }
  }

  /** One fetched page: checks, repeated-token and empty-run rules, maxItems, and its token. */
  private settle(
    fetched: FetchedPage<T, unknown>,
    state: { cursor: unknown; skip: number },
    run: {
      emitted: number;
      emptyRun: number;
      seen: Set<string>;
      maxItems: number | undefined;
      maxPageItems: number;
      pageSize: number | undefined;
      tokenKey: TokenKey;
      tokens: boolean;
      key: (c: unknown) => string;
    },
  ): Settled<T> {
    const { provider, operation, filter } = this.config;
    const all = Array.isArray(fetched.items) ? fetched.items : [];
    if (all.length > run.maxPageItems) throw this.oversized(all.length, run.maxPageItems, run.pageSize);
    // Items already handed out from this page (a resumed, cut page) are skipped by position.
    const fresh = state.skip > 0 ? all.slice(state.skip) : all;
    let next = fetched.next;
    if (next !== undefined) {
      const k = run.key(next);
      if (run.seen.has(k)) {
        this.config.onWarning?.(`${operation}: the provider repeated a page token; stopping`);
        next = undefined;
      } else {
        run.seen.add(k);
      }
    }
    if (all.length === 0 && next !== undefined) {
      run.emptyRun++;
      if (run.emptyRun >= (this.config.maxEmptyPages ?? 10)) {
        this.config.onWarning?.(`${operation}: ${run.emptyRun} empty pages in a row; stopping`);
        next = undefined;
      }
    } else {
      run.emptyRun = 0;
    }

    // Decide how much of this page the caller gets (maxItems), and where the token resumes.
    let nextState: { cursor: unknown; skip: number } | undefined =
      next === undefined ? undefined : { cursor: next, skip: 0 };
    const room = run.maxItems === undefined ? Number.POSITIVE_INFINITY : run.maxItems - run.emitted;
    const { taken, consumedRaw } = takeFromPage(fresh, filter, room);
    if (consumedRaw < fresh.length) {
      // Cut short: resume on this same page, after what was handed out.
      nextState = { cursor: state.cursor, skip: state.skip + consumedRaw };
    }
    run.emitted += taken.length;
    const page: Page<T> = { items: taken };
    if (nextState && run.tokens)
      page.continuationToken = encodeToken(run.tokenKey, provider, operation, this.scope, nextState);
    if (fetched.raw !== undefined) page.raw = fetched.raw;
    // Pages emptied by a local filter are not shown (they are not the end of the list).
    return { page, nextState, show: taken.length > 0 || !nextState || !filter };
  }
}

/** A fetched page made ready: what the caller gets, whether it is shown, and where to go next. */
interface Settled<T> {
  page: Page<T>;
  nextState: { cursor: unknown; skip: number } | undefined;
  show: boolean;
}

/**
 * The part of a page the caller gets: at most `room` items that pass `filter`. `consumedRaw`
 * counts the provider items looked at (before filtering), so a cut page resumes right after them.
 */
function takeFromPage<T>(
  fresh: T[],
  filter: ((item: T) => boolean) | undefined,
  room: number,
): { taken: T[]; consumedRaw: number } {
  if (filter) {
    const kept: T[] = [];
    let consumedRaw = 0;
    for (const item of fresh) {
      if (kept.length >= room) break;
      consumedRaw++;
      if (filter(item)) kept.push(item);
    }
    return { taken: kept, consumedRaw };
  }
  if (fresh.length > room) return { taken: fresh.slice(0, room), consumedRaw: room };
  return { taken: fresh, consumedRaw: fresh.length };
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/**
 * A page size within a provider's limits: `size` (else `limits.default`), floored, raised to `min`
 * and lowered to `max`; undefined when neither is given (the server's own page size). The rule of
 * every list call (`pageSizeLimits`), also for adapters that page outside a Paginator (watch polls).
 */
export function clampPageSize(
  size: number | undefined,
  limits: { min?: number; max?: number; default?: number } | undefined,
): number | undefined {
  let s = size ?? limits?.default;
  if (s === undefined) return undefined;
  s = Math.floor(s);
  if (limits?.min !== undefined) s = Math.max(limits.min, s);
  if (limits?.max !== undefined) s = Math.min(limits.max, s);
  return s;
}

/** Build a Paginator from one `fetchPage(cursor, pageSize, signal)` function. */
export function createPaginator<T, C>(config: PaginatorConfig<T, C>): Paginator<T> {
  return new Paginator<T>(config as PaginatorConfig<T, unknown>);
}
