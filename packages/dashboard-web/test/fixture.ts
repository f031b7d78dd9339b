import { existsSync } from 'node:fs';
import { type DashboardServer, startDashboard, TargetBoard } from '@stackfeed/dashboard';
import { createScript, type HeatEmulator } from '@stackfeed/emulator/heat';
import type { RfsEmulator } from '@stackfeed/emulator/rfs';
import type { HeatClient } from '@stackfeed/openstack-heat';
import { openStore, type Store } from '@stackfeed/store';
import { fill, startScenario } from '../../dashboard/test/scenario.js';

/** Where the page's build is (the test runs against what `pnpm build` made). */
export const WEB_ROOT = new URL('../../dashboard/web', import.meta.url).pathname;

/** The emulators' credentials: the page must never see one. */
export const RFS_KEYS = { accessKey: 'WEBTESTAKEXAMPLE00001', secretKey: 'web-test-secret-key-must-not-leak-0001' };

export interface World {
  heat: HeatEmulator;
  rfs: RfsEmulator;
  heatClient: HeatClient;
  store: Store;
  board: TargetBoard;
  server: DashboardServer;
  /** The board key (= inventory key) of the Heat stack `web`, probed by the outage loop. */
  webKey: string;
  /** A new Heat stack of `n` resources, followed into the store until it ends (a live trickle). */
  deploy(name: string, n: number, pollIntervalMs?: number): Promise<unknown>;
  /** Start the dashboard again on the same port (a real disconnect of every page). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The stores and servers `stackfeed dashboard` runs, in this process: Heat (`web` with a nested
 * stack, succeeds; `db`, its volume fails) and RFS (`shop-db`, fails and rolls back) followed into
 * an embedded store, a board with their places, a probe loop on `web` that reports each failure
 * to the board (the CLI's follow loops do the same), and the dashboard server on the built page.
 */
export async function startWorld(): Promise<World> {
  if (!existsSync(`${WEB_ROOT}/index.html`))
    throw new Error('the page is not built: pnpm --filter @stackfeed/dashboard-web build');
  const t0 = Date.now() - 2 * 3600_000;
  const emu = await startScenario({ t0, rfsKeys: RFS_KEYS, retry: { baseDelayMs: 1, maxDelayMs: 4, maxAttempts: 1 } });
  const { heat, heatClient } = emu;
  const store = await openStore(':memory:');
  await fill(store, emu);

  const board = new TargetBoard();
  const webKey = board.add({ provider: 'openstack-heat', kind: 'stack', name: 'web', place: 'demo' });
  board.add({ provider: 'openstack-heat', kind: 'stack', name: 'db', place: 'demo' });
  board.add({ provider: 'huawei-rfs', kind: 'stack', name: 'shop-db', place: 'cn-north-4' });

  // The follow loop's error reporting, on a probe of `web` every 200 ms.
  const probing = new AbortController();
  const probe = (async () => {
    while (!probing.signal.aborted) {
      try {
        await heatClient.getStack('web', { signal: probing.signal });
        board.ok(webKey);
      } catch (err) {
        if (!probing.signal.aborted) board.fail(webKey, err);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();

  const open = (port = 0) => startDashboard({ store, board, port, webRoot: WEB_ROOT, targetsPollMs: 200 });
  let server = await open();
  const world: World = {
    heat,
    rfs: emu.rfs,
    heatClient,
    store,
    board,
    get server() {
      return server;
    },
    webKey,
    deploy: (name, n, pollIntervalMs = 150) => {
      heat.addStack(
        name,
        createScript(
          name,
          Array.from({ length: n }, (_, i) => ({ name: `r${i}` })),
          { startMs: heat.now() + 1000, stepMs: 1000 },
        ),
      );
      return store.follow(heatClient, name, { pollIntervalMs, flushIntervalMs: 5, batchSize: 2 });
    },
    restart: async () => {
      const port = server.port;
      await server.close();
      await new Promise((r) => setTimeout(r, 1500));
      server = await open(port);
    },
    close: async () => {
      probing.abort();
      await probe;
      await server.close();
      await store.close();
      await emu.close();
    },
  };
  return world;
}
