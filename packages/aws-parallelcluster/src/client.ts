import {
  type Capabilities,
  type ClientOptions,
  type Deployment,
  type DeploymentSource,
  type DiscoverOptions,
  type DiscoveredTarget,
  type DiscoverySource,
  type EventFilterOptions,
  type EventOrder,
  type EventOrderOption,
  type ImageInfo,
  type ImageSource,
  type ListDeploymentsOptions,
  type ListOptions,
  type Paginator,
  type StackEvent,
  type StackEventSource,
  StackfeedError,
  type WatchOptions,
  type WatchOutcome,
  type WatchStream,
} from '@stackfeed/core';
import {
  type TerminalCheck,
  type TokenKey,
  applyEventFilters,
  createPaginator,
  createTokenKey,
  deploymentPaginator,
  deploymentSummary,
  findDeployment,
  groupDeployments,
  stackOperationMark,
  StatusChecks,
  FreshEvents,
  statusTable,
  watchEvents,
} from '@stackfeed/core/adapter';
import { type ApiModeOptions, ApiBackend } from './api/backend.js';
import type { Backend, PollState, StackTarget } from './backend.js';
import type { DirectModeOptions } from './direct/options.js';
import { discoverPlan, discoverTargets } from './discovery/discover.js';
import { configError } from './errors.js';
import { imageBuildTerminal } from './mapping/images.js';
import { isStackInProgress, stackStateTable } from './mapping/tables.js';
import {
  type ClusterInfo,
  IMAGE_STATUS_FILTERS,
  type ImageStatusFilter,
  type LogEventInfo,
  type LogStreamInfo,
  type ParallelClusterRef,
  type ParallelClusterStackRef,
} from './types.js';

const PROVIDER = 'aws-parallelcluster' as const;
/**
 * `imageId` and `clusterName` as the OpenAPI spec's path parameters (and BuildImage/CreateCluster
 * bodies) allow them: `pattern: ^[a-zA-Z][a-zA-Z0-9-]+$`. The spec sets no maximum length; the
 * image or cluster IS a CloudFormation stack of that name, and stack names stop at 128 characters,
 * so a longer name cannot exist either.
 */
const NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9-]+$/;
const NAME_MAX = 128;
/** Polls a successful build waits for its AMI to be tagged before it reports without one. */
const AMI_WAIT_POLLS = 10;
/** Default of {@link WatchImageBuildOptions.notFoundGracePolls}. */
const NOT_FOUND_GRACE_POLLS = 6;
/**
 * ListImages (PENDING/FAILED) and ListClusters filter one CloudFormation DescribeStacks page per
 * call (pcluster filters that one page in memory): in an account with thousands of stacks, long runs of empty pages are normal. Each
 * token is new (the repeated-token guard still stops a loop), so the empty-page guard is set high.
 */
const EMPTY_PAGES_ALLOWED = 10_000;

/** Options both modes share: core's `tokenKey` (the key continuation tokens are signed with). */
export type CommonClientOptions = Pick<ClientOptions, 'tokenKey'>;

/** Options of `new ParallelClusterClient(...)`: API mode (default) or direct mode. */
export type ParallelClusterClientOptions =
  | ({ mode?: 'api' } & ApiModeOptions & CommonClientOptions)
  | ({ mode: 'direct' } & DirectModeOptions & CommonClientOptions);

/** A cursor that is a provider's own token: a non-empty string. */
const tokenString = (cursor: unknown) =>
  typeof cursor === 'string' && cursor.length > 0 ? undefined : 'the cursor is not a provider token';

