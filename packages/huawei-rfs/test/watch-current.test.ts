import type { StackEvent } from '@stackfeed/core';
import { type RfsEmulator, deploymentFails, deploymentSucceeds } from '@stackfeed/emulator/rfs';
import { afterEach, describe, expect, it } from 'vitest';
import { client, emulator } from './fixtures.js';

let emu: RfsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const T0 = Date.UTC(2026, 0, 1);
const FAST = { pollIntervalMs: 20 };
const D2 = '33333333-3333-4333-a333-333333333333';

async function collect(stream: AsyncIterable<StackEvent>): Promise<StackEvent[]> {
  const out: StackEvent[] = [];
  for await (const ev of stream) out.push(ev);
  return out;
}

describe("watchStackEvents({ operation: 'current' })", () => {
  it('skips the finished deployment, follows the next one, and the result names its root cause', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 's', startAt: T0 })], progress: 'on-metadata' });
    emu.finish('s');
    const before = emu.stack('s')?.events.length ?? 0;
    // The next deployment starts after the watch began (one step per GetStackMetadata call).
    emu.play('s', deploymentFails({ stackName: 's', deploymentId: D2 }).steps, { startAt: T0 + 3_600_000 });
    const stream = client(emu).watchStackEvents('s', { ...FAST, operation: 'current' });
    const events = await collect(stream);
    const fresh = emu.stack('s')?.events.slice(before) ?? [];
    expect(events.map((e) => `${e.status}|${e.message}`)).toEqual(
      fresh.map((x) => `${x.wire.event_type}|${x.wire.event_message}`),
    );
    expect(stream.result).toMatchObject({ outcome: 'failed', status: 'DEPLOYMENT_FAILED' });
    expect(stream.result?.deployment).toMatchObject({ outcome: 'failed', action: 'UPDATE' });
    expect(stream.result?.deployment?.startedAt?.getTime()).toBe(T0 + 3_600_000);
    expect(stream.result?.rootCause?.reason).toMatch(/Insufficient EIP quota/);
  });

  it('a watch of all operations reads the history too, and its summary is the newest deployment', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 's', startAt: T0 })], progress: 'on-metadata' });
    const stream = client(emu).watchStackEvents('s', FAST);
    const events = await collect(stream);
    expect(events).toHaveLength(emu.stack('s')?.events.length ?? -1);
    expect(stream.result?.deployment).toMatchObject({ outcome: 'succeeded', status: 'DEPLOYMENT_COMPLETE' });
    expect(stream.result?.rootCause).toBeUndefined();
  });

  it('on a stack whose last deployment ended and none starts: yields nothing and never ends on the old status', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 's', startAt: T0 })], progress: 'manual' });
    emu.finish('s');
    const ac = new AbortController();
    const got: StackEvent[] = [];
    const run = (async () => {
      for await (const ev of client(emu).watchStackEvents('s', { ...FAST, operation: 'current', signal: ac.signal })) {
        got.push(ev);
      }
    })();
    const polls = () => (emu?.server.requests ?? []).filter((r) => r.path.endsWith('/events')).length;
    // Several polls of a stack at DEPLOYMENT_COMPLETE, and the watch is still waiting for a start.
    while (polls() < 4) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(got).toEqual([]);
  });
});
