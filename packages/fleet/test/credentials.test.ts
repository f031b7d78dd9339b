import { createScript, type HeatEmulator, startHeatEmulator } from '@stackfeed/emulator/heat';
import type { Store } from '@stackfeed/store';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetWorker, openFleet, type WorkerEvent } from '../src/index.js';
import { ENGINES, until } from './engines.js';
import { heatPlaces, heatSource } from './heat-source.js';

const PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
/** A test user of the emulated Keystone (a fixture, not a credential of anything real). */
const USER = { name: 'fleet-test', password: 'fleet-test-password-1', project: 'fleet', projectId: PROJECT };

describe.each(ENGINES)('a credential revoked mid-run on $name (Heat emulator with Keystone)', (engine) => {
  const emus: HeatEmulator[] = [];
  const open: Store[] = [];
  const workers: FleetWorker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await Promise.all(open.splice(0).map((s) => s.close()));
    await Promise.all(emus.splice(0).map((e) => e.close()));
  });

  it('that account is reported and retried with back-off; the other account goes on; restored, it completes', async () => {
    const user = { ...USER };
    const secured = await startHeatEmulator({ autoAdvanceMs: 300, tenant: PROJECT, keystone: { users: [user] } });
    const open2 = await startHeatEmulator({ autoAdvanceMs: 300 });
    emus.push(secured, open2);
    const res = Array.from({ length: 20 }, (_, i) => ({ name: `r${i}` }));
    const stacks = [
      ...['k1', 'k2'].map((n) => ({ emu: secured, s: secured.addStack(n, createScript(n, res)) })),
      ...['o1', 'o2'].map((n) => ({ emu: open2, s: open2.addStack(n, createScript(n, res)) })),
    ];
    const store = await engine.open();
    open.push(store);
    const fleet = await openFleet(store, { leaseTtlMs: 3000 });
    const places = heatPlaces(['secured', 'open'], { limit: 20, intervalMs: 1000 });
    const events: WorkerEvent[] = [];
    const w = new FleetWorker(fleet, {
      id: 'w',
      places,
      ...heatSource({ secured: secured.heatUrl, open: open2.heatUrl }, places, {
        secured: {
          type: 'password',
          authUrl: secured.keystoneUrl,
          username: user.name,
          password: USER.password,
          projectName: user.project,
        },
      }),
      pollIntervalMs: 50,
      backoffMs: 100,
      maxBackoffMs: 400,
      discoverEveryMs: 600_000,
      flushIntervalMs: 5,
      onEvent: (e) => events.push(e),
    });
    workers.push(w);
    await w.start();
    const storedOf = async (name: string) => (await store.events({ stack: name }).toArray({ limit: 1000 })).length;
    await until(async () => (await storedOf('k1')) > 0 && (await storedOf('k2')) > 0, 'the secured stacks under way');
    // The password is changed and every token revoked: the next call gets a 401, so does re-authentication.
    user.password = 'changed-elsewhere';
    secured.revokeTokens();
    await until(async () => {
      const s = await fleet.status();
      const open = s.targets.filter((t) => t.place.endsWith('cloud=open'));
      const sec = s.targets.filter((t) => t.place.endsWith('cloud=secured'));
      return (
        open.length === 2 &&
        open.every((t) => t.state === 'done') &&
        sec.every((t) => t.state === 'pending' && t.failures >= 2 && /^UNAUTHORIZED: /.test(t.lastError ?? ''))
      );
    }, 'the open account done, the secured one failing and retried');
    const failed = events.filter((e): e is Extract<WorkerEvent, { type: 'failed' }> => e.type === 'failed');
    expect(failed.every((e) => e.code === 'UNAUTHORIZED' && e.key.includes('cloud=secured'))).toBe(true);
    // No secret in what the fleet reports.
    const status = await fleet.status();
    expect(JSON.stringify(status)).not.toContain(USER.password);
    expect(JSON.stringify(events)).not.toContain(USER.password);

    // The credential is valid again: the back-off retries resume from the checkpoints and finish.
    user.password = USER.password;
    await until(async () => (await fleet.status()).targets.every((t) => t.state === 'done'), 'all done');
    for (const { emu, s } of stacks) {
      const stored = await store.events({ stack: s.id }).toArray({ limit: 1000 });
      expect(
        stored.map((e) => e.id),
        s.name,
      ).toEqual(emu.visibleEvents(s).map((e) => e.id));
    }
  });
});
