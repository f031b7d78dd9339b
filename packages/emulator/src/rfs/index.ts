/**
 * A local Huawei Cloud RFS (+ the IAM token call) for `@stackfeed/emulator/rfs`: checks AK/SK
 * signatures like the API gateway and serves ListStacks, GetStackMetadata and ListStackEvents
 * with the documented filter / field / marker / limit / deployment_id / stack_id semantics, from
 * scripted scenarios.
 *
 * - {@link startRfsEmulator}: a loopback server with fault injection over a store and scenarios.
 * - {@link RfsStore}: the stacks and their events (ground truth for tests).
 * - {@link createRfsHandler}: the routes alone.
 * @packageDocumentation
 */
import { type EmulatorServer, type Handler, startEmulator } from '../harness.js';
import { type IamProject, type IamUser, type RfsHandlerOptions, createRfsHandler } from './handler.js';
import type { RfsScenario, ScenarioStep } from './scenarios.js';
import { type RfsProgress, RfsStore, type StackState } from './store.js';
import type { AkSkIdentity } from './verify.js';

export * from './scenarios.js';
export { rfsActivity, type RfsActivityHost } from './activity.js';
export {
  verifyAkSkRequest,
  gatewayCanonicalRequest,
  parseSdkDate,
  type AkSkIdentity,
  type VerifyResult,
} from './verify.js';
export { RfsStore, type RfsListingOrder, type RfsProgress, type StackState, type StoredEvent } from './store.js';
export {
  createRfsHandler,
  parseRfsFilter,
  RFS_ERRORS,
  type IamProject,
  type IamUser,
  type RfsHandler,
  type RfsHandlerOptions,
} from './handler.js';

export interface RfsEmulatorOptions {
  /** Who may call: AK/SK pairs (with securityToken for temporary ones) and IAM users. */
  credentials: { aksk?: AkSkIdentity[]; users?: IamUser[] };
  /** The project id of `region` (default `0123456789abcdef0123456789abcdef`). */
  projectId?: string;
  /** The region of `projectId`, its IAM project's name (default `cn-north-4`). */
  region?: string;
  /**
   * More regions of the same account on the same endpoint: each an IAM project (listed by
   * `GET /v3/projects`) with its own stacks, addressed by its project id in the RFS path. A region
   * marked `refused` is listed but its RFS answers 403 (a project the credentials may not use).
   */
  regions?: ReadonlyArray<{ region: string; projectId: string; scenarios?: RfsScenario[]; refused?: boolean }>;
  scenarios?: RfsScenario[];
  /** The emulator's clock in ms (default Date.now): signature skew and scenario progress. */
  clock?: () => number;
  /**
   * How scenarios progress: `clock` (default) applies each step when the clock reaches it;
   * `manual` only on `advance()`; `on-metadata` one step per GetStackMetadata call of that stack
   * (deterministic progress for watch tests and demos).
   */
  progress?: RfsProgress;
  /** Allowed X-Sdk-Date skew (default 15 minutes). */
  maxSkewMs?: number;
  /**
   * The gateway locks an AK for 5 minutes after 5 consecutive signature failures (default on;
   * false disables it for tests that send many bad signatures on purpose).
   */
  akLockout?: boolean;
  /** false: behave like the pre-2025 API, no marker/limit, no page_info (default true). */
  pageInfo?: boolean;
  /** Page size without `limit` (default 100; undocumented by RFS). */
  defaultLimit?: number;
  /** Smallest accepted `limit` (default 10, the documented minimum). */
  minLimit?: number;
  /** Largest accepted `limit` (default 1000, the documented maximum). */
  maxLimit?: number;
  /** IAM token lifetime (default 24 h). */
  tokenTtlMs?: number;
  port?: number;
}

