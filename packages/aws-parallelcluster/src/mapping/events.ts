import { type StackEvent, parseJsonLoose } from '@stackfeed/core';
import type { CfnEventRecord } from '../types.js';
import { cfnActionPhase } from './tables.js';

const DETAIL_KEYS = [
  'clientRequestToken',
  'hookType',
  'hookStatus',
  'hookStatusReason',
  'hookInvocationPoint',
  'hookInvocationId',
  'hookFailureMode',
  'detailedStatus',
  'operationId',
] as const;

/**
 * One CloudFormation stack event → the normalized StackEvent. `resourceProperties` becomes
 * `properties` (parsed when it is JSON, kept as text otherwise). The fields the model has no slot
 * for (client request token, hook status, DetailedStatus, OperationId) go to `details`.
 */
export function toStackEvent(
  rec: CfnEventRecord,
  raw: unknown,
  root?: { id?: string | undefined; name?: string | undefined },
): StackEvent {
  const status = rec.resourceStatus ?? '';
  const { action, phase } = cfnActionPhase(status);
  const ev: StackEvent = {
    provider: 'aws-parallelcluster',
    id: rec.eventId,
    timestamp: rec.timestamp,
    stack: { id: rec.stackId, name: rec.stackName },
    resource: {},
    action,
    phase,
    status,
    raw,
  };
  if (root && (root.id !== undefined || root.name !== undefined) && root.id !== rec.stackId) {
    if (root.id !== undefined) ev.stack.rootId = root.id;
    if (root.name !== undefined) ev.stack.rootName = root.name;
  }
  if (rec.logicalResourceId !== undefined) ev.resource.logicalId = rec.logicalResourceId;
  if (rec.physicalResourceId !== undefined && rec.physicalResourceId !== '')
    ev.resource.physicalId = rec.physicalResourceId;
  if (rec.resourceType !== undefined) ev.resource.type = rec.resourceType;
  if (rec.resourceStatusReason !== undefined) ev.message = rec.resourceStatusReason;
  if (rec.resourceProperties !== undefined) ev.properties = parseJsonLoose(rec.resourceProperties);
  ev.isStackEvent =
    rec.resourceType === 'AWS::CloudFormation::Stack' &&
    (rec.physicalResourceId === rec.stackId || rec.logicalResourceId === rec.stackName);
  const details: Record<string, unknown> = {};
  for (const k of DETAIL_KEYS) if (rec[k] !== undefined) details[k] = rec[k];
  if (Object.keys(details).length > 0) ev.details = details;
  return ev;
}
