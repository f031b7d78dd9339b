import type {
  AccountRegion,
  Deployment,
  DiscoveredTarget,
  DiscoverOptions,
  EventFilterOptions,
  ExecutionInfo,
  ImageInfo,
  Logger,
  ProviderId,
  RateLimiter,
  StackEvent,
  StackInfo,
  WatchStream,
} from '@stackfeed/core';

/** What a provider file gets to build its client: the standard places plus the command line. */
export interface ProviderContext {
  /** Environment variables (AWS_*, OS_*, HUAWEICLOUD_SDK_*, ...). */
  env: Record<string, string | undefined>;
  /** `--endpoint` for this provider, when given: overrides the endpoint the SDK would pick. */
  endpoint?: string | undefined;
  /** `--region`. */
  region?: string | undefined;
  /** `--profile` (AWS shared config profile). */
  profile?: string | undefined;
  /** `--cloud` (an entry of clouds.yaml; default `OS_CLOUD`). */
  cloud?: string | undefined;
  /** The Huawei project of the region (a fan-out over `--all-regions`, a fleet place's `projects:`). */
  project?: string | undefined;
  /**
   * In a fan-out over regions, the region the command line named before (`--region`, else
   * AWS_REGION): where the ParallelCluster API itself runs, which acts on `region`.
   */
  homeRegion?: string | undefined;
  cwd: string;
  /** Transport log lines (retries, ...) when `--debug`. */
  logger?: Logger | undefined;
  /** Signs continuation tokens so that a later run can resume them (see token-key.ts). */
  tokenKey?: string | undefined;
}

/**
 * What a fleet worker (`stackfeed fleet`, `worker`, `dashboard --config`) needs of a provider's client: the discovery
 * of a place and the follow of what it found (the adapter's own `discover()` and `watchStackEvents`).
 */
export interface FleetSourceClient {
  discover(options: DiscoverOptions): AsyncIterable<DiscoveredTarget<unknown>>;
  /** `ref` is a `DiscoveredTarget.ref` this client's `discover()` gave. */
  watchStackEvents(
    ref: unknown,
    options: { since?: Date | undefined; pollIntervalMs?: number | undefined; signal?: AbortSignal | undefined },
  ): WatchStream<StackEvent, unknown>;
}

/** A place of `stackfeed.yaml` as a provider file gets it, with the fleet's shared budget. */
export interface FleetPlaceContext extends ProviderContext {
  /** The request budget of the place's account and region, shared by every worker. */
  rateLimit: RateLimiter;
}

/** Options of a one-shot event list. */
export interface EventListQuery extends EventFilterOptions {
  /** Stop after this many events. */
  maxItems?: number | undefined;
  /** Include events of nested stacks this many levels down (providers with nested stacks). */
  nestedDepth?: number | undefined;
  signal: AbortSignal;
}

/** Options of a follow. */
export interface EventFollowQuery extends EventFilterOptions {
  pollIntervalMs?: number | undefined;
  timeoutMs?: number | undefined;
  /** Include events of nested stacks this many levels down (providers with nested stacks). */
  nestedDepth?: number | undefined;
  signal: AbortSignal;
}

/**
 * A connected provider, as the CLI uses it. Each method maps one CLI command to the adapter's
 * calls; a provider leaves out what it does not have (the CLI then says so, exit code 2).
 */
export interface ProviderSession {
  /** `stackfeed events <provider> <target>`. */
  listEvents?(target: string, query: EventListQuery): AsyncIterable<StackEvent>;
  /** `stackfeed events <provider> <target> --follow`, `stackfeed watch provider:target`. */
  followEvents?(target: string, query: EventFollowQuery): WatchStream<StackEvent, unknown>;
  /** `stackfeed stacks <provider>`. */
  listStacks?(query: { maxItems?: number | undefined; signal: AbortSignal }): AsyncIterable<StackInfo>;
  /** `stackfeed images <provider>`. */
  listImages?(query: { maxItems?: number | undefined; signal: AbortSignal }): AsyncIterable<ImageInfo>;
  /** `stackfeed image <provider> <id>`. */
  describeImage?(id: string, query: { signal: AbortSignal }): Promise<ImageInfo>;
  /** `stackfeed deployments <provider> <target>`: the target's operations, newest first. */
  listDeployments?(
    target: string,
    query: { maxItems?: number | undefined; signal: AbortSignal },
  ): AsyncIterable<Deployment>;
  /** `stackfeed executions <provider> <target>`. */
  listExecutions?(
    target: string,
    query: { maxItems?: number | undefined; signal: AbortSignal },
  ): AsyncIterable<ExecutionInfo>;
}

/**
 * The one scenario clock every emulator of a demo follows, so that the providers' events share a
 * timeline and merge in a meaningful order. Scenario time runs `speed` times faster than the wall.
 */
