/**
 * Issue 8: credentials that expire in the middle of a watch, per provider. The server starts
 * refusing the credentials in use while the watch runs; the client gets new ones once and the
 * watch goes on with no lost and no duplicated event (compared with the emulator's ground truth).
 * When getting new ones fails too, the watch ends with UNAUTHORIZED naming the expiry.
 *
 * - Heat: Keystone tokens revoked (as at expiry) → 401 → one new token from Keystone.
 * - RFS: the IAM token expires on the gateway's clock → 401 APIGW.0301 → one new token from IAM.
 * - ParallelCluster API mode: temporary credentials expire → 403 ExpiredTokenException → the
 *   credential provider is asked again once.
 * - Image Builder (AWS SDK): the SDK asks the credential provider again whenever the credentials
 *   it holds are within 5 minutes of their `expiration`; a provider that keeps returning expired
 *   credentials ends the watch with UNAUTHORIZED ExpiredTokenException.
 */
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { type AwsCredentials, ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { StackfeedError } from '@stackfeed/core';
import { createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import {
  type LifecycleDeprecateDeleteTruth,
  type ManualClock,
  startImageBuilderEmulator,
} from '@stackfeed/emulator/imagebuilder';
import { imageBuildFails, startParallelClusterEmulator } from '@stackfeed/emulator/parallelcluster';
import { deploymentSucceeds, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { RfsClient } from '@stackfeed/huawei-rfs';
import { HeatClient } from '@stackfeed/openstack-heat';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE } from './harness.js';

const WATCH = { pollIntervalMs: 20, maxPollIntervalMs: 40 } as const;

const unhandled: unknown[] = [];
const onUnhandled = (r: unknown) => unhandled.push(r);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  await new Promise((r) => setTimeout(r, 5));
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

/** Drain a watch, calling `at(n)` after the n-th event; returns the ids and the error, if any. */
async function drain(
  stream: AsyncIterable<{ id: string }>,
  at: (n: number) => void,
): Promise<{ ids: string[]; error: unknown }> {
  const ids: string[] = [];
  try {
    for await (const ev of stream) {
      ids.push(ev.id);
      at(ids.length);
    }
  } catch (error) {
    return { ids, error };
  }
  return { ids, error: undefined };
}

function expectExpiryError(error: unknown, pattern: RegExp): StackfeedError {
  expect(StackfeedError.is(error), String(error)).toBe(true);
  const err = error as StackfeedError;
  expect(err.code).toBe('UNAUTHORIZED');
  expect(err.message).toMatch(pattern);
  return err;
}

const sorted = (ids: string[]) => [...ids].sort();

/**
 * Moves a manual-progress RFS deployment: one step now, one per consumed event up to the third
 * (so the deployment is still running when the credentials expire, on any machine), then one every
 * few ms until the watch ends.
 */
function stepper(advance: () => void): { step(n: number): void; stop(): void } {
  let timer: ReturnType<typeof setInterval> | undefined;
  advance();
  return {
    step(n) {
      if (n < 3) advance();
      else if (n === 3) timer = setInterval(advance, 5);
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}

describe('credential expiry mid-watch: OpenStack Heat (Keystone)', () => {
  async function setup() {
    const users = [{ name: 'conf-user', password: FAKE.ksPassword, project: 'conf', projectId: 'p-conf' }];
    const emu = await startHeatEmulator({ tenant: 'p-conf', keystone: { users }, autoAdvanceMs: 100 });
    const resources = Array.from({ length: 12 }, (_, i) => ({ name: `r${i}` }));
    const stack = emu.addStack('web', createScript('web', resources, { stepMs: 100 }));
    const client = new HeatClient({
      auth: {
        type: 'password',
        authUrl: emu.keystoneUrl,
        username: 'conf-user',
        password: FAKE.ksPassword,
        userDomainName: 'Default',
        projectName: 'conf',
        projectDomainName: 'Default',
      },
      endpoint: emu.heatUrl,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    });
    const tokenCalls = () => emu.server.requests.filter((r) => r.method === 'POST' && r.path === '/v3/auth/tokens');
    return { emu, users, stack, client, tokenCalls };
  }

  it('tokens revoked mid-watch: one new token, the watch completes with every event once', async () => {
    const { emu, stack, client, tokenCalls } = await setup();
    try {
      const { ids, error } = await drain(client.watchStackEvents('web', { ...WATCH, pageSize: 7 }), (n) => {
        if (n === 5) emu.revokeTokens();
      });
      expect(error).toBeUndefined();
      expect(tokenCalls()).toHaveLength(2);
      expect(new Set(ids).size).toBe(ids.length);
      expect(sorted(ids)).toEqual(sorted(emu.visibleEvents(stack).map((e) => String(e.id))));
    } finally {
      await emu.close();
    }
  });

  it('revoked, and Keystone refuses the password too: UNAUTHORIZED naming the expiry, no duplicate before it', async () => {
    const { emu, users, stack, client, tokenCalls } = await setup();
    try {
      const { ids, error } = await drain(client.watchStackEvents('web', { ...WATCH, pageSize: 7 }), (n) => {
        if (n === 5) {
          (users[0] as { password: string }).password = 'changed-elsewhere';
          emu.revokeTokens();
        }
      });
      expectExpiryError(error, /Keystone token expired or was revoked, and re-authenticating failed/);
      expect(tokenCalls()).toHaveLength(2);
      expect(new Set(ids).size).toBe(ids.length);
      const truth = new Set(emu.visibleEvents(stack).map((e) => String(e.id)));
      expect(ids.every((id) => truth.has(id))).toBe(true);
    } finally {
      await emu.close();
    }
  });
});

describe('credential expiry mid-watch: Huawei RFS (IAM token)', () => {
  async function setup() {
    const users = [{ userName: 'conf', password: FAKE.iamPassword, domainName: 'conf-domain' }];
    let now = Date.now();
    const emu = await startRfsEmulator({
      credentials: { users },
      scenarios: [deploymentSucceeds({ stackName: 'dep' })],
      clock: () => now,
      progress: 'manual',
      tokenTtlMs: 3_600_000,
      akLockout: false,
    });
    const client = new RfsClient({
      region: 'cn-north-4',
      projectId: emu.projectId,
      endpoint: emu.url,
      iamEndpoint: emu.url,
      credentials: { password: { userName: 'conf', password: FAKE.iamPassword, domainName: 'conf-domain' } },
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
      env: {},
    });
    const timer = stepper(() => emu.advance('dep', 1));
    const expire = () => {
      now += 3_600_000 + 1000; // past the token's lifetime on the gateway's clock
    };
    return { emu, users, client, timer, expire };
  }

  it('the token expires mid-watch: one new token, every event once', async () => {
    const { emu, client, timer, expire } = await setup();
    try {
      const { ids, error } = await drain(client.watchStackEvents('dep', { ...WATCH, pageSize: 5 }), (n) => {
        timer.step(n);
        if (n === 3) expire();
      });
      timer.stop();
      expect(error).toBeUndefined();
      expect(emu.tokensIssued).toBe(2);
      expect(new Set(ids).size).toBe(ids.length);
      const truth = (await client.listStackEvents('dep').toArray({ limit: 10_000 })).map((e) => e.id);
      expect(truth).toHaveLength(emu.stack('dep')?.events.length ?? -1);
      expect(sorted(ids)).toEqual(sorted(truth));
    } finally {
      timer.stop();
      await emu.close();
    }
  });

  it('expired, and IAM refuses the password too: UNAUTHORIZED naming the expiry', async () => {
    const { emu, users, client, timer, expire } = await setup();
    try {
      const { ids, error } = await drain(client.watchStackEvents('dep', { ...WATCH, pageSize: 5 }), (n) => {
        timer.step(n);
        if (n === 3) {
          (users[0] as { password: string }).password = 'changed-elsewhere';
          expire();
        }
      });
      expectExpiryError(error, /IAM token expired or was revoked, and getting a new one failed/);
      expect(emu.tokensIssued).toBe(1);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      timer.stop();
      await emu.close();
    }
  });
});

describe('credential expiry mid-watch: Huawei RFS (temporary AK/SK + security token from a provider)', () => {
  const A = { accessKey: 'HWEXPIRYAKAAAA000001', secretKey: `${FAKE.hwSk}A`, securityToken: `${FAKE.hwToken}A` };
  const B = { accessKey: 'HWEXPIRYAKBBBB000002', secretKey: `${FAKE.hwSk}B`, securityToken: `${FAKE.hwToken}B` };

  async function setup(rotate: boolean) {
    const accepted: Array<typeof A & { expiresAt?: number }> = [{ ...A }, { ...B }];
    const emu = await startRfsEmulator({
      credentials: { aksk: accepted },
      scenarios: [deploymentSucceeds({ stackName: 'dep' })],
      progress: 'manual',
      akLockout: false,
    });
    let calls = 0;
    const client = new RfsClient({
      region: 'cn-north-4',
      projectId: emu.projectId,
      endpoint: emu.url,
      credentials: async () => {
        calls++;
        return { ...(rotate && calls > 1 ? B : A), expiresAt: new Date(Date.now() + 3_600_000) };
      },
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
      env: {},
    });
    const timer = stepper(() => emu.advance('dep', 1));
    const expireA = () => {
      (accepted[0] as { expiresAt?: number }).expiresAt = 0;
    };
    return { emu, client, timer, expireA, calls: () => calls };
  }

  it('the security token expires mid-watch: the provider is asked once more, every event once', async () => {
    const { emu, client, timer, expireA, calls } = await setup(true);
    try {
      const { ids, error } = await drain(client.watchStackEvents('dep', { ...WATCH, pageSize: 5 }), (n) => {
        timer.step(n);
        if (n === 3) expireA();
      });
      timer.stop();
      expect(error).toBeUndefined();
      expect(calls()).toBe(2);
      expect(new Set(ids).size).toBe(ids.length);
      const truth = (await client.listStackEvents('dep').toArray({ limit: 10_000 })).map((e) => e.id);
      expect(truth).toHaveLength(emu.stack('dep')?.events.length ?? -1);
      expect(sorted(ids)).toEqual(sorted(truth));
    } finally {
      timer.stop();
      await emu.close();
    }
  });

  it('the provider hands out the expired token again: UNAUTHORIZED APIGW.0301 naming the expiry', async () => {
    const { emu, client, timer, expireA, calls } = await setup(false);
    try {
      const { ids, error } = await drain(client.watchStackEvents('dep', { ...WATCH, pageSize: 5 }), (n) => {
        timer.step(n);
        if (n === 3) expireA();
      });
      const err = expectExpiryError(error, /security token has expired/);
      expect(err.providerCode).toBe('APIGW.0301');
      expect(calls()).toBe(2);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      timer.stop();
      await emu.close();
    }
  });
});

describe('credential expiry mid-watch: ParallelCluster API mode (credential provider)', () => {
  const A = {
    accessKeyId: 'AKIAEXPIRYAAAA000001',
    secretAccessKey: `${FAKE.awsSecret}A`,
    sessionToken: `${FAKE.awsSession}A`,
  };
  const B = {
    accessKeyId: 'AKIAEXPIRYBBBB000002',
    secretAccessKey: `${FAKE.awsSecret}B`,
    sessionToken: `${FAKE.awsSession}B`,
  };

  async function setup(rotate: boolean) {
    const accepted: Array<typeof A & { expiresAt?: number }> = [{ ...A }, { ...B }];
    const emu = await startParallelClusterEmulator({ credentials: accepted, requestStepMs: 5000 });
    const build = imageBuildFails(emu.world, { imageId: 'img-exp', buildSeconds: 60 });
    let calls = 0;
    const provider = async (): Promise<AwsCredentials> => {
      calls++;
      const c = rotate && calls > 1 ? B : A;
      return { ...c, expiration: new Date(Date.now() + 3_600_000) };
    };
    const client = new ParallelClusterClient({
      apiUrl: emu.apiUrl,
      signingRegion: emu.region,
      credentials: provider,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    });
    const expireA = () => {
      (accepted[0] as { expiresAt?: number }).expiresAt = 0;
    };
    return { emu, build, client, expireA, calls: () => calls };
  }

  it('credentials expire mid-watch: the provider is asked once more, every event once', async () => {
    const { emu, build, client, expireA, calls } = await setup(true);
    try {
      const { ids, error } = await drain(client.watchStackEvents({ imageId: 'img-exp' }, WATCH), (n) => {
        if (n === 5) expireA();
      });
      expect(error).toBeUndefined();
      expect(calls()).toBe(2);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(build.eventCount);
      const truth = (await client.listStackEvents({ imageId: 'img-exp' }).toArray({ limit: 10_000 })).map((e) => e.id);
      expect(sorted(ids)).toEqual(sorted(truth));
    } finally {
      await emu.close();
    }
  });

  it('the provider hands out the expired credentials again: UNAUTHORIZED ExpiredTokenException naming the expiry', async () => {
    const { emu, client, expireA, calls } = await setup(false);
    try {
      const { ids, error } = await drain(client.watchStackEvents({ imageId: 'img-exp' }, WATCH), (n) => {
        if (n === 5) expireA();
      });
      const err = expectExpiryError(error, /The security token included in the request is expired/);
      expect(err.providerCode).toBe('ExpiredTokenException');
      expect(err.message).toMatch(/AWS credentials expired/);
      expect(calls()).toBe(2);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await emu.close();
    }
  });
});

describe('credential expiry mid-watch: ParallelCluster direct mode (AWS SDK, credential provider)', () => {
  // The CloudFormation emulator does not check SigV4 itself: a fault rule plays the service and
  // answers ExpiredToken (awsQuery, HTTP 400) to every request signed with the expired key.
  const A = {
    accessKeyId: 'AKIAEXPIRYDDAA000001',
    secretAccessKey: `${FAKE.awsSecret}A`,
    sessionToken: `${FAKE.awsSession}A`,
  };
  const B = {
    accessKeyId: 'AKIAEXPIRYDDBB000002',
    secretAccessKey: `${FAKE.awsSecret}B`,
    sessionToken: `${FAKE.awsSession}B`,
  };

  async function setup(rotate: boolean) {
    const emu = await startParallelClusterEmulator({ credentials: [A, B], requestStepMs: 5000 });
    const build = imageBuildFails(emu.world, { imageId: 'img-exp', buildSeconds: 60 });
    let expired = false;
    emu.servers.cloudformation.faults.inject(
      {
        kind: 'status',
        status: 400,
        headers: { 'content-type': 'text/xml' },
        body: '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>5f0c1a2b-0000-4000-8000-000000000002</RequestId></ErrorResponse>',
      },
      {
        match: (r) => expired && String(r.headers.authorization ?? '').includes(`Credential=${A.accessKeyId}/`),
        times: Number.POSITIVE_INFINITY,
      },
    );
    // Credentials inside the SDK's 5-minute window: the SDK asks for them again before each request.
    const provider = async () => ({ ...(rotate && expired ? B : A), expiration: new Date(Date.now() + 60_000) });
    const client = new ParallelClusterClient({
      mode: 'direct',
      region: emu.region,
      credentials: provider,
      endpoints: emu.endpoints,
      maxAttempts: 3,
    });
    return {
      emu,
      build,
      client,
      expireA: () => {
        expired = true;
      },
    };
  }

  it("credentials expire mid-watch: the provider's new ones are used, every event once", async () => {
    const { emu, build, client, expireA } = await setup(true);
    try {
      const { ids, error } = await drain(client.watchStackEvents({ imageId: 'img-exp' }, WATCH), (n) => {
        if (n === 5) expireA();
      });
      expect(error).toBeUndefined();
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(build.eventCount);
      const truth = (await client.listStackEvents({ imageId: 'img-exp' }).toArray({ limit: 10_000 })).map((e) => e.id);
      expect(sorted(ids)).toEqual(sorted(truth));
      const keys = emu.servers.cloudformation.requests.map(
        (r) => /Credential=([A-Z0-9]+)\//.exec(String(r.headers.authorization))?.[1],
      );
      expect(keys).toContain(A.accessKeyId);
      expect(keys.at(-1)).toBe(B.accessKeyId);
    } finally {
      await emu.close();
    }
  });

  it('the provider hands out the expired credentials again: UNAUTHORIZED ExpiredToken naming the expiry', async () => {
    const { emu, client, expireA } = await setup(false);
    try {
      const { ids, error } = await drain(client.watchStackEvents({ imageId: 'img-exp' }, WATCH), (n) => {
        if (n === 5) expireA();
      });
      const err = expectExpiryError(error, /The security token included in the request is expired/);
      expect(err.providerCode).toBe('ExpiredToken');
      expect(err.message).toMatch(/AWS credentials expired/);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await emu.close();
    }
  });
});

describe('credential expiry mid-watch: Image Builder (AWS SDK credential provider)', () => {
  const A = {
    accessKeyId: 'AKIAEXPIRYIBAA000001',
    secretAccessKey: `${FAKE.awsSecret}A`,
    sessionToken: `${FAKE.awsSession}A`,
  };
  const B = {
    accessKeyId: 'AKIAEXPIRYIBBB000002',
    secretAccessKey: `${FAKE.awsSecret}B`,
    sessionToken: `${FAKE.awsSession}B`,
  };

  async function setup(rotate: boolean) {
    const accepted: Array<typeof A & { expiresAt?: number }> = [{ ...A }, { ...B }];
    const emu = await startImageBuilderEmulator({
      auth: { credentials: accepted },
      scenarios: ['lifecycleDeprecateThenDelete'],
    });
    const t = emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    const clock = emu.clock as ManualClock;
    clock.set(t.deprecatedBy);
    let rotated = false;
    // Credentials that expire within the SDK's 5-minute window: it asks again before each request.
    const provider = async () => ({
      ...(rotated ? B : A),
      expiration: new Date(Date.now() + 60_000),
    });
    const client = new ImageBuilderClient({
      region: 'us-east-1',
      endpoint: emu.url,
      credentials: provider,
      maxAttempts: 3,
    });
    const expireA = () => {
      (accepted[0] as { expiresAt?: number }).expiresAt = 0;
      if (rotate) rotated = true;
      clock.set(t.endAt + 60_000);
    };
    return { emu, t, client, expireA };
  }

  it("credentials expire mid-watch: the SDK takes the provider's new ones, every event once", async () => {
    const { emu, t, client, expireA } = await setup(true);
    const list = async () =>
      (await client.listLifecycleExecutionEvents(t.executionId).toArray({ limit: 10_000 })).map((e) => e.id);
    try {
      // Lifecycle resource events are content-identified: the watch sees the states at the moment
      // it starts and the final ones, i.e. the union of the listings at both clock positions.
      const before = await list();
      emu.server.requests.length = 0;
      const { ids, error } = await drain(client.watchLifecycleExecution(t.executionId, WATCH), (n) => {
        if (n === 1) expireA();
      });
      expect(error).toBeUndefined();
      expect(new Set(ids).size).toBe(ids.length);
      const truth = new Set([...before, ...(await list())]);
      expect(sorted(ids)).toEqual(sorted([...truth]));
      const keys = emu.server.requests.map(
        (r) => /Credential=([A-Z0-9]+)\//.exec(String(r.headers.authorization))?.[1],
      );
      expect(keys).toContain(A.accessKeyId);
      expect(keys.at(-1)).toBe(B.accessKeyId);
    } finally {
      client.close();
      await emu.close();
    }
  });

  it('the provider hands out the expired credentials again: UNAUTHORIZED ExpiredTokenException naming the expiry', async () => {
    const { emu, t, client, expireA } = await setup(false);
    try {
      const { ids, error } = await drain(client.watchLifecycleExecution(t.executionId, WATCH), (n) => {
        if (n === 1) expireA();
      });
      const err = expectExpiryError(error, /The security token included in the request is expired/);
      expect(err.providerCode).toBe('ExpiredTokenException');
      expect(err.message).toMatch(/AWS credentials expired/);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      client.close();
      await emu.close();
    }
  });
});
