import { randomUUID } from 'node:crypto';
import { type CfnEvent, type CfnStack, type StackView, cfnEventMembers } from '../cloudformation/store.js';
import { LogsError, getLogEventsPage } from '../cloudwatch-logs/index.js';
import { type EmulatorReply, type EmulatorRequest, type Handler, Router } from '../harness.js';
import { GatewayAuthError, type SigV4VerifyOptions, verifySigV4 } from './sigv4.js';
import { PCLUSTER_VERSION, type ParallelClusterWorld } from './world.js';

/**
 * The ParallelCluster API v3 as deployed behind API Gateway: SigV4 (`execute-api`) verified by
 * recomputing the signature; API Gateway's own 403s (Missing Authentication Token for unsigned
 * requests AND for unknown paths, invalid signature, unknown key, explicit deny); then the Lambda's
 * answers, computed from the world the way pcluster computes them (statuses derived from the
 * stack's and the image's, two status tables, one CloudFormation page per ListImages/ListClusters
 * call, absent-not-null fields).
 */
export interface ParallelClusterApiOptions {
  /** Accepted keys (signatures are verified against them). */
  credentials: SigV4VerifyOptions['credentials'];
  /** The API stage (default `prod`). */
  stage?: string;
  /** The region signatures must be scoped to (default: the world's region). */
  signingRegion?: string;
  /** Access keys the resource policy denies explicitly (403 AccessDeniedException). */
  deniedAccessKeys?: readonly string[];
  /** Stacks per internal DescribeStacks page (ListImages PENDING/FAILED, ListClusters). Default 100. */
  stacksPageSize?: number;
  /** Events per internal DescribeStackEvents page. Default 100. */
  eventsPageSize?: number;
  /**
   * API Gateway's own clock (default Date.now): the age of a signature is judged by it, and every
   * reply carries it in `Date` (clients correct a skewed local clock from it).
   */
  gatewayClock?: () => number;
}

const SUPPORTED_REGIONS = new Set([
  'af-south-1',
  'ap-east-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ca-central-1',
  'cn-north-1',
  'cn-northwest-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-gov-east-1',
  'us-gov-west-1',
  'us-west-1',
  'us-west-2',
]);

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const tagList = (tags: Record<string, string>) => Object.entries(tags).map(([key, value]) => ({ key, value }));

function json(status: number, body: unknown, extra: Record<string, string> = {}): EmulatorReply {
  return {
    status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-requestid': randomUUID(),
      'x-amz-apigw-id': randomUUID().slice(0, 16),
      ...extra,
    },
    body: JSON.stringify(body),
  };
}

/** API Gateway's own error answer. */
export function gatewayErrorReply(status: number, errorType: string, message: string, capital = false): EmulatorReply {
  return json(status, capital ? { Message: message } : { message }, { 'x-amzn-errortype': errorType });
}

/*
 * pcluster's status conversions, said as rules over CloudFormation's status words (an emulator
 * states what the server does in its own terms; it never shares the client's tables).
 */

/** DescribeImage's ImageBuilderStatusMapping; undefined = pcluster sends no `imageBuildStatus`. */
function describeImageBuildStatus(stackStatus: string): string | undefined {
  if (stackStatus.startsWith('DELETE_')) return stackStatus;
  // A stack rolling back after a failed create has failed the build already.
  if (stackStatus === 'ROLLBACK_IN_PROGRESS') return 'BUILD_FAILED';
  if (stackStatus.endsWith('_IN_PROGRESS')) return 'BUILD_IN_PROGRESS';
  if (stackStatus.includes('ROLLBACK') || stackStatus === 'CREATE_FAILED') return 'BUILD_FAILED';
  if (stackStatus.endsWith('_COMPLETE')) return 'BUILD_COMPLETE';
  // UPDATE_FAILED is not in the mapping.
  return undefined;
}

/** ListImages' cloud_formation_status_to_image_status: anything it does not convert passes through. */
function listImagesBuildStatus(stackStatus: string): string {
  const createOrUpdate = stackStatus.startsWith('CREATE_') || stackStatus.startsWith('UPDATE_');
  if (createOrUpdate && stackStatus.endsWith('_IN_PROGRESS')) return 'BUILD_IN_PROGRESS';
  if (stackStatus === 'CREATE_FAILED' || /^(UPDATE_)?ROLLBACK_(FAILED|COMPLETE)$/.test(stackStatus))
    return 'BUILD_FAILED';
  if (stackStatus === 'ROLLBACK_IN_PROGRESS') return 'BUILD_FAILED';
  if (stackStatus === 'CREATE_COMPLETE' || stackStatus === 'UPDATE_COMPLETE') return 'BUILD_COMPLETE';
  return stackStatus;
}

