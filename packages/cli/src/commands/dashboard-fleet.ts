import type { DiscoveredTarget, TargetKind } from '@stackfeed/core';
import type { ItemKind, TargetBoard } from '@stackfeed/dashboard';
import type { FleetConfig, Place, WorkerEvent } from '@stackfeed/fleet';
import type { Store } from '@stackfeed/store';
import type { Ctx } from '../context.js';
import { UsageError } from '../errors.js';
import { fleetSources } from './fleet-sources.js';

/** The inventory kind a fleet target shows as. */
const ITEM_KIND: Record<TargetKind, ItemKind> = {
  stack: 'stack',
  cluster: 'stack',
  image: 'image',
  'image-build': 'image',
  'lifecycle-execution': 'execution',
};

/** A place as the inventory labels it: its account (profile, cloud or project) and region. */
export function placeLabel(place: Place): string {
  return [place.profile ?? place.cloud ?? place.project, place.region].filter(Boolean).join('/');
}

/**
 * Reads and validates the fleet config. An invalid file is a usage error (exit 2) whose message
 * lists every issue as file:line:col, from the fleet's validator.
 */
export async function readFleetConfig(file: string): Promise<FleetConfig> {
  const { loadFleetConfig } = await import('@stackfeed/fleet');
  try {
    return await loadFleetConfig(file);
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    if (e.code === 'CONFIG' && typeof e.message === 'string') throw new UsageError(e.message, 'dashboard');
    throw err;
  }
}

/**
 * The board's cards of a fleet: one per target as it is discovered (the store has no records of
 * it yet), one per place whose discovery fails; each shows its error and clears when it works.
 */
function fleetCards(
  board: TargetBoard,
  config: FleetConfig,
  targetKey: (place: string, t: DiscoveredTarget<unknown>) => string,
) {
  const places = new Map(config.places.map((p) => [p.key, p]));
  /** Board key of each place (its discovery's card) and of each target (fleet key → board key). */
  const placeCards = new Map<string, string>();
  const targetCards = new Map<string, string>();
  const placeCard = (place: Place) => {
    let key = placeCards.get(place.key);
    if (!key) {
      const kind = ITEM_KIND[place.kinds[0] ?? 'stack'];
      key = board.add({
        provider: place.provider,
        kind,
        id: place.key,
        name: placeLabel(place),
        place: placeLabel(place),
      });
      placeCards.set(place.key, key);
    }
    return key;
  };
  const onFound = (place: Place, t: DiscoveredTarget<unknown>) => {
    const key = targetKey(place.key, t);
    if (targetCards.has(key)) return;
    targetCards.set(
      key,
      board.add({
        provider: t.provider,
        kind: ITEM_KIND[t.kind],
        ...(t.id ? { id: t.id } : {}),
        name: t.name,
        place: placeLabel(place),
      }),
    );
  };
  const onEvent = (e: WorkerEvent) => {
    if (e.type === 'discovered') {
      const place = places.get(e.place);
      // A place that works has no card of its own once it holds targets.
      if (place && placeCards.has(place.key)) board.ok(placeCard(place));
    } else if (e.type === 'discovery-failed') {
      const place = places.get(e.place);
      if (place) board.fail(placeCard(place), { code: e.code, message: e.message }, e.lastSeen);
    } else if (e.type === 'failed') {
      const key = targetCards.get(e.key);
      if (key) board.fail(key, { code: e.code, message: e.message }, e.lastSeen);
    } else if (e.type === 'done' || e.type === 'released') {
      // claimed: a new follow starts; its failure, if any, comes as `failed`.
      const key = targetCards.get(e.key);
      if (key) board.ok(key);
    }
  };
  return { onFound, onEvent };
}

/**
 * Runs one fleet worker in the dashboard process over the places of `config`: discovery of each
 * place, the follow of each target found into `store`, with the clients `stackfeed fleet` uses
 * (each provider file's `fleetClient`, see fleet-sources.ts). Every place and target is a card on
 * `board`; a place whose discovery fails (unknown cloud, missing credentials, unreachable
 * endpoint) or a target whose follow fails shows the error (code, message) while the rest goes on.
 * Returns the stop function.
 */
export async function runFleet(
  ctx: Ctx,
  store: Store,
  board: TargetBoard,
  config: FleetConfig,
): Promise<() => Promise<void>> {
  const { FleetWorker, openFleet, targetKey } = await import('@stackfeed/fleet');
  const fleet = await openFleet(store, { leaseTtlMs: config.settings.leaseTtlMs });
  const { onFound, onEvent } = fleetCards(board, config, targetKey);
  const sources = fleetSources(
    {
      env: ctx.env,
      cwd: ctx.io.cwd ?? process.cwd(),
      providers: ctx.providers,
      debugLogger: ctx.debug ? ctx.logger : undefined,
      onFound,
    },
    config.places,
  );
  const worker = new FleetWorker(fleet, {
    places: config.places,
    ...sources,
    leaseTtlMs: config.settings.leaseTtlMs,
    discoverEveryMs: config.settings.discoverEveryMs,
    pollIntervalMs: config.settings.pollIntervalMs,
    onEvent,
  });
  await worker.start();
  return () => worker.stop();
}
