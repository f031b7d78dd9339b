/**
 * One small "harness" per provider: start its emulator, build a client with recognisable fake
 * credentials, and expose the same list / page / get / watch operations, so every conformance
 * suite runs the same checks against every adapter.
 */
import type { EmulatorRequest, EmulatorServer } from '@stackfeed/emulator';
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import type { Paginator } from '@stackfeed/core';
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

/** Fake credentials, recognisable in any output (none of them is a real key). */
export const FAKE = {
  awsAccessKey: 'AKIACONFORMANCE7Q3Z',
  awsSecret: 'confSecretKEY/zzLEAKzz/0123456789abcdefXYZ',
  awsSession: 'confSessionTOKENzzLEAKzzIQoJb3JpZ2luX2VjEOr',
  hwAk: 'HWCONFORMANCEAK0042',
  hwSk: 'hwConfSecretzzLEAKzzSK0123456789abcdefgh',
  hwToken: 'hwConfSecurityTOKENzzLEAKzzgQpjbi1ub3J0',
  iamPassword: 'IamPasszzLEAKzz!9',
  ksPassword: 'KsPasszzLEAKzz#7',
  ksToken: 'gAAAAAconformanceKEYSTONEzzLEAKzzTOKEN',
} as const;

export type Op = 'list' | 'page' | 'get' | 'watch';

/**
 * Continuation tokens are signed per client (`tokenKey`, random by default), and `rebuild()` makes
 * a new client: the Heat and ParallelCluster harnesses give every rebuilt client this one key, so
 * the 'page' cases can resume a token of the first client.
 */
const SHARED_TOKEN_KEY = 'conformance-shared-token-key';

export interface LogSink {
  entries: unknown[];
  logger: (e: unknown) => void;
}

export function logSink(): LogSink {
  const entries: unknown[] = [];
  return { entries, logger: (e) => entries.push(e) };
}

export interface ClientTuning {
  maxAttempts?: number;
  timeoutMs?: number;
  logger?: (e: unknown) => void;
}

/** A running emulator plus one client against it. */
export interface Ctx {
  /** The server every operation below talks to (faults go here). */
  server: EmulatorServer;
  /** Which requests belong to the provider API (not auth/token calls). */
  isApi(r: { path: string }): boolean;
  /** Secrets the client was given or obtained (tokens), to look for in outputs. */
  secrets(): string[];
  /**
   * Paginator of the list operation (default order: oldest first). `order: 'newest-first'` asks
   * for the provider's native order, where the client has that option (RFS, ParallelCluster):
   * pages then come as the server sends them instead of one re-ordered read of the whole listing.
   */
  paginator(pageSize?: number, order?: 'newest-first'): Paginator<{ id: string }>;
  /** Ids of every item the list operation should return (ground truth). */
  truth(): string[];
  pageSize: number;
  get(): Promise<unknown>;
  /** Watch a finished deployment to the end; returns the yielded event ids. */
  watch(): Promise<string[]>;
  /**
   * Calls with credentials the emulator itself rejects (wrong password / secret / token), each
   * with the secrets it used; every one must fail.
   */
  rejected(): Array<{ label: string; call: () => Promise<unknown>; secrets: string[] }>;
  /**
   * Calls that put a caller-given name into the URL, and where the server should find it: a path
   * segment counted from the path's end (`fromEnd` 0 = last) or a query parameter (optionally on a
   * path of exactly `segments` segments). `where` may depend on the name.
   */
  targets(): InjectionTarget[];
  /** Build another client (e.g. with other tuning or bad credentials). */
  rebuild(t: ClientTuning): void;
  close(): Promise<void>;
}

export interface InjectionTarget {
  label: string;
  call: (name: string) => Promise<unknown>;
  where: InjectionWhere | ((name: string) => InjectionWhere);
}

export type InjectionWhere = { fromEnd: number; segments: number } | { query: string; segments?: number };

