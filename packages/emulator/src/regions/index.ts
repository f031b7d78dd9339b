/**
 * Several regions of one AWS account behind one loopback endpoint, for `@stackfeed/emulator/regions`:
 * EC2 `DescribeRegions` (ec2Query XML, API 2016-11-15) answered from the account's region list, and
 * every other request handed to the emulator of the region it names — the SigV4 credential scope
 * (Image Builder, the AWS SDK clients) or the `region` query parameter (the ParallelCluster API,
 * whose gateway lives in one region and acts on the one asked for).
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import { SIGV4_AUTH_RE } from '../aws-sigv4.js';
import { el, list } from '../cloudformation/xml.js';
import { ec2ErrorReply } from '../ec2/index.js';
import type { EmulatorReply, EmulatorRequest, Handler } from '../harness.js';

/** EC2's `optInStatus` of a region. */
export type RegionOptInStatus = 'opt-in-not-required' | 'opted-in' | 'not-opted-in';

/** One region of the account. */
export interface AwsRegionSeed {
  /** `us-east-1`. */
  name: string;
  /** Default `opt-in-not-required`. A `not-opted-in` region is listed only with `AllRegions=true`. */
  optInStatus?: RegionOptInStatus;
  /** What answers in this region; a region without one refuses every call (not enabled, unreachable). */
  handler?: Handler;
}

export interface AwsRegionsOptions {
  regions: readonly AwsRegionSeed[];
  /** Where a request names its region: the SigV4 scope (default) or the `region` query parameter. */
  routeBy?: 'sigv4-scope' | 'region-query';
  /** The region of a request that names none (`region-query` only; default the first region). */
  defaultRegion?: string;
  /**
   * The reply of a region that has no handler: default, by SigV4 scope EC2's `AuthFailure` (401);
   * by region query the ParallelCluster API's 400 `invalid or unsupported region`.
   */
  refuse?: (region: string, req: EmulatorRequest) => EmulatorReply;
}

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

const header = (req: EmulatorRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The region of a SigV4 `Authorization` header's credential scope. */
export function sigv4ScopeRegion(req: EmulatorRequest): string | undefined {
  return SIGV4_AUTH_RE.exec(header(req, 'authorization') ?? '')?.[3];
}

const isDescribeRegions = (req: EmulatorRequest) =>
  req.method === 'POST' &&
  /^application\/x-www-form-urlencoded/i.test(header(req, 'content-type') ?? '') &&
  new URLSearchParams(req.body).get('Action') === 'DescribeRegions';

const indexed = (p: URLSearchParams, prefix: string): string[] =>
  [...p]
    .filter(([k]) => new RegExp(`^${prefix}\\.\\d+$`).test(k))
    .sort(([a], [b]) => Number(a.split('.').pop()) - Number(b.split('.').pop()))
    .map(([, v]) => v);

/** EC2 `DescribeRegions`: `AllRegions`, `RegionName.N` and the `opt-in-status` / `region-name` filters. */
export function describeRegions(regions: readonly AwsRegionSeed[], req: EmulatorRequest): EmulatorReply {
  const scope = SIGV4_AUTH_RE.exec(header(req, 'authorization') ?? '');
  if (!scope) return ec2ErrorReply('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
  if (scope[4] !== 'ec2')
    return ec2ErrorReply('SignatureDoesNotMatch', "Credential should be scoped to correct service: 'ec2'.", 403);
  const p = new URLSearchParams(req.body);
  if (p.get('Version') !== '2016-11-15')
    return ec2ErrorReply('InvalidParameterValue', `Version ${p.get('Version')} is not 2016-11-15`);
  const all = p.get('AllRegions') === 'true';
  const names = indexed(p, 'RegionName');
  const unknown = names.find((n) => !regions.some((r) => r.name === n));
  if (unknown) return ec2ErrorReply('InvalidParameterValue', `Invalid region: ${unknown}`);
  const filters = new Map<string, string[]>();
  for (const [k, v] of p) {
    const m = /^Filter\.(\d+)\.Name$/.exec(k);
    if (m) filters.set(v, indexed(p, `Filter\\.${m[1]}\\.Value`));
  }
  const status = (r: AwsRegionSeed) => r.optInStatus ?? 'opt-in-not-required';
  const shown = regions.filter(
    (r) =>
      (all || names.length > 0 || status(r) !== 'not-opted-in') &&
      (names.length === 0 || names.includes(r.name)) &&
      (filters.get('opt-in-status')?.includes(status(r)) ?? true) &&
      (filters.get('region-name')?.includes(r.name) ?? true),
  );
  const item = (r: AwsRegionSeed) =>
    el('regionName', r.name) + el('regionEndpoint', `ec2.${r.name}.amazonaws.com`) + el('optInStatus', status(r));
  return {
    status: 200,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeRegionsResponse xmlns="${NS}">${el('requestId', randomUUID())}${
      shown.length > 0 ? list('regionInfo', 'item', shown, item) : '<regionInfo/>'
    }</DescribeRegionsResponse>`,
  };
}

/**
 * One handler for the whole account: `DescribeRegions` here, any other request to its region's
 * handler. A request naming no region, or one the account does not have, gets `refuse`.
 */
export function createAwsRegionsHandler(opts: AwsRegionsOptions): Handler {
  const byName = new Map(opts.regions.map((r) => [r.name, r]));
  const refuse =
    opts.refuse ??
    (opts.routeBy === 'region-query'
      ? (region: string): EmulatorReply => ({
          status: 400,
          body: { message: `Bad Request: invalid or unsupported region '${region}'` },
        })
      : (region: string) =>
          ec2ErrorReply(
            'AuthFailure',
            `AWS was not able to validate the provided access credentials in ${region}`,
            401,
          ));
  return (req) => {
    if (isDescribeRegions(req)) return describeRegions(opts.regions, req);
    const region =
      opts.routeBy === 'region-query'
        ? (req.url.searchParams.get('region') ?? opts.defaultRegion ?? opts.regions[0]?.name)
        : sigv4ScopeRegion(req);
    const seed = region === undefined ? undefined : byName.get(region);
    if (!seed?.handler || seed.optInStatus === 'not-opted-in') return refuse(region ?? '(none)', req);
    return seed.handler(req);
  };
}
