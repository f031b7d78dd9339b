import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { type EmulatorReply, startEmulator } from '@stackfeed/emulator';
import {
  EMULATOR_CREDENTIALS,
  ParallelClusterWorld,
  clusterCreate,
  createParallelClusterApiHandler,
  imageBuildFails,
  imageBuildSucceeds,
} from '@stackfeed/emulator/parallelcluster';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { ParallelClusterClient } from '../src/index.js';
import * as wire from '../src/wire/api.js';
import { modelEnum, parallelClusterSpec, pcEnum } from './specs.js';

/**
 * Contract: every request the API-mode client sends (method, path, path parameters, query names,
 * array encoding, value types) and every response it parses are checked against the official
 * OpenAPI spec, loaded at run time from shared/specs. The emulator's answers are spec-checked too.
 */

type Json = Record<string, unknown>;
interface Param {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  style?: string;
  explode?: boolean;
  schema: Json;
}
interface Operation {
  operationId: string;
  parameters?: Param[];
  responses: Record<string, { content?: { 'application/json'?: { schema: { $ref: string } } } }>;
}

const spec = parallelClusterSpec();
const paths = spec.paths as Record<string, Record<string, Operation>>;
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
ajv.addSchema({ $id: 'pc.json', components: spec.components });

const templates = Object.keys(paths).map((p) => ({
  template: p,
  re: new RegExp(`^${p.replace(/\{[^}]+\}/g, '([^/]+)')}$`),
  names: [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string),
}));

function schemaFor(ref: string): ValidateFunction {
  const v = ajv.getSchema(`pc.json${ref}`);
  if (!v) throw new Error(`no schema ${ref}`);
  return v;
}

/** Coerce a query/path string the way the spec's type says, then validate it. */
function checkValue(param: Param, raw: string, problems: string[], where: string): void {
  const s = (param.schema.$ref ? (schemaFor(param.schema.$ref as string).schema as Json) : param.schema) as Json;
  let value: unknown = raw;
  const type = s.type === 'array' ? ((s.items as Json).$ref ? 'string' : (s.items as Json).type) : s.type;
  if (type === 'boolean') {
    if (raw !== 'true' && raw !== 'false') problems.push(`${where}: ${param.name}=${raw} is not a boolean`);
    value = raw === 'true';
  } else if (type === 'integer') {
    if (!/^-?\d+$/.test(raw)) problems.push(`${where}: ${param.name}=${raw} is not an integer`);
    value = Number(raw);
  }
  const itemSchema = s.type === 'array' ? (s.items as Json) : s;
  const validate = ajv.compile({
    $id: undefined,
    ...(itemSchema.$ref ? { $ref: `pc.json${itemSchema.$ref}` } : itemSchema),
  });
  if (!validate(value)) problems.push(`${where}: ${param.name}=${raw}: ${ajv.errorsText(validate.errors)}`);
}

const RESOURCE_ENUM = pcEnum('CloudFormationResourceStatus');
const CFN_STATUSES = [
  ...modelEnum('cloudformation/service-2.json', 'ResourceStatus'),
  ...modelEnum('cloudformation/service-2.json', 'StackStatus'),
];
/** Statuses seen outside the spec's enum (quirk Q1). */
const q1 = new Set<string>();

interface Exchange {
  method: string;
  rawPath: string;
  rawQuery: string;
  reply: EmulatorReply;
}

