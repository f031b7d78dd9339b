/**
 * The provider targets of the contract suite: Heat, RFS, ParallelCluster (API mode and direct
 * mode) and Image Builder, each started on its emulator with a finished deployment, with the
 * emulator's own ground truth (never the client's answer) and a way to serve spec-built wire
 * pages in place of the emulator's event listing.
 */
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import type { Capabilities, Paginator, StackEvent } from '@stackfeed/core';
import type { EmulatorServer, RecordedRequest } from '@stackfeed/emulator';
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

export type TargetId = 'openstack-heat' | 'huawei-rfs' | 'pcluster-api' | 'pcluster-direct' | 'aws-imagebuilder';
export type FilterName = 'since' | 'resourceName' | 'resourceType' | 'phase';

/** One event of the emulator's ground truth, oldest first. */
export interface TruthEvent {
  /** Comparable with {@link LiveTarget.key} of the client's event. */
  key: string;
  time: Date;
}

/** Options passed through to a list call (typed loosely: some are being added on other branches). */
export type LooseOptions = Record<string, unknown>;

/** The wire page a fixture serves in place of the emulator's event listing. */
export interface WirePage {
  body: unknown;
  headers?: Record<string, string>;
}

export interface LiveTarget {
  id: TargetId;
  capabilities: Capabilities;
  /** The finished deployment's event listing. */
  list(options?: LooseOptions): Paginator<StackEvent>;
  /** The same operation on another stack (or execution). */
  listOther(options?: LooseOptions): Paginator<StackEvent>;
  /** Watch the finished deployment to its end. */
  watch(options?: LooseOptions): Promise<StackEvent[]>;
  /** Ground truth from the emulator's state, oldest first (ties in the provider's own order). */
  truth(): TruthEvent[];
  /** The key of a client event, comparable with {@link TruthEvent.key}. */
  key(ev: StackEvent): string;
  /** The provider's other event lists, each with its ground truth (R-order holds on every one). */
  otherLists: Array<{ label: string; list(options?: LooseOptions): Paginator<StackEvent>; truth(): TruthEvent[] }>;
  /** Requests the provider API received (auth/token calls excluded). */
  apiRequests(): RecordedRequest[];
  clearRequests(): void;
  /** For a filter the client says runs on the server: does this request carry it? */
  serverSaw: Partial<Record<FilterName, (r: RecordedRequest) => boolean>>;
  /** Provider-specific status filters with the predicate they mean on a returned event. */
  statusFilters: Array<{
    label: string;
    options: LooseOptions;
    keep: (ev: StackEvent) => boolean;
    /** The documented alternative to answering: refusing the value with CONFIG (never an empty answer). */
    mayRefuse?: true;
  }>;
  /** Serve `page` (every page) instead of the emulator's event listing, until `restore`. */
  serve(page: WirePage): void;
  /** Also serve `page` on the requests `match` accepts (any operation of the target's main server). */
  serveWhere(match: (path: string, body: string) => boolean, page: WirePage): void;
  /** The client itself, for provider-specific calls (describe, get). */
  client: unknown;
  /** The ref `list()` reads, as the client's other calls (listDeployments, getDeployment) take it. */
  ref: unknown;
  restore(): void;
  close(): Promise<void>;
}

export interface Target {
  id: TargetId;
  start(): Promise<LiveTarget>;
}

const retry = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 };
const WATCH = { pollIntervalMs: 20, maxPollIntervalMs: 40, maxConsecutiveErrors: 2 } as const;
const loose = <T>(o: LooseOptions | undefined): T => (o ?? {}) as T;

async function drain(stream: AsyncIterable<StackEvent>): Promise<StackEvent[]> {
  const out: StackEvent[] = [];
  for await (const ev of stream) out.push(ev);
  return out;
}

const query = (r: RecordedRequest) => {
  try {
    return decodeURIComponent(r.query.replace(/\+/g, ' '));
  } catch {
    return r.query;
  }
};

