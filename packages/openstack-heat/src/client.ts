import type {
  Capabilities,
  Deployment,
  DeploymentSource,
  DiscoveredTarget,
  DiscoverOptions,
  DiscoverySource,
  ListOptions,
  Paginator,
  StackEvent,
  StackEventSource,
  StackInfo,
  StackRef,
  TlsOptions,
  WatchOptions,
  WatchStream,
  EventFilterOptions,
  ListDeploymentsOptions,
} from '@stackfeed/core';
import { StackfeedError } from '@stackfeed/core';
import { type HttpResponse, createPaginator, parseWire, watchEvents } from '@stackfeed/core/adapter';
import { type ListEventsOptions, eventPaginator, needsQueryFilter } from './api/event-paginator.js';
import { type HeatEventOptions, eventQuery } from './api/filters.js';
import { HeatApi, PROVIDER } from './api/heat-api.js';
import { getDeployment, listDeployments } from './api/deployments.js';
import { discoverStacks } from './api/discover.js';
import { type HeatStackRef, assertPathSegment, isMarker, pathSegment } from './api/refs.js';
import { fetchStackPage, hasTags, tagsSafeWith } from './api/stacks.js';
import type { KeystoneSession } from './auth/keystone.js';
import type { HeatAuth } from './auth/types.js';
import { type LoadConfigOptions, loadCloudConfig } from './config/clouds.js';
import { type CanonicalStack, toStackEvent } from './mapping/event.js';
import type { HeatClientOptions } from './options.js';
import { PAGE_SIZE } from './page-size.js';
import { createWatchSource } from './watch.js';
import { loadSchemas } from './wire/load.js';

export type { HeatStackRef, HeatStackRefObject } from './api/refs.js';
export type { HeatEventOptions } from './api/filters.js';
export type { ListEventsOptions } from './api/event-paginator.js';

export type { HeatClientOptions } from './options.js';

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

interface StackCursor {
  m: string;
}

/**
 * A client for OpenStack Heat (orchestration v1): stack events (list, per resource, show),
 * stacks (list, get) and a live watch. Build it from options, from `clouds.yaml` / `OS_CLOUD`,
 * or from `OS_*` variables (`HeatClient.fromConfig()`).
 */
