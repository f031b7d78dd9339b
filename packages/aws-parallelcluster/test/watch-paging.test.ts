import { type EmulatorReply, type EmulatorRequest, startEmulator } from '@stackfeed/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { ParallelClusterClient } from '../src/index.js';
import { MAX_PAGES_PER_POLL } from '../src/poll.js';

/** Watch polls against listings nobody here wrote: endless pages, and an order that is not time order. */

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function serve(handler: (req: EmulatorRequest) => EmulatorReply | Promise<EmulatorReply>): Promise<string> {
  const server = await startEmulator({ handler: async (req) => handler(req) });
  cleanups.push(() => server.close());
  return server.url;
}

const json = (body: unknown): EmulatorReply => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const xml = (body: string): EmulatorReply => ({ status: 200, headers: { 'content-type': 'text/xml' }, body });

const STACK = 'arn:aws:cloudformation:us-east-1:123456789012:stack/wc/0000';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const apiEvent = (n: number, at = T0 + n * 1000) => ({
  stackId: STACK,
  eventId: `e-${n}`,
  stackName: 'wc',
  logicalResourceId: `R${n}`,
  physicalResourceId: `p-${n}`,
  resourceType: 'AWS::SQS::Queue',
  timestamp: new Date(at).toISOString(),
  resourceStatus: 'CREATE_COMPLETE',
});
const cluster = (stackStatus: string) => ({
  clusterName: 'wc',
  region: 'us-east-1',
  version: '3.12.0',
  cloudFormationStackStatus: stackStatus,
  clusterStatus: stackStatus,
  cloudformationStackArn: STACK,
  creationTime: new Date(T0).toISOString(),
  lastUpdatedTime: new Date(T0).toISOString(),
  clusterConfiguration: {},
  computeFleetStatus: 'RUNNING',
  tags: [],
});

const api = (url: string) =>
  new ParallelClusterClient({
    apiUrl: `${url}/prod`,
    signingRegion: 'us-east-1',
    credentials: { accessKeyId: 'AKIDWATCHPAGING', secretAccessKey: 'watch-paging-secret' },
    retry: { maxAttempts: 1 },
  });

describe('pages per watch poll are capped (API mode and direct mode)', () => {
  it('API mode: endless pages with fresh tokens stop at the cap, and the result says so', async () => {
    let pageRequests = 0;
    let fresh = 0;
    const url = await serve((req) => {
      if (req.rawPath.endsWith('/stackevents')) {
        pageRequests++;
        fresh++;
        return json({ events: [apiEvent(fresh, T0 + 10_000_000 - fresh)], nextToken: `t-${fresh}` });
      }
      return json(cluster('CREATE_COMPLETE'));
    });
    const stream = api(url).watchClusterStackEvents('wc', { pollIntervalMs: 10 });
    let yielded = 0;
    for await (const _ of stream) yielded++;
    const result = await stream.result;
    expect(result?.cappedPolls).toBeGreaterThanOrEqual(1);
    // The first poll and the final drain: each stopped at the cap.
    expect(pageRequests).toBeLessThanOrEqual(2 * MAX_PAGES_PER_POLL);
    expect(yielded).toBeGreaterThanOrEqual(MAX_PAGES_PER_POLL);
  });

  it('API mode: endless EMPTY pages with fresh tokens stop after a short run', async () => {
    let pageRequests = 0;
    const url = await serve((req) => {
      if (req.rawPath.endsWith('/stackevents')) {
        pageRequests++;
        return json({ events: [], nextToken: `t-${pageRequests}` });
      }
      return json(cluster('CREATE_COMPLETE'));
    });
    const stream = api(url).watchClusterStackEvents('wc', { pollIntervalMs: 10 });
    for await (const _ of stream) {
      // nothing to see
    }
    await stream.result;
    expect(pageRequests).toBeLessThanOrEqual(2 * 10);
  });

  it('direct mode: endless DescribeStackEvents pages stop at the cap', async () => {
    let pageRequests = 0;
    const member = (n: number) =>
      `<member><StackId>${STACK}</StackId><EventId>d-${n}</EventId><StackName>wc</StackName><LogicalResourceId>R${n}</LogicalResourceId><ResourceType>AWS::SQS::Queue</ResourceType><Timestamp>${new Date(T0 + 10_000_000 - n).toISOString()}</Timestamp><ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>`;
    const url = await serve((req) => {
      const body = new URLSearchParams(req.body?.toString() ?? '');
      if (body.get('Action') === 'DescribeStackEvents') {
        pageRequests++;
        return xml(
          `<DescribeStackEventsResponse><DescribeStackEventsResult><StackEvents>${member(pageRequests)}</StackEvents><NextToken>t-${pageRequests}</NextToken></DescribeStackEventsResult></DescribeStackEventsResponse>`,
        );
      }
      return xml(
        `<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackId>${STACK}</StackId><StackName>wc</StackName><CreationTime>${new Date(T0).toISOString()}</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Tags><member><Key>parallelcluster:version</Key><Value>3.12.0</Value></member></Tags></member></Stacks></DescribeStacksResult></DescribeStacksResponse>`,
      );
    });
    const client = new ParallelClusterClient({
      mode: 'direct',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDDIRECTPAGING', secretAccessKey: 'direct-paging-secret' },
      endpoints: { cloudformation: url, ec2: url, imagebuilder: url, logs: url },
      retry: { maxAttempts: 1 },
    });
    const stream = client.watchClusterStackEvents('wc', { pollIntervalMs: 10 });
    for await (const _ of stream) {
      // drain
    }
    const result = await stream.result;
    expect(result?.cappedPolls).toBeGreaterThanOrEqual(1);
    expect(pageRequests).toBeLessThanOrEqual(2 * MAX_PAGES_PER_POLL);
  }, 60_000);
});

describe('a listing in a stable order that is not time order loses nothing', () => {
  it('API mode: 30 events appearing over time, listed in a fixed shuffled order', async () => {
    // A fixed permutation of 30 events: what the server lists, 5 per page, whatever their times.
    const order = Array.from({ length: 30 }, (_, i) => (i * 7) % 30);
    let describes = 0;
    const url = await serve((req) => {
      if (req.rawPath.endsWith('/stackevents')) {
        const visible = describes < 2 ? 15 : 30;
        const listed = order.filter((n) => n < visible);
        const start = Number(req.url.searchParams.get('nextToken') ?? 0);
        const next = start + 5 < listed.length ? String(start + 5) : undefined;
        return json({ events: listed.slice(start, start + 5).map((n) => apiEvent(n)), nextToken: next });
      }
      describes++;
      return json(cluster(describes >= 4 ? 'CREATE_COMPLETE' : 'CREATE_IN_PROGRESS'));
    });
    const stream = api(url).watchClusterStackEvents('wc', { pollIntervalMs: 10 });
    const seen: string[] = [];
    for await (const ev of stream) seen.push(ev.id);
    const result = await stream.result;
    expect(new Set(seen).size).toBe(30);
    expect(seen).toHaveLength(30);
    expect(result?.fullRereadPolls).toBeGreaterThanOrEqual(1);
  });
});
