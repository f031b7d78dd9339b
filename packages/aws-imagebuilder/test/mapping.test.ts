import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Action, ExecutionState, ImageState, Phase } from '@stackfeed/core';
import { describe, expect, it } from 'vitest';
import {
  IMAGE_STATES_TABLE,
  IMAGE_TERMINAL,
  LIFECYCLE_ACTIONS,
  LIFECYCLE_EXECUTION_STATES,
  LIFECYCLE_RESOURCE_PHASES,
  LIFECYCLE_TERMINAL,
  WORKFLOW_EVENT_PHASES,
  WORKFLOW_EXECUTION_STATES,
  WORKFLOW_STEP_PHASES,
  WORKFLOW_STEP_ROLLBACK_PHASES,
  WORKFLOW_TYPE_ACTIONS,
} from '../src/index.js';
import { LIFECYCLE_OUTCOMES } from '../src/mapping/tables.js';

// The official model, read at run time from the shared specs next to the clone.
const here = dirname(fileURLToPath(import.meta.url));
const model = JSON.parse(
  readFileSync(resolve(here, '../../../../shared/specs/imagebuilder/service-2.json'), 'utf8'),
) as {
  shapes: Record<string, { enum?: string[] }>;
};
const enumOf = (name: string): string[] => {
  const values = model.shapes[name]?.enum;
  if (!values || values.length === 0) throw new Error(`no enum ${name} in the model`);
  return values;
};

/** Expected mapping per value, written out by hand (the table under test must agree). */
const EXPECTED = {
  LifecycleExecutionStatus: {
    table: LIFECYCLE_EXECUTION_STATES,
    values: {
      IN_PROGRESS: 'RUNNING',
      CANCELLED: 'CANCELLED',
      CANCELLING: 'RUNNING',
      FAILED: 'FAILED',
      SUCCESS: 'SUCCEEDED',
      PENDING: 'PENDING',
    } as Record<string, ExecutionState>,
  },
  LifecycleExecutionResourceStatus: {
    table: LIFECYCLE_RESOURCE_PHASES,
    values: { FAILED: 'FAILED', IN_PROGRESS: 'IN_PROGRESS', SKIPPED: 'SKIPPED', SUCCESS: 'COMPLETE' } as Record<
      string,
      Phase
    >,
  },
  LifecycleExecutionResourceActionName: {
    table: LIFECYCLE_ACTIONS,
    values: { AVAILABLE: 'ENABLE', DELETE: 'DELETE', DEPRECATE: 'DEPRECATE', DISABLE: 'DISABLE' } as Record<
      string,
      Action
    >,
  },
  ImageStatus: {
    table: IMAGE_STATES_TABLE,
    values: {
      PENDING: 'PENDING',
      CREATING: 'BUILDING',
      BUILDING: 'BUILDING',
      TESTING: 'BUILDING',
      DISTRIBUTING: 'BUILDING',
      INTEGRATING: 'BUILDING',
      AVAILABLE: 'AVAILABLE',
      CANCELLED: 'CANCELLED',
      FAILED: 'FAILED',
      DEPRECATED: 'DEPRECATED',
      DELETED: 'DELETED',
      DISABLED: 'DISABLED',
    } as Record<string, ImageState>,
  },
  WorkflowExecutionStatus: {
    table: WORKFLOW_EXECUTION_STATES,
    values: {
      PENDING: 'PENDING',
      SKIPPED: 'SKIPPED',
      RUNNING: 'RUNNING',
      COMPLETED: 'SUCCEEDED',
      FAILED: 'FAILED',
      ROLLBACK_IN_PROGRESS: 'RUNNING',
      ROLLBACK_COMPLETED: 'FAILED',
      CANCELLED: 'CANCELLED',
    } as Record<string, ExecutionState>,
  },
  WorkflowStepExecutionStatus: {
    table: WORKFLOW_STEP_PHASES,
    values: {
      // Waiting to start: not IN_PROGRESS (only reported when the service gives it a time).
      PENDING: 'INFO',
      SKIPPED: 'SKIPPED',
      RUNNING: 'IN_PROGRESS',
      COMPLETED: 'COMPLETE',
      FAILED: 'FAILED',
      CANCELLED: 'CANCELLED',
    } as Record<string, Phase>,
  },
  WorkflowStepExecutionRollbackStatus: {
    table: WORKFLOW_STEP_ROLLBACK_PHASES,
    values: { RUNNING: 'IN_PROGRESS', COMPLETED: 'COMPLETE', SKIPPED: 'SKIPPED', FAILED: 'FAILED' } as Record<
      string,
      Phase
    >,
  },
  WorkflowType: {
    table: WORKFLOW_TYPE_ACTIONS,
    values: { BUILD: 'BUILD', TEST: 'TEST', DISTRIBUTION: 'DISTRIBUTE' } as Record<string, Action>,
  },
} as const;