/** The stack name in a CloudFormation stack ARN (`…:stack/<name>/<uuid>`). */
const stackNameOfArn = (arn: unknown) => (typeof arn === 'string' ? /:stack\/([^/]+)\//.exec(arn)?.[1] : undefined);

/**
 * A direct-mode events cursor must stay on the call's own stack: its root named as asked, every
 * stack it will read that stack or one of its nested stacks (CloudFormation names those
 * `<root>-<logicalId>-<suffix>`). API mode's cursor is the server's own token.
 */
function eventsCursorCheck(target: StackTarget): (cursor: unknown) => string | undefined {
  return (cursor) => {
    if (typeof cursor === 'string') return tokenString(cursor);
    const at = cursor as {
      pending?: unknown;
      done?: unknown;
      root?: { id?: unknown; name?: unknown };
      token?: unknown;
    };
    if (!at || typeof at !== 'object' || !Array.isArray(at.pending) || !Array.isArray(at.done) || !at.root)
      return 'the cursor is not an events cursor';
    if (at.token !== undefined && typeof at.token !== 'string') return 'the cursor token is not a string';
    if (at.root.name !== target.name || stackNameOfArn(at.root.id) !== target.name)
      return `the cursor names another stack than ${JSON.stringify(target.name)}`;
    for (const id of [...at.pending, ...at.done]) {
      const name = stackNameOfArn(id);
      if (name !== target.name && !name?.startsWith(`${target.name}-`))
        return `the cursor names another stack than ${JSON.stringify(target.name)}`;
    }
    return undefined;
  };
}

/** Options of `listImages`. */
export interface ListImagesOptions extends ListOptions {
  /** ListImages `imageStatus`. Default: all three (AVAILABLE, then PENDING, then FAILED). */
  status?: ImageStatusFilter | readonly ImageStatusFilter[] | undefined;
}

/** Options of `listClusters`. */
export interface ListClustersOptions extends ListOptions {
  /** ListClusters `clusterStatus` (repeated query key in API mode). */
  status?: string | readonly string[] | undefined;
}

/** Options of `watchImageBuild` and `watchClusterStackEvents`. */
export interface WatchImageBuildOptions extends WatchOptions, EventFilterOptions {
  /**
   * Polls in a row on which an image (a cluster) that was never seen may be not found (NOT_FOUND)
   * before the watch gives up with a StackfeedError NOT_FOUND (default 6: 30 s at the default 5 s
   * interval). A build or cluster that was just requested can be invisible for a moment (eventual
   * consistency); one that was seen (described, or with stack events) and then disappears ends the
   * watch at once with outcome `deleted`.
   */
  notFoundGracePolls?: number | undefined;
}

/** Options of `watchClusterStackEvents` (the same grace for a cluster not found yet). */
export type WatchClusterOptions = WatchImageBuildOptions;

/**
 * "Not found" during a watch: `deleted` once the target was seen, "not yet" for `grace` polls
 * before that, then a NOT_FOUND error (a target that never existed is not a deletion).
 */
function notFoundGrace(operation: string, what: string, graceOption: number | undefined) {
  const grace = graceOption ?? NOT_FOUND_GRACE_POLLS;
  if (!Number.isInteger(grace) || grace < 0)
    throw configError(`notFoundGracePolls must be a whole number >= 0, not ${String(grace)}`);
  let seen = false;
  let misses = 0;
  return {
    saw(): void {
      seen = true;
    },
    notFound<R>(err: StackfeedError): TerminalCheck<R> {
      if (seen) return { terminal: true, outcome: 'deleted', status: 'NOT_FOUND' };
      misses++;
      if (misses <= grace) return { terminal: false };
      throw new StackfeedError({
        code: 'NOT_FOUND',
        provider: PROVIDER,
        operation,
        retryable: false,
        ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}),
        ...(err.requestId !== undefined ? { requestId: err.requestId } : {}),
        ...(err.providerCode !== undefined ? { providerCode: err.providerCode } : {}),
        cause: err,
        message: `${operation}: ${what} was not found in ${misses} polls (notFoundGracePolls ${grace}): it does not exist, or it was never requested`,
      });
    },
  };
}

/** Options of the stack event lists. */
export interface ListStackEventsOptions extends ListOptions, EventFilterOptions, EventOrderOption {
  /**
   * `oldest-first` (default, as on every provider) or `newest-first`, CloudFormation's own order and
   * the cheap one: oldest first reads the listing to its end (every page, nested stacks included in
   * direct mode), then yields it in reverse; `maxItems` / `toArray({ limit })` take the first N in
   * the chosen order.
   */
  order?: EventOrder | undefined;
}

/** Events a stack listing read for `oldest-first` may hold before the list refuses (memory bound). */
const OLDEST_FIRST_MAX_PAGES = 10_000;

/** How a watched image build ended, by its final state (anything else: failed). */
const imageOutcomeTable = statusTable<WatchOutcome>(
  {
    AVAILABLE: 'succeeded',
    DEPRECATED: 'succeeded',
    DISABLED: 'succeeded',
    DELETED: 'deleted',
    CANCELLED: 'cancelled',
  },
  'failed',
);
/** How a watched cluster stack ended, by its settled state (anything else: failed). */
const stackOutcomeTable = statusTable<WatchOutcome>({ COMPLETE: 'succeeded', DELETED: 'deleted' }, 'failed');

/** Options of `listImageLogEvents`. */
export interface ListLogEventsOptions extends ListOptions {
  /** Only events at or after this time. */
  startTime?: Date | undefined;
  /** Only events before this time. */
  endTime?: Date | undefined;
}

