import { Agent as HttpsAgent } from 'node:https';
import {
  GetImageCommand,
  GetLifecycleExecutionCommand,
  GetWorkflowExecutionCommand,
  ImagebuilderClient,
  type ImagebuilderClientConfig,
  ListImageBuildVersionsCommand,
  ListImagesCommand,
  ListLifecycleExecutionResourcesCommand,
  ListLifecycleExecutionsCommand,
  ListWorkflowExecutionsCommand,
  ListWorkflowStepExecutionsCommand,
  type Ownership,
} from '@aws-sdk/client-imagebuilder';
import {
  type Capabilities,
  type EventFilterOptions,
  type ExecutionInfo,
  type ImageInfo,
  type ImageSource,
  type ListOptions,
  type Paginator,
  type RateLimiter,
  type RateLimitOptions,
  type StackEvent,
  type StackEventSource,
  StackfeedError,
  type TlsOptions,
  type WatchOptions,
  type WatchStream,
} from '@stackfeed/core';
import {
  addSdkEmptyBodyCheck,
  addSdkRateLimit,
  EmptyBodyError,
  applyEventFilters,
  createPaginator,
  parseWire,
  registerSecret,
  throwIfAborted,
  toRateLimiter,
  watchEvents,
} from '@stackfeed/core/adapter';
import type { z } from 'zod';
import { toStackfeedError } from './errors.js';
import { isLifecycleResourcesPage } from './wire/guards.js';
import {
  imageInfo,
  imageVersionInfo,
  lifecycleExecutionInfo,
  lifecycleResourceEvent,
  workflowEvent,
  workflowExecutionInfo,
  workflowStepEvent,
  workflowTypeOfArn,
} from './mapping/records.js';
import { IMAGE_TERMINAL, LIFECYCLE_TERMINAL } from './mapping/tables.js';
import {
  GetImageSchema,
  GetLifecycleExecutionSchema,
  ListImageBuildVersionsSchema,
  ListImagesSchema,
  ListLifecycleExecutionsSchema,
  ListLifecycleResourcesSchema,
  ListWorkflowExecutionsSchema,
  ListWorkflowStepsSchema,
  WorkflowExecutionSchema,
} from './wire/schemas.js';

const PROVIDER = 'aws-imagebuilder' as const;
/** Image Builder's `RestrictedInteger` page size. */
const PAGE_SIZE = { min: 1, max: 25 } as const;
const WORKFLOW_TERMINAL = new Set(['COMPLETED', 'FAILED', 'ROLLBACK_COMPLETED', 'CANCELLED', 'SKIPPED']);

/** Options of {@link ImageBuilderClient}. */
export interface ImageBuilderClientOptions {
  /** AWS region (default: the SDK's chain: `AWS_REGION`, profile, …). */
  region?: string;
  /** Static credentials or a provider (default: the AWS default credential chain). */
  credentials?: ImagebuilderClientConfig['credentials'];
  /** Your own configured SDK client; stackfeed then uses it as is (and does not destroy it on close). */
  client?: ImagebuilderClient;
  /** Endpoint override (a VPC endpoint, an emulator). */
  endpoint?: string;
  /** Attempts per request, including retries of throttling (429) and 5xx (SDK default 3). */
  maxAttempts?: number;
  /**
   * Per-attempt timeout in ms (default: the SDK's, i.e. none): the connection must be made, the
   * response headers must arrive, and the body must not stall, each within this time. A timed-out
   * attempt is retried like a network failure (within `maxAttempts`); the last one is StackfeedError
   * TIMEOUT. Set through the SDK's request handler (`connectionTimeout`, `requestTimeout` with
   * `throwOnRequestTimeout`, `socketTimeout`). Not with `client`: configure your own client's
   * `requestHandler` instead.
   */
  timeoutMs?: number;
  /**
   * TLS of the SDK client stackfeed creates: extra CA certificate(s) (a VPC endpoint or a proxy
   * with a private CA), or `insecure` (local testing only). Certificates are verified by default.
   * Not with `client`: give your own client a `requestHandler` with an https agent instead.
   */
  tls?: TlsOptions;
  /**
   * Client-side request budget: at most `limit` requests per `intervalMs` (default 1 s), every
   * attempt counted. Pass one `RateLimiter` to several clients to share a quota. Applied to your
   * own `client` too (a middleware named `stackfeedRateLimit` is added to its stack).
   */
  rateLimit?: RateLimiter | RateLimitOptions;
}

