/**
 * The fleet at scale, on emulators with activity (the scale proof test and bench/fleet/scale.ts):
 * several accounts per provider (Heat projects, RFS projects, ParallelCluster and Image Builder
 * AWS accounts, one emulator each, so each is its own account with its own request counter),
 * targets created staggered over a span on a clock that runs by itself, and the sources (discover
 * + follow through the real clients) a worker needs for them. Everything a worker process needs
 * crosses the process boundary as JSON.
 */
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import type { StackEvent } from '@stackfeed/core';
import { type Activity, RequestCounter, RunningClock, canonicalJson } from '@stackfeed/emulator';
import { heatActivity, startHeatEmulator } from '@stackfeed/emulator/heat';
import { ImageBuilderStore, imageBuilderActivity, startImageBuilderEmulator } from '@stackfeed/emulator/imagebuilder';
import {
  ParallelClusterWorld,
  parallelClusterActivity,
  startParallelClusterEmulator,
} from '@stackfeed/emulator/parallelcluster';
import { rfsActivity, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { RfsClient } from '@stackfeed/huawei-rfs';
import { HeatClient } from '@stackfeed/openstack-heat';
import type { DiscoverFn, FleetContext, FollowFn, Place } from '../src/index.js';
import { type LagLine, type PollsLine, tracedLimiter, tracedStream } from './lag-trace.js';

type ScaleProvider = 'openstack-heat' | 'huawei-rfs' | 'aws-parallelcluster' | 'aws-imagebuilder';

/** One account as a worker process needs it (JSON). */
export interface ScaleAccount {
  place: Place;
  endpoint: string;
  /** RFS: the project and its AK/SK pair (an emulator fixture, not a credential of anything real). */
  projectId?: string;
  keys?: { accessKey: string; secretKey: string };
  /** AWS (ParallelCluster API, Image Builder): the emulator's key pair (a fixture as well) and region. */
  aws?: { accessKeyId: string; secretAccessKey: string; region: string };
}

export interface ScaleOptions {
  heatAccounts: number;
  rfsAccounts: number;
  /** ParallelCluster accounts (API mode: clusters' CloudFormation stack events). Default 0. */
  pclusterAccounts?: number;
  /** Image Builder accounts (lifecycle executions). Default 0. */
  imageBuilderAccounts?: number;
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
  for (let i = 0; i < (o.pclusterAccounts ?? 0); i++) {
    const profile = `pc-${i}`;
    const aws = awsKeys('PC', i);
    const world = new ParallelClusterWorld({ clock, accountId: `1111000000${String(i).padStart(2, '0')}` });
    // Clusters only (no deletes: a deleted cluster is gone from the API).
    const act = parallelClusterActivity(world, {
      ...common,
      prefix: profile,
      seed: 200 + i,
      updateRate: o.updateRate ?? 0.3,
    });
    const emu = await startParallelClusterEmulator({ world, credentials: [aws] });
    closers.push(() => emu.close());
    const place = awsPlace('aws-parallelcluster', profile, emu.region, ['cluster'], o.budget);
    accounts.push({ place, endpoint: emu.apiUrl, aws: { ...aws, region: emu.region } });
    activity.set(place.key, act);
    const counter = new RequestCounter({ keyOf: () => place.key });
    for (const server of Object.values(emu.servers)) counter.attach(server);
    counters.set(place.key, counter);
  }
  for (let i = 0; i < (o.imageBuilderAccounts ?? 0); i++) {
    const profile = `ib-${i}`;
    const aws = awsKeys('IB', i);
    const store = new ImageBuilderStore({ clock, accountId: `2222000000${String(i).padStart(2, '0')}` });
    const act = imageBuilderActivity(store, { ...common, prefix: profile, seed: 300 + i });
    // The truth of served states: the emulator tells the activity what each answer held.
    const emu = await startImageBuilderEmulator({
      store,
      auth: { mode: 'check', credentials: [aws] },
      onRequest: (op, input, s) => act.onRequest(op, input, s),
    });
    closers.push(() => emu.close());
    const place = awsPlace('aws-imagebuilder', profile, store.region, ['lifecycle-execution'], o.budget);
    accounts.push({ place, endpoint: emu.url, aws: { ...aws, region: store.region } });
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

/** An emulator's AWS key pair (a fixture: the emulator checks SigV4 against it). */
const awsKeys = (tag: string, i: number) => ({
  accessKeyId: `AKIAFLEETSCALE${tag}${String(i).padStart(2, '0')}`,
  secretAccessKey: `fleet-scale-${tag.toLowerCase()}-emulator-secret-${i}-0000000000`,
});

function awsPlace(
  provider: 'aws-parallelcluster' | 'aws-imagebuilder',
  profile: string,
  region: string,
  kinds: Place['kinds'],
  budget: ScaleOptions['budget'],
): Place {
  return {
    key: `${provider}:profile=${profile}:region=${region}`,
    provider,
    profile,
    region,
    kinds,
    filters: {},
    budget: { key: `${provider}:${profile}:${region}`, ...budget },
  };
}

/**
 * What a stored event is in the ground truth's terms: Heat's and CloudFormation's event id; an
 * RFS record (no id) as the emulator keeps it; an Image Builder resource state.
 */
export function truthKeyOf(provider: string, e: Pick<StackEvent, 'id' | 'raw'>): string {
  if (provider === 'huawei-rfs') return canonicalJson(e.raw);
  if (provider === 'aws-imagebuilder') {
    const r = e.raw as { resourceId?: string; action?: { name?: string }; state?: { status?: string } };
    return `${r.resourceId}|${r.action?.name}|${r.state?.status}`;
  }
  return e.id;
}

/** The provider of a place key. */
export const providerOf = (placeKey: string) => placeKey.slice(0, placeKey.indexOf(':')) as ScaleProvider;

type Client = HeatClient | RfsClient | ParallelClusterClient | ImageBuilderClient;

/**
 * Discover and follow for the accounts: one client per account and process, on the account's
 * shared budget. With `trace`, each follow's events and budget waits are printed (lag-trace.ts).
 */
export function scaleSource(
  accounts: readonly ScaleAccount[],
  trace?: (line: LagLine | PollsLine) => void,
): { discover: DiscoverFn; follow: FollowFn } {
  const clients = new Map<string, Client>();
  const client = (placeKey: string, ctx: FleetContext): Client => {
    let c = clients.get(placeKey);
    if (c) return c;
    const a = accounts.find((x) => x.place.key === placeKey);
    if (!a) throw new Error(`no account for place ${placeKey}`);
    const rateLimit = trace ? tracedLimiter(ctx.rateLimit) : ctx.rateLimit;
    const common = { rateLimit, logger: ctx.logger, retry: { baseDelayMs: 20, maxDelayMs: 500 } };
    c = makeClient(a, common);
    clients.set(placeKey, c);
    return c;
  };
  return {
    discover: (place, signal, ctx) => client(place.key, ctx).discover({ kinds: place.kinds, signal }),
    follow: (target, checkpoint, signal, ctx) => {
      const opts = { since: checkpoint?.lowWater, pollIntervalMs: ctx.pollIntervalMs, signal };
      // Each ref is one this client's own discover() gave.
      const c = client(target.place, ctx) as {
        watchStackEvents(ref: unknown, o: typeof opts): AsyncIterable<StackEvent>;
      };
      const stream = c.watchStackEvents(target.discovered.ref, opts) as ReturnType<FollowFn>;
      return trace ? tracedStream(target.key, providerOf(target.place), stream, trace) : stream;
    },
  };
}

function makeClient(
  a: ScaleAccount,
  common: {
    rateLimit: FleetContext['rateLimit'];
    logger: FleetContext['logger'];
    retry: { baseDelayMs: number; maxDelayMs: number };
  },
): Client {
  switch (a.place.provider) {
    case 'openstack-heat':
      return new HeatClient({ auth: { type: 'none' }, endpoint: a.endpoint, ...common });
    case 'huawei-rfs':
      return new RfsClient({
        region: 'cn-north-4',
        projectId: a.projectId,
        endpoint: a.endpoint,
        credentials: a.keys,
        env: {},
        ...common,
      });
    case 'aws-parallelcluster': {
      const { region, ...credentials } = a.aws as NonNullable<ScaleAccount['aws']>;
      return new ParallelClusterClient({ apiUrl: a.endpoint, signingRegion: region, credentials, ...common });
    }
    case 'aws-imagebuilder': {
      const { region, ...credentials } = a.aws as NonNullable<ScaleAccount['aws']>;
      return new ImageBuilderClient({ region, endpoint: a.endpoint, credentials, ...common });
    }
    default:
      throw new Error(`no scale client for ${a.place.provider}`);
  }
}