export interface Harness {
  name: 'openstack-heat' | 'huawei-rfs' | 'aws-parallelcluster' | 'aws-imagebuilder';
  /** Retries go through the AWS SDK (not core's transport). */
  sdkRetry: boolean;
  /** Accepts a per-attempt timeout option. */
  hasTimeout: boolean;
  /** Accepts a `logger`. */
  hasLogger: boolean;
  start(t?: ClientTuning): Promise<Ctx>;
}

const fastRetry = (t: ClientTuning) => ({ maxAttempts: t.maxAttempts ?? 3, baseDelayMs: 1, maxDelayMs: 5 });
const opt = <K extends string, V>(k: K, v: V | undefined) => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));

async function drainWatch(stream: AsyncIterable<{ id: string }>): Promise<string[]> {
  const ids: string[] = [];
  for await (const ev of stream) ids.push(ev.id);
  return ids;
}

const WATCH = { pollIntervalMs: 20, maxPollIntervalMs: 40, maxConsecutiveErrors: 2 } as const;

// ------------------------------------------------------------------------------------------
// OpenStack Heat (Keystone password auth, so tokens and passwords are in play)

const heat: Harness = {
  name: 'openstack-heat',
  sdkRetry: false,
  hasTimeout: true,
  hasLogger: true,
  async start(t0 = {}) {
    const emu = await startHeatEmulator({
      tenant: 'p-conf',
      keystone: { users: [{ name: 'conf-user', password: FAKE.ksPassword, project: 'conf', projectId: 'p-conf' }] },
    });
    const resources = Array.from({ length: 12 }, (_, i) => ({ name: `r${i}` }));
    const stack = emu.addStack('web', createScript('web', resources, { stepMs: 100 }), {
      id: '11111111-1111-4111-8111-111111111111',
    });
    emu.advance(600_000);
    let client!: HeatClient;
    const rebuild = (t: ClientTuning) => {
      client = new HeatClient({
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
        tokenKey: SHARED_TOKEN_KEY,
        retry: fastRetry(t),
        ...opt('timeoutMs', t.timeoutMs),
        ...opt('logger', t.logger),
      });
    };
    rebuild(t0);
    return {
      server: emu.server,
      isApi: (r) => !r.path.startsWith('/v3'),
      secrets: () => [
        FAKE.ksPassword,
        ...new Set(
          emu.server.requests.map((r) => r.headers['x-auth-token']).filter((v): v is string => typeof v === 'string'),
        ),
      ],
      paginator: (pageSize = 7) => client.listStackEvents('web', { pageSize }) as Paginator<{ id: string }>,
      truth: () => emu.visibleEvents(stack).map((e) => String(e.id)),
      pageSize: 7,
      get: () => client.getStack('web'),
      watch: () => drainWatch(client.watchStackEvents('web', { ...WATCH, pageSize: 7 })),
      targets: () => [
        {
          label: 'stack name',
          call: (n) => client.getStack(n),
          where: { fromEnd: 0, segments: 5 },
        },
        {
          label: 'resource name',
          call: (n) => client.listResourceEvents({ name: 'web', id: stack.id }, n).toArray({ limit: 10 }),
          // Heat reads path bytes as Latin-1 (its resource path 404s for a non-ASCII name): such a
          // name goes to the stack's /v1/<tenant>/stacks/web/<id>/events?resource_name=<name>.
          where: (n) =>
            /[\u0080-\u{10ffff}]/u.test(n) ? { query: 'resource_name', segments: 7 } : { fromEnd: 1, segments: 9 },
        },
      ],
      rejected: () => [
        {
          label: 'keystone token',
          secrets: [FAKE.ksToken],
          call: () =>
            new HeatClient({
              auth: { type: 'token', token: FAKE.ksToken, authUrl: emu.keystoneUrl, projectName: 'conf' },
              endpoint: emu.heatUrl,
              retry: { maxAttempts: 1 },
            })
              .listStackEvents('web')
              .toArray({ limit: 10 }),
        },
        {
          label: 'keystone password',
          secrets: [`x${FAKE.ksPassword}`],
          call: () =>
            new HeatClient({
              auth: {
                type: 'password',
                authUrl: emu.keystoneUrl,
                username: 'conf-user',
                password: `x${FAKE.ksPassword}`,
                userDomainName: 'Default',
                projectName: 'conf',
                projectDomainName: 'Default',
              },
              endpoint: emu.heatUrl,
              retry: { maxAttempts: 1 },
            }).getStack('web'),
        },
      ],
      rebuild,
      close: () => emu.close(),
    };
  },
};