/** Filters of {@link ImageBuilderClient.listImages}. */
export interface ListImagesOptions extends ListOptions {
  /** `Self` (default), `Shared`, `Amazon`, `ThirdParty`, `AWSMarketplace`. */
  owner?: 'Self' | 'Shared' | 'Amazon' | 'ThirdParty' | 'AWSMarketplace' | (string & {});
  /** Server-side filters on `name`, `osVersion`, `platform`, `type`, `version` (1..10, each 1..10 values). */
  filters?: Array<{ name: 'name' | 'osVersion' | 'platform' | 'type' | 'version' | (string & {}); values: string[] }>;
  includeDeprecated?: boolean;
  byName?: boolean;
}

/** Filters of {@link ImageBuilderClient.listImageBuildVersions}. */
export interface ListImageBuildVersionsOptions extends ListOptions {
  filters?: ListImagesOptions['filters'];
}

/** Options of the lifecycle event list and watch. */
export interface LifecycleEventOptions extends EventFilterOptions {
  /** List the resources associated with this parent (an image ARN) instead of the top-level ones. */
  parentResourceId?: string;
}

type SendOptions = { abortSignal?: AbortSignal };

/**
 * EC2 Image Builder through stackfeed: lifecycle executions, image builds and workflow steps as
 * `ExecutionInfo` / `ImageInfo` / `StackEvent`, over `@aws-sdk/client-imagebuilder`.
 *
 * `listStackEvents(ref)` / `watchStackEvents(ref)` take a lifecycle execution id (`lce-…`), an
 * image build version ARN (its workflow steps), or (list only) a workflow execution id (`wf-…`).
 */
export class ImageBuilderClient implements StackEventSource<string>, ImageSource {
  readonly provider = PROVIDER;
  /** Every event filter runs locally: Image Builder has none on these operations. */
  readonly capabilities: Capabilities = {
    provider: PROVIDER,
    filters: { since: 'local', resourceName: 'local', resourceType: 'local', phase: 'local' },
    pageSize: { min: PAGE_SIZE.min, max: PAGE_SIZE.max },
    eventOrder: 'oldest-first',
    nestedStacks: false,
    eventIds: 'content-hash',
  };
  /** The underlying SDK client. */
  readonly sdk: ImagebuilderClient;
  private readonly owned: boolean;

  constructor(options: ImageBuilderClientOptions = {}) {
    const t = options.timeoutMs;
    if (t !== undefined && (typeof t !== 'number' || !Number.isFinite(t) || t <= 0))
      throw configError(`timeoutMs must be a positive number of milliseconds, not ${String(t)}`);
    if (options.tls && options.client)
      throw configError(
        "tls applies to the SDK client stackfeed creates; with { client }, give your client's requestHandler an https agent",
      );
    if (t !== undefined && options.client)
      throw configError(
        "timeoutMs applies to the SDK client stackfeed creates; with { client }, set your client's requestHandler timeouts",
      );
    if (options.client) {
      this.sdk = options.client;
      this.owned = false;
    } else {
      const creds = options.credentials;
      if (creds && typeof creds === 'object') {
        registerSecret(creds.accessKeyId);
        registerSecret(creds.secretAccessKey);
        registerSecret(creds.sessionToken);
      }
      const config: ImagebuilderClientConfig = {};
      if (options.region) config.region = options.region;
      if (creds) config.credentials = typeof creds === 'function' ? registeringProvider(creds) : creds;
      if (options.endpoint) config.endpoint = options.endpoint;
      if (options.maxAttempts !== undefined) config.maxAttempts = options.maxAttempts;
      const tls = options.tls;
      if (t !== undefined || tls) {
        config.requestHandler = {
          ...(t !== undefined
            ? {
                connectionTimeout: t,
                requestTimeout: t,
                // Without it the SDK only logs a warning when requestTimeout passes.
                throwOnRequestTimeout: true,
                socketTimeout: t,
              }
            : {}),
          ...(tls
            ? {
                httpsAgent: new HttpsAgent({
                  keepAlive: true,
                  ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
                  rejectUnauthorized: tls.insecure !== true,
                }),
              }
            : {}),
        };
      }
      this.sdk = new ImagebuilderClient(config);
      this.owned = true;
    }
    // An empty 2xx body must not pass as an empty last page (see core's addSdkEmptyBodyCheck).
    // Added by name with override, so several stackfeed clients over one SDK client add it once.
    addSdkEmptyBodyCheck(this.sdk);
    const limiter = toRateLimiter(options.rateLimit);
    if (limiter) addSdkRateLimit(this.sdk, limiter, PROVIDER);
  }

