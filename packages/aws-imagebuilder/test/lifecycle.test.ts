import type {
  LifecycleDeprecateDeleteTruth,
  LifecycleFailureTruth,
  ManualClock,
} from '@stackfeed/emulator/imagebuilder';
import { StackfeedError, type StackEvent } from '@stackfeed/core';
import { ExecutionInfoSchema, StackEventSchema } from '@stackfeed/core/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { type Setup, setup } from './helpers.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const bodies = (st: Setup, path: string) =>
  st.emu.server.requests
    .filter((r) => r.path === path)
    .map((r) => JSON.parse(r.body || '{}') as Record<string, unknown>);

describe('listLifecycleExecutionEvents: 40 AMIs deprecated then deleted in two regions', () => {
  it('after the execution: one DELETE/COMPLETE event per AMI, snapshots and regions kept, four pages of 10', async () => {
    s = await setup({ scenarios: ['lifecycleDeprecateThenDelete'] });
    const t = s.emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    s.clock.set(t.endAt + 1000);
    const pages: StackEvent[][] = [];
    for await (const page of s.client.listLifecycleExecutionEvents(t.executionId).byPage({ pageSize: 10 }))
      pages.push(page.items);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 10, 10]);
    const events = pages.flat();
    // Read to its end in pages of 25 (then ordered oldest first), and handed out in pages of 10.
    expect(bodies(s, '/ListLifecycleExecutionResources').map((b) => b.maxResults)).toEqual([25, 25]);
    const times = events.map((e) => e.timestamp.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const newest = await s.client
      .listLifecycleExecutionEvents(t.executionId, { order: 'newest-first', maxItems: 5 })
      .toArray({ limit: 100 });
    expect(newest.map((e) => e.id)).toEqual(
      events
        .slice(-5)
        .reverse()
        .map((e) => e.id),
    );
    expect(events.map((e) => e.resource.physicalId).sort()).toEqual(t.amis.map((a) => a.resourceId).sort());
    for (const ev of events) {
      const truth = t.amis.find((a) => a.resourceId === ev.resource.physicalId)!;
      expect(ev).toMatchObject({
        provider: 'aws-imagebuilder',
        action: 'DELETE',
        phase: 'COMPLETE',
        status: 'SUCCESS',
        stack: { id: t.executionId },
        resource: { type: 'AWS::EC2::Image' },
      });
      expect(ev.details?.region).toBe(truth.region);
      expect(ev.details?.actionName).toBe('DELETE');
      expect((ev.details!.snapshots as Array<{ snapshotId: string; status: string }>).map((x) => x.snapshotId)).toEqual(
        truth.snapshots,
      );
      expect((ev.details!.snapshots as Array<{ status: string }>).every((x) => x.status === 'SUCCESS')).toBe(true);
      expect(ev.timestamp).toBeInstanceOf(Date);
      expect(ev.elapsedSeconds).toBe(30);
    }
    expect(new Set(events.map((e) => e.details?.region))).toEqual(new Set(t.regions));
    for (const ev of events) expect(StackEventSchema.safeParse(ev).success).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(40);
    // Re-reading gives the same synthetic ids (nothing to dedupe against otherwise).
    const again = await s.client.listLifecycleExecutionEvents(t.executionId, { pageSize: 25 }).toArray({ limit: 100 });
    expect(again.map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  it('between the two actions every AMI is DEPRECATE/COMPLETE and the execution is RUNNING', async () => {
    s = await setup({ scenarios: ['lifecycleDeprecateThenDelete'] });
    const t = s.emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    s.clock.set(t.deprecatedBy + 1000);
    const events = await s.client.listLifecycleExecutionEvents(t.executionId).toArray({ limit: 100 });
    expect(events).toHaveLength(40);
    expect(new Set(events.map((e) => `${e.action}/${e.phase}/${e.status}`))).toEqual(
      new Set(['DEPRECATE/COMPLETE/SUCCESS']),
    );
    expect(events[0]?.details?.executionStatus).toBe('IN_PROGRESS');
    const info = await s.client.getLifecycleExecution(t.executionId);
    expect(info).toMatchObject({ kind: 'lifecycle', state: 'RUNNING', status: 'IN_PROGRESS', id: t.executionId });
    expect(info.startedAt?.getTime()).toBe(t.startAt);
    expect(info.endedAt).toBeUndefined();
    expect(info.details).toMatchObject({ lifecyclePolicyArn: t.policyArn, hasImpactedResources: true });
  });

  it('pageSize is clamped to 1..25 and continuation tokens resume on the next page', async () => {
    s = await setup({ scenarios: ['lifecycleDeprecateThenDelete'] });
    const t = s.emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    s.clock.set(t.endAt + 1000);
    const big = await s.client.listLifecycleExecutionEvents(t.executionId, { pageSize: 500 }).toArray({ limit: 100 });
    expect(big).toHaveLength(40);
    expect(bodies(s, '/ListLifecycleExecutionResources').map((b) => b.maxResults)).toEqual([25, 25]);
    s.emu.server.requests.length = 0;
    const it0 = s.client.listLifecycleExecutionEvents(t.executionId).byPage({ pageSize: 0 });
    const first = await it0.next();
    expect(first.value.items).toHaveLength(1);
    const token = first.value.continuationToken as string;
    expect(token).toMatch(/^sf2\./);
    const rest: StackEvent[] = [];
    for await (const page of s.client
      .listLifecycleExecutionEvents(t.executionId)
      .byPage({ continuationToken: token, pageSize: 13 }))
      rest.push(...page.items);
    expect(rest).toHaveLength(39);
    expect([first.value.items[0].id, ...rest.map((e) => e.id)]).toEqual(big.map((e) => e.id));
  });

  it('a token of another execution or operation is refused before any request', async () => {
    s = await setup({ scenarios: ['lifecycleDeprecateThenDelete', 'lifecycleFailure'] });
    const t = s.emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    const f = s.emu.truth.lifecycleFailure as LifecycleFailureTruth;
    s.clock.set(Math.max(t.endAt, f.endAt) + 1000);
    const page = await s.client.listLifecycleExecutionEvents(t.executionId).byPage({ pageSize: 5 }).next();
    const before = s.emu.server.requests.length;
    const other = s.client.listLifecycleExecutionEvents(f.executionId).byPage({
      continuationToken: page.value.continuationToken,
    });
    await expect(other.next()).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(s.emu.server.requests.length).toBe(before);
  });

  it('a provider token the service no longer accepts: BAD_REQUEST naming the continuation token', async () => {
    // Two emulators with the same images but different token keys: a token of the first is, for the
    // second, a token it did not issue (as after expiry or tampering). The clients share a
    // tokenKey, so stackfeed's own token is accepted and the service's answer is what counts.
    const tokenKey = 'one key for both clients of this test';
    s = await setup({}, { tokenKey });
    const other = await setup({}, { tokenKey });
    for (const st of [s, other])
      for (let i = 0; i < 12; i++)
        st.emu.store.addImage({ name: `img-${i}`, version: '1.0.0', createdAt: 1_768_000_000_000 });
    const page = await other.client.listImages({ withBuildState: false }).byPage({ pageSize: 5 }).next();
    await other.close();
    const tampered = page.value.continuationToken as string;
    const err = await s.client
      .listImages({ withBuildState: false })
      .byPage({ continuationToken: tampered })
      .next()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(StackfeedError.is(err)).toBe(true);
    expect(err).toMatchObject({
      code: 'BAD_REQUEST',
      httpStatus: 400,
      providerCode: 'InvalidPaginationTokenException',
      retryable: false,
      operation: 'listImages',
    });
    expect((err as Error).message).toMatch(/continuation token/);
    expect((err as StackfeedError).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('local filters: phase, resourceName, resourceType, since', async () => {
    s = await setup({ scenarios: ['lifecycleDeprecateThenDelete'] });
    const t = s.emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    s.clock.set(t.startAt + 65_000); // AMIs 0..5 (t0 ≤ 5 s) are deleting; 6..9 mod 10 still deprecated
    const c = s.client;
    const deleting = await c
      .listLifecycleExecutionEvents(t.executionId, { phase: 'IN_PROGRESS', pageSize: 7 })
      .toArray({ limit: 100 });
    expect(deleting.length).toBe(24);
    expect(deleting.every((e) => e.action === 'DELETE' && e.phase === 'IN_PROGRESS')).toBe(true);
    const one = await c
      .listLifecycleExecutionEvents(t.executionId, { resourceName: t.amis[7]!.resourceId })
      .toArray({ limit: 10 });
    expect(one.map((e) => e.resource.physicalId)).toEqual([t.amis[7]!.resourceId]);
    expect(
      await c.listLifecycleExecutionEvents(t.executionId, { resourceType: 'AWS::ECR::Image' }).toArray({ limit: 10 }),
    ).toEqual([]);
    const recent = await c
      .listLifecycleExecutionEvents(t.executionId, { since: new Date(t.startAt + 60_000) })
      .toArray({ limit: 100 });
    expect(recent.every((e) => e.timestamp.getTime() >= t.startAt + 60_000)).toBe(true);
    expect(recent.length).toBe(24);
    expect(c.capabilities.filters).toEqual({
      since: 'local',
      resourceName: 'local',
      resourceType: 'local',
      phase: 'local',
    });
  });
});

describe('a lifecycle execution that fails on a resource', () => {
  it('reports FAILED with the reason; skipped and container resources keep their details', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] });
    const f = s.emu.truth.lifecycleFailure as LifecycleFailureTruth;
    s.clock.set(f.endAt + 1);
    const info = await s.client.getLifecycleExecution(f.executionId);
    expect(info).toMatchObject({ state: 'FAILED', status: 'FAILED' });
    expect(info.reason).toMatch(/1 resource/);
    expect(info.endedAt?.getTime()).toBe(f.endAt);
    const events = await s.client.listLifecycleExecutionEvents(f.executionId).toArray({ limit: 50 });
    expect(events).toHaveLength(f.resourceIds.length);
    const byId = new Map(events.map((e) => [e.resource.physicalId, e]));
    expect(byId.get(f.failedResourceId)).toMatchObject({
      action: 'DISABLE',
      phase: 'FAILED',
      status: 'FAILED',
      message: f.failureReason,
    });
    expect(byId.get(f.skippedResourceId)).toMatchObject({ action: 'DISABLE', phase: 'SKIPPED', status: 'SKIPPED' });
    const container = byId.get(f.containerResourceId)!;
    expect(container).toMatchObject({ action: 'DELETE', phase: 'COMPLETE', resource: { type: 'AWS::ECR::Image' } });
    expect(container.details?.imageUris).toEqual(f.containerImageUris);
    expect(container.details?.snapshots).toBeUndefined();
    const failedOnly = await s.client
      .listLifecycleExecutionEvents(f.executionId, { phase: 'FAILED' })
      .toArray({ limit: 10 });
    expect(failedOnly.map((e) => e.resource.physicalId)).toEqual([f.failedResourceId]);
  });

  it('a resource that has not started is no event (no invented time), and nothing is looked up for it', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] });
    const f = s.emu.truth.lifecycleFailure as LifecycleFailureTruth;
    const raw = f.resourceIds.length;
    const events = await s.client.listLifecycleExecutionEvents(f.executionId).toArray({ limit: 50 });
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan(raw);
    for (const e of events) {
      expect(e.details?.timestampEstimated).toBeUndefined();
      expect(e.timestamp.getTime()).toBeGreaterThanOrEqual(f.startAt);
    }
    expect(s.emu.server.requests.filter((r) => r.path === '/GetLifecycleExecution')).toHaveLength(0);
  });

  it('watchLifecycleExecution ends FAILED', async () => {
    s = await setup({
      scenarios: ['lifecycleFailure'],
      onRequest: (op, input, store) => {
        if (op === 'ListLifecycleExecutionResources' && !input.nextToken) (store.clock as ManualClock).advance(4000);
      },
    });
    const f = s.emu.truth.lifecycleFailure as LifecycleFailureTruth;
    const watch = s.client.watchLifecycleExecution(f.executionId, { pollIntervalMs: 10 });
    const seen: StackEvent[] = [];
    for await (const ev of watch) seen.push(ev);
    expect(watch.result).toMatchObject({ outcome: 'failed', status: 'FAILED' });
    expect(watch.result?.final).toMatchObject({ kind: 'lifecycle', state: 'FAILED', id: f.executionId });
    const last = new Map<string, StackEvent>();
    for (const ev of seen) last.set(ev.resource.physicalId as string, ev);
    expect(last.get(f.failedResourceId)).toMatchObject({ phase: 'FAILED', message: f.failureReason });
    expect(last.get(f.skippedResourceId)?.phase).toBe('SKIPPED');
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
  });
});

