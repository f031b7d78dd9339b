import {
  type DiscoverOptions,
  type DiscoveredTarget,
  type ImageInfo,
  StackfeedError,
  type TargetKind,
} from '@stackfeed/core';
import { drainPages, inProgressFirst, matchesDiscoverFilters, nameMatcher } from '@stackfeed/core/adapter';
import type { Backend } from '../backend.js';
import { configError } from '../errors.js';
import { isStackInProgress } from '../mapping/tables.js';
import type { ClusterInfo, ImageStatusFilter, ParallelClusterStackRef } from '../types.js';

const PROVIDER = 'aws-parallelcluster' as const;
/** The kinds this client follows, in the order discover() lists them. */
const PC_KINDS = ['image', 'cluster'] as const;
type PcKind = (typeof PC_KINDS)[number];
const ALL_KINDS: readonly TargetKind[] = ['stack', 'image', 'cluster', 'image-build', 'lifecycle-execution'];
/** Pages one listing may have before discover() refuses it (100 stacks a page: a million stacks). */
const LISTING_MAX_PAGES = 10_000;
/**
 * ListImages (PENDING/FAILED) and ListClusters filter one DescribeStacks page per call, so long
 * runs of empty pages are normal in a large account (each with a fresh token).
 */
const LISTING_MAX_EMPTY_PAGES = 10_000;
/** DescribeImage / DescribeCluster calls in flight at once when API mode reads tags. */
const DESCRIBE_CONCURRENCY = 4;

/**
 * ListClusters `clusterStatus` values that can hold a stack CloudFormation is working on:
 * CREATE_FAILED covers ROLLBACK_IN_PROGRESS (pcluster maps a rolling-back create to it), and
 * UPDATE_IN_PROGRESS covers UPDATE_ROLLBACK_IN_PROGRESS.
 */
const ACTIVE_CLUSTER_STATUSES = ['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'DELETE_IN_PROGRESS', 'CREATE_FAILED'];
/**
 * ListImages `imageStatus` values that can hold a running build stack: PENDING (CREATE_IN_PROGRESS)
 * and FAILED (which includes ROLLBACK_IN_PROGRESS). AVAILABLE lists finished AMIs only.
 */
const ACTIVE_IMAGE_STATUSES: readonly ImageStatusFilter[] = ['PENDING', 'FAILED'];
const ALL_IMAGE_STATUSES: readonly ImageStatusFilter[] = ['AVAILABLE', 'PENDING', 'FAILED'];

/** What discover() will read, from validated options. @internal */
export interface DiscoverPlan {
  kinds: PcKind[];
  imageStatuses: readonly ImageStatusFilter[];
  clusterStatuses: readonly string[] | undefined;
  /** Tags were asked for: API mode describes each candidate to learn them. */
  tags: Record<string, string> | undefined;
  /** A stable form of the options for the continuation token's scope. */
  scope: unknown;
}

/** Validate discover()'s options (CONFIG on a mistake) and decide the server-side filters. @internal */
export function discoverPlan(options: DiscoverOptions): DiscoverPlan {
  if (!options || typeof options !== 'object') throw configError('discover: options must be an object');
  const { kinds, name, tags, activeOnly } = options;
  if (kinds !== undefined) {
    if (!Array.isArray(kinds)) throw configError('discover: kinds must be an array of target kinds');
    for (const k of kinds)
      if (!ALL_KINDS.includes(k))
        throw configError(`discover: kind ${JSON.stringify(k)} is not one of ${ALL_KINDS.join(', ')}`);
  }
  if (name !== undefined && typeof name !== 'string' && !(name instanceof RegExp))
    throw configError('discover: name must be a glob string or a RegExp');
  if (tags !== undefined) {
    if (!tags || typeof tags !== 'object' || Array.isArray(tags))
      throw configError('discover: tags must be an object of tag names to values');
    for (const [k, v] of Object.entries(tags))
      if (typeof v !== 'string') throw configError(`discover: the value of tag ${JSON.stringify(k)} is not a string`);
  }
  if (activeOnly !== undefined && typeof activeOnly !== 'boolean')
    throw configError('discover: activeOnly must be a boolean');
  // Kinds another provider follows ('stack', …) select nothing here: one fleet config fits every client.
  const picked = PC_KINDS.filter((k) => kinds === undefined || kinds.includes(k));
  return {
    kinds: picked,
    imageStatuses: activeOnly ? ACTIVE_IMAGE_STATUSES : ALL_IMAGE_STATUSES,
    clusterStatuses: activeOnly ? ACTIVE_CLUSTER_STATUSES : undefined,
    tags: tags && Object.keys(tags).length > 0 ? { ...tags } : undefined,
    scope: {
      kinds: picked,
      activeOnly: activeOnly === true,
      name: name instanceof RegExp ? { re: name.source, flags: name.flags } : name,
      tags: tags ? Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : undefined,
    },
  };
}

/** `arn:aws:cloudformation:<region>:<account>:stack/…` → the account. */
const accountOfArn = (arn: string | undefined) => (arn ? /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1] : undefined);