/** Serve a fixture page on every request `match` accepts (a 200 in place of the handler's answer). */
function fixtureServer(server: EmulatorServer, match: (path: string, body: string) => boolean) {
  const serveWhere = (m: (path: string, body: string) => boolean, page: WirePage) => {
    server.faults.inject(
      { kind: 'status', status: 200, body: page.body, ...(page.headers ? { headers: page.headers } : {}) },
      { match: (r) => m(r.rawPath, r.body), times: Number.POSITIVE_INFINITY },
    );
  };
  return {
    serve: (page: WirePage) => {
      server.faults.clear();
      serveWhere(match, page);
    },
    serveWhere,
    restore() {
      server.faults.clear();
    },
  };
}

// ------------------------------------------------------------------------------------------

const heat: Target = {
  id: 'openstack-heat',
  async start() {
    const emu = await startHeatEmulator({
      tenant: 'p-conf',
      keystone: { users: [{ name: 'conf-user', password: FAKE.ksPassword, project: 'conf', projectId: 'p-conf' }] },
    });
    const types = ['OS::Nova::Server', 'OS::Neutron::Port', 'OS::Cinder::Volume'];
    // The last resource fails: FAILED events to filter on, and a terminal stack to watch.
    const resources = Array.from({ length: 9 }, (_, i) => ({
      name: `r${i}`,
      type: types[i % 3] as string,
      fail: i === 8,
    }));
    const stack = emu.addStack('web', createScript('web', resources, { stepMs: 100 }), {
      id: '11111111-1111-4111-8111-111111111111',
    });
    emu.addStack('db', createScript('db', [{ name: 'd0' }], { stepMs: 100 }), {
      id: '22222222-2222-4222-8222-222222222222',
    });
    emu.advance(600_000);
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
      retry,
    });
    const fx = fixtureServer(emu.server, (p) => /\/events$/.test(p));
    return {
      id: 'openstack-heat',
      capabilities: client.capabilities,
      client,
      ref: 'web',
      list: (o) => client.listStackEvents('web', loose({ pageSize: 7, ...o })),
      listOther: (o) => client.listStackEvents('db', loose({ pageSize: 7, ...o })),
      watch: (o) => drain(client.watchStackEvents('web', loose({ ...WATCH, pageSize: 7, ...o }))),
      truth: () => emu.visibleEvents(stack).map((e) => ({ key: String(e.id), time: new Date(String(e.event_time)) })),
      key: (ev) => ev.id,
      otherLists: [
        {
          label: 'listResourceEvents r3',
          list: (o) => client.listResourceEvents({ name: 'web', id: stack.id }, 'r3', loose({ pageSize: 2, ...o })),
          truth: () =>
            emu
              .visibleEvents(stack)
              .filter((e) => e.resource_name === 'r3')
              .map((e) => ({ key: String(e.id), time: new Date(String(e.event_time)) })),
        },
      ],
      apiRequests: () => emu.server.requests.filter((r) => !r.path.startsWith('/v3')),
      clearRequests: () => {
        emu.server.requests.length = 0;
      },
      serverSaw: {
        resourceName: (r) => /(^|&)resource_name=/.test(r.query),
        resourceType: (r) => /(^|&)resource_type=/.test(r.query),
        phase: (r) => /(^|&)resource_status=/.test(r.query),
      },
      statusFilters: [
        {
          label: 'resourceStatus FAILED',
          options: { resourceStatus: 'FAILED' },
          keep: (ev) => ev.status.endsWith('_FAILED'),
        },
        {
          label: 'resourceAction CREATE',
          options: { resourceAction: 'CREATE' },
          keep: (ev) => ev.status.startsWith('CREATE_'),
        },
        {
          label: 'resourceStatus CREATE_COMPLETE (the form responses show)',
          options: { resourceStatus: 'CREATE_COMPLETE' },
          keep: (ev) => ev.status === 'CREATE_COMPLETE',
          mayRefuse: true,
        },
      ],
      ...fx,
      close: () => emu.close(),
    };
  },
};

// ------------------------------------------------------------------------------------------

const rfsKey = (time: string | Date, type: string, name: string | undefined, message: string | undefined) =>
  `${new Date(time).getTime()}|${type}|${name ?? ''}|${message ?? ''}`;

