import type { AccountRegion } from '@stackfeed/core';
import { type Ec2RegionsSdk, type ListAwsRegionsOptions, listAwsRegionsWith } from '@stackfeed/core/adapter';
const PROVIDER = 'aws-parallelcluster' as const;

export type { ListAwsRegionsOptions } from '@stackfeed/core/adapter';

/**
 * The regions of the account where ParallelCluster can be read (direct mode, or the API's `region` parameter): EC2 `DescribeRegions`, enabled
 * regions only (a `not-opted-in` region refuses every call), sorted by name. Loads
 * `@aws-sdk/client-ec2` on first use. `region` signs the call; `endpoint` overrides EC2's.
 *
 * ```ts
 * for (const { region } of await listAwsRegions({ region: 'us-east-1' }))
 *   for await (const img of new ParallelClusterClient({ mode: 'direct', region }).listImages()) console.log(region, img.id);
 * ```
 */
export async function listAwsRegions(options: ListAwsRegionsOptions = {}): Promise<AccountRegion[]> {
  const sdk = await import('@aws-sdk/client-ec2');
  return listAwsRegionsWith(sdk as unknown as Ec2RegionsSdk, PROVIDER, options);
}
