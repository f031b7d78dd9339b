import { createHash } from 'node:crypto';
import type { CfnEventSeed } from '../cloudformation/store.js';
import { PCLUSTER_VERSION, type ParallelClusterWorld } from './world.js';

/**
 * Scripted scenarios: each writes the whole timeline (stack events, Image Builder statuses, AMI,
 * log lines) at creation, relative to the world clock's "now", and returns its ground truth.
 */

const S = 1000;
const hex = (seed: string, n: number) => createHash('sha256').update(seed).digest('hex').slice(0, n);

export interface ImageBuildTruth {
  imageId: string;
  stackId: string;
  stackName: string;
  /** The Image Builder image build version ARN (physical id of `ParallelClusterImage`). */
  imageBuilderArn: string;
  logGroup: string;
  logStream: string;
  startedAt: number;
  /** When the build's outcome is decided (AMI registered / resource failed). */
  buildEndsAt: number;
  /** When nothing more happens. */
  endsAt: number;
  /** The AMI (successful build only). */
  amiId?: string;
  /** Number of stack events the scenario writes. */
  eventCount: number;
  /** Number of log lines. */
  logLineCount: number;
}

interface ImageBuildOptions {
  imageId: string;
  /** Seconds the Image Builder build takes (default 120). */
  buildSeconds?: number;
  /** Offset from now (ms) at which the build starts (default 0). */
  startInMs?: number;
}

const IMAGE_RESOURCES: Array<[string, string]> = [
  ['InstanceRole', 'AWS::IAM::Role'],
  ['InstanceProfile', 'AWS::IAM::InstanceProfile'],
  ['BuildNotificationTopic', 'AWS::SNS::Topic'],
  ['ImageRecipe', 'AWS::ImageBuilder::ImageRecipe'],
  ['InfrastructureConfiguration', 'AWS::ImageBuilder::InfrastructureConfiguration'],
  ['DistributionConfiguration', 'AWS::ImageBuilder::DistributionConfiguration'],
  ['DeleteStackFunction', 'AWS::Lambda::Function'],
];

function physicalOf(world: ParallelClusterWorld, logical: string, type: string, imageId: string): string {
  const h = hex(`${imageId}|${logical}`, 12);
  switch (type) {
    case 'AWS::IAM::Role':
    case 'AWS::IAM::InstanceProfile':
      return `${imageId}-${logical}-${h.toUpperCase()}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${world.region}:${world.accountId}:${imageId}-${logical}-${h}`;
    case 'AWS::Lambda::Function':
      return `${imageId}-${logical}-${h}`;
    default:
      return `arn:aws:imagebuilder:${world.region}:${world.accountId}:${logical.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}/parallelclusterimage-${imageId.toLowerCase()}/${PCLUSTER_VERSION}`;
  }
}

function imageTags(world: ParallelClusterWorld, imageId: string): Record<string, string> {
  return {
    'parallelcluster:image_id': imageId,
    'parallelcluster:image_name': imageId,
    'parallelcluster:version': PCLUSTER_VERSION,
    'parallelcluster:s3_bucket': `parallelcluster-${hex(world.accountId, 16)}-v1-do-not-delete`,
    'parallelcluster:s3_image_dir': `parallelcluster/${PCLUSTER_VERSION}/images/${imageId.toLowerCase()}-${hex(imageId, 16)}`,
    'parallelcluster:build_log': `arn:aws:logs:${world.region}:${world.accountId}:log-group:/aws/imagebuilder/ParallelClusterImage-${imageId}`,
    'parallelcluster:build_config': `s3://parallelcluster-${hex(world.accountId, 16)}-v1-do-not-delete/parallelcluster/${PCLUSTER_VERSION}/images/${imageId.toLowerCase()}/configs/image-config.yaml`,
  };
}

/** One image build being scripted: where its events go and the ids they carry. */
interface BuildScript {
  world: ParallelClusterWorld;
  imageId: string;
  /** Every event of the stack, in the order it is scripted. */
  events: CfnEventSeed[];
  /** Adds an event of the create operation (its operation id and client request token). */
  push: (e: Omit<CfnEventSeed, 'operationId' | 'clientRequestToken'>) => void;
}

/** The Image Builder image the stack's `ParallelClusterImage` builds (with its AMI when it succeeds); returns its ARN. */
function addBuilderImage(
  world: ParallelClusterWorld,
  imageId: string,
  build: { ibStart: number; buildMs: number; buildEnd: number; amiId: string },
  succeed: boolean,
): string {
  const { ibStart, buildMs, buildEnd, amiId } = build;
  return world.imagebuilder.addImage({
    name: `parallelclusterimage-${imageId.toLowerCase()}`,
    version: PCLUSTER_VERSION,
    createdAt: ibStart,
    statuses: imageBuilderStatuses(ibStart, buildMs, succeed),
    tags: { 'parallelcluster:image_id': imageId },
    ...(succeed
      ? { amis: [{ region: world.region, image: amiId, name: `${imageId} ${new Date(buildEnd).toISOString()}` }] }
      : {}),
  });
}

