import type { ImageBuildAvailableTruth, ImageBuildRollbackTruth } from '@stackfeed/emulator/imagebuilder';
import type { StackEvent } from '@stackfeed/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Setup, setup } from './helpers.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const key = (e: StackEvent) => `${e.action}:${e.phase}:${e.status}`;
const advanceOnPoll = (ms: number) => ({
  onRequest: (op: string, input: Record<string, unknown>, store: { clock: unknown }) => {
    if (op === 'ListWorkflowExecutions' && !input.nextToken) (store.clock as { advance(n: number): void }).advance(ms);
  },
});

describe('an image build whose workflow has a failed and rolled-back step', () => {
  it('listWorkflowExecutions: BUILD rolled back (FAILED), TEST skipped', async () => {
    s = await setup({ scenarios: ['imageBuildWithRollback'] });
    const t = s.emu.truth.imageBuildWithRollback as ImageBuildRollbackTruth;
    s.clock.set(t.endAt + 1);
    const wfs = await s.client.listWorkflowExecutions(t.imageArn, { pageSize: 1 }).toArray({ limit: 10 });
    expect(wfs.map((w) => [w.id, w.kind, w.state, w.status])).toEqual([
      [t.buildWorkflowId, 'workflow', 'FAILED', 'ROLLBACK_COMPLETED'],
      [t.testWorkflowId, 'workflow', 'SKIPPED', 'SKIPPED'],
    ]);
    expect(wfs[0]?.details).toMatchObject({
      type: 'BUILD',
      totalStepCount: 4,
      totalStepsSucceeded: 2,
      totalStepsFailed: 1,
      totalStepsSkipped: 1,
      imageBuildVersionArn: t.imageArn,
    });
    expect(wfs[0]?.startedAt).toEqual(new Date(t.startAt + 5000));
    expect(wfs[0]?.endedAt).toEqual(new Date(t.startAt + 110_000));
    expect(wfs[0]?.reason).toBeTruthy();
    const one = await s.client.getWorkflowExecution(t.buildWorkflowId);
    expect(one).toMatchObject({ id: t.buildWorkflowId, status: 'ROLLBACK_COMPLETED', state: 'FAILED' });
  });

  it('listWorkflowStepEvents: rollback status, message, inputs/outputs parsed when JSON', async () => {
    s = await setup({ scenarios: ['imageBuildWithRollback'] });
    const t = s.emu.truth.imageBuildWithRollback as ImageBuildRollbackTruth;
    s.clock.set(t.endAt + 1);
    const steps = await s.client.listWorkflowStepEvents(t.buildWorkflowId, { pageSize: 3 }).toArray({ limit: 10 });
    expect(steps.map((e) => e.resource.logicalId)).toEqual(t.stepNames);
    const [launch, apply, create, terminate] = steps as [StackEvent, StackEvent, StackEvent, StackEvent];
    expect(key(launch)).toBe('ROLLBACK:COMPLETE:COMPLETED');
    expect(launch.details).toMatchObject({
      stepStatus: 'COMPLETED',
      rollbackStatus: 'COMPLETED',
      stepAction: 'LaunchInstance',
      workflowType: 'BUILD',
      inputs: { instanceType: 'c6i.large', subnetId: 'subnet-0abc' },
      outputs: { instanceId: 'i-0123456789abcdef0' },
    });
    expect(key(apply)).toBe('ROLLBACK:COMPLETE:COMPLETED');
    expect(apply.details?.outputs).toEqual({ runCommandId: 'cmd-0f00' });
    expect(apply.message).toBe('Applied 4 components.');
    expect(key(create)).toBe('BUILD:FAILED:FAILED');
    expect(create.message).toBe(t.failedStepMessage);
    expect(create.details?.inputs).toBe('not json {');
    expect(create.details?.rollbackStatus).toBeUndefined();
    expect(create.timestamp).toEqual(new Date(t.startAt + 80_000));
    expect(create.elapsedSeconds).toBe(10);
    expect(key(terminate)).toBe('BUILD:SKIPPED:SKIPPED');
    expect(steps.every((e) => e.stack.id === t.imageArn && e.resource.type === 'AWS::ImageBuilder::WorkflowStep')).toBe(
      true,
    );
    const rolledBack = await s.client
      .listWorkflowStepEvents(t.buildWorkflowId, { phase: 'COMPLETE' })
      .toArray({ limit: 10 });
    expect(rolledBack.map((e) => e.resource.name)).toEqual(t.rolledBackSteps);
  });

  it('steps that have not started are no events: no invented time, PENDING never IN_PROGRESS', async () => {
    s = await setup({ scenarios: ['imageBuildWithRollback'] });
    const t = s.emu.truth.imageBuildWithRollback as ImageBuildRollbackTruth;
    s.clock.set(t.startAt + 10_000);
    const steps = await s.client.listWorkflowStepEvents(t.buildWorkflowId).toArray({ limit: 10 });
    // One step runs, three wait: only the running one has a time of its own.
    expect(steps.map((e) => e.status)).toEqual(['RUNNING']);
    expect(steps.every((e) => e.timestamp.getTime() > 0 && e.details?.timestampEstimated === undefined)).toBe(true);
    // Nothing is looked up to invent a time.
    expect(s.emu.server.requests.filter((r) => r.path === '/GetWorkflowExecution')).toHaveLength(0);
    // The waiting steps are counted in the workflow's ExecutionInfo.
    const [wf] = await s.client.listWorkflowExecutions(t.imageArn).toArray({ limit: 1 });
    expect(wf?.details?.totalStepCount).toBeGreaterThanOrEqual(4);
  });

  it('watchImageBuild follows workflows and steps until the image FAILED', async () => {
    s = await setup({ scenarios: ['imageBuildWithRollback'], ...advanceOnPoll(5000) });
    const t = s.emu.truth.imageBuildWithRollback as ImageBuildRollbackTruth;
    const watch = s.client.watchImageBuild(t.imageArn, { pollIntervalMs: 10 });
    const seen: StackEvent[] = [];
    for await (const ev of watch) seen.push(ev);
    expect(watch.result).toMatchObject({
      outcome: 'failed',
      status: 'FAILED',
      reason: 'Workflow Execution has failed.',
    });
    expect(watch.result?.final).toMatchObject({ id: t.imageArn, state: 'FAILED' });
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    const of = (name: string) => seen.filter((e) => e.resource.logicalId === name).map(key);
    expect(of('LaunchBuildInstance')).toEqual([
      'BUILD:IN_PROGRESS:RUNNING',
      'BUILD:COMPLETE:COMPLETED',
      'ROLLBACK:IN_PROGRESS:RUNNING',
      'ROLLBACK:COMPLETE:COMPLETED',
    ]);
    expect(of('CreateOutputAMI')).toEqual(['BUILD:IN_PROGRESS:RUNNING', 'BUILD:FAILED:FAILED']);
    expect(of('TerminateBuildInstance')).toEqual(['BUILD:SKIPPED:SKIPPED']);
    // Nothing waiting is emitted, and no event carries an invented time.
    expect(seen.filter((e) => e.status === 'PENDING' || e.timestamp.getTime() <= 0)).toEqual([]);
    expect(of('BUILD')).toEqual([
      'BUILD:IN_PROGRESS:RUNNING',
      'ROLLBACK:IN_PROGRESS:ROLLBACK_IN_PROGRESS',
      'ROLLBACK:COMPLETE:ROLLBACK_COMPLETED',
    ]);
    // The TEST workflow was skipped without ever starting: no time of its own, so no event
    // (its status is in listWorkflowExecutions' ExecutionInfo).
    expect(of('TEST')).toEqual([]);
  });
});

