import type { StackEvent } from '@stackfeed/core';
import type { CfnEventRecord } from '../types.js';
import { cfnActionPhase, hookActionPhase } from './tables.js';

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
 * `resourceProperties` as a value when it is JSON (object or array), else the text as it came.
 * Same rule as core's parseJsonLoose, without copying the string first (this runs for every event).
 */
export function parseProperties(text: string): unknown {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 32 || (text.charCodeAt(i) >= 9 && text.charCodeAt(i) <= 13))) i++;
  const c = text.charCodeAt(i);
  if (c !== 123 /* { */ && c !== 91 /* [ */) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

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
  // A hook event may carry a HookStatus and no ResourceStatus: its hook status is its status then.
  const hookOnly = rec.resourceStatus === undefined && rec.hookStatus !== undefined;
  const status = rec.resourceStatus ?? rec.hookStatus ?? '';
  const { action, phase } = hookOnly ? hookActionPhase(status) : cfnActionPhase(status);
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
  if (rec.resourceProperties !== undefined) ev.properties = parseProperties(rec.resourceProperties);
  // CloudFormation gives every event of one stack operation (its rollback too) the token of that call.
  if (rec.clientRequestToken !== undefined && rec.clientRequestToken !== '') ev.deploymentId = rec.clientRequestToken;
  ev.isStackEvent =
    rec.resourceType === 'AWS::CloudFormation::Stack' &&
    (rec.physicalResourceId === rec.stackId || rec.logicalResourceId === rec.stackName);
  let details: Record<string, unknown> | undefined;
  for (const k of DETAIL_KEYS) {
    const v = rec[k];
    if (v === undefined) continue;
    details ??= {};
    details[k] = v;
  }
  if (details) ev.details = details;
  return ev;
}
