/**
 * @stackfeed/openstack-heat: OpenStack Heat stack events and stacks through stackfeed's normalized
 * model, with Keystone v3 auth (password, token, application credential) or noauth, configured
 * from options, `clouds.yaml` / `OS_CLOUD` or `OS_*` variables.
 * @packageDocumentation
 */
export {
  HeatClient,
  type HeatClientOptions,
  type HeatStackRef,
  type HeatStackRefObject,
  type HeatEventOptions,
  type ListEventsOptions,
  type ListStacksOptions,
  type WatchStackEventsOptions,
} from './client.js';
export type {
  HeatAuth,
  PasswordAuth,
  TokenAuth,
  ApplicationCredentialAuth,
  NoAuth,
  KeystoneScope,
  EndpointInterface,
} from './auth/types.js';
export { KeystoneSession, type SessionOptions } from './auth/keystone.js';
export {
  loadCloudConfig,
  configSearchDirs,
  type LoadConfigOptions,
  type ResolvedCloudConfig,
} from './config/clouds.js';
export { parseHeatError } from './errors.js';
export {
  HEAT_ACTIONS,
  HEAT_PHASES,
  STACK_STATE_OVERRIDES,
  mapHeatStatus,
  stackStateOf,
  watchOutcomeOf,
} from './mapping/status.js';
export { STACK_RESOURCE_TYPE } from './mapping/event.js';
