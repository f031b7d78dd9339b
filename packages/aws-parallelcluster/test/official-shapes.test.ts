import { readFileSync } from 'node:fs';
import { CloudFormationClient, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import { type EmulatorReply, startEmulator } from '@stackfeed/emulator';
import { type ParallelClusterEmulator, PCLUSTER_VERSION } from '@stackfeed/emulator/parallelcluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParallelClusterClient } from '../src/index.js';
import { toStackEvent } from '../src/mapping/events.js';
import { STACK_TO_IMAGE_BUILD_STATUS, clusterStatusFromStack } from '../src/mapping/tables.js';
import { apiClient, directClient, emulator } from './helpers.js';
import { SPECS, modelEnum, parallelClusterSpec } from './specs.js';

/**
 * Required-ness follows the official models, field by field: the ParallelCluster spec for the API's
 * own shapes, and CloudFormation's model for the stack events the server copies from it. Every
 * shape is built from the specs at run time with every optional member removed.
 */

type Json = Record<string, unknown>;
const schemas = (parallelClusterSpec().components as Json).schemas as Record<string, Json>;
const cfnModel = JSON.parse(readFileSync(`${SPECS}cloudformation/service-2.json`, 'utf8')) as {
  shapes: Record<string, { required?: string[] }>;
};
const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
/** StackEvent members CloudFormation's model requires (the server copies its keys unchecked). */
const cfnRequired = new Set((cfnModel.shapes.StackEvent?.required ?? []).map(lowerFirst));

/**
 * A value of `schema` with only the members the official models require (arrays hold one item).
 * With `lists`, optional array members are kept too (one minimal item each), so the shapes of list
 * items are walked as well.
 */
function minimal(schema: Json, lists: boolean, name?: string): unknown {
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref.split('/').pop() as string;
    return minimal(schemas[ref] as Json, lists, ref);
  }
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Json>;
      let required = (schema.required ?? []) as string[];
      if (name === 'StackEvent') required = required.filter((k) => cfnRequired.has(k));
      const out: Json = {};
      for (const [key, prop] of Object.entries(props)) {
        const list = lists && prop.type === 'array';
        if (required.includes(key) || list) out[key] = minimal(prop, lists);
      }
      return out;
    }
    case 'array':
      return [minimal(schema.items as Json, lists)];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    default:
      return schema.format === 'date-time' ? '2026-01-01T00:00:00.000Z' : 'x1';
  }
}

/** The 200 response body of a spec operation, minimal. */
function minimalResponse(path: string, lists: boolean): unknown {
  const op = (parallelClusterSpec().paths as Record<string, Record<string, Json>>)[path]?.get as Json;
  const content = (op.responses as Record<string, Json>)['200']?.content as Record<string, { schema: Json }>;
  return minimal(content['application/json']?.schema as Json, lists);
}

async function serve(body: unknown) {
  return startEmulator({
    handler: async (): Promise<EmulatorReply> => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  });
}

const client = (url: string) =>
  new ParallelClusterClient({
    apiUrl: `${url}/prod`,
    signingRegion: 'us-east-1',
    credentials: { accessKeyId: 'AKIDSHAPES', secretAccessKey: 'shape-secret' },
    retry: { maxAttempts: 1 },
  });

