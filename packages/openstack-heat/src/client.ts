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
  type StackInfo,
  StackfeedError,
  type RateLimiter,
  type RateLimitOptions,
  type TlsOptions,
  type WatchOptions,
  type WatchStream,
} from '@stackfeed/core';
import {
  type HttpResponse,
  HttpTransport,
  applyEventFilters,
  createPaginator,
  encodePathSegment,
  parseWire,
  registerSecret,
  watchEvents,
} from '@stackfeed/core/adapter';
import { KeystoneSession } from './auth/keystone.js';
import type { EndpointInterface, HeatAuth } from './auth/types.js';
import { type LoadConfigOptions, loadCloudConfig } from './config/clouds.js';
import { isNoEventsFound, parseHeatError } from './errors.js';
import { type CanonicalStack, normalizeEventList, toStackEvent, toStackInfo } from './mapping/event.js';
import { SERVER_PHASES } from './mapping/status.js';
import { createWatchSource } from './watch.js';
import { EventShowSchema, StackListSchema, StackShowSchema, WireEventSchema, WireStackSchema } from './wire/schemas.js';
import { z } from 'zod';

/** A Heat stack: its name, its id, or both (both saves the lookup redirect). A string is a name or an id. */
export type HeatStackRef =
  | string
  | {
      name?: string | undefined;
      id?: string | undefined;
      /** Alias of `name`. */
      stackName?: string | undefined;
      /** Alias of `id`. */
      stackId?: string | undefined;
    };

/** Options for building a HeatClient directly. */
export interface HeatClientOptions {
  /** How to authenticate (Keystone v3 password / token / application credential, or `none`). */
  auth: HeatAuth;
  /**
   * The orchestration endpoint, e.g. `http://127.0.0.1:8004/v1/admin`. Required for `none`;
   * otherwise it overrides the catalog. `%(tenant_id)s` / `%(project_id)s` are filled from the token.
   */
  endpoint?: string | undefined;
  /** Catalog region (`OS_REGION_NAME`). */
  region?: string | undefined;
  /** Catalog interface (default `public`). */
  interface?: EndpointInterface | undefined;
  /** Per-attempt HTTP timeout (default 30 s). */
  timeoutMs?: number | undefined;
  retry?: RetryOptions | undefined;
  logger?: Logger | undefined;
  tls?: TlsOptions | undefined;
  /**
   * Client-side request budget: at most `limit` requests per `intervalMs` (default 1 s), every
   * attempt counted. Pass one `RateLimiter` to several clients to share a quota.
   */
  rateLimit?: RateLimiter | RateLimitOptions | undefined;
  /** Appended to the User-Agent. */
  userAgent?: string | undefined;
  /** Re-authenticate this long before the Keystone token expires (default 60 s). */
  tokenRefreshMarginMs?: number | undefined;
  /** Extra headers on every Heat request (e.g. `X-Auth-User` for a noauth Heat). No credentials here. */
  headers?: Record<string, string> | undefined;
  /** Clock for token expiry (tests). */
  now?: () => number;
}

/** Heat-specific event options, next to the common filters. */
export interface HeatEventOptions {
  /** `resource_action` filter: CREATE, UPDATE, DELETE, … (server side; repeat = OR). */
  resourceAction?: string | readonly string[] | undefined;
  /** `resource_status` filter, status part only: IN_PROGRESS, COMPLETE, FAILED (server side). */
  resourceStatus?: string | readonly string[] | undefined;
  /** Include events of nested stacks down to this depth (`nested_depth`, default 0). */
  nestedDepth?: number | undefined;
  /** `asc` (oldest first, the default here) or `desc` (newest first, Heat's own default). */
  sortDir?: 'asc' | 'desc' | undefined;
  /** `sort_keys`: Heat honours `event_time` and `resource_type` only. */
  sortKeys?: ReadonlyArray<'event_time' | 'resource_type'> | undefined;
}

/** Options of `listStackEvents` / `listResourceEvents`. */
export type ListEventsOptions = ListOptions & EventFilterOptions & HeatEventOptions;

/** Options of `watchStackEvents`. */
export interface WatchStackEventsOptions extends WatchOptions, Omit<EventFilterOptions, 'since'>, HeatEventOptions {
  /** Events per request while catching up (default 500). */
  pageSize?: number | undefined;
  /**
   * Only end when the stack's current action is this one (e.g. `UPDATE` right after starting an
   * update, so a stale `CREATE_COMPLETE` does not end the watch before the update shows).
   */
  untilAction?: string | undefined;
}

