/**
 * Issue 13: the five provider targets of the hardening rows (Heat, RFS, ParallelCluster API mode,
 * ParallelCluster direct mode, Image Builder), each an emulator with a deployment that is either
 * finished or halfway (`live`), and one client built with the hardening options under test
 * (`maxResponseBytes`, `timeoutMs`, `totalTimeoutMs`, `tokenKey`, retry tuning).
 */
import { createHash } from 'node:crypto';
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import type { Paginator } from '@stackfeed/core';
import type { EmulatorRequest, EmulatorServer } from '@stackfeed/emulator';
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
import { FAKE } from '../harness.js';

export type TargetName = 'heat' | 'rfs' | 'pcluster-api' | 'pcluster-direct' | 'imagebuilder';

/** Client options under test. Passed through as given: the names are core's (issue 13). */
export interface Tuning {
  maxAttempts?: number;
  /** Back-off between attempts (core's retry policy). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  totalTimeoutMs?: number;
  maxResponseBytes?: number;
  tokenKey?: string;
  /** RFS only: authenticate with an IAM password (the IAM endpoint is the emulator) instead of AK/SK. */
  iamPassword?: boolean;
}

export interface TargetCtx {
  name: TargetName;
  /** The server that answers the listing (faults go here). */
  server: EmulatorServer;
  /** Provider API requests (not Keystone / IAM token calls). */
  isApi(r: { rawPath: string } | { path: string }): boolean;
  /** The event-listing requests. */
  isList(r: EmulatorRequest): boolean;
  /** The listing's body is JSON, with its event array at `listPath` (dot-separated). */
  json: boolean;
  listPath: string;
  /** The listing's next-token field and how a request carries it (JSON targets using tokens). */
  nextToken?: { field: string; sent: (r: EmulatorRequest) => string | undefined };
  /** The event listing; `more` goes into the call's options (e.g. `signal`). */
  list(pageSize?: number, more?: Record<string, unknown>): Paginator<{ id: string }>;
  pageSize: number;
  watch(opts: Record<string, unknown>): AsyncIterable<{ id: string }>;
  /** Bring a live deployment to its terminal state (a no-op when already finished). */
  toEnd(): void;
  /** Move a live deployment on by about a twentieth of its length (a few new events). */
  step(): void;
  /**
   * Make the emulator itself page its listing in a stable order that is not time order (markers
   * and limits follow that order), where the emulator can (RFS's `store.listingOrder`).
   */
  disorderListing?: () => void;
  /** The ids of a full listing, unfaulted. */
  truth(): Promise<string[]>;
  /** Every credential value the client holds or sent (tokens, signatures), to look for in outputs. */
  secrets(): string[];
  /** The static secrets (known before any request), each to be reflected at the cut. */
  staticSecrets: string[];
  /** Request headers that carry credentials. */
  credentialHeaders: string[];
  /** This provider's error shape around a message. */
  errorShape: { status: number; wrap: (text: string) => unknown; replyHeaders?: Record<string, string> };
  /** Edit a decoded cursor to read something else (another stack, a huge limit). */
  editCursor(cursor: unknown): unknown;
  rebuild(t: Tuning): void;
  /** Every server of the target keeps serving but no longer keeps the process alive. */
  unref(): void;
  close(): Promise<void>;
}

export interface Target {
  name: TargetName;
  /** `onePage`: the whole listing fits one server page (so a reordering covers all of it). */
  start(t?: Tuning, opts?: { live?: boolean; onePage?: boolean }): Promise<TargetCtx>;
}

const pathOf = (r: { rawPath: string } | { path: string }) => ('rawPath' in r ? r.rawPath : r.path);

/** The hardening options, as an untyped bag (`object`) so rows compile whatever core names. */
function hardening(t: Tuning): object {
  return {
    ...(t.timeoutMs !== undefined ? { timeoutMs: t.timeoutMs } : {}),
    ...(t.totalTimeoutMs !== undefined ? { totalTimeoutMs: t.totalTimeoutMs } : {}),
    ...(t.maxResponseBytes !== undefined ? { maxResponseBytes: t.maxResponseBytes } : {}),
    ...(t.tokenKey !== undefined ? { tokenKey: t.tokenKey } : {}),
  };
}
const retryOf = (t: Tuning) => ({
  maxAttempts: t.maxAttempts ?? 3,
  baseDelayMs: t.baseDelayMs ?? 1,
  maxDelayMs: t.maxDelayMs ?? 5,
});

