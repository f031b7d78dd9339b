import { StackfeedError } from '@stackfeed/core';
import { listRfsRegions, RfsClient, type RfsClientOptions } from '@stackfeed/huawei-rfs';
import { eventSession, stackSession } from './session.js';
import {
  type FleetPlaceContext,
  type FleetSourceClient,
  LOOP_PERIOD_MS,
  loopRounds,
  type ProviderContext,
  type ProviderPlugin,
  type ProviderSession,
} from './types.js';

const DEMO_CREDENTIALS = { accessKey: 'STACKFEEDDEMOAK00001', secretKey: 'stackfeed-demo-secret-key' };

/** `rfs:name` or `rfs:name/stack-id` (pins the stack id, RFS's strong match). */
function ref(target: string) {
  const i = target.indexOf('/');
  return i > 0 ? { name: target.slice(0, i), id: target.slice(i + 1) } : { name: target };
}

function session(client: RfsClient): ProviderSession {
  return { ...eventSession(client, { ref }), ...stackSession(client) };
}

/** The client, from `HUAWEICLOUD_SDK_*` and `--region`/`--endpoint` (a fleet place: its project and budget). */
function connect(ctx: ProviderContext & Partial<Pick<FleetPlaceContext, 'project' | 'rateLimit'>>): RfsClient {
  const region = ctx.region ?? ctx.env.HUAWEICLOUD_SDK_REGION ?? ctx.env.HUAWEICLOUD_REGION;
  if (!region) {
    throw new StackfeedError({
      code: 'CONFIG',
      provider: 'huawei-rfs',
      message: 'no region: pass --region (e.g. cn-north-4) or set HUAWEICLOUD_SDK_REGION',
    });
  }
  const options: RfsClientOptions = { region, env: ctx.env, logger: ctx.logger };
  if (ctx.endpoint) options.endpoint = ctx.endpoint;
  if (ctx.tokenKey) options.tokenKey = ctx.tokenKey;
  if (ctx.project) options.projectId = ctx.project;
  if (ctx.rateLimit) options.rateLimit = ctx.rateLimit;
  return new RfsClient(options);
}

/** Huawei Cloud RFS: `HUAWEICLOUD_SDK_AK`/`_SK`/`_PROJECT_ID`/`_SECURITY_TOKEN`, `--region`, `--endpoint`. */
export const plugin: ProviderPlugin = {
  id: 'huawei-rfs',
  aliases: ['rfs', 'huawei'],
  title: 'Huawei Cloud RFS',
  target: 'a stack name (or name/stack-id)',
  credentials:
    'HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID (and _SECURITY_TOKEN for temporary keys), --region or HUAWEICLOUD_SDK_REGION',
  offers: ['listEvents', 'followEvents', 'listDeployments', 'listStacks'],
  connect: (ctx) => session(connect(ctx)),
  // IAM's project list: at HUAWEICLOUD_SDK_IAM_ENDPOINT, else --endpoint (an emulator serves IAM there too).
  listRegions: (ctx, signal) =>
    listRfsRegions({
      env: ctx.env,
      logger: ctx.logger,
      signal,
      iamEndpoint: ctx.env.HUAWEICLOUD_SDK_IAM_ENDPOINT ?? ctx.endpoint,
    }),
  fleetClient: (ctx) => connect(ctx) as FleetSourceClient,
  async demo({ clock }) {
    const { deploymentFailsAndRollsBack, startRfsEmulator } = await import('@stackfeed/emulator/rfs');
    const scenario = deploymentFailsAndRollsBack({ stackName: 'shop-db', startAt: clock.t0, stepMs: 2500 });
    const emu = await startRfsEmulator({
      credentials: { aksk: [DEMO_CREDENTIALS] },
      scenarios: [scenario],
      clock: clock.now,
      progress: 'clock',
    });
    const client = new RfsClient({
      region: 'cn-north-4',
      projectId: emu.projectId,
      endpoint: emu.url,
      credentials: DEMO_CREDENTIALS,
      env: {},
      now: clock.now,
    });
    return {
      title: `RFS stack "${scenario.stackName}": a deployment that fails and rolls back (${emu.url})`,
      session: session(client),
      target: scenario.stackName,
      expectFailure: true,
      finals: async (signal) => [await client.getStack(scenario.stackName, { signal })],
      close: () => emu.close(),
    };
  },
  async emulator({ port, host, clock, loop }) {
    const { deploymentFailsAndRollsBack, seededUuid, startRfsEmulator } = await import('@stackfeed/emulator/rfs');
    const scenarios = [deploymentFailsAndRollsBack({ stackName: 'shop-db', startAt: clock.t0, stepMs: 3000 })];
    // IAM on the same endpoint lists its project (--all-regions): HUAWEICLOUD_SDK_IAM_ENDPOINT.
    const emu = await startRfsEmulator({
      credentials: { aksk: [DEMO_CREDENTIALS] },
      scenarios,
      clock: clock.now,
      progress: 'clock',
      port,
      // A sped-up scenario clock drifts ahead of the callers' real clocks: judge no signature by it.
      ...(clock.speed > 1 ? { maxSkewMs: Number.MAX_SAFE_INTEGER } : {}),
    });
    void host;
    // --loop: the same deployment, failing and rolling back again, with new deployment ids.
    const stopLoop = loop
      ? loopRounds(clock, (k, startAt) => {
          const round = deploymentFailsAndRollsBack({
            stackName: 'shop-db',
            stepMs: 3000,
            deploymentId: seededUuid(`deployment/shop-db/${k + 1}`),
            rollbackDeploymentId: seededUuid(`deployment/shop-db/rollback/${k + 1}`),
          });
          emu.play('shop-db', round.steps, { startAt });
        })
      : undefined;
    return {
      endpoint: emu.url,
      settings: {
        HUAWEICLOUD_SDK_AK: DEMO_CREDENTIALS.accessKey,
        HUAWEICLOUD_SDK_SK: DEMO_CREDENTIALS.secretKey,
        HUAWEICLOUD_SDK_PROJECT_ID: emu.projectId,
        HUAWEICLOUD_SDK_REGION: 'cn-north-4',
        // The Huawei SDKs' per-service, per-region endpoint variable: commands need no --endpoint with it set.
        HUAWEICLOUD_SDK_REGION_RFS_CN_NORTH_4: emu.url,
        HUAWEICLOUD_SDK_IAM_ENDPOINT: emu.url,
      },
      notes: [
        `stacks: ${scenarios.map((s) => s.stackName).join(', ')}  (try: stackfeed events rfs shop-db -f --endpoint ${emu.url})`,
        ...(loop
          ? [`--loop: shop-db deploys (and rolls back) again every ${LOOP_PERIOD_MS / 1000} s of scenario time`]
          : []),
      ],
      close: () => {
        stopLoop?.();
        return emu.close();
      },
    };
  },
};
