import type { Action, Phase, StackState, WatchOutcome } from '@stackfeed/core';
import type { ActionPhase } from '@stackfeed/core/adapter';
import { actionPhaseSplitter, statusTable } from '@stackfeed/core/adapter';

/**
 * Heat's status vocabulary as data. Heat writes `{ACTION}_{STATUS}`: actions from
 * `heat/engine/resource.py` / `stack.py` (INIT … CHECK, stack-only RESTORE, resource SIGNAL),
 * statuses IN_PROGRESS / COMPLETE / FAILED. Anything else maps to UNKNOWN and keeps its literal.
 */
export const HEAT_ACTIONS: Readonly<Record<string, Action>> = Object.freeze({
  INIT: 'INIT',
  CREATE: 'CREATE',
  DELETE: 'DELETE',
  UPDATE: 'UPDATE',
  ROLLBACK: 'ROLLBACK',
  SUSPEND: 'SUSPEND',
  RESUME: 'RESUME',
  ADOPT: 'ADOPT',
  SNAPSHOT: 'SNAPSHOT',
  CHECK: 'CHECK',
  RESTORE: 'RESTORE',
  SIGNAL: 'SIGNAL',
});

/** Heat's status part → normalized phase. */
export const HEAT_PHASES: Readonly<Record<string, Phase>> = Object.freeze({
  IN_PROGRESS: 'IN_PROGRESS',
  COMPLETE: 'COMPLETE',
  FAILED: 'FAILED',
});

const split = actionPhaseSplitter({ actions: { ...HEAT_ACTIONS }, phases: { ...HEAT_PHASES } });

/** Split a Heat status literal (`UPDATE_IN_PROGRESS`) into normalized action and phase. */
export function mapHeatStatus(literal: string | null | undefined): ActionPhase {
  return split(literal);
}

/**
 * Whole-stack state for `stack_status`. The phase decides, except where the action changes the
 * meaning: a finished DELETE is DELETED, a finished ROLLBACK is ROLLED_BACK (the operation it undid
 * failed), and INIT_COMPLETE is a stack that was stored but whose create has not run yet.
 */
export const STACK_STATE_OVERRIDES: Readonly<Record<string, StackState>> = Object.freeze({
  DELETE_COMPLETE: 'DELETED',
  ROLLBACK_COMPLETE: 'ROLLED_BACK',
  INIT_COMPLETE: 'IN_PROGRESS',
});

const PHASE_TO_STATE = statusTable<StackState>(
  { IN_PROGRESS: 'IN_PROGRESS', COMPLETE: 'COMPLETE', FAILED: 'FAILED' },
  'UNKNOWN',
);

/** Normalized stack state of a Heat `stack_status` literal. */
export function stackStateOf(literal: string | null | undefined): StackState {
  if (literal && Object.hasOwn(STACK_STATE_OVERRIDES, literal)) return STACK_STATE_OVERRIDES[literal] as StackState;
  const { action, phase } = split(literal);
  if (action === 'UNKNOWN') return 'UNKNOWN';
  return PHASE_TO_STATE.map(phase);
}

/** How a watch that ends in this stack state ended; undefined while the stack is still moving. */
export function watchOutcomeOf(state: StackState): WatchOutcome | undefined {
  switch (state) {
    case 'COMPLETE':
      return 'succeeded';
    case 'DELETED':
      return 'deleted';
    case 'FAILED':
    case 'ROLLED_BACK':
      return 'failed';
    default:
      return undefined;
  }
}

/** The normalized phases that Heat can filter on the server (`resource_status`, status part only). */
export const SERVER_PHASES: ReadonlySet<Phase> = new Set<Phase>(['IN_PROGRESS', 'COMPLETE', 'FAILED']);