/** Replace every occurrence of the `from` strings in a JSON value, into base64url-JSON strings too. */
export function replaceDeep(value: unknown, swaps: Array<[string, string]>): unknown {
  if (typeof value === 'string') {
    // An adapter's own signed cursor: base64url(JSON) + '.' + its signature (kept as it was).
    const dot = value.lastIndexOf('.');
    if (dot > 0 && decodeB64Json(value.slice(0, dot)) !== undefined) {
      return `${replaceDeep(value.slice(0, dot), swaps)}${value.slice(dot)}`;
    }
    const inner = decodeB64Json(value);
    if (inner !== undefined && typeof inner === 'object' && inner !== null) {
      return Buffer.from(JSON.stringify(replaceDeep(inner, swaps)), 'utf8').toString('base64url');
    }
    return swaps.reduce((s, [a, b]) => s.split(a).join(b), value);
  }
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, swaps));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, swaps)]));
  }
  return value;
}

function decodeB64Json(s: string): unknown {
  if (!/^[A-Za-z0-9_-]{8,}$/.test(s)) return undefined;
  try {
    return JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The old token format's forgery: decode `prefix.base64url(JSON).checksum`, edit the cursor `c`,
 * and re-sign with the unkeyed SHA-256 checksum (the first 10 base64url characters), which is all
 * the old format checked.
 */
export function forgeToken(token: string, edit: (cursor: unknown) => unknown): string {
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  const body = JSON.parse(Buffer.from(token.slice(first + 1, last), 'base64url').toString('utf8')) as {
    c?: unknown;
  };
  body.c = edit(body.c);
  const json = JSON.stringify(body);
  const sum = createHash('sha256').update(json, 'utf8').digest('base64url').slice(0, 10);
  return `${token.slice(0, first + 1)}${Buffer.from(json, 'utf8').toString('base64url')}.${sum}`;
}

async function drainIds(p: Paginator<{ id: string }>): Promise<string[]> {
  return (await p.toArray({ limit: 100_000 })).map((e) => e.id);
}

// ------------------------------------------------------------------------------------------

const heat: Target = {
  name: 'heat',
  async start(t0 = {}, { live = false } = {}) {
    const emu = await startHeatEmulator({
      tenant: 'p-conf',
      keystone: { users: [{ name: 'conf-user', password: FAKE.ksPassword, project: 'conf', projectId: 'p-conf' }] },
    });
    const resources = Array.from({ length: 12 }, (_, i) => ({ name: `r${i}` }));
    emu.addStack('web', createScript('web', resources, { stepMs: 100 }), {
      id: '11111111-1111-4111-8111-111111111111',
    });
    emu.addStack('other', createScript('other', resources, { stepMs: 100 }), {
      id: '22222222-2222-4222-8222-222222222222',
    });
    emu.advance(live ? 1200 : 600_000);
    let client!: HeatClient;
    const rebuild = (t: Tuning) => {
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
        retry: retryOf(t),
        ...hardening(t),
      });
    };
    rebuild(t0);
    const isApi = (r: { rawPath: string } | { path: string }) => !pathOf(r).startsWith('/v3');
    return {
      name: 'heat',
      server: emu.server,
      isApi,
      isList: (r) => isApi(r) && /\/events$/.test(r.rawPath),
      json: true,
      listPath: 'events',
      list: (pageSize = 7, more = {}) =>
        client.listStackEvents('web', { pageSize, ...more }) as Paginator<{ id: string }>,
      pageSize: 7,
      watch: (o) => client.watchStackEvents('web', { pageSize: 7, ...o }),
      toEnd: () => emu.advance(600_000),
      step: () => emu.advance(40),
      truth: () => drainIds(client.listStackEvents('web', { pageSize: 50 }) as Paginator<{ id: string }>),
      secrets: () => [
        FAKE.ksPassword,
        ...new Set(
          emu.server.requests.map((r) => r.headers['x-auth-token']).filter((v): v is string => typeof v === 'string'),
        ),
      ],
      staticSecrets: [FAKE.ksPassword],
      credentialHeaders: ['x-auth-token'],
      errorShape: {
        status: 400,
        wrap: (text) => ({
          title: 'Bad Request',
          explanation: text,
          code: 400,
          error: { message: text, type: 'HTTPBadRequest', traceback: null },
        }),
      },
      editCursor: (c) =>
        replaceDeep(c, [
          ['web', 'other'],
          ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'],
        ]),
      rebuild,
      unref: () => emu.server.unref(),
      close: () => emu.close(),
    };
  },
};