function checkExchange(x: Exchange, stage: string, problems: string[], seen: Map<string, Set<string>>): void {
  const where = `${x.method} ${x.rawPath}?${x.rawQuery}`;
  const path = x.rawPath.slice(stage.length);
  const t = templates.find((c) => c.re.test(path));
  if (!t) {
    problems.push(`${where}: path is not in the spec`);
    return;
  }
  const op = paths[t.template]?.[x.method.toLowerCase()];
  if (!op) {
    problems.push(`${where}: method is not in the spec`);
    return;
  }
  const params = op.parameters ?? [];
  const m = t.re.exec(path) as RegExpExecArray;
  t.names.forEach((name, i) => {
    const p = params.find((q) => q.in === 'path' && q.name === name) as Param;
    const rawSeg = m[i + 1] as string;
    if (/[^A-Za-z0-9\-._~%]/.test(rawSeg))
      problems.push(`${where}: path parameter ${name} is not fully percent-encoded`);
    checkValue(p, decodeURIComponent(rawSeg), problems, where);
  });
  const query = new Map<string, string[]>();
  for (const pair of x.rawQuery ? x.rawQuery.split('&') : []) {
    const [k, v = ''] = pair.split('=') as [string, string?];
    const key = decodeURIComponent(k);
    query.set(key, [...(query.get(key) ?? []), decodeURIComponent(v)]);
  }
  for (const [name, values] of query) {
    const p = params.find((q) => q.in === 'query' && q.name === name);
    if (!p) {
      problems.push(`${where}: query parameter ${name} is not declared for ${op.operationId}`);
      continue;
    }
    const isArray = p.schema.type === 'array';
    if (!isArray && values.length > 1) problems.push(`${where}: ${name} repeated but not an array`);
    if (isArray && (p.style ?? 'form') === 'form' && p.explode !== false && values.some((v) => v.includes(',')))
      problems.push(`${where}: ${name} must repeat the key (form, explode), not join values`);
    for (const v of values) checkValue(p, v, problems, where);
  }
  for (const p of params)
    if (p.in === 'query' && p.required && !query.has(p.name)) problems.push(`${where}: required ${p.name} missing`);
  const status = String(x.reply.status);
  if (!seen.has(op.operationId)) seen.set(op.operationId, new Set());
  seen.get(op.operationId)?.add(status);
  if (status === '403') return; // API Gateway's own answer: not in the spec (checked in the API-mode tests).
  const resp = op.responses[status];
  if (!resp) {
    problems.push(`${where}: status ${status} is not declared for ${op.operationId}`);
    return;
  }
  const ref = resp.content?.['application/json']?.schema.$ref;
  if (!ref) return;
  const body = typeof x.reply.body === 'string' ? JSON.parse(x.reply.body) : x.reply.body;
  // The server passes CloudFormation statuses outside the spec's 16-value enum through
  // (ROLLBACK_*, UPDATE_ROLLBACK_*). Those (and only those) are set aside, and counted.
  for (const ev of (body as { events?: Array<{ resourceStatus?: string }> }).events ?? []) {
    if (ev.resourceStatus && !RESOURCE_ENUM.includes(ev.resourceStatus) && CFN_STATUSES.includes(ev.resourceStatus)) {
      q1.add(ev.resourceStatus);
      ev.resourceStatus = 'CREATE_COMPLETE';
    }
  }
  const validate = schemaFor(ref);
  if (!validate(body))
    problems.push(`${where}: ${status} body does not match ${ref}: ${ajv.errorsText(validate.errors)}`);
}

