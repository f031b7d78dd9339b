import { CloudFormationClient, paginateDescribeStackEvents } from '@aws-sdk/client-cloudformation';
import { type StackEvent, StackfeedError } from '@stackfeed/core';
import { cloudFormationFault } from '@stackfeed/emulator/cloudformation';
import { ec2Fault } from '@stackfeed/emulator/ec2';
import {
  type ParallelClusterEmulator,
  bigStack,
  clusterCreate,
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

describe('direct mode: the real AWS SDK v3 clients against the emulated CloudFormation, EC2, Image Builder, Logs', () => {
  let emu: ParallelClusterEmulator;
  let ok: ReturnType<typeof imageBuildSucceeds>;
  let bad: ReturnType<typeof imageBuildFails>;
  let cluster: ReturnType<typeof clusterCreate>;

  beforeAll(async () => {
    emu = await emulator({ eventsPageSize: 9, stacksPageSize: 2 });
    ok = imageBuildSucceeds(emu.world, { imageId: 'img-ok', buildSeconds: 60 });
    bad = imageBuildFails(emu.world, { imageId: 'img-bad', buildSeconds: 60 });
    cluster = clusterCreate(emu.world, { clusterName: 'hpc', queues: 4 });
    emu.world.advance(Math.max(ok.endsAt, bad.endsAt, cluster.endsAt) - emu.world.now() + 1000);
    imageBuildSucceeds(emu.world, { imageId: 'img-running', buildSeconds: 600 });
    emu.world.advance(60_000);
  });
  afterAll(() => emu.close());
  afterEach(() => {
    for (const s of Object.values(emu.servers)) s.faults.clear();
  });

  it('recovers the stack events of an image whose stack was deleted after a successful build', async () => {
    const events = await directClient(emu)
      .listImageStackEvents('img-ok', { order: 'newest-first' })
      .toArray({ limit: 1000 });
    const truth = [...(emu.world.cfn.stack(ok.stackId)?.events ?? [])].reverse();
    expect(events.map((e) => e.id)).toEqual(truth.map((e) => e.eventId));
    expect(events[0]).toMatchObject({
      status: 'DELETE_COMPLETE',
      isStackEvent: true,
      stack: { id: ok.stackId, name: 'img-ok' },
    });
    const listStacks = emu.servers.cloudformation.requests.filter((r) => r.body.includes('Action=ListStacks'));
    expect(listStacks.at(-1)?.body).toContain('StackStatusFilter.member.1=DELETE_COMPLETE');
    // Events were read by stack id, as CloudFormation requires for deleted stacks.
    const reads = emu.servers.cloudformation.requests.filter((r) => r.body.includes('Action=DescribeStackEvents'));
    expect(reads.at(-1)?.body).toContain(`StackName=${encodeURIComponent(ok.stackId)}`);
    // The API mode cannot (404): direct mode goes beyond it.
    expect((await caught(apiClient(emu).listImageStackEvents('img-ok').toArray({ limit: 1 }))).code).toBe('NOT_FOUND');
  });

  it('keeps the fields the API drops: hook status, DetailedStatus, OperationId', async () => {
    const events = await directClient(emu).listImageStackEvents('img-ok').toArray({ limit: 1000 });
    const hook = events.find((e) => e.details?.hookStatus !== undefined);
    expect(hook?.details).toMatchObject({
      hookStatus: 'HOOK_COMPLETE_SUCCEEDED',
      hookType: 'Private::Guard::PclusterTags',
      hookInvocationPoint: 'PRE_PROVISION',
      hookFailureMode: 'WARN',
      hookInvocationId: expect.any(String),
    });
    expect(events.find((e) => e.details?.detailedStatus === 'CONFIGURATION_COMPLETE')?.status).toBe('CREATE_COMPLETE');
    expect(events.every((e) => typeof e.details?.operationId === 'string')).toBe(true);
    expect(new Set(events.map((e) => e.details?.operationId)).size).toBe(2); // create, then delete
  });

  it('includes the nested stacks of a cluster, tagged with their root', async () => {
    const c = directClient(emu);
    expect(c.capabilities.nestedStacks).toBe(true);
    const events = await c.listClusterStackEvents('hpc').toArray({ limit: 1000 });
    const total = cluster.eventCounts.reduce((a, b) => a + b, 0);
    expect(events).toHaveLength(total);
    expect(new Set(events.map((e) => e.id)).size).toBe(total);
    const nested = events.filter((e) => e.stack.id !== cluster.stackId);
    expect(new Set(nested.map((e) => e.stack.id))).toEqual(new Set(cluster.nestedStackIds));
    expect(nested.every((e) => e.stack.rootId === cluster.stackId && e.stack.rootName === 'hpc')).toBe(true);
    expect(nested.filter((e) => e.resource.logicalId === 'Queue3LaunchTemplate')).toHaveLength(3);
    // The continuation token carries the queue of stacks still to read.
    const pages = c.listClusterStackEvents('hpc', { pageSize: 7 }).byPage();
    const p1 = (await pages.next()).value;
    const rest = await c
      .listClusterStackEvents('hpc', { pageSize: 7, continuationToken: p1?.continuationToken })
      .toArray({ limit: 1000 });
    expect([...(p1?.items ?? []), ...rest].map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  it('describes images the way pcluster does: AMI first, then stack + Image Builder', async () => {
    const c = directClient(emu);
    const done = await c.describeImage('img-ok');
    expect(done).toMatchObject({
      state: 'AVAILABLE',
      status: 'BUILD_COMPLETE',
      version: '3.12.0',
      region: 'us-east-1',
    });
    expect(done.artifacts[0]).toMatchObject({ kind: 'ami', id: ok.amiId, state: 'AVAILABLE', architecture: 'x86_64' });
    expect(done.tags['parallelcluster:image_id']).toBe('img-ok');
    const running = await c.describeImage('img-running');
    expect(running).toMatchObject({
      state: 'BUILDING',
      status: 'BUILD_IN_PROGRESS',
      stack: { status: 'CREATE_IN_PROGRESS' },
    });
    expect(running.details).toMatchObject({
      imagebuilderImageStatus: 'BUILDING',
      imageBuildLogsArn: expect.stringContaining('img-running'),
    });
    const failed = await c.describeImage('img-bad');
    expect(failed).toMatchObject({ state: 'FAILED', status: 'BUILD_FAILED', stack: { status: 'ROLLBACK_COMPLETE' } });
    expect(failed.details?.imagebuilderImageStatus).toBe('FAILED');
    const missing = await caught(c.describeImage('nope'));
    expect(missing).toMatchObject({ code: 'NOT_FOUND' });
    expect(missing.message).toContain('No image or stack associated with ParallelCluster image id: nope.');
    // The same answers as the API mode, field for field where both have them.
    const api = await apiClient(emu).describeImage('img-running');
    expect({ ...running, raw: undefined, details: undefined }).toEqual({ ...api, raw: undefined, details: undefined });
  });

  it('lists images and clusters like ListImages / ListClusters (one DescribeStacks page per call)', async () => {
    const c = directClient(emu);
    const images = await c.listImages().toArray({ limit: 100 });
    expect(images.map((i) => `${i.id}:${i.status}`).sort()).toEqual([
      'img-bad:BUILD_FAILED',
      'img-ok:BUILD_COMPLETE',
      'img-running:BUILD_IN_PROGRESS',
    ]);
    const clusters = await c.listClusters().toArray({ limit: 10 });
    expect(clusters.map((x) => x.name)).toEqual(['hpc']);
    expect(await c.listClusters({ status: 'CREATE_FAILED' }).toArray({ limit: 10 })).toEqual([]);
    const d = await c.describeCluster('hpc');
    expect(d).toMatchObject({
      state: 'COMPLETE',
      clusterStatus: 'CREATE_COMPLETE',
      scheduler: 'slurm',
      version: '3.12.0',
    });
    expect(await caught(c.describeCluster('img-bad'))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reads build logs through CloudWatch Logs and stops on the repeated forward token', async () => {
    const c = directClient(emu);
    const streams = await c.listImageLogStreams('img-bad').toArray({ limit: 10 });
    expect(streams.map((s) => s.name)).toEqual(['3.12.0/1']);
    const before = emu.servers.logs.requests.length;
    const lines = await c.listImageLogEvents('img-bad', '3.12.0/1', { pageSize: 5 }).toArray({ limit: 10_000 });
    expect(lines).toHaveLength(bad.logLineCount);
    expect(lines[0]?.message).toContain('<ok> & "quoted"');
    expect(emu.servers.logs.requests.length - before).toBe(Math.ceil(bad.logLineCount / 5) + 1);
    expect(await caught(c.listImageLogStreams('nope').toArray({ limit: 1 }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await caught(c.listImageLogEvents('img-bad', 'no/stream').toArray({ limit: 1 }))).toMatchObject({
      code: 'NOT_FOUND',
      providerCode: 'ResourceNotFoundException',
    });
  });

  it('CloudFormation ValidationError "does not exist" → NOT_FOUND', async () => {
    const e = await caught(directClient(emu).listClusterStackEvents('nope').toArray({ limit: 1 }));
    expect(e.code).toBe('NOT_FOUND');
  });

  it('retries Throttling and RequestLimitExceeded with backoff; fails THROTTLED when attempts run out', async () => {
    emu.servers.cloudformation.faults.inject(cloudFormationFault('Throttling', 'Rate exceeded'), { times: 2 });
    const events = await directClient(emu).listImageStackEvents('img-bad').toArray({ limit: 1000 });
    expect(events).toHaveLength(bad.eventCount);
    expect(emu.servers.cloudformation.requests.filter((r) => r.fault === 'status')).not.toHaveLength(0);
    emu.servers.ec2.faults.inject(ec2Fault('RequestLimitExceeded', 'Request limit exceeded.', 503));
    expect((await directClient(emu).describeImage('img-ok')).state).toBe('AVAILABLE');
    emu.servers.cloudformation.faults.inject(cloudFormationFault('Throttling', 'Rate exceeded'), {
      times: Number.POSITIVE_INFINITY,
    });
    const e = await caught(directClient(emu, { maxAttempts: 2 }).listImageStackEvents('img-bad').toArray({ limit: 1 }));
    expect(e).toMatchObject({ code: 'THROTTLED', providerCode: 'Throttling', httpStatus: 400, retryable: true });
    expect(e.requestId).toBeTruthy();
  });

  it('broken answers become typed errors, never a hang or a wrong result', async () => {
    const cases: Array<[Parameters<typeof emu.servers.cloudformation.faults.inject>[0], string]> = [
      [{ kind: 'truncated' }, 'INVALID_RESPONSE'],
      [{ kind: 'malformed-json' }, 'INVALID_RESPONSE'],
      [{ kind: 'empty' }, 'INVALID_RESPONSE'],
      [{ kind: 'html', status: 502 }, 'SERVER'],
      [{ kind: 'reset' }, 'NETWORK'],
    ];
    for (const [fault, code] of cases) {
      emu.servers.cloudformation.faults.clear();
      emu.servers.cloudformation.faults.inject(fault, { times: Number.POSITIVE_INFINITY });
      const e = await caught(
        directClient(emu, { maxAttempts: 1 }).listImageStackEvents('img-bad').toArray({ limit: 1 }),
      );
      expect(`${fault.kind}: ${e.code}`).toBe(`${fault.kind}: ${code}`);
    }
  });

  it('an abort signal cuts a request in flight (ABORTED), in direct and API mode', async () => {
    emu.servers.cloudformation.faults.inject({ kind: 'delay', ms: 5000 }, { times: Number.POSITIVE_INFINITY });
    emu.servers.api.faults.inject({ kind: 'delay', ms: 5000 }, { times: Number.POSITIVE_INFINITY });
    for (const client of [directClient(emu), apiClient(emu)]) {
      const ac = new AbortController();
      const p = client.listImageStackEvents('img-bad', { signal: ac.signal }).toArray({ limit: 5 });
      setTimeout(() => ac.abort(), 30);
      const e = await caught(p);
      expect(`${client.mode}: ${e.code}`).toBe(`${client.mode}: ABORTED`);
    }
  });

  it('pages 10,000 events exactly as the SDK’s own paginateDescribeStackEvents does', async () => {
    const emu2 = await emulator();
    try {
      const big = bigStack(emu2.world, { name: 'big', events: 10_000 });
      const ours = await directClient(emu2)
        .listClusterStackEvents('big', { order: 'newest-first' })
        .toArray({ limit: 20_000 });
      const sdk = new CloudFormationClient({
        region: emu2.region,
        endpoint: emu2.endpoints.cloudformation,
        credentials: emu2.credentials,
      });
      const theirs: string[] = [];
      for await (const page of paginateDescribeStackEvents({ client: sdk }, { StackName: big.stackId }))
        for (const e of page.StackEvents ?? []) theirs.push(e.EventId as string);
      expect(ours).toHaveLength(10_000);
      expect(ours.map((e) => e.id)).toEqual(theirs);
      expect(ours.at(-1)?.status).toBe('CREATE_IN_PROGRESS');
    } finally {
      await emu2.close();
    }
  });
});

describe('direct mode watches', () => {
  it('tails an image build to success and keeps direct-mode details', async () => {
    const emu = await emulator({ requestStepMs: 3000 });
    try {
      const truth = imageBuildSucceeds(emu.world, { imageId: 'w-ok', buildSeconds: 60 });
      const stream = directClient(emu).watchImageBuild('w-ok', { pollIntervalMs: 10 });
      const seen: StackEvent[] = [];
      for await (const ev of stream) seen.push(ev);
      expect(stream.result).toMatchObject({
        outcome: 'succeeded',
        final: { state: 'AVAILABLE', artifacts: [{ id: truth.amiId }] },
      });
      expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
      expect(seen.some((e) => e.details?.hookStatus === 'HOOK_COMPLETE_SUCCEEDED')).toBe(true);
      expect(seen.find((e) => e.resource.logicalId === 'ParallelClusterImage' && e.phase === 'COMPLETE')).toBeDefined();
    } finally {
      await emu.close();
    }
  });

  it('tails a cluster create including its nested stacks', async () => {
    const emu = await emulator({ requestStepMs: 1500 });
    try {
      const truth = clusterCreate(emu.world, { clusterName: 'wc', queues: 2 });
      const stream = directClient(emu).watchClusterStackEvents('wc', { pollIntervalMs: 10 });
      const seen: StackEvent[] = [];
      for await (const ev of stream) seen.push(ev);
      expect(stream.result).toMatchObject({ outcome: 'succeeded', status: 'CREATE_COMPLETE' });
      expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
      const stacks = new Set(seen.map((e) => e.stack.id));
      for (const id of truth.nestedStackIds) expect(stacks.has(id)).toBe(true);
      expect(seen.length).toBe(truth.eventCounts.reduce((a, b) => a + b, 0));
      for (let i = 1; i < seen.length; i++)
        expect((seen[i] as StackEvent).timestamp.getTime()).toBeGreaterThanOrEqual(
          (seen[i - 1] as StackEvent).timestamp.getTime(),
        );
    } finally {
      await emu.close();
    }
  });

  it('a watch started with `since` still follows nested stacks created before it (DescribeStackResources)', async () => {
    const emu = await emulator();
    try {
      const truth = clusterCreate(emu.world, { clusterName: 'late', queues: 2 });
      emu.world.advance(truth.endsAt - emu.world.now() + 1000);
      // An update of the nested QueuesStack after the watch's `since`.
      const queues = truth.nestedStackIds[0] as string;
      const childName = emu.world.cfn.stack(queues)?.name as string;
      const t = emu.world.now() + 5000;
      emu.world.cfn.addEvents(queues, [
        { at: t, logicalId: childName, type: 'AWS::CloudFormation::Stack', status: 'UPDATE_IN_PROGRESS' },
        {
          at: t + 1000,
          logicalId: 'Queue0LaunchTemplate',
          type: 'AWS::EC2::LaunchTemplate',
          status: 'UPDATE_COMPLETE',
        },
        { at: t + 2000, logicalId: childName, type: 'AWS::CloudFormation::Stack', status: 'UPDATE_COMPLETE' },
      ]);
      emu.world.advance(10_000);
      const since = new Date(t - 1);
      const stream = directClient(emu).watchClusterStackEvents('late', { pollIntervalMs: 10, since });
      const seen: StackEvent[] = [];
      for await (const ev of stream) seen.push(ev);
      expect(seen.map((e) => `${e.stack.id === queues ? 'queues' : 'other'}:${e.status}`)).toEqual([
        'queues:UPDATE_IN_PROGRESS',
        'queues:UPDATE_COMPLETE',
        'queues:UPDATE_COMPLETE',
      ]);
    } finally {
      await emu.close();
    }
  });

  it('tails a failing build to ROLLBACK_COMPLETE', async () => {
    const emu = await emulator({ requestStepMs: 3000 });
    try {
      imageBuildFails(emu.world, { imageId: 'w-bad', buildSeconds: 40 });
      const stream = directClient(emu).watchImageBuild('w-bad', { pollIntervalMs: 10 });
      const seen: StackEvent[] = [];
      for await (const ev of stream) seen.push(ev);
      expect(stream.result).toMatchObject({ outcome: 'failed', status: 'BUILD_FAILED' });
      expect(seen.at(-1)?.status).toBe('ROLLBACK_COMPLETE');
    } finally {
      await emu.close();
    }
  });
});