const rfs: Target = {
  name: 'rfs',
  async start(t0 = {}, { live = false } = {}) {
    const emu = await startRfsEmulator({
      credentials: {
        aksk: [{ accessKey: FAKE.hwAk, secretKey: FAKE.hwSk, securityToken: FAKE.hwToken }],
        users: [{ userName: 'conf', password: FAKE.iamPassword, domainName: 'conf-domain' }],
      },
      scenarios: [largeStack({ stackName: 'other', eventCount: 60 })],
      akLockout: false,
      progress: 'manual',
    });
    // The scenario's past replayed step by step (manual progress), so a live watch sees it grow.
    const big = largeStack({ stackName: 'big', eventCount: 120 });
    emu.addScenario({ ...big, history: [], steps: [...big.history, ...big.steps] });
    if (live) emu.advance('big', Math.floor(emu.pending('big') / 2));
    else emu.finish('big');
    let client!: RfsClient;
    const rebuild = (t: Tuning) => {
      client = new RfsClient({
        region: 'cn-north-4',
        projectId: emu.projectId,
        endpoint: emu.url,
        ...(t.iamPassword
          ? {
              iamEndpoint: emu.url,
              credentials: { password: { userName: 'conf', password: FAKE.iamPassword, domainName: 'conf-domain' } },
            }
          : { credentials: { accessKey: FAKE.hwAk, secretKey: FAKE.hwSk, securityToken: FAKE.hwToken } }),
        retry: retryOf(t),
        env: {},
        ...hardening(t),
      });
    };
    rebuild(t0);
    const isApi = (r: { rawPath: string } | { path: string }) => !pathOf(r).startsWith('/v3/auth');
    return {
      name: 'rfs',
      server: emu.server,
      isApi,
      isList: (r) => isApi(r) && /\/events$/.test(r.rawPath),
      json: true,
      listPath: 'stack_events',
      list: (pageSize = 25, more = {}) =>
        client.listStackEvents('big', { pageSize, ...more }) as Paginator<{ id: string }>,
      pageSize: 25,
      watch: (o) => client.watchStackEvents('big', { pageSize: 25, ...o }),
      toEnd: () => {
        emu.finish('big');
      },
      step: () => {
        emu.advance('big', 1);
      },
      disorderListing: () => {
        emu.store.listingOrder = 'shuffled';
      },
      truth: () => drainIds(client.listStackEvents('big', { pageSize: 100 }) as Paginator<{ id: string }>),
      secrets: () => [FAKE.hwAk, FAKE.hwSk, FAKE.hwToken, FAKE.iamPassword, ...sigs(emu.server), ...tokens(emu.server)],
      // The IAM password belongs to the iamPassword client only (its own row reflects it).
      staticSecrets: [FAKE.hwAk, FAKE.hwSk, FAKE.hwToken],
      credentialHeaders: ['authorization', 'x-security-token', 'x-auth-token'],
      errorShape: {
        status: 400,
        wrap: (text) => ({ error_code: 'RF.1001', error_msg: text, encoded_authorization_message: '' }),
      },
      editCursor: (c) => {
        const edited = replaceDeep(c, [['big', 'other']]) as Record<string, unknown>;
        return edited && typeof edited === 'object' ? { ...edited, l: 1_000_000_000 } : edited;
      },
      rebuild,
      unref: () => emu.server.unref(),
      close: () => emu.close(),
    };
  },
};

