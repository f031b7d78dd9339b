import { type Deployment, StackfeedError } from '@stackfeed/core';
import { cloudFormationFault } from '@stackfeed/emulator/cloudformation';
import {
  type ClusterFailureTruth,
  type ParallelClusterEmulator,
  clusterCreate,
  clusterCreateFails,
  imageBuildFails,
  imageBuildSucceeds,
} from '@stackfeed/emulator/parallelcluster';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, directClient, emulator } from './helpers.js';

async function caught(p: Promise<unknown>): Promise<StackfeedError> {
  try {
    await p;
  } catch (err) {
    if (StackfeedError.is(err)) return err;
    throw err;
  }
  throw new Error('expected a StackfeedError');
}

const HOUR = 3_600_000;

describe('deployments of image and cluster stacks: root cause through nested stacks, outcome, durations', () => {
  let emu: ParallelClusterEmulator;
  let fail: ClusterFailureTruth;
  let gone: ClusterFailureTruth;
  let okImage: ReturnType<typeof imageBuildSucceeds>;
  let badImage: ReturnType<typeof imageBuildFails>;

  beforeAll(async () => {
    // Small pages: the listings (and the nested stack) span several DescribeStackEvents pages.
    emu = await emulator({ eventsPageSize: 7 });
    const w = emu.world;
    fail = clusterCreateFails(w, { clusterName: 'hpc-fail', startInMs: -HOUR });
    gone = clusterCreateFails(w, { clusterName: 'hpc-gone', startInMs: -HOUR, thenDelete: true });
    okImage = imageBuildSucceeds(w, { imageId: 'img-ok', buildSeconds: 60, startInMs: -HOUR });
    badImage = imageBuildFails(w, { imageId: 'img-bad', buildSeconds: 60, startInMs: -HOUR });
    clusterCreate(w, { clusterName: 'hpc-run' });
    w.advance(10_000);
  });
  afterAll(() => emu.close());
  afterEach(() => {
    for (const s of Object.values(emu.servers)) s.faults.clear();
  });

  /** What every mode agrees on for the failed create of `hpc-fail`. */
  function expectFailedCreate(d: Deployment | undefined, truth: ClusterFailureTruth): void {
    expect(d).toMatchObject({
      provider: 'aws-parallelcluster',
      id: truth.token,
      action: 'CREATE',
      outcome: 'rolled-back',
      status: 'ROLLBACK_COMPLETE',
      stack: { id: truth.stackId, name: truth.clusterName },
    });
    expect(d?.startedAt?.getTime()).toBe(truth.startedAt);
    expect(d?.endedAt?.getTime()).toBe(truth.endsAt);
    expect(d?.durationSeconds).toBe((truth.endsAt - truth.startedAt) / 1000);
  }

  it('direct: the root cause is the nested resource that failed first, with its reason', async () => {
    const list = await directClient(emu).listDeployments({ clusterName: 'hpc-fail' }).toArray({ limit: 10 });
    expect(list).toHaveLength(1);
    const d = list[0];
    expectFailedCreate(d, fail);
    expect(d?.rootCause).toMatchObject({
      resource: { logicalId: fail.failedLogicalId, type: 'AWS::EC2::LaunchTemplate' },
      stack: { id: fail.nestedStackId, rootId: fail.stackId },
      reason: fail.failedReason,
    });
    expect(d?.rootCause?.event.timestamp.getTime()).toBe(fail.failedAt);
    expect(d?.rootCause?.event.status).toBe('CREATE_FAILED');
    // Every event of the create, nested stack included, belongs to it.
    expect(d?.counts.events).toBe(fail.eventCounts[0] + fail.eventCounts[1]);
  });

  it('direct: per-resource durations match the events (root and nested stack)', async () => {
    const [d] = await directClient(emu).listDeployments({ clusterName: 'hpc-fail' }).toArray({ limit: 10 });
    const names = new Map([
      [fail.stackId, 'hpc-fail'],
      [fail.nestedStackId, (fail.nestedStackId.split('/')[1] as string) ?? ''],
    ]);
    const got: Record<string, { start: number; end: number; status: string }> = {};
    for (const r of d?.resources ?? []) {
      const key = `${names.get(r.stack.id as string)}/${r.resource.logicalId}`;
      got[key] = { start: r.startedAt?.getTime() ?? -1, end: r.endedAt?.getTime() ?? -1, status: r.status };
      if (r.startedAt && r.endedAt)
        expect(r.durationSeconds).toBe((r.endedAt.getTime() - r.startedAt.getTime()) / 1000);
    }
    expect(got).toEqual(fail.resourceTimes);
    expect(d?.counts.resources).toBe(Object.keys(fail.resourceTimes).length);
  });

  it('API mode reads the root stack only: the root cause is the root summary naming the nested resource', async () => {
    const [d, ...rest] = await apiClient(emu).listDeployments({ clusterName: 'hpc-fail' }).toArray({ limit: 10 });
    expect(rest).toEqual([]);
    expectFailedCreate(d, fail);
    expect(d?.rootCause?.resource).toMatchObject({ logicalId: 'QueuesStack', type: 'AWS::CloudFormation::Stack' });
    expect(d?.rootCause?.reason).toContain('Embedded stack');
    expect(d?.rootCause?.reason).toContain(fail.failedLogicalId);
    expect(d?.counts.events).toBe(fail.eventCounts[0]);
    expect(d?.resources.every((r) => r.stack.id === fail.stackId)).toBe(true);
    // Direct mode without nested stacks says the same as the API.
    const [flat] = await directClient(emu)
      .listDeployments({ clusterName: 'hpc-fail' }, { nested: false })
      .toArray({ limit: 10 });
    expect(flat?.rootCause?.event.id).toBe(d?.rootCause?.event.id);
    expect(flat?.resources.map((r) => r.resource.logicalId)).toEqual(d?.resources.map((r) => r.resource.logicalId));
  });

  it('direct: a deleted cluster has its create and its delete, newest first; getDeployment by id', async () => {
    const c = directClient(emu);
    const ref = { clusterName: 'hpc-gone' };
    const list = await c.listDeployments(ref).toArray({ limit: 10 });
    expect(list.map((d) => [d.id, d.action, d.outcome])).toEqual([
      [gone.deleteToken, 'DELETE', 'succeeded'],
      [gone.token, 'CREATE', 'rolled-back'],
    ]);
    expect(list[0]?.startedAt?.getTime()).toBe(gone.deleteStartsAt);
    expect(list[0]?.durationSeconds).toBe(((gone.deleteEndsAt as number) - (gone.deleteStartsAt as number)) / 1000);
    expect(list[0]?.rootCause).toBeUndefined();
    const create = await c.getDeployment(ref, gone.token);
    expect(create.rootCause?.resource.logicalId).toBe(gone.failedLogicalId);
    expect((await caught(c.getDeployment(ref, 'no-such-operation'))).code).toBe('NOT_FOUND');
    // Pages of one, resumed by token.
    const first = (await c.listDeployments(ref, { pageSize: 1 }).byPage().next()).value;
    expect(first?.items.map((d: Deployment) => d.id)).toEqual([gone.deleteToken]);
    const rest = await c
      .listDeployments(ref, { pageSize: 1, continuationToken: first?.continuationToken })
      .toArray({ limit: 10 });
    expect(rest.map((d) => d.id)).toEqual([gone.token]);
    // The API cannot read a deleted cluster's events.
    expect((await caught(apiClient(emu).listDeployments(ref).toArray({ limit: 1 }))).code).toBe('NOT_FOUND');
  });

  it('image builds: a successful build and its delete (no token: a stable derived id); a failed build rolled back', async () => {
    const c = directClient(emu);
    const ok = await c.listDeployments({ imageId: 'img-ok' }).toArray({ limit: 10 });
    expect(ok.map((d) => [d.action, d.outcome])).toEqual([
      ['DELETE', 'succeeded'],
      ['CREATE', 'succeeded'],
    ]);
    expect(ok[1]?.startedAt?.getTime()).toBe(okImage.startedAt);
    expect(ok[0]?.id).toMatch(/^delete-\d+$/);
    const again = await c.listDeployments({ imageId: 'img-ok' }).toArray({ limit: 10 });
    expect(again.map((d) => d.id)).toEqual(ok.map((d) => d.id));
    for (const client of [c, apiClient(emu)]) {
      const [bad, ...more] = await client.listDeployments({ imageId: 'img-bad' }).toArray({ limit: 10 });
      expect(more).toEqual([]);
      expect(bad).toMatchObject({ action: 'CREATE', outcome: 'rolled-back', status: 'ROLLBACK_COMPLETE' });
      expect(bad?.endedAt?.getTime()).toBe(badImage.endsAt);
      expect(bad?.rootCause?.resource.logicalId).toBe('ParallelClusterImage');
      expect(bad?.rootCause?.reason).toContain('Image Build Failed');
    }
  });

  it('a running create is in progress, with no end and resources still running', async () => {
    for (const c of [apiClient(emu), directClient(emu)]) {
      const [d] = await c.listDeployments({ clusterName: 'hpc-run' }).toArray({ limit: 10 });
      expect(d).toMatchObject({ action: 'CREATE', outcome: 'in-progress', status: 'CREATE_IN_PROGRESS' });
      expect(d?.endedAt).toBeUndefined();
      expect(d?.durationSeconds).toBeUndefined();
      expect(d?.counts.inProgress).toBeGreaterThan(0);
      expect(d?.rootCause).toBeUndefined();
    }
  });

  it('bad input is CONFIG before any request; a missing stack is NOT_FOUND; a failing read is typed and not kept', async () => {
    const c = directClient(emu, { retry: { maxAttempts: 1 } });
    const before = emu.servers.cloudformation.requests.length;
    const sync = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(
      StackfeedError.is(
        sync(() => c.listDeployments({ clusterName: 'no spaces' })),
        'CONFIG',
      ),
    ).toBe(true);
    expect(
      StackfeedError.is(
        sync(() => c.listDeployments(undefined as never)),
        'CONFIG',
      ),
    ).toBe(true);
    expect(
      StackfeedError.is(
        sync(() => c.listDeployments({ clusterName: 'hpc-fail' }, { nested: 'yes' as never })),
        'CONFIG',
      ),
    ).toBe(true);
    expect((await caught(c.getDeployment({ clusterName: 'hpc-fail' }, ''))).code).toBe('CONFIG');
    expect(emu.servers.cloudformation.requests.length).toBe(before);

    expect((await caught(c.listDeployments({ clusterName: 'hpc-never' }).toArray({ limit: 1 }))).code).toBe(
      'NOT_FOUND',
    );
    expect((await caught(apiClient(emu).getDeployment({ clusterName: 'hpc-never' }, 'x'))).code).toBe('NOT_FOUND');

    emu.servers.cloudformation.faults.inject(cloudFormationFault('Throttling', 'Rate exceeded'), {
      match: (r) => r.body.includes('Action=DescribeStackEvents'),
    });
    const p = c.listDeployments({ clusterName: 'hpc-fail' });
    expect((await caught(p.toArray({ limit: 10 }))).code).toBe('THROTTLED');
    expect((await p.toArray({ limit: 10 })).map((d) => d.id)).toEqual([fail.token]);
  });
});