describe('status tables cover every value of the official enums', () => {
  for (const [enumName, { table, values }] of Object.entries(EXPECTED)) {
    describe(enumName, () => {
      const official = enumOf(enumName);
      it('lists exactly the model values', () => {
        expect(Object.keys(table.entries).sort()).toEqual([...official].sort());
        expect(Object.keys(values).sort()).toEqual([...official].sort());
      });
      for (const literal of official) {
        it(`${literal} → ${String(values[literal])}`, () => {
          expect(table.map(literal)).toBe(values[literal]);
          expect(table.has(literal)).toBe(true);
        });
      }
      it('an unknown future value maps to UNKNOWN without throwing', () => {
        expect(table.map('SOMETHING_NEW_2030')).toBe('UNKNOWN');
        expect(table.map(undefined)).toBe('UNKNOWN');
        expect(table.map('success')).toBe('UNKNOWN'); // case-sensitive, as the wire is
        expect(table.has('SOMETHING_NEW_2030')).toBe(false);
      });
    });
  }
});

describe('terminal sets', () => {
  it('lifecycle executions end at SUCCESS, FAILED, CANCELLED only', () => {
    const terminal = enumOf('LifecycleExecutionStatus').filter((s) => LIFECYCLE_TERMINAL.has(s));
    expect(terminal.sort()).toEqual(['CANCELLED', 'FAILED', 'SUCCESS']);
    expect(LIFECYCLE_TERMINAL.has('CANCELLING')).toBe(false);
  });
  it('a lifecycle watch ends with the outcome of its terminal status, and only terminal statuses have one', () => {
    const outcomes = Object.fromEntries(
      enumOf('LifecycleExecutionStatus')
        .filter((s) => LIFECYCLE_OUTCOMES.has(s))
        .map((s) => [s, LIFECYCLE_OUTCOMES.map(s)]),
    );
    expect(outcomes).toEqual({ SUCCESS: 'succeeded', FAILED: 'failed', CANCELLED: 'cancelled' });
    expect([...LIFECYCLE_TERMINAL].sort()).toEqual(Object.keys(outcomes).sort());
    // A status the model does not know yet cannot be called a success.
    expect(LIFECYCLE_OUTCOMES.map('SOMETHING_NEW')).toBe('failed');
  });
  it('image builds end at the post-build statuses, with an outcome each', () => {
    const outcomes = Object.fromEntries(enumOf('ImageStatus').map((s) => [s, IMAGE_TERMINAL.map(s)]));
    expect(outcomes).toEqual({
      PENDING: undefined,
      CREATING: undefined,
      BUILDING: undefined,
      TESTING: undefined,
      DISTRIBUTING: undefined,
      INTEGRATING: undefined,
      AVAILABLE: 'succeeded',
      CANCELLED: 'cancelled',
      FAILED: 'failed',
      DEPRECATED: 'succeeded',
      DELETED: 'deleted',
      DISABLED: 'succeeded',
    });
    expect(IMAGE_TERMINAL.map('SOMETHING_NEW')).toBeUndefined();
  });
  it('workflow-level events: rollback statuses are ROLLBACK, every model value is mapped', () => {
    for (const s of enumOf('WorkflowExecutionStatus')) expect(WORKFLOW_EVENT_PHASES.has(s)).toBe(true);
    expect(WORKFLOW_EVENT_PHASES.map('ROLLBACK_IN_PROGRESS')).toEqual({ rollback: true, phase: 'IN_PROGRESS' });
    expect(WORKFLOW_EVENT_PHASES.map('ROLLBACK_COMPLETED')).toEqual({ rollback: true, phase: 'COMPLETE' });
    expect(WORKFLOW_EVENT_PHASES.map('FAILED')).toEqual({ rollback: false, phase: 'FAILED' });
    // A workflow waiting to start is not IN_PROGRESS.
    expect(WORKFLOW_EVENT_PHASES.map('PENDING')).toEqual({ rollback: false, phase: 'INFO' });
    expect(WORKFLOW_EVENT_PHASES.map('NEW_ONE')).toEqual({ rollback: false, phase: 'UNKNOWN' });
  });
});