describe('a successful image build', () => {
  it('watchImageBuild ends succeeded with the AVAILABLE ImageInfo; a finished workflow is not re-read', async () => {
    s = await setup({ scenarios: ['imageBuildAvailable'], ...advanceOnPoll(4000) });
    const t = s.emu.truth.imageBuildAvailable as ImageBuildAvailableTruth;
    const watch = s.client.watchImageBuild(t.imageArn, { pollIntervalMs: 10 });
    const seen: StackEvent[] = [];
    for await (const ev of watch) seen.push(ev);
    expect(watch.result?.outcome).toBe('succeeded');
    expect(watch.result?.final?.artifacts.map((a) => a.id)).toEqual([
      ...t.amis.map((a) => a.image),
      ...t.containerUris,
    ]);
    expect(seen.filter((e) => e.resource.type === 'AWS::ImageBuilder::Workflow').map(key)).toEqual([
      // Workflows that have not started are no events (no time of their own).
      'BUILD:IN_PROGRESS:RUNNING',
      'BUILD:COMPLETE:COMPLETED',
      'TEST:IN_PROGRESS:RUNNING',
      'TEST:COMPLETE:COMPLETED',
      'DISTRIBUTE:IN_PROGRESS:RUNNING',
      'DISTRIBUTE:COMPLETE:COMPLETED',
    ]);
    // Steps of the BUILD workflow were listed while it ran and once when it completed, then never again.
    const buildId = t.workflowIds[0] as string;
    const stepCalls = s.emu.server.requests.filter((r) => r.path === '/ListWorkflowStepExecutions');
    const forBuild = stepCalls.filter((r) => JSON.parse(r.body).workflowExecutionId === buildId);
    const workflowCalls = s.emu.server.requests.filter((r) => r.path === '/ListWorkflowExecutions');
    expect(forBuild.length).toBeLessThan(workflowCalls.length);
  });
});

