/**
 * The dashboard's default sources: the four providers' emulators on 127.0.0.1, each playing a
 * scenario on one shared clock, read through the real SDK clients.
 */
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import {
  imageBuildAvailable,
  lifecycleDeprecateThenDelete,
  startImageBuilderEmulator,
} from '@stackfeed/emulator/imagebuilder';
import {
  imageBuildSucceeds,
  ParallelClusterWorld,
  startParallelClusterEmulator,
} from '@stackfeed/emulator/parallelcluster';
import { deploymentFailsAndRollsBack, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { RfsClient } from '@stackfeed/huawei-rfs';
import { HeatClient } from '@stackfeed/openstack-heat';
import type { DashboardSources } from './sources.js';

/** How long the longest scenario lasts, in scenario time (the lifecycle execution, about 95 s). */
const SCENARIO_MS = 100_000;

/** Starts the emulators; `speed` scenario seconds pass per second (the scenarios last about 100 s). */
export async function emulatedSources(speed = 2): Promise<DashboardSources> {
  // The AWS SDK's advice about future Node versions is noise against local emulators.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const wall0 = Date.now();
  // Anchored as the CLI's demo: scenario time 0 lies in the past so that the scenarios' end (about
  // 100 s of scenario time) is reached at the wall clock's "now" and no event is stamped in the future.
  const lead = speed > 1 ? SCENARIO_MS * (1 - 1 / speed) : 0;
  const t0 = Math.floor((wall0 - lead) / 1000) * 1000;
  const now = () => t0 + (Date.now() - wall0) * speed;
  const closers: Array<() => Promise<void> | void> = [];

  // ParallelCluster: an image build that succeeds (API mode, SigV4).
  const world = new ParallelClusterWorld({ start: t0 });
  const build = imageBuildSucceeds(world, { imageId: 'rocky9-hpc', buildSeconds: 45, startInMs: 0 });
  const pc = await startParallelClusterEmulator({ world });
  const pcluster = new ParallelClusterClient({
    apiUrl: pc.apiUrl,
    signingRegion: pc.region,
    credentials: pc.credentials,
  });
  closers.push(() => pc.close());

  // Image Builder: a lifecycle execution deprecating, then deleting AMIs.
  const ibKeys = { accessKeyId: 'AKIADASHBOARDDEMO000', secretAccessKey: 'dashboard-demo-secret-key-0000000000' };
  const ib = await startImageBuilderEmulator({ clock: { now }, auth: { mode: 'check', credentials: [ibKeys] } });
  const lce = lifecycleDeprecateThenDelete(ib.store, { start: t0 + 2000, count: 4 });
  imageBuildAvailable(ib.store, { start: t0 + 1000 });
  const imagebuilder = new ImageBuilderClient({ region: 'us-east-1', endpoint: ib.url, credentials: ibKeys });
  closers.push(
    () => ib.close(),
    () => imagebuilder.close(),
  );

  // RFS: a deployment that fails and rolls back (AK/SK signed).
  const rfsKeys = { accessKey: 'DASHBOARDDEMOAK00001', secretKey: 'dashboard-demo-secret' };
  const rfsEmu = await startRfsEmulator({
    credentials: { aksk: [rfsKeys] },
    scenarios: [deploymentFailsAndRollsBack({ stackName: 'shop-db', startAt: t0, stepMs: 2500 })],
    clock: now,
  });
  const rfs = new RfsClient({
    region: 'cn-north-4',
    projectId: rfsEmu.projectId,
    endpoint: rfsEmu.url,
    credentials: rfsKeys,
    env: {},
    now,
  });
  closers.push(() => rfsEmu.close());

  // Heat: a stack with a nested stack (noauth).
  const heatEmu = await startHeatEmulator({ epochMs: t0, tenant: 'demo' });
  const root = heatEmu.addStack(
    'web',
    createScript(
      'web',
      [
        { name: 'net', type: 'OS::Neutron::Net' },
        { name: 'servers', type: 'OS::Heat::ResourceGroup' },
        { name: 'lb', type: 'OS::Octavia::LoadBalancer' },
      ],
      { startMs: 500, stepMs: 3000 },
    ),
  );
  heatEmu.addStack(
    'web-servers-x7k2',
    createScript(
      'web-servers-x7k2',
      [
        { name: '0', type: 'OS::Nova::Server' },
        { name: '1', type: 'OS::Nova::Server' },
      ],
      {
        startMs: 7000,
        stepMs: 1000,
      },
    ),
    { parent: root.id },
  );
  const heat = new HeatClient({ auth: { type: 'none' }, endpoint: heatEmu.heatUrl });
  closers.push(() => heatEmu.close());

  // The emulators whose clocks are driven from outside follow the shared clock.
  const timer = setInterval(() => {
    const pcBehind = now() - world.now();
    if (pcBehind > 0) world.advance(pcBehind);
    const heatBehind = now() - t0 - heatEmu.now();
    if (heatBehind > 0) heatEmu.advance(heatBehind);
  }, 25);
  timer.unref();
  closers.push(() => clearInterval(timer));

  const pollIntervalMs = Math.max(50, Math.round(2500 / speed));
  return {
    pollIntervalMs,
    targets: [
      {
        provider: 'aws-parallelcluster',
        target: build.imageId,
        watch: (signal) => pcluster.watchImageBuild(build.imageId, { signal, pollIntervalMs }),
      },
      {
        provider: 'aws-imagebuilder',
        target: lce.executionId,
        watch: (signal) => imagebuilder.watchLifecycleExecution(lce.executionId, { signal, pollIntervalMs }),
      },
      {
        provider: 'huawei-rfs',
        target: 'shop-db',
        watch: (signal) => rfs.watchStackEvents('shop-db', { signal, pollIntervalMs }),
      },
      {
        provider: 'openstack-heat',
        target: 'web',
        watch: (signal) => heat.watchStackEvents('web', { signal, pollIntervalMs, nestedDepth: 2 }),
      },
    ],
    images: [
      { provider: 'aws-parallelcluster', list: (signal) => pcluster.listImages({ signal }) },
      { provider: 'aws-imagebuilder', list: (signal) => imagebuilder.listImages({ signal }) },
    ],
    close: async () => {
      for (const c of closers.reverse()) await c();
    },
  };
}