function pclusterTarget(mode: 'api' | 'direct'): Target {
  return {
    name: mode === 'api' ? 'pcluster-api' : 'pcluster-direct',
    async start(t0 = {}, { live = false, onePage = false } = {}) {
      const creds = { accessKeyId: FAKE.awsAccessKey, secretAccessKey: FAKE.awsSecret, sessionToken: FAKE.awsSession };
      const emu = await startParallelClusterEmulator({
        credentials: [creds],
        eventsPageSize: onePage ? 1000 : 5,
        stacksPageSize: 1,
      });
      imageBuildFails(emu.world, { imageId: 'img-other', buildSeconds: 30 });
      const build = imageBuildFails(emu.world, { imageId: 'img-conf', buildSeconds: 60 });
      const endAll = () => {
        if (emu.world.now() < build.endsAt + 1000) emu.world.advance(build.endsAt + 1000 - emu.world.now());
      };
      if (live) emu.world.advance(Math.floor((build.endsAt - emu.world.now()) / 2));
      else endAll();
      let client!: ParallelClusterClient;
      const rebuild = (t: Tuning) => {
        client =
          mode === 'api'
            ? new ParallelClusterClient({
                apiUrl: emu.apiUrl,
                signingRegion: emu.region,
                credentials: creds,
                retry: retryOf(t),
                ...hardening(t),
              })
            : new ParallelClusterClient({
                mode: 'direct',
                region: emu.region,
                credentials: creds,
                endpoints: emu.endpoints,
                maxAttempts: t.maxAttempts ?? 3,
                ...{ retry: retryOf(t) },
                ...hardening(t),
              });
      };
      rebuild(t0);
      const server = mode === 'api' ? emu.servers.api : emu.servers.cloudformation;
      const all = Object.values(emu.servers) as EmulatorServer[];
      const errorShape: TargetCtx['errorShape'] =
        mode === 'api'
          ? {
              status: 400,
              wrap: (text) => ({ message: text }),
              replyHeaders: { 'x-amzn-errortype': 'BadRequestException' },
            }
          : {
              status: 400,
              wrap: (text) =>
                `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>${text}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
              replyHeaders: { 'content-type': 'text/xml' },
            };
      return {
        name: mode === 'api' ? 'pcluster-api' : 'pcluster-direct',
        server,
        isApi: () => true,
        isList: (r) =>
          mode === 'api'
            ? /\/stackevents$/.test(r.rawPath)
            : /Action=DescribeStackEvents/.test(r.body) ||
              /DescribeStackEvents/.test(String(r.headers['x-amz-target'])),
        json: mode === 'api',
        listPath: 'events',
        ...(mode === 'api'
          ? {
              nextToken: {
                field: 'nextToken',
                sent: (r: EmulatorRequest) => r.url.searchParams.get('nextToken') ?? undefined,
              },
            }
          : {}),
        list: (_pageSize, more = {}) =>
          client.listStackEvents({ imageId: 'img-conf' }, more) as Paginator<{ id: string }>,
        pageSize: 5,
        watch: (o) => client.watchStackEvents({ imageId: 'img-conf' }, o),
        toEnd: endAll,
        step: () => {
          if (emu.world.now() < build.endsAt + 1000) emu.world.advance(1000);
        },
        truth: () => drainIds(client.listStackEvents({ imageId: 'img-conf' }) as Paginator<{ id: string }>),
        secrets: () => [FAKE.awsAccessKey, FAKE.awsSecret, FAKE.awsSession, ...all.flatMap(sigs)],
        staticSecrets: [FAKE.awsAccessKey, FAKE.awsSecret, FAKE.awsSession],
        credentialHeaders: ['authorization', 'x-amz-security-token'],
        errorShape,
        editCursor: (c) => replaceDeep(c, [['img-conf', 'img-other']]),
        rebuild,
        unref: () => {
          for (const s of all) s.unref();
        },
        close: () => emu.close(),
      };
    },
  };
}

const imagebuilder: Target = {
  name: 'imagebuilder',
  async start(t0 = {}, { live = false } = {}) {
    const creds = { accessKeyId: FAKE.awsAccessKey, secretAccessKey: FAKE.awsSecret, sessionToken: FAKE.awsSession };
    const emu = await startImageBuilderEmulator({
      auth: { credentials: [creds] },
      scenarios: ['lifecycleDeprecateThenDelete'],
    });
    const t = emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    const clock = emu.clock as ManualClock;
    const endAll = () => clock.set(Math.max(clock.now(), t.endAt + 60_000));
    if (live) clock.set(t.deprecatedBy);
    else endAll();
    let client!: ImageBuilderClient;
    const rebuild = (tt: Tuning) => {
      client?.close();
      client = new ImageBuilderClient({
        region: 'us-east-1',
        endpoint: emu.url,
        credentials: creds,
        maxAttempts: tt.maxAttempts ?? 3,
        ...{ retry: retryOf(tt) },
        ...hardening(tt),
      });
    };
    rebuild(t0);
    return {
      name: 'imagebuilder',
      server: emu.server,
      isApi: () => true,
      isList: (r) => r.rawPath === '/ListLifecycleExecutionResources',
      json: true,
      listPath: 'resources',
      nextToken: {
        field: 'nextToken',
        sent: (r) => {
          try {
            return (JSON.parse(r.body) as { nextToken?: string }).nextToken;
          } catch {
            return undefined;
          }
        },
      },
      list: (pageSize = 25, more = {}) =>
        client.listLifecycleExecutionEvents(t.executionId, { pageSize, ...more }) as Paginator<{ id: string }>,
      pageSize: 25,
      watch: (o) => client.watchLifecycleExecution(t.executionId, o),
      toEnd: endAll,
      step: () => clock.set(Math.min(clock.now() + Math.ceil((t.endAt - t.deprecatedBy) / 40), t.endAt + 60_000)),
      truth: () => drainIds(client.listLifecycleExecutionEvents(t.executionId) as Paginator<{ id: string }>),
      secrets: () => [FAKE.awsAccessKey, FAKE.awsSecret, FAKE.awsSession, ...sigs(emu.server)],
      staticSecrets: [FAKE.awsAccessKey, FAKE.awsSecret, FAKE.awsSession],
      credentialHeaders: ['authorization', 'x-amz-security-token'],
      errorShape: {
        status: 400,
        wrap: (text) => ({ message: text }),
        replyHeaders: { 'x-amzn-errortype': 'InvalidRequestException' },
      },
      editCursor: (c) => replaceDeep(c, [[t.executionId, `${t.executionId.slice(0, -4)}beef`]]),
      rebuild,
      unref: () => emu.server.unref(),
      close: async () => {
        client.close();
        await emu.close();
      },
    };
  },
};

function sigs(server: EmulatorServer): string[] {
  const out = new Set<string>();
  for (const r of server.requests) {
    const auth = r.headers.authorization;
    const m = typeof auth === 'string' ? /Signature=([0-9a-f]+)/i.exec(auth) : null;
    if (m?.[1]) out.add(m[1]);
  }
  return [...out];
}

function tokens(server: EmulatorServer): string[] {
  const out = new Set<string>();
  for (const r of server.requests) {
    const v = r.headers['x-auth-token'];
    if (typeof v === 'string') out.add(v);
  }
  return [...out];
}

export const TARGETS: Target[] = [heat, rfs, pclusterTarget('api'), pclusterTarget('direct'), imagebuilder];
/** The targets whose listing is JSON (direct mode lists CloudFormation's XML): transform faults apply. */
export const JSON_TARGETS: Target[] = TARGETS.filter((t) => t.name !== 'pcluster-direct');
export const target = (name: TargetName): Target => TARGETS.find((t) => t.name === name) as Target;

/** Every way an error reaches a person or a log: message, stack, JSON, util.inspect. */
export function renderings(err: unknown, inspect: (v: unknown) => string): string[] {
  const e = err as { message?: unknown; stack?: unknown };
  return [String(e?.message), String(e?.stack), JSON.stringify(err), inspect(err)];
}

/** A secret, or a leading piece of it (at least 6 characters) that a cut left behind. */
export function leaks(text: string, secret: string): string | undefined {
  if (text.includes(secret)) return secret;
  for (let n = secret.length - 1; n >= Math.min(6, secret.length); n--) {
    if (text.includes(secret.slice(0, n))) return secret.slice(0, n);
  }
  return undefined;
}
