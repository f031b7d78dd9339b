/**
 * `fields` (the `field` parameter of ListStackEvents): the documented attribute names are accepted,
 * only what the caller selected is sent or required, and nothing is claimed about attributes that
 * were not returned.
 */
import { type RfsEmulator, deploymentFailsAndRollsBack } from '@stackfeed/emulator/rfs';
import { afterEach, describe, expect, it } from 'vitest';
import { type RfsEventField, buildField } from '../src/index.js';
import { client, emulator } from './fixtures.js';

let emu: RfsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const T0 = Date.UTC(2025, 5, 12, 8, 0, 0);
const eventsQuery = (e: RfsEmulator) =>
  new URLSearchParams(e.server.requests.filter((r) => r.path.endsWith('/events')).at(-1)?.query);

async function finishedFailingStack(): Promise<RfsEmulator> {
  const e = await emulator({
    scenarios: [deploymentFailsAndRollsBack({ stackName: 'fail', startAt: T0 })],
    progress: 'manual',
  });
  e.finish('fail');
  return e;
}

describe('fields', () => {
  it("accepts the documented time attribute 'timestamp' and sends exactly the selection, nothing appended", async () => {
    emu = await finishedFailingStack();
    const rfs = client(emu);
    const evs = await rfs.listStackEvents('fail', { fields: ['timestamp', 'event_message'] }).toArray({ limit: 1000 });
    expect(eventsQuery(emu).get('field')).toBe('timestamp,event_message');
    expect(evs.length).toBe(emu.stack('fail')?.events.length);
    for (const ev of evs) {
      expect(Number.isNaN(ev.timestamp.getTime())).toBe(false);
      expect(ev.resource).toEqual({});
    }
    // The SDK models' name works too, and is not doubled with the documented one.
    await rfs.listStackEvents('fail', { fields: ['time', 'resource_name'] }).toArray({ limit: 10 });
    expect(eventsQuery(emu).get('field')).toBe('time,resource_name');
  });

  it('reads the time from a `timestamp` attribute when the response names it so', async () => {
    emu = await finishedFailingStack();
    emu.server.faults.inject({
      kind: 'status',
      status: 200,
      body: { stack_events: [{ event_type: 'LOG', timestamp: '2025-06-12T08:00:07Z', event_message: 'x' }] },
    });
    const [ev] = await client(emu)
      .listStackEvents('fail', { fields: ['timestamp', 'event_message'] })
      .toArray({ limit: 10 });
    expect(ev?.timestamp.toISOString()).toBe('2025-06-12T08:00:07.000Z');
    expect(ev?.message).toBe('x');
  });

  it('a selection without the event time is CONFIG before any request (stackfeed adds nothing)', async () => {
    emu = await finishedFailingStack();
    const rfs = client(emu);
    expect(() => rfs.listStackEvents('fail', { fields: ['event_message'] })).toThrow(/timestamp/);
    expect(() => rfs.watchStackEvents('fail', { fields: ['resource_name'] })).toThrow(/timestamp/);
    expect(() => rfs.listStackEvents('fail', { fields: [] })).toThrow(/fields/);
    expect(() => buildField(['event_message'] as RfsEventField[])).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    expect(emu.server.requests.length).toBe(0);
  });

  it('isStackEvent is decided only from returned data: unknown when resource_name/resource_type were not selected', async () => {
    emu = await finishedFailingStack();
    const rfs = client(emu);
    const narrow = await rfs
      .listStackEvents('fail', { fields: ['timestamp', 'event_message'] })
      .toArray({ limit: 1000 });
    expect(narrow.length).toBeGreaterThan(0);
    for (const ev of narrow) expect(ev.isStackEvent).toBeUndefined();
    const named = await rfs.listStackEvents('fail', { fields: ['time', 'resource_name'] }).toArray({ limit: 1000 });
    // A returned resource name says "not the stack"; its absence alone says nothing (type unknown).
    expect(named.filter((e) => e.resource.name).every((e) => e.isStackEvent === false)).toBe(true);
    expect(named.filter((e) => !e.resource.name).every((e) => e.isStackEvent === undefined)).toBe(true);
    const both = await rfs
      .listStackEvents('fail', { fields: ['time', 'resource_name', 'resource_type'] })
      .toArray({ limit: 1000 });
    const full = await rfs.listStackEvents('fail').toArray({ limit: 1000 });
    expect(both.map((e) => e.isStackEvent)).toEqual(full.map((e) => e.isStackEvent));
    expect(full.some((e) => e.isStackEvent === true)).toBe(true);
    expect(full.some((e) => e.isStackEvent === false)).toBe(true);
  });

  it('a local filter on an attribute left out of fields is CONFIG (it would silently drop every event)', async () => {
    emu = await finishedFailingStack();
    const rfs = client(emu);
    // 'my-vpc' does not fit the filter grammar, so it is applied locally and needs resource_name.
    expect(() => rfs.listStackEvents('fail', { resourceName: 'my-vpc', fields: ['timestamp'] })).toThrow(
      /resource_name/,
    );
    expect(() =>
      rfs.listStackEvents('fail', {
        resourceType: 'huaweicloud_vpc',
        filter: { resourceType: 'huaweicloud_vpc' },
        fields: ['timestamp', 'resource_name'],
      }),
    ).toThrow(/resource_type/);
    // Server-side filters need no selection.
    const evs = await rfs
      .listStackEvents('fail', { resourceName: 'server', fields: ['timestamp', 'event_message'] })
      .toArray({ limit: 100 });
    expect(evs.length).toBeGreaterThan(0);
    expect(eventsQuery(emu).get('filter')).toBe('resource_name==server');
  });
});

