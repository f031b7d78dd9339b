/**
 * Soak and scale (issue 8): many stacks watched at once across the four emulators, on simulated
 * clocks driven from one timer, through ONE shared client-side RateLimiter per provider (several
 * clients per provider draw on it). The emulators run in a child process (soak-emulators.ts) that
 * counts what they receive (arrival time of every request; above the quota it answers 429) and
 * holds every stack's ground truth; this process runs only the clients and the watches, so the
 * memory sampled here is the SDK's.
 *
 * Used by `packages/conformance/test/soak.test.ts` (CI size) and `bench/soak/soak.ts` (full run).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { RateLimiter, type StackEvent, type WatchStream } from '@stackfeed/core';
import { RfsClient } from '@stackfeed/huawei-rfs';
import { HeatClient } from '@stackfeed/openstack-heat';
import {
  type ChildMessage,
  FAKE_AWS,
  FAKE_HW,
  type MeterResult,
  PROVIDERS,
  type ParentMessage,
  type PlanInfo,
  type ProviderName,
  type ReadyMessage,
  type ResultMessage,
} from './soak-emulators.js';
import { maxInWindow } from '@stackfeed/emulator';

export { PROVIDERS, maxInWindow, type ProviderName };

export interface SoakOptions {
  /** Stacks in all (split evenly over the four providers; default 200). */
  stacks?: number;
  /** Simulated span over which the stacks start and finish (default 10 minutes). */
  simMinutes?: number;
  /** Simulated ms per real ms (default 6: 10 simulated minutes in 100 s). */
  speed?: number;
  /** Client-side limit per provider, requests per `intervalMs` (default 20). */
  clientLimit?: number;
  /**
   * Configure each limiter as `clientLimit / slices` requests per `intervalMs / slices` (default 1:
   * `{ limit: clientLimit, intervalMs }`). Same ceiling per `intervalMs`, smaller bursts.
   */
  limiterSlices?: number;
  /** The server's stated quota per provider, requests per `intervalMs` (default 25). */
  quota?: number;
  /** The rate window (default 1000 ms). */
  intervalMs?: number;
  /** Answer 429 when a request would exceed the quota (default true). */
  enforceQuota?: boolean;
  /** Watch poll interval, real ms (default 250: demand is above the limit, so the limiter binds). */
  pollIntervalMs?: number;
  /** Clients per provider, all sharing that provider's one RateLimiter (default 5). */
  clientsPerProvider?: number;
  /** Period of the emulators' clock driver, real ms (default 50). */
  tickMs?: number;
  /** Memory sample period, real ms (default 1000; 0 = only at the start and the end). */
  sampleMs?: number;
  /** Give up (abort every watch) this many real ms after the simulated span (default 120 000). */
  graceMs?: number;
  /** Seed of the scenario mix (default 1). */
  seed?: number;
  /**
   * A full garbage collection to run before each memory sample (e.g. from `--expose-gc`): the
   * heap series is then what stays reachable, not where the collector happened to be.
   */
  gc?: (() => void) | undefined;
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
  /** The delivered keys, in order, equal the truth's keys in order. */
  exact: boolean;
  /** Simulated ms at which the watch opened, and of the deployment's last event. */
  watchStartedAt: number;
  endsAt: number;
}

export interface ProviderReport extends MeterResult {
  stacks: number;
  quota: number;
  clientLimit: number;
  /** Requests the shared RateLimiter granted (every attempt takes one). */
  limiterGranted: number;
  /** The most grants the limiter handed out in any window (its own promise: <= clientLimit). */
  maxGrantsPerWindow: number;
  /** The most grants within any 10 ms (how bursty the limiter's output is). */
  maxGrantsPer10ms: number;
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
  /** Of heapUsed: V8's old space (long-lived objects) and code space (compiled code). */
  oldSpaceMB: number;
  codeSpaceMB: number;
}

export interface SoakReport {
  options: Required<Omit<SoakOptions, 'log' | 'gc'>> & { gcBeforeSample: boolean };
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
    /** Least-squares slopes over the second half of the samples. */
    rssSlopeMBPerMin: number;
    heapSlopeMBPerMin: number;
    /** The emulator process's RSS at the end (not part of the series above). */
    emulatorRssMB: number;
  };
  /** Event-loop delay of this (client) process, ms. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Event-loop delay of the emulator process, ms. */
  emulatorEventLoopDelayMs: { p50: number; p99: number; max: number };
  unhandledRejections: number;
  /** Watches still open when the run gave up (0 when every one ended by itself). */
  abandoned: number;
}

