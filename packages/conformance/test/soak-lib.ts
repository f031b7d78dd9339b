/**
 * Soak and scale (issue 8): many stacks watched at once across the four emulators, on simulated
 * clocks driven from one timer, through one shared client-side RateLimiter per provider. The
 * emulators count what they receive (arrival time of every request, via a fault rule whose
 * `match` records and, above the quota, answers 429), and every watch's output is compared with
 * the emulator's own ground truth.
 *
 * Used by `packages/conformance/test/soak.test.ts` (CI size) and `bench/soak/soak.ts` (full run).
 */
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type ProviderId, RateLimiter, type StackEvent, type WatchStream } from '@stackfeed/core';
import type { EmulatorRequest, EmulatorServer } from '@stackfeed/emulator';
import { type EmulatedStack, type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import {
  type ImageBuilderEmulator,
  type LifecycleResourceSeed,
  ManualClock,
  startImageBuilderEmulator,
} from '@stackfeed/emulator/imagebuilder';
import {
  type ParallelClusterEmulator,
  PCLUSTER_VERSION,
  type ParallelClusterWorld,
  clusterCreate,
  startParallelClusterEmulator,
} from '@stackfeed/emulator/parallelcluster';
import {
  type RfsEmulator,
  type RfsScenario,
  type ScenarioResource,
  deploymentFailsAndRollsBack,
  deploymentSucceeds,
  startRfsEmulator,
} from '@stackfeed/emulator/rfs';
import { RfsClient } from '@stackfeed/huawei-rfs';
import { HeatClient } from '@stackfeed/openstack-heat';

export type ProviderName = 'openstack-heat' | 'huawei-rfs' | 'aws-parallelcluster' | 'aws-imagebuilder';
export const PROVIDERS: readonly ProviderName[] = [
  'openstack-heat',
  'huawei-rfs',
  'aws-parallelcluster',
  'aws-imagebuilder',
];

export interface SoakOptions {
  /** Stacks in all (split evenly over the four providers; default 200). */
  stacks?: number;
  /** Simulated span over which the stacks start and finish (default 10 minutes). */
  simMinutes?: number;
  /** Simulated ms per real ms (default 6: 10 simulated minutes in 100 s). */
  speed?: number;
  /** Client-side limit per provider, requests per `intervalMs` (default 20). */
  clientLimit?: number;
  /** The server's stated quota per provider, requests per `intervalMs` (default 25). */
  quota?: number;
  /** The rate window (default 1000 ms). */
  intervalMs?: number;
  /** Answer 429 when a request would exceed the quota (default true). */
  enforceQuota?: boolean;
  /** Watch poll interval, real ms (default 250: demand is above the limit, so the limiter is binding). */
  pollIntervalMs?: number;
  /** Clients per provider, all sharing that provider's one RateLimiter (default 5). */
  clientsPerProvider?: number;
  /** Period of the clock driver, real ms (default 50). */
  tickMs?: number;
  /** Memory sample period, real ms (default 1000; 0 = none). */
  sampleMs?: number;
  /** Give up (abort every watch) after this many real ms past the simulated span (default 120 000). */
  graceMs?: number;
  /** Seed of the scenario mix (default 1). */
  seed?: number;
  /** Progress lines (default none). */
  log?: (line: string) => void;
}

export interface StackReport {
  provider: ProviderName;
  name: string;
  expectedOutcome: 'succeeded' | 'failed';
  outcome: string | undefined;
  error?: string;
  truth: number;
  delivered: number;
  duplicates: number;
  missing: number;
  unexpected: number;
  /** The delivered ids, in order, equal the truth's ids in order. */
  exact: boolean;
  /** Simulated ms at which the watch started, and when the deployment's last event happens. */
  watchStartedAt: number;
  endsAt: number;
}

export interface ProviderReport {
  provider: ProviderName;
  stacks: number;
  requests: number;
  /** Requests answered 429 by the quota check. */
  throttled: number;
  /** The most requests that arrived in any window of `intervalMs`. */
  maxPerWindow: number;
  quota: number;
  clientLimit: number;
  /** Requests the shared RateLimiter granted (attempts). */
  limiterGranted: number;
  /** The most grants the limiter handed out in any window (its own guarantee: <= clientLimit). */
  maxGrantsPerWindow: number;
  truthEvents: number;
  delivered: number;
  duplicates: number;
  missing: number;
  unexpected: number;
  exactStacks: number;
  outcomesRight: number;
}

export interface MemorySample {
  tMs: number;
  rssMB: number;
  heapUsedMB: number;
}

export interface SoakReport {
  options: Required<Omit<SoakOptions, 'log'>>;
  realMs: number;
  simMs: number;
  providers: ProviderReport[];
  stacks: StackReport[];
  memory: {
    samples: MemorySample[];
    baselineRssMB: number;
    peakRssMB: number;
    baselineHeapMB: number;
    peakHeapMB: number;
    /** Least-squares slope over the second half of the samples. */
    rssSlopeMBPerMin: number;
    heapSlopeMBPerMin: number;
  };
  /** Event-loop delay of the process (clients and emulators share it), ms. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  unhandledRejections: number;
  /** Watches not finished when the run gave up (0 when every one ended by itself). */
  abandoned: number;
}

// ------------------------------------------------------------------------------------------
// small utilities

/** A deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The most values of `times` (ascending) inside any half-open window `[t, t + intervalMs)`. */
export function maxInWindow(times: readonly number[], intervalMs: number): number {
  let best = 0;
  let lo = 0;
  for (let i = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[lo] as number) >= intervalMs) lo++;
    best = Math.max(best, i - lo + 1);
  }
  return best;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Counts every request a server receives (arrival time, performance.now()) and, when `quota` is
 * set, answers 429 to a request that would make more than `quota` arrivals in the last
 * `intervalMs`. Implemented as a fault rule whose `match` sees every request: no emulator edits.
 */
