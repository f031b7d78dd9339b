import type { StackEvent } from '../models/types.js';
import type { OperationMark } from './current-operation.js';

/**
 * `WatchSource.operationMark` for StackEvent watches: the top-level stack's own events bound its
 * operations. IN_PROGRESS opens one (a ROLLBACK resumes the one that just failed); COMPLETE,
 * FAILED and CANCELLED end it. Resource events and nested stacks' events mark nothing.
 * `stack` is the watched stack: an event is its own when it names it by id or by name (an event
 * that carries neither, or a `rootId`/`rootName`, is a nested stack's).
 */
export function stackOperationMark(stack: { id?: string | undefined; name?: string | undefined }) {
  return (ev: StackEvent): OperationMark | undefined => {
    if (ev.isStackEvent !== true) return undefined;
    const s = ev.stack;
    if (s.rootId !== undefined || s.rootName !== undefined) return undefined;
    const own = (stack.id !== undefined && s.id === stack.id) || (stack.name !== undefined && s.name === stack.name);
    if (!own && (stack.id !== undefined || stack.name !== undefined)) return undefined;
    switch (ev.phase) {
      case 'IN_PROGRESS':
        return ev.action === 'ROLLBACK' ? 'resume' : 'start';
      case 'COMPLETE':
      case 'FAILED':
      case 'CANCELLED':
        return 'end';
      default:
        return undefined;
    }
  };
}
