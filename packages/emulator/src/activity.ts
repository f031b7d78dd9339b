import { createHash } from 'node:crypto';
import type { EmulatorRequest, EmulatorServer } from './harness.js';
import { ManualClock } from './imagebuilder/store.js';

/**
 * The scale side of the emulators: a clock that runs on its own (at wall speed or faster), a
 * request counter per account or credential (counted where the requests arrive), and the shapes
 * the per-provider activity generators (`heatActivity`, `rfsActivity`, `parallelClusterActivity`,
 * `imageBuilderActivity`) return: the targets they added and the ground truth of every event.
 */

/**
 * A scenario clock that runs by itself: `speed` scenario ms per wall ms from `start` (default the
 * wall clock now, so event times read as real times at speed 1). `advance` still jumps it.
 */
export class RunningClock extends ManualClock {
  readonly speed: number;
  private readonly wall0: number;

  constructor(opts: { start?: number; speed?: number } = {}) {
    super(opts.start ?? Date.now());
    this.speed = opts.speed ?? 1;
    this.wall0 = Date.now();
  }

  override now(): number {
    return super.now() + (Date.now() - this.wall0) * this.speed;
  }

  /** The wall time (epoch ms) at which the clock reads (or read) scenario instant `t`. */
  wallOf(t: number): number {
    return this.wall0 + (t - super.now()) / this.speed;
  }
}

/**
 * Who a request counts against: the SigV4 access key id (`Credential=AKID/…`), Huawei's AK/SK
 * signature `Access=` key, else the OpenStack project in the path (`/v1/{project}/…`), else a
 * short digest of the `X-Auth-Token`, else `anonymous`. Never the secret or the token itself.
 */
