/**
 * Issue 8, security: redirects and TLS, per provider (ParallelCluster in both modes).
 *
 * - A 302/307 to another origin never delivers a credential header there: core's transport refuses
 *   to follow it (INVALID_RESPONSE naming the other origin); the AWS SDK clients (Image Builder,
 *   ParallelCluster direct mode) follow no redirect at all, so the other origin hears nothing.
 * - A same-origin 307 is followed and re-signed by core's transport (the emulator verifies the
 *   signature / token of the redirected request); the AWS SDK does not follow it (AWS APIs do
 *   not redirect): a typed error, nothing else.
 * - A self-signed loopback HTTPS endpoint is refused by default (before any request is sent) and
 *   accepted with `tls: { ca }` or `tls: { insecure: true }`.
 */
import { readFileSync } from 'node:fs';
import { type IncomingHttpHeaders, createServer, request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { StackfeedError, type TlsOptions } from '@stackfeed/core';
import type { EmulatorServer } from '@stackfeed/emulator';
import { createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import {
  type LifecycleDeprecateDeleteTruth,
  type ManualClock,
  startImageBuilderEmulator,
} from '@stackfeed/emulator/imagebuilder';
import { imageBuildFails, startParallelClusterEmulator } from '@stackfeed/emulator/parallelcluster';
import { largeStack, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { RfsClient } from '@stackfeed/huawei-rfs';
import { HeatClient } from '@stackfeed/openstack-heat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE } from './harness.js';

const CERT = readFileSync(new URL('./fixtures/loopback-cert.pem', import.meta.url), 'utf8');
const KEY = readFileSync(new URL('./fixtures/loopback-key.pem', import.meta.url), 'utf8');

/** Header names that carry a credential or a signature in any of the four providers. */
const CREDENTIAL_HEADERS = [
  'authorization',
  'x-auth-token',
  'x-security-token',
  'x-amz-security-token',
  'x-amz-date',
  'x-sdk-date',
  'cookie',
];

interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

interface Listener {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

function listen(
  server: ReturnType<typeof createServer>,
  scheme: 'http' | 'https',
  requests: Recorded[],
): Promise<Listener> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `${scheme}://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}

/** Another origin that records whatever reaches it and answers 200 {}. */
function collector(): Promise<Listener> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  return listen(server, 'http', requests);
}

/** A self-signed HTTPS front for an http upstream: bytes through unchanged, Host header included. */
function httpsFront(upstream: string): Promise<Listener> {
  const up = new URL(upstream);
  const requests: Recorded[] = [];
  const server = createHttpsServer({ key: KEY, cert: CERT }, (req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    const fwd = httpRequest(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      },
    );
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  return listen(server as unknown as ReturnType<typeof createServer>, 'https', requests);
}

interface Target {
  /** The emulator server the call goes to (redirect faults are injected there). */
  server: EmulatorServer;
  isApi(path: string): boolean;
  /** One read call against `base` (the emulator, or an HTTPS front for it). */
  call(base: string, tls?: TlsOptions): Promise<unknown>;
  /** The AWS SDK does the HTTP (follows no redirect). */
  sdk: boolean;
  close(): Promise<void>;
}

interface Provider {
  name: string;
  start(): Promise<Target>;
}

const PROVIDERS: Provider[] = [
  {
    name: 'openstack-heat',
    async start() {
      const emu = await startHeatEmulator({
        tenant: 'p-conf',
        keystone: { users: [{ name: 'conf-user', password: FAKE.ksPassword, project: 'conf', projectId: 'p-conf' }] },
      });
      // Addressed by name and id: by name alone Heat answers a 302 built from the emulator's own
      // origin, which the HTTPS front below is not.
      const stack = emu.addStack('web', createScript('web', [{ name: 'r0' }], { stepMs: 100 }));
      emu.advance(60_000);
      return {
        server: emu.server,
        isApi: (p) => !p.startsWith('/v3'),
        sdk: false,
        call: (base, tls) =>
          new HeatClient({
            auth: {
              type: 'password',
              authUrl: `${base}/v3`,
              username: 'conf-user',
              password: FAKE.ksPassword,
              userDomainName: 'Default',
              projectName: 'conf',
              projectDomainName: 'Default',
            },
            endpoint: `${base}/v1/p-conf`,
            retry: { maxAttempts: 1 },
            ...(tls ? { tls } : {}),
          })
            .listStackEvents({ name: 'web', id: stack.id })
            .toArray({ limit: 100 }),
        close: () => emu.close(),
      };
    },
  },
  {
    name: 'huawei-rfs',
    async start() {
      const emu = await startRfsEmulator({
        credentials: { aksk: [{ accessKey: FAKE.hwAk, secretKey: FAKE.hwSk, securityToken: FAKE.hwToken }] },
        scenarios: [largeStack({ stackName: 'big', eventCount: 5 })],
        akLockout: false,
      });
      emu.finish();
      return {
        server: emu.server,
        isApi: (p) => !p.startsWith('/v3/auth'),
        sdk: false,
        call: (base, tls) =>
          new RfsClient({
            region: 'cn-north-4',
            projectId: emu.projectId,
            endpoint: base,
            credentials: { accessKey: FAKE.hwAk, secretKey: FAKE.hwSk, securityToken: FAKE.hwToken },
            retry: { maxAttempts: 1 },
            env: {},
            ...(tls ? { tls } : {}),
          }).getStack('big'),
        close: () => emu.close(),
      };
    },
  },
  {
    name: 'aws-parallelcluster (API mode)',
    async start() {
      const creds = { accessKeyId: FAKE.awsAccessKey, secretAccessKey: FAKE.awsSecret, sessionToken: FAKE.awsSession };
      const emu = await startParallelClusterEmulator({ credentials: [creds] });
      imageBuildFails(emu.world, { imageId: 'img-tls', buildSeconds: 60 });
      emu.world.advance(10 * 60_000);
      return {
        server: emu.servers.api,
        isApi: () => true,
        sdk: false,
        call: (base, tls) =>
          new ParallelClusterClient({
            apiUrl: `${base}/prod`,
            signingRegion: emu.region,
            credentials: creds,
            retry: { maxAttempts: 1 },
            ...(tls ? { tls } : {}),
          }).describeImage('img-tls'),
        close: () => emu.close(),
      };
    },
  },
  {
    name: 'aws-parallelcluster (direct mode)',
    async start() {
      const creds = { accessKeyId: FAKE.awsAccessKey, secretAccessKey: FAKE.awsSecret, sessionToken: FAKE.awsSession };
      const emu = await startParallelClusterEmulator({ credentials: [creds] });
      imageBuildFails(emu.world, { imageId: 'img-tls', buildSeconds: 60 });
      emu.world.advance(10 * 60_000);
      return {
        server: emu.servers.cloudformation,
        isApi: () => true,
        sdk: true,
        call: async (base, tls) => {
          const client = new ParallelClusterClient({
            mode: 'direct',
            region: emu.region,
            credentials: creds,
            endpoints: { ...emu.endpoints, cloudformation: base },
            maxAttempts: 1,
            ...(tls ? { tls } : {}),
          });
          return client.listImageStackEvents('img-tls').toArray({ limit: 1000 });
        },
        close: () => emu.close(),
      };
    },
  },
  {
    name: 'aws-imagebuilder',
    async start() {
      const creds = { accessKeyId: FAKE.awsAccessKey, secretAccessKey: FAKE.awsSecret, sessionToken: FAKE.awsSession };
      const emu = await startImageBuilderEmulator({
        auth: { credentials: [creds] },
        scenarios: ['lifecycleDeprecateThenDelete'],
      });
      const t = emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
      (emu.clock as ManualClock).set(t.endAt + 60_000);
      return {
        server: emu.server,
        isApi: () => true,
        sdk: true,
        call: async (base, tls) => {
          const client = new ImageBuilderClient({
            region: 'us-east-1',
            endpoint: base,
            credentials: creds,
            maxAttempts: 1,
            ...(tls ? { tls } : {}),
          });
          try {
            return await client.getLifecycleExecution(t.executionId);
          } finally {
            client.close();
          }
        },
        close: () => emu.close(),
      };
    },
  },
];

async function failure(p: Promise<unknown>): Promise<StackfeedError> {
  try {
    await p;
  } catch (err) {
    expect(StackfeedError.is(err), String(err)).toBe(true);
    return err as StackfeedError;
  }
  throw new Error('expected the call to fail');
}

const credentialHeadersIn = (reqs: Recorded[]) =>
  reqs.flatMap((r) => CREDENTIAL_HEADERS.filter((h) => r.headers[h] !== undefined).map((h) => `${r.path}: ${h}`));

describe.each(PROVIDERS)('redirects and TLS: $name', (p) => {
  let target: Target;
  let other: Listener;
  beforeAll(async () => {
    target = await p.start();
    other = await collector();
    // The unfaulted call works (so every failure below is the redirect's or the certificate's).
    await target.call(target.server.url);
  });
  afterAll(async () => {
    await other.close();
    await target.close();
  });

  for (const status of [302, 307]) {
    it(`a ${status} to another origin: a typed error, and no credential header reaches that origin`, async () => {
      other.requests.length = 0;
      target.server.faults.inject(
        { kind: 'status', status, headers: { location: `${other.url}/elsewhere?x=1` }, body: '' },
        { match: (r) => target.isApi(r.rawPath), times: 1 },
      );
      const err = await failure(target.call(target.server.url));
      target.server.faults.clear();
      expect(credentialHeadersIn(other.requests)).toEqual([]);
      if (!target.sdk) {
        // core's transport does not follow at all, and says where it was sent.
        expect(other.requests).toEqual([]);
        expect(err.code).toBe('INVALID_RESPONSE');
        expect(err.message).toContain(new URL(other.url).origin);
      }
    });
  }

  it('a 307 to the same origin: followed and signed again (core transport); a typed error from the AWS SDK', async () => {
    // Redirect to the very URL asked for: the emulator then checks the redirected request's credentials.
    const headers: Record<string, string> = {};
    let redirected = 0;
    target.server.faults.inject(
      { kind: 'status', status: 307, headers, body: '' },
      {
        match: (r) => {
          if (!target.isApi(r.rawPath)) return false;
          headers.location = `${target.server.url}${r.rawPath}${r.rawQuery ? `?${r.rawQuery}` : ''}`;
          redirected++;
          return true;
        },
        times: 1,
      },
    );
    const before = target.server.requests.length;
    let result: unknown;
    let error: unknown;
    try {
      result = await target.call(target.server.url);
    } catch (e) {
      error = e;
    }
    target.server.faults.clear();
    expect(redirected).toBe(1);
    if (target.sdk) {
      expect(StackfeedError.is(error), String(error)).toBe(true);
    } else {
      expect(error, String(error)).toBeUndefined();
      expect(result).toBeDefined();
      const after = target.server.requests.slice(before);
      const redirects = after.filter((r) => r.path === new URL(headers.location as string).pathname);
      expect(redirects.length).toBeGreaterThanOrEqual(2);
      // The follow-up carried credentials again (it was accepted, so they were valid).
      expect(CREDENTIAL_HEADERS.some((h) => (redirects.at(-1) as { headers: IncomingHttpHeaders }).headers[h])).toBe(
        true,
      );
    }
  });

  describe('a self-signed loopback HTTPS endpoint', () => {
    let front: Listener;
    beforeAll(async () => {
      front = await httpsFront(target.server.url);
    });
    afterAll(() => front.close());

    it('is refused by default: a typed NETWORK error naming TLS, and no request was sent', async () => {
      front.requests.length = 0;
      const err = await failure(target.call(front.url));
      expect(err.code).toBe('NETWORK');
      expect(err.message).toMatch(/TLS|certificate|self[- ]signed/i);
      expect(front.requests).toEqual([]);
    });

    it('is accepted with tls.ca', async () => {
      front.requests.length = 0;
      await expect(target.call(front.url, { ca: CERT })).resolves.toBeDefined();
      expect(front.requests.length).toBeGreaterThan(0);
    });

    it('is accepted with tls.insecure', async () => {
      await expect(target.call(front.url, { insecure: true })).resolves.toBeDefined();
    });
  });
});
