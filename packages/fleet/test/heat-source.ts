import { type HeatAuth, HeatClient } from '@stackfeed/openstack-heat';
import type { DiscoverFn, FollowFn, Place } from '../src/index.js';

/**
 * Discovery and follow for Heat places through the real HeatClient (its discover and
 * watchStackEvents), each client drawing on the fleet's shared budget. `endpoints`: cloud name →
 * orchestration endpoint of an emulator (one emulator per cloud: one account each).
 */
export function heatSource(
  endpoints: Record<string, string>,
  places: readonly Place[],
  /** Keystone auth per cloud (default: a noauth Heat). */
  auth: Record<string, HeatAuth> = {},
): { discover: DiscoverFn; follow: FollowFn } {
  const client = (cloud: string | undefined, ctx: Parameters<FollowFn>[3]) => {
    const endpoint = cloud ? endpoints[cloud] : undefined;
    if (!endpoint) throw new Error(`no emulator for cloud ${cloud}`);
    return new HeatClient({
      auth: (cloud ? auth[cloud] : undefined) ?? { type: 'none' },
      endpoint,
      rateLimit: ctx.rateLimit,
      logger: ctx.logger,
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
    });
  };
  return {
    // The adapter's own discover(): the project's stacks, in-progress ones first, with the filters.
    discover: (place, signal, ctx) =>
      client(place.cloud, ctx).discover({
        kinds: place.kinds,
        ...(place.filters.name ? { name: place.filters.name } : {}),
        ...(place.filters.tags ? { tags: place.filters.tags } : {}),
        ...(place.filters.activeOnly ? { activeOnly: true } : {}),
        signal,
      }),
    follow: (target, checkpoint, signal, ctx) => {
      const place = places.find((p) => p.key === target.place);
      return client(place?.cloud, ctx).watchStackEvents(target.discovered.ref as { name: string; id?: string }, {
        since: checkpoint?.lowWater,
        pollIntervalMs: ctx.pollIntervalMs,
        signal,
      });
    },
  };
}

/** The places of the proof: one Heat cloud per emulator (or peer), each its own account and budget. */
export function heatPlaces(
  clouds: readonly string[],
  budget: { limit: number; intervalMs: number },
  /** A stack name glob (a shared real peer holds other runs' stacks too). */
  name?: string,
): Place[] {
  return clouds.map((cloud) => ({
    key: `openstack-heat:cloud=${cloud}`,
    provider: 'openstack-heat',
    cloud,
    kinds: ['stack'],
    filters: name ? { name } : {},
    budget: { key: `openstack-heat:${cloud}:-`, ...budget },
  }));
}

/**
 * Discovery and follow for Heat places as a user configures them: each place's `cloud` is looked
 * up in the clouds.yaml of `dir` (`HeatClient.fromConfig`), so a cloud the file does not name
 * fails with CONFIG when its place is discovered or its target followed.
 */
export function cloudsYamlSource(dir: string, places: readonly Place[]): { discover: DiscoverFn; follow: FollowFn } {
  const client = (cloud: string | undefined, ctx: Parameters<FollowFn>[3]) =>
    HeatClient.fromConfig(
      { cloud, searchDirs: [dir], env: {} },
      { rateLimit: ctx.rateLimit, logger: ctx.logger, retry: { baseDelayMs: 5, maxDelayMs: 50 } },
    );
  return {
    discover: (place, signal, ctx) => client(place.cloud, ctx).discover({ kinds: place.kinds, signal }),
    follow: (target, checkpoint, signal, ctx) =>
      client(places.find((p) => p.key === target.place)?.cloud, ctx).watchStackEvents(
        target.discovered.ref as { name: string; id?: string },
        { since: checkpoint?.lowWater, pollIntervalMs: ctx.pollIntervalMs, signal },
      ),
  };
}