/** Which stacks ListImages keeps for `imageStatus=PENDING|FAILED`. */
function keptByImageStatus(filter: 'PENDING' | 'FAILED', stackStatus: string): boolean {
  if (filter === 'PENDING') return stackStatus === 'CREATE_IN_PROGRESS';
  return /^(CREATE|DELETE)_FAILED$/.test(stackStatus) || stackStatus.startsWith('ROLLBACK_');
}

/** cloud_formation_status_to_cluster_status: anything it does not convert passes through. */
function clusterStatus(stackStatus: string): string {
  if (stackStatus.startsWith('ROLLBACK_')) return 'CREATE_FAILED';
  if (stackStatus.startsWith('UPDATE_') && stackStatus.endsWith('_IN_PROGRESS')) return 'UPDATE_IN_PROGRESS';
  if (stackStatus.startsWith('UPDATE_ROLLBACK_')) return 'UPDATE_FAILED';
  return stackStatus;
}

/** The members of the spec's `StackEvent`: pcluster's `StackEvent.from_dict` keeps only these. */
const API_STACK_EVENT_MEMBERS = new Set([
  'stackId',
  'eventId',
  'stackName',
  'logicalResourceId',
  'physicalResourceId',
  'resourceType',
  'timestamp',
  'resourceStatus',
  'resourceStatusReason',
  'resourceProperties',
  'clientRequestToken',
]);

/**
 * pcluster's convert_event: every key CloudFormation sent, first letter lower-cased, copied without
 * checking (a member CloudFormation left out stays out); only the modelled members survive;
 * timestamps ISO with milliseconds and Z.
 */
function apiEvent(e: CfnEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of cfnEventMembers(e)) {
    const key = name.charAt(0).toLowerCase() + name.slice(1);
    if (API_STACK_EVENT_MEMBERS.has(key)) out[key] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
}

/** The stacks DescribeStacks lists (all but deleted ones). */
function liveStacks(world: ParallelClusterWorld): StackView[] {
  const out: StackView[] = [];
  for (const st of world.cfn.allStacks()) {
    const v = world.cfn.view(st);
    if (v && v.status !== 'DELETE_COMPLETE') out.push(v);
  }
  return out;
}

/** One DescribeStacks page without StackName (token: offset). */
function stacksPage(world: ParallelClusterWorld, token: string | undefined, size: number) {
  const all = liveStacks(world);
  let start = 0;
  if (token !== undefined) {
    const m = /^o(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!m) throw new ApiError(400, 'Bad Request: Invalid NextToken');
    start = Number(m[1]);
  }
  const page = all.slice(start, start + size);
  const next = start + size < all.length ? Buffer.from(`o${start + size}`).toString('base64url') : undefined;
  return { page, next };
}

/** A cluster's root stack by name: tagged with a ParallelCluster version, not an image's, not nested. */
function clusterStackOf(world: ParallelClusterWorld, name: string): CfnStack | undefined {
  const st = world.cfn.find(name);
  const v = st ? world.cfn.view(st) : undefined;
  if (
    !v ||
    v.parentId ||
    v.tags['parallelcluster:version'] === undefined ||
    v.tags['parallelcluster:image_id'] !== undefined
  )
    return undefined;
  return st;
}

/** The AMIs a built image left (tagged available), of one image id or all. */
function availableAmisOf(world: ParallelClusterWorld, imageId?: string) {
  return world.ec2
    .visible()
    .filter(
      (a) =>
        a.tags?.['parallelcluster:build_status'] === 'available' &&
        a.tags['parallelcluster:image_id'] !== undefined &&
        (imageId === undefined || a.tags['parallelcluster:image_id'] === imageId),
    );
}