/** An image (ListImages summary or DescribeImage) as a discovery target. */
export function imageTarget(info: ImageInfo, withTags: boolean): DiscoveredTarget<ParallelClusterStackRef> {
  const stackStatus = info.stack?.status;
  const t: DiscoveredTarget<ParallelClusterStackRef> = {
    provider: PROVIDER,
    kind: 'image',
    ref: { kind: 'image', name: info.id },
    name: info.id,
    status: info.status,
    state: info.state,
    // A build stack says it best; an image without one (an AMI) is running only while pending.
    inProgress:
      stackStatus !== undefined
        ? isStackInProgress(stackStatus)
        : info.state === 'PENDING' || info.state === 'BUILDING' || info.state === 'DELETING',
  };
  if (info.stack?.id !== undefined) t.id = info.stack.id;
  if (info.createdAt) t.createdAt = info.createdAt;
  if (info.region !== undefined) t.region = info.region;
  const account = accountOfArn(info.stack?.id);
  if (account) t.account = account;
  if (withTags) t.tags = { ...info.tags };
  const details: Record<string, unknown> = {};
  if (info.version !== undefined) details.version = info.version;
  if (stackStatus !== undefined) details.stackStatus = stackStatus;
  if (info.name !== undefined && info.name !== info.id) details.imageName = info.name;
  const amis = info.artifacts.filter((a) => a.kind === 'ami').map((a) => a.id);
  if (amis.length > 0) details.amiIds = amis;
  if (Object.keys(details).length > 0) t.details = details;
  return t;
}

/** A cluster (ListClusters summary or DescribeCluster) as a discovery target. */
export function clusterTarget(info: ClusterInfo, withTags: boolean): DiscoveredTarget<ParallelClusterStackRef> {
  const t: DiscoveredTarget<ParallelClusterStackRef> = {
    provider: PROVIDER,
    kind: 'cluster',
    ref: { kind: 'cluster', name: info.name as string },
    name: info.name as string,
    status: info.clusterStatus,
    state: info.state,
    inProgress: isStackInProgress(info.stackStatus),
  };
  if (info.id !== undefined) t.id = info.id;
  if (info.createdAt) t.createdAt = info.createdAt;
  if (info.updatedAt) t.updatedAt = info.updatedAt;
  if (info.region !== undefined) t.region = info.region;
  const account = accountOfArn(info.id);
  if (account) t.account = account;
  if (withTags) t.tags = { ...((info.details?.tags as Record<string, string> | undefined) ?? {}) };
  const details: Record<string, unknown> = { stackStatus: info.stackStatus };
  if (info.version !== undefined) details.version = info.version;
  if (info.scheduler !== undefined) details.scheduler = info.scheduler;
  t.details = details;
  return t;
}

/** Every page of one listing, through core's paging loop; a listing without end is an error, not a cut. */
async function readListing<T>(
  operation: string,
  fetch: (cursor: string | undefined) => Promise<{ items: T[]; next?: string | undefined }>,
  signal: AbortSignal | undefined,
): Promise<T[]> {
  const read = await drainPages<T, string>(fetch, {
    maxPages: LISTING_MAX_PAGES,
    maxEmptyPages: LISTING_MAX_EMPTY_PAGES,
    signal,
  });
  if (read.stoppedBy === 'max-pages')
    throw new StackfeedError({
      code: 'INVALID_RESPONSE',
      provider: PROVIDER,
      operation,
      retryable: false,
      message: `discover: ${operation} did not end within ${LISTING_MAX_PAGES} pages`,
    });
  return read.items;
}

/** `fn` over `items`, at most `limit` at once, results in input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Every target the plan selects, in-progress first (then images before clusters, each in its
 * listing order). Names are matched before anything is described; in API mode a tag filter costs
 * one DescribeImage / DescribeCluster per remaining candidate (the listings carry no tags), while
 * direct mode's listings (DescribeImages, DescribeStacks) carry them, and one DescribeStacks scan
 * serves both kinds there. @internal
 */
export async function discoverTargets(
  backend: Backend,
  plan: DiscoverPlan,
  options: DiscoverOptions,
  signal: AbortSignal | undefined,
): Promise<DiscoveredTarget<ParallelClusterStackRef>[]> {
  const nameOk = nameMatcher(options.name);
  const listingTags = backend.listingTags;
  const describeForTags = plan.tags !== undefined && !listingTags;
  const found: DiscoveredTarget<ParallelClusterStackRef>[] = [];
  const seenImages = new Set<string>();
  const needsStacks =
    plan.kinds.includes('cluster') ||
    (plan.kinds.includes('image') && plan.imageStatuses.some((s) => s !== 'AVAILABLE'));
  const scan = needsStacks && backend.scanStacks ? await backend.scanStacks(signal) : undefined;
  for (const kind of plan.kinds) {
    if (kind === 'image') {
      for (const status of plan.imageStatuses) {
        const images =
          scan && status !== 'AVAILABLE'
            ? scan.images(status)
            : await readListing('ListImages', (cursor) => backend.listImagesPage(status, cursor, signal), signal);
        let candidates = images.filter((i) => nameOk(i.id) && !seenImages.has(i.id));
        for (const i of candidates) seenImages.add(i.id);
        if (describeForTags) {
          const described = await mapLimited(candidates, DESCRIBE_CONCURRENCY, (i) =>
            gone(backend.describeImage(i.id, signal)),
          );
          candidates = described.filter((i): i is ImageInfo => i !== undefined);
        }
        for (const i of candidates) found.push(imageTarget(i, listingTags || describeForTags));
      }
    } else {
      const clusters = scan
        ? scan.clusters(plan.clusterStatuses)
        : await readListing(
            'ListClusters',
            (cursor) => backend.listClustersPage(plan.clusterStatuses, cursor, signal),
            signal,
          );
      let candidates = clusters.filter((c) => c.name !== undefined && nameOk(c.name));
      if (describeForTags) {
        const described = await mapLimited(candidates, DESCRIBE_CONCURRENCY, (c) =>
          gone(backend.describeCluster(c.name as string, signal)),
        );
        candidates = described.filter((c): c is ClusterInfo => c !== undefined);
      }
      for (const c of candidates) found.push(clusterTarget(c, listingTags || describeForTags));
    }
  }
  return inProgressFirst(found.filter(matchesDiscoverFilters(options)));
}

/** A target deleted between its listing and its describe is simply not there any more. */
async function gone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (StackfeedError.is(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}