export class HeatClient
  implements StackEventSource<HeatStackRef>, DiscoverySource<StackRef>, DeploymentSource<HeatStackRef>
{
  /** Always `openstack-heat`. */
  readonly provider = PROVIDER;
  /**
   * Which filters Heat applies itself and how it pages. `phase` runs on Heat (as the status part
   * of `resource_status`) unless it names a phase Heat has no status for, or its intersection
   * with `resourceStatus` is empty; then it is checked here.
   */
  readonly capabilities: Capabilities = {
    provider: PROVIDER,
    filters: { since: 'local', resourceName: 'server', resourceType: 'server', phase: 'server' },
    pageSize: { ...PAGE_SIZE },
    eventOrder: 'oldest-first',
    nativeOrder: 'newest-first',
    nestedStacks: true,
    eventIds: 'provider',
  };
  private readonly api: HeatApi;

  constructor(opts: HeatClientOptions) {
    this.api = new HeatApi(opts);
  }

  /** The Keystone session (token cache, catalog). */
  get session(): KeystoneSession {
    return this.api.session;
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

  /** One stack (`GET /stacks/{name}/{id}`; a name or id alone is looked up first). */
  getStack(ref: HeatStackRef, options: { signal?: AbortSignal | undefined } = {}): Promise<StackInfo> {
    return this.api.getStack(ref, options.signal);
  }

  /** Stacks of the project (all projects for an admin), newest first unless sorted. */
  listStacks(options: ListStacksOptions = {}): Paginator<StackInfo> {
    const query: Record<string, unknown> = {
      status: options.status,
      action: options.action,
      name: options.name,
      show_nested: options.showNested,
      show_deleted: options.showDeleted,
      sort_keys: options.sortKeys,
      sort_dir: options.sortDir,
      tags: options.tags?.join(','),
    };
    // Beside a single-valued filter Heat answers `tags` with a 500: then they are checked here.
    const tags = options.tags ?? [];
    const local = tags.length > 0 && !tagsSafeWith(query, tags);
    if (local) query.tags = undefined;
    return createPaginator<StackInfo, StackCursor>({
      provider: PROVIDER,
      operation: 'listStacks',
      scope: query,
      options,
      pageSizeLimits: { min: 1, max: 100_000 },
      tokenKey: this.api.tokenKey,
      filter: local ? (info) => hasTags(info, tags) : undefined,
      validateCursor: (c) => (isMarker((c as StackCursor | null)?.m) ? undefined : 'its marker is not a stack id'),
      onWarning: (m) => this.api.warn('listStacks', m),
      fetchPage: async (cursor, pageSize, signal) => {
        const page = await fetchStackPage(this.api, query, pageSize, cursor?.m, 'listStacks', signal);
        return { items: page.items, next: page.next ? { m: page.next } : undefined, raw: page.raw };
      },
    });
  }

  /**
   * What this client can follow: the project's stacks (all projects for an admin) with nested
   * stacks (`parent` set), in-progress ones first, as a Paginator of targets whose `ref` goes
   * straight back into `listStackEvents` / `watchStackEvents`. Only kind `stack`. Heat tags are
   * strings: a `tags` filter `{ env: 'prod' }` asks for the Heat tag `env=prod`, `{ blue: '' }`
   * for the tag `blue` (and a target's `tags` read them back the same way).
   */
  discover(options: DiscoverOptions = {}): Paginator<DiscoveredTarget<StackRef>> {
    return discoverStacks(this.api, options, { min: 1, max: 100_000 });
  }

  /**
   * The stack's deployments (operations: create, update, delete, …), newest first, from its events
   * and its nested stacks' (`nested: false` for its own only). A deployment's `id` is the Heat id
   * of the stack-level `*_IN_PROGRESS` event that opened it (stable across re-reads); a rollback
   * belongs to the operation it rolls back (`outcome: 'rolled-back'`); `rootCause` is the earliest
   * FAILED resource event, nested stacks included. A deployment whose opening event Heat pruned
   * has `startedAt` undefined. Reads the whole history once per pass.
   */
  listDeployments(ref: HeatStackRef, options: ListDeploymentsOptions = {}): Paginator<Deployment> {
    return listDeployments(this.api, ref, options);
  }

  /** One deployment by its `id` (from `listDeployments` or an event's `deploymentId`); NOT_FOUND when absent. */
  getDeployment(
    ref: HeatStackRef,
    id: string,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<Deployment> {
    return getDeployment(this.api, ref, id, options.signal);
  }

  /**
   * Events of a stack, oldest first by default (`order: 'newest-first'` costs the same on Heat).
   * Paged with Heat's `marker` (the last event id) and `limit`; a marker Heat silently ignores
   * (a pruned event) is noticed and already-seen events are not handed out twice. Every
   * combination of filters is an intersection: `resourceName`, `resourceType`, `phase` run on
   * Heat where its query can say it exactly, the rest (and `since`) here. Read oldest first with
   * no resource filter (`since` and `nestedDepth` allowed), each event carries `deploymentId`: the
   * id of the deployment it belongs to in `listDeployments` (absent for the events of a deployment
   * whose start Heat pruned, and on newest-first or resource-filtered listings, which cannot tell).
   */
  listStackEvents(ref: HeatStackRef, options: ListEventsOptions = {}): Paginator<StackEvent> {
    return eventPaginator(this.api, 'listStackEvents', ref, undefined, options, this.pageSizeLimits());
  }

  /**
   * Events of one resource of a stack. Heat answers 404 "No events found for resource" when
   * nothing matches (also for an unknown resource name); that is an empty list here.
   */
  listResourceEvents(ref: HeatStackRef, resourceName: string, options: ListEventsOptions = {}): Paginator<StackEvent> {
    assertPathSegment(resourceName);
    return eventPaginator(this.api, 'listResourceEvents', ref, resourceName, options, this.pageSizeLimits());
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
    const { signal } = options;
    const stack = await this.api.resolveStack(ref, signal);
    const base = await this.api.endpoint(signal);
    const url = `${base}/stacks/${pathSegment(stack.name)}/${pathSegment(stack.id)}/resources/${pathSegment(resourceName)}/events/${pathSegment(eventId)}`;
    let res: HttpResponse;
    try {
      res = await this.api.get(url, {}, 'getEvent', signal);
    } catch (err) {
      if (!StackfeedError.is(err, 'NOT_FOUND') || !needsQueryFilter(resourceName)) throw err;
      const found = await this.findInStackList(stack, resourceName, eventId, signal);
      if (!found) throw err;
      return found;
    }
    const { EventShowSchema, EventShowWire } = await loadSchemas();
    const body = parseWire(EventShowSchema, res.body, this.api.ctx('getEvent', res));
    const wire = parseWire(EventShowWire, res.body, this.api.ctx('getEvent', res)).event;
    return toStackEvent(wire, body.event, stack);
  }

  /**
   * A non-ASCII resource name's event, from the stack's list filtered by `resource_name` (Heat's
   * path for it answers 404). The list has no `resource_type` / `resource_properties`.
   */
  private async findInStackList(
    stack: CanonicalStack,
    resourceName: string,
    eventId: string,
    signal: AbortSignal | undefined,
  ): Promise<StackEvent | undefined> {
    const pages = eventPaginator(this.api, 'getEvent', stack, resourceName, { signal }, this.pageSizeLimits());
    for await (const ev of pages) if (ev.id === eventId) return ev;
    return undefined;
  }

  /**
   * Follow a stack like `openstack stack event list --follow`, but ending: yields each event once,
   * oldest first, until the stack reaches a terminal state (then one final drain). Survives Heat
   * pruning old events, ignored markers, nested stacks (`nestedDepth`). `result.final` is the
   * stack at the end.
   */
  watchStackEvents(ref: HeatStackRef, options: WatchStackEventsOptions = {}): WatchStream<StackEvent, StackInfo> {
    const { query, local } = eventQuery(options);
    const source = createWatchSource({
      api: this.api,
      ref,
      query,
      pageSize: options.pageSize ?? PAGE_SIZE.default,
      localFilter: local,
      untilAction: options.untilAction,
    });
    return watchEvents(source, options);
  }

  private pageSizeLimits() {
    return this.capabilities.pageSize ?? { min: 1, max: 100_000 };
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
