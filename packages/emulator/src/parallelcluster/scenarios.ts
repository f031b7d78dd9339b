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
  const ev: CfnEventSeed[] = [];
  const push = (e: Omit<CfnEventSeed, 'operationId' | 'clientRequestToken'>) =>
    ev.push({ ...e, operationId: opId, clientRequestToken: token });
  push({
    at: t0,
    logicalId: imageId,
    type: 'AWS::CloudFormation::Stack',
    status: 'CREATE_IN_PROGRESS',
    reason: 'User Initiated',
  });
  let t = t0 + 2 * S;
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
  const ibName = `parallelclusterimage-${imageId.toLowerCase()}`;
  const ibStart = t + 1 * S;
  const buildEnd = ibStart + buildMs;
  const statuses = [
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
  const amiId = `ami-${hex(`${imageId}|ami`, 17)}`;
  const ibArn = world.imagebuilder.addImage({
    name: ibName,
    version: PCLUSTER_VERSION,
    createdAt: ibStart,
    statuses,
    tags: { 'parallelcluster:image_id': imageId },
    ...(succeed
      ? { amis: [{ region: world.region, image: amiId, name: `${imageId} ${new Date(buildEnd).toISOString()}` }] }
      : {}),
  });
  const imageProps = JSON.stringify({
    ImageRecipeArn: physicalOf(world, 'ImageRecipe', 'AWS::ImageBuilder::ImageRecipe', imageId),
  });
  push({
    at: t,
    logicalId: 'ParallelClusterImage',
    type: 'AWS::ImageBuilder::Image',
    status: 'CREATE_IN_PROGRESS',
    properties: imageProps,
  });
  push({
    at: ibStart,
    logicalId: 'ParallelClusterImage',
    physicalId: ibArn,
    type: 'AWS::ImageBuilder::Image',
    status: 'CREATE_IN_PROGRESS',
    reason: 'Resource creation Initiated',
    properties: imageProps,
  });
  const logGroup = `/aws/imagebuilder/ParallelClusterImage-${imageId}`;
  const logStream = `${PCLUSTER_VERSION}/1`;
  const lines: Array<{ timestamp: number; message: string }> = [];
  for (let i = 0, lt = ibStart + 6 * S; lt < buildEnd; i++, lt += 4 * S) {
    lines.push({
      timestamp: lt,
      message: `Stdout: [${i}] step ${i % 7} of the ParallelCluster cookbook <ok> & "quoted"`,
    });
  }
  if (!succeed) lines.push({ timestamp: buildEnd - 1, message: 'ERROR: TestComponent <update-os> exited with code 1' });
  world.logs.addEvents(logGroup, logStream, lines);
  let endsAt: number;
  if (succeed) {
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
    // The SNS → Lambda path tags the AMI and deletes the stack.
    world.ec2.addImage({
      imageId: amiId,
      name: `${imageId} ${new Date(buildEnd).toISOString().replace(/[:.]/g, '-')}`,
      description: `AWS ParallelCluster AMI for ${imageId}`,
      architecture: 'x86_64',
      creationDate: new Date(buildEnd).toISOString(),
      registeredAt: buildEnd + 4 * S,
      tags: {
        ...tags,
        'parallelcluster:build_status': 'available',
        'parallelcluster:parent_image': 'ami-0parent0000000000',
        Ec2ImageBuilderArn: ibArn,
      },
    });
    const delOp = `${hex(`${stackId}|delete`, 8)}-${hex(`${stackId}|d2`, 4)}-4${hex(`${stackId}d`, 3)}-8${hex(`${imageId}d`, 3)}-${hex(`${stackId}|dop`, 12)}`;
    let d = buildEnd + 10 * S;
    ev.push({
      at: d,
      logicalId: imageId,
      type: 'AWS::CloudFormation::Stack',
      status: 'DELETE_IN_PROGRESS',
      reason: 'User Initiated',
      operationId: delOp,
    });
    const all: Array<[string, string]> = [...IMAGE_RESOURCES, ['ParallelClusterImage', 'AWS::ImageBuilder::Image']];
    for (const [logical, type] of all.reverse()) {
      const physical = logical === 'ParallelClusterImage' ? ibArn : physicalOf(world, logical, type, imageId);
      d += 1 * S;
      ev.push({
        at: d,
        logicalId: logical,
        physicalId: physical,
        type,
        status: 'DELETE_IN_PROGRESS',
        operationId: delOp,
      });
      ev.push({
        at: d + S / 2,
        logicalId: logical,
        physicalId: physical,
        type,
        status: 'DELETE_COMPLETE',
        operationId: delOp,
      });
    }
    d += 2 * S;
    ev.push({
      at: d,
      logicalId: imageId,
      type: 'AWS::CloudFormation::Stack',
      status: 'DELETE_COMPLETE',
      operationId: delOp,
    });
    endsAt = d;
  } else {
    push({
      at: buildEnd + 2 * S,
      logicalId: 'ParallelClusterImage',
      physicalId: ibArn,
      type: 'AWS::ImageBuilder::Image',
      status: 'CREATE_FAILED',
      reason: `Resource handler returned message: "Image status: FAILED. Reason: Image Build Failed: Workflow Step failed" (HandlerErrorCode: NotStabilized)`,
      properties: imageProps,
    });
    let d = buildEnd + 3 * S;
    push({
      at: d,
      logicalId: imageId,
      type: 'AWS::CloudFormation::Stack',
      status: 'ROLLBACK_IN_PROGRESS',
      reason: 'The following resource(s) failed to create: [ParallelClusterImage]. Rollback requested by user.',
    });
    const all: Array<[string, string]> = [...IMAGE_RESOURCES, ['ParallelClusterImage', 'AWS::ImageBuilder::Image']];
    for (const [logical, type] of all.reverse()) {
      const physical = logical === 'ParallelClusterImage' ? ibArn : physicalOf(world, logical, type, imageId);
      d += 1 * S;
      push({ at: d, logicalId: logical, physicalId: physical, type, status: 'DELETE_IN_PROGRESS' });
      push({ at: d + S / 2, logicalId: logical, physicalId: physical, type, status: 'DELETE_COMPLETE' });
    }
    d += 2 * S;
    push({ at: d, logicalId: imageId, type: 'AWS::CloudFormation::Stack', status: 'ROLLBACK_COMPLETE' });
    endsAt = d;
  }
  world.cfn.addEvents(stackId, ev);
  const truth: ImageBuildTruth = {
    imageId,
    stackId,
    stackName: imageId,
    imageBuilderArn: ibArn,
    logGroup,
    logStream,
    startedAt: t0,
    buildEndsAt: buildEnd,
    endsAt,
    eventCount: ev.length,
    logLineCount: lines.length,
  };
  if (succeed) truth.amiId = amiId;
  return truth;
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
  for (const [logical, type, physical] of simple) {
    root.push({ at: t, logicalId: logical, type, status: 'CREATE_IN_PROGRESS' });
    root.push({
      at: t + S,
      logicalId: logical,
      physicalId: physical,
      type,
      status: 'CREATE_IN_PROGRESS',
      reason: 'Resource creation Initiated',
    });
    root.push({ at: t + 3 * S, logicalId: logical, physicalId: physical, type, status: 'CREATE_COMPLETE' });
    t += 4 * S;
  }
  const nestedStackIds: string[] = [];
  const eventCounts: number[] = [];
  const nestedDefs: Array<[string, Array<[string, string]>]> = [
    [
      'QueuesStack',
      Array.from(
        { length: opts.queues ?? 2 },
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
  const nestedEvents: Array<[string, CfnEventSeed[]]> = [];
  for (const [logical, resources] of nestedDefs) {
    const childName = `${name}-${logical}-${hex(`${name}${logical}`, 12).toUpperCase()}`;
    const start = t + S;
    const childId = world.cfn.addStack({ name: childName, createdAt: start, parentId: stackId, rootId: stackId, tags });
    nestedStackIds.push(childId);
    root.push({
      at: t,
      logicalId: logical,
      physicalId: '',
      type: 'AWS::CloudFormation::Stack',
      status: 'CREATE_IN_PROGRESS',
    });
    root.push({
      at: start,
      logicalId: logical,
      physicalId: childId,
      type: 'AWS::CloudFormation::Stack',
      status: 'CREATE_IN_PROGRESS',
      reason: 'Resource creation Initiated',
    });
    const child: CfnEventSeed[] = [
      {
        at: start,
        logicalId: childName,
        type: 'AWS::CloudFormation::Stack',
        status: 'CREATE_IN_PROGRESS',
        reason: 'User Initiated',
      },
    ];
    let c = start + S;
    for (const [rl, rt] of resources) {
      const physical = `${rl.toLowerCase()}-${hex(`${childName}${rl}`, 17)}`;
      child.push({ at: c, logicalId: rl, type: rt, status: 'CREATE_IN_PROGRESS' });
      child.push({
        at: c + S,
        logicalId: rl,
        physicalId: physical,
        type: rt,
        status: 'CREATE_IN_PROGRESS',
        reason: 'Resource creation Initiated',
      });
      child.push({ at: c + 2 * S, logicalId: rl, physicalId: physical, type: rt, status: 'CREATE_COMPLETE' });
      c += 3 * S;
    }
    child.push({ at: c, logicalId: childName, type: 'AWS::CloudFormation::Stack', status: 'CREATE_COMPLETE' });
    root.push({
      at: c + S,
      logicalId: logical,
      physicalId: childId,
      type: 'AWS::CloudFormation::Stack',
      status: 'CREATE_COMPLETE',
    });
    nestedEvents.push([childId, child]);
    t = c + 2 * S;
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
  const failedReason =
    'Resource handler returned message: "The specified instance type c5n.18xlarge is not supported in this Availability Zone (Service: Ec2, Status Code: 400)" (HandlerErrorCode: InvalidRequest)';
  const root: CfnEventSeed[] = [];
  const child: CfnEventSeed[] = [];
  const at = (list: CfnEventSeed[], sec: number, e: Omit<CfnEventSeed, 'at' | 'clientRequestToken'>) =>
    list.push({ ...e, at: t0 + sec * S, clientRequestToken: token });
  const stack = 'AWS::CloudFormation::Stack';
  const sg = `sg-${hex(`${name}sg`, 17)}`;
  const role = `${name}-HeadNodeRole-${hex(name, 12).toUpperCase()}`;
  const head = `i-${hex(`${name}hn`, 17)}`;
  const lt0 = `lt-${hex(`${childName}q0`, 17)}`;
  const lt1 = `lt-${hex(`${childName}q1`, 17)}`;
  at(root, 0, { logicalId: name, type: stack, status: 'CREATE_IN_PROGRESS', reason: 'User Initiated' });
  at(root, 1, { logicalId: 'InternalSG', type: 'AWS::EC2::SecurityGroup', status: 'CREATE_IN_PROGRESS' });
  at(root, 2, {
    logicalId: 'InternalSG',
    physicalId: sg,
    type: 'AWS::EC2::SecurityGroup',
    status: 'CREATE_IN_PROGRESS',
    reason: 'Resource creation Initiated',
  });
  at(root, 4, { logicalId: 'InternalSG', physicalId: sg, type: 'AWS::EC2::SecurityGroup', status: 'CREATE_COMPLETE' });
  at(root, 5, { logicalId: 'HeadNodeRole', type: 'AWS::IAM::Role', status: 'CREATE_IN_PROGRESS' });
  at(root, 6, {
    logicalId: 'HeadNodeRole',
    physicalId: role,
    type: 'AWS::IAM::Role',
    status: 'CREATE_IN_PROGRESS',
    reason: 'Resource creation Initiated',
  });
  at(root, 8, { logicalId: 'HeadNodeRole', physicalId: role, type: 'AWS::IAM::Role', status: 'CREATE_COMPLETE' });
  at(root, 9, { logicalId: 'HeadNode', type: 'AWS::EC2::Instance', status: 'CREATE_IN_PROGRESS' });
  at(root, 9, { logicalId: 'QueuesStack', physicalId: '', type: stack, status: 'CREATE_IN_PROGRESS' });
  at(root, 10, {
    logicalId: 'HeadNode',
    physicalId: head,
    type: 'AWS::EC2::Instance',
    status: 'CREATE_IN_PROGRESS',
    reason: 'Resource creation Initiated',
  });
  at(root, 10, {
    logicalId: 'QueuesStack',
    physicalId: childId,
    type: stack,
    status: 'CREATE_IN_PROGRESS',
    reason: 'Resource creation Initiated',
  });
  // The nested stack: queue 0 is created, queue 1 is refused, the nested stack rolls back.
  at(child, 10, { logicalId: childName, type: stack, status: 'CREATE_IN_PROGRESS', reason: 'User Initiated' });
  for (const [logical, physical] of [
    ['Queue0LaunchTemplate', lt0],
    ['Queue1LaunchTemplate', lt1],
  ] as const) {
    at(child, 11, { logicalId: logical, type: 'AWS::EC2::LaunchTemplate', status: 'CREATE_IN_PROGRESS' });
    at(child, 12, {
      logicalId: logical,
      physicalId: physical,
      type: 'AWS::EC2::LaunchTemplate',
      status: 'CREATE_IN_PROGRESS',
      reason: 'Resource creation Initiated',
    });
  }
  at(child, 13, {
    logicalId: 'Queue0LaunchTemplate',
    physicalId: lt0,
    type: 'AWS::EC2::LaunchTemplate',
    status: 'CREATE_COMPLETE',
  });
  at(child, 15, {
    logicalId: 'Queue1LaunchTemplate',
    physicalId: lt1,
    type: 'AWS::EC2::LaunchTemplate',
    status: 'CREATE_FAILED',
    reason: failedReason,
  });
  at(child, 16, {
    logicalId: childName,
    type: stack,
    status: 'ROLLBACK_IN_PROGRESS',
    reason: 'The following resource(s) failed to create: [Queue1LaunchTemplate]. Rollback requested by user.',
  });
  at(child, 17, {
    logicalId: 'Queue1LaunchTemplate',
    physicalId: lt1,
    type: 'AWS::EC2::LaunchTemplate',
    status: 'DELETE_IN_PROGRESS',
  });
  at(child, 18, {
    logicalId: 'Queue1LaunchTemplate',
    physicalId: lt1,
    type: 'AWS::EC2::LaunchTemplate',
    status: 'DELETE_COMPLETE',
  });
  at(child, 18, {
    logicalId: 'Queue0LaunchTemplate',
    physicalId: lt0,
    type: 'AWS::EC2::LaunchTemplate',
    status: 'DELETE_IN_PROGRESS',
  });
  at(child, 19, {
    logicalId: 'Queue0LaunchTemplate',
    physicalId: lt0,
    type: 'AWS::EC2::LaunchTemplate',
    status: 'DELETE_COMPLETE',
  });
  at(child, 20, { logicalId: childName, type: stack, status: 'ROLLBACK_COMPLETE' });
  // The parent hears of it, cancels the head node and rolls back (deleting the nested stack).
  at(root, 21, {
    logicalId: 'QueuesStack',
    physicalId: childId,
    type: stack,
    status: 'CREATE_FAILED',
    reason: `Embedded stack ${childId} was not successfully created: The following resource(s) failed to create: [Queue1LaunchTemplate]. `,
  });
  at(root, 22, {
    logicalId: 'HeadNode',
    physicalId: head,
    type: 'AWS::EC2::Instance',
    status: 'CREATE_FAILED',
    reason: 'Resource creation cancelled',
  });
  at(root, 23, {
    logicalId: name,
    type: stack,
    status: 'ROLLBACK_IN_PROGRESS',
    reason: 'The following resource(s) failed to create: [HeadNode, QueuesStack]. Rollback requested by user.',
  });
  at(root, 24, { logicalId: 'HeadNode', physicalId: head, type: 'AWS::EC2::Instance', status: 'DELETE_IN_PROGRESS' });
  at(root, 24, { logicalId: 'QueuesStack', physicalId: childId, type: stack, status: 'DELETE_IN_PROGRESS' });
  at(child, 24, { logicalId: childName, type: stack, status: 'DELETE_IN_PROGRESS', reason: 'User Initiated' });
  at(child, 25, { logicalId: childName, type: stack, status: 'DELETE_COMPLETE' });
  at(root, 25, { logicalId: 'QueuesStack', physicalId: childId, type: stack, status: 'DELETE_COMPLETE' });
  at(root, 27, { logicalId: 'HeadNode', physicalId: head, type: 'AWS::EC2::Instance', status: 'DELETE_COMPLETE' });
  at(root, 28, { logicalId: 'HeadNodeRole', physicalId: role, type: 'AWS::IAM::Role', status: 'DELETE_IN_PROGRESS' });
  at(root, 29, { logicalId: 'HeadNodeRole', physicalId: role, type: 'AWS::IAM::Role', status: 'DELETE_COMPLETE' });
  at(root, 30, {
    logicalId: 'InternalSG',
    physicalId: sg,
    type: 'AWS::EC2::SecurityGroup',
    status: 'DELETE_IN_PROGRESS',
  });
  at(root, 31, { logicalId: 'InternalSG', physicalId: sg, type: 'AWS::EC2::SecurityGroup', status: 'DELETE_COMPLETE' });
  at(root, 33, { logicalId: name, type: stack, status: 'ROLLBACK_COMPLETE' });
  const truth: ClusterFailureTruth = {
    clusterName: name,
    stackId,
    nestedStackId: childId,
    token,
    failedLogicalId: 'Queue1LaunchTemplate',
    failedReason,
    failedAt: t0 + 15 * S,
    startedAt: t0,
    endsAt: t0 + 33 * S,
    eventCounts: [0, 0],
    resourceTimes: {},
  };
  if (opts.thenDelete) {
    const deleteToken = `pcluster-delete-cluster-${hex(`${name}|delete`, 12)}`;
    const d0 = t0 + 60 * S;
    root.push({
      at: d0,
      logicalId: name,
      type: stack,
      status: 'DELETE_IN_PROGRESS',
      reason: 'User Initiated',
      clientRequestToken: deleteToken,
    });
    root.push({
      at: d0 + 2 * S,
      logicalId: name,
      type: stack,
      status: 'DELETE_COMPLETE',
      clientRequestToken: deleteToken,
    });
    truth.deleteToken = deleteToken;
    truth.deleteStartsAt = d0;
    truth.deleteEndsAt = d0 + 2 * S;
  }
  world.cfn.addEvents(stackId, root);
  world.cfn.addEvents(childId, child);
  truth.eventCounts = [root.length, child.length];
  // Ground truth of the create's resource timings, from the seeded timeline itself.
  for (const [stackName, list] of [
    [name, root],
    [childName, child],
  ] as const) {
    for (const e of list) {
      if (e.logicalId === stackName || e.clientRequestToken !== token) continue;
      const key = `${stackName}/${e.logicalId}`;
      const r = truth.resourceTimes[key];
      if (!r) truth.resourceTimes[key] = { start: e.at, end: e.at, status: e.status };
      else if (!e.status.endsWith('_IN_PROGRESS')) {
        r.end = e.at;
        r.status = e.status;
      }
    }
  }
  return truth;
}
