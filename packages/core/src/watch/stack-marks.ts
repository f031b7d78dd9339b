import type { GroupDeploymentsOptions } from '../deployments/group.js';
import type { StackEvent } from '../models/types.js';
import type { OperationMark } from './current-operation.js';

/**
 * `WatchSource.operationMark` for StackEvent watches, by the rules `groupDeployments` splits
 * deployments with: the stack's own stack-level events bound its operations. IN_PROGRESS opens
 * one (a rollback resumes the one that just ended); COMPLETE, FAILED, SKIPPED and CANCELLED end
 * it. Resource events and nested stacks' events mark nothing. An event is the stack's own when it
 * matches `stack` by id (when both have one), else by name, or when it names no stack at all.
 */
export function stackOperationMark(stack: GroupDeploymentsOptions['stack']) {
  return (ev: StackEvent): OperationMark | undefined => {
    if (ev.isStackEvent !== true || !isOwn(ev.stack, stack)) return undefined;
    switch (ev.phase) {
      case 'IN_PROGRESS':
        return ev.action === 'ROLLBACK' || ev.status.toUpperCase().includes('ROLLBACK') ? 'resume' : 'start';
      case 'COMPLETE':
      case 'FAILED':
      case 'SKIPPED':
      case 'CANCELLED':
        return 'end';
      default:
        return undefined;
    }
  };
}

function isOwn(of: StackEvent['stack'], stack: GroupDeploymentsOptions['stack']): boolean {
  if (stack.id !== undefined && of.id !== undefined) return of.id === stack.id;
  if (stack.name !== undefined && of.name !== undefined) return of.name === stack.name;
  return of.id === undefined && of.name === undefined;
}
