import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  ListStacksCommand,
  paginateDescribeStacks,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeImagesCommand, EC2Client, paginateDescribeImages } from '@aws-sdk/client-ec2';
import { escapeXml } from '@stackfeed/emulator/cloudformation';
import { type ParallelClusterEmulator, clusterCreate } from '@stackfeed/emulator/parallelcluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulator } from './helpers.js';

/** The emulated services as the real AWS SDK v3 clients see them (wire details, errors, paging). */
describe('emulator wire protocols, read by the real SDK clients', () => {
  let emu: ParallelClusterEmulator;
  let cfn: CloudFormationClient;
  let ec2: EC2Client;
  let logs: CloudWatchLogsClient;
  const nasty = 'Reason with <xml> & "quotes" \'apos\' ]]> ünïcödé 🚀 and a\ttab';

  beforeAll(async () => {
    emu = await emulator({ stacksPageSize: 2 });
    const cfg = { region: emu.region, credentials: emu.credentials, maxAttempts: 1 };
    cfn = new CloudFormationClient({ ...cfg, endpoint: emu.endpoints.cloudformation });
    ec2 = new EC2Client({ ...cfg, endpoint: emu.endpoints.ec2 });
    logs = new CloudWatchLogsClient({ ...cfg, endpoint: emu.endpoints.logs });
    for (let i = 0; i < 3; i++) clusterCreate(emu.world, { clusterName: `c${i}` });
    const id = emu.world.cfn.addStack({ name: 'odd', createdAt: emu.world.now(), tags: { k: '<v&>' } });
    emu.world.cfn.addEvents(id, [
      {
        at: emu.world.now(),
        logicalId: 'odd',
        type: 'AWS::CloudFormation::Stack',
        status: 'CREATE_IN_PROGRESS',
        reason: nasty,
      },
      {
        at: emu.world.now() + 1,
        logicalId: 'R',
        type: 'AWS::SQS::Queue',
        status: 'CREATE_FAILED',
        properties: '{"a":"<b>"}',
        hookStatus: 'HOOK_FAILED',
        detailedStatus: 'VALIDATION_FAILED',
        operationId: 'op-1',
      },
    ]);
    for (let i = 0; i < 12; i++)
      emu.world.ec2.addImage({
        imageId: `ami-${String(i).padStart(17, '0')}`,
        name: `img ${i}`,
        tags: { group: i % 2 ? 'odd' : 'even', 'x&y': '<z>' },
      });
    emu.world.logs.addEvents(
      '/g',
      's/1',
      [1, 2, 3].map((n) => ({ timestamp: emu.world.now() - 1000 + n, message: `line ${n} <&>` })),
    );
    emu.world.advance(300_000);
  });
  afterAll(() => emu.close());

  it('CloudFormation: escaped text and the newer event fields survive the XML round trip', async () => {
    const out = await cfn.send(new DescribeStackEventsCommand({ StackName: 'odd' }));
    const [r, s] = out.StackEvents ?? [];
    expect(s?.ResourceStatusReason).toBe(nasty);
    expect(r).toMatchObject({
      ResourceProperties: '{"a":"<b>"}',
      HookStatus: 'HOOK_FAILED',
      DetailedStatus: 'VALIDATION_FAILED',
      OperationId: 'op-1',
    });
    expect(s?.Timestamp).toBeInstanceOf(Date);
    expect(out.NextToken).toBeUndefined();
  });

  it('XML escaping drops what XML 1.0 cannot carry and escapes the rest', () => {
    expect(escapeXml('a\u0001b\ud800c\uFFFE🚀<&>"\'\t\n')).toBe('abc🚀&lt;&amp;&gt;&quot;&apos;\t\n');
  });

  it('CloudFormation: DescribeStacks pages with NextToken; nested stacks carry ParentId/RootId', async () => {
    const stacks = [];
    let pages = 0;
    for await (const page of paginateDescribeStacks({ client: cfn }, {})) {
      pages++;
      stacks.push(...(page.Stacks ?? []));
    }
    expect(stacks).toHaveLength(3 * 3 + 1);
    expect(pages).toBe(5);
    const nested = stacks.filter((s) => s.ParentId);
    expect(nested).toHaveLength(6);
    expect(nested.every((s) => s.RootId === s.ParentId)).toBe(true);
    expect(stacks.find((s) => s.StackName === 'odd')?.Tags).toEqual([{ Key: 'k', Value: '<v&>' }]);
    const list = await cfn.send(new ListStacksCommand({ StackStatusFilter: ['CREATE_COMPLETE'] }));
    expect(list.StackSummaries?.map((s) => s.StackName)).toHaveLength(9);
  });

  it('CloudFormation: errors are the XML ErrorResponse the SDK turns into ValidationError', async () => {
    const err = await cfn.send(new DescribeStackEventsCommand({ StackName: 'missing' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ValidationError', message: 'Stack [missing] does not exist', $fault: 'client' });
    expect((err as { $metadata: { httpStatusCode: number; requestId: string } }).$metadata).toMatchObject({
      httpStatusCode: 400,
      requestId: expect.any(String),
    });
  });

  it('EC2: DescribeImages filters, MaxResults/NextToken paging, tagSet, and EC2’s error shape', async () => {
    const ids: string[] = [];
    for await (const page of paginateDescribeImages(
      { client: ec2, pageSize: 5 },
      { Owners: ['self'], Filters: [{ Name: 'tag:group', Values: ['even'] }] },
    ))
      ids.push(...(page.Images ?? []).map((i) => i.ImageId as string));
    expect(ids).toHaveLength(6);
    const one = await ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-00000000000000001'] }));
    expect(one.Images?.[0]).toMatchObject({
      Name: 'img 1',
      State: 'available',
      Public: false,
      Tags: expect.arrayContaining([{ Key: 'x&y', Value: '<z>' }]),
    });
    const named = await ec2.send(new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['img 1*'] }] }));
    expect(named.Images?.map((i) => i.Name).sort()).toEqual(['img 1', 'img 10', 'img 11']);
    const err = await ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-nope'] })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'InvalidAMIID.NotFound' });
  });

  it('CloudWatch Logs: forward tokens, and the same token back at the end of the stream', async () => {
    const first = await logs.send(
      new GetLogEventsCommand({ logGroupName: '/g', logStreamName: 's/1', startFromHead: true, limit: 2 }),
    );
    expect(first.events?.map((e) => e.message)).toEqual(['line 1 <&>', 'line 2 <&>']);
    const second = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/g',
        logStreamName: 's/1',
        startFromHead: true,
        nextToken: first.nextForwardToken,
      }),
    );
    expect(second.events?.map((e) => e.message)).toEqual(['line 3 <&>']);
    const end = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/g',
        logStreamName: 's/1',
        startFromHead: true,
        nextToken: second.nextForwardToken,
      }),
    );
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(second.nextForwardToken);
    const err = await logs
      .send(new GetLogEventsCommand({ logGroupName: '/nope', logStreamName: 'x' }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
