import { StackfeedError } from '@stackfeed/core';
import { type EmulatorReply, startEmulator } from '@stackfeed/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { ParallelClusterClient } from '../src/index.js';
import { StackEventsWire, readStackEventsFast } from '../src/wire/api.js';

/**
 * Stack event members both modes must keep or require: the hook members of a hook-only event
 * (API mode), and CloudFormation's four required members StackId, EventId, StackName, Timestamp
 * (direct mode).
 */

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function replyServer(reply: () => EmulatorReply): Promise<string> {
  const server = await startEmulator({ handler: async () => reply() });
  cleanups.push(() => server.close());
  return server.url;
}

async function failure(p: Promise<unknown>): Promise<StackfeedError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(StackfeedError);
    return err as StackfeedError;
  }
  throw new Error('expected a failure');
}

const STACK = 'arn:aws:cloudformation:us-east-1:123456789012:stack/cl/00000000-0000-4000-8000-000000000001';

const hookEvent = (i: number, hookStatus: string) => ({
  stackId: STACK,
  eventId: `hook-${i}`,
  stackName: 'cl',
  logicalResourceId: 'Instance',
  resourceType: 'AWS::EC2::Instance',
  timestamp: new Date(Date.UTC(2026, 0, 15, 12, 0, i)).toISOString(),
  hookType: 'Private::Guard::Hook',
  hookStatus,
  hookStatusReason: `reason ${i}`,
  hookInvocationPoint: 'PRE_PROVISION',
});

describe('API mode keeps the hook members of a stack event', () => {
  const body = {
    events: [hookEvent(0, 'HOOK_IN_PROGRESS'), hookEvent(1, 'HOOK_COMPLETE_SUCCEEDED'), hookEvent(2, 'HOOK_FAILED')],
  };

  it('the schema and the fast reader both keep hookType, hookStatus, hookStatusReason, hookInvocationPoint', () => {
    const want = {
      hookType: 'Private::Guard::Hook',
      hookStatus: 'HOOK_IN_PROGRESS',
      hookStatusReason: 'reason 0',
      hookInvocationPoint: 'PRE_PROVISION',
    };
    expect(StackEventsWire.parse(body).events?.[0]).toMatchObject(want);
    expect(readStackEventsFast(body)?.events[0]).toMatchObject(want);
  });

  it('a hook member of the wrong type is refused by both (the schema then names it)', () => {
    const bad = { events: [{ ...hookEvent(0, 'HOOK_FAILED'), hookStatus: 7 }] };
    expect(readStackEventsFast(bad)).toBeUndefined();
    const parsed = StackEventsWire.safeParse(bad);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['events', 0, 'hookStatus']);
  });

  it('hook-only events map to a real phase, the hook status literal kept, hook members in details', async () => {
    const url = await replyServer(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }));
    const client = new ParallelClusterClient({
      apiUrl: `${url}/prod`,
      signingRegion: 'us-east-1',
      credentials: { accessKeyId: 'AKIAAPIHOOKMEMBERS01', secretAccessKey: 'api-hook-secret' },
      retry: { maxAttempts: 1 },
    });
    const events = await client.listClusterStackEvents('cl').toArray({ limit: 10 });
    expect(events.map((e) => [e.status, e.phase])).toEqual([
      ['HOOK_IN_PROGRESS', 'IN_PROGRESS'],
      ['HOOK_COMPLETE_SUCCEEDED', 'COMPLETE'],
      ['HOOK_FAILED', 'FAILED'],
    ]);
    expect(events[2]?.details).toMatchObject({
      hookType: 'Private::Guard::Hook',
      hookStatus: 'HOOK_FAILED',
      hookStatusReason: 'reason 2',
      hookInvocationPoint: 'PRE_PROVISION',
    });
  });
});

describe('direct mode: a stack event missing a member CloudFormation requires is INVALID_RESPONSE naming it', () => {
  const member = (name: string, value: string) => `<${name}>${value}</${name}>`;
  const full: Record<string, string> = {
    StackId: STACK,
    EventId: 'e-1',
    StackName: 'cl',
    LogicalResourceId: 'cl',
    PhysicalResourceId: STACK,
    ResourceType: 'AWS::CloudFormation::Stack',
    Timestamp: '2026-01-15T12:00:00.000Z',
    ResourceStatus: 'CREATE_COMPLETE',
  };
  const page = (records: Array<Record<string, string>>) =>
    `<DescribeStackEventsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStackEventsResult><StackEvents>${records
      .map(
        (r) =>
          `<member>${Object.entries(r)
            .map(([k, v]) => member(k, v))
            .join('')}</member>`,
      )
      .join(
        '',
      )}</StackEvents></DescribeStackEventsResult><ResponseMetadata><RequestId>00000000-0000-4000-8000-00000000000f</RequestId></ResponseMetadata></DescribeStackEventsResponse>`;

  for (const missing of ['StackName', 'StackId', 'EventId', 'Timestamp']) {
    it(`without ${missing}`, async () => {
      const second: Record<string, string> = { ...full, EventId: 'e-2' };
      delete second[missing];
      const url = await replyServer(() => ({
        status: 200,
        headers: { 'content-type': 'text/xml' },
        body: page([full, second]),
      }));
      const client = new ParallelClusterClient({
        mode: 'direct',
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIADIRECTMEMBERS001', secretAccessKey: 'direct-members-secret' },
        endpoints: { cloudformation: url, ec2: url, imagebuilder: url, logs: url },
        maxAttempts: 1,
      });
      const e = await failure(client.listClusterStackEvents('cl').toArray({ limit: 10 }));
      expect(e).toMatchObject({ code: 'INVALID_RESPONSE', fieldPath: `StackEvents[1].${missing}` });
    });
  }
});
