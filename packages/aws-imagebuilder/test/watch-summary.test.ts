/**
 * The watches' deployment summary and operation marks: `result.deployment` / `rootCause` are the
 * execution `listDeployments` tells (a lifecycle execution, or the workflow execution of a build
 * that started last), and `operation: 'current'` follows the running workflow.
 */
import type {
  ImageBuildAvailableTruth,
  ImageBuildRollbackTruth,
  LifecycleFailureTruth,
  ManualClock,
} from '@stackfeed/emulator/imagebuilder';
import { type Deployment, type StackEvent, StackfeedError } from '@stackfeed/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Setup, setup } from './helpers.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const advanceOn = (operation: string, ms: number) => ({
  onRequest: (op: string, input: Record<string, unknown>, store: { clock: unknown }) => {
    if (op === operation && !input.nextToken) (store.clock as ManualClock).advance(ms);
  },
});

/** What a deployment says, without the records it was read from. */
const shape = (d: Deployment | undefined) =>
  d && {
    id: d.id,
    action: d.action,
    outcome: d.outcome,
    status: d.status,
    startedAt: d.startedAt,
    endedAt: d.endedAt,
    counts: d.counts,
    // By resource: Image Builder promises no order for lifecycle resources (the watch has them by time).
    resources: d.resources
      .map((r) => [r.resource.physicalId ?? r.resource.logicalId, r.phase, r.durationSeconds])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    rootCause: d.rootCause && { resource: d.rootCause.resource, reason: d.rootCause.reason },
  };

async function drain(stream: AsyncIterable<StackEvent>): Promise<StackEvent[]> {
  const seen: StackEvent[] = [];
  for await (const ev of stream) seen.push(ev);
  return seen;
}

describe('watchImageBuild: result.deployment', () => {
  it('a failed build: the rolled-back BUILD workflow, its failed step the root cause, as getDeployment says', async () => {
    s = await setup({ scenarios: ['imageBuildWithRollback'], ...advanceOn('ListWorkflowExecutions', 5000) });
    const t = s.emu.truth.imageBuildWithRollback as ImageBuildRollbackTruth;
    const watch = s.client.watchImageBuild(t.imageArn, { pollIntervalMs: 10 });
    await drain(watch);
    expect(watch.result?.outcome).toBe('failed');
    const listed = await s.client.getDeployment(t.imageArn, t.buildWorkflowId);
    expect(shape(watch.result?.deployment)).toEqual(shape(listed));
    expect(watch.result?.deployment).toMatchObject({ id: t.buildWorkflowId, outcome: 'rolled-back' });
    // One entry per step, in its final state, although the watch yielded each of its transitions.
    expect(watch.result?.deployment?.resources).toHaveLength(t.stepNames.length);
    expect(watch.result?.rootCause).toMatchObject({
      resource: { logicalId: t.failedStep },
      reason: t.failedStepMessage,
    });
  });

  it('a successful build: the DISTRIBUTION workflow (started last), no root cause', async () => {
    s = await setup({ scenarios: ['imageBuildAvailable'], ...advanceOn('ListWorkflowExecutions', 4000) });
    const t = s.emu.truth.imageBuildAvailable as ImageBuildAvailableTruth;
    const watch = s.client.watchImageBuild(t.imageArn, { pollIntervalMs: 10 });
    await drain(watch);
    expect(watch.result?.outcome).toBe('succeeded');
    const last = t.workflowIds.at(-1) as string;
    expect(watch.result?.deployment).toMatchObject({ id: last, action: 'DISTRIBUTE', outcome: 'succeeded' });
    expect(shape(watch.result?.deployment)).toEqual(shape(await s.client.getDeployment(t.imageArn, last)));
    expect(watch.result?.rootCause).toBeUndefined();
  });

  it("operation: 'current' during TEST starts at the TEST workflow: none of BUILD's events", async () => {
    s = await setup({ scenarios: ['imageBuildAvailable'], ...advanceOn('ListWorkflowExecutions', 4000) });
    const t = s.emu.truth.imageBuildAvailable as ImageBuildAvailableTruth;
    s.clock.set(t.startAt + 50_000);
    const watch = s.client.watchImageBuild(t.imageArn, { pollIntervalMs: 10, operation: 'current' });
    const seen = await drain(watch);
    const [build, test] = t.workflowIds as [string, string];
    expect(seen.filter((e) => e.deploymentId === build)).toEqual([]);
    expect(seen[0]).toMatchObject({ deploymentId: test, resource: { type: 'AWS::ImageBuilder::Workflow' } });
    expect(`${seen[0]?.action}:${seen[0]?.phase}`).toBe('TEST:IN_PROGRESS');
    expect(watch.result?.outcome).toBe('succeeded');
  });

  it("operation: 'current' on a finished build yields nothing of it and waits for a next workflow", async () => {
    let polls = 0;
    const ac = new AbortController();
    s = await setup({
      scenarios: ['imageBuildAvailable'],
      onRequest: (op, input) => {
        if (op === 'ListWorkflowExecutions' && !input.nextToken && ++polls === 4) ac.abort(new Error('enough'));
      },
    });
    const t = s.emu.truth.imageBuildAvailable as ImageBuildAvailableTruth;
    s.clock.set(t.endAt + 1000);
    const seen: StackEvent[] = [];
    const watch = s.client.watchImageBuild(t.imageArn, { pollIntervalMs: 1, operation: 'current', signal: ac.signal });
    const err = await (async () => {
      try {
        for await (const ev of watch) seen.push(ev);
      } catch (e) {
        return e;
      }
    })();
    expect(StackfeedError.is(err, 'ABORTED')).toBe(true);
    expect(seen).toEqual([]);
    expect(watch.result).toBeUndefined();
  });
});

