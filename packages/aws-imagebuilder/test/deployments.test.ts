import {
  ListLifecycleExecutionResourcesCommand,
  ListWorkflowExecutionsCommand,
  ListWorkflowStepExecutionsCommand,
} from '@aws-sdk/client-imagebuilder';
import type {
  ImageBuildAvailableTruth,
  ImageBuildRollbackTruth,
  LifecycleFailureTruth,
} from '@stackfeed/emulator/imagebuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { type Setup, setup } from './helpers.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const secs = (a: string | Date | undefined, b: string | Date | undefined) =>
  (new Date(b as string).getTime() - new Date(a as string).getTime()) / 1000;

/** Each step's [name, seconds from its startTime to its endTime] as the wire has them (read with the bare SDK). */
async function wireStepDurations(st: Setup, workflowExecutionId: string) {
  const out = await st.client.sdk.send(new ListWorkflowStepExecutionsCommand({ workflowExecutionId }));
  return (out.steps ?? []).map((x) => [x.name, x.endTime ? secs(x.startTime, x.endTime) : undefined]);
}

describe('listDeployments / getDeployment', () => {
  it('a build that failed at a step: one deployment per workflow, the failed step is the root cause, durations from the wire times', async () => {
    s = await setup({ scenarios: ['imageBuildWithRollback'] });
    const t = s.emu.truth.imageBuildWithRollback as ImageBuildRollbackTruth;
    s.clock.set(t.endAt + 1000);
    const list = await s.client.listDeployments(t.imageArn).toArray({ limit: 10 });
    // Newest first: BUILD started; the skipped TEST never did (start unknown, so oldest).
    expect(list.map((d) => [d.id, d.action, d.outcome, d.status])).toEqual([
      [t.buildWorkflowId, 'BUILD', 'rolled-back', 'ROLLBACK_COMPLETED'],
      [t.testWorkflowId, 'TEST', 'cancelled', 'SKIPPED'],
    ]);
    const build = list[0]!;
    expect(build.stack).toEqual({ id: t.imageArn });
    expect(build.rootCause?.resource.logicalId).toBe(t.failedStep);
    expect(build.rootCause?.reason).toBe(t.failedStepMessage);
    expect(build.rootCause?.event.deploymentId).toBe(t.buildWorkflowId);
    expect(build.resources.map((r) => [r.resource.logicalId, r.durationSeconds])).toEqual(
      await wireStepDurations(s, t.buildWorkflowId),
    );
    expect(build.resources.map((r) => r.resource.logicalId)).toEqual(t.stepNames);
    // The workflow's own span, from its wire startTime/endTime.
    const wf = (await s.client.sdk.send(new ListWorkflowExecutionsCommand({ imageBuildVersionArn: t.imageArn })))
      .workflowExecutions?.[0];
    expect(build.startedAt).toEqual(new Date(wf?.startTime as string));
    expect(build.endedAt).toEqual(new Date(wf?.endTime as string));
    expect(build.durationSeconds).toBe(secs(wf?.startTime, wf?.endTime));
    expect(build.counts).toMatchObject({ events: 4, resources: 4, failed: 1, inProgress: 0 });
    const test = list[1]!;
    expect(test.startedAt).toBeUndefined();
    expect(test.durationSeconds).toBeUndefined();
    expect(test.resources).toEqual([]);
    expect(test.rootCause).toBeUndefined();

    // The same deployment by id, and the events carry its id.
    expect(await s.client.getDeployment(t.imageArn, t.buildWorkflowId)).toEqual(build);
    const events = await s.client.listStackEvents(t.imageArn).toArray({ limit: 100 });
    expect(new Set(events.map((e) => e.deploymentId))).toEqual(new Set([t.buildWorkflowId]));
    expect(events.map((e) => e.id)).toContain(build.rootCause?.event.id);
    // A workflow execution id as the ref: that one deployment.
    expect(await s.client.listDeployments(t.buildWorkflowId).toArray({ limit: 10 })).toEqual([build]);
  });

  it('a successful build: three deployments newest first, no root cause, each step timed', async () => {
    s = await setup({ scenarios: ['imageBuildAvailable'] });
    const t = s.emu.truth.imageBuildAvailable as ImageBuildAvailableTruth;
    s.clock.set(t.endAt + 1000);
    const list = await s.client.listDeployments(t.imageArn).toArray({ limit: 10 });
    expect(list.map((d) => [d.action, d.outcome, d.rootCause])).toEqual([
      ['DISTRIBUTE', 'succeeded', undefined],
      ['TEST', 'succeeded', undefined],
      ['BUILD', 'succeeded', undefined],
    ]);
    expect(list.map((d) => d.id).reverse()).toEqual(t.workflowIds);
    for (const d of list)
      expect(d.resources.map((r) => [r.resource.logicalId, r.durationSeconds])).toEqual(
        await wireStepDurations(s, d.id),
      );
    // Pages of one, resumed from a token.
    const pages = [];
    for await (const p of s.client.listDeployments(t.imageArn).byPage({ pageSize: 1 })) pages.push(p);
    expect(pages.map((p) => p.items.map((d) => d.id))).toEqual(list.map((d) => [d.id]));
    const rest = await s.client
      .listDeployments(t.imageArn, { continuationToken: pages[0]?.continuationToken })
      .toArray({ limit: 10 });
    expect(rest.map((d) => d.id)).toEqual(list.slice(1).map((d) => d.id));
  });

  it('mid-build: the running workflow is in progress, its running step has a start and no end or duration', async () => {
    s = await setup({ scenarios: ['imageBuildAvailable'] });
    const t = s.emu.truth.imageBuildAvailable as ImageBuildAvailableTruth;
    s.clock.set(t.startAt + 20_000);
    const [build, ...later] = await s.client.listDeployments(t.imageArn).toArray({ limit: 10 });
    expect(build).toMatchObject({ action: 'BUILD', outcome: 'in-progress', status: 'RUNNING' });
    expect(build?.endedAt).toBeUndefined();
    const running = build?.resources.find((r) => r.phase === 'IN_PROGRESS');
    expect(running?.resource.logicalId).toBe('ApplyBuildComponents');
    expect(running?.startedAt).toEqual(new Date(t.startAt + 10_000));
    expect(running?.endedAt).toBeUndefined();
    expect(running?.durationSeconds).toBeUndefined();
    expect(build?.counts.inProgress).toBe(1);
    // Workflows that have not started are deployments without a start and without resources.
    expect(later.map((d) => [d.outcome, d.startedAt, d.resources.length])).toEqual([
      ['in-progress', undefined, 0],
      ['in-progress', undefined, 0],
    ]);
  });

  it('a lifecycle execution is one deployment: the failed resource is the root cause, skipped ones are SKIPPED', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] });
    const t = s.emu.truth.lifecycleFailure as LifecycleFailureTruth;
    s.clock.set(t.endAt + 1000);
    const [d, ...none] = await s.client.listDeployments(t.executionId).toArray({ limit: 10 });
    expect(none).toEqual([]);
    expect(d).toMatchObject({
      id: t.executionId,
      stack: { id: t.executionId },
      outcome: 'failed',
      status: 'FAILED',
      // DISABLE and DELETE: no one action.
      action: 'UNKNOWN',
      rootCause: { resource: { physicalId: t.failedResourceId }, reason: t.failureReason },
    });
    expect(d?.startedAt).toEqual(new Date(t.startAt));
    expect(d?.resources.find((r) => r.resource.physicalId === t.skippedResourceId)?.phase).toBe('SKIPPED');
    const wire = await s.client.sdk.send(
      new ListLifecycleExecutionResourcesCommand({ lifecycleExecutionId: t.executionId }),
    );
    expect(d?.resources.map((r) => [r.resource.physicalId, r.durationSeconds])).toEqual(
      (wire.resources ?? []).map((r) => [r.resourceId, secs(r.startTime, r.endTime)]),
    );
    expect((await s.client.getDeployment(t.executionId, t.executionId)).id).toBe(t.executionId);
    const events = await s.client.listStackEvents(t.executionId).toArray({ limit: 100 });
    expect(events.every((e) => e.deploymentId === t.executionId)).toBe(true);
  });

  it('unhappy paths: unknown deployment id NOT_FOUND, unknown build NOT_FOUND, a ref of no known form CONFIG', async () => {
    s = await setup({ scenarios: ['imageBuildWithRollback', 'lifecycleFailure'] });
    const t = s.emu.truth.imageBuildWithRollback as ImageBuildRollbackTruth;
    const lce = (s.emu.truth.lifecycleFailure as LifecycleFailureTruth).executionId;
    s.clock.set(t.endAt + 1000);
    await expect(s.client.getDeployment(t.imageArn, 'wf-00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      provider: 'aws-imagebuilder',
    });
    // An execution id of another ref is not a deployment of this one.
    await expect(s.client.getDeployment(t.imageArn, lce)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(s.client.getDeployment(lce, t.buildWorkflowId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const missing = t.imageArn.replace(/\/1$/, '/9');
    await expect(s.client.listDeployments(missing).toArray({ limit: 10 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      s.client.listDeployments('lce-00000000-0000-4000-8000-000000000000').toArray({ limit: 10 }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(() => s!.client.listDeployments('my-stack')).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    expect(() => s!.client.getDeployment(42 as never, 'x')).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  });
});