export interface RfsEmulator {
  /** Base URL: use as the RFS endpoint and as the IAM endpoint. */
  readonly url: string;
  readonly projectId: string;
  /** The harness server: fault injection (`server.faults`) and the request log (`server.requests`). */
  readonly server: EmulatorServer;
  /** The stacks and their events (of `projectId`). */
  readonly store: RfsStore;
  /** The stacks of another region's project (`regions`). */
  regionStore(region: string): RfsStore | undefined;
  /** Add a scenario (its history is applied now). */
  addScenario(s: RfsScenario): StackState;
  /**
   * Queue more steps on an existing stack (e.g. a new deployment for a demo's "deploy" button), with
   * `at` relative to `startAt` (default: now on the emulator clock).
   */
  play(stackName: string, steps: ScenarioStep[], opts?: { startAt?: number }): void;
  /** Apply the next `n` pending steps of one stack (or of every stack); returns how many were applied. */
  advance(stackName?: string, n?: number): number;
  /** Apply every pending step. */
  finish(stackName?: string): number;
  /** A stack's current state, also after deletion. */
  stack(name: string): StackState | undefined;
  /** Steps still pending for a stack. */
  pending(stackName: string): number;
  /** Tokens issued by the IAM route. */
  readonly tokensIssued: number;
  close(): Promise<void>;
}

/** Start the RFS emulator on loopback. */
export async function startRfsEmulator(options: RfsEmulatorOptions): Promise<RfsEmulator> {
  const clock = options.clock ?? Date.now;
  const projectId = options.projectId ?? '0123456789abcdef0123456789abcdef';
  const store = new RfsStore(clock, options.progress ?? 'clock');
  for (const s of options.scenarios ?? []) store.addScenario(s);
  const handlerOptions: RfsHandlerOptions = {
    credentials: options.credentials,
    projectId,
    clock,
    maxSkewMs: options.maxSkewMs,
    akLockout: options.akLockout,
    pageInfo: options.pageInfo,
    defaultLimit: options.defaultLimit,
    minLimit: options.minLimit,
    maxLimit: options.maxLimit,
    tokenTtlMs: options.tokenTtlMs,
  };
  const regions = options.regions ?? [];
  handlerOptions.projects = [
    { id: projectId, name: options.region ?? 'cn-north-4' },
    ...regions.map((r) => ({ id: r.projectId, name: r.region })),
    // IAM also lists projects that are no region's own (e.g. MOS): a client must skip them.
    { id: 'mos00000000000000000000000000000', name: 'MOS' },
  ] satisfies IamProject[];
  const rfs = createRfsHandler(store, handlerOptions);
  const others = new Map<string, { store: RfsStore; handler: Handler }>();
  for (const r of regions) {
    if (r.refused) continue;
    const s = new RfsStore(clock, options.progress ?? 'clock');
    for (const sc of r.scenarios ?? []) s.addScenario(sc);
    others.set(r.projectId, {
      store: s,
      handler: createRfsHandler(s, { ...handlerOptions, projectId: r.projectId }).handler,
    });
  }
  // Each project's RFS calls go to its own store; IAM and the default project to the first.
  const handler: Handler = (req) => {
    const pid = /^\/v1\/([^/]+)\//.exec(req.rawPath)?.[1];
    return (pid !== undefined ? others.get(pid)?.handler : undefined)?.(req) ?? rfs.handler(req);
  };
  const server = await startEmulator({
    ...(options.port !== undefined ? { port: options.port } : {}),
    handler,
  });
  return {
    url: server.url,
    projectId,
    server,
    store,
    regionStore: (region) => others.get(regions.find((r) => r.region === region)?.projectId ?? '')?.store,
    addScenario: (s) => store.addScenario(s),
    play: (stackName, steps, opts = {}) => store.play(stackName, steps, opts.startAt),
    advance: (stackName, n) => store.advance(stackName, n),
    finish: (stackName) => store.advance(stackName, Number.MAX_SAFE_INTEGER),
    stack: (name) => store.stack(name),
    pending: (name) => store.pending(name),
    get tokensIssued() {
      return rfs.tokensIssued;
    },
    close: () => server.close(),
  };
}