const CAPABILITIES = (nested: boolean): Capabilities => ({
  provider: PROVIDER,
  filters: { since: 'local', resourceName: 'local', resourceType: 'local', phase: 'local' },
  pageSize: null,
  eventOrder: 'oldest-first',
  nativeOrder: 'newest-first',
  nestedStacks: nested,
  eventIds: 'provider',
});

/**
 * A name the API would refuse (or that could not address anything) is the caller's mistake: a
 * StackfeedError CONFIG before any request, not a 400 from the service after one.
 */
function checkName(kind: 'imageId' | 'clusterName', name: unknown, operation: string): void {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name) || name.length > NAME_MAX) {
    const shown =
      typeof name === 'string' ? JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name) : typeof name;
    throw new StackfeedError({
      code: 'CONFIG',
      provider: PROVIDER,
      operation,
      retryable: false,
      message: `${operation}: ${kind} ${shown} is not valid: ParallelCluster ${kind === 'imageId' ? 'image ids' : 'cluster names'} match ^[a-zA-Z][a-zA-Z0-9-]+$ (at most ${NAME_MAX} characters)`,
    });
  }
}

/** The ref's stack, its name checked as the API would (CONFIG before any request). */
function checkedTarget(ref: ParallelClusterRef, operation: string): StackTarget {
  const target = targetOf(ref);
  checkName(target.kind === 'image' ? 'imageId' : 'clusterName', target.name, operation);
  return target;
}

const REF_SHAPE =
  "a ParallelCluster stack reference is { kind: 'image' | 'cluster', name } (or the deprecated { imageId } / { clusterName })";

/** The stack a ref names; throws CONFIG for anything that is not a ref (never a request). */
function targetOf(ref: ParallelClusterRef): StackTarget {
  if (!ref || typeof ref !== 'object') throw configError(REF_SHAPE);
  if ('kind' in ref) {
    if (ref.kind !== 'image' && ref.kind !== 'cluster')
      throw configError(`${REF_SHAPE}; kind ${JSON.stringify(ref.kind)} is neither`);
    if (typeof ref.name !== 'string') throw configError(`${REF_SHAPE}; name is missing`);
    return { kind: ref.kind, name: ref.name };
  }
  // The deprecated shapes.
  if ('imageId' in ref && typeof ref.imageId === 'string') return { kind: 'image', name: ref.imageId };
  if ('clusterName' in ref && typeof ref.clusterName === 'string') return { kind: 'cluster', name: ref.clusterName };
  throw configError(REF_SHAPE);
}

/**
 * Reads ParallelCluster images, clusters, their CloudFormation stack events and image build logs.
 *
 * - **API mode** (default): `new ParallelClusterClient({ endpoint, region?, credentials? })` calls a
 *   deployed ParallelCluster API, signed with SigV4 (`execute-api`).
 * - **Direct mode**: `new ParallelClusterClient({ mode: 'direct', region?, credentials? })` follows
 *   pcluster's own recipes with the AWS SDK v3 clients (CloudFormation, EC2, Image Builder,
 *   CloudWatch Logs), imported only when first used. It also reads the events of an image stack
 *   that was deleted after a successful build, includes a cluster's nested stacks, and keeps the
 *   fields the API drops (hook status, DetailedStatus, OperationId) in `event.details`.
 */