/** Options of `listStacks`. */
export interface ListStacksOptions extends ListOptions {
  /** `status` filter; Heat accepts `FAILED` and `CREATE_FAILED` forms. */
  status?: string | readonly string[] | undefined;
  /** `action` filter (CREATE, UPDATE, …). */
  action?: string | readonly string[] | undefined;
  /** `name` filter (exact). */
  name?: string | readonly string[] | undefined;
  showNested?: boolean | undefined;
  showDeleted?: boolean | undefined;
  sortKeys?: ReadonlyArray<'stack_name' | 'stack_status' | 'creation_time' | 'updated_time'> | undefined;
  sortDir?: 'asc' | 'desc' | undefined;
  /** Tags the stacks must all have (`tags`). */
  tags?: readonly string[] | undefined;
}

interface EventCursor {
  /** marker: the id of the last event of the previous page. */
  m: string;
  /** That event's time (ms), to notice a marker Heat ignored. */
  t: number;
  /** Canonical stack, learned from the first page. */
  s?: CanonicalStack | undefined;
}

interface StackCursor {
  m: string;
}

const PROVIDER = 'openstack-heat' as const;
const StackListWire = z.object({ stacks: z.array(WireStackSchema) }).loose();
/** Built once: a watch checks its stack on every poll. */
const StackShowWire = z.object({ stack: WireStackSchema });
const EventShowWire = z.object({ event: WireEventSchema });

/**
 * A client for OpenStack Heat (orchestration v1): stack events (list, per resource, show),
 * stacks (list, get) and a live watch. Build it from options, from `clouds.yaml` / `OS_CLOUD`,
 * or from `OS_*` variables (`HeatClient.fromConfig()`).
 */
export class HeatClient implements StackEventSource<HeatStackRef> {
  /** Always `openstack-heat`. */
  readonly provider = PROVIDER;
  /** Which filters Heat applies itself (all but `since`) and how it pages. */
  readonly capabilities: Capabilities = {
    provider: PROVIDER,
    filters: { since: 'local', resourceName: 'server', resourceType: 'server', phase: 'server' },
    pageSize: { min: 1, max: 100_000, default: 1000 },
    eventOrder: 'oldest-first',
    nestedStacks: true,
    eventIds: 'provider',
  };
  /** The Keystone session (token cache, catalog). */
  readonly session: KeystoneSession;
  private readonly http: HttpTransport;
  private readonly headers: Record<string, string>;
  private readonly logger: Logger | undefined;

