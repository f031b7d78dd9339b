import type { ClientOptions, ImageInfo, StackEvent } from '@stackfeed/core';
import {
  type FetchedPage,
  HttpTransport,
  assertHeaderSafe,
  type QueryParams,
  buildUrl,
  encodePathSegment,
  parseIsoTimestamp,
  parseWire,
  transportOptionsOf,
} from '@stackfeed/core/adapter';
import type * as z from 'zod';
import { credentialResolver, type CredentialsInput } from '../auth/credentials.js';
import { regionFromApiHost, sigv4AuthHook } from '../auth/sigv4.js';
import type { Backend, LogEventsQuery, PollState, StackTarget } from '../backend.js';
import { configError, parseApiError } from '../errors.js';
import { toStackEvent } from '../mapping/events.js';
import { toLogStreamInfo } from '../mapping/logs.js';
import { MAX_PAGES_PER_POLL, type PollRead, pollListing } from '../poll.js';
import { clusterFromDescribe, clusterFromSummary, imageFromDescribe, imageFromSummary } from '../mapping/images.js';
import type { ClusterInfo, ImageStatusFilter, LogEventInfo, LogStreamInfo } from '../types.js';
import type { StackEventWire } from '../wire/api.js';
import { type StackEventRecord, readStackEventsFast } from '../wire/check.js';
import { type WireSchemas, loadWire } from '../wire/load.js';

const PROVIDER = 'aws-parallelcluster' as const;

/**
 * Options of API mode. `retry`, `logger`, `timeoutMs` (one attempt; API Gateway gives up after
 * 29 s anyway), `totalTimeoutMs`, `maxResponseBytes`, `rateLimit`, `tls` and `userAgent` are core's
 * `ClientOptions`, documented there once.
 */
export interface ApiModeOptions
  extends Pick<
    ClientOptions,
    'retry' | 'logger' | 'timeoutMs' | 'totalTimeoutMs' | 'maxResponseBytes' | 'rateLimit' | 'tls' | 'userAgent'
  > {
  /** The API's invoke URL, stage included: `https://{apiId}.execute-api.{region}.amazonaws.com/prod`. */
  endpoint?: string | undefined;
  /**
   * The API's invoke URL.
   * @deprecated Use `endpoint` (core's name of the option); kept for one release.
   */
  apiUrl?: string | undefined;
  /** The `region` query parameter: the region the API acts on (default: the API's own region). */
  region?: string | undefined;
  /**
   * The SigV4 signing region. Default: the region in the API host. Needed for custom domains and
   * local endpoints, whose host carries no region (then AWS_REGION is tried).
   */
  signingRegion?: string | undefined;
  /** Credentials (default: the AWS default provider chain, imported on first use). */
  credentials?: CredentialsInput | undefined;
  /**
   * When API Gateway rejects a signature and its `Date` shows the local clock more than 4 minutes
   * off, sign with the server's time and retry once, as the AWS SDKs do (default true). Off, the
   * call fails UNAUTHORIZED naming the clock skew.
   */
  correctClockSkew?: boolean | undefined;
}

/**
 * The API's invoke URL from `endpoint` (or its deprecated alias `apiUrl`): http(s), no query or
 * fragment. CONFIG when it is missing, not a URL, or the two options name different URLs.
 */