export class RequestMeter {
  readonly arrivals: number[] = [];
  throttled = 0;
  private readonly recent: number[] = [];
  private head = 0;

  constructor(
    server: EmulatorServer,
    private readonly intervalMs: number,
    private readonly quota: number | undefined,
  ) {
    server.faults.inject(
      { kind: 'throttle', retryAfter: 1, body: { message: 'Too Many Requests (soak quota)' } },
      { times: Number.POSITIVE_INFINITY, match: (req) => this.onRequest(req) },
    );
  }

  private onRequest(_req: EmulatorRequest): boolean {
    const t = performance.now();
    this.arrivals.push(t);
    while (this.head < this.recent.length && t - (this.recent[this.head] as number) >= this.intervalMs) this.head++;
    if (this.head > 4096) {
      this.recent.splice(0, this.head);
      this.head = 0;
    }
    this.recent.push(t);
    if (this.quota !== undefined && this.recent.length - this.head > this.quota) {
      this.throttled++;
      return true;
    }
    return false;
  }

  maxPerWindow(): number {
    return maxInWindow(this.arrivals, this.intervalMs);
  }
}

/** The RateLimiter, also noting when each grant was handed out (to tell the limiter's own
 * spacing from the delay between a grant and the request's arrival at the server). */
export class RecordingLimiter extends RateLimiter {
  readonly grantTimes: number[] = [];
  override async acquire(signal?: AbortSignal, provider?: ProviderId | 'core'): Promise<void> {
    await super.acquire(signal, provider);
    this.grantTimes.push(performance.now());
  }
}

// ------------------------------------------------------------------------------------------
// stacks: one interface over the four providers

interface Plan {
  provider: ProviderName;
  name: string;
  /** Simulated ms (from the run's start) of the deployment's first and last event. */
  startAt: number;
  endsAt: number;
  expectedOutcome: 'succeeded' | 'failed';
  /** Open the watch (called once the deployment has started). */
  watch(signal: AbortSignal): WatchStream<StackEvent>;
  /** The key of a delivered event to compare with the truth (an id, or the raw record for RFS). */
  key(ev: StackEvent): string;
  /** Ground truth keys, in the adapter's documented order (called after the watch ended). */
  truth(): string[];
}

const FAKE_AWS = {
  accessKeyId: 'AKIASOAKTEST00000001',
  secretAccessKey: 'soak-secret-key-not-real-000000000000000',
};
const FAKE_HW = { accessKey: 'HWSOAKTESTAK000001', secretKey: 'soak-hw-secret-not-real-0000000000000000' };

interface ProviderSetup {
  provider: ProviderName;
  server: EmulatorServer;
  limiter: RateLimiter;
  plans: Plan[];
  /** Move this provider's scenario clock forward. */
  advance(deltaMs: number): void;
  close(): Promise<void>;
}

