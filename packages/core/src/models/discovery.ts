import type { ListOptions, Paginator } from '../paging/paginator.js';
import type { ExecutionState, ImageState, ProviderId, StackState } from './enums.js';
import type { StackRef } from './types.js';

/** What kind of thing a discovered target is. */
export type TargetKind = 'stack' | 'image' | 'cluster' | 'image-build' | 'lifecycle-execution';

/** Something a client can follow, found by `discover()`, with its current status. */
export interface DiscoveredTarget<Ref = StackRef> {
  provider: ProviderId;
  kind: TargetKind;
  /** Pass this back to the same client's list/watch calls (`watchStackEvents(target.ref)`). */
  ref: Ref;
  name: string;
  id?: string;
  /** The provider's literal status. */
  status: string;
  state: StackState | ImageState | ExecutionState;
  /** True while an operation is running: such targets come first. */
  inProgress: boolean;
  createdAt?: Date;
  updatedAt?: Date;
  /** The stack this one is nested in. */
  parent?: { id?: string; name?: string };
  /** Where it lives: region (AWS, Huawei), project (Huawei, OpenStack), account when known. */
  region?: string;
  project?: string;
  account?: string;
  tags?: Record<string, string>;
  details?: Record<string, unknown>;
}

/** Options of `discover()`. */
export interface DiscoverOptions extends ListOptions {
  /** Only these kinds (default: every kind the client can follow). */
  kinds?: readonly TargetKind[] | undefined;
  /** Only targets with an operation running. */
  activeOnly?: boolean | undefined;
  /** Only targets whose name matches: a glob (`web-*`) or a RegExp. */
  name?: string | RegExp | undefined;
  /** Only targets carrying every one of these tags (where the provider has tags). */
  tags?: Record<string, string> | undefined;
}

/** A client that can list what it is able to follow. */
export interface DiscoverySource<Ref = StackRef> {
  readonly provider: ProviderId;
  /** In-progress targets first, then the rest; each kind in the provider's listing order. */
  discover(options?: DiscoverOptions): Paginator<DiscoveredTarget<Ref>>;
}

/**
 * One region of an account where the account's clients can list and follow (`listAwsRegions` of
 * the AWS adapters, `listRfsRegions` of Huawei RFS): what `--all-regions` fans out over.
 */
export interface AccountRegion {
  provider: ProviderId;
  /** `us-east-1`, `cn-north-4`. */
  region: string;
  /** The provider's word on the account's use of it, e.g. EC2's `optInStatus` (`opted-in`). */
  status?: string;
  /** Huawei: the region's IAM project, the RFS URL's `{project_id}`. */
  projectId?: string;
}