describe('API mode reads every official response shape with every optional member removed', () => {
  const cases: Array<[string, (c: ParallelClusterClient) => Promise<unknown>]> = [
    ['/v3/images/custom', (c) => c.listImages({ status: 'PENDING' }).toArray({ limit: 1000 })],
    ['/v3/images/custom/{imageId}', (c) => c.describeImage('img')],
    ['/v3/images/custom/{imageId}/stackevents', (c) => c.listImageStackEvents('img').toArray({ limit: 1000 })],
    ['/v3/clusters/{clusterName}/stackevents', (c) => c.listClusterStackEvents('cl').toArray({ limit: 1000 })],
    ['/v3/images/custom/{imageId}/logstreams', (c) => c.listImageLogStreams('img').toArray({ limit: 1000 })],
    [
      '/v3/images/custom/{imageId}/logstreams/{logStreamName}',
      (c) => c.listImageLogEvents('img', 's/1').toArray({ limit: 1000 }),
    ],
    ['/v3/clusters', (c) => c.listClusters().toArray({ limit: 1000 })],
    ['/v3/clusters/{clusterName}', (c) => c.describeCluster('cl')],
  ];
  for (const [path, call] of cases) {
    it(`${path}: required members only`, async () => {
      const body = minimalResponse(path, false);
      const server = await serve(body);
      try {
        const out = await call(client(server.url));
        if (!Array.isArray(out)) expect(out).toMatchObject({ raw: body });
      } finally {
        await server.close();
      }
    });
    it(`${path}: lists kept, each item with its required members only`, async () => {
      const body = minimalResponse(path, true);
      const server = await serve(body);
      try {
        const out = await call(client(server.url));
        // Each list came back with the one item the minimal shape holds.
        if (Array.isArray(out)) expect(out).toHaveLength(1);
        else expect(out).toMatchObject({ raw: body });
      } finally {
        await server.close();
      }
    });
  }

  it('a stack event with only the four members CloudFormation requires does not fail its page', async () => {
    expect([...cfnRequired].sort()).toEqual(['eventId', 'stackId', 'stackName', 'timestamp']);
    const bare = { stackId: 'arn:s', eventId: 'e-bare', stackName: 'cl', timestamp: '2026-01-01T00:00:01.000Z' };
    const full = {
      ...bare,
      eventId: 'e-full',
      logicalResourceId: 'cl',
      physicalResourceId: 'arn:s',
      resourceType: 'AWS::CloudFormation::Stack',
      resourceStatus: 'CREATE_COMPLETE',
    };
    const server = await serve({ events: [full, bare] });
    try {
      const events = await client(server.url).listClusterStackEvents('cl').toArray({ limit: 1000 });
      const got = events.find((e) => e.id === 'e-bare');
      expect(got).toMatchObject({ status: '', phase: 'UNKNOWN', action: 'UNKNOWN', resource: {} });
      expect(events.find((e) => e.id === 'e-full')?.phase).toBe('COMPLETE');
    } finally {
      await server.close();
    }
  });
});

describe('CloudFormation hook events carrying only HookStatus', () => {
  const hookStatuses = modelEnum('cloudformation/service-2.json', 'HookStatus');

  it('every HookStatus of the CloudFormation model maps to a real phase, the literal kept', () => {
    const expected: Record<string, string> = {
      HOOK_IN_PROGRESS: 'IN_PROGRESS',
      HOOK_COMPLETE_SUCCEEDED: 'COMPLETE',
      HOOK_COMPLETE_FAILED: 'FAILED',
      HOOK_FAILED: 'FAILED',
    };
    expect(hookStatuses.sort()).toEqual(Object.keys(expected).sort());
    for (const hookStatus of hookStatuses) {
      const ev = toStackEvent(
        { stackId: 'arn:s', eventId: 'e', stackName: 's', timestamp: new Date(0), hookStatus, logicalResourceId: 'R' },
        {},
      );
      expect(ev.status).toBe(hookStatus);
      expect(ev.phase).toBe(expected[hookStatus]);
      expect(ev.action).toBe('CHECK');
    }
  });

  it('a resource status still wins over the hook status of the same event', () => {
    const ev = toStackEvent(
      {
        stackId: 'arn:s',
        eventId: 'e',
        stackName: 's',
        timestamp: new Date(0),
        resourceStatus: 'CREATE_IN_PROGRESS',
        hookStatus: 'HOOK_COMPLETE_FAILED',
      },
      {},
    );
    expect(ev).toMatchObject({ status: 'CREATE_IN_PROGRESS', action: 'CREATE', phase: 'IN_PROGRESS' });
  });
});

