import { ImageBuilderClient, type ImageBuilderClientOptions } from '@stackfeed/aws-imagebuilder';
import type { ExecutionInfo } from '@stackfeed/core';
import { AWS_CREDENTIALS_HINT, awsCredentials, awsRegion, awsRegionsOptions, EMULATOR_AWS_KEYS } from './aws.js';
import { UsageError } from '../errors.js';
import { eventSession, imageSession, type TargetCommand } from './session.js';
import {
  type FleetSourceClient,
  LOOP_PERIOD_MS,
  loopRounds,
  type ProviderPlugin,
  type ProviderSession,
} from './types.js';

const BUILD_VERSION_ARN = /^arn:aws[^:]*:imagebuilder:[^:]*:[^:]*:image\/.+\/\d+$/;
const DEMO_KEYS = { accessKeyId: 'AKIAIMAGEBUILDERDEMO', secretAccessKey: 'imagebuilder-demo-secret-key-000000000' };

/** What `events imagebuilder <target>` can follow: a lifecycle or workflow execution, or an Image Builder ARN. */
const EVENT_TARGET = /^(lce-[0-9a-f-]+|wf-[0-9a-f-]+|arn:aws[^:]*:imagebuilder:.+)$/;

/** A target the client could only refuse later (CONFIG, exit 1) is bad usage: exit 2, before any call. */
function eventTarget(target: string, command: TargetCommand): string {
  if (!EVENT_TARGET.test(target)) {
    throw new UsageError(
      `imagebuilder: "${target}" is not a lifecycle execution id (lce-…), a workflow execution id (wf-…) or an Image Builder ARN`,
      command,
    );
  }
  return target;
}

function session(client: ImageBuilderClient): ProviderSession {
  return {
    ...eventSession(client, { ref: eventTarget }),
    ...imageSession(client),
    async *listExecutions(target, q): AsyncIterable<ExecutionInfo> {
      if (target.startsWith('lce-')) yield await client.getLifecycleExecution(target, { signal: q.signal });
      else if (target.startsWith('wf-')) yield await client.getWorkflowExecution(target, { signal: q.signal });
      else if (BUILD_VERSION_ARN.test(target))
        yield* client.listWorkflowExecutions(target, { maxItems: q.maxItems, signal: q.signal });
      else yield* client.listLifecycleExecutions(target, { maxItems: q.maxItems, signal: q.signal });
    },
  };
}

function connectOptions(
  region: string | undefined,
  endpoint: string | undefined,
  credentials: ImageBuilderClientOptions['credentials'],
  tokenKey?: string,
) {
  const o: ImageBuilderClientOptions = {};
  if (tokenKey) o.tokenKey = tokenKey;
  if (region) o.region = region;
  if (endpoint) o.endpoint = endpoint;
  if (credentials) o.credentials = credentials;
  return o;
}