/** What the routes share: the world, the stage's paths, query access and pcluster's lookups. */
function apiContext(world: ParallelClusterWorld, opts: ParallelClusterApiOptions) {
  const stage = opts.stage ?? 'prod';
  const stacksPageSize = opts.stacksPageSize ?? 100;
  const eventsPage = opts.eventsPageSize ?? 100;
  const p = (path: string) => `/${stage}/v3${path}`;

  const stacksPageAt = (token: string | undefined) => stacksPage(world, token, stacksPageSize);
  const q = (req: EmulatorRequest, name: string) => req.url.searchParams.get(name) ?? undefined;
  const checkRegion = (req: EmulatorRequest) => {
    const r = q(req, 'region');
    if (r !== undefined && !SUPPORTED_REGIONS.has(r))
      throw new ApiError(400, `Bad Request: invalid or unsupported region '${r}'`);
    return r ?? world.region;
  };
  const imageStack = (id: string): CfnStack | undefined => {
    const st = world.cfn.find(id);
    return st && world.cfn.view(st)?.tags['parallelcluster:image_id'] !== undefined ? st : undefined;
  };
  const clusterStack = (name: string) => clusterStackOf(world, name);
  const availableAmis = (imageId?: string) => availableAmisOf(world, imageId);
  const eventsOf = (st: CfnStack, token: string | undefined) => {
    try {
      const page = world.cfn.eventsPage(st, token, eventsPage);
      return { events: page.events.map(apiEvent), ...(page.next ? { nextToken: page.next } : {}) };
    } catch {
      throw new ApiError(400, 'Bad Request: Invalid NextToken');
    }
  };
  const logGroupOf = (id: string) => `/aws/imagebuilder/ParallelClusterImage-${id}`;
  return {
    world,
    stage,
    p,
    q,
    checkRegion,
    stacksPageAt,
    imageStack,
    clusterStack,
    availableAmis,
    eventsOf,
    logGroupOf,
  };
}
type ApiContext = ReturnType<typeof apiContext>;

/** ListImages, DescribeImage, GetImageStackEvents. */
function imageRoutes(router: Router, ctx: ApiContext): void {
  router.on('GET', ctx.p('/images/custom'), (req) => listImages(ctx, req));
  router.on('GET', ctx.p('/images/custom/:imageId'), (req) => describeImage(ctx, req));
  router.on('GET', ctx.p('/images/custom/:imageId/stackevents'), (req) => imageStackEvents(ctx, req));
}

/** ListImages: AVAILABLE from the tagged AMIs, PENDING and FAILED from one DescribeStacks page. */
function listImages(ctx: ApiContext, req: EmulatorRequest): EmulatorReply {
  const { q, checkRegion, stacksPageAt, availableAmis } = ctx;
  const region = checkRegion(req);
  const status = q(req, 'imageStatus');
  if (status === undefined) throw new ApiError(400, "Bad Request: Missing query parameter 'imageStatus'");
  if (!['AVAILABLE', 'PENDING', 'FAILED'].includes(status))
    throw new ApiError(400, `Bad Request: '${status}' is not one of ['AVAILABLE', 'PENDING', 'FAILED']`);
  if (status === 'AVAILABLE') {
    return json(200, {
      images: availableAmis().map((a) => ({
        imageId: a.tags?.['parallelcluster:image_id'],
        imageBuildStatus: 'BUILD_COMPLETE',
        ec2AmiInfo: { amiId: a.imageId },
        region,
        version: a.tags?.['parallelcluster:version'] ?? PCLUSTER_VERSION,
      })),
    });
  }
  const { page, next } = stacksPageAt(q(req, 'nextToken'));
  const images = page
    .filter(
      (v) =>
        !v.parentId &&
        v.tags['parallelcluster:image_id'] !== undefined &&
        keptByImageStatus(status as 'PENDING' | 'FAILED', v.status),
    )
    .map((v) => ({
      imageId: v.tags['parallelcluster:image_id'],
      imageBuildStatus: listImagesBuildStatus(v.status),
      cloudformationStackStatus: v.status,
      cloudformationStackArn: v.id,
      region,
      version: v.tags['parallelcluster:version'] ?? PCLUSTER_VERSION,
    }));
  return json(200, { images, ...(next ? { nextToken: next } : {}) });
}

