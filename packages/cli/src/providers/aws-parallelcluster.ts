import type { DemoClock } from './types.js';
import type { ParallelClusterWorld } from '@stackfeed/emulator/parallelcluster';
import type { Handler } from '@stackfeed/emulator';
import {
  listAwsRegions,
  ParallelClusterClient,
  type ParallelClusterClientOptions,
  type ParallelClusterRef,
} from '@stackfeed/aws-parallelcluster';
import { AWS_CREDENTIALS_HINT, awsCredentials, awsRegion, awsRegionsOptions, EMULATOR_AWS_KEYS } from './aws.js';
import { eventSession, imageSession } from './session.js';
import {
  type FleetPlaceContext,
  type FleetSourceClient,
  LOOP_PERIOD_MS,
  loopRounds,
  type ProviderContext,
  type ProviderPlugin,
  type ProviderSession,
} from './types.js';

/** `my-image` or `image/my-image` (an image build), `cluster/my-cluster` (a cluster's stack). */
function ref(target: string): ParallelClusterRef {
  if (target.startsWith('cluster/')) return { kind: 'cluster', name: target.slice('cluster/'.length) };
  if (target.startsWith('image/')) return { kind: 'image', name: target.slice('image/'.length) };
  return { kind: 'image', name: target };
}

function session(client: ParallelClusterClient): ProviderSession {
  return { ...eventSession(client, { ref }), ...imageSession(client) };
}

/** Keeps a world's clock in step with the demo clock. */
function drive(world: ParallelClusterWorld, clock: DemoClock): () => void {
  const timer = setInterval(() => {
    const behind = clock.now() - world.now();
    if (behind > 0) world.advance(behind);
  }, 25);
  timer.unref?.();
  return () => clearInterval(timer);
}

/** API mode with PCLUSTER_API_URL or `--endpoint`, else direct mode; AWS credentials as the SDK finds them. */
function connect(ctx: ProviderContext & { rateLimit?: FleetPlaceContext['rateLimit'] }): ParallelClusterClient {
  const endpoint = ctx.endpoint ?? ctx.env.PCLUSTER_API_URL;
  const region = awsRegion(ctx);
  const credentials = awsCredentials(ctx);
  const common = {
    ...(region ? { region } : {}),
    ...(credentials ? { credentials } : {}),
    ...(ctx.logger ? { logger: ctx.logger } : {}),
    ...(ctx.rateLimit ? { rateLimit: ctx.rateLimit } : {}),
    ...(ctx.tokenKey ? { tokenKey: ctx.tokenKey } : {}),
  };
  // Across regions the API stays the one of the home region; `region` says where it acts.
  const signingRegion = ctx.homeRegion ?? region;
  const options: ParallelClusterClientOptions = endpoint
    ? { endpoint, ...common, ...(signingRegion ? { signingRegion } : {}) }
    : { mode: 'direct', ...common, endpoints: directEndpoints(ctx.env) };
  return new ParallelClusterClient(options);
}

/**
 * Direct mode's services at the AWS SDK's own per-service endpoint variables, read from the CLI's
 * environment (the SDK would read only the process's): `stackfeed emulator` prints them.
 */
function directEndpoints(env: Readonly<Record<string, string | undefined>>) {
  return {
    cloudformation: env.AWS_ENDPOINT_URL_CLOUDFORMATION,
    ec2: env.AWS_ENDPOINT_URL_EC2,
    imagebuilder: env.AWS_ENDPOINT_URL_IMAGEBUILDER,
    logs: env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS,
  };
}

/**
 * Direct mode's four services on port+1 … port+4, each answering for both regions by the SigV4
 * scope (EC2 `DescribeRegions` too, for `--all-regions`). Returns the variables that point at them.
 */
async function startDirectServices(worlds: readonly ParallelClusterWorld[], port: number, host: string) {
  const { startEmulator } = await import('@stackfeed/emulator');
  const { createCloudFormationHandler } = await import('@stackfeed/emulator/cloudformation');
  const { createEc2Handler } = await import('@stackfeed/emulator/ec2');
  const { createImageBuilderHandler } = await import('@stackfeed/emulator/imagebuilder');
  const { createLogsHandler } = await import('@stackfeed/emulator/cloudwatch-logs');
  const { createAwsRegionsHandler } = await import('@stackfeed/emulator/regions');
  const services: Array<[string, (w: ParallelClusterWorld) => Handler]> = [
    ['AWS_ENDPOINT_URL_CLOUDFORMATION', (w) => createCloudFormationHandler(w.cfn, { onRequest: () => w.onRequest() })],
    ['AWS_ENDPOINT_URL_EC2', (w) => createEc2Handler(w.ec2, { onRequest: () => w.onRequest() })],
    [
      'AWS_ENDPOINT_URL_IMAGEBUILDER',
      (w) =>
        createImageBuilderHandler(w.imagebuilder, {
          onRequest: () => w.onRequest(),
          auth: { mode: 'check', credentials: [{ ...EMULATOR_AWS_KEYS }] },
        }),
    ],
    ['AWS_ENDPOINT_URL_CLOUDWATCH_LOGS', (w) => createLogsHandler(w.logs, { onRequest: () => w.onRequest() })],
  ];
  const servers: Array<{ url: string; close(): Promise<void> }> = [];
  const settings: Record<string, string> = {};
  try {
    for (const [i, [name, handlerOf]] of services.entries()) {
      const regions = worlds.map((w) => ({ name: w.region, handler: handlerOf(w) }));
      const server = await startEmulator({ port: port + 1 + i, host, handler: createAwsRegionsHandler({ regions }) });
      servers.push(server);
      settings[name] = server.url;
    }
  } catch (err) {
    await Promise.allSettled(servers.map((s) => s.close()));
    throw err;
  }
  return { settings, close: () => Promise.all(servers.map((s) => s.close())) };
}

