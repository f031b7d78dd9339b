import { ImagebuilderClient, type ImagebuilderClientConfig } from '@aws-sdk/client-imagebuilder';
import {
  type Capabilities,
  type ClientOptions,
  type Deployment,
  type DeploymentSource,
  type ListDeploymentsOptions,
  type DiscoveredTarget,
  type DiscoverOptions,
  type DiscoverySource,
  type EventFilterOptions,
  type ExecutionInfo,
  type ImageInfo,
  type ImageSource,
  type ListOptions,
  type Paginator,
  type StackEvent,
  type StackEventSource,
  StackfeedError,
  type WatchOptions,
  type WatchStream,
} from '@stackfeed/core';
import { createSdkKit, createTokenKey, pickSdkAdapterOptions, type SdkKitOptions } from '@stackfeed/core/adapter';
import { configError, ImageBuilderApi, PAGE_SIZE, PROVIDER } from './api.js';
import { getDeployment, listDeployments } from './deployments.js';
import { discover } from './discover.js';
import { IMAGE_BUILDER_ERROR_CODES, withTokenHint } from './errors.js';
import { type ImageBuilderRef, type ImageBuilderStackRef, resolveRef } from './refs.js';
import {
  getImage,
  type ListImageBuildVersionsOptions,
  type ImageBuilderListImagesOptions,
  listImageBuildVersions,
  listImages,
} from './images.js';
import {
  getLifecycleExecution,
  type LifecycleEventOptions,
  listLifecycleExecutionEvents,
  listLifecycleExecutions,
  watchLifecycleExecution,
} from './lifecycle.js';
import type { EventListOptions } from './ordered.js';
import {
  getWorkflowExecution,
  listImageBuildStepEvents,
  listWorkflowExecutions,
  listWorkflowStepEvents,
  watchImageBuild,
} from './workflows.js';

export type { ImageBuilderRef, ImageBuilderRefKind, ImageBuilderStackRef } from './refs.js';
export type { LifecycleEventOptions } from './lifecycle.js';
export type { EventListOptions } from './ordered.js';
export type { ImageBuilderListImagesOptions, ListImageBuildVersionsOptions } from './images.js';

/**
 * Options of {@link ImageBuilderClient}: core's `ClientOptions` (`endpoint`, `region`, `retry`,
 * `logger`, `timeoutMs`, `totalTimeoutMs`, `maxResponseBytes`, `rateLimit`, `tokenKey`, `tls`,
 * `userAgent`; documented there) plus the AWS credentials or your own SDK client. `region`
 * defaults to the SDK's chain (`AWS_REGION`, profile, …); retries are core's, the SDK's own are off.
 */
export interface ImageBuilderClientOptions extends ClientOptions {
  /** Static credentials or a provider (default: the AWS default credential chain). Every value is registered for redaction. */
  credentials?: ImagebuilderClientConfig['credentials'];
  /**
   * Your own configured SDK client; stackfeed then uses it as is (and does not destroy it on close).
   * `timeoutMs`, `maxResponseBytes`, `tls` and `userAgent` are CONFIG with it (configure its
   * `requestHandler` and `customUserAgent`); `rateLimit` applies to it too (a middleware named
   * `stackfeedRateLimit` is added to its stack).
   */
  client?: ImagebuilderClient;
  /**
   * Attempts per request, including retries.
   * @deprecated Use `retry: { maxAttempts }`.
   */
  maxAttempts?: number;
}

/**
 * EC2 Image Builder through stackfeed: lifecycle executions, image builds and workflow steps as
 * `ExecutionInfo` / `ImageInfo` / `StackEvent`, over `@aws-sdk/client-imagebuilder` with core's
 * SDK helper (bounded responses, deadlines, core's retry policy, credential redaction).
 *
 * Event lists are oldest first (`order: 'newest-first'` reverses them); `maxItems` takes the first
 * N of that order. `listStackEvents(ref)` / `watchStackEvents(ref)` take a lifecycle execution id (`lce-…`), an
 * image build version ARN (its workflow steps), or (list only) a workflow execution id (`wf-…`).
 */
