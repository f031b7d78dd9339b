import { ACTIONS, PHASES, STACK_STATES } from '@stackfeed/core';
import { describe, expect, it } from 'vitest';
import {
  EVENT_TYPE_TABLE,
  RFS_EVENT_TYPES,
  RFS_STACK_STATUSES,
  STACK_STATUS_TABLE,
  eventTypesForPhases,
  isTerminalStatus,
} from '../src/mapping/tables.js';
import { EventIdAssigner, toStackEvent, toStackInfo } from '../src/mapping/events.js';
import { WireStackEventSchema, WireStackSchema } from '../src/wire/schemas.js';
import { readShared } from './helpers.js';

const enums = readShared<{
  stack_status: string[];
  stack_status_terminal: string[];
  stack_event_event_type: string[];
}>('specs/huawei-rfs/enums.json');

describe('event_type mapping (one row per value)', () => {
  const expected: Record<string, [string, string]> = {
    LOG: ['LOG', 'INFO'],
    ERROR: ['LOG', 'FAILED'],
    DRIFT: ['DRIFT', 'INFO'],
    SUMMARY: ['LOG', 'INFO'],
    CREATION_IN_PROGRESS: ['CREATE', 'IN_PROGRESS'],
    CREATION_FAILED: ['CREATE', 'FAILED'],
    CREATION_COMPLETE: ['CREATE', 'COMPLETE'],
    DELETION_IN_PROGRESS: ['DELETE', 'IN_PROGRESS'],
    DELETION_FAILED: ['DELETE', 'FAILED'],
    DELETION_COMPLETE: ['DELETE', 'COMPLETE'],
    UPDATE_IN_PROGRESS: ['UPDATE', 'IN_PROGRESS'],
    UPDATE_FAILED: ['UPDATE', 'FAILED'],
    UPDATE_COMPLETE: ['UPDATE', 'COMPLETE'],
  };
  it('covers exactly the enum of the official SDK model', () => {
    expect([...RFS_EVENT_TYPES].sort()).toEqual([...enums.stack_event_event_type].sort());
    expect(Object.keys(expected).sort()).toEqual([...enums.stack_event_event_type].sort());
  });
  for (const t of enums.stack_event_event_type) {
    it(`${t} → ${expected[t]?.join('/')}`, () => {
      const m = EVENT_TYPE_TABLE.map(t);
      expect([m.action, m.phase]).toEqual(expected[t]);
      expect(ACTIONS).toContain(m.action);
      expect(PHASES).toContain(m.phase);
    });
  }
  it('an unknown event type is UNKNOWN/UNKNOWN, not an error', () => {
    expect(EVENT_TYPE_TABLE.map('IMPORT_COMPLETE')).toEqual({ action: 'UNKNOWN', phase: 'UNKNOWN' });
  });
  it('phases map back to event types for server-side filtering', () => {
    expect(eventTypesForPhases(['FAILED']).sort()).toEqual(
      ['CREATION_FAILED', 'DELETION_FAILED', 'ERROR', 'UPDATE_FAILED'].sort(),
    );
    expect(eventTypesForPhases(['INFO']).sort()).toEqual(['DRIFT', 'LOG', 'SUMMARY']);
    expect(eventTypesForPhases(['SKIPPED'])).toEqual([]);
  });
});

describe('stack status mapping (one row per value)', () => {
  const expected: Record<string, [string, string, string, boolean, string | undefined]> = {
    CREATION_COMPLETE: ['COMPLETE', 'CREATE', 'COMPLETE', true, 'succeeded'],
    DEPLOYMENT_IN_PROGRESS: ['IN_PROGRESS', 'UPDATE', 'IN_PROGRESS', false, undefined],
    DEPLOYMENT_FAILED: ['FAILED', 'UPDATE', 'FAILED', true, 'failed'],
    DEPLOYMENT_COMPLETE: ['COMPLETE', 'UPDATE', 'COMPLETE', true, 'succeeded'],
    ROLLBACK_IN_PROGRESS: ['IN_PROGRESS', 'ROLLBACK', 'IN_PROGRESS', false, undefined],
    ROLLBACK_FAILED: ['FAILED', 'ROLLBACK', 'FAILED', true, 'failed'],
    ROLLBACK_COMPLETE: ['ROLLED_BACK', 'ROLLBACK', 'COMPLETE', true, 'failed'],
    DELETION_IN_PROGRESS: ['IN_PROGRESS', 'DELETE', 'IN_PROGRESS', false, undefined],
    DELETION_FAILED: ['FAILED', 'DELETE', 'FAILED', true, 'failed'],
  };
  it('covers exactly the enum of the official SDK model; terminal set matches', () => {
    expect([...RFS_STACK_STATUSES].sort()).toEqual([...enums.stack_status].sort());
    expect(enums.stack_status.filter(isTerminalStatus).sort()).toEqual([...enums.stack_status_terminal].sort());
  });
  for (const s of enums.stack_status) {
    it(`${s} → ${expected[s]?.slice(0, 3).join('/')}`, () => {
      const m = STACK_STATUS_TABLE.map(s);
      expect([m.state, m.action, m.phase, m.terminal, m.outcome]).toEqual(expected[s]);
      expect(STACK_STATES).toContain(m.state);
    });
  }
  it('unknown statuses: UNKNOWN, terminal only when they end like one', () => {
    expect(STACK_STATUS_TABLE.map('IMPORT_IN_PROGRESS').state).toBe('UNKNOWN');
    expect(isTerminalStatus('IMPORT_IN_PROGRESS')).toBe(false);
    expect(isTerminalStatus('IMPORT_COMPLETE')).toBe(true);
    expect(isTerminalStatus('IMPORT_FAILED')).toBe(true);
    expect(isTerminalStatus(undefined)).toBe(false);
  });
  it('toStackInfo keeps the literal and the reason', () => {
    const wire = {
      stack_name: 's',
      stack_id: 'id',
      status: 'DEPLOYMENT_FAILED',
      status_message: 'boom',
      create_time: '2025-06-12T08:00:00Z',
      update_time: '2025-06-12T08:02:11Z',
    };
    const info = toStackInfo(WireStackSchema.parse(wire), wire);
    expect(info).toMatchObject({ state: 'FAILED', status: 'DEPLOYMENT_FAILED', reason: 'boom', id: 'id' });
    expect(info.updatedAt?.toISOString()).toBe('2025-06-12T08:02:11.000Z');
    expect(info.raw).toBe(wire);
    expect(toStackInfo({ stack_name: 's', status: 'NEW_THING' }).state).toBe('UNKNOWN');
  });
});