describe('contract with the official ParallelCluster OpenAPI spec', () => {
  it('every request the client sends and every response it parses match the spec', async () => {
    const world = new ParallelClusterWorld();
    const ok = imageBuildSucceeds(world, { imageId: 'img-ok', buildSeconds: 30 });
    const bad = imageBuildFails(world, { imageId: 'img-bad', buildSeconds: 30 });
    clusterCreate(world, { clusterName: 'hpc' });
    world.advance(Math.max(ok.endsAt, bad.endsAt) - world.now() + 1000);
    imageBuildSucceeds(world, { imageId: 'img-running', buildSeconds: 600 });
    world.advance(50_000);
    const inner = createParallelClusterApiHandler(world, {
      credentials: [EMULATOR_CREDENTIALS],
      stacksPageSize: 1,
      eventsPageSize: 5,
    });
    const exchanges: Exchange[] = [];
    const server = await startEmulator({
      handler: async (req) => {
        const reply = await inner(req);
        exchanges.push({ method: req.method, rawPath: req.rawPath, rawQuery: req.rawQuery, reply });
        return reply;
      },
    });
    try {
      const c = new ParallelClusterClient({
        apiUrl: `${server.url}/prod`,
        signingRegion: world.region,
        region: 'us-east-1',
        credentials: EMULATOR_CREDENTIALS,
        retry: { maxAttempts: 1 },
      });
      const swallow = (p: Promise<unknown>) => p.catch(() => undefined);
      await c.listImages().toArray({ limit: 100 });
      for (const id of ['img-ok', 'img-bad', 'img-running', 'nope']) await swallow(c.describeImage(id));
      await c.listImageStackEvents('img-bad').toArray({ limit: 1000 });
      await swallow(c.listImageStackEvents('img-ok').toArray({ limit: 10 }));
      await c.listImageLogStreams('img-bad').toArray({ limit: 10 });
      const lines = await c.listImageLogEvents('img-bad', '3.12.0/1', { pageSize: 3 }).toArray({ limit: 1000 });
      await c
        .listImageLogEvents('img-bad', '3.12.0/1', { startTime: lines[1]?.timestamp, endTime: lines[4]?.timestamp })
        .toArray({ limit: 10 });
      await swallow(c.listImageLogEvents('img-bad', 'no/such').toArray({ limit: 1 }));
      await c.listClusters().toArray({ limit: 10 });
      await c.listClusters({ status: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] }).toArray({ limit: 10 });
      await c.describeCluster('hpc');
      await swallow(c.describeCluster('nope'));
      await c.listClusterStackEvents('hpc').toArray({ limit: 1000 });
      await swallow(
        new ParallelClusterClient({
          apiUrl: `${server.url}/prod`,
          signingRegion: world.region,
          region: 'mars-1',
          credentials: EMULATOR_CREDENTIALS,
          retry: { maxAttempts: 1 },
        }).describeCluster('hpc'),
      );
    } finally {
      await server.close();
    }
    const problems: string[] = [];
    const seen = new Map<string, Set<string>>();
    for (const x of exchanges) checkExchange(x, '/prod', problems, seen);
    expect(problems).toEqual([]);
    expect([...q1].sort()).toEqual(['ROLLBACK_COMPLETE', 'ROLLBACK_IN_PROGRESS']);
    expect([...seen.keys()].sort()).toEqual([
      'DescribeCluster',
      'DescribeImage',
      'GetClusterStackEvents',
      'GetImageLogEvents',
      'GetImageStackEvents',
      'ListClusters',
      'ListImageLogStreams',
      'ListImages',
    ]);
    expect(seen.get('DescribeImage')).toEqual(new Set(['200', '404']));
    expect(seen.get('DescribeCluster')).toEqual(new Set(['200', '404', '400']));
    expect(exchanges.length).toBeGreaterThan(30);
  });

  it('the checker itself rejects what the spec forbids', () => {
    const problems: string[] = [];
    const seen = new Map<string, Set<string>>();
    const reply = (status: number, body: unknown): EmulatorReply => ({ status, body: JSON.stringify(body) });
    checkExchange(
      { method: 'GET', rawPath: '/prod/v3/images/custom', rawQuery: '', reply: reply(200, { images: [] }) },
      '/prod',
      problems,
      seen,
    );
    checkExchange(
      {
        method: 'GET',
        rawPath: '/prod/v3/clusters',
        rawQuery: 'clusterStatus=CREATE_COMPLETE,UPDATE_COMPLETE',
        reply: reply(200, { clusters: [] }),
      },
      '/prod',
      problems,
      seen,
    );
    checkExchange(
      { method: 'GET', rawPath: '/prod/v3/clusters', rawQuery: 'status=x', reply: reply(200, { clusters: [] }) },
      '/prod',
      problems,
      seen,
    );
    checkExchange(
      { method: 'GET', rawPath: '/prod/v3/images/custom/img/logstreams/3.12.0/1', rawQuery: '', reply: reply(200, {}) },
      '/prod',
      problems,
      seen,
    );
    checkExchange(
      {
        method: 'GET',
        rawPath: '/prod/v3/images/custom/img/logstreams/a',
        rawQuery: 'limit=ten&startFromHead=yes',
        reply: reply(200, {}),
      },
      '/prod',
      problems,
      seen,
    );
    checkExchange(
      { method: 'GET', rawPath: '/prod/v3/images/custom/img', rawQuery: '', reply: reply(200, { imageId: 'img' }) },
      '/prod',
      problems,
      seen,
    );
    checkExchange(
      { method: 'GET', rawPath: '/prod/v3/images/custom/img', rawQuery: '', reply: reply(418, {}) },
      '/prod',
      problems,
      seen,
    );
    expect(problems.join('\n')).toMatch(/required imageStatus missing/);
    expect(problems.join('\n')).toMatch(/must repeat the key/);
    expect(problems.join('\n')).toMatch(/query parameter status is not declared/);
    expect(problems.join('\n')).toMatch(/path is not in the spec/);
    expect(problems.join('\n')).toMatch(/limit=ten is not an integer/);
    expect(problems.join('\n')).toMatch(/startFromHead=yes is not a boolean/);
    expect(problems.join('\n')).toMatch(/body does not match .*DescribeImageResponseContent/);
    expect(problems.join('\n')).toMatch(/status 418 is not declared/);
  });
});

