/** Images: one build (GetImage), image versions (ListImages), builds of a version (ListImageBuildVersions). */
import type { Ownership } from '@aws-sdk/client-imagebuilder';
import type { ImageInfo, ListOptions, Paginator } from '@stackfeed/core';
import { drainPages } from '@stackfeed/core/adapter';
import { type ImageBuilderApi, PAGE_SIZE, requireArg, tokenList } from './api.js';
import { imageInfo, imageVersionInfo } from './mapping/records.js';
import type { WireImage, WireImageVersion } from './wire/schemas.js';

/** Build pages read per image version (or per batch of names) for the newest builds (25 builds a page). */
const MAX_BUILD_PAGES = 20;
/** ListImageBuildVersions takes at most 10 values per filter. */
const NAMES_PER_BATCH = 10;

/**
 * Filters of `ImageBuilderClient.listImages` (named for Image Builder: ParallelCluster's
 * `ListImagesOptions` is another type).
 */
export interface ImageBuilderListImagesOptions extends ListOptions {
  /** `Self` (default), `Shared`, `Amazon`, `ThirdParty`, `AWSMarketplace`. */
  owner?: 'Self' | 'Shared' | 'Amazon' | 'ThirdParty' | 'AWSMarketplace' | (string & {});
  /** Server-side filters on `name`, `osVersion`, `platform`, `type`, `version` (1..10, each 1..10 values). */
  filters?: Array<{ name: 'name' | 'osVersion' | 'platform' | 'type' | 'version' | (string & {}); values: string[] }>;
  /** Also list versions whose every build is DEPRECATED (sent to the service). */
  includeDeprecated?: boolean;
  /** The service's `byName`: list by image name rather than by version (sent as is). */
  byName?: boolean;
  /**
   * ImageVersion carries no state. With `withBuildState` (default true) the versions' builds are
   * read and the newest build gives its state, status, reason and artifacts
   * (`details.latestBuildArn`): for your own images (`owner` `Self`, the default) one
   * ListImageBuildVersions per 10 image names of a page (its `name` filter), for other owners and
   * any version that listing missed one per version. `false`: one call per page, state `UNKNOWN`
   * and status `''` (`details.stateReported: false`).
   */
  withBuildState?: boolean;
}

/** Filters of `ImageBuilderClient.listImageBuildVersions`. */
export interface ListImageBuildVersionsOptions extends ListOptions {
  /** Server-side filters, as for listImages (`name`, `osVersion`, `platform`, `type`, `version`). */
  filters?: ImageBuilderListImagesOptions['filters'];
}

/** GetImage (build version ARN, or a version ARN with `x` wildcards) → ImageInfo. */
export async function getImage(api: ImageBuilderApi, arn: string, signal: AbortSignal | undefined): Promise<ImageInfo> {
  const op = 'getImage';
  requireArg(arn, 'imageBuildVersionArn', op);
  const { wire, raw } = await api.send('GetImage', { imageBuildVersionArn: arn }, op, signal);
  const extra = wire.latestVersionReferences ? { latestVersionReferences: wire.latestVersionReferences } : undefined;
  // The model makes `arn` optional: the build asked for is the one answered.
  return imageInfo(wire.image.arn ? wire.image : { ...wire.image, arn }, raw.image, extra);
}

/** ListImages → ImageInfo per image version. */
export function listImages(api: ImageBuilderApi, options: ImageBuilderListImagesOptions): Paginator<ImageInfo> {
  const op = 'listImages';
  const { owner, filters, includeDeprecated, byName } = options;
  const withBuildState = options.withBuildState !== false;
  return tokenList<ImageInfo>(api, {
    operation: op,
    scope: { owner: owner ?? null, filters: filters ?? null, includeDeprecated: includeDeprecated ?? null, byName },
    options,
    fetchPage: async (cursor, pageSize, signal) => {
      const input = {
        owner: owner as Ownership | undefined,
        filters,
        includeDeprecated,
        byName,
        maxResults: pageSize,
        nextToken: cursor,
      };
      const { wire, raw } = await api.send('ListImages', input, op, signal);
      const rawItems = raw.imageVersionList ?? [];
      const versions = wire.imageVersionList ?? [];
      const latest = withBuildState ? await newestBuilds(api, versions, owner, op, signal) : undefined;
      const items: ImageInfo[] = [];
      for (let i = 0; i < versions.length; i++) {
        const v = versions[i] as (typeof versions)[number];
        items.push(imageVersionInfo(v, rawItems[i], v.arn ? latest?.get(v.arn) : undefined));
      }
      return { items, next: wire.nextToken || undefined, raw };
    },
  });
}

