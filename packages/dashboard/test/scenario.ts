/**
 * The scenario the dashboard's tests and the page's (dashboard-web) tests fill their stores from:
 * no vitest in here, so that either package's tests can import it.
 */
import type { RetryOptions } from '@stackfeed/core';
import { createScript, type HeatEmulator, startHeatEmulator } from '@stackfeed/emulator/heat';
import { deploymentFailsAndRollsBack, type RfsEmulator, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { RfsClient } from '@stackfeed/huawei-rfs';
import { HeatClient } from '@stackfeed/openstack-heat';
import type { Store } from '@stackfeed/store';

export interface Emulators {
  heat: HeatEmulator;
  rfs: RfsEmulator;
  heatClient: HeatClient;
  rfsClient: RfsClient;
  close(): Promise<void>;
}

export interface ScenarioOptions {
  /** When the Heat scenario starts (its emulator's epoch) and the RFS deployment begins. */
  t0: number;
  /** The AK/SK the RFS emulator accepts and the client signs with. */
  rfsKeys: { accessKey: string; secretKey: string };
  /** Both clients' retry policy. */
  retry: RetryOptions;
}

/**
 * Heat with `web` (a nested stack of servers, succeeds) and `db` (its `volume` fails), RFS with
 * `shop-db` (a deployment that fails and rolls back), signed with AK/SK; a client for each.
 */
export async function startScenario({ t0, rfsKeys, retry }: ScenarioOptions): Promise<Emulators> {
  const heat = await startHeatEmulator({ epochMs: t0, tenant: 'demo', autoAdvanceMs: 2000 });
  const web = heat.addStack(
    'web',
    createScript('web', [{ name: 'net' }, { name: 'servers', type: 'OS::Heat::ResourceGroup' }, { name: 'lb' }], {
      stepMs: 3000,
    }),
  );
  heat.addStack(
    'web-servers-ab12',
    createScript(
      'web-servers-ab12',
      [
        { name: '0', type: 'OS::Nova::Server' },
        { name: '1', type: 'OS::Nova::Server' },
      ],
      { startMs: 2500, stepMs: 200 },
    ),
    { parent: web.id },
  );
  heat.addStack(
    'db',
    createScript('db', [{ name: 'net' }, { name: 'volume', type: 'OS::Cinder::Volume', fail: true }], {
      startMs: 500,
      stepMs: 1000,
    }),
  );
  // The RFS clock is past the whole scenario: its history is there at once.
  const now = () => t0 + 3_600_000;
  const rfs = await startRfsEmulator({
    credentials: { aksk: [rfsKeys] },
    scenarios: [deploymentFailsAndRollsBack({ stackName: 'shop-db', startAt: t0, stepMs: 1000 })],
    clock: now,
  });
  const heatClient = new HeatClient({ auth: { type: 'none' }, endpoint: heat.heatUrl, retry });
  const rfsClient = new RfsClient({
    region: 'cn-north-4',
    projectId: rfs.projectId,
    endpoint: rfs.url,
    credentials: rfsKeys,
    env: {},
    now,
    retry,
  });
  return {
    heat,
    rfs,
    heatClient,
    rfsClient,
    close: async () => {
      await heat.close();
      await rfs.close();
    },
  };
}

/** Follows every emulated deployment into the store until it ends. */
export async function fill(store: Store, emu: Emulators): Promise<void> {
  const o = { pollIntervalMs: 5, flushIntervalMs: 5 };
  await store.resume(
    'openstack-heat:web',
    (since) =>
      emu.heatClient.watchStackEvents('web', { pollIntervalMs: 5, nestedDepth: 2, ...(since ? { since } : {}) }),
    { flushIntervalMs: 5 },
  );
  await store.follow(emu.heatClient, 'db', o);
  await store.follow(emu.rfsClient, 'shop-db', o);
}
