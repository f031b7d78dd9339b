/**
 * Real clouds: the targets come from a JSON file, the credentials from each ecosystem's standard
 * places (AWS default chain, HUAWEICLOUD_SDK_*, clouds.yaml / OS_*). A Heat entry with only
 * `endpoint` (no clouds.yaml, no OS_*) talks to a noauth Heat, as the CLI's `--endpoint` does.
 * An entry that cannot be built (missing credentials, no region) marks its card failed; the
 * others run. Only an unreadable file or a malformed list stops the server.
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

const PROVIDERS: readonly string[] = ['openstack-heat', 'huawei-rfs', 'aws-parallelcluster', 'aws-imagebuilder'];

type Client = HeatClient | RfsClient | ParallelClusterClient | ImageBuilderClient;

/** Where credentials are read from: the process's environment and openstacksdk's search path by default. */
export interface ConfigContext {
  env?: Readonly<Record<string, string | undefined>>;
  /** clouds.yaml directories (Heat); tests point this at an empty directory. */
  searchDirs?: readonly string[];
}

function client(e: Entry, ctx: ConfigContext): Client {
  const env = ctx.env ?? process.env;
  switch (e.provider) {
    case 'openstack-heat': {
      const overrides = e.endpoint ? { endpoint: e.endpoint } : {};
      try {
        return HeatClient.fromConfig(
          { cloud: e.cloud, env, ...(ctx.searchDirs ? { searchDirs: ctx.searchDirs } : {}) },
          overrides,
        );
      } catch (err) {
        // The CLI's rule: no OpenStack configuration at all + an endpoint = a noauth Heat.
        const noConfig =
          StackfeedError.is(err) && err.code === 'CONFIG' && /no OpenStack configuration/.test(err.message);
        if (noConfig && e.endpoint && !e.cloud) return new HeatClient({ auth: { type: 'none' }, endpoint: e.endpoint });
        throw err;
      }
    }
    case 'huawei-rfs': {
      const region = e.region ?? env.HUAWEICLOUD_SDK_REGION;
      if (!region) throw configError('huawei-rfs needs "region" (or HUAWEICLOUD_SDK_REGION)');
      return new RfsClient({ region, env, ...(e.endpoint ? { endpoint: e.endpoint } : {}) });
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
export async function configuredSources(file: string, ctx: ConfigContext = {}): Promise<DashboardSources> {
  let config: Config;
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as Config;
  } catch (err) {
    throw configError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(config.targets)) throw configError('"targets" must be an array');
  const pollIntervalMs = config.pollIntervalMs ?? 5000;
  const targets: WatchedTarget[] = config.targets.map((e) => {
    // A file that names no known provider or no target is a typo to fix, not a card to show.
    if (!PROVIDERS.includes(e.provider)) throw configError(`unknown provider ${JSON.stringify(e.provider)}`);
    if (!e.target) throw configError(`a ${e.provider} target needs "target"`);
    const target = e.target;
    let c: Client;
    try {
      c = client(e, ctx);
    } catch (err) {
      // Reported on this target's card when the server starts watching.
      return {
        provider: e.provider,
        target,
        watch: () => {
          throw err;
        },
      };
    }
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
    if (e.provider !== 'aws-parallelcluster' && e.provider !== 'aws-imagebuilder') {
      throw configError(`${e.provider} has no images`);
    }
    let c: Client;
    try {
      c = client(e, ctx);
    } catch (err) {
      return {
        provider: e.provider,
        // biome-ignore lint/correctness/useYield: fails on first use, like a client that cannot connect
        list: async function* () {
          throw err;
        },
      };
    }
    const lister = c as ParallelClusterClient | ImageBuilderClient;
    return { provider: e.provider, list: (signal) => lister.listImages({ signal }) };
  });
  return { targets, images, pollIntervalMs, close: async () => {} };
}