// ------------------------------------------------------------------------------------------
// Huawei RFS (temporary AK/SK + security token)

const rfs: Harness = {
  name: 'huawei-rfs',
  sdkRetry: false,
  hasTimeout: true,
  hasLogger: true,
  async start(t0 = {}) {
    const emu = await startRfsEmulator({
      credentials: {
        aksk: [{ accessKey: FAKE.hwAk, secretKey: FAKE.hwSk, securityToken: FAKE.hwToken }],
        users: [{ userName: 'conf', password: FAKE.iamPassword, domainName: 'conf-domain' }],
      },
      scenarios: [largeStack({ stackName: 'big', eventCount: 60 })],
      akLockout: false,
    });
    emu.finish();
    let client!: RfsClient;
    const rebuild = (t: ClientTuning) => {
      client = new RfsClient({
        region: 'cn-north-4',
        projectId: emu.projectId,
        endpoint: emu.url,
        credentials: { accessKey: FAKE.hwAk, secretKey: FAKE.hwSk, securityToken: FAKE.hwToken },
        retry: fastRetry(t),
        env: {},
        // Tokens are signed per client: rebuilt clients share a key so a token resumes across them.
        tokenKey: 'conformance-rfs-token-key',
        ...opt('timeoutMs', t.timeoutMs),
        ...opt('logger', t.logger),
      });
    };
    rebuild(t0);
    let truth: string[] | undefined;
    const ctx: Ctx = {
      server: emu.server,
      isApi: (r) => !r.path.startsWith('/v3/auth'),
      secrets: () => [FAKE.hwAk, FAKE.hwSk, FAKE.hwToken, FAKE.iamPassword, ...signatures(emu.server)],
      paginator: (pageSize = 25, order) =>
        client.listStackEvents('big', { pageSize, ...opt('order', order) }) as Paginator<{ id: string }>,
      truth: () => truth ?? [],
      pageSize: 25,
      get: () => client.getStack('big'),
      watch: () => drainWatch(client.watchStackEvents('big', { ...WATCH, pageSize: 25 })),
      targets: () => [
        { label: 'stack name', call: (n) => client.getStack(n), where: { fromEnd: 1, segments: 6 } },
        {
          label: 'stack name (events)',
          call: (n) => client.listStackEvents(n).toArray({ limit: 10 }),
          where: { fromEnd: 1, segments: 6 },
        },
      ],
      rejected: () => [
        {
          label: 'IAM password',
          secrets: [`x${FAKE.iamPassword}`],
          call: () =>
            new RfsClient({
              region: 'cn-north-4',
              projectId: emu.projectId,
              endpoint: emu.url,
              iamEndpoint: emu.url,
              credentials: {
                password: { userName: 'conf', password: `x${FAKE.iamPassword}`, domainName: 'conf-domain' },
              },
              retry: { maxAttempts: 1 },
              env: {},
            }).getStack('big'),
        },
        {
          label: 'AK/SK with a wrong SK',
          secrets: [FAKE.hwAk, `x${FAKE.hwSk}`, FAKE.hwToken],
          call: () =>
            new RfsClient({
              region: 'cn-north-4',
              projectId: emu.projectId,
              endpoint: emu.url,
              credentials: { accessKey: FAKE.hwAk, secretKey: `x${FAKE.hwSk}`, securityToken: FAKE.hwToken },
              retry: { maxAttempts: 1 },
              env: {},
            })
              .listStackEvents('big')
              .toArray({ limit: 10 }),
        },
      ],
      rebuild,
      close: () => emu.close(),
    };
    // RFS events carry no ids: the content-hash ids of an unfaulted run are the ground truth,
    // checked against the emulator's own event count.
    truth = (await ctx.paginator(1000).toArray({ limit: 10_000 })).map((e) => e.id);
    if (truth.length !== emu.stack('big')?.events.length) throw new Error('rfs truth mismatch');
    emu.server.requests.length = 0;
    return ctx;
  },
};