describe('the emulator copies CloudFormation keys the way the ParallelCluster server does', () => {
  let emu: ParallelClusterEmulator;
  const name = 'hooked';

  beforeAll(async () => {
    emu = await emulator();
    const t0 = emu.world.now() - 60_000;
    const id = emu.world.cfn.addStack({
      name,
      createdAt: t0,
      tags: { 'parallelcluster:version': PCLUSTER_VERSION },
    });
    emu.world.cfn.addEvents(id, [
      { at: t0, logicalId: name, type: 'AWS::CloudFormation::Stack', status: 'CREATE_IN_PROGRESS' },
      {
        at: t0 + 1000,
        logicalId: 'Queue',
        type: 'AWS::SQS::Queue',
        status: 'CREATE_IN_PROGRESS',
        hookType: 'Private::Guard::Tags',
        hookStatus: 'HOOK_COMPLETE_FAILED',
        hookFailureMode: 'FAIL',
        omit: ['ResourceStatus', 'PhysicalResourceId'],
      },
      {
        at: t0 + 2000,
        logicalId: 'Bare',
        type: 'AWS::SQS::Queue',
        status: 'CREATE_IN_PROGRESS',
        omit: ['LogicalResourceId', 'PhysicalResourceId', 'ResourceType', 'ResourceStatus'],
      },
      { at: t0 + 3000, logicalId: name, type: 'AWS::CloudFormation::Stack', status: 'CREATE_FAILED' },
    ]);
  });
  afterAll(async () => emu.close());

  it("API events are CloudFormation's keys, first letter lower-cased, modelled members only", async () => {
    const modelled = new Set(Object.keys((schemas.StackEvent?.properties ?? {}) as Json));
    const cfn = new CloudFormationClient({
      region: emu.region,
      credentials: emu.credentials,
      endpoint: emu.endpoints.cloudformation,
      maxAttempts: 1,
    });
    const sdk = await cfn.send(new DescribeStackEventsCommand({ StackName: name }));
    cfn.destroy();
    const api = await apiClient(emu).listClusterStackEvents(name).toArray({ limit: 1000 });
    expect(api).toHaveLength(sdk.StackEvents?.length ?? -1);
    for (const e of sdk.StackEvents ?? []) {
      const expected: Json = {};
      for (const [key, value] of Object.entries(e)) {
        const lower = lowerFirst(key);
        if (value !== undefined && modelled.has(lower))
          expected[lower] = value instanceof Date ? value.toISOString() : value;
      }
      expect(api.find((a) => a.id === e.EventId)?.raw).toEqual(expected);
    }
    const bare = api.find((a) => a.id.startsWith('Bare-'))?.raw as Json;
    expect(Object.keys(bare).sort()).toEqual(['eventId', 'stackId', 'stackName', 'timestamp']);
  });

  it('direct mode maps a hook-only failure to FAILED, and the phase filter finds it', async () => {
    const failed = await directClient(emu).listClusterStackEvents(name, { phase: 'FAILED' }).toArray({ limit: 1000 });
    const hook = failed.find((e) => e.details?.hookStatus !== undefined);
    expect(hook).toMatchObject({ status: 'HOOK_COMPLETE_FAILED', phase: 'FAILED', action: 'CHECK' });
    expect(hook?.resource).toEqual({ logicalId: 'Queue', type: 'AWS::SQS::Queue' });
  });
});

describe('image names are filled wherever ParallelCluster has them', () => {
  let emu: ParallelClusterEmulator;
  beforeAll(async () => {
    emu = await emulator({ scenarios: ['imageBuildSucceeds', 'imageBuildFails'] as never });
    emu.world.advance(10 * 3600_000);
  });
  afterAll(async () => emu.close());

  for (const mode of ['api', 'direct'] as const) {
    it(`listImages (${mode} mode)`, async () => {
      const c = mode === 'api' ? apiClient(emu) : directClient(emu);
      const images = await c.listImages().toArray({ limit: 1000 });
      expect(images.length).toBeGreaterThan(0);
      for (const img of images) expect(img.name).toBe(img.tags['parallelcluster:image_name'] ?? img.id);
    });
  }
});

describe("the emulator's status rules and the client's tables agree on every CloudFormation stack status", () => {
  let emu: ParallelClusterEmulator;
  const stackStatuses = modelEnum('cloudformation/service-2.json', 'StackStatus').filter(
    (s) => s !== 'DELETE_COMPLETE',
  );
  beforeAll(async () => {
    emu = await emulator();
    const t0 = emu.world.now() - 60_000;
    for (const [i, status] of stackStatuses.entries()) {
      for (const kind of ['img', 'cl'] as const) {
        const name = `${kind}${i}`;
        const tags: Record<string, string> = { 'parallelcluster:version': PCLUSTER_VERSION };
        if (kind === 'img') tags['parallelcluster:image_id'] = name;
        const id = emu.world.cfn.addStack({ name, createdAt: t0, tags });
        emu.world.cfn.addEvents(id, [{ at: t0, logicalId: name, type: 'AWS::CloudFormation::Stack', status }]);
      }
    }
  });
  afterAll(async () => emu.close());

  it('DescribeImage imageBuildStatus and DescribeCluster clusterStatus', async () => {
    const c = apiClient(emu);
    for (const [i, status] of stackStatuses.entries()) {
      const image = await c.describeImage(`img${i}`);
      expect((image.raw as Json).imageBuildStatus, status).toBe(STACK_TO_IMAGE_BUILD_STATUS[status]);
      const cluster = await c.describeCluster(`cl${i}`);
      expect(cluster.clusterStatus, status).toBe(clusterStatusFromStack(status));
    }
  });
});