/** DescribeImage: the AMI once built, else the image's stack and its Image Builder image. */
function describeImage(ctx: ApiContext, req: EmulatorRequest): EmulatorReply {
  const { world, checkRegion, imageStack, availableAmis } = ctx;
  const region = checkRegion(req);
  const id = req.params.imageId as string;
  const ami = availableAmis(id)[0];
  if (ami) {
    const tags = ami.tags ?? {};
    return json(200, {
      imageId: id,
      imageBuildStatus: 'BUILD_COMPLETE',
      creationTime: ami.creationDate ?? iso(ami.registeredAt ?? 0),
      imageConfiguration: {
        url: `https://${tags['parallelcluster:s3_bucket']}.s3.${region}.amazonaws.com/${tags['parallelcluster:s3_image_dir']}/configs/image-config.yaml?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600`,
      },
      region,
      version: tags['parallelcluster:version'] ?? PCLUSTER_VERSION,
      ec2AmiInfo: {
        amiId: ami.imageId,
        amiName: ami.name,
        architecture: ami.architecture ?? 'x86_64',
        state: (ami.state ?? 'available').toUpperCase(),
        tags: tagList(tags),
        ...(ami.description !== undefined ? { description: ami.description } : {}),
      },
    });
  }
  const st = imageStack(id);
  const v = st ? world.cfn.view(st) : undefined;
  if (!st || !v) throw new ApiError(404, `No image or stack associated with ParallelCluster image id: ${id}.`);
  const res = world.cfn.resources(st).find((r) => r.logicalId === 'ParallelClusterImage');
  const ib = res?.physicalId ? world.imagebuilder.wireImage(res.physicalId) : undefined;
  const ibState = ib?.state as { status?: string; reason?: string } | undefined;
  const body: Record<string, unknown> = {
    imageId: id,
    imageConfiguration: {
      url: `https://${v.tags['parallelcluster:s3_bucket']}.s3.${region}.amazonaws.com/${v.tags['parallelcluster:s3_image_dir']}/configs/image-config.yaml?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600`,
    },
    creationTime: iso(v.createdAt),
    region,
    version: v.tags['parallelcluster:version'] ?? PCLUSTER_VERSION,
    cloudformationStackArn: v.id,
    cloudformationStackStatus: v.status,
    cloudformationStackCreationTime: iso(v.createdAt),
    cloudformationStackTags: tagList(v.tags),
  };
  const build = describeImageBuildStatus(v.status);
  if (build !== undefined) body.imageBuildStatus = build;
  if (v.reason !== undefined) body.cloudformationStackStatusReason = v.reason;
  if (v.tags['parallelcluster:build_log'] !== undefined) body.imageBuildLogsArn = v.tags['parallelcluster:build_log'];
  if (ibState?.status !== undefined) body.imagebuilderImageStatus = ibState.status;
  if (ibState?.reason !== undefined) body.imagebuilderImageStatusReason = ibState.reason;
  return json(200, body);
}

/** GetImageStackEvents: one page of the image stack's events. */
function imageStackEvents(ctx: ApiContext, req: EmulatorRequest): EmulatorReply {
  const { q, checkRegion, imageStack, eventsOf } = ctx;
  checkRegion(req);
  const id = req.params.imageId as string;
  const st = imageStack(id);
  if (!st) throw new ApiError(404, `CloudFormation Stack for Image ${id} does not exist.`);
  return json(200, eventsOf(st, q(req, 'nextToken')));
}