/**
 * A RateLimiter whose grants are noted with the very clock reading the limiter decided on (to
 * check the limiter's own promise exactly, apart from the delay between a grant and the request's
 * arrival at the server). Test instrumentation: it wraps the private `tryGrant`, which reads the
 * clock once per decision.
 */
export function recordingLimiter(limit: number, intervalMs: number): { limiter: RateLimiter; grants: number[] } {
  const grants: number[] = [];
  let reading = 0;
  const limiter = new RateLimiter({
    limit,
    intervalMs,
    now: () => {
      reading = performance.now();
      return reading;
    },
  });
  const l = limiter as unknown as { tryGrant: () => boolean };
  const inner = l.tryGrant.bind(limiter);
  l.tryGrant = () => {
    const ok = inner();
    if (ok) grants.push(reading);
    return ok;
  };
  return { limiter, grants };
}

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

type Watcher = {
  watch(
    ref: unknown,
    opts: { pollIntervalMs: number; maxPollIntervalMs: number; signal: AbortSignal },
  ): WatchStream<StackEvent>;
  close?(): void;
};

/** One provider's clients (all on one limiter) and how a delivered event is keyed. */
function clientsFor(
  provider: ProviderName,
  ep: Record<string, string>,
  limiter: RateLimiter,
  n: number,
): { clients: Watcher[]; key: (ev: StackEvent) => string } {
  const make = (): Watcher => {
    switch (provider) {
      case 'openstack-heat': {
        const c = new HeatClient({ auth: { type: 'none' }, endpoint: ep.heatUrl, rateLimit: limiter });
        return { watch: (ref, o) => c.watchStackEvents(ref as { name: string; id: string }, o) };
      }
      case 'huawei-rfs': {
        const c = new RfsClient({
          region: 'cn-north-4',
          projectId: ep.projectId,
          endpoint: ep.url,
          credentials: FAKE_HW,
          env: {},
          rateLimit: limiter,
        });
        return { watch: (ref, o) => c.watchStackEvents(ref as { name: string }, o) };
      }
      case 'aws-parallelcluster': {
        const c = new ParallelClusterClient({
          apiUrl: ep.apiUrl as string,
          signingRegion: ep.region,
          credentials: FAKE_AWS,
          rateLimit: limiter,
        });
        return { watch: (ref, o) => c.watchStackEvents(ref as { clusterName: string }, o) };
      }
      case 'aws-imagebuilder': {
        const c = new ImageBuilderClient({
          region: 'us-east-1',
          endpoint: ep.url,
          credentials: FAKE_AWS,
          rateLimit: limiter,
        });
        return { watch: (ref, o) => c.watchStackEvents(ref as string, o), close: () => c.close() };
      }
    }
  };
  return {
    clients: Array.from({ length: n }, make),
    // RFS events carry no id: the record as received must equal the record the emulator stored.
    key: provider === 'huawei-rfs' ? (ev) => JSON.stringify(ev.raw) : (ev) => ev.id,
  };
}

