import type { StackEvent } from '@stackfeed/core';
import {
  type RfsEmulator,
  deploymentFailsAndRollsBack,
  deploymentSucceeds,
  largeStack,
  stackDeletion,
} from '@stackfeed/emulator/rfs';
import { afterEach, describe, expect, it } from 'vitest';
import { client, emulator } from './fixtures.js';

let emu: RfsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const T0 = Date.UTC(2025, 5, 12, 8, 0, 0);
const FAST = { pollIntervalMs: 20 };

async function collect(stream: AsyncIterable<StackEvent>): Promise<StackEvent[]> {
  const out: StackEvent[] = [];
  for await (const ev of stream) out.push(ev);
  return out;
}

/** The emulator's ground truth, oldest first, as `status|message` lines. */
const truth = (e: RfsEmulator, name: string) =>
  (e.stack(name)?.events ?? []).map((x) => `${x.wire.event_type}|${x.wire.event_message}`);
const lines = (evs: StackEvent[]) => evs.map((x) => `${x.status}|${x.message}`);

describe('watchStackEvents', () => {
  it('follows a deployment that succeeds: every event once, oldest first, ends DEPLOYMENT_COMPLETE', async () => {
    emu = await emulator({
      scenarios: [deploymentSucceeds({ stackName: 'ok', startAt: T0 })],
      progress: 'on-metadata',
    });
    const rfs = client(emu);
    const stream = rfs.watchStackEvents('ok', FAST);
    const events = await collect(stream);
    expect(emu.pending('ok')).toBe(0);
    expect(lines(events)).toEqual(truth(emu, 'ok'));
    expect(stream.result).toMatchObject({ outcome: 'succeeded', status: 'DEPLOYMENT_COMPLETE' });
    expect(stream.result?.final).toMatchObject({ state: 'COMPLETE', name: 'ok' });
    expect(stream.result?.polls).toBeGreaterThan(3);
    expect(events.at(-1)?.status).toBe('SUMMARY');
  });

  it('follows a deployment that fails and rolls back: outcome failed, ROLLBACK_COMPLETE, the ERROR in order', async () => {
    emu = await emulator({
      scenarios: [deploymentFailsAndRollsBack({ stackName: 'fail', startAt: T0 })],
      progress: 'on-metadata',
    });
    const stream = client(emu).watchStackEvents({ name: 'fail' }, FAST);
    const events = await collect(stream);
    expect(lines(events)).toEqual(truth(emu, 'fail'));
    expect(stream.result).toMatchObject({ outcome: 'failed', status: 'ROLLBACK_COMPLETE' });
    expect(stream.result?.final?.state).toBe('ROLLED_BACK');
    // No status_message on ROLLBACK_COMPLETE: the reason is the newest ERROR line.
    expect(stream.result?.reason).toMatch(/^Error: error creating huaweicloud_compute_instance/);
    const failed = events.findIndex((e) => e.status === 'CREATION_FAILED');
    expect(events[failed + 1]).toMatchObject({ status: 'ERROR', phase: 'FAILED' });
    expect(events.filter((e) => e.action === 'DELETE' && e.phase === 'COMPLETE').length).toBeGreaterThan(0);
  });

  it('a deletion ends successfully when the stack answers 404 (there is no DELETION_COMPLETE status)', async () => {
    emu = await emulator({ scenarios: [stackDeletion({ stackName: 'gone', startAt: T0 })], progress: 'on-metadata' });
    const stream = client(emu).watchStackEvents('gone', FAST);
    const events = await collect(stream);
    expect(emu.stack('gone')?.deleted).toBe(true);
    expect(lines(events)).toEqual(truth(emu, 'gone'));
    expect(stream.result).toMatchObject({ outcome: 'deleted', status: 'DELETED' });
    expect(stream.result?.final).toMatchObject({ state: 'DELETED', name: 'gone' });
  });

  it('a stack that never existed is NOT_FOUND, not a successful deletion', async () => {
    emu = await emulator({});
    await expect(collect(client(emu).watchStackEvents('nope', FAST))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('an unknown deployment id on an existing stack is NOT_FOUND', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok', startAt: T0 })], progress: 'manual' });
    emu.finish('ok');
    await expect(
      collect(client(emu).watchStackEvents('ok', { ...FAST, deploymentId: '11111111-2222-3333-4444-555555555555' })),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', providerCode: 'RF.10012405' });
  });

  it('scoped to a deployment id, with a typed filter', async () => {
    const s = deploymentFailsAndRollsBack({ stackName: 'fail', startAt: T0 });
    emu = await emulator({ scenarios: [s], progress: 'manual' });
    emu.finish('fail');
    const rollbackId = s.steps.find((x) => x.status === 'ROLLBACK_IN_PROGRESS')?.deploymentId as string;
    const stream = client(emu).watchStackEvents('fail', {
      ...FAST,
      deploymentId: rollbackId,
      filter: { eventType: 'DELETION_COMPLETE' },
    });
    const events = await collect(stream);
    expect(events.length).toBeGreaterThan(0);
    expect(
      events.every(
        (e) =>
          e.status === 'DELETION_COMPLETE' && e.details?.deploymentId === rollbackId && e.deploymentId === rollbackId,
      ),
    ).toBe(true);
  });

  it('on a long history, later polls stop paging once they reach what was already yielded', async () => {
    emu = await emulator({ progress: 'on-metadata' });
    const big = largeStack({ stackName: 'big', eventCount: 1200, startAt: T0 });
    const next = deploymentSucceeds({ stackName: 'big' });
    // History of the large stack, then a new deployment that progresses while we watch.
    emu.addScenario({ ...big, steps: next.steps.map((st) => ({ ...st, at: st.at })) });
    const stream = client(emu).watchStackEvents('big', { ...FAST, pageSize: 100 });
    const events = await collect(stream);
    expect(lines(events)).toEqual(truth(emu, 'big'));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const eventCalls = emu.server.requests.filter((r) => r.path.endsWith('/big/events')).length;
    const polls = stream.result?.polls ?? 0;
    // First poll reads 12 pages (1200 events); every later poll one page (plus the final drain).
    expect(eventCalls).toBe(12 + (polls - 1));
    expect(stream.result).toMatchObject({ outcome: 'succeeded' });
  });

  it('a local filter that drops everything does not make each poll re-read the history', async () => {
    emu = await emulator({ progress: 'on-metadata' });
    const big = largeStack({ stackName: 'big', eventCount: 1200, startAt: T0 });
    emu.addScenario({ ...big, steps: deploymentSucceeds({ stackName: 'big' }).steps });
    // `no-such-resource` does not fit the filter grammar: applied locally, it matches nothing.
    const stream = client(emu).watchStackEvents('big', { ...FAST, pageSize: 100, resourceName: 'no-such-resource' });
    expect(await collect(stream)).toEqual([]);
    const eventCalls = emu.server.requests.filter((r) => r.path.endsWith('/big/events')).length;
    expect(eventCalls).toBe(12 + ((stream.result?.polls ?? 0) - 1));
    expect(stream.result?.outcome).toBe('succeeded');
  });

  it('progresses with the emulator clock as well (clock mode)', async () => {
    let now = T0;
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok', startAt: T0 })], clock: () => now });
    const rfs = client(emu, { now: () => now });
    const stream = rfs.watchStackEvents('ok', FAST);
    const seen: StackEvent[] = [];
    for await (const ev of stream) {
      seen.push(ev);
      // Each event observed moves the service clock on by two steps.
      now += 2000;
    }
    // The first poll happens at T0 (one step due): the clock then drives the rest.
    expect(lines(seen)).toEqual(truth(emu, 'ok'));
    expect(stream.result?.outcome).toBe('succeeded');
  });

  it('honours an abort signal', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok', startAt: T0 })], progress: 'manual' });
    emu.advance('ok', 2);
    const ac = new AbortController();
    const stream = client(emu).watchStackEvents('ok', { ...FAST, signal: ac.signal });
    const first = await stream.next();
    expect(first.done).toBe(false);
    ac.abort();
    await expect(collect(stream)).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('follows only a new deployment of an existing stack when scoped by its deployment id', async () => {
    emu = await emulator({
      scenarios: [deploymentSucceeds({ stackName: 'ok', startAt: T0 })],
      progress: 'on-metadata',
    });
    emu.finish('ok');
    const before = emu.stack('ok')?.events.length ?? 0;
    const D2 = '22222222-3333-4444-5555-666666666666';
    emu.play('ok', deploymentSucceeds({ stackName: 'ok', deploymentId: D2 }).steps, { startAt: T0 + 3_600_000 });
    emu.advance('ok', 1); // the new run has started: DEPLOYMENT_IN_PROGRESS
    const stream = client(emu).watchStackEvents('ok', { ...FAST, deploymentId: D2 });
    const events = await collect(stream);
    const all = emu.stack('ok')?.events ?? [];
    expect(lines(events)).toEqual(all.slice(before).map((x) => `${x.wire.event_type}|${x.wire.event_message}`));
    expect(events.every((e) => e.timestamp.getTime() >= T0 + 3_600_000 && e.details?.deploymentId === D2)).toBe(true);
    expect(stream.result).toMatchObject({ outcome: 'succeeded', status: 'DEPLOYMENT_COMPLETE' });
  });

  it('an exact duplicate that appears in a later poll (same content, same second) is yielded once more', async () => {
    const log = { event_type: 'LOG', event_message: 'Apply required resource success. ' };
    emu = await emulator({
      progress: 'on-metadata',
      scenarios: [
        {
          stackName: 'dup',
          stackId: '12345678-1234-4234-a234-123456789012',
          startAt: T0,
          initialStatus: 'DEPLOYMENT_IN_PROGRESS',
          history: [],
          steps: [
            { at: 0, events: [log] },
            { at: 0, events: [log] },
            { at: 1000, status: 'DEPLOYMENT_COMPLETE', events: [{ event_type: 'SUMMARY', event_message: 'done' }] },
          ],
        },
      ],
    });
    const stream = client(emu).watchStackEvents('dup', FAST);
    const events = await collect(stream);
    expect(events.map((e) => e.status)).toEqual(['LOG', 'LOG', 'SUMMARY']);
    expect(events[0]?.timestamp.getTime()).toBe(events[1]?.timestamp.getTime());
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    // The LOG twins arrived in two different polls.
    expect(stream.result?.polls).toBeGreaterThanOrEqual(4);
  });

  it('stops cleanly when the consumer breaks out early', async () => {
    emu = await emulator({
      scenarios: [deploymentSucceeds({ stackName: 'ok', startAt: T0 })],
      progress: 'on-metadata',
    });
    const stream = client(emu).watchStackEvents('ok', FAST);
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    expect(n).toBe(3);
    expect(stream.result).toBeUndefined();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('keeps watching through a throttled poll', async () => {
    emu = await emulator({
      scenarios: [deploymentSucceeds({ stackName: 'ok', startAt: T0 })],
      progress: 'on-metadata',
    });
    emu.server.faults.inject({ kind: 'throttle' }, { times: 6, match: (r) => r.url.pathname.endsWith('/events') });
    const stream = client(emu, { retry: { maxAttempts: 2, baseDelayMs: 1 } }).watchStackEvents('ok', FAST);
    const events = await collect(stream);
    expect(lines(events)).toEqual(truth(emu, 'ok'));
  });
});
