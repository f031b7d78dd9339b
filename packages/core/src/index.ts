/**
 * @stackfeed/core: what a user of any stackfeed client needs: the normalized model
 * (`StackEvent`, `ImageInfo`, `ExecutionInfo`, `StackInfo`) and its vocabularies, the `Paginator`
 * and `WatchStream` every list and watch call returns, `mergeEvents`, and `StackfeedError`.
 * Loads no cloud SDK and no zod: the model's zod schemas are in `@stackfeed/core/schemas`.
 * Adapter authors import their toolkit from `@stackfeed/core/adapter`.
 * @packageDocumentation
 */
export { VERSION } from './version.js';

export {
  PROVIDER_IDS,
  type ProviderId,
  PHASES,
  type Phase,
  ACTIONS,
  type Action,
  IMAGE_STATES,
  type ImageState,
  EXECUTION_STATES,
  type ExecutionState,
  STACK_STATES,
  type StackState,
} from './models/enums.js';
export type { StackRef, StackEvent, ImageArtifact, ImageInfo, ExecutionInfo, StackInfo } from './models/types.js';
// The model's zod schemas are in `@stackfeed/core/schemas`: importing this entry loads no zod.
export type {
  StackEventSource,
  ImageSource,
  Capabilities,
  FilterSupport,
  EventFilterOptions,
  EventOrder,
  EventOrderOption,
} from './models/sources.js';
export { resolveSince } from './models/sources.js';
export type {
  Deployment,
  DeploymentOutcome,
  DeploymentSource,
  ListDeploymentsOptions,
  ResourceTiming,
  RootCause,
} from './models/deployment.js';
export type { ClientOptions } from './models/client-options.js';
export type {
  AccountRegion,
  DiscoveredTarget,
  DiscoverOptions,
  DiscoverySource,
  TargetKind,
} from './models/discovery.js';

export { StackfeedError, ERROR_CODES, type ErrorCode } from './errors/stackfeed-error.js';

export { Paginator, type Page, type PageSettings, type ListOptions } from './paging/paginator.js';

export type { WatchOutcome, WatchOptions, WatchResult, WatchStream } from './watch/watch.js';

export { mergeEvents, type MergeOptions, type Timestamped } from './merge/merge.js';

export { RateLimiter, type RateLimitOptions } from './transport/rate-limiter.js';
export type { LogEntry, Logger, RetryOptions, TlsOptions } from './transport/types.js';
export { gatherInOrder, type Gathered, type GatherOptions } from './util/gather.js';
