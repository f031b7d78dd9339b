/**
 * A wire-faithful emulator of OpenStack Heat's orchestration v1 stack/event API (Heat 19 / Zed,
 * legacy engine), with an optional Keystone v3 token endpoint. Behaviour follows a real Heat:
 * newest-first default order, `sort_dir`, keyset `marker` (unknown marker silently ignored),
 * `limit` validation, filters on the status *part*, `nested_depth` with `root_stack` links, the 302
 * from name-only URLs (query kept), the resource-events 404 when nothing matches, non-ASCII
 * resource names in paths read as Latin-1 (so they 404, as on a real Heat 19), fault bodies
 * `{code,title,explanation,error:{type,message,traceback}}`, keystonemiddleware's 401 body; the
 * stack list's `status` / `action` / `name` / `tags` / `show_nested` filters, with Heat's 500 for
 * `tags` beside a single-valued filter (its tag join precedes `filter_by`).
 *
 * - `store.ts`: stacks, scripted events, the scenario clock.
 * - `handler.ts`: the wire shapes and routes. `keystone.ts`: the token endpoint and check.
 * - `scenarios.ts`: scripts of typical deployments (a create; an update whose nested stack fails and
 *   is rolled back).
 *
 * Scenarios are scripts of events on a clock the test controls (`advance`, or `autoAdvanceMs`
 * per events request), so a watch sees a deployment progress without real waiting.
 * @packageDocumentation
 */
import { type EmulatorRequest, type EmulatorServer, startEmulator } from '../harness.js';
import { HeatWire, createHeatRouter } from './handler.js';
import { EmulatedKeystone, type KeystoneOptions } from './keystone.js';
import { type AddStackOptions, type EmulatedStack, HeatStore, type ScriptedEvent } from './store.js';

export { createScript, deleteScript, nestedUpdateRollbackScripts, type NestedRollbackScripts } from './scenarios.js';
export { heatActivity, type HeatActivityHost } from './activity.js';
export { type AddStackOptions, HeatStore, type EmulatedStack, type ScriptedEvent, type StoredEvent } from './store.js';
export type { KeystoneOptions } from './keystone.js';

export interface HeatEmulatorOptions {
  /** Tenant (project) id in URLs (default `admin`, as a noauth Heat). */
  tenant?: string;
  /** Epoch of scenario time 0 (default 2026-01-01T00:00:00Z). */
  epochMs?: number;
  /**
   * A clock that runs by itself (epoch ms, e.g. a `RunningClock`): scenario time is then its
   * reading (`epochMs` 0), scripts use its instants, and `advance` still jumps it.
   */
  clock?: { now(): number };
  /** Every events/stack request advances the scenario clock by this much (default 0). */
  autoAdvanceMs?: number;
  /** Require Keystone tokens (default false = noauth Heat). */
  keystone?: KeystoneOptions;
  /** Heat's `max_events_per_stack`: prune the oldest events beyond it on every advance (default none). */
  maxEventsPerStack?: number;
  /**
   * Build links and the 302 `Location` from this base instead of the request's origin, like a
   * Heat whose `host_url` is its own `http://…` address behind a TLS-terminating proxy.
   */
  locationBase?: string;
  /** `false`: an older Heat without `nested_depth` (ignored; no `root_stack` links). Default true. */
  nestedDepth?: boolean;
  /** Fault: list events in a stable order that is not time order (by resource name, then time), whatever `sort_dir`. */
  unorderedListing?: boolean;
}

export interface HeatEmulator {
  readonly server: EmulatorServer;
  /** `http://127.0.0.1:port` */
  readonly url: string;
  /** The orchestration endpoint `…/v1/{tenant}`. */
  readonly heatUrl: string;
  /** Keystone v3 base `…/v3` (when `keystone` is configured). */
  readonly keystoneUrl: string;
  readonly stacks: Map<string, EmulatedStack>;
  /** Current scenario time (ms). */
  now(): number;
  /** Move the scenario clock forward. */
  advance(ms: number): void;
  /**
   * Add a stack with a script of events. A nested stack names its `parent` (and the parent's
   * resource it implements, `parentResource`, else Heat's `{parent}-{resource}-…` name tells).
   * `tags` are Heat's simple string tags.
   */
  addStack(name: string, script: ScriptedEvent[], opts?: AddStackOptions): EmulatedStack;
  /** Append events to a stack's script. */
  addEvents(stack: EmulatedStack, script: ScriptedEvent[]): void;
  /** Remove the `count` oldest events of a stack (Heat's purge). */
  prune(stack: EmulatedStack, count: number): void;
  /** Ground truth: the stack's events visible now, oldest first, in wire shape. */
  visibleEvents(stack: EmulatedStack, nestedDepth?: number): Array<Record<string, unknown>>;
  /** Invalidate every Keystone token issued so far (the next Heat call gets a 401). */
  revokeTokens(): void;
  /** Tokens issued by the emulated Keystone. */
  readonly tokensIssued: number;
  /** Bodies of every `POST /v3/auth/tokens`, oldest first. */
  readonly authRequests: unknown[];
  close(): Promise<void>;
}

/** Start a Heat emulator on loopback. */
export async function startHeatEmulator(opts: HeatEmulatorOptions = {}): Promise<HeatEmulator> {
  const tenant = opts.tenant ?? 'admin';
  const handlerOpts = {
    tenant,
    epochMs: opts.clock ? 0 : (opts.epochMs ?? Date.UTC(2026, 0, 1)),
    locationBase: opts.locationBase,
    nestedDepth: opts.nestedDepth,
    unorderedListing: opts.unorderedListing,
  };
  const running = opts.clock;
  const store = new HeatStore({
    autoAdvanceMs: opts.autoAdvanceMs,
    maxEventsPerStack: opts.maxEventsPerStack,
    clock: running ? () => running.now() : undefined,
  });
  const keystone = new EmulatedKeystone(opts.keystone);
  const wire = new HeatWire(store, handlerOpts);
  // The ground truth reads the full nesting whatever the emulated Heat supports.
  const truth = new HeatWire(store, { ...handlerOpts, nestedDepth: true, unorderedListing: false });
  const route = createHeatRouter(store, keystone, wire, handlerOpts).handler();
  // Like Heat's eventlet WSGI server, decode `%2F` before routing: an encoded slash is a slash.
  const server = await startEmulator({
    handler: (req: EmulatorRequest) => route({ ...req, rawPath: req.rawPath.replace(/%2F/gi, '/') }),
  });
  wire.origin = server.url;
  truth.origin = server.url;

  return {
    server,
    url: server.url,
    heatUrl: `${server.url}/v1/${tenant}`,
    keystoneUrl: `${server.url}/v3`,
    stacks: store.stacks,
    now: () => store.clock,
    advance: (ms) => store.advance(ms),
    addStack: (name, script, o) => store.addStack(name, script, o),
    addEvents: (s, script) => store.addEvents(s, script),
    prune: (s, count) => store.prune(s, count),
    visibleEvents(s, nestedDepth = 0) {
      const q = new URLSearchParams({ sort_dir: 'asc', nested_depth: String(nestedDepth) });
      // Reading the truth is not a request: the clock stays.
      const reply = truth.listEvents(q, s, undefined, false);
      return (reply.body as { events: Array<Record<string, unknown>> }).events;
    },
    revokeTokens: () => keystone.tokens.clear(),
    get tokensIssued() {
      return keystone.tokensIssued;
    },
    authRequests: keystone.authRequests,
    close: () => server.close(),
  };
}
