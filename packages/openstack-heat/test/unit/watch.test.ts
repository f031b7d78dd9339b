import type { StackEvent } from '@stackfeed/core';
import { type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterEach, describe, expect, it } from 'vitest';
import { HeatClient } from '../../src/index.js';

let emu: HeatEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const RES = Array.from({ length: 6 }, (_, i) => ({ name: `r${i}` }));
const clientFor = (e: HeatEmulator, retry: Record<string, number> = { baseDelayMs: 1, maxDelayMs: 4 }) =>
  new HeatClient({ auth: { type: 'none' }, endpoint: e.heatUrl, retry });

async function drain(it: AsyncIterable<StackEvent>): Promise<StackEvent[]> {
  const out: StackEvent[] = [];
  for await (const ev of it) out.push(ev);
  return out;
}

describe('watchStackEvents', () => {
  it('follows a create as it progresses, yields each event once in order, ends on CREATE_COMPLETE', async () => {
    // every events/stack request moves the scenario clock 700 ms: the deployment advances as we poll
    emu = await startHeatEmulator({ autoAdvanceMs: 700 });
    const s = emu.addStack('live', createScript('live', RES, { stepMs: 1000 }));
    const w = clientFor(emu).watchStackEvents('live', { pollIntervalMs: 10 });
    const got = await drain(w);
    const truth = emu.visibleEvents(s).map((e) => e.id);
    expect(got.map((e) => e.id)).toEqual(truth);
    expect(got).toHaveLength(2 + RES.length * 2);
    expect(w.result).toMatchObject({
      outcome: 'succeeded',
      status: 'CREATE_COMPLETE',
      final: { name: 'live', state: 'COMPLETE' },
    });
    // the stack is read on the first poll, after stack-level events and after quiet polls: not every poll
    const eventsCalls = emu.server.requests.filter((r) => r.path.endsWith('/events')).length;
    const stackCalls = emu.server.requests.filter((r) => /\/stacks\/live\/[0-9a-f-]{36}$/.test(r.path)).length;
    expect(stackCalls).toBeLessThan(eventsCalls);
    // one name lookup, then the canonical URL
    expect(emu.server.requests.filter((r) => r.path === '/v1/admin/stacks/live/events')).toHaveLength(1);
  });

  it('ends failed on CREATE_FAILED with the reason', async () => {
    emu = await startHeatEmulator({ autoAdvanceMs: 500 });
    emu.addStack('bad', createScript('bad', [{ name: 'a' }, { name: 'b', fail: true }]));
    const w = clientFor(emu).watchStackEvents('bad', { pollIntervalMs: 10 });
    const got = await drain(w);
    expect(got.at(-1)).toMatchObject({ isStackEvent: true, status: 'CREATE_FAILED', phase: 'FAILED' });
    expect(w.result).toMatchObject({
      outcome: 'failed',
      status: 'CREATE_FAILED',
      reason: expect.stringContaining('Test Resource failed'),
    });
  });

  it('waits for the action asked for (untilAction) and ends deleted; survives the name lookup failing after delete', async () => {
    emu = await startHeatEmulator({ autoAdvanceMs: 400 });
    const s = emu.addStack('gone', [
      ...createScript('gone', RES.slice(0, 2), { stepMs: 100 }),
      ...createScript('gone', RES.slice(0, 2).reverse(), { startMs: 5000, stepMs: 500, action: 'DELETE' }),
    ]);
    emu.advance(1000); // CREATE_COMPLETE now; the DELETE starts later
    const w = clientFor(emu).watchStackEvents('gone', { pollIntervalMs: 10, untilAction: 'DELETE' });
    const got = await drain(w);
    expect(got.at(-1)).toMatchObject({ status: 'DELETE_COMPLETE', isStackEvent: true });
    expect(got.map((e) => e.id)).toEqual(emu.visibleEvents(s).map((e) => e.id));
    expect(w.result).toMatchObject({ outcome: 'deleted', status: 'DELETE_COMPLETE' });
  });

  it('ends deleted when the stack disappears (purged) mid-watch', async () => {
    emu = await startHeatEmulator({ autoAdvanceMs: 300 });
    const s = emu.addStack('purged', createScript('purged', RES, { stepMs: 1000 }));
    const w = clientFor(emu).watchStackEvents({ name: 'purged', id: s.id }, { pollIntervalMs: 10 });
    const got: StackEvent[] = [];
    for await (const ev of w) {
      got.push(ev);
      if (got.length === 3) emu.stacks.delete(s.id);
    }
    expect(got.length).toBeGreaterThanOrEqual(3);
    expect(w.result).toMatchObject({ outcome: 'deleted' });
  });

  it('survives Heat pruning old events mid-watch (the marker is purged and ignored): no duplicates, nothing new lost', async () => {
    // Heat keeps at most 6 events here; the watch's marker event is pruned between polls
    emu = await startHeatEmulator({ autoAdvanceMs: 900, maxEventsPerStack: 6 });
    const s = emu.addStack(
      'prune',
      createScript(
        'prune',
        Array.from({ length: 15 }, (_, i) => ({ name: `p${i}` })),
        { stepMs: 1000 },
      ),
    );
    const everVisible = new Set<string>();
    const w = clientFor(emu).watchStackEvents('prune', { pollIntervalMs: 10 });
    const got = await drain(w);
    for (const e of s.events) everVisible.add(e.id);
    const ids = got.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(everVisible.has(id)).toBe(true);
    const times = got.map((e) => e.timestamp.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(got.at(-1)).toMatchObject({ status: 'CREATE_COMPLETE', isStackEvent: true });
    expect(s.pruned.size).toBeGreaterThan(0);
    expect(w.result?.outcome).toBe('succeeded');
    // the events still retained at the end were all yielded
    for (const e of emu.visibleEvents(s)) expect(ids).toContain(e.id);
  });

  it('includes nested stacks with nestedDepth, ending on the root stack only', async () => {
    emu = await startHeatEmulator({ autoAdvanceMs: 600 });
    const root = emu.addStack('root', [
      { atMs: 0, resource: 'root', status: 'CREATE_IN_PROGRESS', reason: 'Stack CREATE started' },
      { atMs: 1000, resource: 'group', status: 'CREATE_IN_PROGRESS', type: 'OS::Heat::ResourceGroup' },
      { atMs: 6000, resource: 'group', status: 'CREATE_COMPLETE', type: 'OS::Heat::ResourceGroup' },
      { atMs: 7000, resource: 'root', status: 'CREATE_COMPLETE', reason: 'Stack CREATE completed successfully' },
    ]);
    emu.addStack('root-group-x', createScript('root-group-x', RES.slice(0, 2), { startMs: 1500, stepMs: 500 }), {
      parent: root.id,
    });
    const w = clientFor(emu).watchStackEvents('root', { pollIntervalMs: 10, nestedDepth: 1 });
    const got = await drain(w);
    expect(got).toHaveLength(4 + 6);
    const nested = got.filter((e) => e.stack.name === 'root-group-x');
    expect(nested).toHaveLength(6);
    expect(nested.every((e) => e.stack.rootName === 'root' && e.stack.rootId === root.id)).toBe(true);
    // the nested stack's own completion did not end the watch
    expect(nested.filter((e) => e.isStackEvent).map((e) => e.status)).toEqual([
      'CREATE_IN_PROGRESS',
      'CREATE_COMPLETE',
    ]);
    expect(got.at(-1)).toMatchObject({ stack: { name: 'root' }, status: 'CREATE_COMPLETE' });
    expect(emu.server.requests.find((r) => r.path.endsWith('/events'))?.query).toContain('nested_depth=1');
  });

  it('filters on Heat (never the resource-events URL and its 404) and still ends', async () => {
    emu = await startHeatEmulator({ autoAdvanceMs: 700 });
    emu.addStack('flt', createScript('flt', RES, { stepMs: 1000 }));
    const w = clientFor(emu).watchStackEvents('flt', { pollIntervalMs: 10, resourceName: 'r9', phase: 'FAILED' });
    expect(await drain(w)).toEqual([]);
    expect(w.result?.outcome).toBe('succeeded');
    expect(emu.server.requests.some((r) => r.path.includes('/resources/'))).toBe(false);
  });

  it('backs off on 429 / 503 / resets and keeps going', async () => {
    emu = await startHeatEmulator({ autoAdvanceMs: 700 });
    const s = emu.addStack('flaky', createScript('flaky', RES, { stepMs: 1000 }));
    const e = emu;
    // faults on the 2nd, 4th, 6th and 8th events request: each poll after a fault succeeds
    const nth = (k: number) => (r: { rawPath: string }) =>
      r.rawPath.endsWith('/events') && e.server.requests.filter((x) => x.path.endsWith('/events')).length + 1 === k;
    e.server.faults
      .inject({ kind: 'throttle', retryAfter: 0 }, { match: nth(2) })
      .inject({ kind: 'status', status: 503 }, { match: nth(4) })
      .inject({ kind: 'reset' }, { match: nth(6) })
      .inject({ kind: 'throttle' }, { match: nth(8) });
    const w = clientFor(e, { maxAttempts: 1 }).watchStackEvents('flaky', { pollIntervalMs: 10, maxPollIntervalMs: 40 });
    const got = await drain(w);
    expect(got.map((x) => x.id)).toEqual(e.visibleEvents(s).map((x) => x.id));
    expect(e.server.requests.filter((r) => r.fault).map((r) => r.fault)).toEqual([
      'throttle',
      'status',
      'reset',
      'throttle',
    ]);
    expect(w.result?.outcome).toBe('succeeded');
  });

  it('stops with ABORTED on the signal, and fails NOT_FOUND for a stack that never existed', async () => {
    emu = await startHeatEmulator();
    emu.addStack('idle', [{ atMs: 0, resource: 'idle', status: 'CREATE_IN_PROGRESS' }]);
    const ac = new AbortController();
    const w = clientFor(emu).watchStackEvents('idle', { pollIntervalMs: 10, signal: ac.signal });
    const first = await w.next();
    expect(first.value).toMatchObject({ status: 'CREATE_IN_PROGRESS' });
    ac.abort();
    await expect(w.next()).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(drain(clientFor(emu).watchStackEvents('never', { pollIntervalMs: 10 }))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      providerCode: 'EntityNotFound',
    });
  });
});