export interface DemoClock {
  /** Scenario time 0 (epoch ms, a whole second). */
  readonly t0: number;
  readonly speed: number;
  /** Current scenario time (epoch ms). */
  now(): number;
  /** Milliseconds of scenario time since t0. */
  elapsed(): number;
}

/**
 * A DemoClock starting now. With `anchorMs` (how long the scenario lasts, in scenario time) and
 * `speed` > 1, scenario time 0 lies in the past so that the scenario's last moment is the wall
 * clock's "now" when it is reached: no event is stamped in the future (without it, a 100 s
 * scenario at speed 5 ends 80 s ahead of the wall). After that moment it runs ahead like any
 * sped-up clock.
 */
export function demoClock(speed = 1, wallNow: () => number = Date.now, options: { anchorMs?: number } = {}): DemoClock {
  const wall0 = wallNow();
  const lead = options.anchorMs && speed > 1 ? options.anchorMs * (1 - 1 / speed) : 0;
  // A whole second, rounded down: the anchored end is then at or before the wall clock, never after.
  const t0 = Math.floor((wall0 - lead) / 1000) * 1000;
  return {
    t0,
    speed,
    now: () => t0 + (wallNow() - wall0) * speed,
    elapsed: () => (wallNow() - wall0) * speed,
  };
}

/** Scenario time between the starts of two rounds of `stackfeed emulator --loop`: every scenario ends within it. */
export const LOOP_PERIOD_MS = 180_000;

/**
 * `stackfeed emulator --loop`: calls `round(k, startAt)` for k = 1, 2, … where round k starts at
 * `t0 + k · periodMs` on the scenario clock. Each round is put in place half a period before it
 * starts, so it is there in time at any speed. Returns the function that stops the loop.
 */
export function loopRounds(
  clock: DemoClock,
  round: (k: number, startAt: number) => void,
  periodMs = LOOP_PERIOD_MS,
): () => void {
  let next = 1;
  const tick = () => {
    while (clock.now() >= clock.t0 + (next - 0.5) * periodMs) {
      round(next, clock.t0 + next * periodMs);
      next++;
    }
  };
  const timer = setInterval(tick, 200);
  timer.unref?.();
  return () => clearInterval(timer);
}

/** One scenario of `stackfeed demo`, running on this provider's emulator. */
export interface DemoRun {
  /** One line saying what plays, e.g. `Heat stack "web" with a nested stack`. */
  title: string;
  /** The client, connected to the emulator through the public SDK. */
  session: ProviderSession;
  /** What to follow (a stack name/id, an image id, an execution ARN). */
  target: string;
  /** Whether the scenario is scripted to fail (an RFS deployment that rolls back). */
  expectFailure?: boolean;
  /** The records to print once the scenario is over (final ImageInfo, ExecutionInfo, StackInfo). */
  finals?(signal: AbortSignal): Promise<Array<ImageInfo | ExecutionInfo | StackInfo>>;
  close(): Promise<void>;
}

/** An emulator of this provider, listening on a fixed port, for `stackfeed emulator`. */
export interface EmulatorRun {
  /** The base URL to pass as `--endpoint`. */
  endpoint: string;
  /** How to point the SDK/CLI at it: environment variables and credentials (fake ones). */
  settings: Record<string, string>;
  /** The scenarios loaded, with their stack names/ids. */
  notes: string[];
  close(): Promise<void>;
}

/** A provider as the CLI sees it: one small file per provider in `src/providers/`. */
export interface ProviderPlugin {
  id: ProviderId | (string & {});
  /** Other names accepted on the command line (`heat`, `rfs`, ...). */
  aliases: readonly string[];
  /** `OpenStack Heat`. */
  title: string;
  /** What the target argument is, for help and errors (`a stack name or id`). */
  target: string;
  /** Where credentials come from, for error hints. */
  credentials: string;
  /**
   * The session calls this provider has, known without connecting: a command the provider does
   * not have is a usage error (exit 2) whether or not its credentials are configured.
   */
  offers?: ReadonlyArray<keyof ProviderSession>;
  /** Build a client from the standard places and the command line. May throw CONFIG errors. */
  connect(ctx: ProviderContext): ProviderSession | Promise<ProviderSession>;
  /** `--all-regions`: the regions of the account the credentials belong to (AWS, Huawei Cloud). */
  listRegions?(ctx: ProviderContext, signal: AbortSignal): Promise<AccountRegion[]>;
  /** The client a fleet worker discovers and follows a place with, built by the same credential rules as `connect`. */
  fleetClient?(ctx: FleetPlaceContext): FleetSourceClient;
  /** Play this provider's demo scenario on its emulator (loopback only). */
  demo?(options: { speed: number; signal: AbortSignal; clock: DemoClock }): Promise<DemoRun>;
  /** Run this provider's emulator on a fixed port. */
  /** `loop`: replay the scenario every `LOOP_PERIOD_MS` of scenario time, with new ids (`--loop`). */
  emulator?(options: { port: number; host: string; clock: DemoClock; loop?: boolean }): Promise<EmulatorRun>;
}
