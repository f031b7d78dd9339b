/**
 * AWS ParallelCluster emulator for `@stackfeed/emulator/parallelcluster`: the ParallelCluster API v3
 * (SigV4-verified, API Gateway's own errors included) and, for direct mode, the CloudFormation
 * (awsQuery XML), EC2 (ec2Query XML), Image Builder (rest-json, from `../imagebuilder`) and
 * CloudWatch Logs (awsJson1.1) endpoints, all reading one {@link ParallelClusterWorld} whose
 * scenarios (image build succeeds / fails, cluster create with nested stacks, huge stacks) advance
 * with its clock.
 * @packageDocumentation
 */
import { type CloudFormationHandlerOptions, createCloudFormationHandler } from '../cloudformation/handler.js';
import { createLogsHandler } from '../cloudwatch-logs/index.js';
import { createEc2Handler } from '../ec2/index.js';
import { type EmulatorServer, startEmulator } from '../harness.js';
import { createImageBuilderHandler } from '../imagebuilder/handler.js';
import { type ParallelClusterApiOptions, createParallelClusterApiHandler } from './api.js';
import {
  type ClusterTruth,
  type ImageBuildTruth,
  bigStack,
  clusterCreate,
  imageBuildFails,
  imageBuildSucceeds,
} from './scenarios.js';
import { ParallelClusterWorld, type WorldOptions } from './world.js';

/**
 * Built-in scenarios by name, with fixed names so demos and docs can refer to them:
 * image `pcluster-image-ok` (succeeds, stack deleted after), image `pcluster-image-failed` (rolls
 * back), cluster `pcluster-demo` (nested stacks), cluster stack `pcluster-big` (10,000 events).
 */
export const parallelClusterScenarios = {
  imageBuildSucceeds: (w: ParallelClusterWorld): ImageBuildTruth =>
    imageBuildSucceeds(w, { imageId: 'pcluster-image-ok' }),
  imageBuildFails: (w: ParallelClusterWorld): ImageBuildTruth =>
    imageBuildFails(w, { imageId: 'pcluster-image-failed' }),
  clusterCreate: (w: ParallelClusterWorld): ClusterTruth => clusterCreate(w, { clusterName: 'pcluster-demo' }),
  bigStack: (w: ParallelClusterWorld): { stackId: string; eventCount: number } =>
    bigStack(w, { name: 'pcluster-big', events: 10_000 }),
} as const;
/** A built-in scenario name. */
export type ParallelClusterScenarioName = keyof typeof parallelClusterScenarios;

export { ParallelClusterWorld, PCLUSTER_VERSION, type WorldOptions } from './world.js';
export { parallelClusterActivity } from './activity.js';
export { createParallelClusterApiHandler, gatewayErrorReply, type ParallelClusterApiOptions } from './api.js';
export { verifySigV4, GatewayAuthError, type SigV4VerifyOptions } from './sigv4.js';
export {
  imageBuildSucceeds,
  imageBuildFails,
  clusterCreate,
  clusterCreateFails,
  bigStack,
  type ImageBuildTruth,
  type ClusterTruth,
  type ClusterFailureTruth,
} from './scenarios.js';

/** The credentials the emulator accepts unless told otherwise (not secret: local testing only). */
export const EMULATOR_CREDENTIALS = Object.freeze({
  accessKeyId: 'AKIAPCLUSTEREMULATOR',
  secretAccessKey: 'pcluster-emulator-secret-key-0000000000',
});

export interface ParallelClusterEmulatorOptions extends WorldOptions {
  /** Bring a world you seeded (its region/clock options win). */
  world?: ParallelClusterWorld;
  /** Keys the API accepts (default: {@link EMULATOR_CREDENTIALS}). */
  credentials?: ParallelClusterApiOptions['credentials'];
  stage?: string;
  deniedAccessKeys?: readonly string[];
  /** Stacks per DescribeStacks page, for the API's ListImages/ListClusters and for CloudFormation. */
  stacksPageSize?: number;
  /** Events per DescribeStackEvents page (default 100). */
  eventsPageSize?: number;
  cloudformation?: Omit<CloudFormationHandlerOptions, 'onRequest'>;
  /** Built-in scenarios to seed at start; their ground truth is in `truth`. */
  scenarios?: ParallelClusterScenarioName[];
  /** API Gateway's clock (signature age, `Date` header); default Date.now. */
  gatewayClock?: () => number;
}

