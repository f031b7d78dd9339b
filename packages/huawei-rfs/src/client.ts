import {
  type Capabilities,
  type EventFilterOptions,
  type ListOptions,
  type Logger,
  type Paginator,
  type Phase,
  type RetryOptions,
  type StackEvent,
  type StackEventSource,
  StackfeedError,
  type StackInfo,
  type RateLimiter,
  type RateLimitOptions,
  type TlsOptions,
  type WatchOptions,
  type WatchStream,
} from '@stackfeed/core';
import {
  type AuthHook,
  HttpTransport,
  type HttpResponse,
  type RequestSpec,
  applyEventFilters,
  buildUrl,
  type FetchPage,
  createPaginator,
  encodePathSegment,
  parseWire,
  watchEvents,
} from '@stackfeed/core/adapter';
import { type AkSkCredentials, AkSkAuth, type AkSkProvider } from './auth/aksk.js';
import { type IamPasswordCredentials, IamTokenAuth } from './auth/token.js';
import { iamEndpoint, rfsEndpointForRegion } from './endpoints.js';
import { parseRfsError } from './errors.js';
import {
  FILTER_MAX_CHARS,
  type RfsEventField,
  type RfsEventFilter,
  buildField,
  buildFilter,
  formatFilter,
  isFilterValue,
} from './filter.js';
import { EventIdAssigner, type EventScope, normalizeEventsPage, toStackInfo } from './mapping/events.js';
import { STACK_STATUS_TABLE, eventTypesForPhases, isTerminalStatus } from './mapping/tables.js';
import { GetStackMetadataResponseSchema, ListStacksResponseSchema } from './wire/schemas.js';

const PROVIDER = 'huawei-rfs' as const;

/** Names an RFS stack: by name (the API's path key), optionally pinned to one stack id. */
export interface RfsStackRef {
  /** The stack name (the API addresses stacks by name). */
  name: string;
  /**
   * The stack id (UUID). When given, RFS answers 400 if the stack now called `name` is another
   * one (deleted and re-created): the strong match the API offers.
   */
  id?: string | undefined;
}

/** How the client authenticates. Omit to read `HUAWEICLOUD_SDK_AK` / `_SK` / `_SECURITY_TOKEN`. */
export type RfsCredentials =
  | AkSkCredentials
  /** Temporary AK/SK + security token from a provider, asked again near expiry and once after a 401. */
  | AkSkProvider
  /** An IAM token obtained elsewhere, sent as `X-Auth-Token`. */
  | { token: string }
  /** IAM password credentials: a token is obtained from IAM, cached and renewed. */
  | { password: IamPasswordCredentials };

/** Options of `new RfsClient(...)`. */
export interface RfsClientOptions {
  /** Region id, e.g. `cn-north-4`. Picks the endpoint unless `endpoint` is given. */
  region: string;
  /** Project id (the URL's `{project_id}`); default `HUAWEICLOUD_SDK_PROJECT_ID`. */
  projectId?: string | undefined;
  /** Explicit endpoint (e.g. `https://rfs.cn-north-4.myhuaweicloud.com`, or an emulator). */
  endpoint?: string | undefined;
  credentials?: RfsCredentials | undefined;
  /** IAM endpoint for password auth; default `HUAWEICLOUD_SDK_IAM_ENDPOINT` or the global IAM. */
  iamEndpoint?: string | undefined;
  retry?: RetryOptions | undefined;
  /** Per-attempt timeout (default 30 s). */
  timeoutMs?: number | undefined;
  logger?: Logger | undefined;
  tls?: TlsOptions | undefined;
  /**
   * Client-side request budget: at most `limit` requests per `intervalMs` (default 1 s), every
   * attempt counted. Pass one `RateLimiter` to several clients to share a quota.
   */
  rateLimit?: RateLimiter | RateLimitOptions | undefined;
  /** Appended to the User-Agent. */
  userAgent?: string | undefined;
  /** Environment to read credentials and endpoint overrides from (default `process.env`). */
  env?: Record<string, string | undefined> | undefined;
  /** Clock for `X-Sdk-Date` (tests). */
  now?: (() => number) | undefined;
  /**
   * AK/SK: when a 401 comes with a server Date more than 5 minutes from the local clock, sign with
   * the server's time and retry once (default true).
   */
  correctClockSkew?: boolean | undefined;
}