describe('the zod wire schemas agree with the spec’s schemas', () => {
  const schemas = (spec.components as Json).schemas as Record<string, { properties?: Json; required?: string[] }>;
  // Deliberate deviations, each a documented quirk of the real server.
  const relaxed: Record<string, string[]> = {
    // pcluster returns no imageBuildStatus when the stack status is unmapped.
    DescribeImageResponseContent: ['imageBuildStatus', 'imageConfiguration'],
    // CloudWatch no longer returns uploadSequenceToken, and streams without events have no event times.
    LogStream: [
      'creationTime',
      'firstEventTimestamp',
      'lastEventTimestamp',
      'lastIngestionTime',
      'uploadSequenceToken',
      'logStreamArn',
    ],
    // Tags with an empty value are still tags.
    Tag: ['key', 'value'],
    // The server copies CloudFormation's keys unchecked; CloudFormation's model makes these optional.
    StackEvent: ['logicalResourceId', 'physicalResourceId', 'resourceType', 'resourceStatus'],
  };
  /**
   * Members the schema reads beyond the spec's: CloudFormation's hook members, which the server
   * passes on with the keys it copies; optional, as in CloudFormation's model.
   */
  const beyondSpec: Record<string, string[]> = {
    StackEvent: ['hookType', 'hookStatus', 'hookStatusReason', 'hookInvocationPoint'],
  };
  const pairs: Array<[string, z.ZodObject]> = [
    ['ImageInfoSummary', wire.ImageInfoSummaryWire],
    ['ListImagesResponseContent', wire.ListImagesWire],
    ['DescribeImageResponseContent', wire.DescribeImageWire],
    ['Ec2AmiInfo', wire.Ec2AmiInfoWire],
    ['Ec2AmiInfoSummary', wire.Ec2AmiInfoSummaryWire],
    ['Tag', wire.TagWire],
    ['StackEvent', wire.StackEventWire],
    ['GetImageStackEventsResponseContent', wire.StackEventsWire],
    ['GetClusterStackEventsResponseContent', wire.StackEventsWire],
    ['LogStream', wire.LogStreamWire],
    ['ListImageLogStreamsResponseContent', wire.LogStreamsWire],
    ['LogEvent', wire.LogEventWire],
    ['GetImageLogEventsResponseContent', wire.LogEventsWire],
    ['ClusterInfoSummary', wire.ClusterInfoSummaryWire],
    ['ListClustersResponseContent', wire.ListClustersWire],
    ['DescribeClusterResponseContent', wire.DescribeClusterWire],
    ['Scheduler', wire.SchedulerWire],
  ];
  it.each(pairs)('%s', (name, zodSchema) => {
    const s = schemas[name];
    expect(s).toBeDefined();
    const shape = zodSchema.shape as Record<string, z.ZodType>;
    const specProps = Object.keys(s?.properties ?? {}).sort();
    const extra = beyondSpec[name] ?? [];
    expect(
      Object.keys(shape)
        .filter((k) => !extra.includes(k))
        .sort(),
    ).toEqual(specProps);
    for (const field of extra) {
      expect(specProps, `${field} is in the spec now: drop it from beyondSpec`).not.toContain(field);
      expect(`${field}: ${(shape[field] as z.ZodType).safeParse(undefined).success ? 'optional' : 'required'}`).toBe(
        `${field}: optional`,
      );
    }
    for (const field of specProps) {
      const optionalHere = (shape[field] as z.ZodType).safeParse(undefined).success;
      const requiredThere = (s?.required ?? []).includes(field);
      if (relaxed[name]?.includes(field)) continue;
      expect(`${field}: ${optionalHere ? 'optional' : 'required'}`).toBe(
        `${field}: ${requiredThere ? 'required' : 'optional'}`,
      );
    }
  });
});