describe('watchLifecycleExecution follows the 40 AMIs to SUCCESS', () => {
  it('yields every transition once, per AMI in order, and ends with the final ExecutionInfo', async () => {
    s = await setup({
      scenarios: ['lifecycleDeprecateThenDelete'],
      onRequest: (op, input, store) => {
        if (op === 'ListLifecycleExecutionResources' && !input.nextToken) (store.clock as ManualClock).advance(15_000);
      },
    });
    const t = s.emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    const watch = s.client.watchLifecycleExecution(t.executionId, { pollIntervalMs: 10 });
    const seen: StackEvent[] = [];
    for await (const ev of watch) seen.push(ev);
    expect(watch.result).toMatchObject({ outcome: 'succeeded', status: 'SUCCESS' });
    expect(watch.result?.final).toMatchObject({ state: 'SUCCEEDED', endedAt: new Date(t.endAt) });
    expect(seen).toHaveLength(40 * 4);
    expect(new Set(seen.map((e) => e.id)).size).toBe(160);
    for (const ami of t.amis) {
      const mine = seen.filter((e) => e.resource.physicalId === ami.resourceId);
      expect(mine.map((e) => `${e.action}:${e.phase}`)).toEqual([
        'DEPRECATE:IN_PROGRESS',
        'DEPRECATE:COMPLETE',
        'DELETE:IN_PROGRESS',
        'DELETE:COMPLETE',
      ]);
    }
  });

  it('honours an abort signal', async () => {
    s = await setup({ scenarios: ['lifecycleDeprecateThenDelete'] });
    const t = s.emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    const ac = new AbortController();
    const watch = s.client.watchLifecycleExecution(t.executionId, { pollIntervalMs: 10, signal: ac.signal });
    const err = await (async () => {
      try {
        for await (const _ of watch) ac.abort(new Error('user stop'));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toMatchObject({ code: 'ABORTED' });
    expect(watch.result).toBeUndefined();
  });
});

describe('listLifecycleExecutions, parents and unknown literals', () => {
  it('pages executions of a policy, newest first', async () => {
    s = await setup();
    const policyArn = `arn:aws:imagebuilder:us-east-1:${s.emu.store.accountId}:lifecycle-policy/nightly`;
    const base = s.clock.now() - 30 * 86_400_000;
    const ids: string[] = [];
    for (let d = 0; d < 30; d++)
      ids.push(
        s.emu.store.addLifecycleExecution({
          policyArn,
          startAt: base + d * 86_400_000,
          resources: [
            {
              resourceId: `ami-0${d}`,
              steps: [{ action: 'DELETE', startAt: base + d * 86_400_000, endAt: base + d * 86_400_000 + 60_000 }],
            },
          ],
        }),
      );
    const pages: number[] = [];
    const all = [];
    for await (const p of s.client.listLifecycleExecutions(policyArn).byPage({ pageSize: 7 })) {
      pages.push(p.items.length);
      all.push(...p.items);
    }
    expect(pages).toEqual([7, 7, 7, 7, 2]);
    expect(all.map((e) => e.id)).toEqual([...ids].reverse());
    expect(all.every((e) => e.state === 'SUCCEEDED' && e.kind === 'lifecycle')).toBe(true);
    expect(all[0]?.endedAt?.getTime()).toBe(base + 29 * 86_400_000 + 60_000);
  });

  it('parentResourceId lists the associated AMIs of an image', async () => {
    s = await setup();
    const now = s.clock.now() - 10_000;
    const image = `arn:aws:imagebuilder:us-east-1:${s.emu.store.accountId}:image/app/1.0.0/1`;
    const step = { action: 'DEPRECATE', startAt: now, endAt: now + 1000 };
    const id = s.emu.store.addLifecycleExecution({
      policyArn: `arn:aws:imagebuilder:us-east-1:${s.emu.store.accountId}:lifecycle-policy/p`,
      startAt: now,
      resources: [
        { resourceId: image, steps: [step] },
        { resourceId: 'ami-0aaa', region: 'us-east-1', parentResourceId: image, snapshots: ['snap-1a'], steps: [step] },
        { resourceId: 'ami-0bbb', region: 'eu-west-1', parentResourceId: image, snapshots: ['snap-2b'], steps: [step] },
      ],
    });
    const top = await s.client.listLifecycleExecutionEvents(id).toArray({ limit: 10 });
    expect(top.map((e) => [e.resource.physicalId, e.resource.type])).toEqual([[image, 'AWS::ImageBuilder::Image']]);
    const kids = await s.client.listLifecycleExecutionEvents(id, { parentResourceId: image }).toArray({ limit: 10 });
    expect(kids.map((e) => e.resource.physicalId)).toEqual(['ami-0aaa', 'ami-0bbb']);
    expect(kids.every((e) => e.details?.parentResourceId === image)).toBe(true);
    expect(new Set([...top, ...kids].map((e) => e.id)).size).toBe(3);
  });

  it('unknown statuses and actions become UNKNOWN with the literal kept', async () => {
    s = await setup();
    const now = s.clock.now() - 10_000;
    const id = s.emu.store.addLifecycleExecution({
      policyArn: `arn:aws:imagebuilder:us-east-1:${s.emu.store.accountId}:lifecycle-policy/p`,
      startAt: now,
      finalStatus: 'PAUSED_BY_AWS',
      resources: [
        { resourceId: 'ami-0ccc', steps: [{ action: 'ARCHIVE', startAt: now, endAt: now + 1, status: 'QUARANTINED' }] },
      ],
    });
    const [ev] = await s.client.listLifecycleExecutionEvents(id).toArray({ limit: 10 });
    expect(ev).toMatchObject({ action: 'UNKNOWN', phase: 'UNKNOWN', status: 'QUARANTINED' });
    expect(ev?.details?.actionName).toBe('ARCHIVE');
    expect(await s.client.getLifecycleExecution(id)).toMatchObject({ state: 'UNKNOWN', status: 'PAUSED_BY_AWS' });
  });

  it('a cancelled execution: CANCELLING is still running, the watch ends cancelled', async () => {
    s = await setup({
      onRequest: (op, input, store) => {
        if (op === 'ListLifecycleExecutionResources' && !input.nextToken) (store.clock as ManualClock).advance(2000);
      },
    });
    const now = s.clock.now();
    const id = s.emu.store.addLifecycleExecution({
      policyArn: `arn:aws:imagebuilder:us-east-1:${s.emu.store.accountId}:lifecycle-policy/p`,
      startAt: now,
      cancelAt: now + 5000,
      cancelGraceMs: 4000,
      resources: [{ resourceId: 'ami-0ddd', steps: [{ action: 'DELETE', startAt: now, endAt: now + 60_000 }] }],
    });
    s.clock.set(now + 6000);
    const cancelling = await s.client.getLifecycleExecution(id);
    expect(cancelling).toMatchObject({ state: 'RUNNING', status: 'CANCELLING' });
    expect(ExecutionInfoSchema.safeParse(cancelling).success).toBe(true);
    const watch = s.client.watchLifecycleExecution(id, { pollIntervalMs: 10 });
    for await (const _ of watch) {
      // drain
    }
    expect(watch.result).toMatchObject({ outcome: 'cancelled', status: 'CANCELLED' });
    expect(watch.result?.final).toMatchObject({ state: 'CANCELLED', endedAt: new Date(now + 9000) });
  });

  it('empty ids are a CONFIG error, not a request', async () => {
    s = await setup();
    expect(() => s!.client.listLifecycleExecutionEvents('')).toThrow(StackfeedError);
    await expect(s.client.getLifecycleExecution('  ')).rejects.toMatchObject({ code: 'CONFIG' });
    expect(s.emu.server.requests).toHaveLength(0);
  });
});