describe('listStackEvents / watchStackEvents dispatch on the reference', () => {
  it('an image build ARN lists the steps of every workflow across pages', async () => {
    s = await setup({ scenarios: ['imageBuildWithRollback', 'lifecycleFailure'] });
    const t = s.emu.truth.imageBuildWithRollback as ImageBuildRollbackTruth;
    s.clock.set(t.endAt + 1);
    const pages: number[] = [];
    const all: StackEvent[] = [];
    for await (const p of s.client.listStackEvents(t.imageArn).byPage({ pageSize: 3 })) {
      pages.push(p.items.length);
      all.push(...p.items);
    }
    expect(pages).toEqual([3, 1]);
    expect(all.map((e) => e.resource.logicalId)).toEqual(t.stepNames);
    // The token of a page (it holds the workflows still to read) resumes in a new paginator.
    const first = await s.client.listStackEvents(t.imageArn).byPage({ pageSize: 2 }).next();
    const rest: StackEvent[] = [];
    for await (const p of s.client
      .listStackEvents(t.imageArn)
      .byPage({ continuationToken: first.value.continuationToken }))
      rest.push(...p.items);
    expect([...first.value.items, ...rest].map((e) => e.id)).toEqual(all.map((e) => e.id));
    const wf = await s.client.listStackEvents(t.buildWorkflowId).toArray({ limit: 10 });
    expect(wf.map((e) => e.id)).toEqual(all.map((e) => e.id));
    const lce = s.emu.truth.lifecycleFailure?.executionId as string;
    expect((await s.client.listStackEvents(lce).toArray({ limit: 10 })).length).toBe(6);
    expect(() => s!.client.listStackEvents('stack-1')).toThrow(/lifecycle execution id/);
    expect(() => s!.client.watchStackEvents(t.buildWorkflowId)).toThrow(/image build version ARN/);
  });

  it('watchStackEvents on an image ARN is watchImageBuild', async () => {
    s = await setup({ scenarios: ['imageBuildAvailable'] });
    const t = s.emu.truth.imageBuildAvailable as ImageBuildAvailableTruth;
    s.clock.set(t.endAt + 1);
    const watch = s.client.watchStackEvents(t.imageArn, { pollIntervalMs: 10 });
    const seen: StackEvent[] = [];
    for await (const ev of watch) seen.push(ev);
    expect(watch.result?.outcome).toBe('succeeded');
    expect(seen.filter((e) => e.resource.type === 'AWS::ImageBuilder::WorkflowStep')).toHaveLength(4);
  });
});