/** EC2 Image Builder: the AWS default credential chain, `--profile`, `--region`, `--endpoint`. */
export const plugin: ProviderPlugin = {
  id: 'aws-imagebuilder',
  aliases: ['imagebuilder', 'image-builder'],
  title: 'EC2 Image Builder',
  target: 'a lifecycle execution id (lce-…) or an image build version ARN',
  credentials: AWS_CREDENTIALS_HINT,
  offers: ['listEvents', 'followEvents', 'listDeployments', 'listImages', 'describeImage', 'listExecutions'],
  connect(ctx) {
    return session(
      new ImageBuilderClient(connectOptions(awsRegion(ctx), ctx.endpoint, awsCredentials(ctx), ctx.tokenKey)),
    );
  },
  // DescribeRegions through the ParallelCluster adapter, which carries the EC2 client anyway: Image
  // Builder's own package stays without its megabyte. With --endpoint (an emulator) it is asked there.
  async listRegions(ctx, signal) {
    const { listAwsRegions } = await import('@stackfeed/aws-parallelcluster');
    const options = awsRegionsOptions(ctx, ctx.env.AWS_ENDPOINT_URL_EC2 ?? ctx.endpoint);
    return listAwsRegions({ ...options, signal, provider: 'aws-imagebuilder' });
  },
  fleetClient: (ctx) =>
    new ImageBuilderClient({
      ...connectOptions(awsRegion(ctx), ctx.endpoint, awsCredentials(ctx)),
      rateLimit: ctx.rateLimit,
      ...(ctx.logger ? { logger: ctx.logger } : {}),
    }) as FleetSourceClient,
  async demo({ clock }) {
    const { lifecycleDeprecateThenDelete, startImageBuilderEmulator } = await import(
      '@stackfeed/emulator/imagebuilder'
    );
    const emu = await startImageBuilderEmulator({ clock, auth: { mode: 'check', credentials: [DEMO_KEYS] } });
    const truth = lifecycleDeprecateThenDelete(emu.store, { start: clock.t0 + 2000, count: 4 });
    const client = new ImageBuilderClient({
      region: 'us-east-1',
      endpoint: emu.url,
      credentials: DEMO_KEYS,
      maxAttempts: 3,
    });
    return {
      title: `Image Builder lifecycle execution ${truth.executionId}: deprecate, then delete ${truth.amis.length} AMIs (${emu.url})`,
      session: session(client),
      target: truth.executionId,
      finals: async (signal) => [await client.getLifecycleExecution(truth.executionId, { signal })],
      close: async () => {
        client.close();
        await emu.close();
      },
    };
  },
  async emulator({ port, host, clock, loop }) {
    const { startEmulator } = await import('@stackfeed/emulator');
    const { createImageBuilderHandler, imageBuildAvailable, ImageBuilderStore, lifecycleDeprecateThenDelete } =
      await import('@stackfeed/emulator/imagebuilder');
    const { createAwsRegionsHandler } = await import('@stackfeed/emulator/regions');
    const store = new ImageBuilderStore({ clock });
    // A second region of the account, with its own image (`--all-regions`).
    const west = new ImageBuilderStore({ clock, region: 'eu-west-1' });
    imageBuildAvailable(west, { start: clock.t0 + 5000, name: 'hpc-west' });
    const lce = lifecycleDeprecateThenDelete(store, { start: clock.t0 + 5000, count: 6 });
    const build = imageBuildAvailable(store, { start: clock.t0 + 5000 });
    // --loop: a new lifecycle execution of the same policy and a new image build version each round.
    const stopLoop = loop
      ? loopRounds(clock, (k, startAt) => {
          lifecycleDeprecateThenDelete(store, { start: startAt + 5000, count: 6 });
          imageBuildAvailable(store, { start: startAt + 5000, version: `1.2.${k}` });
        })
      : undefined;
    // Every region on this one endpoint, and EC2 DescribeRegions (--all-regions) too: AWS_ENDPOINT_URL_EC2.
    const server = await startEmulator({
      port,
      host,
      handler: createAwsRegionsHandler({
        regions: [store, west].map((s) => ({
          name: s.region,
          handler: createImageBuilderHandler(s, { auth: { mode: 'check', credentials: [{ ...EMULATOR_AWS_KEYS }] } }),
        })),
      }),
    });
    return {
      endpoint: server.url,
      settings: {
        AWS_ACCESS_KEY_ID: EMULATOR_AWS_KEYS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_AWS_KEYS.secretAccessKey,
        AWS_REGION: 'us-east-1',
        // The AWS SDK's own per-service endpoint variable: commands need no --endpoint with it set.
        AWS_ENDPOINT_URL_IMAGEBUILDER: server.url,
        AWS_ENDPOINT_URL_EC2: server.url,
      },
      notes: [
        `lifecycle policy: ${lce.policyArn}`,
        `lifecycle execution: ${lce.executionId}`,
        `image build: ${build.imageArn}`,
        `try: stackfeed events imagebuilder ${lce.executionId} -f --endpoint ${server.url}`,
        `     stackfeed executions imagebuilder ${lce.policyArn} --endpoint ${server.url}`,
        ...(loop
          ? [`--loop: a new execution of that policy and a new hpc-base version every ${LOOP_PERIOD_MS / 1000} s`]
          : []),
      ],
      close: () => {
        stopLoop?.();
        return server.close();
      },
    };
  },
};