// ------------------------------------------------------------------------------------------
// AWS ParallelCluster (API mode: SigV4 with a session token)

const pcluster: Harness = {
  name: 'aws-parallelcluster',
  sdkRetry: false,
  hasTimeout: true,
  hasLogger: true,
  async start(t0 = {}) {
    const creds = { accessKeyId: FAKE.awsAccessKey, secretAccessKey: FAKE.awsSecret, sessionToken: FAKE.awsSession };
    const emu = await startParallelClusterEmulator({ credentials: [creds], eventsPageSize: 5, stacksPageSize: 1 });
    // A failed build keeps its stack (ROLLBACK_COMPLETE): events to list, a terminal state to watch.
    const build = imageBuildFails(emu.world, { imageId: 'img-conf', buildSeconds: 60 });
    emu.world.advance(build.endsAt + 1000 - emu.world.now());
    let client!: ParallelClusterClient;
    const rebuild = (t: ClientTuning) => {
      client = new ParallelClusterClient({
        apiUrl: emu.apiUrl,
        signingRegion: emu.region,
        credentials: creds,
        tokenKey: SHARED_TOKEN_KEY,
        retry: fastRetry(t),
        ...opt('timeoutMs', t.timeoutMs),
        ...opt('logger', t.logger),
      });
    };
    rebuild(t0);
    let truth: string[] | undefined;
    const ctx: Ctx = {
      server: emu.servers.api,
      isApi: () => true,
      secrets: () => [FAKE.awsAccessKey, FAKE.awsSecret, FAKE.awsSession, ...signatures(emu.servers.api)],
      paginator: (_pageSize, order) =>
        client.listStackEvents({ imageId: 'img-conf' }, opt('order', order)) as Paginator<{ id: string }>,
      truth: () => truth ?? [],
      pageSize: 5,
      get: () => client.describeImage('img-conf'),
      watch: () => drainWatch(client.watchStackEvents({ imageId: 'img-conf' }, WATCH)),
      targets: () => [
        { label: 'image id', call: (n) => client.describeImage(n), where: { fromEnd: 0, segments: 6 } },
        {
          label: 'log stream name',
          call: (n) => client.listImageLogEvents('img-conf', n).toArray({ limit: 10 }),
          where: { fromEnd: 0, segments: 8 },
        },
      ],
      rejected: () => [
        {
          label: 'SigV4 with a wrong secret',
          secrets: [FAKE.awsAccessKey, `x${FAKE.awsSecret}`, FAKE.awsSession],
          call: () =>
            new ParallelClusterClient({
              apiUrl: emu.apiUrl,
              signingRegion: emu.region,
              credentials: { ...creds, secretAccessKey: `x${FAKE.awsSecret}` },
              retry: { maxAttempts: 1 },
            }).describeImage('img-conf'),
        },
      ],
      rebuild,
      close: () => emu.close(),
    };
    // Event ids are CloudFormation's EventIds: compare with the world's stack events.
    truth = (await ctx.paginator().toArray({ limit: 10_000 })).map((e) => e.id);
    if (new Set(truth).size !== truth.length || truth.length !== build.eventCount) {
      throw new Error(`pcluster truth mismatch ${truth.length} ${build.eventCount}`);
    }
    emu.servers.api.requests.length = 0;
    return ctx;
  },
};

