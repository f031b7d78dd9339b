import { StackfeedError } from '../errors/stackfeed-error.js';
import type { AccountRegion } from '../models/discovery.js';
import type { ProviderId } from '../models/enums.js';
import type { SdkSender } from './call.js';
import type { PreparableSdkClient, SdkCredentialProvider, SdkCredentials } from './client-config.js';
import { createSdkKit, pickSdkAdapterOptions, type SdkAdapterOptions } from './sdk-kit.js';

/** The part of EC2's `DescribeRegions` output that says which regions an account has. */
export interface DescribeRegionsOutputLike {
  Regions?: ReadonlyArray<{ RegionName?: string | undefined; OptInStatus?: string | undefined }> | undefined;
}

/**
 * EC2 `DescribeRegions` → the regions the account may use (a `not-opted-in` one is left out:
 * every call there is refused), by name. A region without a name is INVALID_RESPONSE.
 */
export function enabledAwsRegions(provider: ProviderId, output: DescribeRegionsOutputLike): AccountRegion[] {
  const out: AccountRegion[] = [];
  for (const [i, r] of (output.Regions ?? []).entries()) {
    if (typeof r?.RegionName !== 'string' || r.RegionName === '') {
      throw new StackfeedError({
        code: 'INVALID_RESPONSE',
        provider,
        operation: 'listAwsRegions',
        fieldPath: `Regions[${i}].RegionName`,
        message: `DescribeRegions: region ${i} has no RegionName`,
      });
    }
    if (r.OptInStatus === 'not-opted-in') continue;
    out.push({ provider, region: r.RegionName, ...(r.OptInStatus ? { status: r.OptInStatus } : {}) });
  }
  return out.sort((a, b) => a.region.localeCompare(b.region));
}

/** Options of the AWS adapters' `listAwsRegions`: where to ask (the SDK's chain by default) and how. */
export interface ListAwsRegionsOptions extends SdkAdapterOptions {
  /** Static credentials or a provider (default: the AWS default credential chain). */
  credentials?: SdkCredentials | SdkCredentialProvider | undefined;
  signal?: AbortSignal | undefined;
  /** The provider its errors name (default: the adapter's; e.g. a caller listing regions for Image Builder). */
  provider?: ProviderId | undefined;
}

/** What `listAwsRegionsWith` needs of `@aws-sdk/client-ec2` (passed in: core loads no SDK). */
export interface Ec2RegionsSdk {
  EC2Client: new (config: never) => PreparableSdkClient & SdkSender & { destroy(): void };
  DescribeRegionsCommand: new (input: Record<string, never>) => unknown;
}

/**
 * The account's enabled regions through EC2 `DescribeRegions` (signed in `options.region`, sent to
 * `options.endpoint` or EC2's own), with core's retry, deadline and error classification.
 */
export async function listAwsRegionsWith(
  sdk: Ec2RegionsSdk,
  provider: ProviderId,
  options: ListAwsRegionsOptions = {},
): Promise<AccountRegion[]> {
  const { provider: as, ...rest } = options;
  provider = as ?? provider;
  const kit = createSdkKit({
    ...pickSdkAdapterOptions(options),
    provider,
    service: 'EC2',
    credentials: rest.credentials,
  });
  const client = kit.prepare(new sdk.EC2Client(kit.config as never));
  try {
    const out = await kit.call(client, new sdk.DescribeRegionsCommand({}), 'listAwsRegions', rest.signal);
    return enabledAwsRegions(provider, out as DescribeRegionsOutputLike);
  } finally {
    client.destroy();
  }
}