function imageBuild(world: ParallelClusterWorld, opts: ImageBuildOptions, succeed: boolean): ImageBuildTruth {
  const { imageId } = opts;
  const t0 = world.now() + (opts.startInMs ?? 0);
  const buildMs = (opts.buildSeconds ?? 120) * S;
  const tags = imageTags(world, imageId);
  const stackId = world.cfn.addStack({
    name: imageId,
    createdAt: t0,
    tags,
    description: 'AWS ParallelCluster Image',
  });
  const opId = `${hex(`${stackId}|create`, 8)}-${hex(`${stackId}|c2`, 4)}-4${hex(stackId, 3)}-8${hex(imageId, 3)}-${hex(`${stackId}|op`, 12)}`;
  const token = `pcluster-build-image-${hex(imageId, 8)}`;
  const events: CfnEventSeed[] = [];
  const script: BuildScript = {
    world,
    imageId,
    events,
    push: (e) => events.push({ ...e, operationId: opId, clientRequestToken: token }),
  };
  script.push({
    at: t0,
    logicalId: imageId,
    type: 'AWS::CloudFormation::Stack',
    status: 'CREATE_IN_PROGRESS',
    reason: 'User Initiated',
  });
  const t = createImageResources(script, t0 + 2 * S);
  const ibStart = t + 1 * S;
  const buildEnd = ibStart + buildMs;
  const amiId = `ami-${hex(`${imageId}|ami`, 17)}`;
  const ibArn = addBuilderImage(world, imageId, { ibStart, buildMs, buildEnd, amiId }, succeed);
  const imageProps = JSON.stringify({
    ImageRecipeArn: physicalOf(world, 'ImageRecipe', 'AWS::ImageBuilder::ImageRecipe', imageId),
  });
  script.push({
    at: t,
    logicalId: 'ParallelClusterImage',
    type: 'AWS::ImageBuilder::Image',
    status: 'CREATE_IN_PROGRESS',
    properties: imageProps,
  });
  script.push({
    at: ibStart,
    logicalId: 'ParallelClusterImage',
    physicalId: ibArn,
    type: 'AWS::ImageBuilder::Image',
    status: 'CREATE_IN_PROGRESS',
    reason: 'Resource creation Initiated',
    properties: imageProps,
  });
  const log = addBuildLog(world, imageId, ibStart, buildEnd, succeed);
  const endsAt = succeed
    ? finishSucceeded(script, { stackId, ibArn, imageProps, buildEnd, amiId, tags })
    : finishFailed(script, { ibArn, imageProps, buildEnd });
  world.cfn.addEvents(stackId, events);
  const truth: ImageBuildTruth = {
    imageId,
    stackId,
    stackName: imageId,
    imageBuilderArn: ibArn,
    logGroup: log.group,
    logStream: log.stream,
    startedAt: t0,
    buildEndsAt: buildEnd,
    endsAt,
    eventCount: events.length,
    logLineCount: log.lines,
  };
  if (succeed) truth.amiId = amiId;
  return truth;
}

/** The create events of the stack's resources before the image, from `at`; returns when the last ends. */
function createImageResources(script: BuildScript, at: number): number {
  const { world, imageId, push } = script;
  let t = at;
  for (const [logical, type] of IMAGE_RESOURCES) {
    const physical = physicalOf(world, logical, type, imageId);
    const props = JSON.stringify({
      Name: `${logical}-${imageId}`,
      Tags: [{ Key: 'parallelcluster:image_id', Value: imageId }],
    });
    push({
      at: t,
      logicalId: logical,
      type,
      status: 'CREATE_IN_PROGRESS',
      properties: props,
      ...(logical === 'InstanceRole'
        ? {
            hookType: 'Private::Guard::PclusterTags',
            hookStatus: 'HOOK_COMPLETE_SUCCEEDED',
            hookStatusReason: 'Hook succeeded with message: tags present',
            hookInvocationPoint: 'PRE_PROVISION',
            hookFailureMode: 'WARN',
            hookInvocationId: `${hex(`${imageId}|hook`, 8)}-1111-4222-8333-${hex(`${imageId}|hk`, 12)}`,
          }
        : {}),
    });
    push({
      at: t + 1 * S,
      logicalId: logical,
      physicalId: physical,
      type,
      status: 'CREATE_IN_PROGRESS',
      reason: 'Resource creation Initiated',
      properties: props,
    });
    push({
      at: t + 3 * S,
      logicalId: logical,
      physicalId: physical,
      type,
      status: 'CREATE_COMPLETE',
      properties: props,
    });
    t += 4 * S;
  }
  return t;
}

