/**
 * @stackfeed/core: the normalized model, Paginator, watch engine, merge, HTTP transport and
 * errors that every stackfeed provider adapter is built on. Loads no cloud SDK.
 * @packageDocumentation
 */
export { VERSION } from './version.js';

export * from './models/enums.js';
export type { StackRef, StackEvent, ImageArtifact, ImageInfo, ExecutionInfo, StackInfo } from './models/types.js';
export {
  ProviderIdSchema,
  PhaseSchema,
  ActionSchema,
  ImageStateSchema,
  ExecutionStateSchema,
  StackStateSchema,
  StackRefSchema,
  StackEventSchema,
  ImageArtifactSchema,
  ImageInfoSchema,
  ExecutionInfoSchema,
  StackInfoSchema,
} from './models/schemas.js';
export type {
  StackEventSource,
  ImageSource,
  Capabilities,
  FilterSupport,
  EventFilterOptions,
} from './models/sources.js';
export { applyEventFilters, resolveSince } from './models/sources.js';

export { statusTable, actionPhaseSplitter, type StatusTable, type ActionPhase } from './mapping/status-table.js';
export { parseWire, formatPath, parseTimestamp, parseJsonLoose } from './mapping/wire.js';

export {
  StackfeedError,
  ERROR_CODES,
  codeForHttpStatus,
  abortError,
  throwIfAborted,
  type ErrorCode,
  type StackfeedErrorOptions,
} from './errors/stackfeed-error.js';
export { redact, redactValue, registerSecret, REDACTED } from './errors/redact.js';

export {
  Paginator,
  createPaginator,
  type Page,
  type FetchedPage,
  type FetchPage,
  type PageSettings,
  type ListOptions,
  type PaginatorConfig,
} from './paging/paginator.js';
export { scopeDigest } from './paging/continuation-token.js';

export {
  watchEvents,
  type Watchable,
  type WatchOutcome,
  type TerminalCheck,
  type PollContext,
  type WatchSource,
  type WatchOptions,
  type WatchResult,
  type WatchStream,
} from './watch/watch.js';

export { mergeEvents, type MergeOptions, type Timestamped } from './merge/merge.js';

export { HttpTransport, USER_AGENT, parseRetryAfterSeconds } from './transport/http-transport.js';
export {
  addSdkRateLimit,
  RateLimiter,
  type RateLimitOptions,
  toRateLimiter,
} from './transport/rate-limiter.js';
export {
  addSdkEmptyBodyCheck,
  type AwsAuthFailure,
  classifyAwsAuthFailure,
  describeClockOffset,
  EmptyBodyError,
  safeString,
  type SdkClientLike,
  sdkErrorServerDate,
} from './transport/aws-sdk.js';
export {
  encodeRfc3986,
  encodePathSegment,
  encodeQuery,
  buildUrl,
  sameOrigin,
  type QueryParams,
} from './transport/encoding.js';
export type {
  AuthHook,
  SignableRequest,
  ProviderErrorInfo,
  LogEntry,
  Logger,
  RetryOptions,
  TlsOptions,
  TransportOptions,
  RequestSpec,
  HttpResponse,
  HttpMethod,
} from './transport/types.js';

export { contentId } from './util/hash.js';
export { sleep, fullJitterDelay } from './util/sleep.js';
export { MinHeap } from './util/heap.js';
