import type { ExecutionInfo, ImageInfo, ProviderId } from '@stackfeed/core';
import type { KnownTarget, TargetBoard } from '@stackfeed/dashboard';
import type { Store } from '@stackfeed/store';
import type { Ctx } from '../context.js';
import { EXIT, formatError, UsageError } from '../errors.js';
import { parsePositive } from '../options.js';
import { type DemoRun, demoClock } from '../providers/types.js';
import { VERSION } from '../version.js';
import { openCliStore } from './archive.js';
import { readFleetConfig, runFleet } from './dashboard-fleet.js';
import { DEMO_SCENARIO_MS } from './demo.js';

/** The port `stackfeed dashboard` listens on unless told (`--port 0`: any free one). */
export const DEFAULT_DASHBOARD_PORT = 4800;

/** Scenario seconds per wall second of the dashboard's demo (about 50 s in all: time to watch it). */
const DEFAULT_DASHBOARD_SPEED = 2;

/** Where each demo emulator lives, as an inventory place, and what its target is. */
const DEMO_TARGETS: Record<string, { place: string; kind: KnownTarget['kind'] }> = {
  'openstack-heat': { place: 'demo', kind: 'stack' },
  'huawei-rfs': { place: 'cn-north-4', kind: 'stack' },
  'aws-parallelcluster': { place: 'us-east-1', kind: 'image' },
  'aws-imagebuilder': { place: 'us-east-1', kind: 'execution' },
};

export interface DashboardFlags {
  config?: string;
  store?: string;
  port?: string;
  host?: string;
  token?: string;
  speed?: string;
}

/**
 * `stackfeed dashboard`: serve the dashboard on the store. Without `--store`, the providers'
 * emulators play their scenarios on 127.0.0.1 and their targets are followed into an embedded
 * store in memory (the demo). With `--store`, it serves what other processes store (a fleet, an
 * `archive`), live through the store's notifications. With `--config`, one fleet worker in this
 * process follows the places of that stackfeed.yaml into the store (with other workers on the same
 * PostgreSQL, if any), each place's and target's failure on its card. Runs until Ctrl-C.
 */
export async function dashboardCommand(ctx: Ctx, flags: DashboardFlags): Promise<number> {
  const { isLoopback, startDashboard, TargetBoard } = await import('@stackfeed/dashboard');
  const host = flags.host ?? '127.0.0.1';
  const token = flags.token ?? (ctx.env.STACKFEED_DASHBOARD_TOKEN || undefined);
  if (!isLoopback(host) && !token) {
    throw new UsageError(
      `--host ${host} is not loopback: give --token (or STACKFEED_DASHBOARD_TOKEN) too, or anyone on the network can read the dashboard`,
      'dashboard',
    );
  }
  const port = flags.port === '0' ? 0 : (parsePositive(flags.port, '--port', 'dashboard') ?? DEFAULT_DASHBOARD_PORT);
  if (!Number.isInteger(port) || port > 65_535)
    throw new UsageError('--port must be a port number (0-65535)', 'dashboard');
  const speed = parsePositive(flags.speed, '--speed', 'dashboard') ?? DEFAULT_DASHBOARD_SPEED;
  // With a fleet config: its places are followed into the store (embedded, or --store), no demo.
  const fleetConfig = flags.config !== undefined ? await readFleetConfig(flags.config) : undefined;

  const demo = !fleetConfig && flags.store === undefined && !ctx.env.STACKFEED_STORE;
  const store = demo
    ? await (await import('@stackfeed/store')).openStore(':memory:')
    : await openCliStore(ctx, { ...(flags.store !== undefined ? { store: flags.store } : {}) });
  const board = new TargetBoard();
  const runs: DemoRun[] = [];
  const loops: Promise<void>[] = [];
  let server: Awaited<ReturnType<typeof startDashboard>> | undefined;
  let stopFleet: (() => Promise<void>) | undefined;
  try {
    if (fleetConfig) stopFleet = await runFleet(ctx, store, board, fleetConfig);
    if (demo) {
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      const clock = demoClock(speed, Date.now, { anchorMs: DEMO_SCENARIO_MS });
      const pollIntervalMs = Math.max(50, Math.round(2500 / speed));
      for (const entry of ctx.providers) {
        if (!entry.load) continue;
        try {
          const plugin = await entry.load();
          if (!plugin.demo) continue;
          const run = await plugin.demo({ speed, signal: ctx.signal, clock });
          runs.push(run);
          loops.push(followInto(store, board, plugin.id as ProviderId, run, pollIntervalMs, ctx.signal));
        } catch (err) {
          ctx.err.write(`stackfeed: ${entry.title}: its emulator did not start: ${formatError(err)}\n`);
        }
      }
    }
    server = await startDashboard({ store, host, port, token, version: VERSION, board });
    const where = demo
      ? `embedded store in memory, ${runs.length} provider emulators on 127.0.0.1`
      : `store ${store.location}${fleetConfig ? `, following the ${fleetConfig.places.length} places of ${fleetConfig.file}` : ''}`;
    ctx.out.write(`stackfeed dashboard: ${server.url} (${where}); Ctrl-C stops it\n`);
    if (token)
      ctx.out.write('  with a token: open the URL with ?token=<the token> once, or send Authorization: Bearer\n');
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    return EXIT.OK;
  } finally {
    await server?.close();
    await stopFleet?.().catch(() => {});
    await Promise.allSettled(loops);
    await Promise.allSettled(runs.map((r) => r.close()));
    await store.close();
  }
}

/**
 * Follows one demo target into the store until its deployment ends, telling the board each
 * failure (the card's error state) and each success after one; then archives its final records.
 */
async function followInto(
  store: Store,
  board: TargetBoard,
  provider: ProviderId,
  run: DemoRun,
  pollIntervalMs: number,
  signal: AbortSignal,
): Promise<void> {
  const follow = run.session.followEvents;
  const where = DEMO_TARGETS[provider] ?? { place: '', kind: 'stack' as const };
  const key = board.add({ provider, kind: where.kind, name: run.target, id: run.target, place: where.place });
  const snapshot = async () => {
    if (!run.finals) return;
    const records = (await run.finals(signal)).filter(
      (r): r is ImageInfo | ExecutionInfo => 'artifacts' in r || 'kind' in r,
    );
    if (records.length) await store.archive(each(records), { target: `${provider}:${run.target}:records` });
  };
  let backoff = 1000;
  while (follow && !signal.aborted) {
    try {
      await snapshot().catch(() => {});
      const res = await store.resume(
        `${provider}:${run.target}`,
        (since) => follow.call(run.session, run.target, { ...(since ? { since } : {}), pollIntervalMs, signal }),
        { onBatch: () => board.ok(key) },
      );
      board.ok(key);
      if (res.aborted || signal.aborted) return;
      await snapshot();
      return;
    } catch (err) {
      if (signal.aborted) return;
      board.fail(key, err);
      await new Promise((r) => setTimeout(r, backoff).unref());
      backoff = Math.min(backoff * 2, 30_000);
    }
  }
}

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}