  /** Release the SDK client's sockets (only when stackfeed created it). */
  close(): void {
    if (this.owned) this.sdk.destroy();
  }

  // ------------------------------------------------------------------------------------------
  // plumbing

  private async call<T>(operation: string, run: (o: SendOptions) => Promise<T>, signal?: AbortSignal): Promise<T> {
    throwIfAborted(signal, PROVIDER);
    try {
      return await run(signal ? { abortSignal: signal } : {});
    } catch (err) {
      if (err instanceof EmptyBodyError && !signal?.aborted) {
        throw new StackfeedError({
          code: 'INVALID_RESPONSE',
          provider: PROVIDER,
          operation,
          httpStatus: err.httpStatus,
          ...(err.requestId ? { requestId: err.requestId } : {}),
          retryable: false,
          cause: err,
          message: `${operation}: Image Builder answered HTTP ${err.httpStatus} with an empty body (a JSON document was expected); nothing was read from it`,
        });
      }
      throw toStackfeedError(err, operation, signal);
    }
  }

  private parse<S extends z.ZodType>(schema: S, out: unknown, operation: string): z.output<S> {
    const requestId = (out as { $metadata?: { requestId?: string } })?.$metadata?.requestId;
    return parseWire(schema, out, { provider: PROVIDER, operation, requestId });
  }

  // ------------------------------------------------------------------------------------------
  // lifecycle

  /** GetLifecycleExecution → ExecutionInfo (kind `lifecycle`). */
  async getLifecycleExecution(id: string, options: { signal?: AbortSignal } = {}): Promise<ExecutionInfo> {
    const op = 'getLifecycleExecution';
    requireArg(id, 'lifecycleExecutionId', op);
    const out = await this.call(
      op,
      (o) => this.sdk.send(new GetLifecycleExecutionCommand({ lifecycleExecutionId: id }), o),
      options.signal,
    );
    const w = this.parse(GetLifecycleExecutionSchema, out, op);
    return lifecycleExecutionInfo(w.lifecycleExecution, out.lifecycleExecution);
  }

  /** ListLifecycleExecutions for a resource (lifecycle policy or image ARN) → ExecutionInfo pages. */
  listLifecycleExecutions(resourceArn: string, options: ListOptions = {}): Paginator<ExecutionInfo> {
    const op = 'listLifecycleExecutions';
    requireArg(resourceArn, 'resourceArn', op);
    return createPaginator<ExecutionInfo, string>({
      provider: PROVIDER,
      operation: op,
      scope: { resourceArn },
      pageSizeLimits: PAGE_SIZE,
      options,
      fetchPage: async (cursor, pageSize, signal) => {
        const out = await this.call(
          op,
          (o) =>
            this.sdk.send(
              new ListLifecycleExecutionsCommand({ resourceArn, maxResults: pageSize, nextToken: cursor }),
              o,
            ),
          signal,
        );
        const w = this.parse(ListLifecycleExecutionsSchema, out, op);
        const raw = out.lifecycleExecutions ?? [];
        return {
          items: (w.lifecycleExecutions ?? []).map((e, i) => lifecycleExecutionInfo(e, raw[i])),
          next: w.nextToken || undefined,
          raw: out,
        };
      },
    });
  }