export class ParallelClusterClient
  implements
    StackEventSource<ParallelClusterRef>,
    ImageSource,
    DiscoverySource<ParallelClusterStackRef>,
    DeploymentSource<ParallelClusterRef>
{
  /** Always `aws-parallelcluster`. */
  readonly provider = PROVIDER;
  /** `api` or `direct`. */
  readonly mode: 'api' | 'direct';
  /** Where each filter runs, page sizes, event order, nested stacks. */
  readonly capabilities: Capabilities;
  private backendPromise: Promise<Backend> | undefined;
  private readonly directOptions: DirectModeOptions | undefined;
  /** One key for every token this client hands out. */
  private readonly tokenKey: TokenKey;

  constructor(options: ParallelClusterClientOptions) {
    if (!options || typeof options !== 'object') throw configError('ParallelClusterClient needs options');
    if (options.mode === 'direct') {
      this.mode = 'direct';
      this.directOptions = options;
    } else {
      if (options.mode !== undefined && options.mode !== 'api')
        throw configError(`mode must be 'api' or 'direct', not ${JSON.stringify(options.mode)}`);
      this.mode = 'api';
      this.backendPromise = Promise.resolve(new ApiBackend(options as ApiModeOptions));
    }
    this.capabilities = CAPABILITIES(this.mode === 'direct');
    this.tokenKey = createTokenKey(options.tokenKey);
  }

  /** The mode's backend; direct mode's (and with it the AWS SDK) is imported on first use. */
  private backend(): Promise<Backend> {
    this.backendPromise ??= import('./direct/backend.js').then((m) => new m.DirectBackend(this.directOptions ?? {}));
    return this.backendPromise;
  }

  /**
   * Load now what the first call would load: in direct mode the four AWS SDK clients (imported
   * lazily otherwise), so a latency-sensitive service can pay that cost at start-up. No request is sent.
   */
  async preload(): Promise<void> {
    const b = await this.backend();
    await b.preload?.();
  }

  /**
   * The images and clusters of the region (kinds `image`, `cluster`), in-progress first, then images
   * before clusters in their listings' order. Each target's `ref` goes back to `listStackEvents` /
   * `watchStackEvents`.
   *
   * - `activeOnly` is pushed to the server: ListImages `imageStatus=PENDING,FAILED` (no AVAILABLE
   *   AMIs) and ListClusters `clusterStatus=CREATE_IN_PROGRESS,UPDATE_IN_PROGRESS,DELETE_IN_PROGRESS,CREATE_FAILED`
   *   (CREATE_FAILED and FAILED hold the stacks still rolling back); the rest is checked locally.
   * - `name` (glob or RegExp) is matched locally against the image id / cluster name.
   * - `tags`: direct mode's listings carry them (no extra request); in API mode the listings have
   *   none, so each candidate left after the name filter costs one DescribeImage / DescribeCluster.
   *   Targets carry `tags` only where they were read.
   *
   * The listings are read whole on the first page (in-progress first needs them all); later pages
   * and continuation tokens cut that read by offset.
   */
  discover(options: DiscoverOptions = {}): Paginator<DiscoveredTarget<ParallelClusterStackRef>> {
    const plan = discoverPlan(options);
    let listing: Promise<DiscoveredTarget<ParallelClusterStackRef>[]> | undefined;
    return createPaginator<DiscoveredTarget<ParallelClusterStackRef>, number>({
      provider: PROVIDER,
      operation: 'discover',
      scope: { mode: this.mode, plan: plan.scope },
      tokenKey: this.tokenKey,
      options,
      pageSizeLimits: { min: 1, max: 1000, default: 100 },
      validateCursor: (offset) =>
        Number.isInteger(offset) && (offset as number) > 0 ? undefined : 'the cursor is not an offset',
      fetchPage: async (offset, size, signal) => {
        listing ??= this.backend().then((b) => discoverTargets(b, plan, options, signal));
        const read = listing;
        // A failed read is not kept: iterating again reads again.
        read.catch(() => {
          if (listing === read) listing = undefined;
        });
        const targets = await read;
        const start = offset ?? 0;
        const end = start + (size ?? 100);
        return { items: targets.slice(start, end), next: end < targets.length ? end : undefined };
      },
    });
  }

  /** ListImages, by `imageStatus` (default: AVAILABLE, PENDING and FAILED, in that order). Pages may be empty (each is one filtered DescribeStacks page). */
  listImages(options: ListImagesOptions = {}): Paginator<ImageInfo> {
    const statuses: ImageStatusFilter[] =
      options.status === undefined
        ? [...IMAGE_STATUS_FILTERS]
        : typeof options.status === 'string'
          ? [options.status]
          : [...options.status];
    if (statuses.length === 0) throw configError('listImages: status needs at least one of AVAILABLE, PENDING, FAILED');
    for (const s of statuses)
      if (!IMAGE_STATUS_FILTERS.includes(s))
        throw configError(`image status ${JSON.stringify(s)} is not one of ${IMAGE_STATUS_FILTERS.join(', ')}`);
    type C = { s: number; t?: string };
    return createPaginator<ImageInfo, C>({
      provider: PROVIDER,
      operation: 'listImages',
      scope: { mode: this.mode, statuses },
      tokenKey: this.tokenKey,
      validateCursor: (cursor) => {
        const c = cursor as C;
        if (!c || !Number.isInteger(c.s) || c.s < 0 || c.s >= statuses.length) return 'the cursor names no status';
        return c.t === undefined ? undefined : tokenString(c.t);
      },
      options,
      maxEmptyPages: EMPTY_PAGES_ALLOWED,
      fetchPage: async (cursor, _size, signal) => {
        const idx = cursor?.s ?? 0;
        const b = await this.backend();
        const page = await b.listImagesPage(statuses[idx] as ImageStatusFilter, cursor?.t, signal);
        let next: C | undefined;
        if (page.next !== undefined) next = { s: idx, t: page.next };
        else if (idx + 1 < statuses.length) next = { s: idx + 1 };
        return { items: page.items, next, raw: page.raw };
      },
    });
  }

  /**
   * One image (ParallelCluster DescribeImage): AMI info, stack info, Image Builder status, build logs
   * ARN, version, tags. NOT_FOUND when there is neither an AMI nor a build stack by that id.
   */
  getImage(imageId: string, options: { signal?: AbortSignal | undefined } = {}): Promise<ImageInfo> {
    return this.readImage(imageId, options, 'getImage');
  }

  /**
   * The former name of {@link ParallelClusterClient.getImage}.
   * @deprecated Use `getImage` (the same call); kept for one release.
   */
  describeImage(imageId: string, options: { signal?: AbortSignal | undefined } = {}): Promise<ImageInfo> {
    return this.readImage(imageId, options, 'describeImage');
  }

  private async readImage(imageId: string, options: { signal?: AbortSignal | undefined }, operation: string) {
    checkName('imageId', imageId, operation);
    return (await this.backend()).describeImage(imageId, options.signal);
  }

  /** The stack events of an image build, oldest first (see `order`). Direct mode also reads a deleted stack's events. */
  listImageStackEvents(imageId: string, options: ListStackEventsOptions = {}): Paginator<StackEvent> {
    checkName('imageId', imageId, 'listImageStackEvents');
    return this.events({ kind: 'image', name: imageId }, options);
  }

  /** The stack events of a cluster, oldest first (see `order`); direct mode includes its nested stacks. */
  listClusterStackEvents(clusterName: string, options: ListStackEventsOptions = {}): Paginator<StackEvent> {
    checkName('clusterName', clusterName, 'listClusterStackEvents');
    return this.events({ kind: 'cluster', name: clusterName }, options);
  }

  /** `StackEventSource`: the events of `{ kind: 'image' | 'cluster', name }` (see the two calls above). */
  listStackEvents(ref: ParallelClusterRef, options: ListStackEventsOptions = {}): Paginator<StackEvent> {
    const t = targetOf(ref);
    return t.kind === 'image'
      ? this.listImageStackEvents(t.name, options)
      : this.listClusterStackEvents(t.name, options);
  }

  private events(target: StackTarget, options: ListStackEventsOptions): Paginator<StackEvent> {
    const order = options.order ?? 'oldest-first';
    if (order !== 'oldest-first' && order !== 'newest-first')
      throw configError(`order must be 'oldest-first' or 'newest-first', not ${JSON.stringify(order)}`);
    const operation = target.kind === 'image' ? 'listImageStackEvents' : 'listClusterStackEvents';
    const common = {
      provider: PROVIDER,
      operation,
      options,
      filter: applyEventFilters(options),
      tokenKey: this.tokenKey,
    } as const;
    if (order === 'newest-first')
      return createPaginator<StackEvent, unknown>({
        ...common,
        scope: { mode: this.mode, target, order },
        validateCursor: eventsCursorCheck(target),
        fetchPage: async (cursor, _size, signal) => {
          const page = await (await this.backend()).stackEventsPage(target, cursor, signal);
          return { items: page.items, next: page.next, raw: page.raw };
        },
      });
    // One read of the whole listing per pass; pages are then cut from it by offset (new events
    // only ever come last, so an offset stays valid across a resumed token).
    let listing: Promise<{ events: StackEvent[]; nativePageSize: number }> | undefined;
    return createPaginator<StackEvent, number>({
      ...common,
      scope: { mode: this.mode, target, order },
      pageSizeLimits: { min: 1, max: 1000 },
      validateCursor: (offset) =>
        Number.isInteger(offset) && (offset as number) > 0 ? undefined : 'the cursor is not an offset',
      fetchPage: async (offset, size, signal) => {
        listing ??= this.oldestFirst(target, operation, signal);
        const { events, nativePageSize } = await listing;
        const start = offset ?? 0;
        // Without a pageSize, pages are as large as the provider's own.
        const end = start + (options.pageSize === undefined ? nativePageSize : (size ?? nativePageSize));
        return { items: events.slice(start, end), next: end < events.length ? end : undefined };
      },
    });
  }

  /** The whole listing, oldest first (CloudFormation lists newest first; nested stacks interleave by time). */
  private async oldestFirst(target: StackTarget, operation: string, signal: AbortSignal | undefined) {
    const backend = await this.backend();
    const all: StackEvent[] = [];
    const seen = new Set<string>();
    let nativePageSize = 1;
    let cursor: unknown;
    for (let pages = 0; ; pages++) {
      if (pages >= OLDEST_FIRST_MAX_PAGES)
        throw new StackfeedError({
          code: 'INVALID_RESPONSE',
          provider: PROVIDER,
          operation,
          retryable: false,
          message: `${operation}: the listing has more than ${OLDEST_FIRST_MAX_PAGES} pages; read it with order: 'newest-first'`,
        });
      const page = await backend.stackEventsPage(target, cursor, signal);
      for (const ev of page.items) all.push(ev);
      nativePageSize = Math.max(nativePageSize, page.items.length);
      if (page.next === undefined) break;
      const key = JSON.stringify(page.next);
      if (seen.has(key)) break;
      seen.add(key);
      cursor = page.next;
    }
    all.reverse();
    // Stable: events of one stack keep the reversed listing's order on equal timestamps.
    all.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
    return { events: all, nativePageSize };
  }

  /**
   * The deployments (create, update, delete, and the rollback of a failed one) of an image or cluster
   * stack, newest first, from its whole event listing. An event's ClientRequestToken is its
   * `deploymentId` (CloudFormation gives every event of one operation, its automatic rollback
   * included, the token of the call); operations without one are told apart by their stack-level
   * events (`<action>-<epoch ms>`).
   *
   * Direct mode searches the nested stacks too (`nested: false` leaves their events out of resources
   * and root cause; they are still read): `rootCause` is the nested resource that failed first, not
   * the parent's `Embedded stack … was not successfully created`. API mode has the root stack's
   * events only, so its `rootCause` is the root's earliest failed resource, which for a nested stack
   * is that summary (naming the nested resources). A stack that does not exist is NOT_FOUND.
   */
  listDeployments(ref: ParallelClusterRef, options: ListDeploymentsOptions = {}): Paginator<Deployment> {
    const target = checkedTarget(ref, 'listDeployments');
    const nested = options.nested ?? true;
    if (typeof nested !== 'boolean') throw configError('listDeployments: nested must be a boolean');
    return deploymentPaginator({
      provider: PROVIDER,
      operation: 'listDeployments',
      scope: { mode: this.mode, target, nested },
      options,
      tokenKey: this.tokenKey,
      load: (signal) => this.deployments(target, nested, signal),
    });
  }

  /** One deployment of an image or cluster stack by its `id` (see `listDeployments`); NOT_FOUND when it has none by that id. */
  async getDeployment(
    ref: ParallelClusterRef,
    id: string,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<Deployment> {
    const target = checkedTarget(ref, 'getDeployment');
    if (typeof id !== 'string' || id === '') throw configError('getDeployment: id must be a non-empty string');
    return findDeployment(PROVIDER, (signal) => this.deployments(target, true, signal), id, options.signal);
  }

  private async deployments(target: StackTarget, nested: boolean, signal: AbortSignal | undefined) {
    const operation = target.kind === 'image' ? 'listImageStackEvents' : 'listClusterStackEvents';
    const { events } = await this.oldestFirst(target, operation, signal);
    // Nested stacks' events name their root; the root's own do not.
    const own = nested ? events : events.filter((e) => e.stack.rootId === undefined);
    const id = events.find((e) => e.stack.rootId === undefined)?.stack.id;
    return groupDeployments(own, { provider: PROVIDER, stack: { name: target.name, id } });
  }

  /** ListImageLogStreams: the CloudWatch streams of an image build (`<version>/<build>`). */
  listImageLogStreams(imageId: string, options: ListOptions = {}): Paginator<LogStreamInfo> {
    checkName('imageId', imageId, 'listImageLogStreams');
    return createPaginator<LogStreamInfo, string>({
      provider: PROVIDER,
      operation: 'listImageLogStreams',
      tokenKey: this.tokenKey,
      validateCursor: tokenString,
      scope: { mode: this.mode, imageId },
      options,
      fetchPage: async (cursor, _size, signal) => (await this.backend()).logStreamsPage(imageId, cursor, signal),
    });
  }

  /** GetImageLogEvents, oldest first; stops when CloudWatch hands back the token it was given. */
  listImageLogEvents(
    imageId: string,
    logStreamName: string,
    options: ListLogEventsOptions = {},
  ): Paginator<LogEventInfo> {
    checkName('imageId', imageId, 'listImageLogEvents');
    if (typeof logStreamName !== 'string' || logStreamName === '') throw configError('logStreamName is required');
    if (options.startTime && options.endTime && options.startTime >= options.endTime)
      throw configError('startTime must be earlier than endTime');
    return createPaginator<LogEventInfo, string>({
      provider: PROVIDER,
      operation: 'listImageLogEvents',
      tokenKey: this.tokenKey,
      validateCursor: tokenString,
      scope: {
        mode: this.mode,
        imageId,
        logStreamName,
        s: options.startTime?.getTime(),
        e: options.endTime?.getTime(),
      },
      options,
      pageSizeLimits: { min: 1, max: 10_000 },
      fetchPage: async (cursor, size, signal) =>
        (await this.backend()).logEventsPage(
          imageId,
          logStreamName,
          cursor,
          { limit: size, startTime: options.startTime, endTime: options.endTime },
          signal,
        ),
    });
  }

  /** ListClusters (optionally by `clusterStatus`). Pages may be empty (each is one filtered DescribeStacks page). */
  listClusters(options: ListClustersOptions = {}): Paginator<ClusterInfo> {
    const statuses =
      options.status === undefined
        ? undefined
        : typeof options.status === 'string'
          ? [options.status]
          : [...options.status];
    return createPaginator<ClusterInfo, string>({
      provider: PROVIDER,
      operation: 'listClusters',
      tokenKey: this.tokenKey,
      validateCursor: tokenString,
      scope: { mode: this.mode, statuses },
      options,
      maxEmptyPages: EMPTY_PAGES_ALLOWED,
      fetchPage: async (cursor, _size, signal) => (await this.backend()).listClustersPage(statuses, cursor, signal),
    });
  }

  /** One cluster (ParallelCluster DescribeCluster). NOT_FOUND when there is no such cluster. */
  getCluster(clusterName: string, options: { signal?: AbortSignal | undefined } = {}): Promise<ClusterInfo> {
    return this.readCluster(clusterName, options, 'getCluster');
  }

  /**
   * The former name of {@link ParallelClusterClient.getCluster}.
   * @deprecated Use `getCluster` (the same call); kept for one release.
   */
  describeCluster(clusterName: string, options: { signal?: AbortSignal | undefined } = {}): Promise<ClusterInfo> {
    return this.readCluster(clusterName, options, 'describeCluster');
  }

  private async readCluster(clusterName: string, options: { signal?: AbortSignal | undefined }, operation: string) {
    checkName('clusterName', clusterName, operation);
    return (await this.backend()).describeCluster(clusterName, options.signal);
  }

  /**
   * Tail an image build's stack events until the build completes or fails; `stream.result.final`
   * is the final `ImageInfo`. After a successful build pcluster deletes the stack: API mode then
   * reads no more events, direct mode keeps reading the deleted stack by its id.
   *
   * An image that is not found before it was ever seen (the build was just requested; DescribeImage
   * and DescribeStacks are eventually consistent) is "not yet" for
   * {@link WatchImageBuildOptions.notFoundGracePolls} polls; after that the watch fails with a
   * StackfeedError NOT_FOUND. Only an image that was seen and then disappears ends the watch with
   * outcome `deleted`.
   */
  watchImageBuild(imageId: string, options: WatchImageBuildOptions = {}): WatchStream<StackEvent, ImageInfo> {
    checkName('imageId', imageId, 'watchImageBuild');
    const found = notFoundGrace('watchImageBuild', `image ${JSON.stringify(imageId)}`, options.notFoundGracePolls);
    const target: StackTarget = { kind: 'image', name: imageId };
    // The stack reaches CREATE_COMPLETE a moment before pcluster tags the AMI (and deletes the
    // stack): wait a few polls for the AMI so the final ImageInfo names it.
    let amiWaits = 0;
    return this.watch<ImageInfo>(target, options, async (signal, newEvents, checks) => {
      // Stack events of the build mean the image exists, whatever DescribeImage says yet.
      if (newEvents.length > 0) found.saw();
      let info: ImageInfo;
      try {
        info = await (await this.backend()).describeImage(imageId, signal);
      } catch (err) {
        if (!StackfeedError.is(err, 'NOT_FOUND')) throw err;
        return found.notFound<ImageInfo>(err);
      }
      found.saw();
      if (!imageBuildTerminal(info)) {
        checks.answered();
        return { terminal: false };
      }
      // Not answered for the status policy: the next checks ask again until the AMI is named.
      if (info.state === 'AVAILABLE' && info.artifacts.length === 0 && amiWaits < AMI_WAIT_POLLS) {
        amiWaits++;
        return { terminal: false };
      }
      const outcome = imageOutcomeTable.map(info.state);
      const r: TerminalCheck<ImageInfo> = { terminal: true, outcome, status: info.status, final: info };
      if (info.reason !== undefined) r.reason = info.reason;
      return r;
    });
  }

  /**
   * Tail a cluster's stack events (direct mode: nested stacks too) until its stack settles. A
   * cluster not found before it was ever seen is "not yet" for `notFoundGracePolls` polls, then a
   * StackfeedError NOT_FOUND; one that was seen and disappears ends with outcome `deleted`.
   */
  watchClusterStackEvents(
    clusterName: string,
    options: WatchClusterOptions = {},
  ): WatchStream<StackEvent, ClusterInfo> {
    checkName('clusterName', clusterName, 'watchClusterStackEvents');
    const found = notFoundGrace(
      'watchClusterStackEvents',
      `cluster ${JSON.stringify(clusterName)}`,
      options.notFoundGracePolls,
    );
    return this.watch<ClusterInfo>(
      { kind: 'cluster', name: clusterName },
      options,
      async (signal, newEvents, checks) => {
        if (newEvents.length > 0) found.saw();
        let info: ClusterInfo;
        try {
          info = await (await this.backend()).describeCluster(clusterName, signal);
        } catch (err) {
          if (StackfeedError.is(err, 'NOT_FOUND')) return found.notFound<ClusterInfo>(err);
          throw err;
        }
        found.saw();
        checks.answered();
        if (isStackInProgress(info.stackStatus) || info.stackStatus === 'REVIEW_IN_PROGRESS')
          return { terminal: false };
        const state = stackStateTable.map(info.stackStatus);
        const outcome = stackOutcomeTable.map(state);
        const r: TerminalCheck<ClusterInfo> = { terminal: true, outcome, status: info.stackStatus, final: info };
        if (info.reason !== undefined) r.reason = info.reason;
        return r;
      },
    );
  }

  /** `StackEventSource`: watch `{ kind: 'image', name }` (an image build) or `{ kind: 'cluster', name }`. */
  watchStackEvents(ref: ParallelClusterRef, options: WatchOptions & EventFilterOptions = {}): WatchStream<StackEvent> {
    const t = targetOf(ref);
    return (
      t.kind === 'image' ? this.watchImageBuild(t.name, options) : this.watchClusterStackEvents(t.name, options)
    ) as WatchStream<StackEvent>;
  }

  private watch<R>(
    target: StackTarget,
    options: WatchOptions & EventFilterOptions,
    terminal: (
      signal: AbortSignal,
      newEvents: readonly StackEvent[],
      checks: StatusChecks<StackEvent>,
    ) => Promise<TerminalCheck<R>>,
  ): WatchStream<StackEvent, R> {
    const filter = applyEventFilters({ ...options, since: undefined });
    const state: PollState = { since: undefined, fullReread: false, nested: new Map() };
    const ownMark = stackOperationMark({ name: target.name });
    // When the terminal check asks for the cluster or image (core's one policy): after a finished
    // stack-level event of the target's own stack, quiet polls, or a listing that 404s.
    const checks = new StatusChecks<StackEvent>({ hint: (ev) => ownMark(ev) === 'end' });
    const read = new FreshEvents<StackEvent>();
    return watchEvents<StackEvent, R>(
      {
        provider: PROVIDER,
        operation: target.kind === 'image' ? 'watchImageBuild' : 'watchClusterStackEvents',
        // CloudFormation lists newest first; the engine checks every poll against it and asks for
        // full re-reads (no time cut) once a listing breaks it.
        listingOrder: 'newest-first',
        poll: async (ctx) => {
          state.since = ctx.since;
          state.fullReread = ctx.fullReread;
          const b = await this.backend();
          try {
            const got = await b.pollStackEvents(target, state, ctx.signal);
            // The last page is read whole (older events too): only the unread ones tell the policy.
            checks.polled({ events: read.take(got.events), capped: got.capped });
            return { events: filter ? got.events.filter(filter) : got.events, capped: got.capped };
          } catch (err) {
            // The stack may not exist yet, or (API mode) was deleted after a successful build.
            if (StackfeedError.is(err, 'NOT_FOUND')) {
              checks.polled({ events: [], gone: true });
              return [];
            }
            throw err;
          }
        },
        checkTerminal: ({ signal, newEvents }) =>
          checks.shouldAsk() ? terminal(signal, newEvents, checks) : { terminal: false },
        // The image's or cluster's CloudFormation stack carries its name: its own stack-level
        // events bound the operations (`operation: 'current'`) and the deployment summary.
        operationMark: ownMark,
        summarize: deploymentSummary({ provider: PROVIDER, stack: { name: target.name } }),
      },
      options,
    );
  }
}
