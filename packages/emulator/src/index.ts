/**
 * @stackfeed/emulator: local, wire-faithful emulators of the stackfeed providers' APIs.
 * The harness here (HTTP server on loopback, router, fault injection) is what each provider's
 * emulator plugs into.
 * @packageDocumentation
 */
export {
  startEmulator,
  Router,
  unorderedListing,
  hugeJsonBody,
  gzipBomb,
  FaultInjector,
  type EmulatorRequest,
  type EmulatorReply,
  type EmulatorServer,
  type Fault,
  type FaultRule,
  type Handler,
  type RecordedRequest,
  type StartOptions,
} from './harness.js';
export {
  RunningClock,
  RequestCounter,
  credentialOf,
  maxInWindow,
  canonicalJson,
  seededRandom,
  activityPlan,
  type Activity,
  type ActivityOperation,
  type ActivityOptions,
  type ActivityTarget,
  type TruthEvent,
} from './activity.js';
