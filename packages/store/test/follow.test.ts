import { type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { HeatClient } from '@stackfeed/openstack-heat';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/index.js';
import { ENGINES } from './engines.js';

const RES = Array.from({ length: 12 }, (_, i) => ({ name: `r${i}` }));
const heat = (e: HeatEmulator) =>
  new HeatClient({ auth: { type: 'none' }, endpoint: e.heatUrl, retry: { baseDelayMs: 1, maxDelayMs: 4 } });

describe.each(ENGINES)('store.follow on $name (Heat emulator)', (engine) => {
  let emu: HeatEmulator | undefined;
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await emu?.close();
    emu = undefined;
  });

  it('keeps every event of a stack that Heat prunes and then deletes: still queryable afterwards', async () => {
    // Heat keeps 8 events per stack here: the older ones vanish from the API while the stack runs.
    emu = await startHeatEmulator({ autoAdvanceMs: 600, maxEventsPerStack: 8 });
    const create = createScript('web', RES, { stepMs: 1000 });
    const s = emu.addStack('web', create);
    const all = s.events.map((e) => e.id);
    const store = await engine.open();
    open.push(store);
    const r = await store.follow(heat(emu), 'web', { pollIntervalMs: 10, flushIntervalMs: 5 });
    expect(r.watch?.outcome).toBe('succeeded');
    expect(emu.visibleEvents(s).length).toBe(8);
    const stored = await store.events({ stack: 'web' }).toArray({ limit: 1000 });
    expect(stored.map((e) => e.id)).toEqual(all);
    expect(r.inserted).toBe(all.length);
    // The provider forgets the stack entirely; the store does not.
    s.deleted = true;
    const [summary] = await store.stacks({ provider: 'openstack-heat' });
    expect(summary).toMatchObject({ name: 'web', id: s.id, status: 'CREATE_COMPLETE' });
    expect(await store.events({ stack: s.id, phase: 'COMPLETE' }).toArray({ limit: 1000 })).toHaveLength(
      RES.length + 1,
    );
  });

  it('a follow stopped half-way resumes from its checkpoint: together the two store each event once', async () => {
    emu = await startHeatEmulator({ autoAdvanceMs: 400 });
    const s = emu.addStack('api', createScript('api', RES, { stepMs: 1000 }));
    const store = await engine.open();
    open.push(store);
    const stop = new AbortController();
    let seen = 0;
    const first = await store.follow(heat(emu), 'api', {
      pollIntervalMs: 10,
      flushIntervalMs: 5,
      batchSize: 3,
      signal: stop.signal,
      onBatch: (b) => {
        seen += b.inserted;
        if (seen >= 9) stop.abort();
      },
    });
    expect(first.aborted).toBe(true);
    expect(first.watch).toBeUndefined();
    const cp = await store.checkpoint('openstack-heat:api');
    expect(cp?.lowWater).toBeInstanceOf(Date);
    const second = await store.follow(heat(emu), 'api', { pollIntervalMs: 10, flushIntervalMs: 5 });
    expect(second.resumedFrom).toEqual(cp?.lowWater);
    expect(second.watch?.outcome).toBe('succeeded');
    const truth = emu.visibleEvents(s).map((e) => e.id);
    const stored = await store.events({ stack: 'api' }).toArray({ limit: 1000 });
    expect(stored.map((e) => e.id)).toEqual(truth);
    expect(first.inserted + second.inserted).toBe(truth.length);
    // The resumed watch re-read the events at the low-water second: dropped, not stored twice.
    expect(second.duplicates).toBeGreaterThan(0);
  });
});
