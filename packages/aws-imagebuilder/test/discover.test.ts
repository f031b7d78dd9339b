import { StackfeedError } from '@stackfeed/core';
import {
  type ImageBuildAvailableTruth,
  type ImageBuildRollbackTruth,
  imageBuilderFault,
  type LifecycleFailureTruth,
} from '@stackfeed/emulator/imagebuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { type Setup, setup } from './helpers.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** Three builds (one still building), two lifecycle policies (one execution running), seeded at t0. */
async function fleet() {
  s = await setup({ scenarios: ['imageBuildAvailable', 'imageBuildWithRollback', 'lifecycleFailure'] });
  const store = s.emu.store;
  const t0 = store.now();
  const building = store.addImage({
    name: 'web-builder',
    version: '2.0.0',
    createdAt: t0,
    tags: { team: 'web' },
    statuses: [
      { at: t0, status: 'BUILDING' },
      { at: t0 + 3_600_000, status: 'AVAILABLE' },
    ],
  });
  const policyArn = store.addLifecyclePolicy({ name: 'nightly-cleanup', tags: { team: 'web' } });
  const running = store.addLifecycleExecution({
    policyArn,
    startAt: t0,
    resources: [
      { resourceId: 'ami-0aaaaaaaaaaaaaaa1', steps: [{ action: 'DELETE', startAt: t0, endAt: t0 + 600_000 }] },
    ],
  });
  const t = s.emu.truth;
  // Past both scenarios' ends, before the running ones end.
  s.clock.set(t0 + 300_000);
  return {
    building,
    running,
    policyArn,
    available: (t.imageBuildAvailable as ImageBuildAvailableTruth).imageArn,
    failed: (t.imageBuildWithRollback as ImageBuildRollbackTruth).imageArn,
    lifecycle: t.lifecycleFailure as LifecycleFailureTruth,
  };
}

