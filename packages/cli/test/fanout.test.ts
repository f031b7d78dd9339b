/**
 * `stacks` / `images` over several regions or clouds (`--all-regions`, `--region a,b`, `--cloud a,b`),
 * against the emulators over HTTP with the real clients: the AWS SDK parsing EC2 DescribeRegions and
 * Image Builder, the ParallelCluster API's SigV4, RFS's AK/SK and IAM's project list, Heat per cloud.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmulatorServer, startEmulator } from '@stackfeed/emulator';
import { createScript, type HeatEmulator, startHeatEmulator } from '@stackfeed/emulator/heat';
import {
  createImageBuilderHandler,
  imageBuildAvailable,
  imageBuilderErrorReply,
  ImageBuilderStore,
  ManualClock,
} from '@stackfeed/emulator/imagebuilder';
import {
  createParallelClusterApiHandler,
  imageBuildSucceeds,
  ParallelClusterWorld,
} from '@stackfeed/emulator/parallelcluster';
import { createAwsRegionsHandler } from '@stackfeed/emulator/regions';
import { deploymentFailsAndRollsBack, type RfsEmulator, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plugin as imagebuilder } from '../src/providers/aws-imagebuilder.js';
import { plugin as pcluster } from '../src/providers/aws-parallelcluster.js';
import { plugin as heat } from '../src/providers/openstack-heat.js';
import { plugin as rfs } from '../src/providers/huawei-rfs.js';
import { EXIT } from '../src/usage.js';
import { cli, records } from './helpers.js';

const KEYS = { accessKeyId: 'AKIAFANOUTTEST000001', secretAccessKey: 'fanout-test-secret-key-00000000000000000' };
const AWS_ENV = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };
const providers = [imagebuilder, pcluster, rfs, heat];

describe('images imagebuilder --all-regions (EC2 DescribeRegions, Image Builder per SigV4 region)', () => {
  let server: EmulatorServer;
  const clock = new ManualClock();
  const store = (region: string, versions: string[]) => {
    const s = new ImageBuilderStore({ clock, region });
    for (const version of versions) imageBuildAvailable(s, { name: `hpc-${region}`, version });
    return createImageBuilderHandler(s, { auth: { mode: 'check', credentials: [KEYS] } });
  };
  beforeAll(async () => {
    const handler = createAwsRegionsHandler({
      regions: [
        { name: 'us-east-1', handler: store('us-east-1', ['1.0.0', '1.1.0']) },
        { name: 'eu-west-1', handler: store('eu-west-1', ['2.0.0']) },
        // Listed as enabled, but the account's calls there are refused (e.g. an SCP).
        { name: 'ap-south-1', optInStatus: 'opted-in' },
        { name: 'me-south-1', optInStatus: 'not-opted-in', handler: store('me-south-1', ['9.9.9']) },
        { name: 'ca-central-1', handler: store('ca-central-1', ['3.0.0']) },
      ],
      refuse: () =>
        imageBuilderErrorReply('UnrecognizedClientException', 'The security token included in the request is invalid.'),
    });
    server = await startEmulator({ handler });
  });
  afterAll(() => server?.close());

  const images = (...args: string[]) =>
    cli(['images', 'imagebuilder', '--all-regions', '--endpoint', server.url, ...args], {
      providers,
      env: { ...AWS_ENV, AWS_REGION: 'us-east-1' },
    });

  it('lists every enabled region (not the not-opted-in one), in region order, then the service order', async () => {
    const r = await images('-o', 'ndjson');
    const recs = records(r.out);
    expect(recs.map((x) => [x.region, x.version])).toEqual([
      ['ca-central-1', '3.0.0'],
      ['eu-west-1', '2.0.0'],
      ['us-east-1', '1.0.0'],
      ['us-east-1', '1.1.0'],
    ]);
    // The image's own ARN says the region each one was read from.
    for (const x of recs) expect(String(x.id)).toContain(`:${x.region}:`);
    expect(Object.keys(recs[0] as object).slice(0, 4)).toEqual(['type', 'v', 'provider', 'region']);
    // ap-south-1 fails with its name and the typed error's code; the others are printed.
    expect(r.err).toMatch(/^stackfeed: region ap-south-1: UNAUTHORIZED \[aws-imagebuilder, listImages, HTTP 403/m);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.code).toBe(EXIT.PARTIAL_FAILURE);
    // DescribeRegions was asked once, signed for EC2.
    const describes = server.requests.filter((q) => q.body.includes('Action=DescribeRegions'));
    expect(describes).toHaveLength(1);
    expect(String(describes[0]?.headers.authorization)).toMatch(/\/us-east-1\/ec2\/aws4_request/);
  });

  it('a table has a REGION column; json is one array with a region field', async () => {
    const t = await images();
    expect(t.out.split('\n')[1]).toMatch(/provider\s+│\s+region\s+│\s+id/);
    expect(t.out).toMatch(/imagebuilder\s+│\s+eu-west-1\s+│/);
    const j = await images('-o', 'json');
    const arr = JSON.parse(j.out) as Array<{ region: string; type: string }>;
    expect(arr.map((x) => x.region)).toEqual(['ca-central-1', 'eu-west-1', 'us-east-1', 'us-east-1']);
    expect(j.code).toBe(EXIT.PARTIAL_FAILURE);
  });

  it('--limit caps the total, in the same order', async () => {
    const r = await images('--limit', '2', '-o', 'ndjson');
    expect(records(r.out).map((x) => x.region)).toEqual(['ca-central-1', 'eu-west-1']);
  });

  it('--region a,b lists those regions only; all of them failing is exit 1', async () => {
    const env = { ...AWS_ENV, AWS_REGION: 'us-east-1' };
    const two = await cli(
      ['images', 'imagebuilder', '--region', 'us-east-1,eu-west-1', '--endpoint', server.url, '-o', 'ndjson'],
      { providers, env },
    );
    expect(two.code, two.err).toBe(0);
    expect(records(two.out).map((x) => [x.region, x.version])).toEqual([
      ['us-east-1', '1.0.0'],
      ['us-east-1', '1.1.0'],
      ['eu-west-1', '2.0.0'],
    ]);
    const bad = await cli(['images', 'imagebuilder', '--region', 'ap-south-1,af-south-1', '--endpoint', server.url], {
      providers,
      env,
    });
    expect(bad.code).toBe(EXIT.CALL_FAILED);
    expect(bad.err).toMatch(/region ap-south-1: UNAUTHORIZED/);
    expect(bad.err).toMatch(/region af-south-1: UNAUTHORIZED/);
    expect(bad.err).not.toMatch(/\n\s+at /);
    // --debug: each failed region's detail (stack, cause) follows its line.
    const debug = await cli(
      ['images', 'imagebuilder', '--region', 'ap-south-1,af-south-1', '--endpoint', server.url, '--debug'],
      { providers, env },
    );
    expect(debug.err).toMatch(/region ap-south-1: UNAUTHORIZED[^\n]*\n[^\n]*StackfeedError[\s\S]*\n\s+at /);
    expect(debug.err).not.toContain(KEYS.secretAccessKey);
  });

  it('a list where one region is expected, and --all-regions on Heat, are usage errors (exit 2)', async () => {
    const ev = await cli(['events', 'imagebuilder', 'lce-1', '--region', 'a,b'], { providers, env: AWS_ENV });
    expect(ev.code).toBe(EXIT.USAGE);
    expect(ev.err).toMatch(/a list of regions or clouds is for `stacks` and `images`/);
    const h = await cli(['stacks', 'heat', '--all-regions'], { providers, env: {} });
    expect(h.code).toBe(EXIT.USAGE);
    expect(h.err).toMatch(/--all-regions: OpenStack Heat has no region list/);
  });

  it('Ctrl-C while the regions are read stops them all: exit 130, nothing else said', async () => {
    const ac = new AbortController();
    const slow = store('us-east-1', ['1.0.0']);
    // The first Image Builder request is Ctrl-C's moment; its answer comes too late to matter.
    const interrupted = await startEmulator({
      handler: createAwsRegionsHandler({
        regions: ['us-east-1', 'eu-west-1'].map((name) => ({
          name,
          handler: async (req) => {
            ac.abort();
            await new Promise((r) => setTimeout(r, 300));
            return slow(req);
          },
        })),
      }),
    });
    try {
      const r = await cli(['images', 'imagebuilder', '--all-regions', '--endpoint', interrupted.url], {
        providers,
        env: { ...AWS_ENV, AWS_REGION: 'us-east-1' },
        signal: ac.signal,
      });
      expect(r.code).toBe(EXIT.INTERRUPTED);
      expect(r.err.trim()).toBe('stackfeed: interrupted');
      expect(r.out).toBe('');
    } finally {
      await interrupted.close();
    }
  });
});

describe('images pcluster --all-regions (one API, its region parameter per region)', () => {
  let server: EmulatorServer;
  const world = (region: string, ids: string[]) => {
    const w = new ParallelClusterWorld({ region });
    for (const imageId of ids) imageBuildSucceeds(w, { imageId, buildSeconds: 60, startInMs: 0 });
    w.advance(3_600_000);
    // The API runs in us-east-1 (its signatures are scoped there) and acts on the region asked for.
    return createParallelClusterApiHandler(w, { credentials: [KEYS], stage: 'prod', signingRegion: 'us-east-1' });
  };
  beforeAll(async () => {
    const handler = createAwsRegionsHandler({
      routeBy: 'region-query',
      defaultRegion: 'us-east-1',
      regions: [
        { name: 'us-east-1', handler: world('us-east-1', ['alma-east']) },
        { name: 'eu-west-1', handler: world('eu-west-1', ['alma-west', 'rocky-west']) },
      ],
    });
    server = await startEmulator({ handler });
  });
  afterAll(() => server?.close());

  it('EC2 at AWS_ENDPOINT_URL_EC2 lists the regions; each region is read through the one API', async () => {
    const r = await cli(['images', 'pcluster', '--all-regions', '--endpoint', `${server.url}/prod`, '-o', 'ndjson'], {
      providers,
      env: { ...AWS_ENV, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_EC2: server.url },
    });
    expect(r.code, r.err).toBe(0);
    expect(records(r.out).map((x) => [x.region, x.id])).toEqual([
      ['eu-west-1', 'alma-west'],
      ['eu-west-1', 'rocky-west'],
      ['us-east-1', 'alma-east'],
    ]);
    const api = server.requests.filter((q) => q.path.startsWith('/prod/v3/images'));
    expect([...new Set(api.map((q) => new URLSearchParams(q.query).get('region')))].sort()).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);
    for (const q of api) expect(String(q.headers.authorization)).toMatch(/\/us-east-1\/execute-api\/aws4_request/);
  });
});

describe('stacks rfs --all-regions (IAM GET /v3/projects, one project per region)', () => {
  let emu: RfsEmulator;
  const t0 = Date.UTC(2026, 0, 15, 12, 0, 0);
  beforeAll(async () => {
    emu = await startRfsEmulator({
      credentials: { aksk: [{ accessKey: 'FANOUTRFSAK000000001', secretKey: 'fanout-rfs-secret' }] },
      region: 'cn-north-4',
      scenarios: [deploymentFailsAndRollsBack({ stackName: 'north-db', startAt: t0 })],
      regions: [
        {
          region: 'ap-southeast-1',
          projectId: 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1',
          scenarios: [
            deploymentFailsAndRollsBack({ stackName: 'sg-web', startAt: t0 }),
            deploymentFailsAndRollsBack({ stackName: 'sg-db', startAt: t0 + 1000 }),
          ],
        },
        { region: 'cn-east-3', projectId: 'e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3', refused: true },
      ],
    });
  });
  afterAll(() => emu?.close());
  const env = { HUAWEICLOUD_SDK_AK: 'FANOUTRFSAK000000001', HUAWEICLOUD_SDK_SK: 'fanout-rfs-secret' };

  it("every region's project is listed (MOS and other projects are not), the refused one reported", async () => {
    const r = await cli(['stacks', 'rfs', '--all-regions', '--endpoint', emu.url, '-o', 'ndjson'], { providers, env });
    const recs = records(r.out);
    expect(recs.map((x) => [x.region, x.name])).toEqual([
      ['ap-southeast-1', 'sg-db'],
      ['ap-southeast-1', 'sg-web'],
      ['cn-north-4', 'north-db'],
    ]);
    expect(r.err).toMatch(/^stackfeed: region cn-east-3: FORBIDDEN \[huawei-rfs, listStacks, HTTP 403/m);
    expect(r.code).toBe(EXIT.PARTIAL_FAILURE);
    // Each region was read with its own project id in the path and in X-Project-Id.
    const lists = emu.server.requests.filter((q) => /\/v1\/[^/]+\/stacks$/.test(q.path));
    expect(lists.map((q) => [q.path.split('/')[2], q.headers['x-project-id']]).sort()).toEqual(
      [emu.projectId, 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1', 'e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3'].map((p) => [p, p]),
    );
  });
});

describe('stacks heat --cloud a,b (clouds.yaml entries)', () => {
  let east: HeatEmulator;
  let west: HeatEmulator;
  let dir: string;
  beforeAll(async () => {
    east = await startHeatEmulator();
    west = await startHeatEmulator();
    east.addStack('east-web', createScript('east-web', [{ name: 'a' }]));
    west.addStack('west-db', createScript('west-db', [{ name: 'b' }]));
    west.addStack('west-web', createScript('west-web', [{ name: 'c' }]));
    dir = mkdtempSync(join(tmpdir(), 'stackfeed-fanout-'));
    const cloud = (url: string) => `    auth_type: none\n    auth:\n      endpoint: ${url}\n`;
    writeFileSync(
      join(dir, 'clouds.yaml'),
      `clouds:\n  east:\n${cloud(east.heatUrl)}  west:\n${cloud(west.heatUrl)}  gone:\n${cloud('http://127.0.0.1:9/v1/admin')}`,
    );
  });
  afterAll(async () => {
    await Promise.all([east?.close(), west?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const stacks = (...args: string[]) =>
    cli(['stacks', 'heat', ...args], { providers, env: { OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml') } });

  it('two clouds: a CLOUD column and a cloud field, in the order given', async () => {
    const r = await stacks('--cloud', 'west,east', '-o', 'json');
    expect(r.code, r.err).toBe(0);
    const arr = JSON.parse(r.out) as Array<{ cloud: string; name: string }>;
    expect(arr.map((x) => x.cloud)).toEqual(['west', 'west', 'east']);
    expect(arr.map((x) => x.name).sort()).toEqual(['east-web', 'west-db', 'west-web']);
    const t = await stacks('--cloud', 'east,west');
    expect(t.out.split('\n')[1]).toMatch(/provider\s+│\s+cloud\s+│\s+name/);
  });

  it('an unreachable cloud is reported with its name and NETWORK; the others print (exit 4)', async () => {
    const r = await stacks('--cloud', 'east,gone', '-o', 'ndjson');
    expect(records(r.out).map((x) => [x.cloud, x.name])).toEqual([['east', 'east-web']]);
    expect(r.err).toMatch(/^stackfeed: cloud gone: NETWORK \[openstack-heat/m);
    expect(r.code).toBe(EXIT.PARTIAL_FAILURE);
  });

  it('--cloud lists are for heat only', async () => {
    const r = await cli(['stacks', 'rfs', '--cloud', 'a,b'], { providers, env: {} });
    expect(r.code).toBe(EXIT.USAGE);
  });
});