export class ImageBuilderClient
  implements
    StackEventSource<ImageBuilderRef>,
    ImageSource,
    DiscoverySource<ImageBuilderStackRef>,
    DeploymentSource<ImageBuilderRef>
{
  /** `aws-imagebuilder`. */
  readonly provider = PROVIDER;
  /** Every event filter runs locally: Image Builder has none on these operations. */
  readonly capabilities: Capabilities = {
    provider: PROVIDER,
    filters: { since: 'local', resourceName: 'local', resourceType: 'local', phase: 'local' },
    pageSize: { min: PAGE_SIZE.min, max: PAGE_SIZE.max, default: PAGE_SIZE.default },
    eventOrder: 'oldest-first',
    // The service promises no time order, so the client itself reads every event list to its end
    // and sorts it oldest first (ordered.ts); 'newest-first' is that sorted list reversed. The
    // client's native listing is therefore oldest first, and neither order is cheaper than the other.
    nativeOrder: 'oldest-first',
    nestedStacks: false,
    eventIds: 'content-hash',
  };
  /** The underlying SDK client. */
  readonly sdk: ImagebuilderClient;
  /** The deadlines in force (`timeoutMs` is undefined with your own `client`: its handler decides). */
  readonly limits: { timeoutMs: number | undefined; totalTimeoutMs: number };
  private readonly owned: boolean;
  private readonly api: ImageBuilderApi;

  constructor(options: ImageBuilderClientOptions = {}) {
    if (options.client) checkOwnClient(options);
    const kit = createSdkKit({
      ...pickSdkAdapterOptions(options),
      provider: PROVIDER,
      service: 'Image Builder',
      errorCodes: IMAGE_BUILDER_ERROR_CODES,
      credentials: options.credentials as SdkKitOptions['credentials'],
      refineError: withTokenHint,
    });
    this.owned = !options.client;
    this.sdk = options.client ?? new ImagebuilderClient(kit.config as ImagebuilderClientConfig);
    // Added by name with override, so several stackfeed clients over one SDK client add them once.
    kit.prepare(this.sdk);
    this.limits = {
      timeoutMs: options.client ? undefined : kit.limits.timeoutMs,
      totalTimeoutMs: kit.limits.totalTimeoutMs,
    };
    let tokenKey: ReturnType<typeof createTokenKey>;
    try {
      tokenKey = createTokenKey(options.tokenKey);
    } catch (err) {
      throw StackfeedError.is(err) ? err : configError(`tokenKey: ${(err as Error).message}`, err);
    }
    this.api = new ImageBuilderApi({ sdk: this.sdk, tokenKey, kit });
  }

  /** Release the SDK client's sockets (only when stackfeed created it). */
  close(): void {
    if (this.owned) this.sdk.destroy();
  }

  // discovery

  /**
   * What this client can follow in its region: image build versions (kind `image-build`, `ref` the
   * build version ARN) and the executions of every lifecycle policy (kind `lifecycle-execution`,
   * `ref` the `lce-…` id; `name`, `tags` and `parent` are its policy's), in-progress ones first.
   * Reads ListImageBuildVersions, ListLifecyclePolicies and ListLifecycleExecutions per policy to
   * their ends; kinds not asked for are not read. `name` (glob or RegExp), `tags` and `activeOnly`
   * filter locally; a plain name is also sent to the service.
   */
  discover(options: DiscoverOptions = {}): Paginator<DiscoveredTarget<ImageBuilderStackRef>> {
    return discover(this.api, options);
  }

  // deployments

  /**
   * The deployments of a ref, newest first: of an image build version ARN, each of its workflow
   * executions (BUILD, TEST, DISTRIBUTION; id `wf-…`); of a workflow execution id, that one; of a
   * lifecycle execution id (`lce-…`), the execution itself. `resources` are the steps (or the
   * lifecycle resources) that started, with their start, end and duration as the service reports
   * them; `rootCause` is the earliest step that FAILED (else one whose rollback failed) of a
   * failed or rolled-back deployment.
   */
  listDeployments(ref: ImageBuilderRef, options: ListDeploymentsOptions = {}): Paginator<Deployment> {
    return listDeployments(this.api, resolveRef(ref, 'listDeployments'), options);
  }

  /** One deployment of `ref` by its execution id (`wf-…` / `lce-…`); NOT_FOUND when `ref` has none by that id. */
  getDeployment(
    ref: ImageBuilderRef,
    id: string,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<Deployment> {
    return getDeployment(this.api, resolveRef(ref, 'getDeployment'), id, options.signal);
  }

  // lifecycle

  /** GetLifecycleExecution → ExecutionInfo (kind `lifecycle`). */
  getLifecycleExecution(id: string, options: { signal?: AbortSignal } = {}): Promise<ExecutionInfo> {
    return getLifecycleExecution(this.api, id, options.signal);
  }

  /** ListLifecycleExecutions for a resource (lifecycle policy or image ARN) → ExecutionInfo pages. */
  listLifecycleExecutions(resourceArn: string, options: ListOptions = {}): Paginator<ExecutionInfo> {
    return listLifecycleExecutions(this.api, resourceArn, options);
  }

  /**
   * ListLifecycleExecutionResources → one StackEvent per resource action (AMI, snapshot, container
   * image; DELETE / DEPRECATE / DISABLE / AVAILABLE), with snapshots and image URIs in `details`.
   */
  listLifecycleExecutionEvents(
    id: string,
    options: EventListOptions & LifecycleEventOptions = {},
  ): Paginator<StackEvent> {
    return listLifecycleExecutionEvents(this.api, id, options);
  }

  /**
   * Tail a lifecycle execution: yields each resource transition once, oldest first, and ends after
   * the execution is SUCCESS, FAILED or CANCELLED (`result.final` is its ExecutionInfo).
   */
  watchLifecycleExecution(
    id: string,
    options: WatchOptions & LifecycleEventOptions = {},
  ): WatchStream<StackEvent, ExecutionInfo> {
    return watchLifecycleExecution(this.api, id, options);
  }

  // images

  /** GetImage (build version ARN, or a version ARN with `x` wildcards) → ImageInfo. */
  getImage(arn: string, options: { signal?: AbortSignal } = {}): Promise<ImageInfo> {
    return getImage(this.api, arn, options.signal);
  }

  /**
   * {@link ImageBuilderClient.getImage} under core's `ImageSource` name.
   * @deprecated Use {@link ImageBuilderClient.getImage} (one verb, `get`, for reads of one thing).
   */
  describeImage(id: string, options: { signal?: AbortSignal } = {}): Promise<ImageInfo> {
    return this.getImage(id, options);
  }

  /**
   * ListImages → ImageInfo per image version. ImageVersion has no state on the wire, so `state`
   * is `UNKNOWN` and `status` is empty: use {@link ImageBuilderClient.listImageBuildVersions} or {@link ImageBuilderClient.getImage}.
   */
  listImages(options: ImageBuilderListImagesOptions = {}): Paginator<ImageInfo> {
    return listImages(this.api, options);
  }

  /** ListImageBuildVersions (of one image version ARN `…/x.y.z`, or all) → ImageInfo per build. */
  listImageBuildVersions(imageVersionArn?: string, options: ListImageBuildVersionsOptions = {}): Paginator<ImageInfo> {
    return listImageBuildVersions(this.api, imageVersionArn, options);
  }

  // workflows

  /** GetWorkflowExecution → ExecutionInfo (kind `workflow`). */
  getWorkflowExecution(id: string, options: { signal?: AbortSignal } = {}): Promise<ExecutionInfo> {
    return getWorkflowExecution(this.api, id, options.signal);
  }

  /** ListWorkflowExecutions of an image build version → ExecutionInfo (kind `workflow`). */
  listWorkflowExecutions(imageBuildVersionArn: string, options: ListOptions = {}): Paginator<ExecutionInfo> {
    return listWorkflowExecutions(this.api, imageBuildVersionArn, options);
  }

  /**
   * ListWorkflowStepExecutions → one StackEvent per step: status, rollback status (action
   * ROLLBACK while/after the step is rolled back), message, inputs/outputs parsed when JSON.
   */
  listWorkflowStepEvents(workflowExecutionId: string, options: EventListOptions = {}): Paginator<StackEvent> {
    return listWorkflowStepEvents(this.api, workflowExecutionId, options);
  }

  /**
   * Follow an image build through its workflows and steps: yields workflow status changes and step
   * transitions once each, oldest first, until the image is AVAILABLE, FAILED, CANCELLED (or later
   * states). `result.final` is the final ImageInfo.
   */
  watchImageBuild(arn: string, options: WatchOptions & EventFilterOptions = {}): WatchStream<StackEvent, ImageInfo> {
    return watchImageBuild(this.api, arn, options);
  }

  // StackEventSource

  /**
   * Events of a lifecycle execution, of one workflow execution, or of every workflow step of an
   * image build version: `ref` is an {@link ImageBuilderRef} (read by the model's id patterns,
   * whole; CONFIG when it has none of them).
   */
  listStackEvents(ref: ImageBuilderRef, options: EventListOptions & LifecycleEventOptions = {}): Paginator<StackEvent> {
    const r = resolveRef(ref, 'listStackEvents');
    if (r.kind === 'lifecycle-execution') return this.listLifecycleExecutionEvents(r.id, options);
    if (r.kind === 'workflow-execution') return this.listWorkflowStepEvents(r.id, options);
    return listImageBuildStepEvents(this.api, r.id, options);
  }

  /** Watch a lifecycle execution or an image build (a workflow execution ref is CONFIG: watch its build). */
  watchStackEvents(ref: ImageBuilderRef, options: WatchOptions & LifecycleEventOptions = {}): WatchStream<StackEvent> {
    const r = resolveRef(ref, 'watchStackEvents', ['lifecycle-execution', 'image-build']);
    if (r.kind === 'lifecycle-execution') return this.watchLifecycleExecution(r.id, options);
    return this.watchImageBuild(r.id, options);
  }
}

/** With your own SDK client, the options of the client stackfeed would create are CONFIG. */
function checkOwnClient(options: ImageBuilderClientOptions): void {
  for (const name of ['tls', 'timeoutMs', 'maxResponseBytes', 'userAgent'] as const)
    if (options[name] !== undefined)
      throw configError(
        `${name} applies to the SDK client stackfeed creates; with { client }, configure your client's requestHandler`,
      );
}