/** ListImageLogStreams, GetImageLogEvents. */
function logRoutes(router: Router, ctx: ApiContext): void {
  const { world, p, q, checkRegion, logGroupOf } = ctx;
  router.on('GET', p('/images/custom/:imageId/logstreams'), (req) => {
    checkRegion(req);
    const id = req.params.imageId as string;
    const g = world.logs.group(logGroupOf(id));
    if (!g) throw new ApiError(404, `Unable to find image logs, please double check if image id=${id} is correct.`);
    const streams = [...g.streams.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    const token = q(req, 'nextToken');
    const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
    if (!Number.isInteger(start)) throw new ApiError(400, 'Bad Request: The specified nextToken is invalid.');
    const page = streams.slice(start, start + 50);
    const logStreams = page.map((s) => {
      const ev = world.logs.visibleEvents(s);
      const out: Record<string, unknown> = {
        logStreamName: s.name,
        creationTime: iso(s.createdAt),
        uploadSequenceToken: '49039859613988223109009894236000000000000000000000000000',
        logStreamArn: world.logs.arn(g.name, s.name),
      };
      if (ev.length > 0) {
        out.firstEventTimestamp = iso((ev[0] as { timestamp: number }).timestamp);
        out.lastEventTimestamp = iso((ev[ev.length - 1] as { timestamp: number }).timestamp);
        out.lastIngestionTime = iso((ev[ev.length - 1] as { timestamp: number }).timestamp + 5);
      }
      return out;
    });
    return json(200, {
      logStreams,
      ...(start + 50 < streams.length ? { nextToken: Buffer.from(String(start + 50)).toString('base64url') } : {}),
    });
  });

  router.on('GET', p('/images/custom/:imageId/logstreams/:logStreamName'), (req) => {
    checkRegion(req);
    const id = req.params.imageId as string;
    const stream = req.params.logStreamName as string;
    const limitText = q(req, 'limit');
    const limit = limitText === undefined ? undefined : Number(limitText);
    if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0))
      throw new ApiError(400, "Bad Request: 'limit' must be a positive integer.");
    const time = (name: string) => {
      const v = q(req, name);
      if (v === undefined) return undefined;
      const t = Date.parse(v);
      if (Number.isNaN(t)) throw new ApiError(400, `Bad Request: '${v}' is not a 'date-time'`);
      return t;
    };
    const startTime = time('startTime');
    const endTime = time('endTime');
    if (startTime !== undefined && endTime !== undefined && startTime >= endTime)
      throw new ApiError(400, 'Bad Request: start_time filter must be earlier than end_time filter.');
    const sfh = q(req, 'startFromHead');
    if (sfh !== undefined && sfh !== 'true' && sfh !== 'false')
      throw new ApiError(400, `Bad Request: '${sfh}' is not of type 'boolean'`);
    if (!world.logs.group(logGroupOf(id)))
      throw new ApiError(404, `Unable to find image logs, please double check if image id=${id} is correct.`);
    try {
      const page = getLogEventsPage(world.logs, {
        logGroupName: logGroupOf(id),
        logStreamName: stream,
        startTime,
        endTime,
        limit,
        startFromHead: sfh === 'true',
        nextToken: q(req, 'nextToken'),
      });
      return json(200, {
        events: page.events.map((e) => ({ timestamp: iso(e.timestamp), message: e.message })),
        nextToken: page.nextForwardToken,
        prevToken: page.nextBackwardToken,
      });
    } catch (err) {
      if (err instanceof LogsError && err.type === 'ResourceNotFoundException')
        throw new ApiError(404, `The specified log stream ${stream} does not exist.`);
      if (err instanceof LogsError) throw new ApiError(400, `Bad Request: ${err.message}`);
      throw err;
    }
  });
}

/** ListClusters, DescribeCluster, GetClusterStackEvents. */
function clusterRoutes(router: Router, ctx: ApiContext): void {
  router.on('GET', ctx.p('/clusters'), (req) => listClusters(ctx, req));
  router.on('GET', ctx.p('/clusters/:clusterName'), (req) => describeCluster(ctx, req));
  router.on('GET', ctx.p('/clusters/:clusterName/stackevents'), (req) => clusterStackEvents(ctx, req));
}

/** ListClusters: the cluster stacks of one DescribeStacks page, filtered by `clusterStatus`. */
function listClusters(ctx: ApiContext, req: EmulatorRequest): EmulatorReply {
  const { q, checkRegion, stacksPageAt } = ctx;
  const region = checkRegion(req);
  const wanted = req.url.searchParams.getAll('clusterStatus');
  const allowed = [
    'CREATE_IN_PROGRESS',
    'CREATE_FAILED',
    'CREATE_COMPLETE',
    'DELETE_IN_PROGRESS',
    'DELETE_FAILED',
    'UPDATE_IN_PROGRESS',
    'UPDATE_COMPLETE',
    'UPDATE_FAILED',
  ];
  for (const w of wanted)
    if (!allowed.includes(w)) throw new ApiError(400, `Bad Request: '${w}' is not one of ${JSON.stringify(allowed)}`);
  const { page, next } = stacksPageAt(q(req, 'nextToken'));
  const clusters = page
    .filter(
      (v) =>
        !v.parentId &&
        v.tags['parallelcluster:version'] !== undefined &&
        v.tags['parallelcluster:image_id'] === undefined,
    )
    .map((v) => ({
      clusterName: v.name,
      region,
      version: v.tags['parallelcluster:version'],
      cloudformationStackArn: v.id,
      cloudformationStackStatus: v.status,
      clusterStatus: clusterStatus(v.status),
      scheduler: { type: v.parameters.Scheduler ?? 'slurm' },
    }))
    .filter((c) => wanted.length === 0 || wanted.includes(c.clusterStatus));
  return json(200, { clusters, ...(next ? { nextToken: next } : {}) });
}

