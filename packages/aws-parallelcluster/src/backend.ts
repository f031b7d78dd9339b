import type { FetchedPage } from '@stackfeed/core/adapter';
import type { ImageInfo, StackEvent } from '@stackfeed/core';
import type { PollRead } from './poll.js';
import type { ClusterInfo, ImageStatusFilter, LogEventInfo, LogStreamInfo } from './types.js';

/** The stack whose events are listed: an image build stack or a cluster stack. @internal */
export interface StackTarget {
  kind: 'image' | 'cluster';
  name: string;
}

/** What a watch keeps between polls (direct mode remembers nested stacks here). @internal */
export interface PollState {
  since: Date | undefined;
  /** The engine saw the listing break its order: ignore `since`, read the whole listing. */
  fullReread: boolean;
  nested: Map<string, string>;
  stackId?: string | undefined;
}

export interface LogEventsQuery {
  limit?: number | undefined;
  startTime?: Date | undefined;
  endTime?: Date | undefined;
}

/** One read of every stack of the region, filtered as ListImages and ListClusters would. @internal */
export interface StackScan {
  images(status: 'PENDING' | 'FAILED'): ImageInfo[];
  clusters(statuses: readonly string[] | undefined): ClusterInfo[];
}

/**
 * What the two modes implement: the raw reads, already normalized. The client builds paginators
 * and watches on top of them. @internal
 */
export interface Backend {
  readonly mode: 'api' | 'direct';
  readonly nestedStacks: boolean;
  /** The image and cluster listings carry tags (direct mode); API mode has them only on describe. */
  readonly listingTags: boolean;
  /** Load what the first call would load (direct mode: the AWS SDK clients). */
  preload?(): Promise<void>;
  listImagesPage(
    status: ImageStatusFilter,
    cursor: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<FetchedPage<ImageInfo, string>>;
  describeImage(imageId: string, signal: AbortSignal | undefined): Promise<ImageInfo>;
  stackEventsPage(
    target: StackTarget,
    cursor: unknown,
    signal: AbortSignal | undefined,
  ): Promise<FetchedPage<StackEvent, unknown>>;
  /**
   * The events down to `state.since` (all when undefined or on a full re-read), newest first,
   * across pages and (direct mode) nested stacks, at most MAX_PAGES_PER_POLL pages.
   */
  pollStackEvents(target: StackTarget, state: PollState, signal: AbortSignal | undefined): Promise<PollRead>;
  logStreamsPage(
    imageId: string,
    cursor: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<FetchedPage<LogStreamInfo, string>>;
  logEventsPage(
    imageId: string,
    stream: string,
    cursor: string | undefined,
    query: LogEventsQuery,
    signal: AbortSignal | undefined,
  ): Promise<FetchedPage<LogEventInfo, string>>;
  listClustersPage(
    statuses: readonly string[] | undefined,
    cursor: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<FetchedPage<ClusterInfo, string>>;
  describeCluster(name: string, signal: AbortSignal | undefined): Promise<ClusterInfo>;
  /** Direct mode: the build stacks and clusters from one DescribeStacks scan (the API has no such call). */
  scanStacks?(signal: AbortSignal | undefined): Promise<StackScan>;
}