/** ListImageBuildVersions (of one image version ARN `…/x.y.z`, or all) → ImageInfo per build. */
export function listImageBuildVersions(
  api: ImageBuilderApi,
  imageVersionArn: string | undefined,
  options: ListImageBuildVersionsOptions,
): Paginator<ImageInfo> {
  const op = 'listImageBuildVersions';
  const { filters } = options;
  return tokenList<ImageInfo>(api, {
    operation: op,
    scope: { imageVersionArn: imageVersionArn ?? null, filters: filters ?? null },
    options,
    fetchPage: async (cursor, pageSize, signal) => {
      const input = { imageVersionArn, filters, maxResults: pageSize, nextToken: cursor };
      const { wire, raw } = await api.send('ListImageBuildVersions', input, op, signal);
      const rawItems = raw.imageSummaryList ?? [];
      return {
        items: (wire.imageSummaryList ?? []).map((s, i) => imageInfo(s, rawItems[i])),
        next: wire.nextToken || undefined,
        raw,
      };
    },
  });
}

/** The version ARN of a build ARN (`…/<x.y.z>/<n>` → `…/<x.y.z>`). */
const versionOfBuild = (arn: string | undefined) => arn?.replace(/\/\d+$/, '');

/**
 * The newest build of each version of one ListImages page, by version ARN. Your own images
 * (owner `Self`): the builds of up to 10 names at a time (ListImageBuildVersions with a `name`
 * filter, every version of those names) instead of one listing per version. A batch that did not
 * reach its end (page cap, repeated token, empty pages) is not trusted; every version left without a build (another owner, a cut batch, one the
 * batch did not return) is asked by its own ARN, as before.
 */
async function newestBuilds(
  api: ImageBuilderApi,
  versions: readonly WireImageVersion[],
  owner: string | undefined,
  operation: string,
  signal: AbortSignal | undefined,
): Promise<Map<string, WireImage>> {
  const best = new Map<string, WireImage>();
  const keep = (b: WireImage) => {
    const v = versionOfBuild(b.arn);
    if (!v) return;
    const cur = best.get(v);
    if (!cur || newer(b, cur)) best.set(v, b);
  };
  const wanted = versions.filter((v) => v.arn);
  if (owner === undefined || owner === 'Self') {
    const names = [...new Set(wanted.map((v) => v.name).filter((n): n is string => !!n))];
    for (let i = 0; i < names.length; i += NAMES_PER_BATCH) {
      const filters = [{ name: 'name', values: names.slice(i, i + NAMES_PER_BATCH) }];
      const batch = await drainPages<WireImage, string>(
        async (cursor) => {
          const input = { filters, maxResults: PAGE_SIZE.max, nextToken: cursor };
          const { wire } = await api.send('ListImageBuildVersions', input, operation, signal);
          return { items: wire.imageSummaryList ?? [], next: wire.nextToken || undefined };
        },
        { maxPages: MAX_BUILD_PAGES, signal },
      );
      if (batch.stoppedBy === 'end') for (const b of batch.items) keep(b);
    }
  }
  for (const v of wanted) {
    const arn = v.arn as string;
    if (best.has(arn)) continue;
    const b = await newestBuild(api, arn, operation, signal);
    if (b) best.set(arn, b);
  }
  return best;
}

/** The newest build of an image version (by creation time, then by build number), if it has any. */
async function newestBuild(
  api: ImageBuilderApi,
  imageVersionArn: string,
  operation: string,
  signal: AbortSignal | undefined,
): Promise<WireImage | undefined> {
  const builds = await drainPages<WireImage, string>(
    async (cursor) => {
      const input = { imageVersionArn, maxResults: PAGE_SIZE.max, nextToken: cursor };
      const { wire } = await api.send('ListImageBuildVersions', input, operation, signal);
      return { items: wire.imageSummaryList ?? [], next: wire.nextToken || undefined };
    },
    { maxPages: MAX_BUILD_PAGES, signal },
  );
  let best: WireImage | undefined;
  for (const b of builds.items) if (!best || newer(b, best)) best = b;
  return best;
}

const buildNumber = (b: WireImage) => Number(/\/(\d+)$/.exec(b.arn ?? '')?.[1] ?? -1);
const newer = (a: WireImage, b: WireImage) => {
  const ta = a.dateCreated?.getTime() ?? -1;
  const tb = b.dateCreated?.getTime() ?? -1;
  return ta !== tb ? ta > tb : buildNumber(a) > buildNumber(b);
};
