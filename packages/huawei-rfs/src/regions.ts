import type { AccountRegion } from '@stackfeed/core';
import { HttpTransport, parseWire, transportOptionsOf } from '@stackfeed/core/adapter';
import { IamTokenAuth } from './auth/token.js';
import { makeAuth, type RfsClientOptions } from './client.js';
import { iamEndpoint } from './endpoints.js';
import { parseRfsError } from './errors.js';
import { loadSchemas } from './wire/load.js';

const PROVIDER = 'huawei-rfs' as const;

/**
 * A region's own IAM project is named after the region (`cn-north-4`, `eu-west-101`); the others
 * are subprojects (`cn-north-4_dev`) or not a region's at all (`MOS`).
 */
const REGION_PROJECT = /^[a-z]+(?:-[a-z]+)+-\d+$/;

/** Options of {@link listRfsRegions}: the credentials and transport options of `RfsClient`, without its project. */
export interface ListRfsRegionsOptions
  extends Omit<RfsClientOptions, 'region' | 'projectId' | 'endpoint' | 'tokenKey'> {
  /** The region a password token is scoped to (IAM password credentials only). */
  region?: string | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The regions of the account and each region's project id, from IAM `GET /v3/projects` (signed
 * like RFS calls, at `iamEndpoint`, `HUAWEICLOUD_SDK_IAM_ENDPOINT` or the global IAM): one entry
 * per enabled project named after a region (subprojects and `MOS` are left out), by region name.
 *
 * ```ts
 * for (const { region, projectId } of await listRfsRegions())
 *   for await (const s of new RfsClient({ region, projectId }).listStacks()) console.log(region, s.name);
 * ```
 */
export async function listRfsRegions(options: ListRfsRegionsOptions = {}): Promise<AccountRegion[]> {
  const env = options.env ?? process.env;
  const auth = makeAuth(options, env, undefined);
  const transport = new HttpTransport({
    provider: PROVIDER,
    auth,
    parseError: parseRfsError,
    requestIdHeaders: ['x-request-id'],
    ...transportOptionsOf(options),
  });
  if (auth instanceof IamTokenAuth) await auth.prepare(options.signal);
  const iam = (options.iamEndpoint ?? iamEndpoint(env)).replace(/\/+$/, '');
  const res = await transport.request({
    url: `${iam}/v3/projects`,
    operation: 'listRfsRegions',
    signal: options.signal,
  });
  const { ProjectsSchema } = await loadSchemas();
  const body = parseWire(ProjectsSchema, res.body, {
    provider: PROVIDER,
    operation: 'listRfsRegions',
    requestId: res.requestId,
  });
  return body.projects
    .filter((p) => p.enabled !== false && REGION_PROJECT.test(p.name))
    .map((p): AccountRegion => ({ provider: PROVIDER, region: p.name, projectId: p.id }))
    .sort((a, b) => a.region.localeCompare(b.region));
}
