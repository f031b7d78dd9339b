/**
 * CloudFormation emulator (awsQuery XML, API 2010-05-15) for `@stackfeed/emulator/cloudformation`:
 * a {@link CfnStore} whose stacks are event timelines read at the clock's "now", and a handler for
 * DescribeStacks, DescribeStackEvents, DescribeStackResource and ListStacks that the real
 * `@aws-sdk/client-cloudformation` parses.
 * @packageDocumentation
 */
import { type EmulatorServer, startEmulator } from '../harness.js';
import { type CloudFormationHandlerOptions, createCloudFormationHandler } from './handler.js';
import type { CfnStore } from './store.js';

export {
  CfnStore,
  type Clock,
  type CfnEventSeed,
  type CfnEvent,
  type StackSeed,
  type CfnStack,
  type StackView,
  type ResourceView,
  type CfnStoreOptions,
  type OmittableEventMember,
  cfnEventMembers,
} from './store.js';
export {
  createCloudFormationHandler,
  cloudFormationErrorReply,
  cloudFormationFault,
  type CloudFormationHandlerOptions,
} from './handler.js';
export { escapeXml, el, xml, list, Xml, type XmlValue } from './xml.js';

/** Serve a CfnStore on loopback (pass `.url` as the SDK client's `endpoint`). */
export async function startCloudFormationEmulator(
  store: CfnStore,
  opts: CloudFormationHandlerOptions = {},
): Promise<EmulatorServer> {
  return startEmulator({ handler: createCloudFormationHandler(store, opts) });
}
