import type { StackEvent } from '@stackfeed/core';
import { type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HeatClient } from '../../src/index.js';

/** Every combination of event filters is an intersection, whatever Heat's query can express. */
let emu: HeatEmulator;
const client = () => new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl });
const statuses = (evs: StackEvent[]) => evs.map((e) => `${e.resource.logicalId}:${e.status}`);

beforeAll(async () => {
  emu = await startHeatEmulator();
  // CREATE: ok COMPLETE, bad FAILED, stack FAILED; then an UPDATE that completes.
  emu.addStack('mixed', [
    ...createScript('mixed', [{ name: 'ok' }, { name: 'bad', fail: true }]),
    ...createScript('mixed', [{ name: 'ok' }, { name: 'bad' }], { action: 'UPDATE', startMs: 10_000 }),
  ]);
  emu.advance(60_000);
});
afterAll(() => emu.close());
afterEach(() => {
  emu.server.requests.length = 0;
});

const truth = () => {
  const s = [...emu.stacks.values()].find((x) => x.name === 'mixed')!;
  return emu.visibleEvents(s).map((e) => `${e.resource_name}:${e.resource_status}`);
};

describe('event filters are an intersection', () => {
  it('resourceStatus FAILED with phase COMPLETE is nothing (Heat would OR the repeated resource_status)', async () => {
    const got = await client()
      .listStackEvents('mixed', { resourceStatus: 'FAILED', phase: 'COMPLETE' })
      .toArray({ limit: 100 });
    expect(statuses(got)).toEqual([]);
    for (const r of emu.server.requests)
      expect(new URLSearchParams(r.query).getAll('resource_status').length).toBeLessThan(2);
  });

  it('resourceStatus COMPLETE with phase COMPLETE or FAILED is the COMPLETE events only', async () => {
    const got = await client()
      .listStackEvents('mixed', { resourceStatus: 'COMPLETE', phase: ['COMPLETE', 'FAILED'] })
      .toArray({ limit: 100 });
    expect(statuses(got)).toEqual(truth().filter((s) => s.endsWith('_COMPLETE')));
    expect(got.length).toBeGreaterThan(0);
  });

  it('accepts the full form CREATE_COMPLETE (split into resource_action + resource_status)', async () => {
    const got = await client().listStackEvents('mixed', { resourceStatus: 'CREATE_COMPLETE' }).toArray({ limit: 100 });
    expect(statuses(got)).toEqual(truth().filter((s) => s.endsWith(':CREATE_COMPLETE')));
    expect(got.length).toBeGreaterThan(0);
    const q = new URLSearchParams(emu.server.requests.at(-1)?.query);
    expect(q.getAll('resource_status')).toEqual(['COMPLETE']);
    expect(q.getAll('resource_action')).toEqual(['CREATE']);
  });

  it('several full forms give exactly those statuses, not the cross product Heat would answer', async () => {
    const got = await client()
      .listStackEvents('mixed', { resourceStatus: ['CREATE_FAILED', 'UPDATE_COMPLETE'] })
      .toArray({ limit: 100 });
    const want = truth().filter((s) => s.endsWith(':CREATE_FAILED') || s.endsWith(':UPDATE_COMPLETE'));
    expect(statuses(got)).toEqual(want);
    expect(want.length).toBeGreaterThan(2);
  });

  it('a full form and a different resourceAction intersect to nothing', async () => {
    const got = await client()
      .listStackEvents('mixed', { resourceStatus: 'CREATE_COMPLETE', resourceAction: 'UPDATE' })
      .toArray({ limit: 100 });
    expect(got).toEqual([]);
  });

  it('mixes the status-part and full forms as one OR, intersected with phase', async () => {
    const got = await client()
      .listStackEvents('mixed', { resourceStatus: ['FAILED', 'UPDATE_COMPLETE'], phase: 'FAILED' })
      .toArray({ limit: 100 });
    expect(statuses(got)).toEqual(truth().filter((s) => s.endsWith('_FAILED')));
  });

  it('refuses an unknown resourceStatus with CONFIG before any request', async () => {
    for (const bad of ['CREATE_DONE', 'DONE', 'FOO_COMPLETE', '']) {
      expect(() => client().listStackEvents('mixed', { resourceStatus: bad })).toThrow(
        expect.objectContaining({ code: 'CONFIG' }),
      );
    }
    expect(() => client().watchStackEvents('mixed', { resourceStatus: 'CREATE_DONE' })).toThrow(
      expect.objectContaining({ code: 'CONFIG' }),
    );
    expect(emu.server.requests).toHaveLength(0);
  });

  it("order: 'newest-first' is Heat's own desc order; a contradicting sortDir is CONFIG", async () => {
    const newest = await client()
      .listStackEvents('mixed', { order: 'newest-first', pageSize: 3 })
      .toArray({ limit: 100 });
    expect(statuses(newest)).toEqual([...truth()].reverse());
    const firstTwo = await client().listStackEvents('mixed', { order: 'newest-first' }).toArray({ limit: 2 });
    expect(statuses(firstTwo)).toEqual([...truth()].reverse().slice(0, 2));
    expect(() => client().listStackEvents('mixed', { order: 'newest-first', sortDir: 'asc' })).toThrow(
      expect.objectContaining({ code: 'CONFIG' }),
    );
  });

  it('a watch intersects the same way', async () => {
    const w = client().watchStackEvents('mixed', { resourceStatus: 'FAILED', phase: 'COMPLETE', pollIntervalMs: 5 });
    const got: StackEvent[] = [];
    for await (const e of w) got.push(e);
    expect(got).toEqual([]);
    const full = client().watchStackEvents('mixed', { resourceStatus: 'UPDATE_COMPLETE', pollIntervalMs: 5 });
    const done: StackEvent[] = [];
    for await (const e of full) done.push(e);
    expect(statuses(done)).toEqual(truth().filter((s) => s.endsWith(':UPDATE_COMPLETE')));
  });
});
