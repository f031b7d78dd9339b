import type {
  CloudFormationClient,
  Stack,
  StackEvent as CfnStackEvent,
  StackSummary,
} from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EC2Client, Image as Ec2Image } from '@aws-sdk/client-ec2';
import type { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import { type ImageInfo, type StackEvent, StackfeedError } from '@stackfeed/core';
import {
  type FetchedPage,
  type SdkClientConfig,
  type SdkKit,
  type SdkSender,
  createSdkKit,
  drainPages,
  pickSdkAdapterOptions,
} from '@stackfeed/core/adapter';
import { credentialResolver } from '../auth/credentials.js';
import type { Backend, LogEventsQuery, PollState, StackScan, StackTarget } from '../backend.js';
import { DIRECT_ERROR_CODES, notFoundOfValidation } from '../errors.js';
import { toStackEvent } from '../mapping/events.js';
import { MAX_PAGES_PER_POLL, type PollRead, mergeNewestFirst, pollListing } from '../poll.js';
import { toLogStreamInfo } from '../mapping/logs.js';
import { clusterBase, imageFromDescribe, imageFromSummary } from '../mapping/images.js';
import {
  IMAGE_STATUS_FILTER_STACK_STATUSES,
  STACK_TO_IMAGE_BUILD_STATUS,
  clusterStatusFromStack,
  listImagesBuildStatus,
} from '../mapping/tables.js';
import type { CfnEventRecord, ClusterInfo, ImageStatusFilter, LogEventInfo, LogStreamInfo } from '../types.js';
import type { DescribeImageWire } from '../wire/api.js';
import type { DirectModeOptions } from './options.js';

const PROVIDER = 'aws-parallelcluster' as const;
const TAG_IMAGE_ID = 'parallelcluster:image_id';
const TAG_VERSION = 'parallelcluster:version';
const TAG_IMAGE_NAME = 'parallelcluster:image_name';
const TAG_BUILD_STATUS = 'parallelcluster:build_status';
const TAG_BUILD_LOG = 'parallelcluster:build_log';
const IMAGE_LOGICAL_ID = 'ParallelClusterImage';
/** ListStacks pages read to find a deleted stack by name (100 summaries a page). */
const LIST_STACKS_MAX_PAGES = 1000;
/** DescribeStacks pages one discover() scan may read (100 stacks a page). */
const DESCRIBE_STACKS_MAX_PAGES = 10_000;
/** DescribeImages pages read for one image id (a handful of AMIs at most). */
const DESCRIBE_IMAGES_MAX_PAGES = 100;
const logGroupOf = (imageId: string) => `/aws/imagebuilder/ParallelClusterImage-${imageId}`;

/** The four services direct mode reads. */
type ServiceName = 'cloudformation' | 'ec2' | 'imagebuilder' | 'logs';

/** Events cursor: the stacks still to read (first = current), CloudFormation's token, the root stack. */
interface EventsCursor {
  /** Stacks still to read, the current one first. */
  pending: string[];
  /** CloudFormation's NextToken in the current stack. */
  token?: string;
  /** Stacks read to their end. */
  done: string[];
  root: { id: string; name: string };
}

const tagMap = (tags: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined) => {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
  return out;
};
const iso = (date: Date | undefined) =>
  date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;

function recordOf(event: CfnStackEvent): CfnEventRecord {
  return {
    stackId: event.StackId ?? '',
    eventId: event.EventId ?? '',
    stackName: event.StackName ?? '',
    logicalResourceId: event.LogicalResourceId,
    physicalResourceId: event.PhysicalResourceId,
    resourceType: event.ResourceType,
    timestamp: event.Timestamp as Date,
    resourceStatus: event.ResourceStatus,
    resourceStatusReason: event.ResourceStatusReason,
    resourceProperties: event.ResourceProperties,
    clientRequestToken: event.ClientRequestToken,
    hookType: event.HookType,
    hookStatus: event.HookStatus,
    hookStatusReason: event.HookStatusReason,
    hookInvocationPoint: event.HookInvocationPoint,
    hookInvocationId: (event as { HookInvocationId?: string }).HookInvocationId,
    hookFailureMode: event.HookFailureMode,
    detailedStatus: event.DetailedStatus,
    operationId: (event as { OperationId?: string }).OperationId,
  };
}

function invalid(operation: string, fieldPath: string): StackfeedError {
  return new StackfeedError({
    code: 'INVALID_RESPONSE',
    provider: PROVIDER,
    operation,
    fieldPath,
    message: `${PROVIDER} ${operation}: response field ${fieldPath} is missing`,
  });
}

function notFound(operation: string, message: string, cause?: unknown): StackfeedError {
  return new StackfeedError({ code: 'NOT_FOUND', provider: PROVIDER, operation, message, cause, httpStatus: 404 });
}

/**
 * Direct mode: pcluster's own recipes (how its CLI reads images, clusters and logs from the services themselves) with the AWS SDK v3 clients, each
 * imported the first time it is needed. @internal
 */
export class DirectBackend implements Backend {
  readonly mode = 'direct' as const;
  readonly nestedStacks = true;
  readonly listingTags = true;
  private readonly opts: DirectModeOptions;
  private readonly credentials: ReturnType<typeof credentialResolver>;
  private cfnClient:
    | Promise<{ client: CloudFormationClient; sdk: typeof import('@aws-sdk/client-cloudformation') }>
    | undefined;
  private ec2Client: Promise<{ client: EC2Client; sdk: typeof import('@aws-sdk/client-ec2') }> | undefined;
  private ibClient:
    | Promise<{ client: ImagebuilderClient; sdk: typeof import('@aws-sdk/client-imagebuilder') }>
    | undefined;
  private logsClient:
    | Promise<{ client: CloudWatchLogsClient; sdk: typeof import('@aws-sdk/client-cloudwatch-logs') }>
    | undefined;

  /** Region, credentials, ONE bounded request handler and ONE request budget shared by the four SDK clients. */
  private readonly kit: SdkKit;
  /** Each service's client config (its endpoint override applied), checked at construction. */
  private readonly configs: Record<ServiceName, SdkClientConfig>;

  constructor(opts: DirectModeOptions) {
    this.opts = opts;
    this.credentials = credentialResolver(opts.credentials);
    // Built now, so a bad region, endpoint, timeout or TLS option is CONFIG at construction.
    this.kit = createSdkKit({
      provider: PROVIDER,
      errorCodes: DIRECT_ERROR_CODES,
      refineError: notFoundOfValidation,
      credentials: this.credentials,
      ...pickSdkAdapterOptions(opts),
    });
    const endpoints = opts.endpoints ?? {};
    this.configs = {
      cloudformation: this.kit.configFor(endpoints.cloudformation),
      ec2: this.kit.configFor(endpoints.ec2),
      imagebuilder: this.kit.configFor(endpoints.imagebuilder),
      logs: this.kit.configFor(endpoints.logs),
    };
  }

  async preload(): Promise<void> {
    await Promise.all([this.cfn(), this.ec2(), this.ib(), this.logs()]);
  }

  // Every SDK client (stackfeed's or the caller's) is finished by the kit: credentials registered
  // for redaction, the empty-body check, and one request budget over all four services.

  private cfn() {
    this.cfnClient ??= import('@aws-sdk/client-cloudformation').then((sdk) => ({
      sdk,
      client: this.kit.prepare(
        this.opts.clients?.cloudformation ?? new sdk.CloudFormationClient(this.configs.cloudformation),
      ),
    }));
    return this.cfnClient;
  }
  private ec2() {
    this.ec2Client ??= import('@aws-sdk/client-ec2').then((sdk) => ({
      sdk,
      client: this.kit.prepare(this.opts.clients?.ec2 ?? new sdk.EC2Client(this.configs.ec2)),
    }));
    return this.ec2Client;
  }
  private ib() {
    this.ibClient ??= import('@aws-sdk/client-imagebuilder').then((sdk) => ({
      sdk,
      client: this.kit.prepare(
        this.opts.clients?.imagebuilder ?? new sdk.ImagebuilderClient(this.configs.imagebuilder),
      ),
    }));
    return this.ibClient;
  }
  private logs() {
    this.logsClient ??= import('@aws-sdk/client-cloudwatch-logs').then((sdk) => ({
      sdk,
      client: this.kit.prepare(this.opts.clients?.logs ?? new sdk.CloudWatchLogsClient(this.configs.logs)),
    }));
    return this.logsClient;
  }

  /** One SDK call under core's retry policy and deadlines; CloudFormation's "does not exist" is NOT_FOUND. */
  private call<C>(client: SdkSender, command: C, operation: string, signal: AbortSignal | undefined) {
    return this.kit.call(client, command, operation, signal);
  }

  private async region(): Promise<string> {
    const { client } = await this.cfn();
    return client.config.region();
  }

  // ---------------------------------------------------------------- CloudFormation helpers

  /** DescribeStacks(StackName); ValidationError → undefined. */
  private async describeStack(nameOrId: string, signal: AbortSignal | undefined): Promise<Stack | undefined> {
    const { client, sdk } = await this.cfn();
    try {
      const out = await this.call(
        client,
        new sdk.DescribeStacksCommand({ StackName: nameOrId }),
        'DescribeStacks',
        signal,
      );
      const stack = (out.Stacks as Stack[] | undefined)?.[0];
      // CloudFormation answers a named DescribeStacks with the stack or a ValidationError, never with nothing.
      if (!stack) throw invalid('DescribeStacks', 'Stacks[0]');
      if (!stack.StackId) throw invalid('DescribeStacks', 'Stacks[0].StackId');
      return stack;
    } catch (err) {
      if (StackfeedError.is(err, 'NOT_FOUND') || (StackfeedError.is(err) && err.providerCode === 'ValidationError'))
        return undefined;
      throw err;
    }
  }

  /**
   * The unique id of a stack by name: the live one (DescribeStacks), else the newest deleted one
   * (ListStacks keeps deleted stacks for 90 days; their events are read by id only).
   */
  private async resolveStackId(name: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    const live = await this.describeStack(name, signal);
    if (live?.StackId) return live.StackId;
    const { client, sdk } = await this.cfn();
    const deleted = await drainPages<StackSummary, string>(
      async (token) => {
        const out = await this.call(
          client,
          new sdk.ListStacksCommand({ StackStatusFilter: ['DELETE_COMPLETE'], ...(token ? { NextToken: token } : {}) }),
          'ListStacks',
          signal,
        );
        return { items: (out.StackSummaries ?? []) as StackSummary[], next: out.NextToken || undefined };
      },
      { maxPages: LIST_STACKS_MAX_PAGES, signal },
    );
    let best: { id: string; created: number } | undefined;
    for (const summary of deleted.items) {
      if (summary.StackName !== name || !summary.StackId) continue;
      const created = summary.CreationTime instanceof Date ? summary.CreationTime.getTime() : 0;
      if (!best || created > best.created) best = { id: summary.StackId, created };
    }
    return best?.id;
  }

  /**
   * One DescribeStackEvents page. `stack` is a stack id, or (first page of a listing) a name: then
   * the root's id is taken from the events themselves (every event carries its StackId).
   */
  private async eventsPage(
    stack: string,
    token: string | undefined,
    rootIn: { id?: string | undefined; name: string },
    signal: AbortSignal | undefined,
  ): Promise<{ items: StackEvent[]; next: string | undefined; nested: string[]; stackId: string | undefined }> {
    const { client, sdk } = await this.cfn();
    const out = await this.call(
      client,
      new sdk.DescribeStackEventsCommand({ StackName: stack, ...(token ? { NextToken: token } : {}) }),
      'DescribeStackEvents',
      signal,
    );
    const stackId: string | undefined = (out.StackEvents as CfnStackEvent[] | undefined)?.[0]?.StackId;
    const root = { id: rootIn.id ?? stackId, name: rootIn.name };
    const items: StackEvent[] = [];
    const nested: string[] = [];
    for (const [index, event] of ((out.StackEvents ?? []) as CfnStackEvent[]).entries()) {
      if (!event.EventId) throw invalid('DescribeStackEvents', `StackEvents[${index}].EventId`);
      if (!(event.Timestamp instanceof Date) || Number.isNaN(event.Timestamp.getTime()))
        throw invalid('DescribeStackEvents', `StackEvents[${index}].Timestamp`);
      if (!event.StackId) throw invalid('DescribeStackEvents', `StackEvents[${index}].StackId`);
      // The fourth member CloudFormation's model requires (StackEvent: StackId, EventId, StackName, Timestamp).
      if (!event.StackName) throw invalid('DescribeStackEvents', `StackEvents[${index}].StackName`);
      items.push(toStackEvent(recordOf(event), event, root));
      if (
        event.ResourceType === 'AWS::CloudFormation::Stack' &&
        event.PhysicalResourceId &&
        event.PhysicalResourceId !== event.StackId &&
        event.PhysicalResourceId.startsWith('arn:')
      )
        nested.push(event.PhysicalResourceId);
    }
    return { items, next: out.NextToken ?? undefined, nested, stackId };
  }

  /** Nested stacks (recursively) from DescribeStackResources: `AWS::CloudFormation::Stack` resources. */
  private async nestedStacksOf(stackId: string, signal: AbortSignal | undefined): Promise<string[]> {
    const { client, sdk } = await this.cfn();
    const out: string[] = [];
    const queue = [stackId];
    const seen = new Set(queue);
    while (queue.length > 0 && seen.size < 1000) {
      const id = queue.shift() as string;
      const res = await this.call(
        client,
        new sdk.DescribeStackResourcesCommand({ StackName: id }),
        'DescribeStackResources',
        signal,
      );
      for (const resource of res.StackResources ?? []) {
        const physicalId = resource.PhysicalResourceId;
        if (resource.ResourceType !== 'AWS::CloudFormation::Stack' || !physicalId?.startsWith('arn:')) continue;
        if (seen.has(physicalId)) continue;
        seen.add(physicalId);
        out.push(physicalId);
        queue.push(physicalId);
      }
    }
    return out;
  }

  private async rootOf(target: StackTarget, signal: AbortSignal | undefined): Promise<{ id: string; name: string }> {
    const id = await this.resolveStackId(target.name, signal);
    if (!id)
      throw notFound(
        'DescribeStackEvents',
        target.kind === 'image'
          ? `CloudFormation Stack for Image ${target.name} does not exist.`
          : `Cluster ${target.name} does not exist.`,
      );
    return { id, name: target.name };
  }

  // ---------------------------------------------------------------- Backend

  async stackEventsPage(target: StackTarget, cursor: unknown, signal: AbortSignal | undefined) {
    let at = cursor as EventsCursor | undefined;
    let page: Awaited<ReturnType<DirectBackend['eventsPage']>> | undefined;
    if (!at) {
      // First page by name (a live stack: no extra call); a deleted stack is found through ListStacks.
      try {
        page = await this.eventsPage(target.name, undefined, { name: target.name }, signal);
      } catch (err) {
        if (!StackfeedError.is(err, 'NOT_FOUND')) throw err;
      }
      if (page?.stackId) at = { pending: [page.stackId], done: [], root: { id: page.stackId, name: target.name } };
      // A stack CloudFormation admits to always has events (its CREATE_IN_PROGRESS at least).
      else if (page) throw invalid('DescribeStackEvents', 'StackEvents');
      else {
        const root = await this.rootOf(target, signal);
        at = { pending: [root.id], done: [], root };
        page = undefined;
      }
    }
    const stackId = at.pending[0] as string;
    page ??= await this.eventsPage(stackId, at.token, at.root, signal);
    const known = new Set([...at.pending, ...at.done]);
    const pending = [...at.pending];
    for (const nestedId of page.nested) {
      if (known.has(nestedId)) continue;
      pending.push(nestedId);
      known.add(nestedId);
    }
    let next: EventsCursor | undefined;
    if (page.next !== undefined) next = { ...at, pending, token: page.next };
    else {
      const rest = pending.slice(1);
      if (rest.length > 0) next = { pending: rest, done: [...at.done, stackId], root: at.root };
    }
    return { items: page.items, next } satisfies FetchedPage<StackEvent, unknown>;
  }

  async pollStackEvents(target: StackTarget, state: PollState, signal: AbortSignal | undefined): Promise<PollRead> {
    const sinceMs = state.fullReread ? undefined : state.since?.getTime();
    if (!state.stackId) {
      state.stackId = (await this.rootOf(target, signal)).id;
      // A watch that starts later than the nested stacks were created does not read their creation
      // events: ask CloudFormation for the stack's nested stacks once.
      if (state.since !== undefined)
        for (const id of await this.nestedStacksOf(state.stackId, signal)) state.nested.set(id, state.stackId);
    }
    const root = { id: state.stackId, name: target.name };
    const listings: StackEvent[][] = [];
    const queue = [state.stackId, ...state.nested.keys()];
    const visited = new Set<string>();
    let pages = 0;
    let capped = false;
    while (queue.length > 0 && !capped) {
      const stackId = queue.shift() as string;
      if (visited.has(stackId)) continue;
      visited.add(stackId);
      const read = await pollListing<string>(
        async (token) => {
          const page = await this.eventsPage(stackId, token, root, signal);
          for (const nestedId of page.nested) {
            if (!state.nested.has(nestedId)) state.nested.set(nestedId, stackId);
            if (!visited.has(nestedId)) queue.push(nestedId);
          }
          return page;
        },
        sinceMs,
        MAX_PAGES_PER_POLL - pages,
        signal,
      );
      pages += read.pages;
      listings.push(read.events);
      // The budget is for the whole poll: the stacks not read yet wait for the next one.
      capped = read.capped || (pages >= MAX_PAGES_PER_POLL && queue.some((id) => !visited.has(id)));
    }
    return { events: mergeNewestFirst(listings), capped, pages };
  }

  async describeImage(imageId: string, signal: AbortSignal | undefined): Promise<ImageInfo> {
    const region = await this.region();
    // 1) A finished image is an AMI tagged by pcluster.
    const amis = await this.describeImages(
      [
        { Name: `tag:${TAG_IMAGE_ID}`, Values: [imageId] },
        { Name: `tag:${TAG_BUILD_STATUS}`, Values: ['available'] },
      ],
      undefined,
      signal,
      true,
    );
    const ami = amis.images[0];
    if (ami?.ImageId) return this.imageOfAmi(imageId, ami, region);
    // 2) A build in progress (or failed) is a stack named after the image.
    return this.imageOfStack(imageId, region, signal);
  }

  /** DescribeImage's AMI path: pcluster's answer for a finished image. */
  private imageOfAmi(imageId: string, ami: Ec2Image, region: string): ImageInfo {
    const tagList = (ami.Tags ?? []).map((tag) => ({ key: tag.Key, value: tag.Value }));
    const tags = tagMap(ami.Tags);
    const wire: DescribeImageWire = {
      imageId,
      region,
      version: tags[TAG_VERSION] ?? '',
      imageBuildStatus: 'BUILD_COMPLETE',
      creationTime: ami.CreationDate,
      imageConfiguration: undefined,
      ec2AmiInfo: {
        amiId: ami.ImageId as string,
        tags: tagList,
        amiName: ami.Name,
        architecture: ami.Architecture,
        state: ami.State?.toUpperCase(),
        description: ami.Description,
      },
      imageBuildLogsArn: tags[TAG_BUILD_LOG],
      imagebuilderImageStatus: undefined,
      imagebuilderImageStatusReason: undefined,
      cloudformationStackStatus: undefined,
      cloudformationStackStatusReason: undefined,
      cloudformationStackArn: undefined,
      cloudformationStackCreationTime: undefined,
      cloudformationStackTags: undefined,
    };
    return imageFromDescribe(stripUndefined(wire), { ami });
  }

  /** DescribeImage's stack path: the build stack, its Image Builder image and that image's state. */
  private async imageOfStack(imageId: string, region: string, signal: AbortSignal | undefined): Promise<ImageInfo> {
    const stack = await this.describeStack(imageId, signal);
    if (!stack?.StackId || !stack.StackStatus)
      throw notFound('DescribeImage', `No image or stack associated with ParallelCluster image id: ${imageId}.`);
    const tags = tagMap(stack.Tags);
    let ibStatus: string | undefined;
    let ibReason: string | undefined;
    let ibImage: unknown;
    const { client, sdk } = await this.cfn();
    let physicalId: string | undefined;
    try {
      const res = await this.call(
        client,
        new sdk.DescribeStackResourceCommand({ StackName: stack.StackId, LogicalResourceId: IMAGE_LOGICAL_ID }),
        'DescribeStackResource',
        signal,
      );
      physicalId = res.StackResourceDetail?.PhysicalResourceId || undefined;
    } catch (err) {
      if (!(StackfeedError.is(err) && (err.code === 'NOT_FOUND' || err.code === 'BAD_REQUEST'))) throw err;
    }
    if (physicalId?.startsWith('arn:')) {
      const ib = await this.ib();
      try {
        const out = await this.call(
          ib.client,
          new ib.sdk.GetImageCommand({ imageBuildVersionArn: physicalId }),
          'GetImage',
          signal,
        );
        ibImage = out.image;
        ibStatus = out.image?.state?.status;
        ibReason = out.image?.state?.reason;
      } catch (err) {
        if (!StackfeedError.is(err, 'NOT_FOUND')) throw err;
      }
    }
    const wire: DescribeImageWire = {
      imageId,
      region,
      version: tags[TAG_VERSION] ?? '',
      imageBuildStatus: STACK_TO_IMAGE_BUILD_STATUS[stack.StackStatus],
      imageBuildLogsArn: tags[TAG_BUILD_LOG],
      cloudformationStackStatus: stack.StackStatus,
      cloudformationStackStatusReason: stack.StackStatusReason,
      cloudformationStackArn: stack.StackId,
      creationTime: iso(stack.CreationTime),
      cloudformationStackCreationTime: iso(stack.CreationTime),
      cloudformationStackTags: (stack.Tags ?? []).map((tag) => ({ key: tag.Key, value: tag.Value })),
      imageConfiguration: undefined,
      imagebuilderImageStatus: ibStatus,
      imagebuilderImageStatusReason: ibReason,
      ec2AmiInfo: undefined,
    };
    return imageFromDescribe(stripUndefined(wire), {
      stack,
      ...(ibImage !== undefined ? { imagebuilderImage: ibImage } : {}),
    });
  }

  private async describeImages(
    filters: Array<{ Name: string; Values: string[] }>,
    token: string | undefined,
    signal: AbortSignal | undefined,
    all: boolean,
  ): Promise<{ images: Ec2Image[]; next: string | undefined }> {
    const { client, sdk } = await this.ec2();
    const fetch = async (next: string | undefined) => {
      const out = await this.call(
        client,
        new sdk.DescribeImagesCommand({ Owners: ['self'], Filters: filters, ...(next ? { NextToken: next } : {}) }),
        'DescribeImages',
        signal,
      );
      return { items: (out.Images ?? []) as Ec2Image[], next: (out.NextToken as string | undefined) || undefined };
    };
    if (!all) {
      const page = await fetch(token);
      return { images: page.items, next: page.next };
    }
    const drained = await drainPages(fetch, { maxPages: DESCRIBE_IMAGES_MAX_PAGES, start: token, signal });
    return { images: drained.items, next: undefined };
  }

  async listImagesPage(status: ImageStatusFilter, cursor: string | undefined, signal: AbortSignal | undefined) {
    const region = await this.region();
    if (status === 'AVAILABLE') {
      const page = await this.describeImages(
        [
          { Name: 'tag-key', Values: [TAG_IMAGE_ID] },
          { Name: `tag:${TAG_BUILD_STATUS}`, Values: ['available'] },
        ],
        cursor,
        signal,
        false,
      );
      const items: ImageInfo[] = [];
      for (const ami of page.images) {
        const tags = tagMap(ami.Tags);
        const id = tags[TAG_IMAGE_ID];
        if (!id || !ami.ImageId) continue;
        items.push(
          imageFromSummary(
            {
              imageId: id,
              region,
              version: tags[TAG_VERSION] ?? '',
              imageBuildStatus: 'BUILD_COMPLETE',
              ec2AmiInfo: { amiId: ami.ImageId },
              cloudformationStackArn: undefined,
              cloudformationStackStatus: undefined,
            },
            ami,
            tags[TAG_IMAGE_NAME] ?? id,
            tags,
          ),
        );
      }
      return { items, next: page.next } satisfies FetchedPage<ImageInfo, string>;
    }
    const page = await this.stacksPage(cursor, signal);
    return { items: this.imagesOfStacks(page.stacks, status, region), next: page.next } satisfies FetchedPage<
      ImageInfo,
      string
    >;
  }

  /** ListImages' stack path: the build stacks among `stacks` that `imageStatus=status` keeps. */
  private imagesOfStacks(stacks: readonly Stack[], status: 'PENDING' | 'FAILED', region: string): ImageInfo[] {
    const keep = new Set(IMAGE_STATUS_FILTER_STACK_STATUSES[status]);
    const items: ImageInfo[] = [];
    for (const stack of stacks) {
      const tags = tagMap(stack.Tags);
      const id = tags[TAG_IMAGE_ID];
      if (stack.ParentId || !id || !stack.StackStatus || !keep.has(stack.StackStatus)) continue;
      items.push(
        imageFromSummary(
          {
            imageId: id,
            region,
            version: tags[TAG_VERSION] ?? '',
            imageBuildStatus: listImagesBuildStatus(stack.StackStatus),
            cloudformationStackStatus: stack.StackStatus,
            cloudformationStackArn: stack.StackId,
            ec2AmiInfo: undefined,
          },
          stack,
          tags[TAG_IMAGE_NAME] ?? id,
          tags,
        ),
      );
    }
    return items;
  }

  /**
   * discover()'s direct path: ONE DescribeStacks scan serves the PENDING and FAILED image listings
   * and the cluster listing, which would each scan every stack of the region again.
   */
  async scanStacks(signal: AbortSignal | undefined): Promise<StackScan> {
    const region = await this.region();
    const read = await drainPages<Stack, string>(
      async (cursor) => {
        const page = await this.stacksPage(cursor, signal);
        return { items: page.stacks, next: page.next };
      },
      { maxPages: DESCRIBE_STACKS_MAX_PAGES, maxEmptyPages: DESCRIBE_STACKS_MAX_PAGES, signal },
    );
    if (read.stoppedBy === 'max-pages')
      throw new StackfeedError({
        code: 'INVALID_RESPONSE',
        provider: PROVIDER,
        operation: 'DescribeStacks',
        retryable: false,
        message: `DescribeStacks did not end within ${DESCRIBE_STACKS_MAX_PAGES} pages`,
      });
    const stacks = read.items;
    return {
      images: (status) => this.imagesOfStacks(stacks, status, region),
      clusters: (statuses) => this.clustersOfStacks(stacks, statuses, region),
    };
  }

  private async stacksPage(cursor: string | undefined, signal: AbortSignal | undefined) {
    const { client, sdk } = await this.cfn();
    const out = await this.call(
      client,
      new sdk.DescribeStacksCommand(cursor ? { NextToken: cursor } : {}),
      'DescribeStacks',
      signal,
    );
    return { stacks: (out.Stacks ?? []) as Stack[], next: (out.NextToken as string | undefined) || undefined };
  }

  private async requireLogGroup(imageId: string, signal: AbortSignal | undefined): Promise<void> {
    const { client, sdk } = await this.logs();
    const group = logGroupOf(imageId);
    const out = await this.call(
      client,
      new sdk.DescribeLogGroupsCommand({ logGroupNamePrefix: group }),
      'DescribeLogGroups',
      signal,
    );
    if (!(out.logGroups ?? []).some((logGroup: { logGroupName?: string }) => logGroup.logGroupName === group))
      throw notFound(
        'ListImageLogStreams',
        `Unable to find image logs, please double check if image id=${imageId} is correct.`,
      );
  }

  async logStreamsPage(imageId: string, cursor: string | undefined, signal: AbortSignal | undefined) {
    if (cursor === undefined) await this.requireLogGroup(imageId, signal);
    const { client, sdk } = await this.logs();
    const out = await this.call(
      client,
      new sdk.DescribeLogStreamsCommand({
        logGroupName: logGroupOf(imageId),
        ...(cursor ? { nextToken: cursor } : {}),
      }),
      'DescribeLogStreams',
      signal,
    );
    const items: LogStreamInfo[] = [];
    const epoch = (ms: number | undefined) => (typeof ms === 'number' ? new Date(ms) : undefined);
    for (const [index, stream] of (out.logStreams ?? []).entries()) {
      if (!stream.logStreamName) throw invalid('DescribeLogStreams', `logStreams[${index}].logStreamName`);
      const fields = {
        name: stream.logStreamName,
        arn: stream.arn,
        createdAt: epoch(stream.creationTime),
        firstEventAt: epoch(stream.firstEventTimestamp),
        lastEventAt: epoch(stream.lastEventTimestamp),
        lastIngestionAt: epoch(stream.lastIngestionTime),
        uploadSequenceToken: stream.uploadSequenceToken,
      };
      items.push(toLogStreamInfo(fields, stream));
    }
    return { items, next: out.nextToken || undefined } satisfies FetchedPage<LogStreamInfo, string>;
  }

  async logEventsPage(
    imageId: string,
    stream: string,
    cursor: string | undefined,
    query: LogEventsQuery,
    signal: AbortSignal | undefined,
  ) {
    const { client, sdk } = await this.logs();
    const out = await this.call(
      client,
      new sdk.GetLogEventsCommand({
        logGroupName: logGroupOf(imageId),
        logStreamName: stream,
        startFromHead: true,
        ...(cursor ? { nextToken: cursor } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
        ...(query.startTime ? { startTime: query.startTime.getTime() } : {}),
        ...(query.endTime ? { endTime: query.endTime.getTime() } : {}),
      }),
      'GetLogEvents',
      signal,
    );
    const items: LogEventInfo[] = [];
    for (const [index, logEvent] of (out.events ?? []).entries()) {
      if (typeof logEvent.timestamp !== 'number') throw invalid('GetLogEvents', `events[${index}].timestamp`);
      items.push({ timestamp: new Date(logEvent.timestamp), message: logEvent.message ?? '', stream, raw: logEvent });
    }
    const forward: string | undefined = out.nextForwardToken || undefined;
    return { items, next: forward !== undefined && forward !== cursor ? forward : undefined } satisfies FetchedPage<
      LogEventInfo,
      string
    >;
  }

  async listClustersPage(
    statuses: readonly string[] | undefined,
    cursor: string | undefined,
    signal: AbortSignal | undefined,
  ) {
    const region = await this.region();
    const page = await this.stacksPage(cursor, signal);
    return { items: this.clustersOfStacks(page.stacks, statuses, region), next: page.next } satisfies FetchedPage<
      ClusterInfo,
      string
    >;
  }

  /** ListClusters over `stacks`: parentless stacks with `parallelcluster:version` and no image id. */
  private clustersOfStacks(
    stacks: readonly Stack[],
    statuses: readonly string[] | undefined,
    region: string,
  ): ClusterInfo[] {
    const want = statuses && statuses.length > 0 ? new Set(statuses) : undefined;
    const items: ClusterInfo[] = [];
    for (const stack of stacks) {
      const tags = tagMap(stack.Tags);
      if (
        stack.ParentId ||
        tags[TAG_VERSION] === undefined ||
        tags[TAG_IMAGE_ID] !== undefined ||
        !stack.StackName ||
        !stack.StackStatus
      )
        continue;
      const info = this.clusterOf(stack, region);
      if (want && !want.has(info.clusterStatus)) continue;
      items.push(info);
    }
    return items;
  }

  private clusterOf(stack: Stack, region: string): ClusterInfo {
    const tags = tagMap(stack.Tags);
    const status = stack.StackStatus as string;
    const cluster: ClusterInfo = {
      ...clusterBase(stack.StackName as string, clusterStatusFromStack(status), status, stack),
      region,
    };
    if (stack.StackId) cluster.id = stack.StackId;
    if (tags[TAG_VERSION] !== undefined) cluster.version = tags[TAG_VERSION];
    if (stack.CreationTime) cluster.createdAt = stack.CreationTime;
    if (stack.LastUpdatedTime ?? stack.CreationTime)
      cluster.updatedAt = (stack.LastUpdatedTime ?? stack.CreationTime) as Date;
    if (stack.StackStatusReason) cluster.reason = stack.StackStatusReason;
    const params: Record<string, string> = {};
    for (const param of stack.Parameters ?? [])
      if (param.ParameterKey) params[param.ParameterKey] = param.ParameterValue ?? '';
    const scheduler = params.Scheduler;
    if (scheduler) cluster.scheduler = scheduler;
    cluster.details = { tags, ...(params.ClusterCWLogGroup ? { logGroup: params.ClusterCWLogGroup } : {}) };
    return cluster;
  }

  async describeCluster(name: string, signal: AbortSignal | undefined): Promise<ClusterInfo> {
    const stack = await this.describeStack(name, signal);
    const tags = tagMap(stack?.Tags);
    if (
      !stack?.StackName ||
      !stack.StackStatus ||
      tags[TAG_VERSION] === undefined ||
      tags[TAG_IMAGE_ID] !== undefined ||
      stack.ParentId
    )
      throw notFound(
        'DescribeCluster',
        `Cluster '${name}' does not exist or belongs to an incompatible ParallelCluster major version.`,
      );
    return this.clusterOf(stack, await this.region());
  }
}

function stripUndefined<T extends object>(record: T): T {
  for (const key of Object.keys(record) as Array<keyof T>) if (record[key] === undefined) delete record[key];
  return record;
}
