import { ACTIONS } from '@stackfeed/core';
import { describe, expect, it } from 'vitest';
import { HEAT_ACTIONS, mapHeatStatus, stackStateOf, watchOutcomeOf } from '../../src/mapping/status.js';
import { stackFromLink, toStackEvent, toStackInfo } from '../../src/mapping/event.js';
import { WireEventSchema, WireStackSchema } from '../../src/wire/schemas.js';

const HEAT_ACTION_LIST = [
  'INIT',
  'CREATE',
  'DELETE',
  'UPDATE',
  'ROLLBACK',
  'SUSPEND',
  'RESUME',
  'ADOPT',
  'SNAPSHOT',
  'CHECK',
  'RESTORE',
  'SIGNAL',
] as const;
const HEAT_STATUS_LIST = ['IN_PROGRESS', 'COMPLETE', 'FAILED'] as const;

describe('Heat status mapping', () => {
  it('covers exactly the twelve Heat actions, each a core action', () => {
    expect(Object.keys(HEAT_ACTIONS).sort()).toEqual([...HEAT_ACTION_LIST].sort());
    for (const a of Object.values(HEAT_ACTIONS)) expect(ACTIONS).toContain(a);
  });

  for (const action of HEAT_ACTION_LIST) {
    for (const status of HEAT_STATUS_LIST) {
      const literal = `${action}_${status}`;
      it(`maps ${literal}`, () => {
        expect(mapHeatStatus(literal)).toEqual({ action, phase: status });
        const state = stackStateOf(literal);
        if (literal === 'DELETE_COMPLETE') expect(state).toBe('DELETED');
        else if (literal === 'ROLLBACK_COMPLETE') expect(state).toBe('ROLLED_BACK');
        else if (literal === 'INIT_COMPLETE' || status === 'IN_PROGRESS') expect(state).toBe('IN_PROGRESS');
        else expect(state).toBe(status);
      });
    }
  }

  it('maps unknown literals to UNKNOWN without throwing', () => {
    expect(mapHeatStatus('FROBNICATE_COMPLETE')).toEqual({ action: 'UNKNOWN', phase: 'COMPLETE' });
    expect(mapHeatStatus('CREATE_WAITING')).toEqual({ action: 'UNKNOWN', phase: 'UNKNOWN' });
    expect(mapHeatStatus('')).toEqual({ action: 'UNKNOWN', phase: 'UNKNOWN' });
    expect(mapHeatStatus(undefined)).toEqual({ action: 'UNKNOWN', phase: 'UNKNOWN' });
    expect(stackStateOf('FROBNICATE_COMPLETE')).toBe('UNKNOWN');
    expect(stackStateOf('weird')).toBe('UNKNOWN');
  });

  it('gives watch outcomes for terminal stack states only', () => {
    expect(watchOutcomeOf('COMPLETE')).toBe('succeeded');
    expect(watchOutcomeOf('DELETED')).toBe('deleted');
    expect(watchOutcomeOf('FAILED')).toBe('failed');
    expect(watchOutcomeOf('ROLLED_BACK')).toBe('failed');
    expect(watchOutcomeOf('IN_PROGRESS')).toBeUndefined();
    expect(watchOutcomeOf('UNKNOWN')).toBeUndefined();
  });
});

const link = (rel: string, href: string) => ({ rel, href });
const BASE = 'http://h:8004/v1/admin/stacks';

describe('event mapping', () => {
  const stackEvent = {
    id: 'e1',
    links: [link('self', `${BASE}/st/ID1/resources/st/events/e1`), link('stack', `${BASE}/st/ID1`)],
    event_time: '2026-11-23T19:03:04Z',
    logical_resource_id: 'st',
    resource_name: 'st',
    physical_resource_id: 'ID1',
    resource_status: 'CREATE_COMPLETE',
    resource_status_reason: 'Stack CREATE completed successfully',
  };

  it('marks stack-level events and gives them the OS::Heat::Stack type', () => {
    const ev = toStackEvent(WireEventSchema.parse(stackEvent), stackEvent, undefined);
    expect(ev).toMatchObject({
      provider: 'openstack-heat',
      id: 'e1',
      isStackEvent: true,
      action: 'CREATE',
      phase: 'COMPLETE',
      status: 'CREATE_COMPLETE',
      stack: { id: 'ID1', name: 'st' },
      resource: { logicalId: 'st', physicalId: 'ID1', type: 'OS::Heat::Stack' },
      message: 'Stack CREATE completed successfully',
    });
    expect(ev.timestamp.toISOString()).toBe('2026-11-23T19:03:04.000Z');
    expect(ev.raw).toBe(stackEvent);
  });

  it('does not mark a resource event, and reads nested stack and root links', () => {
    const w = {
      ...stackEvent,
      id: 'e2',
      resource_name: 'r',
      logical_resource_id: 'r',
      physical_resource_id: 'phys',
      resource_status: 'DELETE_IN_PROGRESS',
      links: [link('stack', `${BASE}/st-outer-abc/NESTED`), link('root_stack', `${BASE}/st/ID1`)],
    };
    const ev = toStackEvent(WireEventSchema.parse(w), w, { name: 'st', id: 'ID1' });
    expect(ev.isStackEvent).toBe(false);
    expect(ev.resource.type).toBeUndefined();
    expect(ev.stack).toEqual({ id: 'NESTED', name: 'st-outer-abc', rootId: 'ID1', rootName: 'st' });
    expect(ev.action).toBe('DELETE');
    expect(ev.phase).toBe('IN_PROGRESS');
  });

  it('reads event_time without a zone as UTC, and names the path of a bad field', () => {
    expect(WireEventSchema.parse({ ...stackEvent, event_time: '2014-01-01T00:00:00' }).event_time.toISOString()).toBe(
      '2014-01-01T00:00:00.000Z',
    );
    const bad = WireEventSchema.safeParse({ ...stackEvent, event_time: 'yesterday' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['event_time']);
  });

  it('decodes percent-encoded names in links and ignores other links', () => {
    expect(stackFromLink([link('stack', `${BASE}/a%20b%2Fc/X`)], 'stack')).toEqual({ name: 'a b/c', id: 'X' });
    expect(stackFromLink([link('self', `${BASE}/a/X`)], 'stack')).toBeUndefined();
    expect(stackFromLink([link('stack', 'http://h/v1/admin/other/a/X/y')], 'stack')).toBeUndefined();
  });

  it('maps a stack with normalized state and details', () => {
    const s = {
      id: 'S',
      stack_name: 'n',
      stack_status: 'ROLLBACK_COMPLETE',
      stack_status_reason: 'r',
      creation_time: '2026-11-23T19:03:04Z',
      updated_time: '2026-11-23T19:04:04Z',
      deletion_time: null,
      parent: 'P',
      project: 'admin',
      tags: ['x'],
    };
    const info = toStackInfo(WireStackSchema.parse(s), s);
    expect(info).toMatchObject({
      id: 'S',
      name: 'n',
      state: 'ROLLED_BACK',
      action: 'ROLLBACK',
      phase: 'COMPLETE',
      status: 'ROLLBACK_COMPLETE',
      reason: 'r',
      details: { parentId: 'P', project: 'admin', tags: ['x'] },
    });
    expect(info.updatedAt?.toISOString()).toBe('2026-11-23T19:04:04.000Z');
  });
});
