import { type ImageBuildAvailableTruth, imageBuilderFault } from '@stackfeed/emulator/imagebuilder';
import { ImageInfoSchema } from '@stackfeed/core/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { type Setup, setup } from './helpers.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('getImage', () => {
  it('an AVAILABLE build: AMIs per region and container URIs as artifacts, tags, dates parsed from strings', async () => {
    s = await setup({ scenarios: ['imageBuildAvailable'] });
    const t = s.emu.truth.imageBuildAvailable as ImageBuildAvailableTruth;
    s.clock.set(t.endAt + 1000);
    const img = await s.client.getImage(t.imageArn);
    expect(ImageInfoSchema.safeParse(img).success).toBe(true);
    expect(img).toMatchObject({
      provider: 'aws-imagebuilder',
      id: t.imageArn,
      name: 'hpc-base',
      version: '1.2.0/1',
      region: 'us-east-1',
      state: 'AVAILABLE',
      status: 'AVAILABLE',
      tags: { team: 'hpc' },
    });
    expect(img.createdAt).toEqual(new Date(t.startAt));
    expect(img.artifacts.filter((a) => a.kind === 'ami').map((a) => [a.region, a.id, a.state])).toEqual(
      t.amis.map((a) => [a.region, a.image, 'AVAILABLE']),
    );
    expect(img.artifacts.filter((a) => a.kind === 'container').map((a) => a.uri)).toEqual(t.containerUris);
    expect(img.details).toMatchObject({
      type: 'AMI',
      platform: 'Linux',
      buildType: 'USER_INITIATED',
      logGroupName: '/aws/imagebuilder/hpc-base',
      latestVersionReferences: { latestVersionArn: t.imageArn },
    });
    // The same image under the ImageSource name, and through a wildcard version ARN.
    expect((await s.client.describeImage(t.imageArn)).id).toBe(t.imageArn);
    expect((await s.client.getImage(t.versionArn.replace(/1\.2\.0$/, '1.x.x'))).id).toBe(t.imageArn);
  });

  it('during the build: each ImageStatus stage is BUILDING with the literal kept, no artifacts yet', async () => {
    s = await setup({ scenarios: ['imageBuildAvailable'] });
    const t = s.emu.truth.imageBuildAvailable as ImageBuildAvailableTruth;
    const seen: Array<[string, string, number]> = [];
    for (const sec of [0, 10, 45, 70, 95]) {
      s.clock.set(t.startAt + sec * 1000);
      const img = await s.client.getImage(t.imageArn);
      seen.push([img.status, img.state, img.artifacts.length]);
    }
    expect(seen).toEqual([
      ['PENDING', 'PENDING', 0],
      ['BUILDING', 'BUILDING', 0],
      ['TESTING', 'BUILDING', 0],
      ['DISTRIBUTING', 'BUILDING', 0],
      ['AVAILABLE', 'AVAILABLE', 3],
    ]);
  });

  it('extra Image members seeded by a scenario reach the SDK and raw', async () => {
    s = await setup();
    const arn = s.emu.store.addImage({
      name: 'pcluster-img',
      version: '3.9.0',
      createdAt: s.clock.now() - 1000,
      extra: {
        sourcePipelineArn: 'arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/pc',
        scanState: { status: 'COMPLETED' },
      },
    });
    const img = await s.client.getImage(arn);
    expect(img.details?.scanStatus).toBe('COMPLETED');
    expect((img.raw as { sourcePipelineArn?: string }).sourcePipelineArn).toMatch(/image-pipeline\/pc$/);
  });

  it('an unknown image is NOT_FOUND with the request id', async () => {
    s = await setup();
    const err = await s.client
      .getImage(`arn:aws:imagebuilder:us-east-1:${s.emu.store.accountId}:image/nope/1.0.0/1`)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, providerCode: 'ResourceNotFoundException' });
    expect((err as { requestId?: string }).requestId).toBeTruthy();
  });
});