/** The Image Builder image's status timeline: PENDING → BUILDING → TESTING → (DISTRIBUTING → AVAILABLE | FAILED). */
function imageBuilderStatuses(ibStart: number, buildMs: number, succeed: boolean) {
  const buildEnd = ibStart + buildMs;
  return [
    { at: ibStart, status: 'PENDING' },
    { at: ibStart + 5 * S, status: 'BUILDING' },
    { at: ibStart + Math.floor(buildMs * 0.6), status: 'TESTING' },
    ...(succeed
      ? [
          { at: ibStart + Math.floor(buildMs * 0.8), status: 'DISTRIBUTING' },
          { at: buildEnd, status: 'AVAILABLE' },
        ]
      : [
          {
            at: buildEnd,
            status: 'FAILED',
            reason: 'Image Build Failed: Workflow Step failed: TestComponent <update-os> exited with code 1',
          },
        ]),
  ];
}

/** The build's CloudWatch log: a cookbook line every 4 s of the build (and the error of a failed one). */
function addBuildLog(
  world: ParallelClusterWorld,
  imageId: string,
  ibStart: number,
  buildEnd: number,
  succeed: boolean,
) {
  const group = `/aws/imagebuilder/ParallelClusterImage-${imageId}`;
  const stream = `${PCLUSTER_VERSION}/1`;
  const lines: Array<{ timestamp: number; message: string }> = [];
  for (let i = 0, lt = ibStart + 6 * S; lt < buildEnd; i++, lt += 4 * S) {
    lines.push({
      timestamp: lt,
      message: `Stdout: [${i}] step ${i % 7} of the ParallelCluster cookbook <ok> & "quoted"`,
    });
  }
  if (!succeed) lines.push({ timestamp: buildEnd - 1, message: 'ERROR: TestComponent <update-os> exited with code 1' });
  world.logs.addEvents(group, stream, lines);
  return { group, stream, lines: lines.length };
}

/**
 * Every resource of the stack (the image's too) in reverse order, DELETE_IN_PROGRESS then
 * DELETE_COMPLETE half a second later, one second apart from `at`; returns the last second used.
 */
function deleteAllResources(
  script: BuildScript,
  ibArn: string,
  at: number,
  emit: (e: Omit<CfnEventSeed, 'operationId' | 'clientRequestToken'>) => void,
): number {
  const { world, imageId } = script;
  let d = at;
  const all: Array<[string, string]> = [...IMAGE_RESOURCES, ['ParallelClusterImage', 'AWS::ImageBuilder::Image']];
  for (const [logical, type] of all.reverse()) {
    const physical = logical === 'ParallelClusterImage' ? ibArn : physicalOf(world, logical, type, imageId);
    d += 1 * S;
    emit({ at: d, logicalId: logical, physicalId: physical, type, status: 'DELETE_IN_PROGRESS' });
    emit({ at: d + S / 2, logicalId: logical, physicalId: physical, type, status: 'DELETE_COMPLETE' });
  }
  return d;
}

/**
 * A build that succeeded: the image and stack CREATE_COMPLETE, the AMI registered and tagged, then
 * the stack deleted in an operation of its own (as pcluster's SNS → Lambda path does). Returns the end.
 */
function finishSucceeded(
  script: BuildScript,
  build: {
    stackId: string;
    ibArn: string;
    imageProps: string;
    buildEnd: number;
    amiId: string;
    tags: Record<string, string>;
  },
): number {
  const { world, imageId, push, events } = script;
  const { stackId, ibArn, imageProps, buildEnd } = build;
  push({
    at: buildEnd + 2 * S,
    logicalId: 'ParallelClusterImage',
    physicalId: ibArn,
    type: 'AWS::ImageBuilder::Image',
    status: 'CREATE_COMPLETE',
    properties: imageProps,
  });
  push({
    at: buildEnd + 3 * S,
    logicalId: imageId,
    type: 'AWS::CloudFormation::Stack',
    status: 'CREATE_COMPLETE',
    detailedStatus: 'CONFIGURATION_COMPLETE',
  });
  world.ec2.addImage({
    imageId: build.amiId,
    name: `${imageId} ${new Date(buildEnd).toISOString().replace(/[:.]/g, '-')}`,
    description: `AWS ParallelCluster AMI for ${imageId}`,
    architecture: 'x86_64',
    creationDate: new Date(buildEnd).toISOString(),
    registeredAt: buildEnd + 4 * S,
    tags: {
      ...build.tags,
      'parallelcluster:build_status': 'available',
      'parallelcluster:parent_image': 'ami-0parent0000000000',
      Ec2ImageBuilderArn: ibArn,
    },
  });
  const delOp = `${hex(`${stackId}|delete`, 8)}-${hex(`${stackId}|d2`, 4)}-4${hex(`${stackId}d`, 3)}-8${hex(`${imageId}d`, 3)}-${hex(`${stackId}|dop`, 12)}`;
  // The delete is another operation: its own id, no client request token.
  const emit = (e: Omit<CfnEventSeed, 'operationId' | 'clientRequestToken'>) =>
    events.push({ ...e, operationId: delOp });
  const start = buildEnd + 10 * S;
  emit({
    at: start,
    logicalId: imageId,
    type: 'AWS::CloudFormation::Stack',
    status: 'DELETE_IN_PROGRESS',
    reason: 'User Initiated',
  });
  const end = deleteAllResources(script, ibArn, start, emit) + 2 * S;
  emit({ at: end, logicalId: imageId, type: 'AWS::CloudFormation::Stack', status: 'DELETE_COMPLETE' });
  return end;
}

