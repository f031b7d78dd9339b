import { type Deployment, StackfeedError } from '@stackfeed/core';
import {
  type RfsEmulator,
  type StoredEvent,
  deploymentFails,
  deploymentFailsAndRollsBack,
  deploymentSucceeds,
} from '@stackfeed/emulator/rfs';
import { afterEach, describe, expect, it } from 'vitest';
import { client, emulator } from './fixtures.js';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
let emu: RfsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const all = (p: AsyncIterable<Deployment> & { toArray(o: { limit: number }): Promise<Deployment[]> }) =>
  p.toArray({ limit: 1000 });
const ms = (e: StoredEvent | undefined) => Date.parse(e?.wire.time as string);

/** Ground truth: the emulator's stored events of one stack (oldest first), by a predicate. */
function truth(name: string, pred: (e: StoredEvent) => boolean): StoredEvent[] {
  return (emu?.stack(name)?.events ?? []).filter(pred);
}

async function failure(p: Promise<unknown>): Promise<StackfeedError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StackfeedError);
  return e as StackfeedError;
}

describe('listDeployments', () => {
  it('a failed deployment and its rollback: one deployment, rolled back, root cause = the ERROR of the failing resource', async () => {
    const s = deploymentFailsAndRollsBack({ stackName: 'fail', startAt: T0 });
    emu = await emulator({ scenarios: [s], progress: 'manual' });
    emu.finish('fail');
    const rfs = client(emu);
    const list = await all(rfs.listDeployments('fail'));
    expect(list).toHaveLength(1);
    const d = list[0] as Deployment;
    const opening = truth('fail', (e) => e.wire.event_type === 'LOG')[0];
    const summary = truth('fail', (e) => e.wire.event_type === 'SUMMARY').at(-1);
    expect(d).toMatchObject({
      provider: 'huawei-rfs',
      stack: { name: 'fail' },
      id: `rfs-${ms(opening)}`,
      action: 'UPDATE',
      outcome: 'rolled-back',
      status: 'ROLLBACK_COMPLETE',
    });
    expect(d.startedAt?.getTime()).toBe(ms(opening));
    expect(d.endedAt?.getTime()).toBe(ms(summary));
    expect(d.durationSeconds).toBe((ms(summary) - ms(opening)) / 1000);
    // The root cause is the failing resource, with the provider's error text (the ERROR line).
    const failed = truth('fail', (e) => e.wire.event_type === 'CREATION_FAILED')[0];
    const error = truth('fail', (e) => e.wire.event_type === 'ERROR')[0];
    expect(d.rootCause?.resource).toMatchObject({
      logicalId: failed?.wire.resource_name,
      type: failed?.wire.resource_type,
      key: failed?.wire.resource_key,
    });
    expect(d.rootCause?.reason).toBe(error?.wire.event_message);
    expect(d.rootCause?.reason).toMatch(/Insufficient EIP quota/);
    expect(d.rootCause?.event.deploymentId).toBe(d.id);
    // Every resource's duration is its first IN_PROGRESS → last terminal event, from the timestamps.
    for (const r of d.resources) {
      const mine = truth(
        'fail',
        (e) =>
          e.wire.resource_name === r.resource.logicalId &&
          e.wire.resource_type === r.resource.type &&
          e.wire.resource_key === r.resource.key,
      );
      const start = mine.find((e) => /_IN_PROGRESS$/.test(e.wire.event_type));
      const end = mine.filter((e) => /_(COMPLETE|FAILED)$|^ERROR$/.test(e.wire.event_type)).at(-1);
      expect(r.startedAt?.getTime()).toBe(ms(start));
      expect(r.endedAt?.getTime()).toBe(ms(end));
      expect(r.durationSeconds).toBe((ms(end) - ms(start)) / 1000);
    }
    expect(d.counts).toMatchObject({ resources: 5, failed: 1, complete: 4, inProgress: 0 });
    expect(d.counts.events).toBe(emu.stack('fail')?.events.length);
  });

  it('several deployments newest first: failed (no rollback), then succeeded; tokens resume', async () => {
    const first = deploymentSucceeds({ stackName: 'two', startAt: T0 });
    emu = await emulator({ scenarios: [first], progress: 'manual' });
    emu.finish('two');
    emu.play('two', deploymentFails({ stackName: 'two', deploymentId: '22222222-2222-4222-a222-222222222222' }).steps, {
      startAt: T0 + 3_600_000,
    });
    emu.finish('two');
    const rfs = client(emu);
    const [failed, ok] = await all(rfs.listDeployments('two'));
    expect(ok).toMatchObject({ outcome: 'succeeded', action: 'UPDATE', status: 'SUMMARY' });
    expect(ok?.rootCause).toBeUndefined();
    expect(ok?.startedAt?.getTime()).toBe(T0);
    const okSummary = truth('two', (e) => e.wire.event_type === 'SUMMARY')[0];
    expect(ok?.endedAt?.getTime()).toBe(ms(okSummary));
    expect(failed).toMatchObject({ outcome: 'failed', status: 'DEPLOYMENT_FAILED' });
    expect(failed?.reason).toMatch(/Insufficient EIP quota/);
    expect(failed?.startedAt?.getTime()).toBe(T0 + 3_600_000);
    // A failed run ends with its last event (the failure lines).
    expect(failed?.endedAt?.getTime()).toBe(ms(emu.stack('two')?.events.at(-1)));
    expect(failed?.rootCause?.reason).toMatch(/Insufficient EIP quota/);
    const pages = [];
    for await (const page of rfs.listDeployments('two').byPage({ pageSize: 1 })) pages.push(page);
    expect(pages.map((p) => p.items.map((d) => d.id))).toEqual([[failed?.id], [ok?.id]]);
    const resumed = await rfs
      .listDeployments('two')
      .byPage({ pageSize: 1, continuationToken: pages[0]?.continuationToken })
      .next();
    expect(resumed.value?.items.map((d: Deployment) => d.id)).toEqual([ok?.id]);
  });

  it('a running deployment is in progress with no end; the ids stay the same as it goes on', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'run', startAt: T0 })], progress: 'manual' });
    emu.advance('run', 3);
    const rfs = client(emu);
    const [running] = await all(rfs.listDeployments('run'));
    expect(running).toMatchObject({ outcome: 'in-progress', status: 'DEPLOYMENT_IN_PROGRESS' });
    expect(running?.endedAt).toBeUndefined();
    expect(running?.durationSeconds).toBeUndefined();
    expect(running?.counts.inProgress).toBeGreaterThan(0);
    emu.finish('run');
    const [done] = await all(rfs.listDeployments('run'));
    expect(done).toMatchObject({ id: running?.id, outcome: 'succeeded', status: 'DEPLOYMENT_COMPLETE' });
  });

  it('a deployment whose opening was pruned has startedAt unknown, never a guessed time', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'pruned', startAt: T0 })], progress: 'manual' });
    emu.finish('pruned');
    // The provider dropped the oldest events (the listing is newest first: its tail).
    emu.server.faults.inject(
      {
        kind: 'transform',
        rewrite: (body) => {
          const b = body as { stack_events: unknown[] };
          return { ...b, stack_events: b.stack_events.slice(0, -3) };
        },
      },
      { match: (r) => r.url.pathname.endsWith('/events') },
    );
    const [d] = await all(client(emu).listDeployments('pruned'));
    expect(d?.startedAt).toBeUndefined();
    expect(d?.durationSeconds).toBeUndefined();
    expect(d?.id).toMatch(/^pruned-\d+$/);
    expect(d?.outcome).toBe('succeeded');
  });

  it('a stack that does not exist is NOT_FOUND; a ref without a name is CONFIG before any request', async () => {
    emu = await emulator({ scenarios: [], progress: 'manual' });
    const rfs = client(emu);
    expect((await failure(all(rfs.listDeployments('nope')))).code).toBe('NOT_FOUND');
    const before = emu.server.requests.length;
    expect(() => rfs.listDeployments({ id: 'x' })).toThrow(StackfeedError);
    expect(emu.server.requests.length).toBe(before);
  });
});

