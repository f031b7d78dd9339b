/**
 * Real clouds: the targets come from a JSON file, the credentials from each ecosystem's standard
 * places (AWS default chain, HUAWEICLOUD_SDK_*, clouds.yaml / OS_*).
 *
 * ```json
 * {
 *   "pollIntervalMs": 5000,
 *   "targets": [
 *     { "provider": "openstack-heat", "target": "web", "cloud": "mycloud" },
 *     { "provider": "huawei-rfs", "target": "shop-db", "region": "cn-north-4" },
 *     { "provider": "aws-parallelcluster", "target": "my-image", "region": "eu-west-1" },
 *     { "provider": "aws-imagebuilder", "target": "lce-0123456789abcdef0", "region": "eu-west-1" }
 *   ],
 *   "images": [{ "provider": "aws-parallelcluster", "region": "eu-west-1" }]
 * }
 * ```
 */
import { readFile } from 'node:fs/promises';
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { type ProviderId, StackfeedError } from '@stackfeed/core';
import { RfsClient } from '@stackfeed/huawei-rfs';
import { HeatClient } from '@stackfeed/openstack-heat';
import type { DashboardSources, ImageFeed, WatchedTarget } from './sources.js';

/** One entry of the config file: a provider, its settings, and (for targets) what to watch. */
interface Entry {
  provider: ProviderId;
  target?: string;
  region?: string;
  endpoint?: string;
  /** clouds.yaml entry (Heat). */
  cloud?: string;
  /** ParallelCluster API invoke URL (API mode); direct mode without it. */
  apiUrl?: string;
}

interface Config {
  pollIntervalMs?: number;
  targets: Entry[];
  images?: Entry[];
}

function configError(message: string): StackfeedError {
  return new StackfeedError({ code: 'CONFIG', message: `dashboard config: ${message}` });
}

type Client = HeatClient | RfsClient | ParallelClusterClient | ImageBuilderClient;

function client(e: Entry): Client {
  switch (e.provider) {
    case 'openstack-heat':
      return HeatClient.fromConfig({ cloud: e.cloud }, { ...(e.endpoint ? { endpoint: e.endpoint } : {}) });
    case 'huawei-rfs': {
      const region = e.region ?? process.env.HUAWEICLOUD_SDK_REGION;
      if (!region) throw configError('huawei-rfs needs "region" (or HUAWEICLOUD_SDK_REGION)');
      return new RfsClient({ region, ...(e.endpoint ? { endpoint: e.endpoint } : {}) });
    }
    case 'aws-parallelcluster':
      return e.apiUrl
        ? new ParallelClusterClient({
            apiUrl: e.apiUrl,
            ...(e.region ? { region: e.region, signingRegion: e.region } : {}),
          })
        : new ParallelClusterClient({ mode: 'direct', ...(e.region ? { region: e.region } : {}) });
    case 'aws-imagebuilder':
      return new ImageBuilderClient({
        ...(e.region ? { region: e.region } : {}),
        ...(e.endpoint ? { endpoint: e.endpoint } : {}),
      });
    default:
      throw configError(`unknown provider ${JSON.stringify((e as Entry).provider)}`);
  }
}

/** Reads the config file and builds SDK clients. */
export async function configuredSources(file: string): Promise<DashboardSources> {
  let config: Config;
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as Config;
  } catch (err) {
    throw configError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(config.targets)) throw configError('"targets" must be an array');
  const pollIntervalMs = config.pollIntervalMs ?? 5000;
  const targets: WatchedTarget[] = config.targets.map((e) => {
    if (!e.target) throw configError(`a ${e.provider} target needs "target"`);
    const c = client(e);
    const target = e.target;
    return {
      provider: e.provider,
      target,
      watch: (signal) =>
        c instanceof ParallelClusterClient
          ? c.watchStackEvents(target.startsWith('cluster/') ? { clusterName: target.slice(8) } : { imageId: target }, {
              signal,
              pollIntervalMs,
            })
          : c.watchStackEvents(target, { signal, pollIntervalMs }),
    };
  });
  const images: ImageFeed[] = (config.images ?? []).map((e) => {
    const c = client(e);
    if (!(c instanceof ParallelClusterClient || c instanceof ImageBuilderClient)) {
      throw configError(`${e.provider} has no images`);
    }
    return { provider: e.provider, list: (signal) => c.listImages({ signal }) };
  });
  return { targets, images, pollIntervalMs, close: async () => {} };
}