/** A build that failed: the image CREATE_FAILED, the stack rolled back within the create operation. Returns the end. */
function finishFailed(script: BuildScript, build: { ibArn: string; imageProps: string; buildEnd: number }): number {
  const { imageId, push } = script;
  const { ibArn, buildEnd } = build;
  push({
    at: buildEnd + 2 * S,
    logicalId: 'ParallelClusterImage',
    physicalId: ibArn,
    type: 'AWS::ImageBuilder::Image',
    status: 'CREATE_FAILED',
    reason: `Resource handler returned message: "Image status: FAILED. Reason: Image Build Failed: Workflow Step failed" (HandlerErrorCode: NotStabilized)`,
    properties: build.imageProps,
  });
  const start = buildEnd + 3 * S;
  push({
    at: start,
    logicalId: imageId,
    type: 'AWS::CloudFormation::Stack',
    status: 'ROLLBACK_IN_PROGRESS',
    reason: 'The following resource(s) failed to create: [ParallelClusterImage]. Rollback requested by user.',
  });
  const end = deleteAllResources(script, ibArn, start, push) + 2 * S;
  push({ at: end, logicalId: imageId, type: 'AWS::CloudFormation::Stack', status: 'ROLLBACK_COMPLETE' });
  return end;
}

/**
 * An image build that succeeds: the stack creates its resources, Image Builder goes PENDING →
 * BUILDING → TESTING → DISTRIBUTING → AVAILABLE, the AMI is tagged `build_status=available`, then
 * the stack is deleted (as pcluster's notification Lambda does). Events carry OperationId, one
 * carries hook fields and the final CREATE_COMPLETE carries DetailedStatus.
 */
export function imageBuildSucceeds(world: ParallelClusterWorld, opts: ImageBuildOptions): ImageBuildTruth {
  return imageBuild(world, opts, true);
}

/** An image build that fails: Image Builder FAILED, `ParallelClusterImage` CREATE_FAILED, rollback to ROLLBACK_COMPLETE. */
export function imageBuildFails(world: ParallelClusterWorld, opts: ImageBuildOptions): ImageBuildTruth {
  return imageBuild(world, opts, false);
}

export interface ClusterTruth {
  clusterName: string;
  stackId: string;
  nestedStackIds: string[];
  /** Events per stack (root first). */
  eventCounts: number[];
  endsAt: number;
  logGroup: string;
}

/**
 * One resource created: CREATE_IN_PROGRESS at `at`, again with "Resource creation Initiated" and
 * its physical id one second later, CREATE_COMPLETE `completeAfter` seconds after `at`.
 */
function createResource(
  events: CfnEventSeed[],
  at: number,
  resource: { logicalId: string; type: string; physicalId: string },
  completeAfter: number,
): void {
  const { logicalId, type, physicalId } = resource;
  events.push({ at, logicalId, type, status: 'CREATE_IN_PROGRESS' });
  events.push({
    at: at + S,
    logicalId,
    physicalId,
    type,
    status: 'CREATE_IN_PROGRESS',
    reason: 'Resource creation Initiated',
  });
  events.push({ at: at + completeAfter * S, logicalId, physicalId, type, status: 'CREATE_COMPLETE' });
}

/** The nested stacks of a cluster: `QueuesStack` (one launch template per queue) and `LoginNodesStack`. */
function clusterNestedStacks(queues: number): Array<[string, Array<[string, string]>]> {
  return [
    [
      'QueuesStack',
      Array.from(
        { length: queues },
        (_, i) => [`Queue${i}LaunchTemplate`, 'AWS::EC2::LaunchTemplate'] as [string, string],
      ),
    ],
    [
      'LoginNodesStack',
      [
        ['LoginNodesTargetGroup', 'AWS::ElasticLoadBalancingV2::TargetGroup'],
        ['LoginNodesLB', 'AWS::ElasticLoadBalancingV2::LoadBalancer'],
      ],
    ],
  ];
}