describe('listImages and listImageBuildVersions', () => {
  const seed = (st: Setup) => {
    const store = st.emu.store;
    const t0 = st.clock.now() - 86_400_000;
    for (let i = 0; i < 23; i++)
      store.addImage({ name: `svc-${String(i).padStart(2, '0')}`, version: '1.0.0', createdAt: t0 + i * 60_000 });
    store.addImage({ name: 'win', version: '2.0.0', platform: 'Windows', createdAt: t0 });
    store.addImage({
      name: 'old',
      version: '0.1.0',
      createdAt: t0,
      statuses: [{ at: t0, status: 'DEPRECATED' }],
      deprecationTime: t0 + 1000,
    });
    store.addImage({
      name: 'amazon-linux-2023-x86',
      version: '2026.1.15',
      owner: 'Amazon',
      accountId: 'aws',
      createdAt: t0,
    });
    return t0;
  };

  it('ImageVersion has no state of its own: the newest build gives state and status; pages of 10', async () => {
    s = await setup();
    seed(s);
    const pages: number[] = [];
    const all = [];
    for await (const p of s.client.listImages().byPage({ pageSize: 10 })) {
      pages.push(p.items.length);
      all.push(...p.items);
    }
    expect(pages).toEqual([10, 10, 4]);
    // `images imagebuilder` showed UNKNOWN with an empty status: every version has a real state now.
    expect(all.filter((i) => i.state === 'UNKNOWN' || i.status === '')).toEqual([]);
    expect(all.every((i) => i.details?.stateReported === true && typeof i.details?.latestBuildArn === 'string')).toBe(
      true,
    );
    expect(all.every((i) => i.createdAt instanceof Date && i.name)).toBe(true);
    expect(all.map((i) => i.name)).not.toContain('old');
    expect(all.every((i) => ImageInfoSchema.safeParse(i).success)).toBe(true);
    expect(all[0]).toMatchObject({ name: 'svc-22', version: '1.0.0', region: 'us-east-1' });
    // One ListImageBuildVersions per page (its 10, 10 and 4 names), not one per version (24).
    expect(s.emu.server.requests.filter((r) => r.path === '/ListImageBuildVersions')).toHaveLength(3);
  });

  it('withBuildState: false reads one page per call: UNKNOWN and an empty status, never an invented one', async () => {
    s = await setup();
    seed(s);
    const all = await s.client.listImages({ withBuildState: false }).toArray({ limit: 100 });
    expect(all).toHaveLength(24);
    expect(all.every((i) => i.state === 'UNKNOWN' && i.status === '' && i.details?.stateReported === false)).toBe(true);
    expect(s.emu.server.requests.filter((r) => r.path === '/ListImageBuildVersions')).toHaveLength(0);
  });

  it('owner, filters and includeDeprecated go to the server', async () => {
    s = await setup();
    seed(s);
    const c = s.client;
    expect(
      (await c.listImages({ filters: [{ name: 'platform', values: ['Windows'] }] }).toArray({ limit: 50 })).map(
        (i) => i.name,
      ),
    ).toEqual(['win']);
    expect((await c.listImages({ includeDeprecated: true }).toArray({ limit: 50 })).map((i) => i.name)).toContain(
      'old',
    );
    expect(
      (await c.listImages({ owner: 'Amazon' }).toArray({ limit: 50 })).map((i) => [i.name, i.details?.owner]),
    ).toEqual([['amazon-linux-2023-x86', 'Amazon']]);
    const sent = s.emu.server.requests.filter((r) => r.path === '/ListImages').map((r) => JSON.parse(r.body));
    expect(sent[0]).toMatchObject({ filters: [{ name: 'platform', values: ['Windows'] }] });
    expect(sent[1]).toMatchObject({ includeDeprecated: true });
    expect(sent[2]).toMatchObject({ owner: 'Amazon' });
    const bad = await c
      .listImages({ filters: [{ name: 'color', values: ['blue'] }] })
      .toArray({ limit: 1 })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'BAD_REQUEST', providerCode: 'InvalidRequestException', httpStatus: 400 });
  });

  it('build versions carry state (incl. DISABLED and DEPRECATED) and deprecationTime as a Date', async () => {
    s = await setup();
    const t0 = s.clock.now() - 3_600_000;
    const st = s.emu.store;
    const b1 = st.addImage({
      name: 'app',
      version: '1.0.0',
      createdAt: t0,
      statuses: [{ at: t0, status: 'DISABLED' }],
    });
    const b2 = st.addImage({
      name: 'app',
      version: '1.0.0',
      createdAt: t0 + 1000,
      statuses: [{ at: t0 + 1000, status: 'DEPRECATED' }],
      deprecationTime: t0 + 5000,
      lifecycleExecutionId: 'lce-00000000-0000-0000-0000-000000000001',
    });
    const b3 = st.addImage({
      name: 'app',
      version: '1.0.0',
      createdAt: t0 + 2000,
      statuses: [{ at: t0 + 2000, status: 'FAILED', reason: 'Component failed' }],
    });
    st.addImage({ name: 'other', version: '1.0.0', createdAt: t0 });
    const versionArn = b1.replace(/\/\d+$/, '');
    const builds = await s.client.listImageBuildVersions(versionArn, { pageSize: 2 }).toArray({ limit: 10 });
    expect(builds.map((b) => [b.id, b.state, b.status])).toEqual([
      [b3, 'FAILED', 'FAILED'],
      [b2, 'DEPRECATED', 'DEPRECATED'],
      [b1, 'DISABLED', 'DISABLED'],
    ]);
    expect(builds[0]?.reason).toBe('Component failed');
    expect(builds[1]?.details?.deprecationTime).toEqual(new Date(t0 + 5000));
    expect(builds[1]?.details?.lifecycleExecutionId).toBe('lce-00000000-0000-0000-0000-000000000001');
    expect(builds[2]?.createdAt).toEqual(new Date(t0));
    const everything = await s.client.listImageBuildVersions().toArray({ limit: 10 });
    expect(everything).toHaveLength(4);
  });
});

