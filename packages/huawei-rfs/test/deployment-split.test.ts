import type { StackEvent, StackInfo } from '@stackfeed/core';
import { describe, expect, it } from 'vitest';
import { rfsDeployments } from '../src/deployments/deployments.js';
import { splitDeployments } from '../src/deployments/segments.js';
import { EVENT_TYPE_TABLE } from '../src/mapping/tables.js';

const T0 = Date.UTC(2026, 0, 1);
let n = 0;
/** An event as the mapping makes it: stack-level when no resource is named. */
function ev(sec: number, type: string, resource?: string, message?: string): StackEvent {
  const { action, phase } = EVENT_TYPE_TABLE.map(type);
  const e: StackEvent = {
    provider: 'huawei-rfs',
    id: `e${n++}`,
    timestamp: new Date(T0 + sec * 1000),
    stack: { name: 's' },
    resource: resource ? { logicalId: resource, name: resource, type: 'huaweicloud_vpc' } : {},
    action,
    phase,
    status: type,
    isStackEvent: !resource,
    raw: {},
  };
  if (message !== undefined) e.message = message;
  return e;
}
const stack = (status: string): StackInfo => ({
  provider: 'huawei-rfs',
  name: 's',
  state: 'COMPLETE',
  action: 'UPDATE',
  phase: 'COMPLETE',
  status,
  raw: {},
});

describe('splitDeployments', () => {
  it('leading LOG lines stay together; a LOG after a SUMMARY, a failure or resource work opens the next', () => {
    const events = [
      ev(0, 'LOG'),
      ev(0, 'LOG'),
      ev(1, 'CREATION_IN_PROGRESS', 'a'),
      ev(2, 'CREATION_COMPLETE', 'a'),
      ev(3, 'SUMMARY'),
      ev(10, 'LOG'),
      ev(11, 'CREATION_IN_PROGRESS', 'b'),
      ev(12, 'CREATION_FAILED', 'b'),
      ev(20, 'LOG'),
      ev(21, 'UPDATE_IN_PROGRESS', 'a'),
      // No SUMMARY, no failure: the next LOG still opens a new one (this one did work).
      ev(30, 'LOG'),
    ];
    const segments = splitDeployments(events);
    expect(segments.map((s) => s.events.length)).toEqual([5, 3, 2, 1]);
    expect(segments.map((s) => s.opening?.timestamp.getTime())).toEqual([T0, T0 + 10e3, T0 + 20e3, T0 + 30e3]);
    expect(segments[1]?.firstFailure?.status).toBe('CREATION_FAILED');
  });

  it('events before any LOG are one deployment with no opening; no events, no deployments', () => {
    const segments = splitDeployments([ev(0, 'CREATION_COMPLETE', 'a'), ev(1, 'SUMMARY'), ev(5, 'LOG')]);
    expect(segments.map((s) => [s.opening === undefined, s.events.length])).toEqual([
      [true, 2],
      [false, 1],
    ]);
    expect(splitDeployments([])).toEqual([]);
  });
});

describe('rfsDeployments', () => {
  it('an older failed deployment followed by one that only destroys is rolled back; the newest is told by the stack', () => {
    const events = [
      ev(0, 'LOG'),
      ev(1, 'CREATION_IN_PROGRESS', 'a'),
      ev(2, 'CREATION_COMPLETE', 'a'),
      ev(3, 'CREATION_IN_PROGRESS', 'b'),
      ev(4, 'CREATION_FAILED', 'b'),
      ev(4, 'ERROR', 'b', 'Error: quota'),
      ev(5, 'LOG'),
      ev(6, 'DELETION_IN_PROGRESS', 'a'),
      ev(7, 'DELETION_COMPLETE', 'a'),
      ev(8, 'SUMMARY', undefined, 'Destroy complete! Resources: 1 destroyed.'),
      ev(20, 'LOG'),
      ev(21, 'DELETION_IN_PROGRESS', 'a'),
    ];
    const list = rfsDeployments([...events].reverse(), { ...stack('DELETION_IN_PROGRESS'), state: 'IN_PROGRESS' });
    expect(list.map((d) => [d.action, d.outcome, d.status])).toEqual([
      ['UPDATE', 'rolled-back', 'SUMMARY'],
      ['DELETE', 'in-progress', 'DELETION_IN_PROGRESS'],
    ]);
    expect(list[0]?.rootCause?.reason).toBe('Error: quota');
    expect(list[0]?.durationSeconds).toBe(8);
    expect(list[0]?.reason).toBe('Destroy complete! Resources: 1 destroyed.');
  });

  it('a failed deployment followed by a new apply (not only destroying) stays failed; both keep their own ids', () => {
    const events = [
      ev(0, 'LOG'),
      ev(1, 'CREATION_IN_PROGRESS', 'b'),
      ev(2, 'CREATION_FAILED', 'b'),
      ev(10, 'LOG'),
      ev(11, 'CREATION_IN_PROGRESS', 'b'),
      ev(12, 'CREATION_COMPLETE', 'b'),
      ev(13, 'SUMMARY'),
    ];
    const list = rfsDeployments(events, stack('DEPLOYMENT_COMPLETE'));
    expect(list.map((d) => [d.id, d.outcome])).toEqual([
      [`rfs-${T0}`, 'failed'],
      [`rfs-${T0 + 10e3}`, 'succeeded'],
    ]);
    // The failed one ends at its last event; its reason is the failing resource's (no ERROR line).
    expect(list[0]?.endedAt?.getTime()).toBe(T0 + 2e3);
    expect(list[0]?.rootCause?.resource.logicalId).toBe('b');
  });

  it('events with no end on a terminal stack: the stack status decides only for the newest', () => {
    const events = [ev(0, 'LOG'), ev(1, 'UPDATE_IN_PROGRESS', 'a'), ev(10, 'LOG'), ev(11, 'UPDATE_IN_PROGRESS', 'a')];
    const list = rfsDeployments(events, stack('DEPLOYMENT_COMPLETE'));
    expect(list.map((d) => d.outcome)).toEqual(['unknown', 'succeeded']);
    expect(list[0]?.endedAt).toBeUndefined();
    // No SUMMARY: the newest one's end is unknown without the stack's update time, never its last event's.
    expect(list[1]?.endedAt).toBeUndefined();
    const updatedAt = new Date(T0 + 15e3);
    const [, newest] = rfsDeployments(events, { ...stack('DEPLOYMENT_COMPLETE'), updatedAt });
    expect(newest?.endedAt).toEqual(updatedAt);
    expect(newest?.durationSeconds).toBe(5);
  });
});