interface Common {
  count: number;
  spanMs: number;
  limiter: RateLimiter;
  clients: number;
  random: () => number;
}

/** Start times spread over the span so that every deployment also ends inside it. */
function startOf(c: Common, i: number, durationMs: number): number {
  const room = Math.max(0, c.spanMs - durationMs - 2000);
  return Math.floor(((i + c.random() * 0.8) / c.count) * room);
}

// ---- OpenStack Heat: scripted stacks, noauth Heat, events compared by id.

async function setupHeat(c: Common): Promise<ProviderSetup> {
  const emu: HeatEmulator = await startHeatEmulator({ tenant: 'soak' });
  const clients = Array.from(
    { length: c.clients },
    () => new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl, rateLimit: c.limiter }),
  );
  const plans: Plan[] = [];
  for (let i = 0; i < c.count; i++) {
    const name = `soak-heat-${String(i).padStart(3, '0')}`;
    const many = i % 5 === 0;
    const n = many ? 30 + Math.floor(c.random() * 20) : 3 + Math.floor(c.random() * 10);
    const fail = i % 4 === 1;
    // Steps under a second on some stacks: several events share Heat's whole-second event_time.
    const stepMs = i % 3 === 0 ? 400 : 1000 + Math.floor(c.random() * 2000);
    const duration = (2 * n + 2) * stepMs;
    const startAt = startOf(c, i, duration);
    const resources = Array.from({ length: n }, (_, k) => ({
      name: `r${k}`,
      ...(fail && k === n - 2 ? { fail: true } : {}),
    }));
    const script = createScript(name, resources, { startMs: startAt, stepMs });
    const stack: EmulatedStack = emu.addStack(name, script);
    const endsAt = Math.max(...script.map((e) => e.atMs));
    const client = clients[i % clients.length] as HeatClient;
    plans.push({
      provider: 'openstack-heat',
      name,
      startAt,
      endsAt,
      expectedOutcome: fail ? 'failed' : 'succeeded',
      watch: (signal) => client.watchStackEvents({ name, id: stack.id }, { ...watchOpts, signal }),
      key: (ev) => ev.id,
      truth: () => emu.visibleEvents(stack).map((e) => String(e.id)),
    });
  }
  return {
    provider: 'openstack-heat',
    server: emu.server,
    limiter: c.limiter,
    plans,
    advance: (d) => emu.advance(d),
    close: () => emu.close(),
  };
}

// ---- Huawei RFS: deployments that succeed or roll back; events carry no id, so the raw record
// (exactly as the emulator stored it) is the key.

async function setupRfs(c: Common, epoch: number, sim: () => number): Promise<ProviderSetup> {
  const scenarios: Array<{ s: RfsScenario; plan: Omit<Plan, 'watch' | 'key' | 'truth'> }> = [];
  for (let i = 0; i < c.count; i++) {
    const name = `soak-rfs-${String(i).padStart(3, '0')}`;
    const many = i % 5 === 0;
    const resources: ScenarioResource[] = [
      { type: 'huaweicloud_vpc', name: 'vpc', seconds: 5 },
      { type: 'huaweicloud_vpc_eip', name: 'eip', count: many ? 20 : 1 + Math.floor(c.random() * 4), seconds: 2 },
      { type: 'huaweicloud_compute_instance', name: 'node', forEach: ['a', 'b', 'c'].slice(0, 1 + (i % 3)) },
    ];
    const nInst = 1 + (resources[1]?.count ?? 0) + (i % 3) + 1;
    const fail = i % 4 === 1;
    const stepMs = 1000 + Math.floor(c.random() * 2000);
    const steps = fail ? 4 * nInst + 4 : 2 * nInst + 2;
    const duration = steps * stepMs;
    const startAt = startOf(c, i, duration);
    const o = { stackName: name, startAt: epoch + startAt, stepMs, resources };
    const s = fail ? deploymentFailsAndRollsBack({ ...o, failAt: Math.max(1, nInst - 2) }) : deploymentSucceeds(o);
    const last = Math.max(...s.steps.map((x) => x.at));
    scenarios.push({
      s,
      plan: {
        provider: 'huawei-rfs',
        name,
        startAt,
        endsAt: startAt + last,
        expectedOutcome: fail ? 'failed' : 'succeeded',
      },
    });
  }
  const emu: RfsEmulator = await startRfsEmulator({
    credentials: { aksk: [FAKE_HW] },
    clock: () => epoch + sim(),
    // Simulated time runs faster than the signer's clock: signatures are not what is tested here.
    maxSkewMs: 365 * 24 * 3_600_000,
    scenarios: scenarios.map((x) => x.s),
  });
  const clients = Array.from(
    { length: c.clients },
    () =>
      new RfsClient({
        region: 'cn-north-4',
        projectId: emu.projectId,
        endpoint: emu.url,
        credentials: FAKE_HW,
        env: {},
        rateLimit: c.limiter,
      }),
  );
  const plans: Plan[] = scenarios.map(({ s, plan }, i) => {
    const client = clients[i % clients.length] as RfsClient;
    return {
      ...plan,
      watch: (signal) => client.watchStackEvents({ name: s.stackName }, { ...watchOpts, signal }),
      key: (ev) => JSON.stringify(ev.raw),
      truth: () => (emu.stack(s.stackName)?.events ?? []).map((e) => JSON.stringify(e.wire)),
    };
  });
  return {
    provider: 'huawei-rfs',
    server: emu.server,
    limiter: c.limiter,
    plans,
    advance: () => undefined,
    close: () => emu.close(),
  };
}

