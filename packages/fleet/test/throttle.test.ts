import { createScript, type HeatEmulator, startHeatEmulator } from '@stackfeed/emulator/heat';
import type { Store } from '@stackfeed/store';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetWorker, openFleet, type WorkerEvent } from '../src/index.js';
import { ENGINES, until } from './engines.js';
import { heatPlaces, heatSource } from './heat-source.js';

describe.each(ENGINES)('THROTTLED answers on $name (Heat emulator)', (engine) => {
  let emu: HeatEmulator | undefined;
  const open: Store[] = [];
  const workers: FleetWorker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await Promise.all(open.splice(0).map((s) => s.close()));
    await emu?.close();
    emu = undefined;
  });

  it('slow the account’s budget for every worker; the throttled stack backs off and still ends complete, the others go on', async () => {
    emu = await startHeatEmulator({ autoAdvanceMs: 500 });
    const res = Array.from({ length: 4 }, (_, i) => ({ name: `r${i}` }));
    const stacks = ['hot', 'calm-1', 'calm-2'].map((n) => (emu as HeatEmulator).addStack(n, createScript(n, res)));
    // The provider throttles every request about the stack "hot", 12 times.
    emu.server.faults.inject(
      { kind: 'throttle', retryAfter: 0 },
      { match: (req) => req.rawPath.includes('/stacks/hot'), times: 12 },
    );
    const store = await engine.open();
    open.push(store);
    const fleet = await openFleet(store, { leaseTtlMs: 3000 });
    const places = heatPlaces(['c'], { limit: 20, intervalMs: 1000 });
    const events: WorkerEvent[] = [];
    const w = new FleetWorker(fleet, {
      id: 'w',
      places,
      ...heatSource({ c: emu.heatUrl }, places),
      pollIntervalMs: 50,
      backoffMs: 50,
      flushIntervalMs: 5,
      onEvent: (e) => events.push(e),
    });
    workers.push(w);
    await w.start();
    await until(async () => {
      const s = await fleet.status();
      return s.targets.length === 3 && s.targets.every((t) => t.state === 'done');
    }, 'all three followed to their end');
    const status = await fleet.status();
    const [budget] = status.budgets;
    expect(budget?.throttled).toBeGreaterThan(0);
    expect(budget?.slowedUntil).toBeInstanceOf(Date);
    expect(emu.server.faults.pending).toBe(0);
    for (const s of stacks) {
      const stored = await store.events({ stack: s.id }).toArray({ limit: 1000 });
      expect(stored.map((e) => e.id)).toEqual(emu.visibleEvents(s).map((e) => e.id));
    }
    expect(status.targets.every((t) => t.doneStatus === 'succeeded')).toBe(true);
  });
});
