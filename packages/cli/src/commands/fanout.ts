import type { Gathered } from '@stackfeed/core';
import type { Ctx, PlaceOverrides } from '../context.js';
import { debugDetail, EXIT, formatError, UsageError } from '../errors.js';
import type { ProviderPlugin } from '../providers/types.js';

/** One region or cloud of a listing over several (`--all-regions`, `--region a,b`, `--cloud a,b`). */
export interface Place {
  /** The column and record field it fills. */
  key: 'region' | 'cloud';
  name: string;
  /** Huawei: the region's project id. */
  projectId?: string | undefined;
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/**
 * The places a listing fans out over, in the order they are printed, or undefined for a listing
 * of one place (no list, one region, one cloud): that one prints as it always did.
 */
export async function placesOf(
  ctx: Ctx,
  plugin: ProviderPlugin,
  allRegions: boolean | undefined,
  command: string,
): Promise<Place[] | undefined> {
  const regions = list(ctx.globals.region);
  const clouds = list(ctx.globals.cloud);
  const usage = (m: string) => new UsageError(m, command);
  if ([allRegions, regions.length > 1, clouds.length > 1].filter(Boolean).length > 1)
    throw usage('--all-regions, a list of regions or a list of clouds: one of them');
  if (clouds.length > 1 && plugin.id !== 'openstack-heat') throw usage('a list of clouds is for heat');
  if (allRegions) {
    if (!plugin.listRegions) throw usage(`--all-regions: ${plugin.title} has no region list`);
    ctx.credentialHint = plugin.credentials;
    const found = await plugin.listRegions(ctx.providerContext(plugin, command), ctx.signal);
    return found.map((r) => ({ key: 'region', name: r.region, projectId: r.projectId }));
  }
  if (regions.length > 1) return regions.map((name) => ({ key: 'region', name }));
  if (clouds.length > 1) return clouds.map((name) => ({ key: 'cloud', name }));
  return undefined;
}

/** What a place sets over the command line: its region (and Huawei project) or its cloud. */
export function placeOverrides(ctx: Ctx, place: Place): PlaceOverrides {
  if (place.key === 'cloud') return { cloud: place.name };
  const named = list(ctx.globals.region);
  // The ParallelCluster API runs in one region (the one named alone, else AWS_REGION) and acts on each.
  const homeRegion =
    (named.length === 1 ? named[0] : undefined) ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION ?? named[0];
  return { region: place.name, homeRegion, project: place.projectId };
}

/** A record with the place it came from, right after its provider (`region` replaces an image's own). */
export function placedRecord(record: unknown, place: Place): unknown {
  const { type, v, provider, ...rest } = record as Record<string, unknown>;
  delete rest[place.key];
  return { type, v, provider, [place.key]: place.name, ...rest };
}

/**
 * Says on stderr which places failed (name, then the typed error's line; its detail under
 * --debug) and returns the exit code: OK, PARTIAL_FAILURE when some failed, CALL_FAILED when all
 * did. On Ctrl-C it throws the abort (exit 130), before anything is printed.
 */
export function reportPlaces(ctx: Ctx, results: readonly Gathered<Place, unknown>[], hint?: string): number {
  const failed = results.filter((r) => r.error !== undefined);
  if (ctx.signal.aborted && failed[0]) throw failed[0].error;
  for (const { source, error } of failed) {
    ctx.err.write(`${formatError(error, hint).replace(/^stackfeed: /, `stackfeed: ${source.key} ${source.name}: `)}\n`);
    if (ctx.debug) ctx.err.write(`${debugDetail(error)}\n`);
  }
  if (failed.length === 0) return EXIT.OK;
  return failed.length === results.length ? EXIT.CALL_FAILED : EXIT.PARTIAL_FAILURE;
}