  /** One page of lifecycle resources as events, plus the execution state the page reported. */
  private async lifecyclePage(
    id: string,
    parentResourceId: string | undefined,
    cursor: string | undefined,
    pageSize: number | undefined,
    signal: AbortSignal | undefined,
    fallback: { time?: Date },
    operation: string,
  ) {
    const out = await this.call(
      operation,
      (o) =>
        this.sdk.send(
          new ListLifecycleExecutionResourcesCommand({
            lifecycleExecutionId: id,
            parentResourceId,
            maxResults: pageSize,
            nextToken: cursor,
          }),
          o,
        ),
      signal,
    );
    // Fast path: a page the guard accepts is used as is; otherwise zod names the bad field.
    const w = isLifecycleResourcesPage(out) ? out : this.parse(ListLifecycleResourcesSchema, out, operation);
    const resources = w.resources ?? [];
    if (!fallback.time && resources.some((r) => !r.startTime && !r.endTime)) {
      // A resource that has not started has no time of its own: use the execution's start.
      const exec = await this.getLifecycleExecution(id, signal ? { signal } : {});
      fallback.time = exec.startedAt ?? new Date(0);
    }
    const raw = out.resources ?? [];
    const ctx = {
      executionId: id,
      parentResourceId,
      executionState: w.lifecycleExecutionState,
      fallbackTime: fallback.time ?? new Date(0),
    };
    return {
      events: resources.map((r, i) => lifecycleResourceEvent(r, ctx, raw[i])),
      state: w.lifecycleExecutionState,
      next: w.nextToken || undefined,
      raw: out,
    };
  }

  /**
   * ListLifecycleExecutionResources → one StackEvent per resource action (AMI, snapshot, container
   * image; DELETE / DEPRECATE / DISABLE / AVAILABLE), with snapshots and image URIs in `details`.
   */
  listLifecycleExecutionEvents(id: string, options: ListOptions & LifecycleEventOptions = {}): Paginator<StackEvent> {
    const op = 'listLifecycleExecutionEvents';
    requireArg(id, 'lifecycleExecutionId', op);
    const parent = options.parentResourceId;
    const fallback: { time?: Date } = {};
    return createPaginator<StackEvent, string>({
      provider: PROVIDER,
      operation: op,
      scope: { id, parent: parent ?? null },
      pageSizeLimits: PAGE_SIZE,
      options,
      filter: applyEventFilters(options),
      fetchPage: async (cursor, pageSize, signal) => {
        const p = await this.lifecyclePage(id, parent, cursor, pageSize, signal, fallback, op);
        return { items: p.events, next: p.next, raw: p.raw };
      },
    });
  }

  /**
   * Tail a lifecycle execution: yields each resource transition once, oldest first, and ends after
   * the execution is SUCCESS, FAILED or CANCELLED (`result.final` is its ExecutionInfo).
   */
  watchLifecycleExecution(
    id: string,
    options: WatchOptions & LifecycleEventOptions = {},
  ): WatchStream<StackEvent, ExecutionInfo> {
    const op = 'watchLifecycleExecution';
    requireArg(id, 'lifecycleExecutionId', op);
    const filter = applyEventFilters(options, ['since']);
    const fallback: { time?: Date } = {};
    let lastStatus: string | undefined;
    return watchEvents<StackEvent, ExecutionInfo>(
      {
        provider: PROVIDER,
        operation: op,
        poll: async ({ signal }) => {
          const events: StackEvent[] = [];
          let cursor: string | undefined;
          const tokens = new Set<string>();
          let status: string | undefined;
          do {
            const p = await this.lifecyclePage(id, options.parentResourceId, cursor, 25, signal, fallback, op);
            for (const ev of p.events) if (!filter || filter(ev)) events.push(ev);
            status = p.state?.status ?? status;
            cursor = nextOf(tokens, p.next, op);
          } while (cursor);
          lastStatus = status;
          return events;
        },
        checkTerminal: async ({ signal }) => {
          let status = lastStatus;
          let info: ExecutionInfo | undefined;
          if (status === undefined || LIFECYCLE_TERMINAL.has(status)) {
            info = await this.getLifecycleExecution(id, { signal });
            status = info.status;
          }
          if (!LIFECYCLE_TERMINAL.has(status)) return { terminal: false };
          return {
            terminal: true,
            outcome: status === 'SUCCESS' ? 'succeeded' : status === 'CANCELLED' ? 'cancelled' : 'failed',
            status,
            ...(info?.reason ? { reason: info.reason } : {}),
            ...(info ? { final: info } : {}),
          };
        },
      },
      options,
    );
  }

  // ------------------------------------------------------------------------------------------
  // images