// ---- AWS ParallelCluster (API mode): cluster stacks that create, or fail and roll back.

/** A cluster create that fails at resource `failAt` and rolls back (written into the world's CloudFormation). */
function clusterFails(
  world: ParallelClusterWorld,
  o: { clusterName: string; startInMs: number; resources: number; failAt: number; stepMs: number },
): { stackId: string; endsAt: number } {
  const name = o.clusterName;
  const t0 = world.now() + o.startInMs;
  const tags = { 'parallelcluster:version': PCLUSTER_VERSION, 'parallelcluster:cluster-name': name };
  const stackId = world.cfn.addStack({
    name,
    createdAt: t0,
    tags,
    parameters: { ClusterCWLogGroup: `/aws/parallelcluster/${name}`, Scheduler: 'slurm' },
    description: 'AWS ParallelCluster Cluster',
  });
  const S = o.stepMs;
  const stackEv = 'AWS::CloudFormation::Stack';
  const ev: Parameters<typeof world.cfn.addEvents>[1] = [
    { at: t0, logicalId: name, type: stackEv, status: 'CREATE_IN_PROGRESS', reason: 'User Initiated' },
  ];
  let t = t0 + S;
  const created: string[] = [];
  for (let k = 0; k < o.resources; k++) {
    const logical = `Resource${k}`;
    const type = k % 2 ? 'AWS::EC2::LaunchTemplate' : 'AWS::IAM::Role';
    ev.push({ at: t, logicalId: logical, type, status: 'CREATE_IN_PROGRESS' });
    ev.push({
      at: t + S,
      logicalId: logical,
      physicalId: `${name}-${logical}`,
      type,
      status: 'CREATE_IN_PROGRESS',
      reason: 'Resource creation Initiated',
    });
    if (k === o.failAt) {
      ev.push({
        at: t + 2 * S,
        logicalId: logical,
        physicalId: `${name}-${logical}`,
        type,
        status: 'CREATE_FAILED',
        reason: 'Resource handler returned message: "quota exceeded" (HandlerErrorCode: ServiceLimitExceeded)',
      });
      t += 3 * S;
      break;
    }
    ev.push({ at: t + 2 * S, logicalId: logical, physicalId: `${name}-${logical}`, type, status: 'CREATE_COMPLETE' });
    created.push(logical);
    t += 3 * S;
  }
  ev.push({
    at: t,
    logicalId: name,
    type: stackEv,
    status: 'ROLLBACK_IN_PROGRESS',
    reason: `The following resource(s) failed to create: [Resource${o.failAt}]. Rollback requested by user.`,
  });
  for (const logical of [...created].reverse()) {
    t += S;
    const type = Number(logical.slice(8)) % 2 ? 'AWS::EC2::LaunchTemplate' : 'AWS::IAM::Role';
    ev.push({ at: t, logicalId: logical, physicalId: `${name}-${logical}`, type, status: 'DELETE_IN_PROGRESS' });
    ev.push({ at: t + S / 2, logicalId: logical, physicalId: `${name}-${logical}`, type, status: 'DELETE_COMPLETE' });
  }
  t += 2 * S;
  ev.push({ at: t, logicalId: name, type: stackEv, status: 'ROLLBACK_COMPLETE' });
  world.cfn.addEvents(stackId, ev);
  return { stackId, endsAt: t };
}

