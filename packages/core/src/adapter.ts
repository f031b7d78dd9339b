/**
 * @stackfeed/core/adapter: the toolkit a provider adapter is built from: the HTTP transport and
 * its signing hook, `createPaginator`, `watchEvents`, status tables, wire parsing, URL encoding,
 * AWS SDK interop and secret registration. Users of the clients need none of it: the model,
 * `Paginator`, `WatchStream` and `StackfeedError` are in `@stackfeed/core`.
 * @packageDocumentation
 */
export type { ProviderId } from './models/enums.js';
export { applyEventFilters } from './models/sources.js';
export { inProgressFirst, matchesDiscoverFilters, nameMatcher } from './models/discover-filters.js';
export { groupDeployments, type GroupDeploymentsOptions } from './deployments/group.js';
export {
  deploymentPaginator,
  findDeployment,
  type DeploymentPaginatorConfig,
  type LoadDeployments,
} from './deployments/paginate.js';

export { statusTable, actionPhaseSplitter, type StatusTable, type ActionPhase } from './mapping/status-table.js';
export { parseWire, parseTimestamp, parseIsoTimestamp, parseJsonLoose } from './mapping/wire.js';

export {
  codeForHttpStatus,
  abortError,
  throwIfAborted,
  toStackfeedError,
  type StackfeedErrorOptions,
} from './errors/stackfeed-error.js';
export { redact, registerSecret, safeExcerpt } from './errors/redact.js';

export {
  clampPageSize,
  createPaginator,
  MAX_PAGE_ITEMS,
  maxItemsPerPage,
  type FetchedPage,
  type FetchPage,
  type PaginatorConfig,
} from './paging/paginator.js';
export { createTokenKey, TokenKey } from './paging/continuation-token.js';
export { drainPages, type DrainOptions, type DrainResult, type DrainStop } from './paging/drain-pages.js';

export {
  watchEvents,
  type Watchable,
  type TerminalCheck,
  type PollContext,
  type PollResult,
  type WatchSource,
  type WatchSummary,
  DEFAULT_MAX_ERROR_DURATION_MS,
} from './watch/watch.js';
export type { OperationMark } from './watch/current-operation.js';
export { boundaryOperationMark, stackOperationMark } from './watch/stack-marks.js';
export { deploymentSummary } from './watch/deployment-summary.js';
export {
  StatusChecks,
  FreshEvents,
  type StatusCheckOptions,
  type PolledRead,
  DEFAULT_QUIET_POLLS,
} from './watch/status-checks.js';

export { HttpTransport } from './transport/http-transport.js';
export {
  TRANSPORT_OPTION_NAMES,
  type TransportOptionName,
  transportOptionsOf,
} from './transport/client-transport.js';
export {
  assertHeaderSafe,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TOTAL_TIMEOUT_MS,
  MAX_TIMER_MS,
} from './transport/limits.js';
export { addSdkRateLimit, toRateLimiter } from './transport/rate-limiter.js';
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
export { encodeRfc3986, encodePathSegment, encodeQuery, buildUrl, type QueryParams } from './transport/encoding.js';
export type {
  AuthHook,
  SignableRequest,
  ProviderErrorInfo,
  TransportOptions,
  RequestSpec,
  HttpResponse,
  HttpMethod,
} from './transport/types.js';

export { contentId } from './util/hash.js';
export { fullJitterDelay } from './util/sleep.js';
export * from './sdk/index.js';
