import { type DiscoveredTarget, StackfeedError } from '@stackfeed/core';
import { cloudFormationFault } from '@stackfeed/emulator/cloudformation';
import {
  type ParallelClusterEmulator,
  clusterCreate,
  imageBuildFails,
  imageBuildSucceeds,
} from '@stackfeed/emulator/parallelcluster';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParallelClusterClient, ParallelClusterStackRef } from '../src/index.js';
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
const names = (ts: DiscoveredTarget<ParallelClusterStackRef>[]) => ts.map((t) => `${t.kind}:${t.name}`);

describe('discover(): the images and clusters of a region, in both modes', () => {
  let emu: ParallelClusterEmulator;
  let rollingStack: string;
  let oldCluster: string;

  beforeAll(async () => {
    emu = await emulator({ stacksPageSize: 2 });
    const w = emu.world;
    // Finished an hour ago: an AMI (stack deleted), a rolled-back build, a complete cluster.
    imageBuildSucceeds(w, { imageId: 'img-done', buildSeconds: 60, startInMs: -HOUR });
    imageBuildFails(w, { imageId: 'img-bad', buildSeconds: 60, startInMs: -HOUR });
    oldCluster = clusterCreate(w, { clusterName: 'hpc-old', startInMs: -HOUR }).stackId;
    // A build that failed a moment ago and is rolling back now (ListImages FAILED, stack in progress).
    const rolling = imageBuildFails(w, { imageId: 'img-rolling', buildSeconds: 60 });
    rollingStack = rolling.stackId;
    w.advance(rolling.buildEndsAt + 4000 - w.now());
    imageBuildSucceeds(w, { imageId: 'img-running', buildSeconds: 600 });
    clusterCreate(w, { clusterName: 'hpc-new' });
    // A stack that is neither an image nor a cluster.
    w.cfn.addStack({ name: 'unrelated', createdAt: w.now() });
    w.advance(2000);
  });
  afterAll(() => emu.close());
  afterEach(() => {
    for (const s of Object.values(emu.servers)) s.faults.clear();
  });

  const modes: Array<[string, () => ParallelClusterClient]> = [
    ['api', () => apiClient(emu)],
    ['direct', () => directClient(emu)],
  ];

  for (const [mode, client] of modes) {
    it(`${mode}: in-progress first, then images before clusters in listing order; refs work`, async () => {
      expect(emu.world.cfn.stack(rollingStack)?.stackEvents.at(-1)?.status).toBe('ROLLBACK_COMPLETE');
      const c = client();
      const all = await c.discover().toArray({ limit: 100 });
      expect(names(all)).toEqual([
        'image:img-running',
        'image:img-rolling',
        'cluster:hpc-new',
        'image:img-done',
        'image:img-bad',
        'cluster:hpc-old',
      ]);
      expect(all.map((t) => t.inProgress)).toEqual([true, true, true, false, false, false]);
      const byName = new Map(all.map((t) => [t.name, t]));
      expect(byName.get('img-rolling')).toMatchObject({
        status: 'BUILD_FAILED',
        state: 'FAILED',
        ref: { kind: 'image', name: 'img-rolling' },
        id: rollingStack,
        account: emu.world.accountId,
        region: emu.region,
        details: { stackStatus: 'ROLLBACK_IN_PROGRESS' },
      });
      expect(byName.get('img-done')).toMatchObject({ state: 'AVAILABLE', status: 'BUILD_COMPLETE', inProgress: false });
      expect(byName.get('img-done')?.details?.amiIds).toHaveLength(1);
      expect(byName.get('hpc-old')).toMatchObject({
        kind: 'cluster',
        ref: { kind: 'cluster', name: 'hpc-old' },
        id: oldCluster,
        status: 'CREATE_COMPLETE',
        state: 'COMPLETE',
      });
      expect(byName.get('hpc-new')).toMatchObject({ status: 'CREATE_IN_PROGRESS', state: 'IN_PROGRESS' });
      // Tags only where the listing carried them: direct mode's stacks and AMIs, not the API's summaries.
      if (mode === 'direct') expect(byName.get('hpc-old')?.tags?.['parallelcluster:cluster-name']).toBe('hpc-old');
      else expect(all.every((t) => t.tags === undefined)).toBe(true);
      // A target's ref goes straight back to the client.
      const events = await c
        .listStackEvents(byName.get('hpc-new')?.ref as ParallelClusterStackRef)
        .toArray({ limit: 5 });
      expect(events[0]?.stack.name).toBe('hpc-new');
    });

    it(`${mode}: pages and continuation tokens cut the one read`, async () => {
      const c = client();
      const pages = c.discover({ pageSize: 4 }).byPage();
      const first = (await pages.next()).value;
      expect(first?.items).toHaveLength(4);
      const rest = await c
        .discover({ pageSize: 4, continuationToken: first?.continuationToken })
        .toArray({ limit: 100 });
      expect(names([...(first?.items ?? []), ...rest])).toEqual(names(await c.discover().toArray({ limit: 100 })));
      // A token belongs to the options it was made with.
      const e = await caught(
        c
          .discover({ pageSize: 4, activeOnly: true, continuationToken: first?.continuationToken })
          .toArray({ limit: 9 }),
      );
      expect(e.code).toBe('BAD_REQUEST');
    });

    it(`${mode}: name globs and RegExps, kinds, and kinds this provider does not have`, async () => {
      const c = client();
      expect(names(await c.discover({ name: 'img-r*' }).toArray({ limit: 100 }))).toEqual([
        'image:img-running',
        'image:img-rolling',
      ]);
      expect(names(await c.discover({ name: 'hpc-?ld' }).toArray({ limit: 100 }))).toEqual(['cluster:hpc-old']);
      expect(names(await c.discover({ name: /-(new|bad)$/g }).toArray({ limit: 100 }))).toEqual([
        'cluster:hpc-new',
        'image:img-bad',
      ]);
      expect(names(await c.discover({ kinds: ['cluster'] }).toArray({ limit: 100 }))).toEqual([
        'cluster:hpc-new',
        'cluster:hpc-old',
      ]);
      const server = mode === 'api' ? emu.servers.api : emu.servers.cloudformation;
      const before = server.requests.length;
      expect(await c.discover({ kinds: ['stack', 'lifecycle-execution'] }).toArray({ limit: 10 })).toEqual([]);
      expect(server.requests.length).toBe(before);
    });
  }

  it('api: activeOnly is sent as imageStatus / clusterStatus; AVAILABLE AMIs are never listed', async () => {
    const before = emu.servers.api.requests.length;
    const active = await apiClient(emu).discover({ activeOnly: true }).toArray({ limit: 100 });
    expect(names(active)).toEqual(['image:img-running', 'image:img-rolling', 'cluster:hpc-new']);
    const sent = emu.servers.api.requests.slice(before);
    const imageStatuses = new Set(
      sent.filter((r) => r.path.endsWith('/images/custom')).map((r) => new URLSearchParams(r.query).get('imageStatus')),
    );
    expect(imageStatuses).toEqual(new Set(['PENDING', 'FAILED']));
    const clusterQueries = sent.filter((r) => r.path.endsWith('/clusters'));
    expect(clusterQueries.length).toBeGreaterThan(0);
    for (const r of clusterQueries)
      expect(new URLSearchParams(r.query).getAll('clusterStatus').sort()).toEqual([
        'CREATE_FAILED',
        'CREATE_IN_PROGRESS',
        'DELETE_IN_PROGRESS',
        'UPDATE_IN_PROGRESS',
      ]);
  });

  it('direct: activeOnly reads no AMIs, and the same targets as the API', async () => {
    const before = emu.servers.ec2.requests.length;
    const active = await directClient(emu).discover({ activeOnly: true }).toArray({ limit: 100 });
    expect(names(active)).toEqual(['image:img-running', 'image:img-rolling', 'cluster:hpc-new']);
    expect(emu.servers.ec2.requests.length).toBe(before);
  });

  it('direct: one DescribeStacks scan serves both kinds (the image and cluster listings would scan three times)', async () => {
    const scans = () =>
      emu.servers.cloudformation.requests.filter(
        (r) => r.body.includes('Action=DescribeStacks') && !r.body.includes('StackName='),
      ).length;
    const c = directClient(emu);
    let before = scans();
    await c.listClusters().toArray({ limit: 100 });
    const oneScan = scans() - before;
    expect(oneScan).toBeGreaterThan(1); // two stacks a page here
    before = scans();
    await c.discover().toArray({ limit: 100 });
    expect(scans() - before).toBe(oneScan);
    before = scans();
    await c.listImages({ status: ['PENDING', 'FAILED'] }).toArray({ limit: 100 });
    await c.listClusters().toArray({ limit: 100 });
    expect(scans() - before).toBe(3 * oneScan);
  });

  it('tags: free from direct mode listings; one describe per candidate left after the name filter in API mode', async () => {
    const want = { 'parallelcluster:cluster-name': 'hpc-old' };
    const direct = directClient(emu);
    const cfnBefore = emu.servers.cloudformation.requests.length;
    expect(names(await direct.discover({ tags: want }).toArray({ limit: 100 }))).toEqual(['cluster:hpc-old']);
    const cfnSent = emu.servers.cloudformation.requests.slice(cfnBefore);
    expect(cfnSent.every((r) => r.body.includes('Action=DescribeStacks') && !r.body.includes('StackName='))).toBe(true);

    const api = apiClient(emu);
    const before = emu.servers.api.requests.length;
    const tagged = await api.discover({ name: 'hpc-*', tags: want }).toArray({ limit: 100 });
    expect(names(tagged)).toEqual(['cluster:hpc-old']);
    expect(tagged[0]?.tags?.['parallelcluster:version']).toBe('3.12.0');
    const describes = emu.servers.api.requests.slice(before).filter((r) => /\/clusters\/[^/]+$/.test(r.path));
    expect(describes.map((r) => r.path.split('/').at(-1)).sort()).toEqual(['hpc-new', 'hpc-old']);
    // Image tags come from DescribeImage (AMI tags for a finished image, stack tags for a build).
    const images = await api
      .discover({ kinds: ['image'], tags: { 'parallelcluster:image_name': 'img-done' } })
      .toArray({ limit: 100 });
    expect(names(images)).toEqual(['image:img-done']);
    expect(await api.discover({ tags: { nope: 'x' } }).toArray({ limit: 100 })).toEqual([]);
  });

  it('api: a target deleted between its listing and its describe is left out', async () => {
    emu.servers.api.faults.inject(
      { kind: 'status', status: 404, body: { message: "Cluster 'hpc-old' does not exist." } },
      { match: (r) => r.url.pathname.endsWith('/clusters/hpc-old') },
    );
    const out = await apiClient(emu)
      .discover({ kinds: ['cluster'], tags: { 'parallelcluster:version': '3.12.0' } })
      .toArray({ limit: 100 });
    expect(names(out)).toEqual(['cluster:hpc-new']);
  });

  it('bad options are CONFIG before any request', () => {
    const c = apiClient(emu);
    const bad: unknown[] = [
      { kinds: ['imagee'] },
      { kinds: 'image' },
      { name: 42 },
      { tags: { a: 1 } },
      { tags: ['a'] },
      { activeOnly: 'yes' },
    ];
    const before = emu.servers.api.requests.length;
    for (const options of bad) {
      let err: unknown;
      try {
        c.discover(options as never);
      } catch (e) {
        err = e;
      }
      expect(StackfeedError.is(err, 'CONFIG'), JSON.stringify(options)).toBe(true);
    }
    expect(emu.servers.api.requests.length).toBe(before);
  });

  it('a failing listing fails the iteration with a typed error; iterating again reads again', async () => {
    const direct = directClient(emu, { retry: { maxAttempts: 1 } });
    emu.servers.cloudformation.faults.inject(cloudFormationFault('InternalFailure', 'boom', 500), {
      match: (r) => r.body.includes('Action=DescribeStacks'),
    });
    const p = direct.discover({ kinds: ['cluster'] });
    expect((await caught(p.toArray({ limit: 100 }))).code).toBe('SERVER');
    expect(names(await p.toArray({ limit: 100 }))).toEqual(['cluster:hpc-new', 'cluster:hpc-old']);

    emu.servers.api.faults.inject({ kind: 'status', status: 400, body: { message: 'Bad Request: nope' } });
    const e = await caught(apiClient(emu).discover().toArray({ limit: 100 }));
    expect(e).toMatchObject({ code: 'BAD_REQUEST', provider: 'aws-parallelcluster' });
  });
});
