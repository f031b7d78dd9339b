/**
 * Issue 13: a server that lists events in a stable order that is not time order must not make the
 * watch lose events (the newest-first cut and the early stop trust the documented order). The
 * emulator's `shuffled` listing order is such a server.
 */
import type { StackEvent } from '@stackfeed/core';
import { type RfsEmulator, largeStack } from '@stackfeed/emulator/rfs';
import { afterEach, describe, expect, it } from 'vitest';
import { client, emulator } from './fixtures.js';

let emu: RfsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const T0 = Date.UTC(2025, 5, 12, 8, 0, 0);

describe('watch over a listing that is not in time order', () => {
  it('loses nothing and yields every event once (30 events arriving over 10 polls)', async () => {
    // 30 events, three per step; one step applied per GetStackMetadata (one per poll).
    const s = largeStack({ stackName: 'mess', eventCount: 30, startAt: T0 });
    emu = await emulator({ scenarios: [], progress: 'on-metadata' });
    const steps = [...s.history, ...s.steps];
    const events = steps.flatMap((st) => st.events ?? []);
    expect(events.length).toBe(30);
    emu.addScenario({
      ...s,
      initialStatus: 'DEPLOYMENT_IN_PROGRESS',
      history: [],
      steps: [
        ...Array.from({ length: 10 }, (_, i) => ({
          at: i * 1000,
          deploymentId: s.steps[0]?.deploymentId ?? 'd',
          events: events.slice(i * 3, i * 3 + 3),
        })),
        { at: 11_000, status: 'DEPLOYMENT_COMPLETE' },
      ],
    });
    emu.store.listingOrder = 'shuffled';
    const got: StackEvent[] = [];
    const watch = client(emu).watchStackEvents('mess', { pollIntervalMs: 1, pageSize: 10 });
    for await (const ev of watch) got.push(ev);
    const truth = (emu.stack('mess')?.events ?? []).map((e) => `${e.wire.time}|${e.wire.event_message}`);
    const seen = got.map((e) => `${e.timestamp.toISOString().slice(0, 19)}Z|${e.message}`);
    expect(new Set(got.map((e) => e.id)).size).toBe(got.length);
    expect([...seen].sort()).toEqual([...truth].sort());
    expect(watch.result?.outcome).toBe('succeeded');
    // The engine saw the listing break its order and switched this watch to full re-reads.
    expect(watch.result?.fullRereadPolls).toBeGreaterThan(0);
  });
});