const rfs: Target = {
  id: 'huawei-rfs',
  async start() {
    const emu = await startRfsEmulator({
      credentials: { aksk: [{ accessKey: FAKE.hwAk, secretKey: FAKE.hwSk, securityToken: FAKE.hwToken }] },
      scenarios: [largeStack({ stackName: 'big', eventCount: 60 }), largeStack({ stackName: 'other', eventCount: 10 })],
      akLockout: false,
    });
    emu.finish();
    const client = new RfsClient({
      region: 'cn-north-4',
      projectId: emu.projectId,
      endpoint: emu.url,
      credentials: { accessKey: FAKE.hwAk, secretKey: FAKE.hwSk, securityToken: FAKE.hwToken },
      retry,
      env: {},
    });
    const fx = fixtureServer(emu.server, (p) => /\/stacks\/[^/]+\/events$/.test(p));
    const filterHas = (name: string) => (r: RecordedRequest) => /(^|&)filter=/.test(r.query) && query(r).includes(name);
    return {
      id: 'huawei-rfs',
      capabilities: client.capabilities,
      client,
      ref: 'big',
      list: (o) => client.listStackEvents('big', loose({ pageSize: 25, ...o })),
      listOther: (o) => client.listStackEvents('other', loose({ pageSize: 25, ...o })),
      watch: (o) => drain(client.watchStackEvents('big', loose({ ...WATCH, pageSize: 25, ...o }))),
      truth: () =>
        [...(emu.stack('big')?.events ?? [])]
          .sort((a, b) => a.seq - b.seq)
          .map((e) => ({
            key: rfsKey(
              e.wire.time,
              e.wire.event_type,
              e.wire.resource_name as string | undefined,
              e.wire.event_message as string | undefined,
            ),
            time: new Date(e.wire.time),
          })),
      key: (ev) => rfsKey(ev.timestamp, ev.status, ev.resource.name, ev.message),
      otherLists: [],
      apiRequests: () => emu.server.requests.filter((r) => !r.path.startsWith('/v3')),
      clearRequests: () => {
        emu.server.requests.length = 0;
      },
      serverSaw: {
        resourceName: filterHas('resource_name'),
        resourceType: filterHas('resource_type'),
        phase: filterHas('event_type'),
      },
      statusFilters: [
        {
          label: 'filter eventType CREATION_COMPLETE',
          options: { filter: { eventType: 'CREATION_COMPLETE' } },
          keep: (ev) => ev.status === 'CREATION_COMPLETE',
        },
      ],
      ...fx,
      close: () => emu.close(),
    };
  },
};

// ------------------------------------------------------------------------------------------

function pclusterTarget(mode: 'api' | 'direct'): Target {
  return {
    id: mode === 'api' ? 'pcluster-api' : 'pcluster-direct',
    async start() {
      const creds = { accessKeyId: FAKE.awsAccessKey, secretAccessKey: FAKE.awsSecret, sessionToken: FAKE.awsSession };
      const emu = await startParallelClusterEmulator({ credentials: [creds], eventsPageSize: 5, stacksPageSize: 1 });
      const build = imageBuildFails(emu.world, { imageId: 'img-conf', buildSeconds: 60 });
      const other = imageBuildFails(emu.world, { imageId: 'img-other', buildSeconds: 30 });
      emu.world.advance(Math.max(build.endsAt, other.endsAt) + 1000 - emu.world.now());
      const client =
        mode === 'api'
          ? new ParallelClusterClient({ apiUrl: emu.apiUrl, signingRegion: emu.region, credentials: creds, retry })
          : new ParallelClusterClient({
              mode: 'direct',
              region: emu.region,
              credentials: creds,
              endpoints: emu.endpoints,
              maxAttempts: 2,
            });
      const server = mode === 'api' ? emu.servers.api : emu.servers.cloudformation;
      const fx = fixtureServer(server, (p, body) =>
        mode === 'api' ? /\/stackevents$/.test(p) : /(^|&)Action=DescribeStackEvents(&|$)/.test(body),
      );
      return {
        id: mode === 'api' ? 'pcluster-api' : 'pcluster-direct',
        capabilities: client.capabilities,
        client,
        ref: { imageId: 'img-conf' },
        list: (o) => client.listStackEvents({ imageId: 'img-conf' }, loose(o)),
        listOther: (o) => client.listStackEvents({ imageId: 'img-other' }, loose(o)),
        watch: (o) => drain(client.watchStackEvents({ imageId: 'img-conf' }, loose({ ...WATCH, ...o }))),
        truth: () => {
          const st = emu.world.cfn.stack(build.stackId);
          if (!st) throw new Error('no stack');
          return st.events
            .slice(0, emu.world.cfn.visibleCount(st))
            .map((e) => ({ key: e.eventId, time: new Date(e.at) }));
        },
        key: (ev) => ev.id,
        otherLists: [],
        apiRequests: () => server.requests,
        clearRequests: () => {
          for (const s of Object.values(emu.servers)) s.requests.length = 0;
        },
        serverSaw: {},
        statusFilters: [],
        ...fx,
        close: () => emu.close(),
      };
    },
  };
}