  /** GetImage (build version ARN, or a version ARN with `x` wildcards) → ImageInfo. */
  async getImage(arn: string, options: { signal?: AbortSignal } = {}): Promise<ImageInfo> {
    const op = 'getImage';
    requireArg(arn, 'imageBuildVersionArn', op);
    const out = await this.call(
      op,
      (o) => this.sdk.send(new GetImageCommand({ imageBuildVersionArn: arn }), o),
      options.signal,
    );
    const w = this.parse(GetImageSchema, out, op);
    return imageInfo(
      w.image,
      out.image,
      w.latestVersionReferences ? { latestVersionReferences: w.latestVersionReferences } : undefined,
    );
  }

  /** {@link getImage} under the common ImageSource name. */
  describeImage(id: string, options: { signal?: AbortSignal } = {}): Promise<ImageInfo> {
    return this.getImage(id, options);
  }

  /**
   * ListImages → ImageInfo per image version. ImageVersion has no state on the wire, so `state`
   * is `UNKNOWN` and `status` is empty: use {@link listImageBuildVersions} or {@link getImage}.
   */
  listImages(options: ListImagesOptions = {}): Paginator<ImageInfo> {
    const op = 'listImages';
    const { owner, filters, includeDeprecated, byName } = options;
    return createPaginator<ImageInfo, string>({
      provider: PROVIDER,
      operation: op,
      scope: { owner: owner ?? null, filters: filters ?? null, includeDeprecated: includeDeprecated ?? null, byName },
      pageSizeLimits: PAGE_SIZE,
      options,
      fetchPage: async (cursor, pageSize, signal) => {
        const out = await this.call(
          op,
          (o) =>
            this.sdk.send(
              new ListImagesCommand({
                owner: owner as Ownership | undefined,
                filters,
                includeDeprecated,
                byName,
                maxResults: pageSize,
                nextToken: cursor,
              }),
              o,
            ),
          signal,
        );
        const w = this.parse(ListImagesSchema, out, op);
        const raw = out.imageVersionList ?? [];
        return {
          items: (w.imageVersionList ?? []).map((v, i) => imageVersionInfo(v, raw[i])),
          next: w.nextToken || undefined,
          raw: out,
        };
      },
    });
  }

  /** ListImageBuildVersions (of one image version ARN `…/x.y.z`, or all) → ImageInfo per build. */
  listImageBuildVersions(imageVersionArn?: string, options: ListImageBuildVersionsOptions = {}): Paginator<ImageInfo> {
    const op = 'listImageBuildVersions';
    const { filters } = options;
    return createPaginator<ImageInfo, string>({
      provider: PROVIDER,
      operation: op,
      scope: { imageVersionArn: imageVersionArn ?? null, filters: filters ?? null },
      pageSizeLimits: PAGE_SIZE,
      options,
      fetchPage: async (cursor, pageSize, signal) => {
        const out = await this.call(
          op,
          (o) =>
            this.sdk.send(
              new ListImageBuildVersionsCommand({ imageVersionArn, filters, maxResults: pageSize, nextToken: cursor }),
              o,
            ),
          signal,
        );
        const w = this.parse(ListImageBuildVersionsSchema, out, op);
        const raw = out.imageSummaryList ?? [];
        return {
          items: (w.imageSummaryList ?? []).map((s, i) => imageInfo(s, raw[i])),
          next: w.nextToken || undefined,
          raw: out,
        };
      },
    });
  }

  // ------------------------------------------------------------------------------------------
  // workflows

  /** GetWorkflowExecution → ExecutionInfo (kind `workflow`). */
  async getWorkflowExecution(id: string, options: { signal?: AbortSignal } = {}): Promise<ExecutionInfo> {
    const op = 'getWorkflowExecution';
    requireArg(id, 'workflowExecutionId', op);
    const out = await this.call(
      op,
      (o) => this.sdk.send(new GetWorkflowExecutionCommand({ workflowExecutionId: id }), o),
      options.signal,
    );
    const w = this.parse(WorkflowExecutionSchema, out, op);
    return workflowExecutionInfo(w, out);
  }

