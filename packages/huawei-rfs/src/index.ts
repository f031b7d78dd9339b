/**
 * @stackfeed/huawei-rfs: Huawei Cloud RFS (Resource Formation Service) stack events and stacks
 * in the stackfeed model, with an `SDK-HMAC-SHA256` signer and IAM token auth. Depends on
 * @stackfeed/core only.
 * @packageDocumentation
 */
export {
  RfsClient,
  type RfsClientOptions,
  type RfsCredentials,
  type RfsStackRef,
  type RfsEventOptions,
  type RfsListEventsOptions,
  type RfsWatchOptions,
} from './client.js';
export type { AkSkCredentials, AkSkProvider } from './auth/aksk.js';
export type { IamPasswordCredentials } from './auth/token.js';
export { signRequest, formatSdkDate, SIGNING_ALGORITHM, type SignInput, type SignResult } from './auth/signer.js';
export { rfsEndpointForRegion, iamEndpoint, RFS_ENDPOINT_EXCEPTIONS, RFS_KNOWN_REGIONS } from './endpoints.js';
export { RFS_EVENT_FIELDS, type RfsEventField, type RfsEventFilter } from './filter.js';
export {
  EVENT_TYPE_TABLE,
  STACK_STATUS_TABLE,
  RFS_EVENT_TYPES,
  RFS_STACK_STATUSES,
  isTerminalStatus,
  type RfsEventType,
  type RfsStackStatus,
  type StackStatusInfo,
} from './mapping/tables.js';

// Public only for the package's own tests, the benchmarks and the conformance suite (which import
// the package by name): left out of the published declarations.
/** @internal */
export { AkSkAuth } from './auth/aksk.js';
/** @internal */
export { IamTokenAuth, type IamTokenAuthOptions } from './auth/token.js';
/** @internal */
export { canonicalUri, canonicalQueryString, payloadHash, EMPTY_PAYLOAD_SHA256 } from './auth/signer.js';
/** @internal */
export { parseRfsError, readHuaweiErrorBody, type HuaweiErrorBody } from './errors.js';
/** @internal */
export { buildFilter, buildField, isFilterValue } from './filter.js';
/** @internal */
export { eventTypesForPhases } from './mapping/tables.js';
/** @internal */
export { EventIdAssigner, toStackEvent, toStackInfo, type EventScope } from './mapping/events.js';
export { listRfsRegions, type ListRfsRegionsOptions } from './regions.js';