export function credentialOf(req: Pick<EmulatorRequest, 'headers' | 'rawPath'>): string {
  const auth = String(req.headers.authorization ?? '');
  const sigv4 = /Credential=([^/,\s]+)\//.exec(auth);
  if (sigv4) return `aws:${sigv4[1]}`;
  const aksk = /Access=([^,\s]+)/.exec(auth);
  if (aksk) return `huawei:${aksk[1]}`;
  const project = /^\/v1\/([^/]+)\//.exec(req.rawPath);
  if (project) return `openstack:${project[1]}`;
  const token = req.headers['x-auth-token'];
  if (typeof token === 'string' && token) {
    return `token:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
  }
  return 'anonymous';
}

/** The most values of `times` (ascending) inside any half-open window `[t, t + windowMs)`. */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  let lo = 0;
  for (let i = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[lo] as number) >= windowMs) lo++;
    best = Math.max(best, i - lo + 1);
  }
  return best;
}

/**
 * Counts every request a server receives, per account or credential ({@link credentialOf} unless
 * told otherwise), with its arrival time (epoch ms, sub-ms precision). Attached as a fault rule
 * that never fires, so no emulator is edited for it; one counter may watch several servers.
 */
export class RequestCounter {
  private readonly byKey = new Map<string, number[]>();
  private readonly keyOf: (req: EmulatorRequest) => string;

  constructor(opts: { keyOf?: (req: EmulatorRequest) => string } = {}) {
    this.keyOf = opts.keyOf ?? credentialOf;
  }

  /** Count what `server` receives from now on. */
  attach(server: EmulatorServer): this {
    server.faults.inject(
      { kind: 'status', status: 500 },
      {
        times: Number.POSITIVE_INFINITY,
        match: (req) => {
          this.record(this.keyOf(req));
          return false;
        },
      },
    );
    return this;
  }

  /** Count one request of `key` (arrival now). */
  record(key: string, at = performance.timeOrigin + performance.now()): void {
    let list = this.byKey.get(key);
    if (!list) {
      list = [];
      this.byKey.set(key, list);
    }
    list.push(at);
  }

  /** The keys seen so far. */
  keys(): string[] {
    return [...this.byKey.keys()].sort();
  }

  /** Requests of `key` (every key when omitted). */
  count(key?: string): number {
    if (key !== undefined) return this.byKey.get(key)?.length ?? 0;
    let n = 0;
    for (const l of this.byKey.values()) n += l.length;
    return n;
  }

  /** Arrival times of `key`'s requests, oldest first. */
  arrivals(key: string): readonly number[] {
    return this.byKey.get(key) ?? [];
  }

  /** The most requests of `key` that arrived within any `windowMs` (a sliding window). */
  maxInWindow(key: string, windowMs: number): number {
    return maxInWindow(this.arrivals(key), windowMs);
  }
}

/** One operation a generator scheduled on a target (scenario ms). */
export interface ActivityOperation {
  action: 'CREATE' | 'UPDATE' | 'DELETE' | 'LIFECYCLE';
  startAt: number;
  endsAt: number;
  fails: boolean;
}

/** One thing a generator added: what a fleet discovers and follows. */
export interface ActivityTarget {
  provider: 'openstack-heat' | 'huawei-rfs' | 'aws-parallelcluster' | 'aws-imagebuilder';
  kind: 'stack' | 'cluster' | 'lifecycle-execution';
  name: string;
  /** The provider's id (Heat/RFS stack id, CloudFormation stack id, lifecycle execution id). */
  id: string;
  operations: ActivityOperation[];
}

/** One event of the ground truth. */
export interface TruthEvent {
  /** The event in wire terms: Heat's event id, CloudFormation's EventId, RFS's record, Image Builder's resource state. */
  key: string;
  /** The scenario instant it became visible (epoch ms on the emulator's clock). */
  at: number;
  /** For served truth: the record is in a final state (a client must end up with it). */
  final?: boolean;
}

/** What an activity generator returns. */
export interface Activity {
  readonly targets: readonly ActivityTarget[];
  /**
   * `log`: the provider keeps an event log; `events()` is every event visible now, and a client that
   * followed the target to its end has exactly these. `served`: events are states read as snapshots
   * (Image Builder); `events()` is every state the emulator has served so far, and a client has a
   * subset of them that holds every `final` one.
   */
  readonly truth: 'log' | 'served';
  /** The ground truth of one target (by `ActivityTarget.id`), oldest first. */
  events(targetId: string): TruthEvent[];
  /** The last scenario instant of any operation. */
  readonly endsAt: number;
}

/** Shape of every generator's options. */
export interface ActivityOptions {
  /** How many targets to add. */
  count: number;
  /** Scenario ms over which their first operations start (default 10 minutes). */
  spanMs?: number;
  /** Scenario instant of the first start (default: the emulator's clock now). */
  startAt?: number;
  /** Seed of the mix (default 1): the same seed gives the same activity. */
  seed?: number;
  /** Name prefix (default the provider's short name). */
  prefix?: string;
  /** Share of first operations that fail (default 0.2). */
  failRate?: number;
  /** Share of targets updated after their create, where the provider has updates (default 0.3). */
  updateRate?: number;
  /** Share of targets deleted at the end, where the provider lists deleting stacks (default 0.2). */
  deleteRate?: number;
  /** Scenario ms between two events of an operation, drawn in `[min, max]` (default 1000..3000). */
  stepMs?: readonly [number, number];
  /** Scenario ms between two operations of one target (default 20 s). */
  gapMs?: number;
}

/** A deterministic PRNG (mulberry32) in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The options with their defaults, and the draws every generator makes per target. */
export function activityPlan(o: ActivityOptions, now: number) {
  const random = seededRandom(o.seed ?? 1);
  const span = o.spanMs ?? 600_000;
  const start = o.startAt ?? now;
  const [lo, hi] = o.stepMs ?? [1000, 3000];
  return {
    random,
    gapMs: o.gapMs ?? 20_000,
    /** Staggered: target i of n starts in its slice of the span. */
    startOf: (i: number) => start + Math.floor(((i + random() * 0.9) / Math.max(1, o.count)) * span),
    stepMs: () => lo + Math.floor(random() * (hi - lo + 1)),
    fails: () => random() < (o.failRate ?? 0.2),
    updates: () => random() < (o.updateRate ?? 0.3),
    deletes: () => random() < (o.deleteRate ?? 0.2),
  };
}

/** JSON with sorted keys: a record compares equal however its keys were ordered (a jsonb column reorders them). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