  private async workflowPage(
    arn: string,
    cursor: string | undefined,
    pageSize: number | undefined,
    signal: AbortSignal | undefined,
    op: string,
  ) {
    const out = await this.call(
      op,
      (o) =>
        this.sdk.send(
          new ListWorkflowExecutionsCommand({ imageBuildVersionArn: arn, maxResults: pageSize, nextToken: cursor }),
          o,
        ),
      signal,
    );
    const w = this.parse(ListWorkflowExecutionsSchema, out, op);
    return { wire: w.workflowExecutions ?? [], raw: out.workflowExecutions ?? [], next: w.nextToken || undefined, out };
  }

  /** ListWorkflowExecutions of an image build version → ExecutionInfo (kind `workflow`). */
  listWorkflowExecutions(imageBuildVersionArn: string, options: ListOptions = {}): Paginator<ExecutionInfo> {
    const op = 'listWorkflowExecutions';
    requireArg(imageBuildVersionArn, 'imageBuildVersionArn', op);
    return createPaginator<ExecutionInfo, string>({
      provider: PROVIDER,
      operation: op,
      scope: { imageBuildVersionArn },
      pageSizeLimits: PAGE_SIZE,
      options,
      fetchPage: async (cursor, pageSize, signal) => {
        const p = await this.workflowPage(imageBuildVersionArn, cursor, pageSize, signal, op);
        return {
          items: p.wire.map((w, i) => workflowExecutionInfo(w, p.raw[i], imageBuildVersionArn)),
          next: p.next,
          raw: p.out,
        };
      },
    });
  }

  private async stepPage(
    workflowExecutionId: string,
    cursor: string | undefined,
    pageSize: number | undefined,
    signal: AbortSignal | undefined,
    fallback: { time?: Date },
    op: string,
    workflowType?: string,
  ) {
    const out = await this.call(
      op,
      (o) =>
        this.sdk.send(
          new ListWorkflowStepExecutionsCommand({ workflowExecutionId, maxResults: pageSize, nextToken: cursor }),
          o,
        ),
      signal,
    );
    const w = this.parse(ListWorkflowStepsSchema, out, op);
    const steps = w.steps ?? [];
    if (!fallback.time && steps.some((s) => !s.startTime && !s.endTime)) {
      // A pending step has no time yet: use the workflow's start (or the epoch if it has none).
      const exec = await this.getWorkflowExecution(workflowExecutionId, signal ? { signal } : {});
      fallback.time = exec.startedAt ?? new Date(0);
    }
    const raw = out.steps ?? [];
    const ctx = {
      workflowExecutionId,
      workflowType: workflowType ?? workflowTypeOfArn(w.workflowBuildVersionArn),
      workflowBuildVersionArn: w.workflowBuildVersionArn,
      imageBuildVersionArn: w.imageBuildVersionArn,
      fallbackTime: fallback.time ?? new Date(0),
    };
    return { events: steps.map((s, i) => workflowStepEvent(s, ctx, raw[i])), next: w.nextToken || undefined, out };
  }

  /**
   * ListWorkflowStepExecutions → one StackEvent per step: status, rollback status (action
   * ROLLBACK while/after the step is rolled back), message, inputs/outputs parsed when JSON.
   */
  listWorkflowStepEvents(
    workflowExecutionId: string,
    options: ListOptions & EventFilterOptions = {},
  ): Paginator<StackEvent> {
    const op = 'listWorkflowStepEvents';
    requireArg(workflowExecutionId, 'workflowExecutionId', op);
    const fallback: { time?: Date } = {};
    return createPaginator<StackEvent, string>({
      provider: PROVIDER,
      operation: op,
      scope: { workflowExecutionId },
      pageSizeLimits: PAGE_SIZE,
      options,
      filter: applyEventFilters(options),
      fetchPage: async (cursor, pageSize, signal) => {
        const p = await this.stepPage(workflowExecutionId, cursor, pageSize, signal, fallback, op);
        return { items: p.events, next: p.next, raw: p.out };
      },
    });
  }

