/** Images: one build (GetImage), image versions (ListImages), builds of a version (ListImageBuildVersions). */
import type { Ownership } from '@aws-sdk/client-imagebuilder';
import type { ImageInfo, ListOptions, Paginator } from '@stackfeed/core';
import { createPaginator } from '@stackfeed/core/adapter';
import { type ImageBuilderApi, PAGE_SIZE, PROVIDER, requireArg } from './api.js';
import { imageInfo, imageVersionInfo } from './mapping/records.js';

/** Filters of `ImageBuilderClient.listImages`. */
export interface ListImagesOptions extends ListOptions {
  /** `Self` (default), `Shared`, `Amazon`, `ThirdParty`, `AWSMarketplace`. */
  owner?: 'Self' | 'Shared' | 'Amazon' | 'ThirdParty' | 'AWSMarketplace' | (string & {});
  /** Server-side filters on `name`, `osVersion`, `platform`, `type`, `version` (1..10, each 1..10 values). */
  filters?: Array<{ name: 'name' | 'osVersion' | 'platform' | 'type' | 'version' | (string & {}); values: string[] }>;
  includeDeprecated?: boolean;
  byName?: boolean;
}

/** Filters of `ImageBuilderClient.listImageBuildVersions`. */
export interface ListImageBuildVersionsOptions extends ListOptions {
  filters?: ListImagesOptions['filters'];
}

/** GetImage (build version ARN, or a version ARN with `x` wildcards) → ImageInfo. */
export async function getImage(api: ImageBuilderApi, arn: string, signal: AbortSignal | undefined): Promise<ImageInfo> {
  const op = 'getImage';
  requireArg(arn, 'imageBuildVersionArn', op);
  const { wire, raw } = await api.send('GetImage', { imageBuildVersionArn: arn }, op, signal);
  const extra = wire.latestVersionReferences ? { latestVersionReferences: wire.latestVersionReferences } : undefined;
  return imageInfo(wire.image, raw.image, extra);
}

/** ListImages → ImageInfo per image version. */
export function listImages(api: ImageBuilderApi, options: ListImagesOptions): Paginator<ImageInfo> {
  const op = 'listImages';
  const { owner, filters, includeDeprecated, byName } = options;
  return createPaginator<ImageInfo, string>({
    provider: PROVIDER,
    operation: op,
    scope: { owner: owner ?? null, filters: filters ?? null, includeDeprecated: includeDeprecated ?? null, byName },
    pageSizeLimits: PAGE_SIZE,
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
      return {
        items: (wire.imageVersionList ?? []).map((v, i) => imageVersionInfo(v, rawItems[i])),
        next: wire.nextToken || undefined,
        raw,
      };
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
  return createPaginator<ImageInfo, string>({
    provider: PROVIDER,
    operation: op,
    scope: { imageVersionArn: imageVersionArn ?? null, filters: filters ?? null },
    pageSizeLimits: PAGE_SIZE,
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