/**
 * One nested stack created from `t`: its resource's events in the root's list, the child stack
 * with its own events. Returns the child's id and events and when the root moves on.
 */
function createNestedStack(
  world: ParallelClusterWorld,
  root: CfnEventSeed[],
  cluster: { name: string; stackId: string; tags: Record<string, string> },
  nested: [string, Array<[string, string]>],
  t: number,
): { childId: string; child: CfnEventSeed[]; next: number } {
  const [logical, resources] = nested;
  const stack = 'AWS::CloudFormation::Stack';
  const childName = `${cluster.name}-${logical}-${hex(`${cluster.name}${logical}`, 12).toUpperCase()}`;
  const start = t + S;
  const childId = world.cfn.addStack({
    name: childName,
    createdAt: start,
    parentId: cluster.stackId,
    rootId: cluster.stackId,
    tags: cluster.tags,
  });
  root.push({ at: t, logicalId: logical, physicalId: '', type: stack, status: 'CREATE_IN_PROGRESS' });
  root.push({
    at: start,
    logicalId: logical,
    physicalId: childId,
    type: stack,
    status: 'CREATE_IN_PROGRESS',
    reason: 'Resource creation Initiated',
  });
  const child: CfnEventSeed[] = [
    { at: start, logicalId: childName, type: stack, status: 'CREATE_IN_PROGRESS', reason: 'User Initiated' },
  ];
  let c = start + S;
  for (const [logicalId, type] of resources) {
    createResource(
      child,
      c,
      { logicalId, type, physicalId: `${logicalId.toLowerCase()}-${hex(`${childName}${logicalId}`, 17)}` },
      2,
    );
    c += 3 * S;
  }
  child.push({ at: c, logicalId: childName, type: stack, status: 'CREATE_COMPLETE' });
  root.push({ at: c + S, logicalId: logical, physicalId: childId, type: stack, status: 'CREATE_COMPLETE' });
  return { childId, child, next: c + 2 * S };
}

/** A cluster create with nested stacks (`QueuesStack` with `queues` queues, `LoginNodesStack`). */
export function clusterCreate(
  world: ParallelClusterWorld,
  opts: { clusterName: string; queues?: number; startInMs?: number },
): ClusterTruth {
  const name = opts.clusterName;
  const t0 = world.now() + (opts.startInMs ?? 0);
  const logGroup = `/aws/parallelcluster/${name}-${new Date(t0).toISOString().slice(0, 10).replace(/-/g, '')}`;
  const tags = { 'parallelcluster:version': PCLUSTER_VERSION, 'parallelcluster:cluster-name': name };
  const stackId = world.cfn.addStack({
    name,
    createdAt: t0,
    tags,
    parameters: { ClusterCWLogGroup: logGroup, Scheduler: 'slurm' },
    description: 'AWS ParallelCluster Cluster',
  });
  const root: CfnEventSeed[] = [];
  root.push({
    at: t0,
    logicalId: name,
    type: 'AWS::CloudFormation::Stack',
    status: 'CREATE_IN_PROGRESS',
    reason: 'User Initiated',
  });
  let t = t0 + S;
  const simple: Array<[string, string, string]> = [
    ['InternalSG', 'AWS::EC2::SecurityGroup', `sg-${hex(`${name}sg`, 17)}`],
    ['HeadNodeRole', 'AWS::IAM::Role', `${name}-HeadNodeRole-${hex(name, 12).toUpperCase()}`],
    ['HeadNode', 'AWS::EC2::Instance', `i-${hex(`${name}hn`, 17)}`],
  ];
  for (const [logicalId, type, physicalId] of simple) {
    createResource(root, t, { logicalId, type, physicalId }, 3);
    t += 4 * S;
  }
  const nestedStackIds: string[] = [];
  const eventCounts: number[] = [];
  const nestedEvents: Array<[string, CfnEventSeed[]]> = [];
  for (const nested of clusterNestedStacks(opts.queues ?? 2)) {
    const made = createNestedStack(world, root, { name, stackId, tags }, nested, t);
    nestedStackIds.push(made.childId);
    nestedEvents.push([made.childId, made.child]);
    t = made.next;
  }
  root.push({ at: t, logicalId: name, type: 'AWS::CloudFormation::Stack', status: 'CREATE_COMPLETE' });
  world.cfn.addEvents(stackId, root);
  eventCounts.push(root.length);
  for (const [id, events] of nestedEvents) {
    world.cfn.addEvents(id, events);
    eventCounts.push(events.length);
  }
  world.logs.addEvents(logGroup, `ip-10-0-0-1.i-${hex(`${name}hn`, 17)}.cfn-init`, [
    { timestamp: t0 + 20 * S, message: 'cfn-init started' },
  ]);
  return { clusterName: name, stackId, nestedStackIds, eventCounts, endsAt: t, logGroup };
}