describe('discover', () => {
  it('image build versions and lifecycle executions of the region, in-progress first, refs the client follows', async () => {
    const f = await fleet();
    const targets = await s!.client.discover().toArray({ limit: 1000 });
    expect(targets.map((x) => [x.kind, x.ref.id, x.inProgress])).toEqual([
      ['image-build', f.building, true],
      ['lifecycle-execution', f.running, true],
      ...[f.available, f.failed]
        .map((arn) => ['image-build', arn, false])
        .sort((a, b) => String(b[1]).localeCompare(String(a[1]))),
      ['lifecycle-execution', f.lifecycle.executionId, false],
    ]);
    const failed = targets.find((x) => x.ref.id === f.failed);
    expect(failed).toMatchObject({
      provider: 'aws-imagebuilder',
      name: 'hpc-node',
      id: f.failed,
      status: 'FAILED',
      state: 'FAILED',
      region: 'us-east-1',
      account: s!.emu.store.accountId,
      tags: { team: 'hpc', env: 'test' },
      details: { version: '3.1.0/1', reason: 'Workflow Execution has failed.' },
    });
    const lce = targets.find((x) => x.ref.id === f.running);
    expect(lce).toMatchObject({
      name: 'nightly-cleanup',
      status: 'IN_PROGRESS',
      state: 'RUNNING',
      parent: { id: f.policyArn, name: 'nightly-cleanup' },
      tags: { team: 'web' },
      details: { lifecyclePolicyArn: f.policyArn },
    });
    // A policy only named by its executions is listed too (name: the ARN's last part).
    expect(targets.find((x) => x.ref.id === f.lifecycle.executionId)).toMatchObject({
      name: f.lifecycle.policyArn.split('/').pop(),
      status: 'FAILED',
      state: 'FAILED',
    });
    // The refs are `{ kind, id }`, what the client's list calls take as is.
    expect(failed?.ref).toEqual({ kind: 'image-build', id: f.failed });
    expect(lce?.ref).toEqual({ kind: 'lifecycle-execution', id: f.running });
    const events = await s!.client.listStackEvents(failed!.ref).toArray({ limit: 1000 });
    expect(events.some((e) => e.phase === 'FAILED')).toBe(true);
    expect((await s!.client.listStackEvents(lce!.ref).toArray({ limit: 1000 })).length).toBeGreaterThan(0);
    expect((await s!.client.listDeployments(lce!.ref).toArray({ limit: 10 })).map((d) => d.id)).toEqual([f.running]);
  });

  it('filters: kinds (the other kind is never read), activeOnly, glob and RegExp names, tags', async () => {
    const f = await fleet();
    const before = s!.emu.server.requests.length;
    const builds = await s!.client.discover({ kinds: ['image-build'] }).toArray({ limit: 1000 });
    expect(builds.every((x) => x.kind === 'image-build')).toBe(true);
    expect(builds).toHaveLength(3);
    const paths = s!.emu.server.requests.slice(before).map((r) => r.path);
    expect(paths.every((p) => p === '/ListImageBuildVersions')).toBe(true);

    const active = await s!.client.discover({ activeOnly: true }).toArray({ limit: 1000 });
    expect(active.map((x) => x.ref.id)).toEqual([f.building, f.running]);
    expect((await s!.client.discover({ name: 'hpc-*' }).toArray({ limit: 1000 })).map((x) => x.ref.id).sort()).toEqual(
      [f.available, f.failed].sort(),
    );
    expect((await s!.client.discover({ name: 'hpc-nod?' }).toArray({ limit: 1000 })).map((x) => x.ref.id)).toEqual([
      f.failed,
    ]);
    // A glob is the whole name, case-sensitive.
    expect(await s!.client.discover({ name: 'hpc' }).toArray({ limit: 1000 })).toEqual([]);
    expect(await s!.client.discover({ name: 'HPC-*' }).toArray({ limit: 1000 })).toEqual([]);
    expect((await s!.client.discover({ name: /cleanup$/ }).toArray({ limit: 1000 })).map((x) => x.ref.id)).toEqual([
      f.running,
    ]);
    expect((await s!.client.discover({ tags: { team: 'web' } }).toArray({ limit: 1000 })).map((x) => x.ref.id)).toEqual(
      [f.building, f.running],
    );
    expect(await s!.client.discover({ tags: { team: 'web', env: 'test' } }).toArray({ limit: 1000 })).toEqual([]);
    expect(
      (await s!.client.discover({ tags: { team: 'hpc', env: 'test' } }).toArray({ limit: 1000 })).map((x) => x.ref.id),
    ).toEqual([f.failed]);
  });

  it('a plain name is sent to the service as its exact-name filter; a glob is not', async () => {
    await fleet();
    const before = s!.emu.server.requests.length;
    const found = await s!.client.discover({ name: 'nightly-cleanup' }).toArray({ limit: 1000 });
    expect(found.map((x) => x.name)).toEqual(['nightly-cleanup']);
    const bodies = s!.emu.server.requests.slice(before).map((r) => [r.path, JSON.parse(r.body || '{}').filters]);
    expect(bodies).toContainEqual(['/ListImageBuildVersions', [{ name: 'name', values: ['nightly-cleanup'] }]]);
    expect(bodies).toContainEqual(['/ListLifecyclePolicies', [{ name: 'Name', values: ['nightly-cleanup'] }]]);
    const before2 = s!.emu.server.requests.length;
    await s!.client.discover({ name: 'nightly-*' }).toArray({ limit: 1000 });
    expect(s!.emu.server.requests.slice(before2).every((r) => JSON.parse(r.body || '{}').filters === undefined)).toBe(
      true,
    );
  });

  it('pages of the size asked, and a continuation token resumes at the next target', async () => {
    await fleet();
    const all = await s!.client.discover().toArray({ limit: 1000 });
    const pages = [];
    for await (const p of s!.client.discover().byPage({ pageSize: 2 })) pages.push(p);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items).map((x) => x.ref.id)).toEqual(all.map((x) => x.ref.id));
    const resumed = await s!.client
      .discover({ continuationToken: pages[0]?.continuationToken })
      .toArray({ limit: 1000 });
    expect(resumed.map((x) => x.ref.id)).toEqual(all.slice(2).map((x) => x.ref.id));
    // A token of another filter set is refused before any request.
    const before = s!.emu.server.requests.length;
    await expect(
      s!.client.discover({ activeOnly: true, continuationToken: pages[0]?.continuationToken }).toArray({ limit: 1000 }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(s!.emu.server.requests.length).toBe(before);
  });

  it('many policies and builds: every page of every listing is read (25 a page)', async () => {
    s = await setup();
    const store = s.emu.store;
    const t0 = store.now();
    for (let i = 0; i < 30; i++) store.addImage({ name: `img-${i}`, version: '1.0.0', createdAt: t0 - 1000 });
    for (let i = 0; i < 27; i++) {
      const policyArn = store.addLifecyclePolicy({ name: `policy-${i}` });
      store.addLifecycleExecution({ policyArn, startAt: t0 - 1000, resources: [] });
    }
    const targets = await s.client.discover().toArray({ limit: 1000 });
    expect(targets.filter((x) => x.kind === 'image-build')).toHaveLength(30);
    expect(targets.filter((x) => x.kind === 'lifecycle-execution')).toHaveLength(27);
    expect(new Set(targets.map((x) => x.ref.id)).size).toBe(57);
  });

  it('an empty region discovers nothing', async () => {
    s = await setup();
    expect(await s.client.discover().toArray({ limit: 1000 })).toEqual([]);
  });

  it('bad options are CONFIG before any request', async () => {
    s = await setup();
    for (const bad of [{ name: 42 }, { tags: { team: 1 } }, { tags: ['x'] }, { kinds: 'image-build' }]) {
      const err = (() => {
        try {
          s!.client.discover(bad as never);
        } catch (e) {
          return e;
        }
      })();
      expect(StackfeedError.is(err) && err.code).toBe('CONFIG');
    }
    expect(s.emu.server.requests).toHaveLength(0);
  });

  it('a service error is typed (FORBIDDEN on ListLifecyclePolicies), and the paginator can be re-read after it', async () => {
    await fleet();
    s!.emu.server.faults.inject(imageBuilderFault('ForbiddenException', 'not authorized'), {
      match: (r) => r.rawPath === '/ListLifecyclePolicies',
    });
    const p = s!.client.discover();
    await expect(p.toArray({ limit: 1000 })).rejects.toMatchObject({ code: 'FORBIDDEN', provider: 'aws-imagebuilder' });
    expect(await p.toArray({ limit: 1000 })).toHaveLength(5);
  });

  it('a record of the wrong type is INVALID_RESPONSE naming the field', async () => {
    s = await setup();
    s.emu.server.faults.inject(
      { kind: 'status', status: 200, body: { lifecyclePolicySummaryList: [{ arn: 7 }] } },
      { match: (r) => r.rawPath === '/ListLifecyclePolicies' },
    );
    await expect(s.client.discover({ kinds: ['lifecycle-execution'] }).toArray({ limit: 1000 })).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
      fieldPath: expect.stringContaining('arn'),
    });
  });
});