function invokeUrl(opts: ApiModeOptions): URL {
  const { endpoint, apiUrl } = opts;
  if (endpoint !== undefined && apiUrl !== undefined && endpoint !== apiUrl)
    throw configError('endpoint and apiUrl (its deprecated alias) name different URLs: pass endpoint only');
  const value = endpoint ?? apiUrl;
  const option = endpoint !== undefined ? 'endpoint' : 'apiUrl';
  if (typeof value !== 'string')
    throw configError(
      "API mode needs endpoint (formerly apiUrl), the API's invoke URL (or pass mode: 'direct' to read AWS directly)",
    );
  let base: URL;
  try {
    base = new URL(value);
  } catch {
    throw configError(`${option} ${JSON.stringify(value)} is not a URL`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw configError(`${option} must be http(s)`);
  if (base.search || base.hash) throw configError(`${option} must not carry a query or fragment`);
  return base;
}

const isoDate = (v: string | undefined) => (v === undefined ? undefined : parseIsoTimestamp(v));

/** Reads through a deployed ParallelCluster API (SigV4 `execute-api`). @internal */
export class ApiBackend implements Backend {
  readonly mode = 'api' as const;
  readonly nestedStacks = false;
  readonly listingTags = false;
  private readonly transport: HttpTransport;
  private readonly base: URL;
  private readonly region: string | undefined;

  constructor(opts: ApiModeOptions) {
    const base = invokeUrl(opts);
    const signingRegion =
      regionFromApiHost(base.hostname) ??
      opts.signingRegion ??
      process.env.AWS_REGION ??
      process.env.AWS_DEFAULT_REGION ??
      opts.region;
    if (!signingRegion)
      throw configError(
        `cannot tell the signing region of ${base.host}: it is not an execute-api host; pass signingRegion or set AWS_REGION`,
      );
    // The signing region goes into the Authorization header's scope: CR/LF there is CONFIG now.
    assertHeaderSafe('authorization', signingRegion, { provider: PROVIDER, option: 'signingRegion' });
    this.base = base;
    this.region = opts.region;
    const credentials = credentialResolver(opts.credentials);
    const auth = sigv4AuthHook({
      region: signingRegion,
      credentials,
      refresh: credentials.refresh,
      correctClockSkew: opts.correctClockSkew,
    });
    this.transport = new HttpTransport({
      provider: PROVIDER,
      auth,
      // Every answer shows API Gateway's clock: the signer corrects a skewed local clock from it.
      parseError: (res) => {
        auth.noteServerDate(res.headers.date);
        return parseApiError(res);
      },
      requestIdHeaders: ['x-amzn-requestid', 'x-amz-apigw-id'],
      ...transportOptionsOf(opts),
    });
  }

  /** GET and parse with the schema `pick` chooses from the wire schemas (loaded on first use). */
  private async get<S extends z.ZodType>(
    operation: string,
    segments: string[],
    query: QueryParams,
    pick: (wire: WireSchemas) => S,
    signal: AbortSignal | undefined,
  ): Promise<{ data: z.output<S>; raw: unknown }> {
    const path = `/v3/${segments.join('/')}`;
    const url = buildUrl(this.base, path, { ...query, region: this.region });
    const res = await this.transport.request({ url, operation, signal });
    const schema = pick(await loadWire());
    const data = parseWire(schema, res.body, { provider: PROVIDER, operation, requestId: res.requestId });
    return { data, raw: res.body };
  }

  async listImagesPage(status: ImageStatusFilter, cursor: string | undefined, signal: AbortSignal | undefined) {
    const { data } = await this.get(
      'ListImages',
      ['images', 'custom'],
      { imageStatus: status, nextToken: cursor },
      (w) => w.ListImagesWire,
      signal,
    );
    return {
      items: data.images.map((w) => imageFromSummary(w, w)),
      next: data.nextToken,
      raw: data,
    } satisfies FetchedPage<ImageInfo, string>;
  }

  async describeImage(imageId: string, signal: AbortSignal | undefined): Promise<ImageInfo> {
    const { data, raw } = await this.get(
      'DescribeImage',
      ['images', 'custom', encodePathSegment(imageId)],
      {},
      (w) => w.DescribeImageWire,
      signal,
    );
    return imageFromDescribe(data, raw);
  }

  async stackEventsPage(target: StackTarget, cursor: unknown, signal: AbortSignal | undefined) {
    const op = target.kind === 'image' ? 'GetImageStackEvents' : 'GetClusterStackEvents';
    const segs =
      target.kind === 'image'
        ? ['images', 'custom', encodePathSegment(target.name), 'stackevents']
        : ['clusters', encodePathSegment(target.name), 'stackevents'];
    const url = buildUrl(this.base, `/v3/${segs.join('/')}`, {
      nextToken: typeof cursor === 'string' ? cursor : undefined,
      region: this.region,
    });
    const res = await this.transport.request({ url, operation: op, signal });
    const raw = res.body;
    // Fast path (pages by the thousand); anything it does not accept goes through zod, which
    // either accepts it the same way or names the bad field.
    let page = readStackEventsFast(raw);
    if (!page) {
      const { StackEventsWire } = await loadWire();
      const data = parseWire(StackEventsWire, raw, { provider: PROVIDER, operation: op, requestId: res.requestId });
      page = {
        events: (data.events ?? []).map((w: StackEventWire) => ({
          ...w,
          timestamp: parseIsoTimestamp(w.timestamp) as Date,
        })),
        nextToken: data.nextToken,
      };
    }
    const events = page.events;
    const rawEvents = (raw as { events?: unknown[] }).events ?? [];
    const items: StackEvent[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) items[i] = toStackEvent(events[i] as StackEventRecord, rawEvents[i]);
    return { items, next: page.nextToken, raw } satisfies FetchedPage<StackEvent, unknown>;
  }

  async pollStackEvents(target: StackTarget, state: PollState, signal: AbortSignal | undefined): Promise<PollRead> {
    const sinceMs = state.fullReread ? undefined : state.since?.getTime();
    return pollListing((cursor) => this.stackEventsPage(target, cursor, signal), sinceMs, MAX_PAGES_PER_POLL, signal);
  }

  async logStreamsPage(imageId: string, cursor: string | undefined, signal: AbortSignal | undefined) {
    const { data } = await this.get(
      'ListImageLogStreams',
      ['images', 'custom', encodePathSegment(imageId), 'logstreams'],
      { nextToken: cursor },
      (w) => w.LogStreamsWire,
      signal,
    );
    const items = data.logStreams.map((wire) =>
      toLogStreamInfo(
        {
          name: wire.logStreamName,
          arn: wire.logStreamArn,
          createdAt: isoDate(wire.creationTime),
          firstEventAt: isoDate(wire.firstEventTimestamp),
          lastEventAt: isoDate(wire.lastEventTimestamp),
          lastIngestionAt: isoDate(wire.lastIngestionTime),
          uploadSequenceToken: wire.uploadSequenceToken,
        },
        wire,
      ),
    );
    return { items, next: data.nextToken } satisfies FetchedPage<LogStreamInfo, string>;
  }

  async logEventsPage(
    imageId: string,
    stream: string,
    cursor: string | undefined,
    query: LogEventsQuery,
    signal: AbortSignal | undefined,
  ) {
    const { data } = await this.get(
      'GetImageLogEvents',
      ['images', 'custom', encodePathSegment(imageId), 'logstreams', encodePathSegment(stream)],
      {
        // A forward token needs startFromHead=true (CloudWatch), and the API's default is false.
        startFromHead: true,
        nextToken: cursor,
        limit: query.limit,
        startTime: query.startTime?.toISOString(),
        endTime: query.endTime?.toISOString(),
      },
      (w) => w.LogEventsWire,
      signal,
    );
    const items: LogEventInfo[] = [];
    for (const w of data.events ?? []) {
      items.push({ timestamp: parseIsoTimestamp(w.timestamp) as Date, message: w.message, stream, raw: w });
    }
    // At the end of a stream CloudWatch returns the token it was given: that is the last page.
    const next = data.nextToken !== undefined && data.nextToken !== cursor ? data.nextToken : undefined;
    return { items, next } satisfies FetchedPage<LogEventInfo, string>;
  }

  async listClustersPage(
    statuses: readonly string[] | undefined,
    cursor: string | undefined,
    signal: AbortSignal | undefined,
  ) {
    const { data } = await this.get(
      'ListClusters',
      ['clusters'],
      { nextToken: cursor, clusterStatus: statuses && statuses.length > 0 ? [...statuses] : undefined },
      (w) => w.ListClustersWire,
      signal,
    );
    return {
      items: data.clusters.map((w) => clusterFromSummary(w, w)),
      next: data.nextToken,
    } satisfies FetchedPage<ClusterInfo, string>;
  }

  async describeCluster(name: string, signal: AbortSignal | undefined): Promise<ClusterInfo> {
    const { data, raw } = await this.get(
      'DescribeCluster',
      ['clusters', encodePathSegment(name)],
      {},
      (w) => w.DescribeClusterWire,
      signal,
    );
    return clusterFromDescribe(data, raw);
  }
}
