/**
 * The fleet at scale, on emulators with activity (the scale proof test and bench/fleet/scale.ts):
 * several accounts per provider (Heat projects and RFS projects, one emulator each, so each is
 * its own account with its own request counter), stacks created staggered over a span on a clock
 * that runs by itself, and the sources (discover + follow through the real clients) a worker
 * needs for them. Everything a worker process needs crosses the process boundary as JSON.
 */
import { type Activity, RequestCounter, RunningClock } from '@stackfeed/emulator';
import { heatActivity, startHeatEmulator } from '@stackfeed/emulator/heat';
import { rfsActivity, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { RfsClient } from '@stackfeed/huawei-rfs';
import { HeatClient } from '@stackfeed/openstack-heat';
import type { DiscoverFn, FleetContext, FollowFn, Place } from '../src/index.js';

/** One account as a worker process needs it (JSON). */
export interface ScaleAccount {
  place: Place;
  endpoint: string;
  /** RFS: the project and its AK/SK pair (an emulator fixture, not a credential of anything real). */
  projectId?: string;
  keys?: { accessKey: string; secretKey: string };
}

export interface ScaleOptions {
  heatAccounts: number;
  rfsAccounts: number;
  /** Stacks per account. */
  perAccount: number;
  /** Wall ms over which the stacks' first operations start. */
  spanMs: number;
  budget: { limit: number; intervalMs: number };
  /** Share of Heat stacks updated after their create (default 0.3). */
  updateRate?: number;
  seed?: number;
}

export interface ScaleWorld {
  accounts: ScaleAccount[];
  /** Per account (place key): its activity (targets and ground truth) and its request counter. */
  activity: Map<string, Activity>;
  counters: Map<string, RequestCounter>;
  clock: RunningClock;
  /** The last instant (epoch ms) of any operation. */
  endsAt: number;
  close(): Promise<void>;
}

/** Start the emulators and their activity. The clock runs at wall speed: event times are real times. */
export async function startScaleWorld(o: ScaleOptions): Promise<ScaleWorld> {
  const clock = new RunningClock();
  const accounts: ScaleAccount[] = [];
  const activity = new Map<string, Activity>();
  const counters = new Map<string, RequestCounter>();
  const closers: Array<() => Promise<void>> = [];
  const common = { count: o.perAccount, spanMs: o.spanMs, startAt: clock.now() + 1000, deleteRate: 0 };
  for (let i = 0; i < o.heatAccounts; i++) {
    const cloud = `heat-${i}`;
    const emu = await startHeatEmulator({ clock, tenant: `project-${i}` });
    closers.push(() => emu.close());
    const act = heatActivity(emu, {
      ...common,
      prefix: cloud,
      seed: (o.seed ?? 1) + i,
      updateRate: o.updateRate ?? 0.3,
    });
    const place = placeOf('openstack-heat', cloud, o.budget);
    accounts.push({ place, endpoint: emu.heatUrl });
    activity.set(place.key, act);
    counters.set(place.key, new RequestCounter({ keyOf: () => place.key }).attach(emu.server));
  }
  for (let i = 0; i < o.rfsAccounts; i++) {
    const project = `rfs-${i}`;
    const keys = { accessKey: `HWFLEETSCALE${i}`, secretKey: `fleet-scale-emulator-secret-${i}-000000000000` };
    const emu = await startRfsEmulator({ credentials: { aksk: [keys] }, clock: () => clock.now() });
    closers.push(() => emu.close());
    // RFS updates keep the same status (DEPLOYMENT_COMPLETE), which discovery cannot tell apart: creates only.
    const act = rfsActivity(emu, clock.now(), { ...common, prefix: project, seed: 100 + i, updateRate: 0 });
    const place = placeOf('huawei-rfs', project, o.budget);
    accounts.push({ place, endpoint: emu.url, projectId: emu.projectId, keys });
    activity.set(place.key, act);
    counters.set(place.key, new RequestCounter({ keyOf: () => place.key }).attach(emu.server));
  }
  const endsAt = Math.max(...[...activity.values()].map((a) => a.endsAt));
  return {
    accounts,
    activity,
    counters,
    clock,
    endsAt,
    close: async () => {
      await Promise.all(closers.map((c) => c()));
    },
  };
}

function placeOf(provider: 'openstack-heat' | 'huawei-rfs', account: string, budget: ScaleOptions['budget']): Place {
  const heat = provider === 'openstack-heat';
  return {
    key: `${provider}:${heat ? 'cloud' : 'project'}=${account}${heat ? '' : ':region=cn-north-4'}`,
    provider,
    ...(heat ? { cloud: account } : { project: account, region: 'cn-north-4' }),
    kinds: ['stack'],
    filters: {},
    budget: { key: `${provider}:${account}:${heat ? '-' : 'cn-north-4'}`, ...budget },
  };
}

type Client = HeatClient | RfsClient;

/** Discover and follow for the accounts: one client per account and process, on the account's shared budget. */
export function scaleSource(accounts: readonly ScaleAccount[]): { discover: DiscoverFn; follow: FollowFn } {
  const clients = new Map<string, Client>();
  const client = (placeKey: string, ctx: FleetContext): Client => {
    let c = clients.get(placeKey);
    if (c) return c;
    const a = accounts.find((x) => x.place.key === placeKey);
    if (!a) throw new Error(`no account for place ${placeKey}`);
    const common = { rateLimit: ctx.rateLimit, logger: ctx.logger, retry: { baseDelayMs: 20, maxDelayMs: 500 } };
    c =
      a.place.provider === 'openstack-heat'
        ? new HeatClient({ auth: { type: 'none' }, endpoint: a.endpoint, ...common })
        : new RfsClient({
            region: 'cn-north-4',
            projectId: a.projectId,
            endpoint: a.endpoint,
            credentials: a.keys,
            env: {},
            ...common,
          });
    clients.set(placeKey, c);
    return c;
  };
  return {
    discover: (place, signal, ctx) => client(place.key, ctx).discover({ kinds: place.kinds, signal }),
    follow: (target, checkpoint, signal, ctx) => {
      const opts = { since: checkpoint?.lowWater, pollIntervalMs: ctx.pollIntervalMs, signal };
      const c = client(target.place, ctx);
      return c instanceof HeatClient
        ? c.watchStackEvents(target.discovered.ref as { name: string; id?: string }, opts)
        : c.watchStackEvents(target.discovered.ref as { name: string }, opts);
    },
  };
}
