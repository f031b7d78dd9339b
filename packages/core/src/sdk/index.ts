/**
 * The shared AWS SDK v3 helper of the adapters built on SDK clients (Image Builder, ParallelCluster
 * direct mode): `createSdkKit` (config, finishing and calls of an adapter's clients from its options),
 * or its parts `sdkClientConfig` + `prepareSdkClient` to build a client and `callSdk` to call it,
 * `sdkErrorToStackfeedError` to classify what it threw. Structurally typed: core loads no SDK.
 * @packageDocumentation
 */
export {
  SdkRequestHandler,
  type SdkRequestHandlerOptions,
  type SdkHttpRequest,
  type SdkHttpResponse,
  type SdkAbortSignal,
  SdkTransportError,
  SDK_DEFAULT_MAX_RESPONSE_BYTES,
  SDK_DEFAULT_TIMEOUT_MS,
} from './request-handler.js';
export {
  sdkClientConfig,
  SDK_SILENT_LOGGER,
  type SdkSilentLogger,
  prepareSdkClient,
  registerCredentials,
  registeringProvider,
  type SdkClientOptions,
  type SdkClientConfig,
  type SdkCredentials,
  type SdkCredentialProvider,
  type PreparableSdkClient,
} from './client-config.js';
export {
  callSdk,
  type CallSdkOptions,
  type SdkSender,
  type SdkCommandOutput,
  SDK_DEFAULT_TOTAL_TIMEOUT_MS,
} from './call.js';
export { sdkErrorToStackfeedError, type SdkErrorContext } from './errors.js';
export {
  createSdkKit,
  type PickedSdkOptions,
  pickSdkAdapterOptions,
  SDK_ADAPTER_OPTION_NAMES,
  type SdkAdapterOptions,
  type SdkKit,
  type SdkKitOptions,
} from './sdk-kit.js';
export {
  enabledAwsRegions,
  listAwsRegionsWith,
  type DescribeRegionsOutputLike,
  type Ec2RegionsSdk,
  type ListAwsRegionsOptions,
} from './regions.js';
