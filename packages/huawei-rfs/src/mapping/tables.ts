import type { Phase, StackState, WatchOutcome } from '@stackfeed/core';
import { type ActionPhase, type StatusTable, statusTable } from '@stackfeed/core/adapter';

/** Every RFS `event_type` (StackEventEventTypeEnum). */
export const RFS_EVENT_TYPES = [
  'LOG',
  'ERROR',
  'DRIFT',
  'SUMMARY',
  'CREATION_IN_PROGRESS',
  'CREATION_FAILED',
  'CREATION_COMPLETE',
  'DELETION_IN_PROGRESS',
  'DELETION_FAILED',
  'DELETION_COMPLETE',
  'UPDATE_IN_PROGRESS',
  'UPDATE_FAILED',
  'UPDATE_COMPLETE',
] as const;
/** An RFS event type. */
export type RfsEventType = (typeof RFS_EVENT_TYPES)[number];

/** Every RFS stack `status`. There is no DELETION_COMPLETE: a deleted stack answers 404. */
export const RFS_STACK_STATUSES = [
  'CREATION_COMPLETE',
  'DEPLOYMENT_IN_PROGRESS',
  'DEPLOYMENT_FAILED',
  'DEPLOYMENT_COMPLETE',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_FAILED',
  'ROLLBACK_COMPLETE',
  'DELETION_IN_PROGRESS',
  'DELETION_FAILED',
] as const;
/** An RFS stack status. */
export type RfsStackStatus = (typeof RFS_STACK_STATUSES)[number];

/**
 * event_type → action/phase. LOG/SUMMARY are informational log lines of the run, ERROR is a
 * failure line (phase FAILED so that a `phase: 'FAILED'` filter finds it), DRIFT reports drift.
 */
export const EVENT_TYPE_TABLE: StatusTable<ActionPhase> = statusTable<ActionPhase>(
  {
    LOG: { action: 'LOG', phase: 'INFO' },
    SUMMARY: { action: 'LOG', phase: 'INFO' },
    ERROR: { action: 'LOG', phase: 'FAILED' },
    DRIFT: { action: 'DRIFT', phase: 'INFO' },
    CREATION_IN_PROGRESS: { action: 'CREATE', phase: 'IN_PROGRESS' },
    CREATION_FAILED: { action: 'CREATE', phase: 'FAILED' },
    CREATION_COMPLETE: { action: 'CREATE', phase: 'COMPLETE' },
    DELETION_IN_PROGRESS: { action: 'DELETE', phase: 'IN_PROGRESS' },
    DELETION_FAILED: { action: 'DELETE', phase: 'FAILED' },
    DELETION_COMPLETE: { action: 'DELETE', phase: 'COMPLETE' },
    UPDATE_IN_PROGRESS: { action: 'UPDATE', phase: 'IN_PROGRESS' },
    UPDATE_FAILED: { action: 'UPDATE', phase: 'FAILED' },
    UPDATE_COMPLETE: { action: 'UPDATE', phase: 'COMPLETE' },
  },
  { action: 'UNKNOWN', phase: 'UNKNOWN' },
);

/** The normalized view of one stack status, and how a watch that ends on it ended. */
export interface StackStatusInfo extends ActionPhase {
  state: StackState;
  terminal: boolean;
  outcome?: WatchOutcome;
}

/**
 * Stack status → state/action/phase. A deployment (`terraform apply` of the template) is an
 * UPDATE of the stack; CREATION_COMPLETE is the empty stack before its first deployment.
 * ROLLBACK_COMPLETE means the deployment failed and was undone: state ROLLED_BACK, outcome failed.
 */
export const STACK_STATUS_TABLE: StatusTable<StackStatusInfo> = statusTable<StackStatusInfo>(
  {
    CREATION_COMPLETE: { state: 'COMPLETE', action: 'CREATE', phase: 'COMPLETE', terminal: true, outcome: 'succeeded' },
    DEPLOYMENT_IN_PROGRESS: { state: 'IN_PROGRESS', action: 'UPDATE', phase: 'IN_PROGRESS', terminal: false },
    DEPLOYMENT_FAILED: { state: 'FAILED', action: 'UPDATE', phase: 'FAILED', terminal: true, outcome: 'failed' },
    DEPLOYMENT_COMPLETE: {
      state: 'COMPLETE',
      action: 'UPDATE',
      phase: 'COMPLETE',
      terminal: true,
      outcome: 'succeeded',
    },
    ROLLBACK_IN_PROGRESS: { state: 'IN_PROGRESS', action: 'ROLLBACK', phase: 'IN_PROGRESS', terminal: false },
    ROLLBACK_FAILED: { state: 'FAILED', action: 'ROLLBACK', phase: 'FAILED', terminal: true, outcome: 'failed' },
    ROLLBACK_COMPLETE: {
      state: 'ROLLED_BACK',
      action: 'ROLLBACK',
      phase: 'COMPLETE',
      terminal: true,
      outcome: 'failed',
    },
    DELETION_IN_PROGRESS: { state: 'IN_PROGRESS', action: 'DELETE', phase: 'IN_PROGRESS', terminal: false },
    DELETION_FAILED: { state: 'FAILED', action: 'DELETE', phase: 'FAILED', terminal: true, outcome: 'failed' },
  },
  // Unknown statuses: not terminal unless they end like one (checked by isTerminalStatus).
  { state: 'UNKNOWN', action: 'UNKNOWN', phase: 'UNKNOWN', terminal: false },
);

/**
 * Terminal = ends in `_COMPLETE` or `_FAILED` (the service's rule), also for statuses this version
 * does not know yet.
 */
export function isTerminalStatus(status: string | null | undefined): boolean {
  if (!status) return false;
  if (STACK_STATUS_TABLE.has(status)) return STACK_STATUS_TABLE.map(status).terminal;
  return /_(COMPLETE|FAILED)$/.test(status);
}

/**
 * Which event types a normalized phase covers (to push a `phase` filter to the server).
 * @internal
 */
export function eventTypesForPhases(phases: readonly Phase[]): RfsEventType[] {
  const wanted = new Set(phases);
  return RFS_EVENT_TYPES.filter((t) => wanted.has(EVENT_TYPE_TABLE.map(t).phase));
}
