/**
 * The emulator side of the soak run (issue 8), in its own process: the four emulators, their
 * simulated clocks driven from one timer, the request meters (server-side arrival counts and the
 * quota's 429), and the ground truth of every stack. The parent (soak-lib.ts) runs only the
 * clients and watches, so its memory and event loop are the SDK's, and a slow client loop cannot
 * make the server's arrival times look bunched up (nor the other way round).
 *
 * Protocol (IPC messages): parent `setup` → child `ready` (endpoints + stack plans); parent
 * `start` → child `open` (a stack's deployment has started: watch it now) …; parent `truth`
 * (a watch has ended) → child `truth` (that stack's ground truth); parent `finish` → child
 * `result` (request meters), then the child closes its servers and exits on disconnect.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type EmulatorRequest, type EmulatorServer, maxInWindow, seededRandom } from '@stackfeed/emulator';
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

export type ProviderName = 'openstack-heat' | 'huawei-rfs' | 'aws-parallelcluster' | 'aws-imagebuilder';
export const PROVIDERS: readonly ProviderName[] = [
  'openstack-heat',
  'huawei-rfs',
  'aws-parallelcluster',
  'aws-imagebuilder',
];

/** What the parent sends to set the emulators up. */
export interface SetupMessage {
  type: 'setup';
  /** Stacks per provider. */
  perProvider: number;
  spanMs: number;
  speed: number;
  tickMs: number;
  intervalMs: number;
  /** Answer 429 above this many requests per window (undefined: count only). */
  quota: number | undefined;
  seed: number;
  /** Open a watch this long (simulated ms) after its deployment's first event. */
  openAfterMs: number;
}

/** One stack as the parent needs it: what to watch and what to expect. */
export interface PlanInfo {
  provider: ProviderName;
  name: string;
  /** The adapter's stack reference for watchStackEvents. */
  ref: unknown;
  /** Simulated ms (from the run's start) of the deployment's first and last event. */
  startAt: number;
  endsAt: number;
  expectedOutcome: 'succeeded' | 'failed';
}

export interface ReadyMessage {
  type: 'ready';
  endpoints: Record<ProviderName, Record<string, string>>;
  plans: PlanInfo[];
}

export interface OpenMessage {
  type: 'open';
  /** Index into `plans`. */
  index: number;
  /** Simulated ms now. */
  sim: number;
}

export interface MeterResult {
  provider: ProviderName;
  requests: number;
  throttled: number;
  maxPerWindow: number;
}

/** One stack's ground truth: its keys in the adapter's documented order. */
export interface TruthMessage {
  type: 'truth';
  index: number;
  keys: string[];
}

export interface ResultMessage {
  type: 'result';
  sim: number;
  meters: MeterResult[];
  /** The emulator process's own memory at the end (MB). */
  rssMB: number;
  /** The emulator process's event-loop delay while the clock ran, ms. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export type ParentMessage = SetupMessage | { type: 'start' } | { type: 'truth'; index: number } | { type: 'finish' };
export type ChildMessage = ReadyMessage | OpenMessage | TruthMessage | ResultMessage;

/**
 * Counts every request a server receives (arrival time, performance.now()) and, when `quota` is
 * set, answers 429 to a request that would make more than `quota` arrivals in the last
 * `intervalMs`. A fault rule whose `match` sees every request: no emulator is edited for it.
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

// ------------------------------------------------------------------------------------------
// stacks

interface Plan extends PlanInfo {
  /** Ground truth keys, in the adapter's documented order (asked once the stack's watch ended). */
  truth(): string[];
}

export const FAKE_AWS = {
  accessKeyId: 'AKIASOAKTEST00000001',
  secretAccessKey: 'soak-secret-key-not-real-000000000000000',
};
export const FAKE_HW = { accessKey: 'HWSOAKTESTAK000001', secretKey: 'soak-hw-secret-not-real-0000000000000000' };

interface ProviderSetup {
  provider: ProviderName;
  server: EmulatorServer;
  /** Where the clients connect (sent to the parent). */
  endpoint: Record<string, string>;
  plans: Plan[];
  /** Move this provider's scenario clock forward. */
  advance(deltaMs: number): void;
  close(): Promise<void>;
}

interface Common {
  count: number;
  spanMs: number;
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
    plans.push({
      provider: 'openstack-heat',
      name,
      ref: { name, id: stack.id },
      startAt,
      endsAt,
      expectedOutcome: fail ? 'failed' : 'succeeded',
      truth: () => emu.visibleEvents(stack).map((e) => String(e.id)),
    });
  }
  return {
    provider: 'openstack-heat',
    server: emu.server,
    endpoint: { heatUrl: emu.heatUrl },
    plans,
    advance: (d) => emu.advance(d),
    close: () => emu.close(),
  };
}

// ---- Huawei RFS: deployments that succeed or roll back; events carry no id, so the raw record
// (exactly as the emulator stored it) is the key.