async function setupParallelCluster(c: Common): Promise<ProviderSetup> {
  const emu: ParallelClusterEmulator = await startParallelClusterEmulator({ credentials: [FAKE_AWS] });
  const world = emu.world;
  const t0 = world.now();
  const clients = Array.from(
    { length: c.clients },
    () =>
      new ParallelClusterClient({
        apiUrl: emu.apiUrl,
        signingRegion: emu.region,
        credentials: FAKE_AWS,
        rateLimit: c.limiter,
      }),
  );
  const plans: Plan[] = [];
  for (let i = 0; i < c.count; i++) {
    const clusterName = `soak-pc-${String(i).padStart(3, '0')}`;
    const fail = i % 4 === 1;
    let stackId: string;
    let startAt: number;
    let endsAt: number;
    if (fail) {
      const resources = 4 + Math.floor(c.random() * 12);
      const stepMs = 1000 + Math.floor(c.random() * 1500);
      startAt = startOf(c, i, (4 * resources + 6) * stepMs);
      const r = clusterFails(world, {
        clusterName,
        startInMs: startAt,
        resources,
        failAt: resources - 1,
        stepMs,
      });
      stackId = r.stackId;
      endsAt = r.endsAt - t0;
    } else {
      // The emulator's own cluster scenario (head node, nested queue and login stacks); about 40 s.
      startAt = startOf(c, i, 60_000);
      const r = clusterCreate(world, { clusterName, queues: 1 + (i % 6), startInMs: startAt });
      stackId = r.stackId;
      endsAt = r.endsAt - t0;
    }
    const client = clients[i % clients.length] as ParallelClusterClient;
    plans.push({
      provider: 'aws-parallelcluster',
      name: clusterName,
      startAt,
      endsAt,
      expectedOutcome: fail ? 'failed' : 'succeeded',
      watch: (signal) => client.watchStackEvents({ clusterName }, { ...watchOpts, signal }),
      key: (ev) => ev.id,
      // API mode reads the cluster's root stack (its nested stacks are direct mode's).
      truth: () => (world.cfn.stack(stackId)?.events ?? []).map((e) => e.eventId),
    });
  }
  return {
    provider: 'aws-parallelcluster',
    server: emu.servers.api,
    limiter: c.limiter,
    plans,
    advance: (d) => {
      world.advance(d);
    },
    close: () => emu.close(),
  };
}

// ---- AWS EC2 Image Builder: lifecycle executions. Their events are resource states, read as
// snapshots; the truth is what the emulator exposed: on every first-page
// ListLifecycleExecutionResources the store's state at that instant (one page: <= 25 resources).

interface Exposure {
  /** Keys in the order a watch must yield them: by first exposure, then time, then resource. */
  order: string[];
  seen: Set<string>;
}