export interface ParallelClusterEmulator {
  readonly world: ParallelClusterWorld;
  /** The invoke URL, stage included: pass as `apiUrl`. */
  readonly apiUrl: string;
  /** The signing region of the API (its host carries none): pass as `signingRegion`. */
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** Direct mode endpoints: pass as `endpoints`. */
  readonly endpoints: { cloudformation: string; ec2: string; imagebuilder: string; logs: string };
  /** The five servers (fault injection, request logs). */
  readonly servers: {
    api: EmulatorServer;
    cloudformation: EmulatorServer;
    ec2: EmulatorServer;
    imagebuilder: EmulatorServer;
    logs: EmulatorServer;
  };
  /** Ground truth of the scenarios seeded at start, by name. */
  readonly truth: { [K in ParallelClusterScenarioName]?: ReturnType<(typeof parallelClusterScenarios)[K]> };
  close(): Promise<void>;
}

/** Start the ParallelCluster API and the direct-mode service endpoints on loopback. */
export async function startParallelClusterEmulator(
  opts: ParallelClusterEmulatorOptions = {},
): Promise<ParallelClusterEmulator> {
  const world = opts.world ?? new ParallelClusterWorld(opts);
  const credentials = opts.credentials ?? [EMULATOR_CREDENTIALS];
  const stage = opts.stage ?? 'prod';
  const onRequest = () => world.onRequest();
  const truth: Record<string, unknown> = {};
  for (const name of opts.scenarios ?? []) {
    const fn = parallelClusterScenarios[name] as ((w: ParallelClusterWorld) => unknown) | undefined;
    if (!fn) throw new Error(`unknown ParallelCluster scenario ${String(name)}`);
    truth[name] = fn(world);
  }
  const api = await startEmulator({
    handler: createParallelClusterApiHandler(world, {
      credentials,
      stage,
      ...(opts.deniedAccessKeys ? { deniedAccessKeys: opts.deniedAccessKeys } : {}),
      ...(opts.stacksPageSize !== undefined ? { stacksPageSize: opts.stacksPageSize } : {}),
      ...(opts.eventsPageSize !== undefined ? { eventsPageSize: opts.eventsPageSize } : {}),
      ...(opts.gatewayClock ? { gatewayClock: opts.gatewayClock } : {}),
    }),
  });
  const servers: ParallelClusterEmulator['servers'] = {
    api,
    cloudformation: await startEmulator({
      handler: createCloudFormationHandler(world.cfn, {
        ...(opts.stacksPageSize !== undefined ? { stacksPageSize: opts.stacksPageSize } : {}),
        ...(opts.eventsPageSize !== undefined ? { eventsPageSize: opts.eventsPageSize } : {}),
        ...opts.cloudformation,
        onRequest,
      }),
    }),
    ec2: await startEmulator({ handler: createEc2Handler(world.ec2, { onRequest }) }),
    imagebuilder: await startEmulator({
      handler: createImageBuilderHandler(world.imagebuilder, {
        onRequest,
        auth: { mode: 'check', credentials: [...credentials] },
      }),
    }),
    logs: await startEmulator({ handler: createLogsHandler(world.logs, { onRequest }) }),
  };
  return {
    world,
    apiUrl: `${api.url}/${stage}`,
    region: world.region,
    credentials: {
      accessKeyId: (credentials[0] ?? EMULATOR_CREDENTIALS).accessKeyId,
      secretAccessKey: (credentials[0] ?? EMULATOR_CREDENTIALS).secretAccessKey,
    },
    endpoints: {
      cloudformation: servers.cloudformation.url,
      ec2: servers.ec2.url,
      imagebuilder: servers.imagebuilder.url,
      logs: servers.logs.url,
    },
    servers,
    truth: truth as ParallelClusterEmulator['truth'],
    close: async () => {
      await Promise.all(Object.values(servers).map((s) => s.close()));
    },
  };
}
