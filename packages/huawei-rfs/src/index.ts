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
export { AkSkAuth, type AkSkCredentials, type AkSkProvider } from './auth/aksk.js';
export { IamTokenAuth, type IamPasswordCredentials, type IamTokenAuthOptions } from './auth/token.js';
export {
  signRequest,
  formatSdkDate,
  canonicalUri,
  canonicalQueryString,
  payloadHash,
  SIGNING_ALGORITHM,
  EMPTY_PAYLOAD_SHA256,
  type SignInput,
  type SignResult,
} from './auth/signer.js';
export { rfsEndpointForRegion, iamEndpoint, RFS_ENDPOINT_EXCEPTIONS, RFS_KNOWN_REGIONS } from './endpoints.js';
export { parseRfsError, readHuaweiErrorBody, type HuaweiErrorBody } from './errors.js';
export {
  buildFilter,
  buildField,
  isFilterValue,
  RFS_EVENT_FIELDS,
  type RfsEventField,
  type RfsEventFilter,
} from './filter.js';
export {
  EVENT_TYPE_TABLE,
  STACK_STATUS_TABLE,
  RFS_EVENT_TYPES,
  RFS_STACK_STATUSES,
  isTerminalStatus,
  eventTypesForPhases,
  type RfsEventType,
  type RfsStackStatus,
  type StackStatusInfo,
} from './mapping/tables.js';
export { EventIdAssigner, toStackEvent, toStackInfo, type EventScope } from './mapping/events.js';
