/**
 * EC2 Image Builder emulator (rest-json, API 2019-12-02) for `@stackfeed/emulator/imagebuilder`.
 *
 * - {@link startImageBuilderEmulator}: a loopback server with fault injection, a store and scenarios.
 * - {@link ImageBuilderStore}: seed lifecycle executions, images (build versions) and workflow
 *   executions as timelines; drive time with a {@link ManualClock}.
 * - {@link createImageBuilderHandler} / {@link mountImageBuilderRoutes}: the routes alone, so another
 *   emulator (e.g. ParallelCluster direct mode) can serve Image Builder next to its own API.
 * @packageDocumentation
 */
import { type EmulatorServer, startEmulator } from '../harness.js';
import { createImageBuilderHandler, type ImageBuilderHandlerOptions } from './handler.js';
import * as scenarioFns from './scenarios.js';
import { type EmulatorClock, ImageBuilderStore, ManualClock } from './store.js';

export { imageBuilderActivity, type ImageBuilderActivity } from './activity.js';
export {
  ImageBuilderStore,
  ManualClock,
  systemClock,
  fakeUuid,
  TERMINAL_IMAGE_STATUSES,
  type EmulatorClock,
  type ImageBuilderStoreOptions,
  type LifecycleExecutionSeed,
  type LifecyclePolicySeed,
  type LifecycleResourceSeed,
  type LifecycleStepSeed,
  type ImageSeed,
  type ImageStatusSeed,
  type WorkflowExecutionSeed,
  type WorkflowStepSeed,
  type WireObject,
} from './store.js';
export {
  createImageBuilderHandler,
  mountImageBuilderRoutes,
  imageBuilderRoutes,
  imageBuilderErrorReply,
  imageBuilderFault,
  type ImageBuilderAuthOptions,
  type ImageBuilderHandlerOptions,
} from './handler.js';
export {
  lifecycleDeprecateThenDelete,
  lifecycleFailure,
  imageBuildWithRollback,
  imageBuildAvailable,
  lifecycleLarge,
  amiId,
  snapshotId,
  type LifecycleDeprecateDeleteTruth,
  type LifecycleFailureTruth,
  type ImageBuildRollbackTruth,
  type ImageBuildAvailableTruth,
} from './scenarios.js';

/** The built-in scenarios by name. */
export const imageBuilderScenarios = {
  lifecycleDeprecateThenDelete: scenarioFns.lifecycleDeprecateThenDelete,
  lifecycleFailure: scenarioFns.lifecycleFailure,
  imageBuildWithRollback: scenarioFns.imageBuildWithRollback,
  imageBuildAvailable: scenarioFns.imageBuildAvailable,
  lifecycleLarge: scenarioFns.lifecycleLarge,
} as const;

/** A built-in scenario name. */
export type ImageBuilderScenarioName = keyof typeof imageBuilderScenarios;

export interface ImageBuilderEmulatorOptions extends ImageBuilderHandlerOptions {
  /** Default: a {@link ManualClock} at 2026-01-15T12:00:00Z. */
  clock?: EmulatorClock;
  accountId?: string;
  region?: string;
  /** Built-in scenarios to seed at start (their ground truth is in `truth`). */
  scenarios?: ImageBuilderScenarioName[];
  /** Or bring a store you seeded yourself. */
  store?: ImageBuilderStore;
}

export interface ImageBuilderEmulator {
  /** Base URL: pass it as `endpoint` to the AWS SDK client. */
  readonly url: string;
  /** The harness server: `.faults.inject(...)`, `.requests`, `.close()`. */
  readonly server: EmulatorServer;
  readonly store: ImageBuilderStore;
  /** The clock (a ManualClock unless you passed another). */
  readonly clock: EmulatorClock;
  /** Ground truth of the scenarios seeded at start, by name. */
  readonly truth: { [K in ImageBuilderScenarioName]?: ReturnType<(typeof imageBuilderScenarios)[K]> };
  close(): Promise<void>;
}

/** Start an Image Builder emulator on loopback (random port). */
export async function startImageBuilderEmulator(opts: ImageBuilderEmulatorOptions = {}): Promise<ImageBuilderEmulator> {
  const clock = opts.store?.clock ?? opts.clock ?? new ManualClock();
  const store =
    opts.store ??
    new ImageBuilderStore({
      clock,
      ...(opts.accountId ? { accountId: opts.accountId } : {}),
      ...(opts.region ? { region: opts.region } : {}),
    });
  const truth: Record<string, unknown> = {};
  for (const name of opts.scenarios ?? []) {
    const fn = imageBuilderScenarios[name] as (s: ImageBuilderStore) => unknown;
    if (!fn) throw new Error(`unknown Image Builder scenario ${String(name)}`);
    truth[name] = fn(store);
  }
  const server = await startEmulator({ handler: createImageBuilderHandler(store, opts) });
  return {
    url: server.url,
    server,
    store,
    clock,
    truth: truth as ImageBuilderEmulator['truth'],
    close: () => server.close(),
  };
}