describe('event model', () => {
  const raw = {
    resource_type: 'huaweicloud_vpc_subnet',
    resource_name: 'subnet',
    resource_id_key: 'id',
    resource_id_value: 'e385',
    resource_key: '1',
    event_type: 'CREATION_COMPLETE',
    event_message: 'huaweicloud_vpc_subnet.subnet[1]: Creation complete after 6s [id=e385]',
    elapsed_seconds: 6,
    time: '2025-06-12T08:01:04Z',
  };
  const scope = { stackName: 'my-stack', deploymentId: 'dep-1' };
  it('keeps elapsed_seconds, resource_id_key/value, resource_key', () => {
    const parsed = WireStackEventSchema.parse(raw);
    const ev = toStackEvent(parsed, raw, 'id', scope);
    expect(ev).toMatchObject({
      provider: 'huawei-rfs',
      action: 'CREATE',
      phase: 'COMPLETE',
      status: 'CREATION_COMPLETE',
      elapsedSeconds: 6,
      resource: { logicalId: 'subnet', name: 'subnet', type: 'huaweicloud_vpc_subnet', physicalId: 'e385', key: '1' },
      details: { resourceIdKey: 'id', resourceIdValue: 'e385', deploymentId: 'dep-1' },
      deploymentId: 'dep-1',
      isStackEvent: false,
      stack: { name: 'my-stack' },
    });
    expect(ev?.timestamp.toISOString()).toBe('2025-06-12T08:01:04.000Z');
    expect(ev?.raw).toBe(raw);
  });
  it('stack-level events (no resource, null resource_name) are marked', () => {
    const r = {
      event_type: 'SUMMARY',
      resource_name: null,
      event_message: 'Apply complete!',
      time: '2025-06-12T08:01:05Z',
    };
    const ev = toStackEvent(WireStackEventSchema.parse(r), r, 'id', scope);
    expect(ev?.isStackEvent).toBe(true);
    expect(ev?.resource).toEqual({});
  });
  it('ids: same content → same id; any field differs → another id; exact twins get an occurrence index', () => {
    const a = new EventIdAssigner(scope);
    const b = new EventIdAssigner(scope);
    const p = WireStackEventSchema.parse(raw);
    const id1 = a.idFor(p);
    expect(b.idFor(WireStackEventSchema.parse({ ...raw }))).toBe(id1);
    expect(a.idFor(p)).toBe(`${id1}.1`);
    const variants = [
      { resource_key: '0' },
      { elapsed_seconds: 7 },
      { event_message: 'x' },
      { time: '2025-06-12T08:01:05Z' },
      { event_type: 'CREATION_FAILED' },
      { resource_id_value: 'other' },
    ];
    const ids = new Set([id1]);
    for (const v of variants) ids.add(new EventIdAssigner(scope).idFor(WireStackEventSchema.parse({ ...raw, ...v })));
    expect(ids.size).toBe(variants.length + 1);
    expect(new EventIdAssigner({ stackName: 'other' }).idFor(p)).not.toBe(id1);
  });
  it('a missing time is no event (never invented); a time that does not parse names its field', () => {
    const none = WireStackEventSchema.parse({ event_type: 'LOG' });
    expect(toStackEvent(none, {}, 'id', scope)).toBeUndefined();
    const bad = WireStackEventSchema.safeParse({ event_type: 'LOG', time: 'yesterday' });
    expect(bad.error?.issues[0]?.path).toEqual(['time']);
    const alt = WireStackEventSchema.safeParse({ event_type: 'LOG', timestamp: 'yesterday' });
    expect(alt.error?.issues[0]?.path).toEqual(['timestamp']);
  });
});