describe('listImages: the build state of a page of versions in a few requests (issue 16)', () => {
  /** 30 versions of 30 names, 3 builds each; the newest build's status is the truth per version. */
  function seed(st: Setup) {
    const store = st.emu.store;
    const t0 = store.now() - 3_600_000;
    const truth = new Map<string, { arn: string; status: string }>();
    const statuses = ['AVAILABLE', 'FAILED', 'BUILDING'];
    for (let i = 0; i < 30; i++) {
      let arn = '';
      let status = '';
      for (let b = 0; b < 3; b++) {
        status = statuses[(i + b) % 3] as string;
        const at = t0 + i * 1000 + b * 100_000;
        arn = store.addImage({ name: `img-${i}`, version: '1.0.0', createdAt: at, statuses: [{ at, status }] });
      }
      truth.set(arn.replace(/\/\d+$/, ''), { arn, status });
    }
    return truth;
  }

  it('one ListImageBuildVersions per 10 names of a page (name filter) instead of one per version; same answer', async () => {
    s = await setup();
    const truth = seed(s);
    const all = await s.client.listImages().toArray({ limit: 100 });
    expect(all).toHaveLength(30);
    for (const img of all)
      expect([img.details?.latestBuildArn, img.status]).toEqual([truth.get(img.id)?.arn, truth.get(img.id)?.status]);
    const builds = s.emu.server.requests.filter((r) => r.path === '/ListImageBuildVersions');
    // Pages of 25 and 5 versions: batches of 10, 10, 5 and 5 names; 30 builds (10 names) are 2 pages of
    // 25, 15 builds 1: 6 requests where one per version made 30.
    expect(s.emu.server.requests.filter((r) => r.path === '/ListImages')).toHaveLength(2);
    expect(builds).toHaveLength(2 + 2 + 1 + 1);
    const filters = builds.map((r) => JSON.parse(r.body).filters?.[0]);
    expect(filters.every((f) => f?.name === 'name' && f.values.length <= 10)).toBe(true);
    expect(builds.every((r) => JSON.parse(r.body).imageVersionArn === undefined)).toBe(true);
  });

  it('the answer is the one the per-version listing gives (withBuildState false + listImageBuildVersions per version)', async () => {
    s = await setup();
    seed(s);
    const fast = await s.client.listImages().toArray({ limit: 100 });
    const versions = await s.client.listImages({ withBuildState: false }).toArray({ limit: 100 });
    for (const v of versions) {
      const builds = await s.client.listImageBuildVersions(v.id).toArray({ limit: 100 });
      const newest = builds.reduce((a, b) => ((b.createdAt?.getTime() ?? 0) > (a.createdAt?.getTime() ?? 0) ? b : a));
      const f = fast.find((x) => x.id === v.id);
      expect([f?.details?.latestBuildArn, f?.state, f?.status]).toEqual([newest.id, newest.state, newest.status]);
    }
  });

  it('a batch that misses a version falls back to that version alone; another owner is asked per version', async () => {
    s = await setup();
    const truth = seed(s);
    // The first batch answers an empty list: its 10 versions are each asked by ARN.
    s.emu.server.faults.inject(
      { kind: 'status', status: 200, body: { imageSummaryList: [] } },
      { match: (r) => r.rawPath === '/ListImageBuildVersions' },
    );
    const all = await s.client.listImages().toArray({ limit: 100 });
    for (const img of all) expect(img.details?.latestBuildArn).toBe(truth.get(img.id)?.arn);
    const perVersion = s.emu.server.requests.filter(
      (r) => r.path === '/ListImageBuildVersions' && JSON.parse(r.body).imageVersionArn,
    );
    expect(perVersion).toHaveLength(10);

    const store = s.emu.store;
    store.addImage({
      name: 'al2023',
      version: '2026.1.15',
      owner: 'Amazon',
      accountId: 'aws',
      createdAt: store.now() - 1,
    });
    const before = s.emu.server.requests.length;
    const amazon = await s.client.listImages({ owner: 'Amazon' }).toArray({ limit: 10 });
    expect(amazon.map((i) => [i.name, i.state])).toEqual([['al2023', 'AVAILABLE']]);
    const sent = s.emu.server.requests.slice(before).map((r) => [r.path, JSON.parse(r.body).imageVersionArn ?? null]);
    expect(sent).toEqual([
      ['/ListImages', null],
      ['/ListImageBuildVersions', amazon[0]?.id],
    ]);
  });

  it('a batch that fails fails the page (typed), and nothing is half-answered', async () => {
    s = await setup();
    seed(s);
    s.emu.server.faults.inject(imageBuilderFault('ForbiddenException'), {
      match: (r) => r.rawPath === '/ListImageBuildVersions',
    });
    await expect(s.client.listImages().toArray({ limit: 100 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