describe('getDeployment', () => {
  it('by a listed id; an unknown id is NOT_FOUND; an empty id is CONFIG', async () => {
    emu = await emulator({
      scenarios: [deploymentFailsAndRollsBack({ stackName: 'fail', startAt: T0 })],
      progress: 'manual',
    });
    emu.finish('fail');
    const rfs = client(emu);
    const [listed] = await all(rfs.listDeployments('fail'));
    expect(await rfs.getDeployment('fail', listed?.id as string)).toEqual(listed);
    expect((await failure(rfs.getDeployment('fail', 'rfs-1'))).code).toBe('NOT_FOUND');
    expect((await failure(rfs.getDeployment('fail', ''))).code).toBe('CONFIG');
  });

  it("by RFS's deployment_id: that deployment's events only, each carrying it; unknown → NOT_FOUND", async () => {
    const s = deploymentFailsAndRollsBack({ stackName: 'fail', startAt: T0 });
    emu = await emulator({ scenarios: [s], progress: 'manual' });
    emu.finish('fail');
    const rfs = client(emu);
    const dep = s.steps[0]?.deploymentId as string;
    const d = await rfs.getDeployment('fail', dep);
    const mine = emu.stack('fail')?.events.filter((e) => e.deploymentId === dep) ?? [];
    expect(d).toMatchObject({ id: dep, outcome: 'failed' });
    expect(d.counts.events).toBe(mine.length);
    expect(d.startedAt?.getTime()).toBe(ms(mine[0]));
    expect(d.endedAt?.getTime()).toBe(ms(mine.at(-1)));
    expect(d.rootCause?.event.deploymentId).toBe(dep);
    expect(d.rootCause?.reason).toMatch(/Insufficient EIP quota/);
    const unknown = await failure(rfs.getDeployment('fail', '11111111-2222-4333-8444-555555555555'));
    expect(unknown.code).toBe('NOT_FOUND');
  });

  it('by deployment_id while it runs: in progress, no end; an aborted call is ABORTED', async () => {
    const s = deploymentSucceeds({ stackName: 'run', startAt: T0 });
    emu = await emulator({ scenarios: [s], progress: 'manual' });
    emu.advance('run', 3);
    const rfs = client(emu);
    const d = await rfs.getDeployment('run', s.steps[0]?.deploymentId as string);
    expect(d).toMatchObject({ outcome: 'in-progress', status: 'DEPLOYMENT_IN_PROGRESS' });
    expect(d.endedAt).toBeUndefined();
    expect(d.startedAt?.getTime()).toBe(T0);
    const aborted = await failure(
      rfs.getDeployment('run', s.steps[0]?.deploymentId as string, { signal: AbortSignal.abort() }),
    );
    expect(aborted.code).toBe('ABORTED');
    const listAborted = await failure(
      rfs.listDeployments('run', { signal: AbortSignal.abort() }).toArray({ limit: 5 }),
    );
    expect(listAborted.code).toBe('ABORTED');
  });
});
