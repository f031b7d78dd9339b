import { type GroupDeploymentsOptions, isOwnStackEvent, isRollback } from '../deployments/group.js';
import type { StackEvent } from '../models/types.js';
import type { OperationMark } from './current-operation.js';

/**
 * The mark of an event that bounds an operation (a stack's own stack-level event, an image
 * build's workflow event): IN_PROGRESS opens one (a rollback resumes the one that just ended);
 * COMPLETE, FAILED, SKIPPED and CANCELLED end it.
 */
export function boundaryOperationMark(ev: StackEvent): OperationMark | undefined {
  switch (ev.phase) {
    case 'IN_PROGRESS':
      return isRollback(ev) ? 'resume' : 'start';
    case 'COMPLETE':
    case 'FAILED':
    case 'SKIPPED':
    case 'CANCELLED':
      return 'end';
    default:
      return undefined;
  }
}

/**
 * `WatchSource.operationMark` for StackEvent watches, by the rules `groupDeployments` splits
 * deployments with: the stack's own stack-level events bound its operations
 * (`boundaryOperationMark`). Resource events and nested stacks' events mark nothing. An event is
 * the stack's own when it matches `stack` by id (when both have one), else by name, or when it
 * names no stack at all.
 */
export function stackOperationMark(stack: GroupDeploymentsOptions['stack']) {
  return (ev: StackEvent): OperationMark | undefined =>
    isOwnStackEvent(ev, stack) ? boundaryOperationMark(ev) : undefined;
}