async function setupRfs(c: Common, epoch: number, sim: () => number): Promise<ProviderSetup> {
  const scenarios: Array<{ s: RfsScenario; plan: Omit<Plan, 'truth'> }> = [];
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
        ref: { name },
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
  const plans: Plan[] = scenarios.map(({ s, plan }) => ({
    ...plan,
    // RFS events carry no id: the record exactly as the emulator stored it is the key.
    truth: () => (emu.stack(s.stackName)?.events ?? []).map((e) => JSON.stringify(e.wire)),
  }));
  return {
    provider: 'huawei-rfs',
    server: emu.server,
    endpoint: { url: emu.url, projectId: emu.projectId },
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
    plans.push({
      provider: 'aws-parallelcluster',
      name: clusterName,
      ref: { clusterName },
      startAt,
      endsAt,
      expectedOutcome: fail ? 'failed' : 'succeeded',
      // API mode reads the cluster's root stack (its nested stacks are direct mode's).
      truth: () => (world.cfn.stack(stackId)?.events ?? []).map((e) => e.eventId),
    });
  }
  return {
    provider: 'aws-parallelcluster',
    server: emu.servers.api,
    endpoint: { apiUrl: emu.apiUrl, region: emu.region },
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
    plans.push({
      provider: 'aws-imagebuilder',
      name,
      ref: executionId,
      startAt,
      endsAt: end - t0,
      expectedOutcome: fail ? 'failed' : 'succeeded',
      truth: () => exposures.get(executionId)?.order ?? [],
    });
  }
  return {
    provider: 'aws-imagebuilder',
    server: emu.server,
    endpoint: { url: emu.url },
    plans,
    advance: (d) => {
      clock.advance(d);
    },
    close: () => emu.close(),
  };
}

// ------------------------------------------------------------------------------------------
// the child process

async function setupAll(m: SetupMessage, sim: () => number): Promise<ProviderSetup[]> {
  const random = seededRandom(m.seed);
  const c: Common = { count: m.perProvider, spanMs: m.spanMs, random };
  return [
    await setupHeat(c),
    await setupRfs(c, Date.now(), sim),
    await setupParallelCluster(c),
    await setupImageBuilder(c),
  ];
}

function main(): void {
  const send = (msg: ChildMessage) => process.send?.(msg);
  let setups: ProviderSetup[] = [];
  let meters: RequestMeter[] = [];
  let plans: Plan[] = [];
  let order: number[] = [];
  let setup: SetupMessage | undefined;
  let sim = 0;
  let driver: ReturnType<typeof setInterval> | undefined;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let closing: Promise<unknown> | undefined;
  const closeAll = () => {
    closing ??= Promise.all(setups.map((s) => s.close()));
    return closing;
  };

  process.on('message', (raw: ParentMessage) => {
    void (async () => {
      if (raw.type === 'setup') {
        setup = raw;
        setups = await setupAll(raw, () => sim);
        meters = setups.map((s) => new RequestMeter(s.server, raw.intervalMs, raw.quota));
        plans = setups.flatMap((s) => s.plans);
        order = plans.map((_, i) => i).sort((a, b) => (plans[a] as Plan).startAt - (plans[b] as Plan).startAt);
        const endpoints = Object.fromEntries(setups.map((s) => [s.provider, s.endpoint])) as ReadyMessage['endpoints'];
        send({
          type: 'ready',
          endpoints,
          plans: plans.map(({ truth: _t, ...info }) => info),
        });
      } else if (raw.type === 'start' && setup) {
        const m = setup;
        let next = 0;
        let last = performance.now();
        loop.enable();
        driver = setInterval(() => {
          const now = performance.now();
          const delta = (now - last) * m.speed;
          last = now;
          sim += delta;
          for (const s of setups) s.advance(delta);
          while (next < order.length && (plans[order[next] as number] as Plan).startAt + m.openAfterMs <= sim) {
            send({ type: 'open', index: order[next] as number, sim });
            next++;
          }
        }, m.tickMs);
      } else if (raw.type === 'truth') {
        send({ type: 'truth', index: raw.index, keys: (plans[raw.index] as Plan).truth() });
      } else if (raw.type === 'finish') {
        if (driver) clearInterval(driver);
        loop.disable();
        const result: ResultMessage = {
          type: 'result',
          sim,
          meters: setups.map((s, k) => {
            const meter = meters[k] as RequestMeter;
            return {
              provider: s.provider,
              requests: meter.arrivals.length,
              throttled: meter.throttled,
              maxPerWindow: meter.maxPerWindow(),
            };
          }),
          rssMB: +(process.memoryUsage().rss / 2 ** 20).toFixed(1),
          eventLoopDelayMs: {
            p50: +(loop.percentile(50) / 1e6).toFixed(1),
            p99: +(loop.percentile(99) / 1e6).toFixed(1),
            max: +(loop.max / 1e6).toFixed(1),
          },
        };
        await closeAll();
        // The parent disconnects once it has the result; then this process exits (see below).
        send(result);
      }
    })().catch((err: unknown) => {
      console.error('soak emulators failed:', err);
      process.exit(1);
    });
  });
  // The parent went away: do not outlive it.
  process.on('disconnect', () => {
    if (driver) clearInterval(driver);
    void closeAll().then(() => process.exit(0));
  });
}

if (process.send) main();
