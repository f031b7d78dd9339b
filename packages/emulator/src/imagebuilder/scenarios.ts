import type { ImageBuilderStore, LifecycleResourceSeed } from './store.js';

/**
 * Scripted Image Builder scenarios. Each seeds the store relative to a start instant (default: the
 * store's current time) and returns its ground truth (ids and what the API will say), so tests can
 * compare what a client reports against what the scenario did.
 */

const S = 1000;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** An AMI id that is stable for (region, index). */
export function amiId(region: string, i: number): string {
  const r = region === 'us-east-1' ? 1 : region === 'eu-west-1' ? 2 : 3;
  return `ami-${hex(r, 2)}${hex(i, 15)}`;
}

/** A snapshot id that is stable for (region, index, n). */
export function snapshotId(region: string, i: number, n: number): string {
  const r = region === 'us-east-1' ? 1 : region === 'eu-west-1' ? 2 : 3;
  return `snap-${hex(r, 2)}${hex(n, 2)}${hex(i, 13)}`;
}

export interface LifecycleDeprecateDeleteTruth {
  executionId: string;
  policyArn: string;
  /** The image the AMIs were distributed from (ListLifecycleExecutions lists the execution under it too). */
  imageArn: string;
  startAt: number;
  /** When every DEPRECATE step has ended. */
  deprecatedBy: number;
  /** When the execution ends (SUCCESS). */
  endAt: number;
  regions: string[];
  amis: Array<{ resourceId: string; region: string; snapshots: string[] }>;
}

/**
 * A lifecycle execution that deprecates, then deletes, `count` (default 40) AMIs with snapshots
 * spread over two regions. Every AMI: DEPRECATE (30 s) then DELETE (30 s); the execution ends SUCCESS.
 */
export function lifecycleDeprecateThenDelete(
  store: ImageBuilderStore,
  opts: { start?: number; count?: number; regions?: string[] } = {},
): LifecycleDeprecateDeleteTruth {
  const startAt = opts.start ?? store.now();
  const count = opts.count ?? 40;
  const regions = opts.regions ?? ['us-east-1', 'eu-west-1'];
  const policyArn = `arn:aws:imagebuilder:us-east-1:${store.accountId}:lifecycle-policy/deprecate-then-delete`;
  const imageArn = `arn:aws:imagebuilder:us-east-1:${store.accountId}:image/base-al2023/1.0.0/1`;
  const amis: LifecycleDeprecateDeleteTruth['amis'] = [];
  const resources: LifecycleResourceSeed[] = [];
  let deprecatedBy = startAt;
  let endAt = startAt;
  for (let i = 0; i < count; i++) {
    const region = regions[i % regions.length] as string;
    const snaps = [snapshotId(region, i, 0), ...(i % 3 === 0 ? [snapshotId(region, i, 1)] : [])];
    const t0 = startAt + (i % 10) * S;
    const dep = { action: 'DEPRECATE', actionReason: 'Older than 90 days', startAt: t0, endAt: t0 + 30 * S };
    const del = { action: 'DELETE', actionReason: 'Older than 180 days', startAt: t0 + 60 * S, endAt: t0 + 90 * S };
    deprecatedBy = Math.max(deprecatedBy, dep.endAt);
    endAt = Math.max(endAt, del.endAt);
    const resourceId = amiId(region, i);
    amis.push({ resourceId, region, snapshots: snaps });
    resources.push({ resourceId, region, snapshots: snaps, steps: [dep, del] });
  }
  const executionId = store.addLifecycleExecution({ policyArn, resourceArns: [imageArn], startAt, resources });
  return { executionId, policyArn, imageArn, startAt, deprecatedBy, endAt, regions, amis };
}

export interface LifecycleFailureTruth {
  executionId: string;
  policyArn: string;
  startAt: number;
  endAt: number;
  failedResourceId: string;
  failureReason: string;
  skippedResourceId: string;
  containerResourceId: string;
  containerImageUris: string[];
  resourceIds: string[];
}

/**
 * A lifecycle execution that fails on one resource: five AMIs are disabled, one of them fails
 * (in use), one is skipped, and a container image (ECR URIs) is deleted. The execution ends FAILED.
 */