describe('records without a time (every member of the official model is optional)', () => {
  it('are not emitted, and never fail the page; the other records are', async () => {
    emu = await finishedFailingStack();
    emu.server.faults.inject({
      kind: 'status',
      status: 200,
      body: {
        stack_events: [{ event_type: 'LOG', time: '2025-06-12T08:00:00Z' }, { event_type: 'LOG' }, {}, { time: null }],
      },
    });
    const evs = await client(emu).listStackEvents('fail').toArray({ limit: 10 });
    expect(evs.map((e) => e.timestamp.toISOString())).toEqual(['2025-06-12T08:00:00.000Z']);
  });

  it('a record without event_type is status "" and phase UNKNOWN, not INVALID_RESPONSE', async () => {
    emu = await finishedFailingStack();
    emu.server.faults.inject({
      kind: 'status',
      status: 200,
      body: { stack_events: [{ time: '2025-06-12T08:00:00Z', event_message: 'm' }] },
    });
    const [ev] = await client(emu).listStackEvents('fail').toArray({ limit: 10 });
    expect(ev).toMatchObject({ status: '', phase: 'UNKNOWN', action: 'UNKNOWN', message: 'm' });
  });
});

describe('a page holding only records without a time', () => {
  it('does not end paging: the next page is still read (only a page with no records at all ends it)', async () => {
    emu = await finishedFailingStack();
    emu.server.faults.inject({
      kind: 'status',
      status: 200,
      body: { stack_events: [{ event_type: 'LOG' }], page_info: { next_marker: 'm2' } },
    });
    emu.server.faults.inject({
      kind: 'status',
      status: 200,
      body: { stack_events: [{ event_type: 'LOG', time: '2025-06-12T08:00:00Z', event_message: 'second page' }] },
    });
    const evs = await client(emu).listStackEvents('fail', { order: 'newest-first' }).toArray({ limit: 10 });
    expect(evs.map((e) => e.message)).toEqual(['second page']);
    expect(new URLSearchParams(emu.server.requests.at(-1)?.query).get('marker')).toBe('m2');
  });
});
