import type { DiscoveredTarget, Logger, Paginator, StackEvent, WatchStream } from '@stackfeed/core';
import type { DiscoverFn, FleetContext, FollowFn, Place } from '@stackfeed/fleet';
import { awsCredentials } from '../providers/aws.js';

/** What the fleet needs of a client: the adapters' discover() and watchStackEvents(). */
interface FleetClient {
  discover(options: {
    kinds?: readonly string[];
    name?: string;
    tags?: Record<string, string>;
    activeOnly?: boolean;
    signal?: AbortSignal;
  }): Paginator<DiscoveredTarget<unknown>>;
  watchStackEvents(
    ref: never,
    options: { since?: Date | undefined; pollIntervalMs?: number; signal?: AbortSignal },
  ): WatchStream<StackEvent, unknown>;
}

/** Where the clients find their standard configuration. */
export interface SourceEnv {
  env: Record<string, string | undefined>;
  cwd: string;
  /** `--debug`'s transport log, next to the fleet's own logger (THROTTLED slows the budget). */
  debugLogger?: Logger | undefined;
}

/**
 * Discovery and follow for the places of a stackfeed.yaml, through each provider's client built
 * from the ecosystem's standard places: clouds.yaml (the place's `cloud`), the AWS chain with the
 * place's `profile`, Huawei's variables with the place's `project`. One client per place and
 * process, drawing on the place's shared request budget; each adapter is loaded when a place
 * names its provider.
 */
export function fleetSources(where: SourceEnv, places: readonly Place[]): { discover: DiscoverFn; follow: FollowFn } {
  const clients = new Map<string, Promise<FleetClient>>();
  const clientOf = (place: Place, ctx: FleetContext): Promise<FleetClient> => {
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
      lazyIterable(async () =>
        (await clientOf(place, ctx)).discover({
          kinds: place.kinds,
          ...(place.filters.name ? { name: place.filters.name } : {}),
          ...(place.filters.tags ? { tags: place.filters.tags } : {}),
          ...(place.filters.activeOnly ? { activeOnly: true } : {}),
          signal,
        }),
      ),
    follow: (target, checkpoint, signal, ctx) => {
      const place = places.find((p) => p.key === target.place);
      if (!place) throw new Error(`fleet: target ${target.key} names place ${target.place}, which this config lacks`);
      return lazyIterable(async () =>
        (await clientOf(place, ctx)).watchStackEvents(target.discovered.ref as never, {
          since: checkpoint?.lowWater,
          pollIntervalMs: ctx.pollIntervalMs,
          signal,
        }),
      );
    },
  };
}

async function makeClient(place: Place, ctx: FleetContext, where: SourceEnv): Promise<FleetClient> {
  const logger: Logger = (entry) => {
    ctx.logger(entry);
    where.debugLogger?.(entry);
  };
  const common = { rateLimit: ctx.rateLimit, logger };
  switch (place.provider) {
    case 'openstack-heat': {
      const { HeatClient } = await import('@stackfeed/openstack-heat');
      return HeatClient.fromConfig(
        { cloud: place.cloud, env: where.env, cwd: where.cwd },
        { ...common, ...(place.region ? { region: place.region } : {}) },
      ) as unknown as FleetClient;
    }
    case 'huawei-rfs': {
      const { RfsClient } = await import('@stackfeed/huawei-rfs');
      return new RfsClient({
        region: place.region ?? '',
        projectId: place.project,
        env: where.env,
        ...common,
      }) as unknown as FleetClient;
    }
    case 'aws-parallelcluster': {
      const { ParallelClusterClient } = await import('@stackfeed/aws-parallelcluster');
      const credentials = awsCredentials({ env: where.env, profile: place.profile, cwd: where.cwd });
      return new ParallelClusterClient({
        mode: 'direct',
        ...(place.region ? { region: place.region } : {}),
        ...(credentials ? { credentials } : {}),
        ...common,
      }) as unknown as FleetClient;
    }
    case 'aws-imagebuilder': {
      const { ImageBuilderClient } = await import('@stackfeed/aws-imagebuilder');
      const credentials = awsCredentials({ env: where.env, profile: place.profile, cwd: where.cwd });
      return new ImageBuilderClient({
        ...(place.region ? { region: place.region } : {}),
        ...(credentials ? { credentials } : {}),
        ...common,
      }) as unknown as FleetClient;
    }
  }
}

/**
 * An async iterable over what `open()` resolves to, with its `result` (a watch's) passed through:
 * the client is built (and its adapter loaded) when the fleet starts reading.
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