export function lifecycleFailure(store: ImageBuilderStore, opts: { start?: number } = {}): LifecycleFailureTruth {
  const startAt = opts.start ?? store.now();
  const policyArn = `arn:aws:imagebuilder:us-east-1:${store.accountId}:lifecycle-policy/disable-old-amis`;
  const failureReason = 'The AMI is in use by launch template lt-0a1b2c3d4e5f60718 and cannot be disabled.';
  const resources: LifecycleResourceSeed[] = [];
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const region = 'us-east-1';
    const resourceId = amiId(region, 100 + i);
    ids.push(resourceId);
    const t0 = startAt + i * 2 * S;
    const step: LifecycleResourceSeed['steps'][number] = { action: 'DISABLE', startAt: t0, endAt: t0 + 20 * S };
    if (i === 2) Object.assign(step, { status: 'FAILED', reason: failureReason });
    if (i === 4)
      Object.assign(step, { status: 'SKIPPED', reason: 'The AMI is excluded by the policy (tag keep=true).' });
    resources.push({ resourceId, region, snapshots: [snapshotId(region, 100 + i, 0)], steps: [step] });
  }
  const containerResourceId = `arn:aws:imagebuilder:us-east-1:${store.accountId}:image/web-container/2.0.0/3`;
  const containerImageUris = [`${store.accountId}.dkr.ecr.us-east-1.amazonaws.com/web:2.0.0-3`];
  resources.push({
    resourceId: containerResourceId,
    region: 'us-east-1',
    imageUris: containerImageUris,
    steps: [{ action: 'DELETE', startAt: startAt + 5 * S, endAt: startAt + 15 * S }],
  });
  ids.push(containerResourceId);
  const executionId = store.addLifecycleExecution({ policyArn, startAt, resources });
  return {
    executionId,
    policyArn,
    startAt,
    endAt: startAt + 28 * S,
    failedResourceId: ids[2] as string,
    failureReason,
    skippedResourceId: ids[4] as string,
    containerResourceId,
    containerImageUris,
    resourceIds: ids,
  };
}

export interface ImageBuildRollbackTruth {
  imageArn: string;
  buildWorkflowId: string;
  testWorkflowId: string;
  startAt: number;
  endAt: number;
  failedStep: string;
  failedStepMessage: string;
  rolledBackSteps: string[];
  stepNames: string[];
}

/**
 * An image build whose BUILD workflow fails at `CreateOutputAMI`: the two earlier steps are rolled
 * back, the workflow ends ROLLBACK_COMPLETED, the TEST workflow is skipped and the image ends FAILED.
 */
export function imageBuildWithRollback(
  store: ImageBuilderStore,
  opts: { start?: number } = {},
): ImageBuildRollbackTruth {
  const startAt = opts.start ?? store.now();
  const failedStepMessage = 'CreateImage failed: the instance i-0123456789abcdef0 stopped unexpectedly.';
  const at = (s: number) => startAt + s * S;
  const imageArn = store.addImage({
    name: 'hpc-node',
    version: '3.1.0',
    createdAt: startAt,
    tags: { team: 'hpc', env: 'test' },
    statuses: [
      { at: at(0), status: 'PENDING' },
      { at: at(5), status: 'BUILDING' },
      { at: at(120), status: 'FAILED', reason: 'Workflow Execution has failed.' },
    ],
    workflows: [
      {
        type: 'BUILD',
        startAt: at(5),
        steps: [
          {
            name: 'LaunchBuildInstance',
            action: 'LaunchInstance',
            description: 'Launch the build instance',
            startAt: at(5),
            endAt: at(25),
            inputs: { instanceType: 'c6i.large', subnetId: 'subnet-0abc' },
            outputs: { instanceId: 'i-0123456789abcdef0' },
            rollback: { startAt: at(95), endAt: at(110) },
          },
          {
            name: 'ApplyBuildComponents',
            action: 'ExecuteComponents',
            startAt: at(25),
            endAt: at(70),
            inputs: '{"instanceId":"i-0123456789abcdef0"}',
            outputs: '{"runCommandId":"cmd-0f00"}',
            message: 'Applied 4 components.',
            rollback: { startAt: at(80), endAt: at(95) },
          },
          {
            name: 'CreateOutputAMI',
            action: 'CreateImage',
            startAt: at(70),
            endAt: at(80),
            status: 'FAILED',
            message: failedStepMessage,
            inputs: 'not json {',
          },
          {
            name: 'TerminateBuildInstance',
            action: 'TerminateInstance',
            startAt: at(80),
            endAt: at(80),
            status: 'SKIPPED',
          },
        ],
      },
      { type: 'TEST', startAt: at(110), skipped: true, steps: [] },
    ],
  });
  const wfs = store.wireWorkflowExecutionsIds(imageArn);
  return {
    imageArn,
    buildWorkflowId: wfs[0] as string,
    testWorkflowId: wfs[1] as string,
    startAt,
    endAt: at(120),
    failedStep: 'CreateOutputAMI',
    failedStepMessage,
    rolledBackSteps: ['LaunchBuildInstance', 'ApplyBuildComponents'],
    stepNames: ['LaunchBuildInstance', 'ApplyBuildComponents', 'CreateOutputAMI', 'TerminateBuildInstance'],
  };
}