describe('watchLifecycleExecution: result.deployment', () => {
  it('a failed execution: the execution itself, the failed resource the root cause, as getDeployment says', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'], ...advanceOn('ListLifecycleExecutionResources', 4000) });
    const f = s.emu.truth.lifecycleFailure as LifecycleFailureTruth;
    const watch = s.client.watchLifecycleExecution(f.executionId, { pollIntervalMs: 10 });
    const seen = await drain(watch);
    expect(watch.result?.outcome).toBe('failed');
    const listed = await s.client.getDeployment(f.executionId, f.executionId);
    expect(shape(watch.result?.deployment)).toEqual(shape(listed));
    expect(watch.result?.deployment).toMatchObject({ id: f.executionId, outcome: 'failed' });
    // Fewer entries than events: one per resource action, not one per transition.
    expect(watch.result?.deployment?.resources.length).toBeLessThan(seen.length);
    expect(watch.result?.rootCause).toMatchObject({
      resource: { physicalId: f.failedResourceId },
      reason: f.failureReason,
    });
  });

  it("operation: 'current' keeps the execution's history: the execution is the one operation", async () => {
    s = await setup({ scenarios: ['lifecycleFailure'], ...advanceOn('ListLifecycleExecutionResources', 4000) });
    const f = s.emu.truth.lifecycleFailure as LifecycleFailureTruth;
    const from = f.startAt + (f.endAt - f.startAt) / 2;
    s.clock.set(from);
    const watch = s.client.watchLifecycleExecution(f.executionId, { pollIntervalMs: 10, operation: 'current' });
    const seen = await drain(watch);
    // Resources that started before the watch are yielded too: no older operation to skip.
    expect(seen.filter((e) => e.timestamp.getTime() < from).length).toBeGreaterThan(0);
    expect(watch.result).toMatchObject({ outcome: 'failed', deployment: { id: f.executionId } });
  });

  it("operation: 'current' on a finished execution ends at once with its outcome (it waits for no other)", async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] });
    const f = s.emu.truth.lifecycleFailure as LifecycleFailureTruth;
    s.clock.set(f.endAt + 1000);
    const watch = s.client.watchLifecycleExecution(f.executionId, { pollIntervalMs: 10, operation: 'current' });
    const seen = await drain(watch);
    expect(seen.length).toBeGreaterThan(0);
    expect(watch.result).toMatchObject({
      outcome: 'failed',
      rootCause: { resource: { physicalId: f.failedResourceId } },
    });
  });
});