/** A finished cluster stack with exactly `events` events in the past (benchmarks, paging). */
export function bigStack(
  world: ParallelClusterWorld,
  opts: { name: string; events: number },
): { stackId: string; eventCount: number } {
  const n = Math.max(2, opts.events);
  const t0 = world.now() - n * 1000 - 60_000;
  const stackId = world.cfn.addStack({
    name: opts.name,
    createdAt: t0,
    tags: { 'parallelcluster:version': PCLUSTER_VERSION },
    parameters: { Scheduler: 'slurm' },
  });
  const ev: CfnEventSeed[] = [
    {
      at: t0,
      logicalId: opts.name,
      type: 'AWS::CloudFormation::Stack',
      status: 'CREATE_IN_PROGRESS',
      reason: 'User Initiated',
    },
  ];
  const cycle = ['CREATE_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'CREATE_COMPLETE'];
  for (let i = 1; i < n - 1; i++) {
    const r = Math.floor((i - 1) / 3);
    const status = cycle[(i - 1) % 3] as string;
    ev.push({
      at: t0 + i * 1000,
      logicalId: `Resource${r}`,
      ...(status === 'CREATE_IN_PROGRESS' && (i - 1) % 3 === 0
        ? {}
        : { physicalId: `res-${r.toString(16).padStart(8, '0')}` }),
      type: r % 2 === 0 ? 'AWS::EC2::LaunchTemplate' : 'AWS::IAM::Role',
      status,
      ...((i - 1) % 3 === 1 ? { reason: 'Resource creation Initiated' } : {}),
      properties: JSON.stringify({ Name: `Resource${r}`, Index: r }),
    });
  }
  ev.push({
    at: t0 + (n - 1) * 1000,
    logicalId: opts.name,
    type: 'AWS::CloudFormation::Stack',
    status: 'CREATE_COMPLETE',
  });
  world.cfn.addEvents(stackId, ev);
  return { stackId, eventCount: ev.length };
}

export interface ClusterFailureTruth {
  clusterName: string;
  stackId: string;
  /** The nested stack whose resource fails (`QueuesStack`). */
  nestedStackId: string;
  /** ClientRequestToken of every event of the create (the rollback included, nested stack too). */
  token: string;
  /** The nested resource that fails first, with its reason: the deployment's root cause. */
  failedLogicalId: string;
  failedReason: string;
  /** When the failing resource reported CREATE_FAILED. */
  failedAt: number;
  startedAt: number;
  /** ROLLBACK_COMPLETE of the root stack. */
  endsAt: number;
  /** The delete that follows (when asked): its token and when it completes. */
  deleteToken?: string;
  deleteStartsAt?: number;
  deleteEndsAt?: number;
  /** Events per stack: root, then the nested stack. */
  eventCounts: [number, number];
  /** Per resource (`<stack>/<logicalId>`): first IN_PROGRESS and terminal event of the create, ms. */
  resourceTimes: Record<string, { start: number; end: number; status: string }>;
}

/** One row of a scripted timeline: [stack, second, logical id, type key, status, reason?]. */
type Row = readonly ['root' | 'child', number, string, keyof typeof FAIL_TYPES, string, string?];

const FAIL_TYPES = {
  stack: 'AWS::CloudFormation::Stack',
  sg: 'AWS::EC2::SecurityGroup',
  role: 'AWS::IAM::Role',
  instance: 'AWS::EC2::Instance',
  lt: 'AWS::EC2::LaunchTemplate',
} as const;

const INITIATED = 'Resource creation Initiated';
const QUEUE1_FAILURE =
  'Resource handler returned message: "The specified instance type c5n.18xlarge is not supported in this Availability Zone (Service: Ec2, Status Code: 400)" (HandlerErrorCode: InvalidRequest)';

/**
 * The failed create, second by second, as CloudFormation writes it. `$root` / `$child` are the two
 * stacks' own events; `$childId` in a reason is the nested stack's ARN.
 */
const FAILED_CREATE: readonly Row[] = [
  ['root', 0, '$root', 'stack', 'CREATE_IN_PROGRESS', 'User Initiated'],
  ['root', 1, 'InternalSG', 'sg', 'CREATE_IN_PROGRESS'],
  ['root', 2, 'InternalSG', 'sg', 'CREATE_IN_PROGRESS', INITIATED],
  ['root', 4, 'InternalSG', 'sg', 'CREATE_COMPLETE'],
  ['root', 5, 'HeadNodeRole', 'role', 'CREATE_IN_PROGRESS'],
  ['root', 6, 'HeadNodeRole', 'role', 'CREATE_IN_PROGRESS', INITIATED],
  ['root', 8, 'HeadNodeRole', 'role', 'CREATE_COMPLETE'],
  ['root', 9, 'HeadNode', 'instance', 'CREATE_IN_PROGRESS'],
  ['root', 9, 'QueuesStack', 'stack', 'CREATE_IN_PROGRESS'],
  ['root', 10, 'HeadNode', 'instance', 'CREATE_IN_PROGRESS', INITIATED],
  ['root', 10, 'QueuesStack', 'stack', 'CREATE_IN_PROGRESS', INITIATED],
  // The nested stack: queue 0 is created, queue 1 is refused, the nested stack rolls back.
  ['child', 10, '$child', 'stack', 'CREATE_IN_PROGRESS', 'User Initiated'],
  ['child', 11, 'Queue0LaunchTemplate', 'lt', 'CREATE_IN_PROGRESS'],
  ['child', 11, 'Queue1LaunchTemplate', 'lt', 'CREATE_IN_PROGRESS'],
  ['child', 12, 'Queue0LaunchTemplate', 'lt', 'CREATE_IN_PROGRESS', INITIATED],
  ['child', 12, 'Queue1LaunchTemplate', 'lt', 'CREATE_IN_PROGRESS', INITIATED],
  ['child', 13, 'Queue0LaunchTemplate', 'lt', 'CREATE_COMPLETE'],
  ['child', 15, 'Queue1LaunchTemplate', 'lt', 'CREATE_FAILED', QUEUE1_FAILURE],
  [
    'child',
    16,
    '$child',
    'stack',
    'ROLLBACK_IN_PROGRESS',
    'The following resource(s) failed to create: [Queue1LaunchTemplate]. Rollback requested by user.',
  ],
  ['child', 17, 'Queue1LaunchTemplate', 'lt', 'DELETE_IN_PROGRESS'],
  ['child', 18, 'Queue1LaunchTemplate', 'lt', 'DELETE_COMPLETE'],
  ['child', 18, 'Queue0LaunchTemplate', 'lt', 'DELETE_IN_PROGRESS'],
  ['child', 19, 'Queue0LaunchTemplate', 'lt', 'DELETE_COMPLETE'],
  ['child', 20, '$child', 'stack', 'ROLLBACK_COMPLETE'],
  // The parent hears of it, cancels the head node and rolls back (deleting the nested stack).
  [
    'root',
    21,
    'QueuesStack',
    'stack',
    'CREATE_FAILED',
    'Embedded stack $childId was not successfully created: The following resource(s) failed to create: [Queue1LaunchTemplate]. ',
  ],
  ['root', 22, 'HeadNode', 'instance', 'CREATE_FAILED', 'Resource creation cancelled'],
  [
    'root',
    23,
    '$root',
    'stack',
    'ROLLBACK_IN_PROGRESS',
    'The following resource(s) failed to create: [HeadNode, QueuesStack]. Rollback requested by user.',
  ],
  ['root', 24, 'HeadNode', 'instance', 'DELETE_IN_PROGRESS'],
  ['root', 24, 'QueuesStack', 'stack', 'DELETE_IN_PROGRESS'],
  ['child', 24, '$child', 'stack', 'DELETE_IN_PROGRESS', 'User Initiated'],
  ['child', 25, '$child', 'stack', 'DELETE_COMPLETE'],
  ['root', 25, 'QueuesStack', 'stack', 'DELETE_COMPLETE'],
  ['root', 27, 'HeadNode', 'instance', 'DELETE_COMPLETE'],
  ['root', 28, 'HeadNodeRole', 'role', 'DELETE_IN_PROGRESS'],
  ['root', 29, 'HeadNodeRole', 'role', 'DELETE_COMPLETE'],
  ['root', 30, 'InternalSG', 'sg', 'DELETE_IN_PROGRESS'],
  ['root', 31, 'InternalSG', 'sg', 'DELETE_COMPLETE'],
  ['root', 33, '$root', 'stack', 'ROLLBACK_COMPLETE'],
];

/**
 * One row of FAILED_CREATE as an event of the root or the nested stack, with the physical id a
 * resource has by then; the resource's first IN_PROGRESS → last terminal event go into `truth`.
 */
function failedCreateEvent(
  row: (typeof FAILED_CREATE)[number],
  ctx: {
    name: string;
    childName: string;
    childId: string;
    t0: number;
    token: string;
    physical: Record<string, string>;
    started: Set<string>;
  },
  truth: ClusterFailureTruth,
): ['root' | 'child', CfnEventSeed] {
  const [where, sec, logical, type, status, reason] = row;
  const own = logical === '$root' || logical === '$child';
  const logicalId = logical === '$root' ? ctx.name : logical === '$child' ? ctx.childName : logical;
  const at = ctx.t0 + sec * S;
  const e: CfnEventSeed = { at, logicalId, type: FAIL_TYPES[type], status, clientRequestToken: ctx.token };
  if (!own) {
    // CloudFormation sends the first CREATE_IN_PROGRESS before the resource has a physical id.
    const first = status === 'CREATE_IN_PROGRESS' && !ctx.started.has(logicalId);
    ctx.started.add(logicalId);
    e.physicalId = first ? '' : (ctx.physical[logicalId] as string);
    const key = `${where === 'root' ? ctx.name : ctx.childName}/${logicalId}`;
    const r = truth.resourceTimes[key];
    if (!r) truth.resourceTimes[key] = { start: at, end: at, status };
    else if (!status.endsWith('_IN_PROGRESS')) Object.assign(r, { end: at, status });
  }
  if (reason !== undefined) e.reason = reason.replace('$childId', ctx.childId);
  return [where, e];
}

/** A `pcluster delete-cluster` of the failed cluster from `d0` (its own token), noted in `truth`. */
function clusterDelete(name: string, d0: number, truth: ClusterFailureTruth): CfnEventSeed[] {
  const deleteToken = `pcluster-delete-cluster-${hex(`${name}|delete`, 12)}`;
  const stack = FAIL_TYPES.stack;
  Object.assign(truth, { deleteToken, deleteStartsAt: d0, deleteEndsAt: d0 + 2 * S });
  return [
    {
      at: d0,
      logicalId: name,
      type: stack,
      status: 'DELETE_IN_PROGRESS',
      reason: 'User Initiated',
      clientRequestToken: deleteToken,
    },
    { at: d0 + 2 * S, logicalId: name, type: stack, status: 'DELETE_COMPLETE', clientRequestToken: deleteToken },
  ];
}

/**
 * A cluster create that fails inside its nested `QueuesStack` (the launch template of queue 1 is
 * refused by EC2) while the head node is still creating: the nested stack rolls back, the parent
 * reports `Embedded stack … was not successfully created`, cancels the head node and rolls back to
 * ROLLBACK_COMPLETE, as CloudFormation does. Every event of the create carries one
 * ClientRequestToken. With `thenDelete`, a `pcluster delete-cluster` follows (its own token).
 */
export function clusterCreateFails(
  world: ParallelClusterWorld,
  opts: { clusterName: string; startInMs?: number; thenDelete?: boolean },
): ClusterFailureTruth {
  const name = opts.clusterName;
  const t0 = world.now() + (opts.startInMs ?? 0);
  const tags = { 'parallelcluster:version': PCLUSTER_VERSION, 'parallelcluster:cluster-name': name };
  const stackId = world.cfn.addStack({
    name,
    createdAt: t0,
    tags,
    parameters: { Scheduler: 'slurm' },
    description: 'AWS ParallelCluster Cluster',
  });
  const childName = `${name}-QueuesStack-${hex(`${name}QueuesStack`, 12).toUpperCase()}`;
  const childId = world.cfn.addStack({
    name: childName,
    createdAt: t0 + 10 * S,
    parentId: stackId,
    rootId: stackId,
    tags,
  });
  const token = `pcluster-create-cluster-${hex(`${name}|create`, 12)}`;
  // A resource's physical id once it exists (the first CREATE_IN_PROGRESS has none).
  const physical: Record<string, string> = {
    InternalSG: `sg-${hex(`${name}sg`, 17)}`,
    HeadNodeRole: `${name}-HeadNodeRole-${hex(name, 12).toUpperCase()}`,
    HeadNode: `i-${hex(`${name}hn`, 17)}`,
    QueuesStack: childId,
    Queue0LaunchTemplate: `lt-${hex(`${childName}q0`, 17)}`,
    Queue1LaunchTemplate: `lt-${hex(`${childName}q1`, 17)}`,
  };
  const events = { root: [] as CfnEventSeed[], child: [] as CfnEventSeed[] };
  const started = new Set<string>();
  const truth: ClusterFailureTruth = {
    clusterName: name,
    stackId,
    nestedStackId: childId,
    token,
    failedLogicalId: 'Queue1LaunchTemplate',
    failedReason: QUEUE1_FAILURE,
    failedAt: t0 + 15 * S,
    startedAt: t0,
    endsAt: t0 + 33 * S,
    eventCounts: [0, 0],
    resourceTimes: {},
  };
  for (const row of FAILED_CREATE) {
    const [where, seed] = failedCreateEvent(row, { name, childName, childId, t0, token, physical, started }, truth);
    events[where].push(seed);
  }
  if (opts.thenDelete) events.root.push(...clusterDelete(name, t0 + 60 * S, truth));
  world.cfn.addEvents(stackId, events.root);
  world.cfn.addEvents(childId, events.child);
  truth.eventCounts = [events.root.length, events.child.length];
  return truth;
}
