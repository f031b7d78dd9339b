import { StackfeedError, type DiscoveredTarget, type Logger } from '@stackfeed/core';
import type { DiscoverFn, FleetContext, FollowFn, Place } from '@stackfeed/fleet';
import type { ProviderEntry } from '../providers/registry.js';
import type { FleetSourceClient } from '../providers/types.js';

/** Where the clients find their standard configuration, and which providers the run has. */
export interface SourceEnv {
  env: Record<string, string | undefined>;
  cwd: string;
  providers: readonly ProviderEntry[];
  /** `--debug`'s transport log, next to the fleet's own logger (THROTTLED slows the budget). */
  debugLogger?: Logger | undefined;
  /** Called with each target a place's discovery yields, before the worker gets it (the dashboard's cards). */
  onFound?: ((place: Place, target: DiscoveredTarget<unknown>) => void) | undefined;
}

/**
 * Discovery and follow for the places of a stackfeed.yaml (`stackfeed fleet`, `worker`,
 * `dashboard --config`), through each provider file's `fleetClient`: the same credential rules as
 * `connect` (clouds.yaml for a place's `cloud`, the AWS chain with its `profile`, Huawei's
 * variables with its `project`). One client per place and process, drawing on the place's shared
 * request budget; a provider file (and its adapter) is loaded when a place naming it is first read.
 */
export function fleetSources(where: SourceEnv, places: readonly Place[]): { discover: DiscoverFn; follow: FollowFn } {
  const clients = new Map<string, Promise<FleetSourceClient>>();
  const clientOf = (place: Place, ctx: FleetContext): Promise<FleetSourceClient> => {
    let c = clients.get(place.key);
    if (!c) {
      c = makeClient(place, ctx, where);
      // A client that could not be built (an unknown cloud, say) is built again at the next try.
      c.catch(() => clients.delete(place.key));
      clients.set(place.key, c);
    }
    return c;
  };
  return {
    discover: (place, signal, ctx) =>
      lazyIterable(async () => {
        const found = (await clientOf(place, ctx)).discover({
          kinds: place.kinds,
          ...(place.filters.name ? { name: place.filters.name } : {}),
          ...(place.filters.tags ? { tags: place.filters.tags } : {}),
          ...(place.filters.activeOnly ? { activeOnly: true } : {}),
          signal,
        });
        const onFound = where.onFound;
        if (!onFound) return found;
        return (async function* () {
          for await (const t of found) {
            onFound(place, t);
            yield t;
          }
        })();
      }),
    follow: (target, checkpoint, signal, ctx) => {
      const place = places.find((p) => p.key === target.place);
      if (!place) throw new Error(`fleet: target ${target.key} names place ${target.place}, which this config lacks`);
      return lazyIterable(async () =>
        (await clientOf(place, ctx)).watchStackEvents(target.discovered.ref, {
          ...(checkpoint?.lowWater ? { since: checkpoint.lowWater } : {}),
          pollIntervalMs: ctx.pollIntervalMs,
          signal,
        }),
      );
    },
  };
}

/** The place's client from its provider file's `fleetClient`; CONFIG when the provider has none in this build. */
async function makeClient(place: Place, ctx: FleetContext, where: SourceEnv): Promise<FleetSourceClient> {
  const entry = where.providers.find((e) => e.id === place.provider);
  const plugin = entry?.load ? await entry.load() : undefined;
  if (!plugin?.fleetClient) {
    throw new StackfeedError({
      code: 'CONFIG',
      provider: 'core',
      message: `${place.provider} cannot be followed by the fleet in this build`,
    });
  }
  const debugLogger = where.debugLogger;
  const logger: Logger = debugLogger
    ? (entry) => {
        ctx.logger(entry);
        debugLogger(entry);
      }
    : ctx.logger;
  return plugin.fleetClient({
    env: where.env,
    cwd: where.cwd,
    rateLimit: ctx.rateLimit,
    logger,
    ...(place.region ? { region: place.region } : {}),
    ...(place.profile ? { profile: place.profile } : {}),
    ...(place.cloud ? { cloud: place.cloud } : {}),
    ...(place.project ? { project: place.project } : {}),
  });
}

/**
 * An async iterable over what `open()` resolves to, with its `result` (a watch's) passed through:
 * the client is built (and its provider loaded) when the fleet starts reading.
 */
function lazyIterable<T>(
  open: () => Promise<AsyncIterable<T> & { readonly result?: unknown }>,
): AsyncIterable<T> & { readonly result?: never } {
  let inner: (AsyncIterable<T> & { readonly result?: unknown }) | undefined;
  return {
    get result() {
      return inner?.result as never;
    },
    async *[Symbol.asyncIterator]() {
      inner = await open();
      yield* inner;
    },
  };
}