async function setupImageBuilder(c: Common): Promise<ProviderSetup> {
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12, 0, 0));
  const t0 = clock.now();
  const exposures = new Map<string, Exposure>();
  let emuRef: ImageBuilderEmulator | undefined;
  const emu = await startImageBuilderEmulator({
    clock,
    auth: { credentials: [FAKE_AWS] },
    onRequest: (op, input, store) => {
      if (op !== 'ListLifecycleExecutionResources' || input.nextToken !== undefined) return;
      const id = String(input.lifecycleExecutionId);
      const exp = exposures.get(id);
      if (!exp || !emuRef) return;
      const now = store.now();
      const fresh: Array<{ key: string; ts: number; idx: number }> = [];
      const items = store.wireLifecycleResources(id, undefined).items;
      items.forEach((r, idx) => {
        const state = r.state as { status: string };
        const action = r.action as { name: string };
        // The adapter's documented lifecycle event id (execution|account|region|action|status|resource).
        const key = `${id}|${String(r.accountId)}|${String(r.region)}|${action.name}|${state.status}|${String(r.resourceId)}`;
        if (exp.seen.has(key)) return;
        exp.seen.add(key);
        const ts = Number(r.endTime ?? r.startTime ?? now / 1000) * 1000;
        fresh.push({ key, ts, idx });
      });
      fresh.sort((a, b) => a.ts - b.ts || a.idx - b.idx);
      for (const f of fresh) exp.order.push(f.key);
    },
  });
  emuRef = emu;
  const clients = Array.from(
    { length: c.clients },
    () =>
      new ImageBuilderClient({ region: 'us-east-1', endpoint: emu.url, credentials: FAKE_AWS, rateLimit: c.limiter }),
  );
  const plans: Plan[] = [];
  const S = 1000;
  for (let i = 0; i < c.count; i++) {
    const name = `soak-ib-${String(i).padStart(3, '0')}`;
    const many = i % 5 === 0;
    const n = many ? 25 : 2 + Math.floor(c.random() * 10);
    const fail = i % 4 === 1;
    const stepS = 10 + Math.floor(c.random() * 20);
    const duration = (n * 2 + 2 * stepS + 10) * S;
    const startAt = startOf(c, i, duration);
    const start = t0 + startAt;
    const resources: LifecycleResourceSeed[] = [];
    let end = start;
    for (let k = 0; k < n; k++) {
      const region = k % 2 ? 'eu-west-1' : 'us-east-1';
      const a = start + k * 2 * S;
      const dep = { action: 'DEPRECATE', actionReason: 'older than 90 days', startAt: start, endAt: a + stepS * S };
      const steps: LifecycleResourceSeed['steps'] = [dep];
      if (fail && k === n - 1) {
        Object.assign(dep, { status: 'FAILED', reason: 'The AMI is in use by launch template lt-0soak.' });
      } else if (k % 2 === 0) {
        steps.push({
          action: 'DELETE',
          actionReason: 'older than 180 days',
          startAt: dep.endAt + S,
          endAt: dep.endAt + (1 + stepS) * S,
        });
      }
      end = Math.max(end, steps[steps.length - 1]?.endAt ?? end);
      const id = `ami-${(i * 100 + k).toString(16).padStart(17, '0')}`;
      resources.push({
        resourceId: id,
        region,
        snapshots: [`snap-${(i * 100 + k).toString(16).padStart(17, '0')}`],
        steps,
      });
    }
    const executionId = emu.store.addLifecycleExecution({
      policyArn: `arn:aws:imagebuilder:us-east-1:123456789012:lifecycle-policy/${name}`,
      startAt: start,
      resources,
    });
    exposures.set(executionId, { order: [], seen: new Set() });
    const client = clients[i % clients.length] as ImageBuilderClient;
    plans.push({
      provider: 'aws-imagebuilder',
      name,
      startAt,
      endsAt: end - t0,
      expectedOutcome: fail ? 'failed' : 'succeeded',
      watch: (signal) => client.watchStackEvents(executionId, { ...watchOpts, signal }),
      key: (ev) => ev.id,
      truth: () => exposures.get(executionId)?.order ?? [],
    });
  }
  return {
    provider: 'aws-imagebuilder',
    server: emu.server,
    limiter: c.limiter,
    plans,
    advance: (d) => {
      clock.advance(d);
    },
    close: async () => {
      for (const cl of clients) cl.close();
      await emu.close();
    },
  };
}

/** Set per run (poll interval, error tolerance); read by the plans' watch() calls. */
let watchOpts: { pollIntervalMs: number; maxPollIntervalMs: number; maxConsecutiveErrors: number } = {
  pollIntervalMs: 250,
  maxPollIntervalMs: 2000,
  maxConsecutiveErrors: 10,
};

// ------------------------------------------------------------------------------------------
// the run

/** Compare delivered keys with the truth: duplicates, missing, unexpected, exact order. */
export function compare(delivered: readonly string[], truth: readonly string[]) {
  const want = new Set(truth);
  const got = new Map<string, number>();
  for (const k of delivered) got.set(k, (got.get(k) ?? 0) + 1);
  let duplicates = 0;
  let unexpected = 0;
  for (const [k, n] of got) {
    if (n > 1) duplicates += n - 1;
    if (!want.has(k)) unexpected += n;
  }
  let missing = 0;
  for (const k of want) if (!got.has(k)) missing++;
  const exact = delivered.length === truth.length && delivered.every((k, i) => k === truth[i]);
  return { duplicates, missing, unexpected, exact };
}