export interface ImageBuildAvailableTruth {
  imageArn: string;
  versionArn: string;
  workflowIds: string[];
  startAt: number;
  endAt: number;
  amis: Array<{ region: string; image: string }>;
  containerUris: string[];
}

/**
 * A successful image build: BUILD, TEST and DISTRIBUTION workflows complete and the image becomes
 * AVAILABLE with AMIs in two regions, plus a container image.
 */
export function imageBuildAvailable(
  store: ImageBuilderStore,
  opts: { start?: number; name?: string; version?: string } = {},
): ImageBuildAvailableTruth {
  const startAt = opts.start ?? store.now();
  const at = (s: number) => startAt + s * S;
  const amis = [
    { region: 'us-east-1', image: amiId('us-east-1', 900) },
    { region: 'eu-west-1', image: amiId('eu-west-1', 900) },
  ];
  const containerUris = [`${store.accountId}.dkr.ecr.us-east-1.amazonaws.com/hpc:1.2.0-1`];
  const step = (name: string, action: string, s: number, e: number) => ({ name, action, startAt: at(s), endAt: at(e) });
  const imageArn = store.addImage({
    name: opts.name ?? 'hpc-base',
    version: opts.version ?? '1.2.0',
    createdAt: startAt,
    tags: { team: 'hpc' },
    statuses: [
      { at: at(0), status: 'PENDING' },
      { at: at(2), status: 'BUILDING' },
      { at: at(40), status: 'TESTING' },
      { at: at(60), status: 'DISTRIBUTING' },
      { at: at(90), status: 'AVAILABLE' },
    ],
    amis: amis.map((a) => ({ ...a, name: `hpc-base 1.2.0 ${a.region}`, description: 'HPC base image' })),
    containers: [{ region: 'us-east-1', imageUris: containerUris }],
    workflows: [
      {
        type: 'BUILD',
        startAt: at(2),
        steps: [
          step('LaunchBuildInstance', 'LaunchInstance', 2, 10),
          step('ApplyBuildComponents', 'ExecuteComponents', 10, 40),
        ],
      },
      { type: 'TEST', startAt: at(40), steps: [step('RunTests', 'RunCommand', 40, 60)] },
      { type: 'DISTRIBUTION', startAt: at(60), steps: [step('DistributeImage', 'DistributeImage', 60, 90)] },
    ],
  });
  return {
    imageArn,
    versionArn: imageArn.replace(/\/\d+$/, ''),
    workflowIds: store.wireWorkflowExecutionsIds(imageArn),
    startAt,
    endAt: at(90),
    amis,
    containerUris,
  };
}

/** A finished lifecycle execution over `count` AMIs (one DELETE each): the benchmark's data set. */
export function lifecycleLarge(
  store: ImageBuilderStore,
  opts: { start?: number; count?: number } = {},
): { executionId: string; count: number } {
  const startAt = opts.start ?? store.now() - 3_600_000;
  const count = opts.count ?? 5000;
  const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
  const resources: LifecycleResourceSeed[] = [];
  for (let i = 0; i < count; i++) {
    const region = regions[i % regions.length] as string;
    resources.push({
      resourceId: amiId(region, 10_000 + i),
      region,
      snapshots: [snapshotId(region, 10_000 + i, 0)],
      steps: [{ action: 'DELETE', startAt: startAt + (i % 100) * S, endAt: startAt + (i % 100) * S + 5 * S }],
    });
  }
  const executionId = store.addLifecycleExecution({
    policyArn: `arn:aws:imagebuilder:us-east-1:${store.accountId}:lifecycle-policy/bulk-delete`,
    startAt,
    resources,
  });
  return { executionId, count };
}
