import { StackfeedError } from '@stackfeed/core';
import type { HeatEmulator } from '@stackfeed/emulator/heat';
import { HeatClient, type HeatStackRef } from '@stackfeed/openstack-heat';
import { fixedPortProxy } from './proxy.js';
import { eventSession, stackSession } from './session.js';
import {
  type DemoClock,
  type FleetPlaceContext,
  type FleetSourceClient,
  LOOP_PERIOD_MS,
  loopRounds,
  type ProviderContext,
  type ProviderPlugin,
  type ProviderSession,
} from './types.js';

/** `heat:web` or `heat:web/<stack-id>`. */
function ref(target: string): HeatStackRef {
  const i = target.indexOf('/');
  return i > 0 ? { name: target.slice(0, i), id: target.slice(i + 1) } : target;
}

function session(client: HeatClient, defaults: { nestedDepth?: number } = {}): ProviderSession {
  const extra = (q: { nestedDepth?: number | undefined }) => ({ nestedDepth: q.nestedDepth ?? defaults.nestedDepth });
  return { ...eventSession(client, { ref, extra }), ...stackSession(client) };
}

/** Builds the client from clouds.yaml/OS_*; with only `--endpoint`, a noauth Heat (an emulator, a standalone Heat). */
function connect(ctx: ProviderContext & { rateLimit?: FleetPlaceContext['rateLimit'] }): HeatClient {
  const overrides = {
    ...(ctx.endpoint ? { endpoint: ctx.endpoint } : {}),
    ...(ctx.rateLimit ? { rateLimit: ctx.rateLimit } : {}),
    ...(ctx.region ? { region: ctx.region } : {}),
    ...(ctx.logger ? { logger: ctx.logger } : {}),
    ...(ctx.tokenKey ? { tokenKey: ctx.tokenKey } : {}),
  };
  try {
    return HeatClient.fromConfig({ cloud: ctx.cloud, env: ctx.env, cwd: ctx.cwd }, overrides);
  } catch (err) {
    const noConfig = StackfeedError.is(err) && err.code === 'CONFIG' && /no OpenStack configuration/.test(err.message);
    if (noConfig && ctx.endpoint) return new HeatClient({ auth: { type: 'none' }, ...overrides });
    throw err;
  }
}

/** Plays a scenario in step with the demo clock. */
function follow(emu: HeatEmulator, clock: DemoClock): () => void {
  const timer = setInterval(() => {
    const behind = clock.elapsed() - emu.now();
    if (behind > 0) emu.advance(behind);
  }, 25);
  timer.unref?.();
  return () => clearInterval(timer);
}

/** A root stack with a nested stack (a ResourceGroup of servers), created successfully. */
async function loadScenario(emu: HeatEmulator, startMs: number, stepMs: number) {
  const { createScript } = await import('@stackfeed/emulator/heat');
  const at = (n: number) => startMs + n * stepMs;
  const root = emu.addStack('web', [
    { atMs: at(0), resource: 'web', status: 'CREATE_IN_PROGRESS', reason: 'Stack CREATE started' },
    { atMs: at(1), resource: 'net', status: 'CREATE_IN_PROGRESS', type: 'OS::Neutron::Net' },
    { atMs: at(2), resource: 'net', status: 'CREATE_COMPLETE', type: 'OS::Neutron::Net', physicalId: 'net-1' },
    { atMs: at(3), resource: 'servers', status: 'CREATE_IN_PROGRESS', type: 'OS::Heat::ResourceGroup' },
    { atMs: at(10), resource: 'servers', status: 'CREATE_COMPLETE', type: 'OS::Heat::ResourceGroup' },
    { atMs: at(11), resource: 'lb', status: 'CREATE_IN_PROGRESS', type: 'OS::Octavia::LoadBalancer' },
    { atMs: at(12), resource: 'lb', status: 'CREATE_COMPLETE', type: 'OS::Octavia::LoadBalancer' },
    { atMs: at(13), resource: 'web', status: 'CREATE_COMPLETE', reason: 'Stack CREATE completed successfully' },
  ]);
  emu.addStack(
    'web-servers-x7k2',
    createScript(
      'web-servers-x7k2',
      [
        { name: '0', type: 'OS::Nova::Server' },
        { name: '1', type: 'OS::Nova::Server' },
      ],
      { startMs: at(3) + stepMs / 2, stepMs: stepMs * 1.2 },
    ),
    { parent: root.id },
  );
  return root;
}