/**
 * AWS ParallelCluster. API mode when `--endpoint` (or `PCLUSTER_API_URL`) gives the API's invoke
 * URL; otherwise direct mode (CloudFormation, EC2, Image Builder, CloudWatch Logs with the AWS SDK).
 */
export const plugin: ProviderPlugin = {
  id: 'aws-parallelcluster',
  aliases: ['pcluster', 'parallelcluster'],
  title: 'AWS ParallelCluster',
  target: 'an image id, image/<id> or cluster/<name>',
  credentials: `${AWS_CREDENTIALS_HINT}; PCLUSTER_API_URL or --endpoint for API mode`,
  offers: ['listEvents', 'followEvents', 'listDeployments', 'listImages', 'describeImage'],
  connect: (ctx) => session(connect(ctx)),
  // The API has no region list: EC2's (at AWS_ENDPOINT_URL_EC2 when set; --endpoint is the API's).
  listRegions: (ctx, signal) => listAwsRegions({ ...awsRegionsOptions(ctx, ctx.env.AWS_ENDPOINT_URL_EC2), signal }),
  fleetClient: (ctx) => connect(ctx) as FleetSourceClient,
  async demo({ clock }) {
    const { ParallelClusterWorld, imageBuildSucceeds, startParallelClusterEmulator } = await import(
      '@stackfeed/emulator/parallelcluster'
    );
    const world = new ParallelClusterWorld({ start: clock.t0 });
    const truth = imageBuildSucceeds(world, { imageId: 'rocky9-hpc', buildSeconds: 45, startInMs: 0 });
    const emu = await startParallelClusterEmulator({ world });
    const stop = drive(world, clock);
    const client = new ParallelClusterClient({
      endpoint: emu.apiUrl,
      signingRegion: emu.region,
      credentials: emu.credentials,
    });
    return {
      title: `ParallelCluster image build "${truth.imageId}" that succeeds (API ${emu.apiUrl})`,
      session: session(client),
      target: truth.imageId,
      finals: async (signal) => [await client.getImage(truth.imageId, { signal })],
      close: async () => {
        stop();
        await emu.close();
      },
    };
  },
  async emulator({ port, host, clock, loop }) {
    const { startEmulator } = await import('@stackfeed/emulator');
    const { ParallelClusterWorld, imageBuildSucceeds, createParallelClusterApiHandler } = await import(
      '@stackfeed/emulator/parallelcluster'
    );
    const { createAwsRegionsHandler } = await import('@stackfeed/emulator/regions');
    const world = new ParallelClusterWorld({ start: clock.t0 });
    imageBuildSucceeds(world, { imageId: 'rocky9-hpc', buildSeconds: 120, startInMs: 0 });
    // A second region of the account with its own image (`images pcluster --all-regions`): the API
    // acts on the region its `region` query names, as the real one's gateway does.
    const west = new ParallelClusterWorld({ start: clock.t0, region: 'eu-west-1' });
    imageBuildSucceeds(west, { imageId: 'rocky9-west', buildSeconds: 120, startInMs: 0 });
    const api = await startEmulator({
      port,
      host,
      handler: createAwsRegionsHandler({
        routeBy: 'region-query',
        regions: [world, west].map((w) => ({
          name: w.region,
          handler: createParallelClusterApiHandler(w, {
            credentials: [{ ...EMULATOR_AWS_KEYS }],
            stage: 'prod',
            // The API's gateway is in the account's home region; each world acts on its own.
            signingRegion: world.region,
          }),
        })),
      }),
    });
    const direct = await startDirectServices([world, west], port, host).catch(async (err) => {
      await api.close();
      throw err;
    });
    const driving = drive(world, clock);
    const drivingWest = drive(west, clock);
    // --loop: another image build each round (rocky9-hpc-2, -3, …).
    const looping = loop
      ? loopRounds(clock, (k, startAt) => {
          imageBuildSucceeds(world, {
            imageId: `rocky9-hpc-${k + 1}`,
            buildSeconds: 120,
            startInMs: Math.max(0, startAt - world.now()),
          });
        })
      : undefined;
    const stop = () => {
      driving();
      drivingWest();
      looping?.();
    };
    const apiUrl = `${api.url}/prod`;
    return {
      endpoint: apiUrl,
      settings: {
        PCLUSTER_API_URL: apiUrl,
        AWS_ACCESS_KEY_ID: EMULATOR_AWS_KEYS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_AWS_KEYS.secretAccessKey,
        AWS_REGION: world.region,
      },
      notes: [
        // Image Builder's emulator prints its own AWS_ENDPOINT_URL_EC2/_IMAGEBUILDER: direct mode wants these.
        'direct mode (no PCLUSTER_API_URL; these four in place of any others, the AWS keys as above):',
        ...Object.entries(direct.settings).map(([k, v]) => `  ${k}=${v}`),
        'images: rocky9-hpc (builds for 2 min from launch); in eu-west-1 rocky9-west (--all-regions)',
        ...(loop
          ? [`--loop: another build (rocky9-hpc-2, -3, …) every ${LOOP_PERIOD_MS / 1000} s of scenario time`]
          : []),
        'try: stackfeed events pcluster rocky9-hpc -f   (with the variables above)',
      ],
      close: async () => {
        stop();
        await Promise.all([api.close(), direct.close()]);
      },
    };
  },
};
