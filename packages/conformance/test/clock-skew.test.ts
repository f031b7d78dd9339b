/**
 * Issue 8: a clock skew of 10 minutes, per provider. The emulators judge a signature's age by their
 * own clock (set ahead of or behind this machine's) and send that clock in `Date`, as the real
 * gateways do:
 *
 * - AWS (API Gateway, Image Builder): a SigV4 request must arrive within 5 minutes of its
 *   X-Amz-Date: 403 InvalidSignatureException "Signature expired: … (… - 5 min.)". ParallelCluster
 *   API mode corrects its clock from the Date header and retries once (`correctClockSkew`, default
 *   on); off, UNAUTHORIZED naming the skew. The AWS SDK clients (Image Builder, ParallelCluster
 *   direct mode) always correct from Date; when they cannot (a Date that shows no skew), the error
 *   names the clock skew.
 * - Huawei APIGW admits an X-Sdk-Date within 15 minutes: a 10-minute skew passes; a 20-minute one
 *   is corrected (default) or fails UNAUTHORIZED APIGW.0301 naming the skew.
 * - OpenStack Keystone tokens are not time-signed (opaque Fernet tokens checked by the server):
 *   nothing to skew; token expiry is covered in credential-expiry.test.ts.
 */
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { StackfeedError } from '@stackfeed/core';
import type { EmulatorServer } from '@stackfeed/emulator';
import {
  type LifecycleDeprecateDeleteTruth,
  type ManualClock,
  startImageBuilderEmulator,
} from '@stackfeed/emulator/imagebuilder';
import { imageBuildFails, startParallelClusterEmulator } from '@stackfeed/emulator/parallelcluster';
import { largeStack, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { RfsClient } from '@stackfeed/huawei-rfs';
import { describe, expect, it } from 'vitest';
import { FAKE } from './harness.js';

const MIN = 60_000;
const AWS_CREDS = { accessKeyId: FAKE.awsAccessKey, secretAccessKey: FAKE.awsSecret, sessionToken: FAKE.awsSession };

async function failure(p: Promise<unknown>): Promise<StackfeedError> {
  try {
    await p;
  } catch (err) {
    expect(StackfeedError.is(err), String(err)).toBe(true);
    return err as StackfeedError;
  }
  throw new Error('expected the call to fail');
}

/** X-Amz-Date / X-Sdk-Date of a recorded request, as ms. */
function signedAt(server: EmulatorServer, i: number, header = 'x-amz-date'): number {
  const v = String(server.requests[i]?.headers[header] ?? '');
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  if (!m) throw new Error(`no ${header} on request ${i}: ${v}`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

describe('clock skew: ParallelCluster API mode (SigV4 through core transport)', () => {
  for (const skew of [10 * MIN, -10 * MIN]) {
    const label = skew > 0 ? 'ahead' : 'behind';
    it(`gateway clock 10 min ${label}: corrected from Date and retried once, then signed right`, async () => {
      const emu = await startParallelClusterEmulator({
        credentials: [AWS_CREDS],
        gatewayClock: () => Date.now() + skew,
      });
      try {
        imageBuildFails(emu.world, { imageId: 'img-skew', buildSeconds: 60 });
        emu.world.advance(10 * MIN);
        const client = new ParallelClusterClient({
          apiUrl: emu.apiUrl,
          signingRegion: emu.region,
          credentials: AWS_CREDS,
          retry: { maxAttempts: 1 },
        });
        const api = emu.servers.api;
        await expect(client.describeImage('img-skew')).resolves.toMatchObject({ id: 'img-skew' });
        expect(api.requests).toHaveLength(2);
        // The retry was signed on the gateway's clock (a few seconds of test run aside).
        expect(Math.abs(signedAt(api, 1) - (Date.now() + skew))).toBeLessThan(MIN);
        await client.listImageStackEvents('img-skew').toArray({ limit: 1000 });
        expect(api.requests).toHaveLength(3);
      } finally {
        await emu.close();
      }
    });
  }

  it('correctClockSkew: false: UNAUTHORIZED InvalidSignatureException naming the clock skew, one request', async () => {
    const emu = await startParallelClusterEmulator({
      credentials: [AWS_CREDS],
      gatewayClock: () => Date.now() + 10 * MIN,
    });
    try {
      imageBuildFails(emu.world, { imageId: 'img-skew', buildSeconds: 60 });
      const client = new ParallelClusterClient({
        apiUrl: emu.apiUrl,
        signingRegion: emu.region,
        credentials: AWS_CREDS,
        retry: { maxAttempts: 3, baseDelayMs: 1 },
        correctClockSkew: false,
      });
      const err = await failure(client.describeImage('img-skew'));
      expect(err.code).toBe('UNAUTHORIZED');
      expect(err.providerCode).toBe('InvalidSignatureException');
      expect(err.httpStatus).toBe(403);
      expect(err.message).toMatch(
        /Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)/,
      );
      expect(err.message).toMatch(/clock skew/);
      expect(err.message).toMatch(/about 10 min behind/);
      expect(emu.servers.api.requests).toHaveLength(1);
    } finally {
      await emu.close();
    }
  });
});

describe('clock skew: the AWS SDK clients', () => {
  it('Image Builder, service clock 10 min ahead: the SDK corrects from Date and retries; later calls signed right', async () => {
    const emu = await startImageBuilderEmulator({
      auth: { credentials: [AWS_CREDS], now: () => Date.now() + 10 * MIN },
      scenarios: ['lifecycleDeprecateThenDelete'],
    });
    const t = emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    (emu.clock as ManualClock).set(t.endAt + MIN);
    const client = new ImageBuilderClient({
      region: 'us-east-1',
      endpoint: emu.url,
      credentials: AWS_CREDS,
      maxAttempts: 3,
    });
    try {
      await expect(client.getLifecycleExecution(t.executionId)).resolves.toBeDefined();
      expect(emu.server.requests).toHaveLength(2);
      expect(emu.server.requests[0]?.fault).toBeUndefined();
      expect(Math.abs(signedAt(emu.server, 1) - (Date.now() + 10 * MIN))).toBeLessThan(MIN);
      const ids = (await client.listLifecycleExecutionEvents(t.executionId).toArray({ limit: 1000 })).map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(
        emu.server.requests
          .slice(2)
          .every((r) => Math.abs(signedAt(emu.server, emu.server.requests.indexOf(r)) - (Date.now() + 10 * MIN)) < MIN),
      ).toBe(true);
    } finally {
      client.close();
      await emu.close();
    }
  });

  it('Image Builder, maxAttempts 1 and a skewed service: UNAUTHORIZED naming the clock skew', async () => {
    const emu = await startImageBuilderEmulator({
      auth: { credentials: [AWS_CREDS], now: () => Date.now() + 10 * MIN },
      scenarios: ['lifecycleDeprecateThenDelete'],
    });
    const t = emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    const client = new ImageBuilderClient({
      region: 'us-east-1',
      endpoint: emu.url,
      credentials: AWS_CREDS,
      maxAttempts: 1,
    });
    try {
      const err = await failure(client.getLifecycleExecution(t.executionId));
      expect(err.code).toBe('UNAUTHORIZED');
      expect(err.providerCode).toBe('InvalidSignatureException');
      expect(err.message).toMatch(/Signature expired/);
      expect(err.message).toMatch(/clock skew/);
      expect(err.message).toMatch(/about 10 min behind/);
      expect(emu.server.requests).toHaveLength(1);
    } finally {
      client.close();
      await emu.close();
    }
  });

  it('ParallelCluster direct mode: CloudFormation "Signature expired" with a Date 10 min ahead is corrected and retried', async () => {
    const emu = await startParallelClusterEmulator({ credentials: [AWS_CREDS] });
    try {
      const build = imageBuildFails(emu.world, { imageId: 'img-skew', buildSeconds: 60 });
      emu.world.advance(10 * MIN);
      const cfn = emu.servers.cloudformation;
      const server = Date.now() + 10 * MIN;
      const amz = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
      const skewFault = (date: number) =>
        ({
          kind: 'status',
          status: 403,
          headers: { 'content-type': 'text/xml', date: new Date(date).toUTCString() },
          body: `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>Signature expired: ${amz(Date.now())} is now earlier than ${amz(server - 5 * MIN)} (${amz(server)} - 5 min.)</Message></Error><RequestId>0c5b1d3e-0000-4000-8000-000000000001</RequestId></ErrorResponse>`,
        }) as const;
      cfn.faults.inject(skewFault(server), { times: 1 });
      const client = new ParallelClusterClient({
        mode: 'direct',
        region: emu.region,
        credentials: AWS_CREDS,
        endpoints: emu.endpoints,
        maxAttempts: 3,
      });
      const events = await client.listImageStackEvents('img-skew').toArray({ limit: 1000 });
      expect(events).toHaveLength(build.eventCount);
      expect(cfn.requests[0]?.fault).toBe('status');
      expect(Math.abs(signedAt(cfn, 1) - server)).toBeLessThan(MIN);

      // A Date that shows no skew: the SDK cannot correct; the error names the clock skew.
      cfn.faults.inject(skewFault(Date.now()), { times: Number.POSITIVE_INFINITY });
      const other = new ParallelClusterClient({
        mode: 'direct',
        region: emu.region,
        credentials: AWS_CREDS,
        endpoints: emu.endpoints,
        maxAttempts: 3,
      });
      const err = await failure(other.listImageStackEvents('img-skew').toArray({ limit: 1000 }));
      expect(err.code).toBe('UNAUTHORIZED');
      expect(err.providerCode).toBe('SignatureDoesNotMatch');
      expect(err.message).toMatch(/clock skew/);
    } finally {
      await emu.close();
    }
  });
});

describe('clock skew: Huawei RFS (APIGW admits 15 minutes)', () => {
  async function rfs(skew: number) {
    const emu = await startRfsEmulator({
      credentials: { aksk: [{ accessKey: FAKE.hwAk, secretKey: FAKE.hwSk, securityToken: FAKE.hwToken }] },
      scenarios: [largeStack({ stackName: 'big', eventCount: 30 })],
      akLockout: false,
      clock: () => Date.now() + skew,
    });
    emu.finish();
    const client = (correctClockSkew?: boolean) =>
      new RfsClient({
        region: 'cn-north-4',
        projectId: emu.projectId,
        endpoint: emu.url,
        credentials: { accessKey: FAKE.hwAk, secretKey: FAKE.hwSk, securityToken: FAKE.hwToken },
        retry: { maxAttempts: 3, baseDelayMs: 1 },
        env: {},
        ...(correctClockSkew === undefined ? {} : { correctClockSkew }),
      });
    return { emu, client };
  }

  it('10 min ahead: accepted as is (inside the gateway window), one request', async () => {
    const { emu, client } = await rfs(10 * MIN);
    try {
      await expect(client().getStack('big')).resolves.toBeDefined();
      expect(emu.server.requests).toHaveLength(1);
    } finally {
      await emu.close();
    }
  });

  for (const skew of [20 * MIN, -20 * MIN]) {
    it(`${skew > 0 ? '20 min ahead' : '20 min behind'}: corrected from Date, one retry; the list is complete`, async () => {
      const { emu, client } = await rfs(skew);
      try {
        const c = client();
        await expect(c.getStack('big')).resolves.toBeDefined();
        expect(emu.server.requests).toHaveLength(2);
        expect(Math.abs(signedAt(emu.server, 1, 'x-sdk-date') - (Date.now() + skew))).toBeLessThan(MIN);
        const ids = (await c.listStackEvents('big', { pageSize: 7 }).toArray({ limit: 1000 })).map((e) => e.id);
        expect(ids).toHaveLength(emu.stack('big')?.events.length ?? -1);
        expect(new Set(ids).size).toBe(ids.length);
      } finally {
        await emu.close();
      }
    });
  }

  it('20 min ahead with correctClockSkew: false: UNAUTHORIZED APIGW.0301 naming the clock skew', async () => {
    const { emu, client } = await rfs(20 * MIN);
    try {
      const err = await failure(client(false).getStack('big'));
      expect(err.code).toBe('UNAUTHORIZED');
      expect(err.providerCode).toBe('APIGW.0301');
      expect(err.httpStatus).toBe(401);
      expect(err.message).toMatch(/clock skew/);
      expect(err.message).toMatch(/about 20 min behind/);
      expect(emu.server.requests).toHaveLength(1);
    } finally {
      await emu.close();
    }
  });
});
