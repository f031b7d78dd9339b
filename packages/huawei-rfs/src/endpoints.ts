import { StackfeedError } from '@stackfeed/core';

/**
 * RFS endpoints by region (Huawei Go SDK `services/rfs/v1/region`). Most regions follow
 * `https://rfs.{region}.myhuaweicloud.com`; the exceptions are listed in `RFS_ENDPOINT_EXCEPTIONS`.
 */
export const RFS_ENDPOINT_EXCEPTIONS: Readonly<Record<string, string>> = Object.freeze({
  'eu-west-101': 'https://aos.myhuaweicloud.eu',
});

/** Regions the SDKs know RFS in (all but the exceptions use the standard host pattern). */
export const RFS_KNOWN_REGIONS: readonly string[] = Object.freeze([
  'cn-north-4',
  'cn-south-1',
  'cn-east-3',
  'cn-east-4',
  'cn-north-9',
  'cn-southwest-2',
  'ap-southeast-3',
  'ap-southeast-2',
  'ap-southeast-1',
  'ap-southeast-4',
  'my-kualalumpur-1',
  'me-east-1',
  'tr-west-1',
  'la-south-2',
  'sa-brazil-1',
  'la-north-2',
  'af-south-1',
  'eu-west-101',
  'na-mexico-1',
  'cn-north-11',
  'cn-east-5',
  'af-north-1',
  'cn-north-12',
  'ap-southeast-5',
  'cn-southwest-3',
]);

const REGION_RE = /^[a-z]{2}(-[a-z0-9]+)+$/;

/**
 * The RFS endpoint for a region: the env override `HUAWEICLOUD_SDK_REGION_RFS_<REGION>` (as the
 * Huawei SDKs read it; the first of a comma list), then the exceptions table, then the standard
 * pattern (also for regions this version does not list yet).
 */
export function rfsEndpointForRegion(region: string, env: Record<string, string | undefined> = process.env): string {
  if (!REGION_RE.test(region)) {
    throw new StackfeedError({
      code: 'CONFIG',
      provider: 'huawei-rfs',
      message: `region ${JSON.stringify(region)} is not a Huawei Cloud region id (e.g. cn-north-4)`,
    });
  }
  const override = env[`HUAWEICLOUD_SDK_REGION_RFS_${region.toUpperCase().replace(/-/g, '_')}`];
  const first = override
    ?.split(',')
    .map((s) => s.trim())
    .find(Boolean);
  if (first) return first.replace(/\/+$/, '');
  return RFS_ENDPOINT_EXCEPTIONS[region] ?? `https://rfs.${region}.myhuaweicloud.com`;
}

/** The IAM endpoint used to obtain tokens: `HUAWEICLOUD_SDK_IAM_ENDPOINT` or the global one. */
export function iamEndpoint(env: Record<string, string | undefined> = process.env): string {
  return (env.HUAWEICLOUD_SDK_IAM_ENDPOINT || 'https://iam.myhuaweicloud.com').replace(/\/+$/, '');
}