  /**
   * The step events of every workflow of an image build version, workflow by workflow. The cursor
   * holds the workflow list token, the workflows still to read and the step token of the current one.
   */
  private listImageBuildStepEvents(arn: string, options: ListOptions & EventFilterOptions): Paginator<StackEvent> {
    const op = 'listImageBuildEvents';
    type Cursor = { w?: string; q: Array<[string, string]>; s?: string; started: true };
    const fallbacks = new Map<string, { time?: Date }>();
    return createPaginator<StackEvent, Cursor>({
      provider: PROVIDER,
      operation: op,
      scope: { arn },
      pageSizeLimits: PAGE_SIZE,
      options,
      filter: applyEventFilters(options),
      fetchPage: async (cursor, pageSize, signal) => {
        let c: Cursor | undefined = cursor;
        if (!c) {
          const p = await this.workflowPage(arn, undefined, undefined, signal, op);
          c = { q: stepQueue(p.wire), started: true };
          if (p.next) c.w = p.next;
        }
        while (true) {
          if (c.q.length === 0) {
            if (!c.w) return { items: [] };
            const p = await this.workflowPage(arn, c.w, undefined, signal, op);
            c = { q: stepQueue(p.wire), started: true };
            if (p.next) c.w = p.next;
            continue;
          }
          const [wfId, type] = c.q[0] as [string, string];
          const fb = fallbacks.get(wfId) ?? {};
          fallbacks.set(wfId, fb);
          const p = await this.stepPage(wfId, c.s, pageSize, signal, fb, op, type || undefined);
          let next: Cursor | undefined;
          if (p.next) next = { ...c, s: p.next };
          else {
            const rest = c.q.slice(1);
            next = rest.length > 0 || c.w ? { q: rest, started: true, ...(c.w ? { w: c.w } : {}) } : undefined;
          }
          if (p.events.length > 0 || !next) return { items: p.events, next, raw: p.out };
          c = next;
        }
      },
    });
  }

  /**
   * Follow an image build through its workflows and steps: yields workflow status changes and step
   * transitions once each, oldest first, until the image is AVAILABLE, FAILED, CANCELLED (or later
   * states). `result.final` is the final ImageInfo.
   */
  watchImageBuild(arn: string, options: WatchOptions & EventFilterOptions = {}): WatchStream<StackEvent, ImageInfo> {
    const op = 'watchImageBuild';
    requireArg(arn, 'imageBuildVersionArn', op);
    const filter = applyEventFilters(options, ['since']);
    /** Terminal workflows whose steps were read in their terminal state: not read again. */
    const finished = new Map<string, string>();
    const fallbacks = new Map<string, { time?: Date }>();
    return watchEvents<StackEvent, ImageInfo>(
      {
        provider: PROVIDER,
        operation: op,
        poll: async ({ signal }) => {
          const events: StackEvent[] = [];
          let cursor: string | undefined;
          const tokens = new Set<string>();
          do {
            const p = await this.workflowPage(arn, cursor, 25, signal, op);
            for (let i = 0; i < p.wire.length; i++) {
              const w = p.wire[i] as (typeof p.wire)[number];
              const fb = fallbacks.get(w.workflowExecutionId) ?? {};
              fallbacks.set(w.workflowExecutionId, fb);
              const wfEvent = workflowEvent(w, arn, w.startTime ?? fb.time ?? new Date(0), p.raw[i]);
              if (!w.startTime && !w.endTime && !fb.time) {
                // Not started: its time is unknown; take the image's creation time once.
                fb.time = (await this.getImage(arn, { signal })).createdAt ?? new Date(0);
                wfEvent.timestamp = fb.time;
              }
              if (!filter || filter(wfEvent)) events.push(wfEvent);
              const key = JSON.stringify([w.status, w.totalStepsSucceeded, w.totalStepsFailed, w.endTime]);
              if (finished.get(w.workflowExecutionId) === key) continue;
              let stepCursor: string | undefined;
              const stepTokens = new Set<string>();
              do {
                const s = await this.stepPage(w.workflowExecutionId, stepCursor, 25, signal, fb, op, w.type);
                for (const ev of s.events) if (!filter || filter(ev)) events.push(ev);
                stepCursor = nextOf(stepTokens, s.next, op);
              } while (stepCursor);
              if (w.status && WORKFLOW_TERMINAL.has(w.status)) finished.set(w.workflowExecutionId, key);
            }
            cursor = nextOf(tokens, p.next, op);
          } while (cursor);
          return events;
        },
        checkTerminal: async ({ signal }) => {
          const image = await this.getImage(arn, { signal });
          const outcome = IMAGE_TERMINAL.map(image.status);
          if (!outcome) return { terminal: false };
          return {
            terminal: true,
            outcome,
            status: image.status,
            ...(image.reason ? { reason: image.reason } : {}),
            final: image,
          };
        },
      },
      options,
    );
  }