export async function runSoak(opts: SoakOptions = {}): Promise<SoakReport> {
  const o: Required<Omit<SoakOptions, 'log'>> = {
    stacks: opts.stacks ?? 200,
    simMinutes: opts.simMinutes ?? 10,
    speed: opts.speed ?? 6,
    clientLimit: opts.clientLimit ?? 20,
    quota: opts.quota ?? 25,
    intervalMs: opts.intervalMs ?? 1000,
    enforceQuota: opts.enforceQuota ?? true,
    pollIntervalMs: opts.pollIntervalMs ?? 250,
    clientsPerProvider: opts.clientsPerProvider ?? 5,
    tickMs: opts.tickMs ?? 50,
    sampleMs: opts.sampleMs ?? 1000,
    graceMs: opts.graceMs ?? 120_000,
    seed: opts.seed ?? 1,
  };
  const log = opts.log ?? (() => undefined);
  watchOpts = { pollIntervalMs: o.pollIntervalMs, maxPollIntervalMs: o.pollIntervalMs * 8, maxConsecutiveErrors: 10 };
  const random = rng(o.seed);
  const spanMs = o.simMinutes * 60_000;
  const perProvider = Math.floor(o.stacks / PROVIDERS.length);

  let unhandled = 0;
  const onUnhandled = (err: unknown) => {
    unhandled++;
    log(`unhandled rejection: ${String(err)}`);
  };
  process.on('unhandledRejection', onUnhandled);

  let sim = 0;
  const limiters = PROVIDERS.map(() => new RecordingLimiter({ limit: o.clientLimit, intervalMs: o.intervalMs }));
  const loop = monitorEventLoopDelay({ resolution: 10 });
  (globalThis as Record<string, unknown>).__soakLimiters = limiters;
  const common = (k: number): Common => ({
    count: perProvider,
    spanMs,
    limiter: limiters[k] as RateLimiter,
    clients: o.clientsPerProvider,
    random,
  });
  const setups: ProviderSetup[] = [];
  const memory: MemorySample[] = [];
  const reports: StackReport[] = [];
  let abandoned = 0;
  const t0 = performance.now();
  let driver: ReturnType<typeof setInterval> | undefined;
  let sampler: ReturnType<typeof setInterval> | undefined;
  const sample = () => {
    const m = process.memoryUsage();
    memory.push({
      tMs: Math.round(performance.now() - t0),
      rssMB: +(m.rss / 2 ** 20).toFixed(2),
      heapUsedMB: +(m.heapUsed / 2 ** 20).toFixed(2),
    });
  };
  try {
    setups.push(await setupHeat(common(0)));
    setups.push(await setupRfs(common(1), Date.now(), () => sim));
    setups.push(await setupParallelCluster(common(2)));
    setups.push(await setupImageBuilder(common(3)));
    const meters = setups.map((s) => new RequestMeter(s.server, o.intervalMs, o.enforceQuota ? o.quota : undefined));

    const plans = setups.flatMap((s) => s.plans).sort((a, b) => a.startAt - b.startAt);
    // One controller per watch: a single signal shared by hundreds of watches would carry one
    // abort listener per watch (Node warns past 10 listeners on one AbortSignal).
    const controllers = new Set<AbortController>();
    const running: Array<Promise<void>> = [];
    let next = 0;
    // A watch opens once its deployment has visibly started (its first events exist).
    const OPEN_AFTER_MS = 1500;

    const open = (p: Plan) => {
      const watchStartedAt = sim;
      const ctl = new AbortController();
      controllers.add(ctl);
      const stream = p.watch(ctl.signal);
      const keys: string[] = [];
      const done = (async () => {
        let error: string | undefined;
        try {
          for await (const ev of stream) keys.push(p.key(ev));
        } catch (err) {
          error = String(err);
        }
        const truth = p.truth();
        const cmp = compare(keys, truth);
        const r: StackReport = {
          provider: p.provider,
          name: p.name,
          expectedOutcome: p.expectedOutcome,
          outcome: stream.result?.outcome,
          truth: truth.length,
          delivered: keys.length,
          ...cmp,
          watchStartedAt,
          endsAt: p.endsAt,
        };
        if (error) r.error = error;
        controllers.delete(ctl);
        reports.push(r);
        if (error || !cmp.exact) log(`${p.provider} ${p.name}: ${JSON.stringify(r)}`);
      })();
      running.push(done);
    };

    sample();
    loop.enable();
    if (o.sampleMs > 0) sampler = setInterval(sample, o.sampleMs);
    let last = performance.now();
    let lastLog = 0;
    driver = setInterval(() => {
      const now = performance.now();
      const delta = (now - last) * o.speed;
      last = now;
      sim += delta;
      for (const s of setups) s.advance(delta);
      while (next < plans.length && (plans[next] as Plan).startAt + OPEN_AFTER_MS <= sim) open(plans[next++] as Plan);
      if (now - lastLog > 10_000) {
        lastLog = now;
        log(
          `t=${((now - t0) / 1000).toFixed(0)}s sim=${(sim / 60_000).toFixed(2)}min open=${next} done=${reports.length} ` +
            setups.map((s, k) => `${s.provider}:${meters[k]?.arrivals.length}`).join(' '),
        );
      }
    }, o.tickMs);

    // Every watch opens during the span; then wait for them all (bounded).
    const deadline = spanMs / o.speed + o.graceMs;
    while (next < plans.length || reports.length < plans.length) {
      if (performance.now() - t0 > deadline) {
        abandoned = plans.length - reports.length;
        log(`giving up: ${abandoned} watches still open`);
        for (const c of controllers) c.abort(new Error('soak deadline'));
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(running);
    clearInterval(driver);
    driver = undefined;
    sample();
    if (sampler) clearInterval(sampler);
    sampler = undefined;

    loop.disable();
    const realMs = performance.now() - t0;
    const providers: ProviderReport[] = setups.map((s, k) => {
      const mine = reports.filter((r) => r.provider === s.provider);
      const meter = meters[k] as RequestMeter;
      return {
        provider: s.provider,
        stacks: mine.length,
        requests: meter.arrivals.length,
        throttled: meter.throttled,
        maxPerWindow: meter.maxPerWindow(),
        quota: o.quota,
        clientLimit: o.clientLimit,
        limiterGranted: s.limiter.grantedCount,
        maxGrantsPerWindow: maxInWindow((limiters[k] as RecordingLimiter).grantTimes, o.intervalMs),
        truthEvents: mine.reduce((a, r) => a + r.truth, 0),
        delivered: mine.reduce((a, r) => a + r.delivered, 0),
        duplicates: mine.reduce((a, r) => a + r.duplicates, 0),
        missing: mine.reduce((a, r) => a + r.missing, 0),
        unexpected: mine.reduce((a, r) => a + r.unexpected, 0),
        exactStacks: mine.filter((r) => r.exact).length,
        outcomesRight: mine.filter((r) => r.outcome === r.expectedOutcome).length,
      };
    });
    const half = memory.slice(Math.floor(memory.length / 2));
    const mins = half.map((m) => m.tMs / 60_000);
    const baseline = memory[0] as MemorySample;
    return {
      options: o,
      realMs: Math.round(realMs),
      simMs: Math.round(sim),
      providers,
      stacks: reports.sort((a, b) => a.provider.localeCompare(b.provider) || a.name.localeCompare(b.name)),
      memory: {
        samples: memory,
        baselineRssMB: baseline.rssMB,
        peakRssMB: Math.max(...memory.map((m) => m.rssMB)),
        baselineHeapMB: baseline.heapUsedMB,
        peakHeapMB: Math.max(...memory.map((m) => m.heapUsedMB)),
        rssSlopeMBPerMin: +slope(
          mins,
          half.map((m) => m.rssMB),
        ).toFixed(3),
        heapSlopeMBPerMin: +slope(
          mins,
          half.map((m) => m.heapUsedMB),
        ).toFixed(3),
      },
      eventLoopDelayMs: {
        p50: +(loop.percentile(50) / 1e6).toFixed(1),
        p99: +(loop.percentile(99) / 1e6).toFixed(1),
        max: +(loop.max / 1e6).toFixed(1),
      },
      unhandledRejections: unhandled,
      abandoned,
    };
  } finally {
    if (driver) clearInterval(driver);
    if (sampler) clearInterval(sampler);
    await Promise.all(setups.map((s) => s.close()));
    // Let a rejection raised while closing surface before the listener goes.
    await new Promise((r) => setTimeout(r, 50));
    process.off('unhandledRejection', onUnhandled);
  }
}

/** Handles still open that a finished run could have leaked (sockets, servers, timers). */
export function openHandles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) {
    if (r === 'TCPSocketWrap' || r === 'TCPServerWrap' || r === 'Timeout') out[r] = (out[r] ?? 0) + 1;
  }
  return out;
}