  constructor(opts: HeatClientOptions) {
    this.session = new KeystoneSession({
      auth: opts.auth,
      endpoint: opts.endpoint,
      region: opts.region,
      interface: opts.interface,
      refreshMarginMs: opts.tokenRefreshMarginMs,
      timeoutMs: opts.timeoutMs,
      retry: opts.retry,
      logger: opts.logger,
      tls: opts.tls,
      ...(opts.now ? { now: opts.now } : {}),
    });
    this.headers = { ...(opts.headers ?? {}) };
    for (const [k, v] of Object.entries(this.headers)) if (/token|auth/i.test(k)) registerSecret(v);
    this.logger = opts.logger;
    this.http = new HttpTransport({
      provider: PROVIDER,
      auth: this.session.hook,
      parseError: parseHeatError,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.retry ? { retry: opts.retry } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.tls ? { tls: opts.tls } : {}),
      ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
      ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}),
    });
  }

  /**
   * Build a client from `clouds.yaml` (+ `secure.yaml`) and `OS_CLOUD`, or from `OS_*` variables,
   * with openstacksdk's search path and precedence. `overrides` win over the file.
   */
  static fromConfig(
    config: LoadConfigOptions = {},
    overrides: Partial<Omit<HeatClientOptions, 'auth'>> & { auth?: HeatAuth } = {},
  ): HeatClient {
    const c = loadCloudConfig(config);
    const tls: TlsOptions | undefined =
      c.ca !== undefined || c.insecure
        ? { ...(c.ca !== undefined ? { ca: c.ca } : {}), ...(c.insecure ? { insecure: true } : {}) }
        : undefined;
    return new HeatClient({
      auth: c.auth,
      endpoint: c.endpoint,
      region: c.region,
      interface: c.interface,
      ...(tls ? { tls } : {}),
      ...stripUndefined(overrides),
    });
  }

  // ------------------------------------------------------------------ stacks --

  /** One stack (`GET /stacks/{name}/{id}`; a name or id alone follows Heat's 302 on the same origin). */
  async getStack(ref: HeatStackRef, options: { signal?: AbortSignal | undefined } = {}): Promise<StackInfo> {
    const res = await this.get(await this.stackUrl(ref, '', options.signal), {}, 'getStack', options.signal);
    const body = parseWire(StackShowSchema, res.body, this.ctx('getStack', res));
    const stack = parseWire(StackShowWire, res.body, this.ctx('getStack', res)).stack;
    return toStackInfo(stack, body.stack);
  }

  /** Stacks of the project (all projects for an admin), newest first unless sorted. */
  listStacks(options: ListStacksOptions = {}): Paginator<StackInfo> {
    const query = {
      status: options.status,
      action: options.action,
      name: options.name,
      show_nested: options.showNested,
      show_deleted: options.showDeleted,
      sort_keys: options.sortKeys,
      sort_dir: options.sortDir,
      tags: options.tags?.join(','),
    };
    return createPaginator<StackInfo, StackCursor>({
      provider: PROVIDER,
      operation: 'listStacks',
      scope: query,
      options,
      pageSizeLimits: { min: 1, max: 100_000 },
      onWarning: (m) => this.warn('listStacks', m),
      fetchPage: async (cursor, pageSize, signal) => {
        const base = await this.session.endpoint(signal);
        const res = await this.get(
          `${base}/stacks`,
          { ...query, limit: pageSize, marker: cursor?.m },
          'listStacks',
          signal,
        );
        const body = parseWire(StackListSchema, res.body, this.ctx('listStacks', res));
        const parsed = parseWire(StackListWire, res.body, this.ctx('listStacks', res));
        const items = parsed.stacks.map((s, i) => toStackInfo(s, body.stacks[i]));
        const nextLink = body.links?.find((l) => l.rel === 'next');
        let next: StackCursor | undefined;
        if (nextLink && items.length > 0) {
          const marker = markerOf(nextLink.href) ?? parsed.stacks[parsed.stacks.length - 1]?.id;
          if (marker) next = { m: marker };
        }
        return { items, next, raw: res.body };
      },
    });
  }

  // ------------------------------------------------------------------ events --

  /**
   * Events of a stack, oldest first by default. Paged with Heat's `marker` (the last event id) and
   * `limit`; a marker Heat silently ignores (a pruned event) is noticed and already-seen events
   * are not handed out twice. `resourceName`, `resourceType`, `phase` (IN_PROGRESS, COMPLETE,
   * FAILED) run on Heat; `since` runs locally.
   */
  listStackEvents(ref: HeatStackRef, options: ListEventsOptions = {}): Paginator<StackEvent> {
    return this.eventPaginator('listStackEvents', ref, undefined, options);
  }

  /**
   * Events of one resource of a stack. Heat answers 404 "No events found for resource" when
   * nothing matches (also for an unknown resource name); that is an empty list here.
   */
  listResourceEvents(ref: HeatStackRef, resourceName: string, options: ListEventsOptions = {}): Paginator<StackEvent> {
    seg(resourceName);
    return this.eventPaginator('listResourceEvents', ref, resourceName, options);
  }

  /**
   * One event with its details: `resource_type` (in `resource.type`) and `resource_properties`
   * (in `properties`). Use the stack's name as `resourceName` for a stack-level event.
   */
  async getEvent(
    ref: HeatStackRef,
    resourceName: string,
    eventId: string,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<StackEvent> {
    const stack = await this.resolveStack(ref, options.signal);
    const base = await this.session.endpoint(options.signal);
    const url = `${base}/stacks/${seg(stack.name)}/${seg(stack.id)}/resources/${seg(resourceName)}/events/${seg(eventId)}`;
    const res = await this.get(url, {}, 'getEvent', options.signal);
    const body = parseWire(EventShowSchema, res.body, this.ctx('getEvent', res));
    const wire = parseWire(EventShowWire, res.body, this.ctx('getEvent', res)).event;
    return toStackEvent(wire, body.event, stack);
  }

  /**
   * Follow a stack like `openstack stack event list --follow`, but ending: yields each event once,
   * oldest first, until the stack reaches a terminal state (then one final drain). Survives Heat
   * pruning old events, ignored markers, nested stacks (`nestedDepth`). `result.final` is the
   * stack at the end.
   */
  watchStackEvents(ref: HeatStackRef, options: WatchStackEventsOptions = {}): WatchStream<StackEvent, StackInfo> {
    const filters = this.serverFilters(options);
    const local = applyEventFilters(options, filters.serverSide);
    const source = createWatchSource({
      client: this,
      ref,
      query: filters.query,
      pageSize: options.pageSize ?? 500,
      localFilter: local,
      untilAction: options.untilAction,
    });
    return watchEvents(source, options);
  }

  // ---------------------------------------------------------------- internals --

  /** @internal Fetch one page of events (used by the list paginator and the watch). */
  async fetchEvents(
    ref: HeatStackRef,
    known: CanonicalStack | undefined,
    resourceName: string | undefined,
    query: Record<string, unknown>,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<{ events: StackEvent[]; stack: CanonicalStack | undefined; res: HttpResponse | undefined }> {
    const base = await this.session.endpoint(signal);
    let stack = known ?? canonicalOf(ref);
    if (resourceName !== undefined && !stack) stack = await this.resolveStack(ref, signal);
    const stackPath = stack ? `stacks/${seg(stack.name)}/${seg(stack.id)}` : `stacks/${seg(refString(ref))}`;
    const url = `${base}/${stackPath}${resourceName !== undefined ? `/resources/${seg(resourceName)}` : ''}/events`;
    let res: HttpResponse;
    try {
      res = await this.get(url, query, operation, signal);
    } catch (err) {
      if (resourceName !== undefined && StackfeedError.is(err, 'NOT_FOUND') && isNoEventsFound(err)) {
        return { events: [], stack, res: undefined };
      }
      throw err;
    }
    stack ??= canonicalFromUrl(res.url, base);
    const events = normalizeEventList(res.body, stack, this.ctx(operation, res));
    return { events, stack, res };
  }

  /** @internal The query for the common + Heat filters, and which filters it covers. */
  serverFilters(options: EventFilterOptions & HeatEventOptions): {
    query: Record<string, unknown>;
    serverSide: Array<keyof EventFilterOptions>;
  } {
    const serverSide: Array<keyof EventFilterOptions> = ['resourceName', 'resourceType'];
    const phases =
      options.phase === undefined
        ? undefined
        : typeof options.phase === 'string'
          ? [options.phase]
          : [...options.phase];
    let status: string[] | undefined =
      options.resourceStatus === undefined ? undefined : toList(options.resourceStatus);
    if (phases?.every((p: Phase) => SERVER_PHASES.has(p))) {
      serverSide.push('phase');
      status = [...(status ?? []), ...phases];
    }
    if (options.nestedDepth !== undefined && (!Number.isInteger(options.nestedDepth) || options.nestedDepth < 0)) {
      throw new StackfeedError({
        code: 'CONFIG',
        provider: PROVIDER,
        message: 'nestedDepth must be a non-negative integer',
      });
    }
    const query: Record<string, unknown> = {
      resource_action: options.resourceAction === undefined ? undefined : toList(options.resourceAction),
      resource_status: status,
      resource_name: options.resourceName === undefined ? undefined : toList(options.resourceName),
      resource_type: options.resourceType === undefined ? undefined : toList(options.resourceType),
      nested_depth: options.nestedDepth || undefined,
      sort_keys: options.sortKeys?.length ? [...options.sortKeys] : undefined,
      // Always explicit: `sort_keys` without `sort_dir` would sort ascending, Heat's default is desc.
      sort_dir: options.sortDir ?? 'asc',
    };
    return { query, serverSide };
  }

  /** @internal Name and id of a stack (one lookup when only one of them is known). */
  async resolveStack(ref: HeatStackRef, signal?: AbortSignal): Promise<CanonicalStack> {
    const known = canonicalOf(ref);
    if (known) return known;
    // `events?limit=0` is the cheapest URL that Heat redirects to the canonical one.
    const base = await this.session.endpoint(signal);
    const res = await this.get(`${base}/stacks/${seg(refString(ref))}/events`, { limit: 0 }, 'resolveStack', signal);
    const fromUrl = canonicalFromUrl(res.url, base);
    if (fromUrl) return fromUrl;
    const info = await this.getStack(ref, { signal });
    return { name: info.name, id: info.id as string };
  }

  private eventPaginator(
    operation: string,
    ref: HeatStackRef,
    resourceName: string | undefined,
    options: ListEventsOptions,
  ): Paginator<StackEvent> {
    refString(ref); // validate early
    const { query, serverSide } = this.serverFilters(options);
    const asc = (options.sortDir ?? 'asc') === 'asc';
    const timeOrdered =
      !options.sortKeys?.length || (options.sortKeys.length === 1 && options.sortKeys[0] === 'event_time');
    // Ids handed out by this paginator (bounded), and the first event of the list: a page that
    // starts with that event again, or with an event older than the marker, means Heat restarted.
    let firstId: string | undefined;
    // The newest 20,000 ids handed out, in a ring: one array write per event. The Set to look them
    // up is built only when Heat restarted the list (rare); a Set kept up to date costs a hash
    // insert and delete per event, and evicting through a Set iterator costs far more.
    const ring = new Array<string | undefined>(20_000);
    let at = 0;
    const remember = (id: string) => {
      ring[at] = id;
      at = at + 1 === ring.length ? 0 : at + 1;
    };
    return createPaginator<StackEvent, EventCursor>({
      provider: PROVIDER,
      operation,
      scope: { ref, resourceName, query },
      options,
      filter: applyEventFilters(options, serverSide),
      pageSizeLimits: this.capabilities.pageSize ?? undefined,
      cursorKey: (c) => c.m,
      onWarning: (m) => this.warn(operation, m),
      fetchPage: async (cursor, pageSize, signal) => {
        const q = { ...query, limit: pageSize, marker: cursor?.m };
        const { events, stack } = await this.fetchEvents(ref, cursor?.s, resourceName, q, operation, signal);
        let items = events;
        if (cursor && events.length > 0 && timeOrdered) {
          const first = events[0] as StackEvent;
          const t = first.timestamp.getTime();
          const restarted = (asc ? t < cursor.t : t > cursor.t) || first.id === firstId;
          if (restarted) {
            this.warn(operation, 'Heat ignored the page marker (event pruned?); skipping events already listed');
            const recent = new Set<string>();
            for (const id of ring) if (id !== undefined) recent.add(id);
            items = events.filter((e) => {
              const et = e.timestamp.getTime();
              return (asc ? et >= cursor.t : et <= cursor.t) && !recent.has(e.id);
            });
          }
        }
        if (!cursor && events[0]) firstId = events[0].id;
        for (const e of items) remember(e.id);
        const last = events[events.length - 1];
        const next =
          pageSize !== undefined && events.length >= pageSize && last
            ? { m: last.id, t: last.timestamp.getTime(), s: stack }
            : undefined;
        return { items, next };
      },
    });
  }

  /**
   * @internal GET with the client's headers; the body must be JSON. Same-origin redirects (Heat's
   * 302 for name-only URLs) are followed by the transport with the token; a redirect to another
   * origin arrives here unfollowed and fails without credentials having left.
   */
  async get(
    url: string,
    query: Record<string, unknown>,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    let res: HttpResponse;
    try {
      res = await this.http.request({
        url,
        query: query as never,
        headers: this.headers,
        operation,
        signal,
        responseType: 'text',
      });
    } catch (err) {
      throw networkDuringRedirect(err, operation) ?? err;
    }
    const fail = (what: string, extra: Record<string, unknown> = {}): never => {
      throw new StackfeedError({
        code: 'INVALID_RESPONSE',
        provider: PROVIDER,
        operation,
        httpStatus: res.status,
        ...(res.requestId ? { requestId: res.requestId } : {}),
        message: `${operation}: ${what}`,
        ...extra,
      });
    };
    if (res.status >= 300 && res.status < 400) {
      const loc = res.headers.location;
      let where = 'another URL';
      try {
        where = new URL(String(Array.isArray(loc) ? loc[0] : loc), res.url).origin;
      } catch {
        /* keep the generic wording */
      }
      return fail(
        `HTTP ${res.status}: the server redirected to another origin (${where}); stackfeed does not send credentials across origins`,
      );
    }
    const text = res.text.trim();
    if (text === '') return fail(`HTTP ${res.status} with an empty body where JSON was expected`);
    if (/^<(!doctype|html)/i.test(text) || /html/i.test(String(res.headers['content-type'] ?? ''))) {
      return fail(`HTTP ${res.status} with an HTML page instead of JSON (a proxy or gateway answered?)`);
    }
    try {
      res.body = JSON.parse(text);
    } catch (e) {
      return fail(`malformed JSON in the response (${(e as Error).message.slice(0, 120)})`);
    }
    return res;
  }

  private async stackUrl(ref: HeatStackRef, suffix: string, signal: AbortSignal | undefined): Promise<string> {
    const base = await this.session.endpoint(signal);
    const c = canonicalOf(ref);
    return `${base}/stacks/${c ? `${seg(c.name)}/${seg(c.id)}` : seg(refString(ref))}${suffix}`;
  }

  private ctx(operation: string, res: HttpResponse) {
    return { provider: PROVIDER, operation, requestId: res.requestId };
  }

  private warn(operation: string, message: string): void {
    this.logger?.({ level: 'warn', event: 'error', provider: PROVIDER, operation, message });
  }
}

/**
 * Work-around for core's transport: a connection failure while following a same-origin redirect
 * surfaces as INVALID_RESPONSE "HTTP 302" (got hands the 302 over as the error's response). It is
 * a network failure: retryable NETWORK.
 */
function networkDuringRedirect(err: unknown, operation: string): StackfeedError | undefined {
  if (!StackfeedError.is(err, 'INVALID_RESPONSE') || err.httpStatus === undefined) return undefined;
  if (err.httpStatus < 300 || err.httpStatus >= 400) return undefined;
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !/^(E[A-Z]+|ERR_STREAM_PREMATURE_CLOSE|UND_ERR_SOCKET)$/.test(code)) return undefined;
  return new StackfeedError({
    code: 'NETWORK',
    provider: PROVIDER,
    operation,
    message: `${operation}: ${code} while following Heat's redirect`,
    cause: err,
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function toList(v: string | readonly string[]): string[] {
  return typeof v === 'string' ? [v] : [...v];
}

/**
 * Encode a path segment so a stack, resource or event name is data, never path. `%`, spaces, `?`
 * and `#` are percent-encoded; `.` and `..` are refused; and `/` is refused outright: Heat's WSGI
 * server decodes `%2F` before routing (checked against a real Heat 19), so an encoded slash would
 * still address another URL. Heat itself forbids `/` in stack and resource names.
 */
function seg(value: string): string {
  try {
    if (value.includes('/')) throw new TypeError(`Heat names cannot contain "/" (${JSON.stringify(value)})`);
    return encodePathSegment(value);
  } catch (e) {
    throw new StackfeedError({ code: 'CONFIG', provider: PROVIDER, message: (e as Error).message, cause: e });
  }
}

/** Name and id, when the ref has both. */
export function canonicalOf(ref: HeatStackRef): CanonicalStack | undefined {
  if (typeof ref === 'string') return undefined;
  const name = ref.name ?? ref.stackName;
  const id = ref.id ?? ref.stackId;
  return name && id ? { name, id } : undefined;
}

/** The one string to look a stack up by (a name or an id). */
export function refString(ref: HeatStackRef): string {
  const s = typeof ref === 'string' ? ref : (ref.name ?? ref.stackName ?? ref.id ?? ref.stackId);
  if (!s)
    throw new StackfeedError({ code: 'CONFIG', provider: PROVIDER, message: 'a stack ref needs a name or an id' });
  return s;
}

/** After Heat's 302: `{base}/stacks/{name}/{id}/…` → name and id. */
export function canonicalFromUrl(url: string, base: string): CanonicalStack | undefined {
  try {
    const u = new URL(url);
    const basePath = new URL(base).pathname.replace(/\/+$/, '');
    if (!u.pathname.startsWith(`${basePath}/stacks/`)) return undefined;
    const segs = u.pathname.slice(basePath.length + '/stacks/'.length).split('/');
    if (segs.length < 2 || !segs[0] || !segs[1] || segs[1] === 'events' || segs[1] === 'resources') return undefined;
    return { name: decodeURIComponent(segs[0]), id: decodeURIComponent(segs[1]) };
  } catch {
    return undefined;
  }
}

function markerOf(href: string): string | undefined {
  try {
    return new URL(href).searchParams.getAll('marker').pop() ?? undefined;
  } catch {
    return undefined;
  }
}
