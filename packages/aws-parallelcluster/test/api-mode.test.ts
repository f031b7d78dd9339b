import type { ImageSource, StackEvent, StackEventSource } from '@stackfeed/core';
import { StackfeedError } from '@stackfeed/core';
import {
  type ParallelClusterEmulator,
  clusterCreate,
  imageBuildFails,
  imageBuildSucceeds,
} from '@stackfeed/emulator/parallelcluster';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ParallelClusterRef, ParallelClusterClient } from '../src/index.js';
import { apiClient, emulator } from './helpers.js';

async function caught(p: Promise<unknown>): Promise<StackfeedError> {
  try {
    await p;
  } catch (err) {
    if (StackfeedError.is(err)) return err;
    throw err;
  }
  throw new Error('expected a StackfeedError');
}

describe('API mode against the emulated ParallelCluster API', () => {
  let emu: ParallelClusterEmulator;
  let ok: ReturnType<typeof imageBuildSucceeds>;
  let bad: ReturnType<typeof imageBuildFails>;
  let cluster: ReturnType<typeof clusterCreate>;

  beforeAll(async () => {
    emu = await emulator({ stacksPageSize: 1, eventsPageSize: 7 });
    ok = imageBuildSucceeds(emu.world, { imageId: 'img-ok', buildSeconds: 60 });
    bad = imageBuildFails(emu.world, { imageId: 'img-bad', buildSeconds: 60 });
    cluster = clusterCreate(emu.world, { clusterName: 'hpc1', queues: 3 });
    // Finish the first three, then start one that is still building.
    emu.world.advance(Math.max(ok.buildEndsAt + 8000, bad.endsAt, cluster.endsAt) - emu.world.now() + 1000);
    imageBuildSucceeds(emu.world, { imageId: 'img-running', buildSeconds: 600 });
    emu.world.advance(60_000);
  });
  afterAll(() => emu.close());
  afterEach(() => emu.servers.api.faults.clear());

  it('lists images of all three statuses; empty pages with a token do not end the list', async () => {
    const c = apiClient(emu);
    const before = emu.servers.api.requests.length;
    const images = await c.listImages().toArray({ limit: 100 });
    const byId = Object.fromEntries(images.map((i) => [i.id, i]));
    expect(Object.keys(byId).sort()).toEqual(['img-bad', 'img-ok', 'img-running']);
    expect(byId['img-ok']?.state).toBe('AVAILABLE');
    expect(byId['img-ok']?.artifacts).toEqual([{ kind: 'ami', id: ok.amiId, region: 'us-east-1' }]);
    expect(byId['img-running']).toMatchObject({ state: 'BUILDING', status: 'BUILD_IN_PROGRESS' });
    expect(byId['img-bad']).toMatchObject({
      state: 'FAILED',
      status: 'BUILD_FAILED',
      stack: { status: 'ROLLBACK_COMPLETE' },
    });
    const reqs = emu.servers.api.requests.slice(before);
    // One stack per page (stacksPageSize 1): PENDING and FAILED each page through every live stack.
    const pending = reqs.filter((r) => r.query.includes('imageStatus=PENDING'));
    expect(pending.length).toBeGreaterThan(2);
    expect(reqs.every((r) => r.path === '/prod/v3/images/custom')).toBe(true);
    expect(reqs.filter((r) => r.query.includes('imageStatus=AVAILABLE'))).toHaveLength(1);
  });

  it('keeps paging through a long run of empty pages (more than core’s default guard of 10)', async () => {
    const many = await emulator({ stacksPageSize: 1 });
    try {
      for (let i = 0; i < 25; i++) clusterCreate(many.world, { clusterName: `filler${i}`, queues: 1 });
      imageBuildFails(many.world, { imageId: 'last-one', buildSeconds: 10 });
      many.world.advance(3_600_000);
      const failed = await apiClient(many).listImages({ status: 'FAILED' }).toArray({ limit: 10 });
      expect(failed.map((i) => i.id)).toEqual(['last-one']);
      // 25 root stacks + 50 nested ones + the image stack, one per page.
      expect(many.servers.api.requests.length).toBe(76);
    } finally {
      await many.close();
    }
  });

  it('takes credentials from the AWS default provider chain when none are given; raw is the record as received', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = emu.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = emu.credentials.secretAccessKey;
    try {
      const c = new ParallelClusterClient({ apiUrl: emu.apiUrl, signingRegion: emu.region });
      const [ev] = await c.listImageStackEvents('img-bad').toArray({ limit: 1 });
      expect(ev?.raw).toMatchObject({
        eventId: ev?.id,
        resourceStatus: ev?.status,
        timestamp: ev?.timestamp.toISOString(),
      });
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });

  it('is a core StackEventSource and ImageSource', async () => {
    const c = apiClient(emu);
    const source: StackEventSource<ParallelClusterRef> = c;
    const images: ImageSource = c;
    expect(source.provider).toBe('aws-parallelcluster');
    expect(source.capabilities).toMatchObject({ eventOrder: 'oldest-first', eventIds: 'provider', pageSize: null });
    const viaRef = await source.listStackEvents({ imageId: 'img-bad' }).toArray({ limit: 3 });
    expect(viaRef).toHaveLength(3);
    expect((await images.describeImage('img-ok')).id).toBe('img-ok');
    expect(() => source.listStackEvents({} as never)).toThrow(/imageId/);
  });

  it('lists one status only', async () => {
    const images = await apiClient(emu).listImages({ status: 'FAILED' }).toArray({ limit: 10 });
    expect(images.map((i) => i.id)).toEqual(['img-bad']);
  });

  it('describes a finished image from its AMI, a running one from its stack and Image Builder', async () => {
    const c = apiClient(emu);
    const done = await c.describeImage('img-ok');
    expect(done).toMatchObject({
      id: 'img-ok',
      state: 'AVAILABLE',
      status: 'BUILD_COMPLETE',
      version: '3.12.0',
      region: 'us-east-1',
    });
    expect(done.artifacts[0]).toMatchObject({ kind: 'ami', id: ok.amiId, architecture: 'x86_64', state: 'AVAILABLE' });
    expect(done.tags['parallelcluster:build_status']).toBe('available');
    expect(done.details?.imageBuildLogsArn).toBe(
      'arn:aws:logs:us-east-1:123456789012:log-group:/aws/imagebuilder/ParallelClusterImage-img-ok',
    );
    expect(done.stack).toBeUndefined();
    const now = await c.describeImage('img-running');
    expect(now).toMatchObject({
      state: 'BUILDING',
      status: 'BUILD_IN_PROGRESS',
      stack: { status: 'CREATE_IN_PROGRESS' },
    });
    expect(now.details).toMatchObject({
      imagebuilderImageStatus: 'BUILDING',
      imageBuildLogsArn: expect.stringContaining(':log-group:/aws/imagebuilder/ParallelClusterImage-img-running'),
    });
    const failed = await c.describeImage('img-bad');
    expect(failed).toMatchObject({ state: 'FAILED', status: 'BUILD_FAILED' });
    expect(failed.reason).toContain('Workflow Step failed');
    expect(failed.details?.imagebuilderImageStatus).toBe('FAILED');
  });

  it('lists a failed build’s stack events newest first, across pages, as CloudFormation wrote them', async () => {
    const events = await apiClient(emu)
      .listImageStackEvents('img-bad', { order: 'newest-first' })
      .toArray({ limit: 1000 });
    const truth = [...(emu.world.cfn.stack(bad.stackId)?.events ?? [])].reverse();
    expect(events.map((e) => e.id)).toEqual(truth.map((e) => e.eventId));
    // The default order is oldest first: the same events, reversed.
    const oldest = await apiClient(emu).listImageStackEvents('img-bad').toArray({ limit: 1000 });
    expect(oldest.map((e) => e.id)).toEqual([...truth].reverse().map((e) => e.eventId));
    expect(events).toHaveLength(bad.eventCount);
    // Statuses outside the API's 16-value enum come through and are mapped.
    const rollback = events.find((e) => e.status === 'ROLLBACK_IN_PROGRESS');
    expect(rollback).toMatchObject({ action: 'ROLLBACK', phase: 'IN_PROGRESS', isStackEvent: true });
    const failed = events.find((e) => e.status === 'CREATE_FAILED');
    expect(failed).toMatchObject({
      resource: { logicalId: 'ParallelClusterImage', type: 'AWS::ImageBuilder::Image' },
      phase: 'FAILED',
    });
    expect(failed?.properties).toEqual({ ImageRecipeArn: expect.stringContaining(':image-recipe/') });
    // The API drops the hook fields, DetailedStatus and OperationId: only the token survives.
    expect(events.every((e) => e.details === undefined || Object.keys(e.details).join() === 'clientRequestToken')).toBe(
      true,
    );
  });

  it('applies filters locally and resumes from a continuation token', async () => {
    const c = apiClient(emu);
    const failedOnly = await c.listImageStackEvents('img-bad', { phase: 'FAILED' }).toArray({ limit: 100 });
    expect(failedOnly.map((e) => e.status)).toEqual(['CREATE_FAILED']);
    const pages = c.listImageStackEvents('img-bad', { pageSize: 5 }).byPage();
    const first = (await pages.next()).value;
    const token = first?.continuationToken as string;
    expect(token).toBeTruthy();
    const rest = await c
      .listImageStackEvents('img-bad', { pageSize: 5, continuationToken: token })
      .toArray({ limit: 1000 });
    const all = await c.listImageStackEvents('img-bad').toArray({ limit: 1000 });
    expect([...(first?.items ?? []), ...rest].map((e) => e.id)).toEqual(all.map((e) => e.id));
  });

  it('an image whose stack was deleted after success has no stack events here (404 → NOT_FOUND)', async () => {
    const err = await caught(apiClient(emu).listImageStackEvents('img-ok').toArray({ limit: 10 }));
    expect(err).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, providerCode: 'NotFoundException' });
    expect(err.message).toContain('CloudFormation Stack for Image img-ok does not exist.');
  });

  it('reads build logs: stream names with "/" are sent percent-encoded; stops on the repeated forward token', async () => {
    const c = apiClient(emu);
    const streams = await c.listImageLogStreams('img-bad').toArray({ limit: 10 });
    expect(streams.map((s) => s.name)).toEqual(['3.12.0/1']);
    expect(streams[0]?.arn).toContain(':log-stream:3.12.0/1');
    const before = emu.servers.api.requests.length;
    const lines = await c.listImageLogEvents('img-bad', '3.12.0/1', { pageSize: 4 }).toArray({ limit: 10_000 });
    expect(lines).toHaveLength(bad.logLineCount);
    expect(lines.at(-1)?.message).toContain('ERROR: TestComponent <update-os>');
    const reqs = emu.servers.api.requests.slice(before);
    expect(reqs[0]?.path).toBe('/prod/v3/images/custom/img-bad/logstreams/3.12.0%2F1');
    expect(reqs.every((r) => /(^|&)startFromHead=true(&|$)/.test(r.query) && /(^|&)limit=4(&|$)/.test(r.query))).toBe(
      true,
    );
    // ceil(n/4) pages with events, then one that returns the token it was given.
    expect(reqs).toHaveLength(Math.ceil(bad.logLineCount / 4) + 1);
  });

  it('reads log events in a time window', async () => {
    const c = apiClient(emu);
    const all = await c.listImageLogEvents('img-bad', '3.12.0/1').toArray({ limit: 10_000 });
    const startTime = all[2]?.timestamp as Date;
    const endTime = all[5]?.timestamp as Date;
    const some = await c.listImageLogEvents('img-bad', '3.12.0/1', { startTime, endTime }).toArray({ limit: 100 });
    expect(some.map((e) => e.message)).toEqual(all.slice(2, 5).map((e) => e.message));
    expect(() => c.listImageLogEvents('img-bad', '3.12.0/1', { startTime: endTime, endTime: startTime })).toThrow(
      /earlier/,
    );
  });

  it('lists and describes clusters (cloudFormationStackStatus with a capital F, Q8)', async () => {
    const c = apiClient(emu);
    const all = await c.listClusters().toArray({ limit: 10 });
    expect(all.map((x) => x.name)).toEqual(['hpc1']);
    expect(all[0]).toMatchObject({
      state: 'COMPLETE',
      clusterStatus: 'CREATE_COMPLETE',
      stackStatus: 'CREATE_COMPLETE',
      scheduler: 'slurm',
    });
    const before = emu.servers.api.requests.length;
    const filtered = await c.listClusters({ status: ['CREATE_FAILED', 'UPDATE_FAILED'] }).toArray({ limit: 10 });
    expect(filtered).toEqual([]);
    const q = emu.servers.api.requests[before]?.query ?? '';
    expect(q).toContain('clusterStatus=CREATE_FAILED&clusterStatus=UPDATE_FAILED');
    const d = await c.describeCluster('hpc1');
    expect(d).toMatchObject({
      name: 'hpc1',
      stackStatus: 'CREATE_COMPLETE',
      state: 'COMPLETE',
      action: 'CREATE',
      phase: 'COMPLETE',
    });
    expect(d.details).toMatchObject({ computeFleetStatus: 'RUNNING', headNode: { state: 'running' } });
  });

  it('lists only the root stack’s events of a cluster (the API does not recurse)', async () => {
    const events = await apiClient(emu).listClusterStackEvents('hpc1').toArray({ limit: 1000 });
    expect(events).toHaveLength(cluster.eventCounts[0] as number);
    expect(new Set(events.map((e) => e.stack.id))).toEqual(new Set([cluster.stackId]));
    expect(apiClient(emu).capabilities.nestedStacks).toBe(false);
  });

  describe('errors', () => {
    it('404 from the spec → NOT_FOUND, 400 → BAD_REQUEST', async () => {
      const c = apiClient(emu);
      expect(await caught(c.describeImage('nope'))).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
      expect(await caught(c.describeCluster('nope'))).toMatchObject({ code: 'NOT_FOUND' });
      const e = await caught(apiClient(emu, { region: 'xx-nowhere-1' }).describeImage('img-ok'));
      expect(e).toMatchObject({
        code: 'BAD_REQUEST',
        httpStatus: 400,
        providerCode: 'BadRequestException',
        retryable: false,
      });
      expect(e.message).toContain("invalid or unsupported region 'xx-nowhere-1'");
    });

    it('rejects invalid names before sending anything', () => {
      const c = apiClient(emu);
      expect(() => c.listImageStackEvents('../x')).toThrow(StackfeedError);
      expect(() => c.listClusterStackEvents('9starts-with-digit')).toThrow(/not valid/);
    });

    it('API Gateway 403s: unknown key, bad signature, wrong region, explicit deny, missing stage', async () => {
      const secret = 'wrong-secret-that-must-not-leak-1234567890';
      const unknown = await caught(
        apiClient(emu, { credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: secret } }).describeImage(
          'img-ok',
        ),
      );
      expect(unknown).toMatchObject({
        code: 'UNAUTHORIZED',
        httpStatus: 403,
        providerCode: 'UnrecognizedClientException',
      });
      const badSig = await caught(
        apiClient(emu, {
          credentials: { accessKeyId: emu.credentials.accessKeyId, secretAccessKey: secret },
        }).describeImage('img-ok'),
      );
      expect(badSig).toMatchObject({ code: 'UNAUTHORIZED', providerCode: 'InvalidSignatureException' });
      expect(JSON.stringify(badSig.toJSON())).not.toContain(secret);
      expect(badSig.message).not.toContain(secret);
      const region = await caught(apiClient(emu, { signingRegion: 'eu-west-1' }).describeImage('img-ok'));
      expect(region).toMatchObject({ code: 'UNAUTHORIZED', providerCode: 'InvalidSignatureException' });
      const noStage = await caught(
        new ParallelClusterClient({
          apiUrl: emu.servers.api.url,
          signingRegion: emu.region,
          credentials: emu.credentials,
        }).describeImage('img-ok'),
      );
      expect(noStage).toMatchObject({ code: 'UNAUTHORIZED', providerCode: 'MissingAuthenticationTokenException' });
      expect(noStage.message).toContain('/prod');
    });

    it('explicit deny by the resource policy → FORBIDDEN with the role hint', async () => {
      const denied = await emulator({ deniedAccessKeys: ['AKIAPCLUSTEREMULATOR'] });
      try {
        const e = await caught(apiClient(denied).describeImage('img-ok'));
        expect(e).toMatchObject({
          code: 'FORBIDDEN',
          httpStatus: 403,
          providerCode: 'AccessDeniedException',
          retryable: false,
        });
        expect(e.message).toContain('explicit deny');
        expect(e.message).toContain('ParallelClusterApiUserRole');
      } finally {
        await denied.close();
      }
    });

    it('429 and 502 are retried; a 504 that persists is TIMEOUT', async () => {
      const c = apiClient(emu);
      emu.servers.api.faults.inject({ kind: 'throttle', body: { message: 'Too Many Requests' } }, { times: 2 });
      expect((await c.describeImage('img-ok')).state).toBe('AVAILABLE');
      emu.servers.api.faults.inject({ kind: 'status', status: 502, body: { message: 'Internal server error' } });
      expect((await c.describeImage('img-ok')).state).toBe('AVAILABLE');
      emu.servers.api.faults.inject(
        { kind: 'status', status: 504, body: { message: 'Endpoint request timed out' } },
        { times: Number.POSITIVE_INFINITY },
      );
      const e = await caught(apiClient(emu, { retry: { maxAttempts: 2, baseDelayMs: 1 } }).describeImage('img-ok'));
      expect(e).toMatchObject({ code: 'TIMEOUT', httpStatus: 504 });
      emu.servers.api.faults.clear();
      emu.servers.api.faults.inject({ kind: 'throttle' }, { times: Number.POSITIVE_INFINITY });
      const t = await caught(apiClient(emu, { retry: { maxAttempts: 2, baseDelayMs: 1 } }).describeImage('img-ok'));
      expect(t).toMatchObject({
        code: 'THROTTLED',
        httpStatus: 429,
        providerCode: 'LimitExceededException',
        retryable: true,
      });
    });

    it('a response missing a required field is INVALID_RESPONSE naming the field', async () => {
      emu.servers.api.faults.inject({
        kind: 'status',
        status: 200,
        body: {
          events: [
            {
              stackId: 's',
              eventId: 'e',
              stackName: 'n',
              logicalResourceId: 'l',
              physicalResourceId: '',
              resourceType: 't',
              resourceStatus: 'CREATE_COMPLETE',
            },
          ],
        },
      });
      const e = await caught(apiClient(emu).listImageStackEvents('img-bad').toArray({ limit: 1 }));
      expect(e).toMatchObject({ code: 'INVALID_RESPONSE', fieldPath: 'events[0].timestamp' });
      emu.servers.api.faults.inject({ kind: 'status', status: 200, body: { images: [{ imageId: 'x', region: 'r' }] } });
      const e2 = await caught(apiClient(emu).listImages({ status: 'AVAILABLE' }).toArray({ limit: 1 }));
      expect(e2).toMatchObject({ code: 'INVALID_RESPONSE', fieldPath: 'images[0].version' });
      emu.servers.api.faults.inject({ kind: 'html', status: 200 });
      expect(await caught(apiClient(emu).describeImage('img-ok'))).toMatchObject({ code: 'INVALID_RESPONSE' });
    });
  });
});