/** DescribeCluster: the cluster stack, its head node once created, its failure. */
function describeCluster(ctx: ApiContext, req: EmulatorRequest): EmulatorReply {
  const { world, checkRegion, clusterStack } = ctx;
  const region = checkRegion(req);
  const name = req.params.clusterName as string;
  const st = clusterStack(name);
  const v = st ? world.cfn.view(st) : undefined;
  if (!st || !v)
    throw new ApiError(
      404,
      `Cluster '${name}' does not exist or belongs to an incompatible ParallelCluster major version.`,
    );
  const cs = clusterStatus(v.status);
  const head = world.cfn.resources(st).find((r) => r.logicalId === 'HeadNode' && r.status === 'CREATE_COMPLETE');
  const body: Record<string, unknown> = {
    clusterName: name,
    region,
    version: v.tags['parallelcluster:version'],
    cloudFormationStackStatus: v.status,
    clusterStatus: cs,
    scheduler: { type: v.parameters.Scheduler ?? 'slurm' },
    cloudformationStackArn: v.id,
    creationTime: iso(v.createdAt),
    lastUpdatedTime: iso(v.lastUpdatedAt ?? v.createdAt),
    clusterConfiguration: {
      url: `https://parallelcluster-${world.accountId}.s3.${region}.amazonaws.com/${name}/cluster-config.yaml`,
    },
    computeFleetStatus: cs === 'CREATE_COMPLETE' || cs === 'UPDATE_COMPLETE' ? 'RUNNING' : 'UNKNOWN',
    tags: tagList(v.tags),
  };
  if (head?.physicalId)
    body.headNode = {
      instanceId: head.physicalId,
      instanceType: 't3.micro',
      launchTime: iso(head.updatedAt),
      privateIpAddress: '10.0.0.1',
      state: 'running',
    };
  if (cs.endsWith('_FAILED') && v.reason)
    body.failures = [{ failureCode: 'ClusterCreationFailure', failureReason: v.reason }];
  return json(200, body);
}

/** GetClusterStackEvents: one page of the cluster stack's events. */
function clusterStackEvents(ctx: ApiContext, req: EmulatorRequest): EmulatorReply {
  const { q, checkRegion, clusterStack, eventsOf } = ctx;
  checkRegion(req);
  const name = req.params.clusterName as string;
  const st = clusterStack(name);
  if (!st) throw new ApiError(404, `Cluster ${name} does not exist.`);
  return json(200, eventsOf(st, q(req, 'nextToken')));
}

/** Create the API handler (mount with startEmulator). */
export function createParallelClusterApiHandler(world: ParallelClusterWorld, opts: ParallelClusterApiOptions): Handler {
  const ctx = apiContext(world, opts);
  const stage = ctx.stage;
  const router = new Router();
  imageRoutes(router, ctx);
  logRoutes(router, ctx);
  clusterRoutes(router, ctx);

  // API Gateway answers an unknown path or method with "Missing Authentication Token".
  const routed = router.handler(() =>
    gatewayErrorReply(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'),
  );
  const denied = new Set(opts.deniedAccessKeys ?? []);
  const signingRegion = opts.signingRegion ?? world.region;

  const gatewayClock = opts.gatewayClock;
  const handle = async (req: EmulatorRequest): Promise<EmulatorReply> => {
    world.onRequest();
    try {
      const key = await verifySigV4(req, {
        credentials: opts.credentials,
        region: signingRegion,
        ...(gatewayClock ? { now: gatewayClock } : {}),
      });
      if (denied.has(key)) {
        throw new GatewayAuthError(
          'AccessDeniedException',
          `User: arn:aws:sts::${world.accountId}:assumed-role/SomeRole/${key} is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:${signingRegion}:${world.accountId}:emulator/${stage}/${req.method}${req.rawPath.replace(`/${stage}`, '')} with an explicit deny`,
          true,
        );
      }
      return await routed(req);
    } catch (err) {
      if (err instanceof GatewayAuthError)
        return gatewayErrorReply(403, err.errorType, err.message, err.capitalMessage);
      if (err instanceof ApiError) return json(err.status, { message: err.message });
      return json(500, { message: `Failed when calling AWS service: ${String(err)}` });
    }
  };
  if (!gatewayClock) return handle;
  return async (req) => {
    const reply = await handle(req);
    return { ...reply, headers: { ...(reply.headers ?? {}), date: new Date(gatewayClock()).toUTCString() } };
  };
}