/** `--loop` round: the same stack updated (stack ids stay; every event is new), from `startMs`. */
function updateRound(emu: HeatEmulator, startMs: number, stepMs: number): void {
  const root = [...emu.stacks.values()].find((s) => s.name === 'web');
  const nested = [...emu.stacks.values()].find((s) => s.name === 'web-servers-x7k2');
  if (!root || !nested) return;
  const at = (n: number) => startMs + n * stepMs;
  emu.addEvents(root, [
    { atMs: at(0), resource: 'web', status: 'UPDATE_IN_PROGRESS', reason: 'Stack UPDATE started' },
    { atMs: at(1), resource: 'servers', status: 'UPDATE_IN_PROGRESS', type: 'OS::Heat::ResourceGroup' },
    { atMs: at(6), resource: 'servers', status: 'UPDATE_COMPLETE', type: 'OS::Heat::ResourceGroup' },
    { atMs: at(7), resource: 'lb', status: 'UPDATE_IN_PROGRESS', type: 'OS::Octavia::LoadBalancer' },
    { atMs: at(8), resource: 'lb', status: 'UPDATE_COMPLETE', type: 'OS::Octavia::LoadBalancer' },
    { atMs: at(9), resource: 'web', status: 'UPDATE_COMPLETE', reason: 'Stack UPDATE completed successfully' },
  ]);
  emu.addEvents(nested, [
    {
      atMs: at(1) + stepMs / 2,
      resource: 'web-servers-x7k2',
      status: 'UPDATE_IN_PROGRESS',
      reason: 'Stack UPDATE started',
    },
    { atMs: at(2), resource: '0', status: 'UPDATE_IN_PROGRESS', type: 'OS::Nova::Server' },
    { atMs: at(3), resource: '0', status: 'UPDATE_COMPLETE', type: 'OS::Nova::Server' },
    { atMs: at(4), resource: '1', status: 'UPDATE_IN_PROGRESS', type: 'OS::Nova::Server' },
    { atMs: at(5), resource: '1', status: 'UPDATE_COMPLETE', type: 'OS::Nova::Server' },
    {
      atMs: at(5) + stepMs / 2,
      resource: 'web-servers-x7k2',
      status: 'UPDATE_COMPLETE',
      reason: 'Stack UPDATE completed successfully',
    },
  ]);
}

/** OpenStack Heat: clouds.yaml + `OS_CLOUD`/`--cloud`, or `OS_*` variables; `--endpoint` alone means noauth. */
export const plugin: ProviderPlugin = {
  id: 'openstack-heat',
  aliases: ['heat', 'openstack'],
  title: 'OpenStack Heat',
  target: 'a stack name or id (or name/id)',
  credentials:
    'clouds.yaml with OS_CLOUD or --cloud, or OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, OS_USER_DOMAIN_NAME (or OS_TOKEN, OS_APPLICATION_CREDENTIAL_ID/_SECRET)',
  offers: ['listEvents', 'followEvents', 'listDeployments', 'listStacks'],
  connect: (ctx) => session(connect(ctx)),
  // A place's `clouds:` entry is a clouds.yaml cloud, read as `--cloud` is.
  fleetClient: (ctx) => connect(ctx) as FleetSourceClient,
  async demo({ clock }) {
    const { startHeatEmulator } = await import('@stackfeed/emulator/heat');
    const emu = await startHeatEmulator({ epochMs: clock.t0, tenant: 'demo' });
    await loadScenario(emu, 500, 2000);
    const stop = follow(emu, clock);
    const client = new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl });
    return {
      title: `Heat stack "web" with a nested stack of servers (${emu.heatUrl})`,
      session: session(client, { nestedDepth: 2 }),
      target: 'web',
      finals: async (signal) => [await client.getStack('web', { signal })],
      close: async () => {
        stop();
        await emu.close();
      },
    };
  },
  async emulator({ port, host, clock, loop }) {
    const { startHeatEmulator } = await import('@stackfeed/emulator/heat');
    const emu = await startHeatEmulator({ epochMs: clock.t0, tenant: 'demo' });
    await loadScenario(emu, 5000, 3000);
    const following = follow(emu, clock);
    const looping = loop
      ? loopRounds(clock, (_k, startAt) => updateRound(emu, startAt - clock.t0 + 5000, 3000))
      : undefined;
    const stop = () => {
      following();
      looping?.();
    };
    // The Heat emulator picks its own port; a proxy gives it the fixed one.
    const proxy = await fixedPortProxy(emu.url, port, host).catch(async (err) => {
      stop();
      await emu.close();
      throw err;
    });
    const endpoint = `${proxy.url}/v1/demo`;
    return {
      endpoint,
      settings: { OS_AUTH_TYPE: 'none', OS_ENDPOINT: endpoint },
      notes: [
        'stacks: web (with nested stack web-servers-x7k2); noauth: any token or none',
        ...(loop ? [`--loop: "web" is updated every ${LOOP_PERIOD_MS / 1000} s of scenario time`] : []),
        `try: stackfeed events heat web -f --nested-depth 2 --endpoint ${endpoint}`,
      ],
      close: async () => {
        stop();
        await proxy.close();
        await emu.close();
      },
    };
  },
};