/** Start the emulator process; resolves once it is listening. */
function startChild(): { child: ChildProcess; next: (type: ChildMessage['type']) => Promise<ChildMessage> } {
  const child = fork(fileURLToPath(new URL('./soak-emulators.ts', import.meta.url)), [], {
    execArgv: ['--conditions=@stackfeed/source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, (m: ChildMessage) => void>();
  const early: ChildMessage[] = [];
  child.on('message', (m: ChildMessage) => {
    const w = waiting.get(m.type);
    if (w) {
      waiting.delete(m.type);
      w(m);
      // Only the one-off replies are kept for a later next(); `open` and `truth` have their own
      // listener (keeping them here would hold every stack's truth for the whole run).
    } else if (m.type === 'ready' || m.type === 'result') early.push(m);
  });
  const next = (type: ChildMessage['type']) =>
    new Promise<ChildMessage>((resolve, reject) => {
      const i = early.findIndex((m) => m.type === type);
      if (i >= 0) return resolve(early.splice(i, 1)[0] as ChildMessage);
      waiting.set(type, resolve);
      child.once('exit', (code) => reject(new Error(`soak emulator process exited (${code}) before '${type}'`)));
    });
  return { child, next };
}

export async function runSoak(opts: SoakOptions = {}): Promise<SoakReport> {
  const o: SoakReport['options'] = {
    stacks: opts.stacks ?? 200,
    simMinutes: opts.simMinutes ?? 10,
    speed: opts.speed ?? 6,
    clientLimit: opts.clientLimit ?? 20,
    limiterSlices: opts.limiterSlices ?? 1,
    quota: opts.quota ?? 25,
    intervalMs: opts.intervalMs ?? 1000,
    enforceQuota: opts.enforceQuota ?? true,
    pollIntervalMs: opts.pollIntervalMs ?? 250,
    clientsPerProvider: opts.clientsPerProvider ?? 5,
    tickMs: opts.tickMs ?? 50,
    sampleMs: opts.sampleMs ?? 1000,
    graceMs: opts.graceMs ?? 120_000,
    seed: opts.seed ?? 1,
    gcBeforeSample: opts.gc !== undefined,
  };
  const log = opts.log ?? (() => undefined);
  const spanMs = o.simMinutes * 60_000;

  let unhandled = 0;
  const onUnhandled = (err: unknown) => {
    unhandled++;
    log(`unhandled rejection: ${String(err)}`);
  };
  process.on('unhandledRejection', onUnhandled);

  const { child, next } = startChild();
  const closers: Array<() => void> = [];
  let sampler: ReturnType<typeof setInterval> | undefined;
  try {
    const send = (m: ParentMessage) => child.send(m);
    send({
      type: 'setup',
      perProvider: Math.floor(o.stacks / PROVIDERS.length),
      spanMs,
      speed: o.speed,
      tickMs: o.tickMs,
      intervalMs: o.intervalMs,
      quota: o.enforceQuota ? o.quota : undefined,
      seed: o.seed,
      openAfterMs: 1500,
    });
    const ready = (await next('ready')) as ReadyMessage;
    if (o.clientLimit % o.limiterSlices !== 0) throw new Error('clientLimit must be a multiple of limiterSlices');
    const limiters = new Map<ProviderName, RateLimiter>();
    const grantTimes = new Map<ProviderName, number[]>();
    const perProvider = new Map<ProviderName, ReturnType<typeof clientsFor>>();
    for (const p of PROVIDERS) {
      const { limiter, grants } = recordingLimiter(o.clientLimit / o.limiterSlices, o.intervalMs / o.limiterSlices);
      limiters.set(p, limiter);
      grantTimes.set(p, grants);
      const set = clientsFor(p, ready.endpoints[p], limiter, o.clientsPerProvider);
      perProvider.set(p, set);
      for (const c of set.clients) if (c.close) closers.push(() => c.close?.());
    }

    const memory: MemorySample[] = [];
    const t0 = performance.now();
    const sample = () => {
      opts.gc?.();
      const m = process.memoryUsage();
      const space = (name: string) =>
        +((getHeapSpaceStatistics().find((x) => x.space_name === name)?.space_used_size ?? 0) / 2 ** 20).toFixed(2);
      memory.push({
        tMs: Math.round(performance.now() - t0),
        rssMB: +(m.rss / 2 ** 20).toFixed(2),
        heapUsedMB: +(m.heapUsed / 2 ** 20).toFixed(2),
        oldSpaceMB: space('old_space'),
        codeSpaceMB: space('code_space'),
      });
    };
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    sample();
    if (o.sampleMs > 0) sampler = setInterval(sample, o.sampleMs);

    const plans: PlanInfo[] = ready.plans;
    // Each watch is compared with its truth as soon as it ends and its keys are dropped: what
    // stays in memory here is a few counts per finished stack, so the heap series is the SDK's.
    const stacks: StackReport[] = [];
    const truthWaiters = new Map<number, (keys: string[]) => void>();
    const truthOf = (index: number) =>
      new Promise<string[]>((resolve) => {
        truthWaiters.set(index, resolve);
        send({ type: 'truth', index });
      });
    // One controller per watch: one signal shared by hundreds of watches would carry a listener
    // per watch (Node warns past 10 on one AbortSignal).
    const controllers = new Set<AbortController>();
    const running: Array<Promise<void>> = [];
    let opened = 0;
    const perClient = new Map<ProviderName, number>();

    const open = (index: number, sim: number) => {
      opened++;
      const p = plans[index] as PlanInfo;
      const set = perProvider.get(p.provider) as ReturnType<typeof clientsFor>;
      const k = perClient.get(p.provider) ?? 0;
      perClient.set(p.provider, k + 1);
      const client = set.clients[k % set.clients.length] as Watcher;
      const ctl = new AbortController();
      controllers.add(ctl);
      const stream = client.watch(p.ref, {
        pollIntervalMs: o.pollIntervalMs,
        maxPollIntervalMs: o.pollIntervalMs * 8,
        signal: ctl.signal,
      });
      const keys: string[] = [];
      running.push(
        (async () => {
          let error: string | undefined;
          try {
            for await (const ev of stream) keys.push(set.key(ev));
          } catch (err) {
            error = String(err);
            log(`${p.provider} ${p.name}: watch failed: ${error}`);
          }
          controllers.delete(ctl);
          const truth = await truthOf(index);
          const cmp = compare(keys, truth);
          const r: StackReport = {
            provider: p.provider,
            name: p.name,
            expectedOutcome: p.expectedOutcome,
            outcome: stream.result?.outcome,
            ...(error ? { error } : {}),
            truth: truth.length,
            delivered: keys.length,
            ...cmp,
            watchStartedAt: Math.round(sim),
            endsAt: p.endsAt,
          };
          if (!cmp.exact) log(`${p.provider} ${p.name}: differs from the truth ${JSON.stringify(r)}`);
          stacks.push(r);
        })(),
      );
    };
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'open') open(m.index, m.sim);
      else if (m.type === 'truth') {
        truthWaiters.get(m.index)?.(m.keys);
        truthWaiters.delete(m.index);
      }
    });
    send({ type: 'start' });

    const deadline = spanMs / o.speed + o.graceMs;
    let abandoned = 0;
    let lastLog = performance.now();
    while (opened < plans.length || stacks.length < plans.length) {
      const now = performance.now();
      if (now - t0 > deadline) {
        abandoned = plans.length - stacks.length;
        log(`giving up: ${abandoned} watches still open`);
        for (const c of controllers) c.abort(new Error('soak deadline'));
        break;
      }
      if (now - lastLog > 10_000) {
        lastLog = now;
        log(
          `t=${((now - t0) / 1000).toFixed(0)}s opened=${opened}/${plans.length} ended=${stacks.length} ` +
            PROVIDERS.map((p) => `${p}:${limiters.get(p)?.grantedCount}`).join(' '),
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(running);
    sample();
    if (sampler) clearInterval(sampler);
    sampler = undefined;
    loop.disable();
    const realMs = performance.now() - t0;

    send({ type: 'finish' });
    const result = (await next('result')) as ResultMessage;
    const exited = new Promise<void>((resolve) =>
      child.exitCode !== null ? resolve() : child.once('exit', () => resolve()),
    );
    child.disconnect();
    await exited;

    stacks.sort((a, b) => a.provider.localeCompare(b.provider) || a.name.localeCompare(b.name));
    const providers: ProviderReport[] = result.meters.map((meter) => {
      const mine = stacks.filter((r) => r.provider === meter.provider);
      const limiter = limiters.get(meter.provider) as RateLimiter;
      return {
        ...meter,
        stacks: mine.length,
        quota: o.quota,
        clientLimit: o.clientLimit,
        limiterGranted: limiter.grantedCount,
        maxGrantsPerWindow: maxInWindow(grantTimes.get(meter.provider) ?? [], o.intervalMs),
        maxGrantsPer10ms: maxInWindow(grantTimes.get(meter.provider) ?? [], 10),
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
      simMs: Math.round(result.sim),
      providers,
      stacks,
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
        emulatorRssMB: result.rssMB,
      },
      eventLoopDelayMs: {
        p50: +(loop.percentile(50) / 1e6).toFixed(1),
        p99: +(loop.percentile(99) / 1e6).toFixed(1),
        max: +(loop.max / 1e6).toFixed(1),
      },
      emulatorEventLoopDelayMs: result.eventLoopDelayMs,
      unhandledRejections: unhandled,
      abandoned,
    };
  } finally {
    if (sampler) clearInterval(sampler);
    for (const c of closers) c();
    if (child.exitCode === null) {
      child.kill();
      await new Promise((r) => child.once('exit', r));
    }
    // Let a rejection raised while closing surface before the listener goes.
    await new Promise((r) => setTimeout(r, 50));
    process.off('unhandledRejection', onUnhandled);
  }
}

/** Handles a finished run could leak (sockets, servers, timers, child processes), by kind. */
export function openHandles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) {
    if (['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'ProcessWrap', 'PipeWrap'].includes(r))
      out[r] = (out[r] ?? 0) + 1;
  }
  return out;
}