describe('the emulator starter', () => {
  it('seeds the built-in scenarios by name and hands back their ground truth', async () => {
    const emu = await emulator({ scenarios: ['imageBuildSucceeds', 'imageBuildFails', 'clusterCreate'] });
    try {
      emu.world.advance(3_600_000);
      expect(emu.truth.imageBuildSucceeds?.imageId).toBe('pcluster-image-ok');
      const c = apiClient(emu);
      expect((await c.describeImage('pcluster-image-ok')).artifacts[0]?.id).toBe(emu.truth.imageBuildSucceeds?.amiId);
      expect((await c.describeImage('pcluster-image-failed')).state).toBe('FAILED');
      expect((await c.describeCluster('pcluster-demo')).id).toBe(emu.truth.clusterCreate?.stackId);
    } finally {
      await emu.close();
    }
  });
});

describe('API mode watches', () => {
  it('tails an image build to success; the final ImageInfo comes from the AMI (stack deleted afterwards)', async () => {
    const emu = await emulator({ requestStepMs: 4000 });
    try {
      const truth = imageBuildSucceeds(emu.world, { imageId: 'watch-ok', buildSeconds: 90 });
      const stream = apiClient(emu).watchImageBuild('watch-ok', { pollIntervalMs: 10 });
      const seen: StackEvent[] = [];
      for await (const ev of stream) seen.push(ev);
      expect(stream.result).toMatchObject({ outcome: 'succeeded', status: 'BUILD_COMPLETE' });
      expect(stream.result?.final).toMatchObject({
        id: 'watch-ok',
        state: 'AVAILABLE',
        artifacts: [{ id: truth.amiId }],
      });
      expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
      for (let i = 1; i < seen.length; i++)
        expect((seen[i] as StackEvent).timestamp.getTime()).toBeGreaterThanOrEqual(
          (seen[i - 1] as StackEvent).timestamp.getTime(),
        );
      const truthIds = new Set(emu.world.cfn.stack(truth.stackId)?.events.map((e) => e.eventId));
      expect(seen.every((e) => truthIds.has(e.id))).toBe(true);
      expect(
        seen.some((e) => e.resource.logicalId === 'ParallelClusterImage' && e.status === 'CREATE_IN_PROGRESS'),
      ).toBe(true);
      expect(seen[0]?.status).toBe('CREATE_IN_PROGRESS');
    } finally {
      await emu.close();
    }
  });

  it('tails a failing build to its rollback and reports failure', async () => {
    const emu = await emulator({ requestStepMs: 4000 });
    try {
      imageBuildFails(emu.world, { imageId: 'watch-bad', buildSeconds: 60 });
      const stream = apiClient(emu).watchImageBuild('watch-bad', { pollIntervalMs: 10 });
      const seen: StackEvent[] = [];
      for await (const ev of stream) seen.push(ev);
      expect(stream.result).toMatchObject({ outcome: 'failed', status: 'BUILD_FAILED' });
      expect(stream.result?.final?.stack?.status).toBe('ROLLBACK_COMPLETE');
      expect(seen.map((e) => e.status)).toEqual(
        expect.arrayContaining(['CREATE_FAILED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_COMPLETE']),
      );
      expect(seen.at(-1)?.status).toBe('ROLLBACK_COMPLETE');
    } finally {
      await emu.close();
    }
  });

  it('tails a cluster create and honours an abort signal', async () => {
    const emu = await emulator({ requestStepMs: 2000 });
    try {
      clusterCreate(emu.world, { clusterName: 'wc' });
      const stream = apiClient(emu).watchClusterStackEvents('wc', { pollIntervalMs: 10 });
      const seen: StackEvent[] = [];
      for await (const ev of stream) seen.push(ev);
      expect(stream.result).toMatchObject({ outcome: 'succeeded', status: 'CREATE_COMPLETE' });
      expect(seen.at(-1)).toMatchObject({ status: 'CREATE_COMPLETE', isStackEvent: true });

      // A cluster that stays in progress (the clock stops moving): only the signal ends the watch.
      emu.world.requestStepMs = 0;
      clusterCreate(emu.world, { clusterName: 'wc2' });
      const ac = new AbortController();
      const s2 = apiClient(emu).watchStackEvents({ clusterName: 'wc2' }, { pollIntervalMs: 10, signal: ac.signal });
      setTimeout(() => ac.abort(), 50);
      const e = await caught(
        (async () => {
          for await (const _ of s2) {
            /* nothing yet */
          }
        })(),
      );
      expect(e.code).toBe('ABORTED');
      // A cluster that never existed is not a deletion: NOT_FOUND once the grace polls are spent.
      emu.servers.api.requests.length = 0;
      const gone = apiClient(emu).watchClusterStackEvents('never-created', {
        pollIntervalMs: 10,
        notFoundGracePolls: 2,
      });
      const nf = await caught(
        (async () => {
          for await (const _ of gone) {
            /* no events */
          }
        })(),
      );
      expect(nf.code).toBe('NOT_FOUND');
      expect(nf.message).toContain('notFoundGracePolls 2');
      expect(gone.result).toBeUndefined();
      const describes = emu.servers.api.requests.filter((r) => r.path.endsWith('/clusters/never-created'));
      expect(describes).toHaveLength(3);
    } finally {
      await emu.close();
    }
  });
});