/** RFS-specific options of the event calls, on top of the common filters. */
export interface RfsEventOptions extends EventFilterOptions {
  /** Only the events of this deployment (UUID); an unknown id answers 404. */
  deploymentId?: string | undefined;
  /** Server-side filter, typed. Values outside letters/digits/`_` are a CONFIG error. */
  filter?: RfsEventFilter | undefined;
  /**
   * Return only these attributes (sent as given; `event_type` always comes back). Must include
   * the event time, `timestamp` (the documented name) or `time` (the SDK models' name): CONFIG
   * otherwise. Attributes left out are unknown on the events: `resource.*` stay unset, and
   * `isStackEvent` is set only when `resource_name` and `resource_type` were both selected.
   */
  fields?: readonly RfsEventField[] | undefined;
}

/** Options of `listStackEvents`. */
export type RfsListEventsOptions = ListOptions &
  RfsEventOptions & {
    /**
     * `oldest-first` (default, as on every provider) or `newest-first` (RFS's own order, the cheap
     * one: the first page arrives after one request). Oldest first reads the whole listing before
     * the first event.
     */
    order?: EventOrder | undefined;
  };

/** Options of `watchStackEvents`. */
export type RfsWatchOptions = WatchOptions & RfsEventOptions & { pageSize?: number | undefined };

/**
 * `limit` bounds of ListStackEvents and ListStacks: 10 to 1000, as the official Java SDK's request
 * models state them (`ListStackEventsRequest` / `ListStacksRequest`, "minimum: 10, maximum: 1000",
 * generated from the API definition; the Go and Python models carry no bounds). The server's
 * default page size is not documented: without `pageSize` no `limit` is sent.
 */
const PAGE_SIZE = { min: 10, max: 1000 } as const;

/** Pages read at most by one full read of a listing (10 million events at the largest page size). */
const MAX_PAGES_PER_READ = 10_000;

/** The order an event list yields in. */
export type EventOrder = 'oldest-first' | 'newest-first';

/** What one request plan for ListStackEvents looks like once options are resolved. */
interface EventsPlan {
  scope: EventScope;
  query: { stack_id?: string; deployment_id?: string; filter?: string; field?: string };
  local: ((ev: StackEvent) => boolean) | undefined;
}

