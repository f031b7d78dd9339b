import {
  type Capabilities,
  type ClientOptions,
  type Deployment,
  type DeploymentSource,
  type DiscoveredTarget,
  type DiscoverOptions,
  type DiscoverySource,
  type EventFilterOptions,
  type EventOrder,
  type EventOrderOption,
  type ListOptions,
  type ListDeploymentsOptions,
  type Paginator,
  type Phase,
  type StackEvent,
  type StackEventSource,
  StackfeedError,
  type StackInfo,
  type StackRef,
  type WatchOptions,
  type WatchStream,
} from '@stackfeed/core';
import {
  type AuthHook,
  HttpTransport,
  type TokenKey,
  assertHeaderSafe,
  createTokenKey,
  drainPages,
  maxItemsPerPage,
  type HttpResponse,
  type RequestSpec,
  applyEventFilters,
  buildUrl,
  clampPageSize,
  type FetchPage,
  createPaginator,
  deploymentPaginator,
  findDeployment,
  encodePathSegment,
  parseWire,
  transportOptionsOf,
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
import { eventTypesForPhases } from './mapping/tables.js';
import { rfsDeployments, rfsScopedDeployment } from './deployments/deployments.js';
import { discoverStacks } from './discovery/discover.js';
import {
  MAX_PAGES_PER_READ,
  type MarkerCursor,
  type OffsetCursor,
  PAGE_SIZE,
  markerCursor,
  markerCursorProblem,
  offsetCursorProblem,
} from './paging.js';
import { RfsStackWatch } from './watch.js';
import { loadSchemas } from './wire/load.js';

const PROVIDER = 'huawei-rfs' as const;

/** An RFS `deployment_id` (a UUID); the ids `listDeployments` derives never look like one. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An RFS stack ref as it was before refs became core's `StackRef` on every client.
 * @deprecated Pass a stack name or a `StackRef` (`{ name, id? }`); RFS needs `name`.
 */
export type RfsStackRef = StackRef;

/** A ref once checked: RFS addresses a stack by name; the id, when given, pins it. */
interface NamedRef {
  name: string;
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

/**
 * Options of `new RfsClient(...)`: core's `ClientOptions` (retry, logger, timeouts, rate limit,
 * token key, TLS, …, documented there) plus what only RFS has.
 */
export interface RfsClientOptions extends ClientOptions {
  /** Region id, e.g. `cn-north-4` (required). Picks the endpoint unless `endpoint` is given. */
  region: string;
  /**
   * Explicit endpoint (e.g. `https://rfs.cn-north-4.myhuaweicloud.com`, or an emulator); default
   * the region's, or `HUAWEICLOUD_SDK_REGION_RFS_<REGION>` from the environment.
   */
  endpoint?: string | undefined;
  /** Project id (the URL's `{project_id}`); default `HUAWEICLOUD_SDK_PROJECT_ID`. */
  projectId?: string | undefined;
  credentials?: RfsCredentials | undefined;
  /** IAM endpoint for password auth; default `HUAWEICLOUD_SDK_IAM_ENDPOINT` or the global IAM. */
  iamEndpoint?: string | undefined;
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
  RfsEventOptions &
  /**
   * `order`: `oldest-first` (default, as on every provider) or `newest-first` (RFS's own order,
   * the cheap one: the first page arrives after one request). Oldest first reads the whole listing
   * before the first event.
   */
  EventOrderOption;

/** Options of `watchStackEvents`. */
export type RfsWatchOptions = WatchOptions & RfsEventOptions & { pageSize?: number | undefined };

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
 * Every call that names a stack takes a stack name or core's `StackRef`: `name` is required (the
 * API addresses stacks by name); `id` is optional and pins the stack (RFS answers 400 when the
 * stack now called `name` is another one, deleted and re-created).
 *
 * ```ts
 * const rfs = new RfsClient({ region: 'cn-north-4', projectId });
 * for await (const ev of rfs.listStackEvents({ name: 'my-stack' })) console.log(ev.status, ev.message);
 * ```
 */
export class RfsClient
  implements StackEventSource<string | StackRef>, DiscoverySource<StackRef>, DeploymentSource<string | StackRef>
{
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
    nativeOrder: 'newest-first',
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
  /** Signs every continuation token of this client. */
  private readonly tokenKey: TokenKey;

  constructor(options: RfsClientOptions) {
    if (!options || typeof options.region !== 'string' || !options.region)
      throw configError('RfsClient needs a region');
    const env = options.env ?? process.env;
    this.region = options.region;
    this.projectId = projectIdOrThrow(options, env);
    this.endpoint = endpointOrThrow(options, env);
    if (options.userAgent !== undefined) {
      assertHeaderSafe('user-agent', options.userAgent, { provider: PROVIDER, option: 'userAgent' });
    }
    this.tokenKey = createTokenKey(options.tokenKey);
    this.auth = makeAuth(options, env, this.projectId);
    this.transport = new HttpTransport({
      provider: PROVIDER,
      auth: this.auth,
      parseError: (res) => {
        // Every error response shows the server's clock: a skewed local clock is corrected on a 401.
        if (this.auth instanceof AkSkAuth) this.auth.noteServerDate(res.headers.date);
        return parseRfsError(res);
      },
      requestIdHeaders: ['x-request-id'],
      ...transportOptionsOf(options),
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
  listStackEvents(ref: string | StackRef, options: RfsListEventsOptions = {}): Paginator<StackEvent> {
    const r = refOrThrow(ref);
    const plan = this.planEvents(r, options);
    const order = eventOrderOrThrow(options.order);
    const base = {
      provider: PROVIDER,
      operation: 'listStackEvents',
      scope: { p: this.projectId, e: this.endpoint, r, q: plan.query, o: order },
      pageSizeLimits: PAGE_SIZE,
      filter: plan.local,
      options,
      tokenKey: this.tokenKey,
    } as const;
    if (order === 'newest-first') {
      return createPaginator<StackEvent, MarkerCursor>({
        ...base,
        validateCursor: markerCursorProblem,
        fetchPage: this.newestFirstPages(plan, options.since),
      });
    }
    return createPaginator<StackEvent, OffsetCursor>({
      ...base,
      validateCursor: offsetCursorProblem,
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
    const drained = await drainPages<StackEvent, string>(
      (marker) => this.fetchEventsPage(plan, marker, PAGE_SIZE.max, signal, assigner),
      {
        maxPages: MAX_PAGES_PER_READ,
        signal,
        // Newest first: once a page reaches below `since`, the rest is older still.
        stopWhen: sinceMs === undefined ? undefined : (items) => items.some((ev) => ev.timestamp.getTime() < sinceMs),
      },
    );
    return drained.items;
  }

  /** Validate and resolve the event options into a query (CONFIG errors happen here, before any request). */
  private planEvents(r: NamedRef, options: RfsEventOptions): EventsPlan {
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
    refuseOversizedPage(res, pageSize);
    const page = await normalizeEventsPage(res.body, plan.scope, assigner, {
      operation: 'listStackEvents',
      requestId: res.requestId,
    });
    // A page with no records ends the listing even with a marker; one whose records all lacked a
    // time (not emitted) does not.
    const records = (res.body as { stack_events?: unknown } | null)?.stack_events;
    const recordCount = Array.isArray(records) ? records.length : 0;
    return { items: page.items, next: recordCount === 0 ? undefined : page.nextMarker, raw: res.body };
  }

  /** All stacks of the project (ListStacks), newest first. */
  listStacks(options: ListOptions = {}): Paginator<StackInfo> {
    return createPaginator<StackInfo, MarkerCursor>({
      provider: PROVIDER,
      operation: 'listStacks',
      scope: { p: this.projectId, e: this.endpoint },
      pageSizeLimits: PAGE_SIZE,
      options,
      tokenKey: this.tokenKey,
      validateCursor: markerCursorProblem,
      fetchPage: (cursor, pageSize, signal) => this.fetchStacksPage(cursor, pageSize, signal, 'listStacks'),
    });
  }

  /**
   * What this client can follow: the project's stacks (kind `stack`, the only kind RFS has), those
   * with an operation running first, then the rest in ListStacks order (newest created first).
   * `name` (glob or RegExp), `activeOnly` and `kinds` run locally: the whole ListStacks listing is
   * read before the first target. RFS stacks have no tags: a non-empty `tags` filter throws CONFIG.
   * Each target's `ref` (`{ name, id }`) goes straight back into `listStackEvents` / `watchStackEvents`.
   */
  discover(options: DiscoverOptions = {}): Paginator<DiscoveredTarget<StackRef>> {
    return discoverStacks(
      {
        projectId: this.projectId,
        region: this.region,
        endpoint: this.endpoint,
        tokenKey: this.tokenKey,
        pageSizeLimits: PAGE_SIZE,
        readAllStacks: async (signal) => {
          const drained = await drainPages<StackInfo, MarkerCursor>(
            (cursor) => this.fetchStacksPage(cursor, PAGE_SIZE.max, signal, 'discover'),
            { maxPages: MAX_PAGES_PER_READ, signal },
          );
          return drained.items;
        },
      },
      options,
    );
  }

  private async fetchStacksPage(
    cursor: MarkerCursor | undefined,
    pageSize: number | undefined,
    signal: AbortSignal | undefined,
    operation: string,
  ): Promise<{ items: StackInfo[]; next: MarkerCursor | undefined; raw: unknown }> {
    // RFS accepts a marker only with the parameters it was issued for: keep that page size.
    const limit = cursor ? cursor.limit : pageSize;
    const res = await this.request({
      url: buildUrl(this.endpoint, `/v1/${encodePathSegment(this.projectId)}/stacks`),
      query: { marker: cursor?.marker, limit },
      operation,
      signal,
    });
    const { ListStacksResponseSchema } = await loadSchemas();
    const body = parseWire(ListStacksResponseSchema, res.body, {
      provider: PROVIDER,
      operation,
      requestId: res.requestId,
    });
    const rawStacks = ((res.body as { stacks?: unknown[] }).stacks ?? []) as unknown[];
    const items = (body.stacks ?? []).map((s, i) => toStackInfo(s, rawStacks[i]));
    const next = body.page_info?.next_marker || undefined;
    return { items, next: items.length === 0 || !next ? undefined : markerCursor(next, limit), raw: res.body };
  }

  /**
   * The stack's deployments (one `terraform apply`, rollback or deletion each), newest first, with
   * per-resource durations and the root cause of a failure. RFS events carry no `deployment_id` and
   * no read API lists them, so the whole event listing is read (and the stack's status, which
   * speaks for the newest deployment) and split where each run opens (its stack-level LOG lines)
   * and ends (its SUMMARY line, or a failure). Ids are derived and stable across re-reads:
   * `rfs-<epoch ms of the opening>`, or `pruned-<epoch ms>` for a deployment whose opening is no
   * longer listed (its `startedAt` stays unknown). A failed deployment and its rollback are one
   * deployment, outcome `rolled-back` once the rollback completed. RFS has no nested stacks:
   * `nested` changes nothing.
   */
  listDeployments(ref: string | StackRef, options: ListDeploymentsOptions = {}): Paginator<Deployment> {
    const r = refOrThrow(ref);
    return deploymentPaginator({
      provider: PROVIDER,
      operation: 'listDeployments',
      scope: { p: this.projectId, e: this.endpoint, r },
      options,
      tokenKey: this.tokenKey,
      load: (signal) => this.loadDeployments(r, signal),
    });
  }

  /**
   * One deployment by id: an id from `listDeployments`, or an RFS `deployment_id` (a UUID, as
   * DeployStack answers it), read with ListStackEvents scoped to it: every event of that
   * deployment, `id` the deployment_id, each event's `deploymentId` set. NOT_FOUND when the stack
   * has no such deployment.
   */
  async getDeployment(
    ref: string | StackRef,
    id: string,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<Deployment> {
    const r = refOrThrow(ref);
    if (typeof id !== 'string' || id === '') {
      throw new StackfeedError({
        code: 'CONFIG',
        provider: PROVIDER,
        operation: 'getDeployment',
        message: 'a deployment id is a non-empty string',
      });
    }
    if (!UUID.test(id))
      return findDeployment(PROVIDER, (signal) => this.loadDeployments(r, signal), id, options.signal);
    const events = await this.readWholeListing(this.planEvents(r, { deploymentId: id }), undefined, options.signal);
    const stack = await this.getStack(r, options);
    return rfsScopedDeployment(events, stack, id);
  }

  /** Every deployment of the stack, oldest first: its status, then its whole event listing. */
  private async loadDeployments(r: NamedRef, signal: AbortSignal | undefined): Promise<Deployment[]> {
    const stack = await this.getStack(r, { signal });
    const events = await this.readWholeListing(this.planEvents(r, {}), undefined, signal);
    return rfsDeployments(events, stack);
  }

  /** One stack with its normalized status (GetStackMetadata). A deleted stack is NOT_FOUND. */
  async getStack(ref: string | StackRef, options: { signal?: AbortSignal | undefined } = {}): Promise<StackInfo> {
    const r = refOrThrow(ref);
    const res = await this.request({
      url: this.stackUrl(r.name, '/metadata'),
      query: { stack_id: r.id },
      operation: 'getStack',
      signal: options.signal,
    });
    const { GetStackMetadataResponseSchema } = await loadSchemas();
    const body = parseWire(GetStackMetadataResponseSchema, res.body, {
      provider: PROVIDER,
      operation: 'getStack',
      requestId: res.requestId,
    });
    return toStackInfo(body, res.body);
  }

  /**
   * Follow a stack's events until the stack reaches a terminal status (`*_COMPLETE`, `*_FAILED`),
   * or disappears (a deleted stack answers 404: the watch ends with outcome `deleted`).
   * `.result.final` is the last StackInfo seen.
   */
  watchStackEvents(ref: string | StackRef, options: RfsWatchOptions = {}): WatchStream<StackEvent, StackInfo> {
    const r = refOrThrow(ref);
    const plan = this.planEvents(r, options);
    const source = new RfsStackWatch({
      provider: PROVIDER,
      fetchPage: (marker, pageSize, signal, assigner) => this.fetchEventsPage(plan, marker, pageSize, signal, assigner),
      newAssigner: () => new EventIdAssigner(plan.scope),
      getStack: (signal) => this.getStack(r, { signal }),
      local: plan.local,
      // The same limits as every list call's (`pageSizeLimits`): within 10..1000, 1000 by default.
      pageSize: clampPageSize(options.pageSize, PAGE_SIZE),
    });
    return watchEvents<StackEvent, StackInfo>(source, options);
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

/**
 * A page far larger than asked (more than core's `maxItemsPerPage`) is INVALID_RESPONSE before
 * its records are mapped: the watch and full reads page through drainPages, which does not check.
 */
function refuseOversizedPage(res: HttpResponse, limit: number | undefined): void {
  const list = (res.body as { stack_events?: unknown } | null)?.stack_events;
  if (!Array.isArray(list) || list.length <= maxItemsPerPage(limit)) return;
  throw new StackfeedError({
    code: 'INVALID_RESPONSE',
    provider: PROVIDER,
    operation: 'listStackEvents',
    httpStatus: res.status,
    ...(res.requestId ? { requestId: res.requestId } : {}),
    fieldPath: 'stack_events',
    message: `listStackEvents: a page of ${list.length} events answered a limit of ${limit ?? 'the default'} (at most ${maxItemsPerPage(limit)} are accepted)`,
  });
}

/** The `order` option, checked (CONFIG on anything else). */
function eventOrderOrThrow(order: unknown): EventOrder {
  if (order === undefined || order === 'oldest-first' || order === 'newest-first') return order ?? 'oldest-first';
  throw new StackfeedError({
    code: 'CONFIG',
    provider: PROVIDER,
    operation: 'listStackEvents',
    message: `order must be 'oldest-first' or 'newest-first', not ${JSON.stringify(order)}`,
  });
}

const configError = (message: string) => new StackfeedError({ code: 'CONFIG', provider: PROVIDER, message });

/** The project id from the options or the environment; CONFIG when absent or not safe in a header. */
function projectIdOrThrow(options: RfsClientOptions, env: Record<string, string | undefined>): string {
  const projectId = options.projectId ?? env.HUAWEICLOUD_SDK_PROJECT_ID;
  if (!projectId || typeof projectId !== 'string') {
    throw configError('RfsClient needs a project id: pass projectId or set HUAWEICLOUD_SDK_PROJECT_ID');
  }
  // Sent as X-Project-Id (and in the URL): a CR/LF must fail here, not as a NETWORK error per attempt.
  assertHeaderSafe('x-project-id', projectId, { provider: PROVIDER, option: 'projectId' });
  return projectId;
}

/** The endpoint from the options, the env override or the region; CONFIG when it is not an http(s) URL. */
function endpointOrThrow(options: RfsClientOptions, env: Record<string, string | undefined>): string {
  const endpoint = options.endpoint ?? rfsEndpointForRegion(options.region, env);
  let parsed: URL;
  try {
    parsed = new URL(endpoint);
  } catch {
    throw configError(`endpoint ${JSON.stringify(endpoint)} is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw configError('endpoint must be http(s)');
  return endpoint.replace(/\/+$/, '');
}

/** The ref as `{ name, id? }`; CONFIG (thrown) when it names no stack. */
function refOrThrow(ref: string | StackRef): NamedRef {
  const r = typeof ref === 'string' ? { name: ref } : ref;
  if (!r || typeof r.name !== 'string' || r.name === '') {
    throw new StackfeedError({
      code: 'CONFIG',
      provider: PROVIDER,
      message: 'an RFS stack is named by its name (StackRef.name; an id alone cannot address it)',
    });
  }
  if (r.id !== undefined && (typeof r.id !== 'string' || r.id === '')) {
    throw new StackfeedError({ code: 'CONFIG', provider: PROVIDER, message: 'stack id must be a non-empty string' });
  }
  return r.id ? { name: r.name, id: r.id } : { name: r.name };
}

/** The auth hook of the options (AK/SK, token or IAM password), or of the environment. @internal */
export function makeAuth(
  options: Omit<RfsClientOptions, 'region'> & { region?: string | undefined },
  env: Record<string, string | undefined>,
  projectId: string | undefined,
): AuthHook {
  const c = options.credentials;
  const now = options.now;
  if (typeof c === 'function') {
    return new AkSkAuth(c, { projectId, now, correctClockSkew: options.correctClockSkew });
  }
  if (c && 'password' in c) {
    return new IamTokenAuth({
      password: c.password,
      iamEndpoint: options.iamEndpoint ?? iamEndpoint(env),
      projectId,
      region: options.region,
      timeoutMs: options.timeoutMs,
      totalTimeoutMs: options.totalTimeoutMs,
      maxResponseBytes: options.maxResponseBytes,
      logger: options.logger,
      tls: options.tls,
      now,
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
    { projectId, now, correctClockSkew: options.correctClockSkew },
  );
}