// ------------------------------------------------------------------------------------------

const ibKey = (resourceId: unknown, action: unknown, status: unknown) =>
  `${String(resourceId ?? '')}|${String(action ?? '')}|${String(status ?? '')}`;

const imagebuilder: Target = {
  id: 'aws-imagebuilder',
  async start() {
    const creds = { accessKeyId: FAKE.awsAccessKey, secretAccessKey: FAKE.awsSecret, sessionToken: FAKE.awsSession };
    const emu = await startImageBuilderEmulator({
      auth: { credentials: [creds] },
      scenarios: ['lifecycleDeprecateThenDelete'],
    });
    const t = emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    (emu.clock as ManualClock).set(t.endAt + 60_000);
    const client = new ImageBuilderClient({
      region: 'us-east-1',
      endpoint: emu.url,
      credentials: creds,
      maxAttempts: 2,
    });
    const fx = fixtureServer(emu.server, (p) => p === '/ListLifecycleExecutionResources');
    const otherId = 'lce-00000000-0000-4000-8000-000000000000';
    return {
      id: 'aws-imagebuilder',
      capabilities: client.capabilities,
      client,
      ref: t.executionId,
      list: (o) => client.listLifecycleExecutionEvents(t.executionId, loose({ pageSize: 25, ...o })),
      listOther: (o) => client.listLifecycleExecutionEvents(otherId, loose({ pageSize: 25, ...o })),
      watch: (o) => drain(client.watchLifecycleExecution(t.executionId, loose({ ...WATCH, ...o }))),
      truth: () => {
        const rows = emu.store.wireLifecycleResources(t.executionId, undefined).items as Array<Record<string, unknown>>;
        const timed = rows
          .map((r, i) => {
            const at = (r.endTime ?? r.startTime) as number | string | Date | undefined;
            const time = at === undefined ? undefined : new Date(typeof at === 'number' ? at * 1000 : at);
            const action = (r.action as { name?: string } | undefined)?.name;
            const status = (r.state as { status?: string } | undefined)?.status;
            return { i, time, key: ibKey(r.resourceId, action, status) };
          })
          // An unstarted resource has no time: the contract says it is not an event.
          .filter((r): r is { i: number; time: Date; key: string } => r.time !== undefined);
        timed.sort((a, b) => a.time.getTime() - b.time.getTime() || a.i - b.i);
        return timed.map(({ key, time }) => ({ key, time }));
      },
      key: (ev) =>
        ibKey(ev.resource.physicalId, (ev.details as { actionName?: string } | undefined)?.actionName, ev.status),
      otherLists: [],
      apiRequests: () => emu.server.requests,
      clearRequests: () => {
        emu.server.requests.length = 0;
      },
      serverSaw: {},
      statusFilters: [],
      ...fx,
      close: async () => {
        client.close();
        await emu.close();
      },
    };
  },
};

export const TARGETS: Target[] = [heat, rfs, pclusterTarget('api'), pclusterTarget('direct'), imagebuilder];