const asList = <T>(v: T | readonly T[] | undefined): T[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? [...(v as readonly T[])] : [v as T];

/**
 * Huawei Cloud RFS (Resource Formation Service) stack events and stacks.
 *
 * ```ts
 * const rfs = new RfsClient({ region: 'cn-north-4', projectId });
 * for await (const ev of rfs.listStackEvents({ name: 'my-stack' })) console.log(ev.status, ev.message);
 * ```
 */
export class RfsClient implements StackEventSource<RfsStackRef | string> {
  /** Always `huawei-rfs`. */
  readonly provider = PROVIDER;
  /**
   * Where each filter runs. `resourceName`, `resourceType` and `phase` go into the RFS `filter`
   * when RFS can apply them: values that fit its grammar (letters, digits, `_`), a key the call's
   * own `filter` does not set, a phase other than UNKNOWN, and a whole filter within 512
   * characters; otherwise they run locally. `since` always runs locally (RFS has no time filter).
   * Either way every combination is the intersection of all filters.
   */
  readonly capabilities: Capabilities = {
    provider: PROVIDER,
    filters: { since: 'local', resourceName: 'server', resourceType: 'server', phase: 'server' },
    pageSize: { ...PAGE_SIZE },
    eventOrder: 'oldest-first',
    nestedStacks: false,
    eventIds: 'content-hash',
  };
  /** The RFS endpoint in use. */
  readonly endpoint: string;
  /** The project id in the URL. */
  readonly projectId: string;
  /** The region id given. */
  readonly region: string;
  private readonly transport: HttpTransport;
  private readonly auth: AuthHook;

  constructor(options: RfsClientOptions) {
    const env = options.env ?? process.env;
    const config = (message: string) => new StackfeedError({ code: 'CONFIG', provider: PROVIDER, message });
    if (!options || typeof options.region !== 'string' || !options.region) throw config('RfsClient needs a region');
    this.region = options.region;
    const projectId = options.projectId ?? env.HUAWEICLOUD_SDK_PROJECT_ID;
    if (!projectId) {
      throw config('RfsClient needs a project id: pass projectId or set HUAWEICLOUD_SDK_PROJECT_ID');
    }
    this.projectId = projectId;
    const endpoint = options.endpoint ?? rfsEndpointForRegion(options.region, env);
    let parsed: URL;
    try {
      parsed = new URL(endpoint);
    } catch {
      throw config(`endpoint ${JSON.stringify(endpoint)} is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw config('endpoint must be http(s)');
    this.endpoint = endpoint.replace(/\/+$/, '');
    this.auth = makeAuth(options, env, projectId);
    this.transport = new HttpTransport({
      provider: PROVIDER,
      auth: this.auth,
      parseError: (res) => {
        // Every error response shows the server's clock: a skewed local clock is corrected on a 401.
        if (this.auth instanceof AkSkAuth) this.auth.noteServerDate(res.headers.date);
        return parseRfsError(res);
      },
      requestIdHeaders: ['x-request-id'],
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    });
  }

  /** Every RFS call goes through here: IAM token first (outside got's hooks), then the transport. */
  private async request(spec: RequestSpec): Promise<HttpResponse> {
    if (this.auth instanceof IamTokenAuth) await this.auth.prepare(spec.signal);
    return this.transport.request(spec);
  }

  private stackUrl(name: string, suffix: string): string {
    return `${this.endpoint}/v1/${encodePathSegment(this.projectId)}/stacks/${encodePathSegment(name)}${suffix}`;
  }

  /**
   * The events of a stack (ListStackEvents), oldest first by default like every stackfeed list.
   * RFS itself lists newest first: `order: 'oldest-first'` reads the listing to its end (or, with
   * `since`, down to the first page older than it), holds it, then yields it in reverse, so the
   * first event arrives only after the last page; `order: 'newest-first'` is the cheap order and
   * pages as RFS does. `maxItems` / `toArray({ limit })` take the first N in the chosen order.
   * Events have no id in RFS: each gets a stable content-derived id (see `EventIdAssigner`), the
   * same in both orders.
   */
  listStackEvents(ref: RfsStackRef | string, options: RfsListEventsOptions = {}): Paginator<StackEvent> {
    const r = normalizeRef(ref);
    const plan = this.planEvents(r, options);
    const order = eventOrderOf(options.order);
    const base = {
      provider: PROVIDER,
      operation: 'listStackEvents',
      scope: { p: this.projectId, e: this.endpoint, r, q: plan.query, o: order },
      pageSizeLimits: PAGE_SIZE,
      filter: plan.local,
      options,
    } as const;
    if (order === 'newest-first') {
      return createPaginator<StackEvent, MarkerCursor>({
        ...base,
        fetchPage: this.newestFirstPages(plan, options.since),
      });
    }
    return createPaginator<StackEvent, OffsetCursor>({
      ...base,
      fetchPage: this.oldestFirstPages(plan, options.since),
    });
  }

  /** Pages as RFS serves them (newest first), each request one page. */
  private newestFirstPages(plan: EventsPlan, since: Date | undefined): FetchPage<StackEvent, MarkerCursor> {
    let assigner = new EventIdAssigner(plan.scope);
    const sinceMs = since?.getTime();
    return async (cursor, pageSize, signal) => {
      if (cursor === undefined) assigner = new EventIdAssigner(plan.scope);
      // RFS accepts a marker only with the parameters it was issued for: keep that page size.
      const limit = cursor ? cursor.limit : pageSize;
      const page = await this.fetchEventsPage(plan, cursor?.marker, limit, signal, assigner);
      // Newest first: once a page reaches before `since`, every later page is older still.
      const done = sinceMs !== undefined && page.items.some((ev) => ev.timestamp.getTime() < sinceMs);
      return {
        items: page.items,
        next: page.next && !done ? markerCursor(page.next, limit) : undefined,
        raw: page.raw,
      };
    };
  }

  /**
   * Oldest-first pages cut from the whole listing, read once and reversed. The cursor is an offset
   * from the oldest end, so a token resumed later (even in another process, which reads the listing
   * again) still points at the same event when newer ones have been added meanwhile.
   */
  private oldestFirstPages(plan: EventsPlan, since: Date | undefined): FetchPage<StackEvent, OffsetCursor> {
    let listing: StackEvent[] | undefined;
    return async (cursor, pageSize, signal) => {
      if (cursor === undefined || listing === undefined) {
        listing = (await this.readWholeListing(plan, since, signal)).reverse();
      }
      const offset = cursor?.offset ?? 0;
      const end = offset + (pageSize ?? PAGE_SIZE.max);
      const items = listing.slice(offset, end);
      return { items, next: end < listing.length ? { offset: end } : undefined };
    };
  }

  /** Every event of the listing, newest first as RFS returns them (down to `since` when given). */
  private async readWholeListing(
    plan: EventsPlan,
    since: Date | undefined,
    signal: AbortSignal | undefined,
  ): Promise<StackEvent[]> {
    const assigner = new EventIdAssigner(plan.scope);
    const sinceMs = since?.getTime();
    const out: StackEvent[] = [];
    const markers = new Set<string>();
    let marker: string | undefined;
    for (let page = 0; page < MAX_PAGES_PER_READ; page++) {
      const fetched = await this.fetchEventsPage(plan, marker, PAGE_SIZE.max, signal, assigner);
      for (const ev of fetched.items) out.push(ev);
      if (sinceMs !== undefined && fetched.items.some((ev) => ev.timestamp.getTime() < sinceMs)) break;
      // A repeated marker would loop forever: the listing ends there, as core's paginator decides.
      if (!fetched.next || markers.has(fetched.next)) break;
      markers.add(fetched.next);
      marker = fetched.next;
    }
    return out;
  }

  /** Validate and resolve the event options into a query (CONFIG errors happen here, before any request). */
  private planEvents(r: RfsStackRef, options: RfsEventOptions): EventsPlan {
    const own: RfsEventFilter = { ...(options.filter ?? {}) };
    const ownFilter = buildFilter(own);
    const { filter, serverSide } = pushCommonFilters(own, options);
    const query: EventsPlan['query'] = {};
    if (r.id) query.stack_id = r.id;
    if (options.deploymentId !== undefined) {
      if (typeof options.deploymentId !== 'string' || options.deploymentId === '') {
        throw new StackfeedError({
          code: 'CONFIG',
          provider: PROVIDER,
          operation: 'listStackEvents',
          message: 'deploymentId must be a non-empty string',
        });
      }
      query.deployment_id = options.deploymentId;
    }
    const f = serverSide.length > 0 ? formatFilter(filter) : ownFilter;
    if (f) query.filter = f;
    const selection = buildField(options.fields);
    if (selection) {
      query.field = selection.field;
      requireSelected(selection.returned, options, serverSide);
    }
    return {
      scope: { stackName: r.name, stackId: r.id, deploymentId: options.deploymentId, returned: selection?.returned },
      query,
      local: applyEventFilters(options, serverSide),
    };
  }

  private async fetchEventsPage(
    plan: EventsPlan,
    marker: string | undefined,
    pageSize: number | undefined,
    signal: AbortSignal | undefined,
    assigner: EventIdAssigner,
  ): Promise<{ items: StackEvent[]; next: string | undefined; raw: unknown }> {
    const res = await this.request({
      url: this.stackUrl(plan.scope.stackName, '/events'),
      query: { ...plan.query, marker, limit: pageSize },
      operation: 'listStackEvents',
      signal,
    });
    const page = normalizeEventsPage(res.body, plan.scope, assigner, {
      operation: 'listStackEvents',
      requestId: res.requestId,
    });
    const items = page.items;
    return { items, next: items.length === 0 ? undefined : page.nextMarker, raw: res.body };
  }

  /** All stacks of the project (ListStacks), newest first. */
  listStacks(options: ListOptions = {}): Paginator<StackInfo> {
    return createPaginator<StackInfo, MarkerCursor>({
      provider: PROVIDER,
      operation: 'listStacks',
      scope: { p: this.projectId, e: this.endpoint },
      pageSizeLimits: PAGE_SIZE,
      options,
      fetchPage: async (cursor, pageSize, signal) => {
        const limit = cursor ? cursor.limit : pageSize;
        const res = await this.request({
          url: buildUrl(this.endpoint, `/v1/${encodePathSegment(this.projectId)}/stacks`),
          query: { marker: cursor?.marker, limit },
          operation: 'listStacks',
          signal,
        });
        const body = parseWire(ListStacksResponseSchema, res.body, {
          provider: PROVIDER,
          operation: 'listStacks',
          requestId: res.requestId,
        });
        const items = (body.stacks ?? []).map((s) => toStackInfo(s));
        const next = body.page_info?.next_marker || undefined;
        return { items, next: items.length === 0 || !next ? undefined : markerCursor(next, limit), raw: res.body };
      },
    });
  }

  /** One stack with its normalized status (GetStackMetadata). A deleted stack is NOT_FOUND. */
  async getStack(ref: RfsStackRef | string, options: { signal?: AbortSignal | undefined } = {}): Promise<StackInfo> {
    const r = normalizeRef(ref);
    const res = await this.request({
      url: this.stackUrl(r.name, '/metadata'),
      query: { stack_id: r.id },
      operation: 'getStack',
      signal: options.signal,
    });
    const body = parseWire(GetStackMetadataResponseSchema, res.body, {
      provider: PROVIDER,
      operation: 'getStack',
      requestId: res.requestId,
    });
    return toStackInfo(body);
  }

  /**
   * Follow a stack's events until the stack reaches a terminal status (`*_COMPLETE`, `*_FAILED`),
   * or disappears (a deleted stack answers 404: the watch ends with outcome `deleted`).
   * `.result.final` is the last StackInfo seen.
   */
  watchStackEvents(ref: RfsStackRef | string, options: RfsWatchOptions = {}): WatchStream<StackEvent, StackInfo> {
    const r = normalizeRef(ref);
    const plan = this.planEvents(r, options);
    const pageSize =
      options.pageSize === undefined
        ? undefined
        : Math.min(PAGE_SIZE.max, Math.max(PAGE_SIZE.min, Math.floor(options.pageSize)));
    let seenStack = false;
    let eventsGone: StackfeedError | undefined;
    let lastInfo: StackInfo | undefined;
    /** Newest event time read by a completed poll, whether or not a local filter kept the event. */
    let rawNewest: number | undefined;
    /** The newest ERROR line seen: the reason of a failed run when the stack has no status_message. */
    let lastError: { ms: number; message: string } | undefined;
    return watchEvents<StackEvent, StackInfo>(
      {
        provider: PROVIDER,
        operation: 'watchStackEvents',
        poll: async (ctx) => {
          const out: StackEvent[] = [];
          const assigner = new EventIdAssigner(plan.scope);
          // Stop paging below the newest event already read (yielded or filtered out locally), so a
          // filter that drops everything does not make every poll re-read the whole history.
          const since = maxDefined(ctx.since?.getTime(), rawNewest);
          let pollNewest: number | undefined;
          const markers = new Set<string>();
          let marker: string | undefined;
          for (let page = 0; page < 10_000; page++) {
            let fetched: Awaited<ReturnType<RfsClient['fetchEventsPage']>>;
            try {
              fetched = await this.fetchEventsPage(plan, marker, pageSize, ctx.signal, assigner);
            } catch (err) {
              if (seenStack && StackfeedError.is(err, 'NOT_FOUND')) {
                eventsGone = err;
                return out.reverse();
              }
              throw err;
            }
            seenStack = true;
            eventsGone = undefined;
            for (const ev of fetched.items) {
              pollNewest = maxDefined(pollNewest, ev.timestamp.getTime());
              if (ev.status === 'ERROR' && ev.message && (!lastError || ev.timestamp.getTime() > lastError.ms)) {
                lastError = { ms: ev.timestamp.getTime(), message: ev.message };
              }
              if (!plan.local || plan.local(ev)) out.push(ev);
            }
            // Newest first: once a page reaches below the newest time already yielded, the rest is old.
            if (since !== undefined && fetched.items.some((ev) => ev.timestamp.getTime() < since)) break;
            if (!fetched.next || markers.has(fetched.next)) break;
            markers.add(fetched.next);
            marker = fetched.next;
          }
          rawNewest = maxDefined(rawNewest, pollNewest);
          // RFS lists newest first; the engine's sort is stable, so hand events over oldest first
          // to keep same-second events in the order they happened.
          return out.reverse();
        },
        checkTerminal: async (ctx) => {
          let info: StackInfo;
          try {
            info = await this.getStack(r, { signal: ctx.signal });
          } catch (err) {
            if (seenStack && StackfeedError.is(err, 'NOT_FOUND')) {
              return {
                terminal: true,
                outcome: 'deleted',
                status: 'DELETED',
                ...(lastInfo ? { final: { ...lastInfo, state: 'DELETED' as const } } : {}),
              };
            }
            throw err;
          }
          seenStack = true;
          // The stack exists but its events answered 404: the deployment id is unknown.
          if (eventsGone) throw eventsGone;
          lastInfo = info;
          if (!isTerminalStatus(info.status)) return { terminal: false };
          const known = STACK_STATUS_TABLE.has(info.status) ? STACK_STATUS_TABLE.map(info.status).outcome : undefined;
          const outcome = known ?? (info.status.endsWith('_FAILED') ? 'failed' : 'succeeded');
          // RFS sets status_message only on *_FAILED; a rolled-back run explains itself in its ERROR events.
          const reason = info.reason ?? (outcome === 'failed' ? lastError?.message : undefined);
          return { terminal: true, outcome, status: info.status, ...(reason ? { reason } : {}), final: info };
        },
      },
      options,
    );
  }
}

/**
 * Move the common filters into the RFS `filter` where RFS can apply them: a non-empty list of
 * values that fit the grammar, for a key the caller's own `filter` does not use, while the whole
 * filter stays within what RFS accepts. Everything else is applied locally, so the result is the
 * intersection of every filter either way (RFS ANDs the keys and ORs the values of one key).
 */
function pushCommonFilters(
  own: RfsEventFilter,
  options: EventFilterOptions,
): { filter: RfsEventFilter; serverSide: Array<keyof EventFilterOptions> } {
  const filter: RfsEventFilter = { ...own };
  const serverSide: Array<keyof EventFilterOptions> = [];
  const fits = (values: readonly unknown[]): values is string[] =>
    values.length > 0 && values.every((v) => typeof v === 'string' && isFilterValue(v));
  const tryPush = (option: keyof EventFilterOptions, key: keyof RfsEventFilter, values: string[] | undefined) => {
    if (!values || !fits(values) || filter[key] !== undefined) return;
    const next = { ...filter, [key]: values };
    if ((formatFilter(next)?.length ?? 0) > FILTER_MAX_CHARS) return;
    Object.assign(filter, { [key]: values });
    serverSide.push(option);
  };
  const phases = asList<Phase>(options.phase);
  if (phases && !phases.includes('UNKNOWN')) tryPush('phase', 'eventType', eventTypesForPhases(phases));
  tryPush('resourceType', 'resourceType', asList(options.resourceType));
  tryPush('resourceName', 'resourceName', asList(options.resourceName));
  return { filter, serverSide };
}

/**
 * A filter applied locally reads an attribute of each event: with `fields`, that attribute must be
 * selected, or every event would be dropped for lacking it (throws CONFIG).
 */
function requireSelected(
  returned: ReadonlySet<string>,
  options: RfsEventOptions,
  serverSide: ReadonlyArray<keyof EventFilterOptions>,
): void {
  const needs: Array<[keyof EventFilterOptions, string]> = [
    ['resourceName', 'resource_name'],
    ['resourceType', 'resource_type'],
  ];
  for (const [option, attribute] of needs) {
    if (options[option] === undefined || serverSide.includes(option) || returned.has(attribute)) continue;
    throw new StackfeedError({
      code: 'CONFIG',
      provider: PROVIDER,
      operation: 'listStackEvents',
      message: `${option} is applied locally here (its values do not fit the RFS filter grammar, or filter.${option} is set too), so fields must include '${attribute}'`,
    });
  }
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

/** A newest-first page cursor: the RFS marker plus the limit it was issued for (absent = server default). */
interface MarkerCursor {
  marker: string;
  limit?: number;
}

/** An oldest-first page cursor: how many events of the reversed listing came before this page. */
interface OffsetCursor {
  offset: number;
}

function markerCursor(marker: string, limit: number | undefined): MarkerCursor {
  return limit === undefined ? { marker } : { marker, limit };
}

/** The `order` option, checked (CONFIG on anything else). */
function eventOrderOf(order: unknown): EventOrder {
  if (order === undefined || order === 'oldest-first' || order === 'newest-first') return order ?? 'oldest-first';
  throw new StackfeedError({
    code: 'CONFIG',
    provider: PROVIDER,
    operation: 'listStackEvents',
    message: `order must be 'oldest-first' or 'newest-first', not ${JSON.stringify(order)}`,
  });
}

function normalizeRef(ref: RfsStackRef | string): RfsStackRef {
  const r = typeof ref === 'string' ? { name: ref } : ref;
  if (!r || typeof r.name !== 'string' || r.name === '') {
    throw new StackfeedError({ code: 'CONFIG', provider: PROVIDER, message: 'an RFS stack is named by its name' });
  }
  if (r.id !== undefined && (typeof r.id !== 'string' || r.id === '')) {
    throw new StackfeedError({ code: 'CONFIG', provider: PROVIDER, message: 'stack id must be a non-empty string' });
  }
  return r.id ? { name: r.name, id: r.id } : { name: r.name };
}

function makeAuth(options: RfsClientOptions, env: Record<string, string | undefined>, projectId: string): AuthHook {
  const c = options.credentials;
  const now = options.now;
  if (typeof c === 'function') {
    return new AkSkAuth(c, {
      projectId,
      ...(now ? { now } : {}),
      ...(options.correctClockSkew !== undefined ? { correctClockSkew: options.correctClockSkew } : {}),
    });
  }
  if (c && 'password' in c) {
    return new IamTokenAuth({
      password: c.password,
      iamEndpoint: options.iamEndpoint ?? iamEndpoint(env),
      projectId,
      region: options.region,
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      tls: options.tls,
      ...(now ? { now } : {}),
    });
  }
  if (c && 'token' in c) {
    return new IamTokenAuth({ token: c.token, iamEndpoint: options.iamEndpoint ?? iamEndpoint(env), projectId });
  }
  const ak = c?.accessKey ?? env.HUAWEICLOUD_SDK_AK;
  const sk = c?.secretKey ?? env.HUAWEICLOUD_SDK_SK;
  const token = c ? c.securityToken : env.HUAWEICLOUD_SDK_SECURITY_TOKEN;
  if (!ak || !sk) {
    throw new StackfeedError({
      code: 'CONFIG',
      provider: PROVIDER,
      message:
        'no Huawei Cloud credentials: pass credentials (AK/SK, token or IAM password) or set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK',
    });
  }
  return new AkSkAuth(
    { accessKey: ak, secretKey: sk, securityToken: token || undefined },
    {
      projectId,
      ...(now ? { now } : {}),
      ...(options.correctClockSkew !== undefined ? { correctClockSkew: options.correctClockSkew } : {}),
    },
  );
}