  // ------------------------------------------------------------------------------------------
  // StackEventSource

  /**
   * Events of a lifecycle execution (`lce-…`), of one workflow execution (`wf-…`), or of every
   * workflow step of an image build version (`arn:…:image/<name>/<x.y.z>/<n>`).
   */
  listStackEvents(ref: string, options: ListOptions & LifecycleEventOptions = {}): Paginator<StackEvent> {
    if (typeof ref === 'string' && ref.startsWith('lce-')) return this.listLifecycleExecutionEvents(ref, options);
    if (typeof ref === 'string' && ref.startsWith('wf-')) return this.listWorkflowStepEvents(ref, options);
    if (typeof ref === 'string' && /^arn:aws[^:]*:imagebuilder:[^:]*:[^:]*:image\/.+\/\d+$/.test(ref))
      return this.listImageBuildStepEvents(ref, options);
    throw badRef(ref, 'listStackEvents');
  }

  /** Watch a lifecycle execution (`lce-…`) or an image build (its build version ARN). */
  watchStackEvents(ref: string, options: WatchOptions & LifecycleEventOptions = {}): WatchStream<StackEvent> {
    if (typeof ref === 'string' && ref.startsWith('lce-')) return this.watchLifecycleExecution(ref, options);
    if (typeof ref === 'string' && /^arn:aws[^:]*:imagebuilder:[^:]*:[^:]*:image\/.+\/\d+$/.test(ref))
      return this.watchImageBuild(ref, options);
    throw badRef(ref, 'watchStackEvents');
  }
}

/** Workflows whose steps are to be read, as [id, type]; those that report zero steps are left out. */
function stepQueue(
  wire: ReadonlyArray<{ workflowExecutionId: string; type?: string | undefined; totalStepCount?: number | undefined }>,
): Array<[string, string]> {
  return wire.filter((w) => w.totalStepCount !== 0).map((w) => [w.workflowExecutionId, w.type ?? '']);
}

function badRef(ref: unknown, operation: string): StackfeedError {
  return new StackfeedError({
    code: 'CONFIG',
    provider: PROVIDER,
    operation,
    message: `${operation}: expected a lifecycle execution id (lce-…), a workflow execution id (wf-…, list only) or an image build version ARN, got ${JSON.stringify(String(ref)).slice(0, 120)}`,
  });
}

/** Pages one watch poll may read (core's paginator guards the lists; a poll pages by itself). */
const MAX_POLL_PAGES = 10_000;

/**
 * The next token of a watch poll's own paging loop: a token the poll already followed (the server
 * going round in circles) or an endless run of pages is INVALID_RESPONSE, not a poll that never ends.
 */
function nextOf(seen: Set<string>, next: string | undefined, operation: string): string | undefined {
  if (next === undefined) return undefined;
  if (seen.has(next) || seen.size >= MAX_POLL_PAGES) {
    throw new StackfeedError({
      code: 'INVALID_RESPONSE',
      provider: PROVIDER,
      operation,
      retryable: false,
      message: seen.has(next)
        ? `${operation}: Image Builder handed back a nextToken it had already given in this listing (the pages would go round in circles)`
        : `${operation}: more than ${MAX_POLL_PAGES} pages in one poll`,
    });
  }
  seen.add(next);
  return next;
}

function configError(message: string): StackfeedError {
  return new StackfeedError({ code: 'CONFIG', provider: PROVIDER, retryable: false, message });
}

function requireArg(value: unknown, name: string, operation: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new StackfeedError({
      code: 'CONFIG',
      provider: PROVIDER,
      operation,
      message: `${operation}: ${name} must be a non-empty string`,
    });
  }
}

type CredentialsProvider = Extract<NonNullable<ImagebuilderClientConfig['credentials']>, (...args: never[]) => unknown>;

/** Wrap a credential provider so every identity it returns is registered for redaction. */
function registeringProvider(provider: CredentialsProvider): CredentialsProvider {
  return (async (...args: Parameters<CredentialsProvider>) => {
    const id = await provider(...args);
    registerSecret(id.accessKeyId);
    registerSecret(id.secretAccessKey);
    registerSecret(id.sessionToken);
    return id;
  }) as CredentialsProvider;
}
