import { createScript, type HeatEmulator, startHeatEmulator } from '@stackfeed/emulator/heat';
import type { Store } from '@stackfeed/store';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetWorker, openFleet, type Place, type WorkerEvent } from '../src/index.js';
import { ENGINES, until } from './engines.js';
import { heatPlaces, heatSource } from './heat-source.js';

describe.each(ENGINES)('discovery on $name (Heat emulator)', (engine) => {
  let emu: HeatEmulator | undefined;
  const open: Store[] = [];
  const workers: FleetWorker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await Promise.all(open.splice(0).map((s) => s.close()));
    await emu?.close();
    emu = undefined;
  });

  it('keeps what the place’s filters name; an unreachable account is reported and retried with back-off while the rest goes on', async () => {
    emu = await startHeatEmulator({ autoAdvanceMs: 500 });
    for (const n of ['web-1', 'web-2', 'db-1']) emu.addStack(n, createScript(n, [{ name: 'r' }]));
    const store = await engine.open();
    open.push(store);
    const fleet = await openFleet(store, { leaseTtlMs: 3000 });
    const [a, gone] = heatPlaces(['a', 'gone'], { limit: 20, intervalMs: 1000 }) as [Place, Place];
    a.filters = { name: 'web-*' };
    const events: WorkerEvent[] = [];
    const w = new FleetWorker(fleet, {
      id: 'w',
      places: [a, gone],
      // Port 1 on loopback: nothing listens, the connection is refused.
      ...heatSource({ a: emu.heatUrl, gone: 'http://127.0.0.1:1/v1/admin' }, [a, gone]),
      pollIntervalMs: 50,
      backoffMs: 50,
      random: () => 1,
      discoverEveryMs: 600_000,
      flushIntervalMs: 5,
      onEvent: (e) => events.push(e),
    });
    workers.push(w);
    await w.start();
    await until(async () => {
      const s = await fleet.status();
      return s.targets.length === 2 && s.targets.every((t) => t.state === 'done');
    }, 'the two web stacks followed to their end');
    await until(() => events.filter((e) => e.type === 'discovery-failed').length >= 2, 'the dead place retried');
    const status = await fleet.status();
    expect(status.targets.map((t) => t.name).sort()).toEqual(['web-1', 'web-2']);
    const dead = status.places.find((p) => p.key === gone.key);
    expect(dead?.failures).toBeGreaterThanOrEqual(2);
    expect(dead?.lastError).toMatch(/^NETWORK: /);
    const retries = events.filter(
      (e): e is Extract<WorkerEvent, { type: 'discovery-failed' }> => e.type === 'discovery-failed',
    );
    expect(retries.slice(0, 2).map((e) => e.retryInMs)).toEqual([50, 100]);
    expect(status.places.find((p) => p.key === a.key)).toMatchObject({ failures: 0, runs: 1, found: 2 });
  });
});