// ------------------------------------------------------------------------------------------
// AWS EC2 Image Builder (the AWS SDK, with a session token)

const imagebuilder: Harness = {
  name: 'aws-imagebuilder',
  sdkRetry: true,
  hasTimeout: true,
  hasLogger: false,
  async start(t0 = {}) {
    const creds = { accessKeyId: FAKE.awsAccessKey, secretAccessKey: FAKE.awsSecret, sessionToken: FAKE.awsSession };
    const emu = await startImageBuilderEmulator({
      auth: { credentials: [creds] },
      scenarios: ['lifecycleDeprecateThenDelete'],
    });
    const t = emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    (emu.clock as ManualClock).set(t.endAt + 60_000);
    let client!: ImageBuilderClient;
    const rebuild = (tt: ClientTuning) => {
      client?.close();
      client = new ImageBuilderClient({
        region: 'us-east-1',
        endpoint: emu.url,
        credentials: creds,
        // One key across rebuilds: the 'page' cases resume a token of the first client.
        tokenKey: 'conformance fault-matrix token key',
        maxAttempts: tt.maxAttempts ?? 3,
        ...(tt.timeoutMs !== undefined ? { timeoutMs: tt.timeoutMs } : {}),
      });
    };
    rebuild(t0);
    let truth: string[] | undefined;
    const ctx: Ctx = {
      server: emu.server,
      isApi: () => true,
      secrets: () => [FAKE.awsAccessKey, FAKE.awsSecret, FAKE.awsSession, ...signatures(emu.server)],
      paginator: (pageSize = 25) =>
        client.listLifecycleExecutionEvents(t.executionId, { pageSize }) as Paginator<{ id: string }>,
      truth: () => truth ?? [],
      pageSize: 25,
      get: () => client.getLifecycleExecution(t.executionId),
      watch: () => drainWatch(client.watchLifecycleExecution(t.executionId, WATCH)),
      targets: () => [
        {
          label: 'lifecycle execution id',
          call: (n) => client.getLifecycleExecution(n),
          where: { query: 'lifecycleExecutionId' },
        },
        { label: 'image ARN', call: (n) => client.getImage(n), where: { query: 'imageBuildVersionArn' } },
      ],
      rejected: () => [
        {
          label: 'SigV4 with a wrong secret',
          secrets: [FAKE.awsAccessKey, `x${FAKE.awsSecret}`, FAKE.awsSession],
          call: async () => {
            const bad = new ImageBuilderClient({
              region: 'us-east-1',
              endpoint: emu.url,
              credentials: { ...creds, secretAccessKey: `x${FAKE.awsSecret}` },
              maxAttempts: 1,
            });
            try {
              return await bad.getLifecycleExecution(t.executionId);
            } finally {
              bad.close();
            }
          },
        },
      ],
      rebuild,
      close: async () => {
        client.close();
        await emu.close();
      },
    };
    truth = (await ctx.paginator().toArray({ limit: 10_000 })).map((e) => e.id);
    if (new Set(truth).size !== truth.length || truth.length < 26) throw new Error('imagebuilder truth mismatch');
    emu.server.requests.length = 0;
    return ctx;
  },
};

/** Every signature value the server received (SigV4 / SDK-HMAC-SHA256 `Signature=`). */
export function signatures(server: EmulatorServer): string[] {
  const out = new Set<string>();
  for (const r of server.requests) {
    const auth = r.headers.authorization;
    const m = typeof auth === 'string' ? /Signature=([0-9a-f]+)/i.exec(auth) : null;
    if (m?.[1]) out.add(m[1]);
  }
  return [...out];
}

export const HARNESSES: Harness[] = [heat, rfs, pcluster, imagebuilder];

export type Match = (r: EmulatorRequest) => boolean;
