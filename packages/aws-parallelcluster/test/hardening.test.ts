import { type Server, createServer } from 'node:net';
import { inspect } from 'node:util';
import { StackfeedError } from '@stackfeed/core';
import { type EmulatorReply, startEmulator } from '@stackfeed/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { ParallelClusterClient } from '../src/index.js';

/** Hostile servers nobody here wrote (issue 13): every call ends, typed, and leaks no credential. */

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function rawServer(onConnection: (socket: import('node:net').Socket) => void): Promise<string> {
  const server: Server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const addr = server.address() as { port: number };
  return `http://127.0.0.1:${addr.port}`;
}

async function replyServer(reply: (rawPath: string) => EmulatorReply): Promise<string> {
  const server = await startEmulator({ handler: async (req) => reply(req.rawPath) });
  cleanups.push(() => server.close());
  return server.url;
}

const direct = (endpoint: string, extra: Record<string, unknown> = {}, accessKeyId = 'AKIADIRECTHARDEN0001') =>
  new ParallelClusterClient({
    mode: 'direct',
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'direct-harden-secret' },
    endpoints: { cloudformation: endpoint, ec2: endpoint, imagebuilder: endpoint, logs: endpoint },
    maxAttempts: 1,
    ...extra,
  });

async function failure(p: Promise<unknown>): Promise<StackfeedError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(StackfeedError);
    return err as StackfeedError;
  }
  throw new Error('expected a failure');
}

/** Every text form of an error a user or a log can see. */
const texts = (e: StackfeedError) => [e.message, String(e.stack), JSON.stringify(e), inspect(e, { depth: 5 })];

describe('the access key id never appears in an error (both modes)', () => {
  it('API mode: a 403 reflecting the access key', async () => {
    const key = 'AKIAAPIREFLECTED0042';
    const url = await replyServer(() => ({
      status: 403,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'UnrecognizedClientException' },
      body: JSON.stringify({ message: `The security token included in the request is invalid: ${key}` }),
    }));
    const client = new ParallelClusterClient({
      apiUrl: `${url}/prod`,
      signingRegion: 'us-east-1',
      credentials: { accessKeyId: key, secretAccessKey: 'api-reflected-secret' },
      retry: { maxAttempts: 1 },
    });
    const e = await failure(client.describeCluster('cl'));
    expect(e.code).toBe('UNAUTHORIZED');
    for (const text of texts(e)) expect(text).not.toContain(key);
  });

  it('direct mode: a CloudFormation error reflecting the access key', async () => {
    const key = 'AKIADIRECTREFLECT042';
    const url = await replyServer(() => ({
      status: 403,
      headers: { 'content-type': 'text/xml' },
      body: `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token ${key} is invalid.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
    }));
    const e = await failure(direct(url, {}, key).describeCluster('cl'));
    expect(e.code).toBe('UNAUTHORIZED');
    for (const text of texts(e)) expect(text).not.toContain(key);
  });
});

describe('direct mode against hostile servers', () => {
  it('garbage HTTP is NETWORK (retryable), not BAD_REQUEST', async () => {
    const url = await rawServer((socket) => {
      socket.on('data', () => socket.end('HELLO THIS IS NOT HTTP\r\n\r\n'));
    });
    const e = await failure(direct(url).describeCluster('cl'));
    expect(e.code).toBe('NETWORK');
    expect(e.retryable).toBe(true);
  });

  it('a silent server ends TIMEOUT at the total deadline', async () => {
    const url = await rawServer(() => {
      // accept, read, never answer
    });
    const e = await failure(direct(url, { timeoutMs: 60_000, totalTimeoutMs: 300 }).describeCluster('cl'));
    expect(e.code).toBe('TIMEOUT');
  });

  it('a silent server ends TIMEOUT at the per-attempt deadline', async () => {
    const url = await rawServer(() => {});
    const e = await failure(direct(url, { timeoutMs: 300 }).describeCluster('cl'));
    expect(e.code).toBe('TIMEOUT');
  });

  it('a body over maxResponseBytes is INVALID_RESPONSE naming the limit', async () => {
    const filler = 'x'.repeat(2 * 1024 * 1024);
    const url = await replyServer(() => ({
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackName>${filler}</StackName></member></Stacks></DescribeStacksResult></DescribeStacksResponse>`,
    }));
    const e = await failure(direct(url, { maxResponseBytes: 100_000 }).describeCluster('cl'));
    expect(e.code).toBe('INVALID_RESPONSE');
    expect(e.message).toContain('100000');
  });

  it('a region with CR/LF is CONFIG before any request', async () => {
    let requests = 0;
    const url = await replyServer(() => {
      requests++;
      return { status: 500, body: '' };
    });
    const e = await failure(direct(url, { region: 'us-east-1\r\nX-Evil: 1' }).describeCluster('cl'));
    expect(e.code).toBe('CONFIG');
    expect(requests).toBe(0);
  });
});

const api = (url: string, extra: Record<string, unknown> = {}) =>
  new ParallelClusterClient({
    apiUrl: `${url}/prod`,
    signingRegion: 'us-east-1',
    credentials: { accessKeyId: 'AKIAAPIHARDENING0001', secretAccessKey: 'api-hardening-secret' },
    retry: { maxAttempts: 1 },
    ...extra,
  });

describe('API mode: strict timestamps, header-bound options, limits', () => {
  const event = (timestamp: unknown) => ({
    stackId: 'arn:aws:cloudformation:us-east-1:1:stack/cl/0',
    eventId: 'e-1',
    stackName: 'cl',
    timestamp,
  });

  it('a numeric string in a timestamp field is INVALID_RESPONSE, never epoch seconds', async () => {
    for (const timestamp of ['20260101', '1767225600', 1767225600]) {
      const url = await replyServer(() => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: [event(timestamp)] }),
      }));
      const e = await failure(api(url).listClusterStackEvents('cl').toArray({ limit: 10 }));
      expect(e.code).toBe('INVALID_RESPONSE');
    }
  });

  it('ISO 8601 date-times are read (zone-less = UTC)', async () => {
    const url = await replyServer(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [event('2026-01-01T00:00:00')] }),
    }));
    const [ev] = await api(url).listClusterStackEvents('cl').toArray({ limit: 10 });
    expect(ev?.timestamp.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('CR/LF in signingRegion is CONFIG at construction', () => {
    expect(() => api('http://127.0.0.1:9', { signingRegion: 'us-east-1\r\nX-Evil: 1' })).toThrow(
      expect.objectContaining({ code: 'CONFIG' }),
    );
  });

  it('a body over maxResponseBytes is INVALID_RESPONSE naming the limit', async () => {
    const url = await replyServer(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [], filler: 'x'.repeat(2 * 1024 * 1024) }),
    }));
    const e = await failure(api(url, { maxResponseBytes: 100_000 }).listClusterStackEvents('cl').toArray({ limit: 1 }));
    expect(e.code).toBe('INVALID_RESPONSE');
    expect(e.message).toContain('100000');
  });

  it('a silent server ends TIMEOUT at the total deadline', async () => {
    const url = await rawServer(() => {});
    const e = await failure(api(url, { timeoutMs: 60_000, totalTimeoutMs: 300 }).describeCluster('cl'));
    expect(e.code).toBe('TIMEOUT');
  });
});
