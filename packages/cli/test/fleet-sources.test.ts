/**
 * fleetSources(), the one way `stackfeed fleet`, `worker` and `dashboard --config` turn a place into
 * a client: the place's provider file is loaded when the place is first read, its `fleetClient`
 * gets the place and the fleet's budget, and one client serves a place's discovery and follows.
 */
import type { DiscoveredTarget, RateLimiter, StackEvent, WatchStream } from '@stackfeed/core';
import type { FleetContext, FleetTarget, Place } from '@stackfeed/fleet';
import { describe, expect, it } from 'vitest';
import { fleetSources } from '../src/commands/fleet-sources.js';
import type { ProviderEntry } from '../src/providers/registry.js';
import type { FleetPlaceContext, FleetSourceClient, ProviderPlugin } from '../src/providers/types.js';

const place = (over: Partial<Place>): Place => ({
  key: 'huawei-rfs:project=p-1:region=cn-north-4',
  provider: 'huawei-rfs',
  project: 'p-1',
  region: 'cn-north-4',
  kinds: ['stack'],
  filters: { name: 'shop-*' },
  budget: { key: 'huawei-rfs:p-1:cn-north-4', limit: 10 },
  ...over,
});

const found: DiscoveredTarget<unknown> = {
  provider: 'huawei-rfs',
  kind: 'stack',
  id: 's-1',
  name: 'shop-db',
  ref: { name: 'shop-db', id: 's-1' },
} as DiscoveredTarget<unknown>;

/** A provider entry whose loads, fleetClient calls and client calls are recorded. */
function recorded(withFleetClient = true) {
  const log = { loads: 0, built: [] as FleetPlaceContext[], discovered: [] as unknown[], followed: [] as unknown[][] };
  const client: FleetSourceClient = {
    async *discover(options) {
      log.discovered.push(options);
      yield found;
    },
    watchStackEvents(ref, options) {
      log.followed.push([ref, options]);
      return (async function* () {})() as unknown as WatchStream<StackEvent, unknown>;
    },
  };
  const plugin = {
    id: 'huawei-rfs',
    aliases: [],
    title: 'RFS',
    target: '',
    credentials: '',
    connect: () => ({}),
    ...(withFleetClient
      ? {
          fleetClient: (ctx: FleetPlaceContext) => {
            log.built.push(ctx);
            return client;
          },
        }
      : {}),
  } as ProviderPlugin;
  const entry: ProviderEntry = {
    id: 'huawei-rfs',
    aliases: [],
    title: 'RFS',
    load: async () => {
      log.loads++;
      return plugin;
    },
  };
  return { log, entry };
}

const rateLimit = {} as RateLimiter;
const fleetCtx: FleetContext = { rateLimit, logger: () => {}, pollIntervalMs: 250 };
const drain = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('fleetSources', () => {
  it('loads the provider when a place is first read; one fleetClient per place, given the place and its budget', async () => {
    const { log, entry } = recorded();
    const p = place({});
    const seen: string[] = [];
    const sources = fleetSources(
      { env: { A: '1' }, cwd: '/w', providers: [entry], onFound: (pl, t) => seen.push(`${pl.key} ${t.name}`) },
      [p],
    );
    const listing = sources.discover(p, new AbortController().signal, fleetCtx);
    expect(log.loads).toBe(0);
    expect(await drain(listing)).toEqual([found]);
    expect(seen).toEqual([`${p.key} shop-db`]);
    expect(log.discovered).toMatchObject([{ kinds: ['stack'], name: 'shop-*' }]);
    const target = { key: 't', place: p.key, discovered: found } as FleetTarget;
    const lowWater = new Date('2026-01-01T00:00:00Z');
    await drain(sources.follow(target, { lowWater } as never, new AbortController().signal, fleetCtx));
    expect(log.followed).toEqual([[found.ref, expect.objectContaining({ since: lowWater, pollIntervalMs: 250 })]]);
    expect(log.loads).toBe(1);
    expect(log.built).toHaveLength(1);
    expect(log.built[0]).toMatchObject({ env: { A: '1' }, cwd: '/w', project: 'p-1', region: 'cn-north-4' });
    expect(log.built[0]?.rateLimit).toBe(rateLimit);
    expect(log.built[0]).not.toHaveProperty('profile');
  });

  it('a provider without fleetClient fails the read with CONFIG, and is tried again at the next read', async () => {
    const { log, entry } = recorded(false);
    const p = place({});
    const sources = fleetSources({ env: {}, cwd: '/w', providers: [entry] }, [p]);
    for (let i = 0; i < 2; i++) {
      await expect(drain(sources.discover(p, new AbortController().signal, fleetCtx))).rejects.toMatchObject({
        code: 'CONFIG',
        message: expect.stringMatching(/huawei-rfs cannot be followed by the fleet/),
      });
    }
    expect(log.loads).toBe(2);
  });
});
