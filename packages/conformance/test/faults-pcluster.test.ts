/**
 * Issue 8, fault matrix, ParallelCluster's other half: direct mode (CloudFormation, EC2, Image
 * Builder and CloudWatch Logs through the real AWS SDK v3 clients, against the emulators) on
 * list / page-resume / get / watch of an image's stack events, and the listing operations of both
 * modes: listImages (ListImages, or EC2 DescribeImages + CloudFormation DescribeStacks),
 * listClusters, listImageLogStreams and listImageLogEvents (with page resume). Each fault is
 * injected at the server that answers the operation's first call (API Gateway, CloudFormation,
 * EC2 or CloudWatch Logs) and judged as in faults.test.ts: retried to the complete, duplicate-free
 * result (compared with the emulator's ground truth), or the right StackfeedError code, after a
 * bounded number of attempts counted at that server, and no unhandled rejection.
 */
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { StackfeedError } from '@stackfeed/core';
import type { EmulatorServer, Fault } from '@stackfeed/emulator';
import {
  type ImageBuildTruth,
  type ParallelClusterEmulator,
  clusterCreate,
  imageBuildFails,
  imageBuildSucceeds,
  startParallelClusterEmulator,
} from '@stackfeed/emulator/parallelcluster';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE } from './harness.js';

const MAX_ATTEMPTS = 3;
const TIMEOUT_MS = 300;
const AWS_CREDS = { accessKeyId: FAKE.awsAccessKey, secretAccessKey: FAKE.awsSecret, sessionToken: FAKE.awsSession };
const WATCH = { pollIntervalMs: 20, maxPollIntervalMs: 40, maxConsecutiveErrors: 2 } as const;

interface FaultCase {
  label: string;
  fault: Fault;
  retryable: boolean;
  codes: string[];
  /** Slow cases (a timeout, a Retry-After) run on one operation per mode and server only. */
  slow?: boolean;
  /** Slow in these modes only. */
  slowIn?: Mode[];
}

const FAULTS: FaultCase[] = [
  {
    label: '429 without Retry-After',
    fault: { kind: 'throttle' },
    retryable: true,
    codes: ['THROTTLED'],
    // The AWS SDK waits ~0.5-1 s before each throttling retry.
    slowIn: ['direct'],
  },
  {
    label: '429 with Retry-After: 1',
    fault: { kind: 'throttle', retryAfter: 1 },
    retryable: true,
    codes: ['THROTTLED'],
    slow: true,
  },
  { label: '500', fault: { kind: 'status', status: 500 }, retryable: true, codes: ['SERVER'] },
  { label: '502', fault: { kind: 'status', status: 502 }, retryable: true, codes: ['SERVER'] },
  { label: '503', fault: { kind: 'status', status: 503 }, retryable: true, codes: ['SERVER', 'THROTTLED'] },
  { label: '504', fault: { kind: 'status', status: 504 }, retryable: true, codes: ['TIMEOUT', 'SERVER'] },
  { label: 'reset before the body', fault: { kind: 'reset' }, retryable: true, codes: ['NETWORK'] },
  {
    label: 'reset mid-body',
    fault: { kind: 'reset-mid-body' },
    retryable: false,
    codes: ['NETWORK', 'INVALID_RESPONSE'],
  },
  {
    label: 'slower than the timeout',
    fault: { kind: 'delay', ms: 1500 },
    retryable: true,
    codes: ['TIMEOUT'],
    slow: true,
  },
  { label: 'malformed body', fault: { kind: 'malformed-json' }, retryable: false, codes: ['INVALID_RESPONSE'] },
  { label: 'truncated body', fault: { kind: 'truncated' }, retryable: false, codes: ['INVALID_RESPONSE', 'NETWORK'] },
  { label: 'HTML error page', fault: { kind: 'html' }, retryable: false, codes: ['SERVER', 'INVALID_RESPONSE'] },
  { label: 'empty 200', fault: { kind: 'empty' }, retryable: false, codes: ['INVALID_RESPONSE'] },
];

type Mode = 'api' | 'direct';
type Server = 'api' | 'cloudformation' | 'ec2' | 'logs';

interface Operation {
  label: string;
  modes: Mode[];
  /** The server of the operation's first call, per mode. */
  server: Record<Mode, Server>;
  /** Item ids; `sorted` when the order is not part of the contract (watch, several statuses). */
  run(c: ParallelClusterClient): Promise<string[]>;
  sorted?: boolean;
  /** Attempts one "every time" run may make at the faulted server. */
  bound?: number;
  /** The modes in which the slow faults run on this operation. */
  slowHere?: Mode[];
}

let emu: ParallelClusterEmulator;
let failed: ImageBuildTruth;
/** First page of the resumable listings per mode (computed once, unfaulted; tokens are bound to the mode). */
const firstPages: Record<string, { ids: string[]; token: string }> = {};
let currentMode: Mode = 'api';

async function resume<T extends { id?: string; name?: string; timestamp?: Date; message?: string }>(
  key: string,
  paginator: () => AsyncIterable<unknown> & {
    byPage(o?: { continuationToken?: string; pageSize?: number }): AsyncIterable<{ items: T[] }>;
  },
  idOf: (x: T) => string,
): Promise<string[]> {
  const first = firstPages[`${currentMode}:${key}`];
  if (!first) throw new Error(`no first page for ${key}`);
  const ids = [...first.ids];
  for await (const page of paginator().byPage({ continuationToken: first.token })) ids.push(...page.items.map(idOf));
  return ids;
}

const logIdOf = (e: { timestamp: Date; message: string }) => `${e.timestamp.getTime()}:${e.message}`;

const OPS: Operation[] = [
  {
    label: 'stack events: list',
    modes: ['direct'],
    server: { api: 'api', direct: 'cloudformation' },
    run: async (c) => (await c.listImageStackEvents(failed.imageId).toArray({ limit: 10_000 })).map((e) => e.id),
    slowHere: ['direct'],
  },
  {
    label: 'stack events: page resume',
    modes: ['direct'],
    server: { api: 'api', direct: 'cloudformation' },
    run: (c) =>
      resume(
        'events',
        () => c.listImageStackEvents(failed.imageId),
        (e: { id: string }) => e.id,
      ),
  },
  {
    label: 'describeImage',
    modes: ['direct'],
    server: { api: 'api', direct: 'ec2' },
    run: async (c) => {
      await c.describeImage(failed.imageId);
      return [];
    },
  },
  {
    label: 'stack events: watch',
    modes: ['direct'],
    server: { api: 'api', direct: 'cloudformation' },
    run: async (c) => {
      const ids: string[] = [];
      for await (const ev of c.watchStackEvents({ imageId: failed.imageId }, WATCH)) ids.push(ev.id);
      return ids;
    },
    sorted: true,
    // Each failed poll is MAX_ATTEMPTS attempts; the watch gives up after maxConsecutiveErrors
    // polls (and its terminal checks read CloudFormation too).
    bound: 6 * MAX_ATTEMPTS,
  },
  {
    label: 'listImages',
    modes: ['api', 'direct'],
    server: { api: 'api', direct: 'cloudformation' },
    run: async (c) => (await c.listImages().toArray({ limit: 10_000 })).map((i) => i.id),
    sorted: true,
    slowHere: ['api'],
  },
  {
    // Direct mode reads clusters through the same DescribeStacks pages as listImages above.
    label: 'listClusters',
    modes: ['api'],
    server: { api: 'api', direct: 'cloudformation' },
    run: async (c) => (await c.listClusters().toArray({ limit: 10_000 })).map((i) => i.name ?? ''),
    sorted: true,
  },
  {
    label: 'listImageLogStreams',
    modes: ['api', 'direct'],
    server: { api: 'api', direct: 'logs' },
    run: async (c) => (await c.listImageLogStreams(failed.imageId).toArray({ limit: 10_000 })).map((s) => s.name),
    slowHere: ['direct'],
  },
  {
    // Direct mode: the page-resume case below makes the same GetLogEvents calls.
    label: 'listImageLogEvents: list',
    modes: ['api'],
    server: { api: 'api', direct: 'logs' },
    run: async (c) =>
      (await c.listImageLogEvents(failed.imageId, failed.logStream, { pageSize: 10 }).toArray({ limit: 10_000 })).map(
        logIdOf,
      ),
  },
  {
    label: 'listImageLogEvents: page resume',
    modes: ['api', 'direct'],
    server: { api: 'api', direct: 'logs' },
    run: (c) => resume('logs', () => c.listImageLogEvents(failed.imageId, failed.logStream, { pageSize: 10 }), logIdOf),
  },
];

/** Rebuilt clients share one key, so a token from one resumes in the next (keys are per client). */
const TOKEN_KEY = 'conformance-pcluster-token-key';

function client(mode: Mode): ParallelClusterClient {
  return mode === 'api'
    ? new ParallelClusterClient({
        apiUrl: emu.apiUrl,
        signingRegion: emu.region,
        credentials: AWS_CREDS,
        retry: { maxAttempts: MAX_ATTEMPTS, baseDelayMs: 1, maxDelayMs: 5 },
        timeoutMs: TIMEOUT_MS,
        tokenKey: TOKEN_KEY,
      })
    : new ParallelClusterClient({
        mode: 'direct',
        region: emu.region,
        credentials: AWS_CREDS,
        endpoints: emu.endpoints,
        maxAttempts: MAX_ATTEMPTS,
        timeoutMs: TIMEOUT_MS,
        tokenKey: TOKEN_KEY,
      });
}

const unhandled: unknown[] = [];
const onUnhandled = (r: unknown) => unhandled.push(r);
const servers = () => emu.servers as Record<Server, EmulatorServer>;
const clearAll = () => {
  for (const s of Object.values(servers())) {
    s.faults.clear();
    s.requests.length = 0;
  }
};

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  emu = await startParallelClusterEmulator({ credentials: [AWS_CREDS], eventsPageSize: 5, stacksPageSize: 1 });
  failed = imageBuildFails(emu.world, { imageId: 'img-failed', buildSeconds: 90 });
  imageBuildFails(emu.world, { imageId: 'img-failed-2', buildSeconds: 30 });
  const ok = imageBuildSucceeds(emu.world, { imageId: 'img-ok', buildSeconds: 30 });
  const cl = clusterCreate(emu.world, { clusterName: 'cl-one' });
  emu.world.advance(Math.max(failed.endsAt, ok.endsAt, cl.endsAt) + 60_000 - emu.world.now());
  for (const mode of ['api', 'direct'] as const) {
    const c = client(mode);
    for (const [key, pages] of [
      ['events', c.listImageStackEvents(failed.imageId).byPage()],
      ['logs', c.listImageLogEvents(failed.imageId, failed.logStream, { pageSize: 10 }).byPage()],
    ] as const) {
      const it1 = pages[Symbol.asyncIterator]();
      const r = await it1.next();
      await it1.return?.();
      const p = r.done
        ? undefined
        : (r.value as unknown as { items: Array<Record<string, unknown>>; continuationToken?: string });
      if (!p?.continuationToken) throw new Error(`${mode} ${key}: the list must span more than one page`);
      firstPages[`${mode}:${key}`] = {
        ids: p.items.map((x) =>
          key === 'events' ? String(x.id) : logIdOf(x as unknown as { timestamp: Date; message: string }),
        ),
        token: p.continuationToken,
      };
    }
  }
  clearAll();
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await emu.close();
});

describe.each(OPS)('pcluster fault matrix: $label', (op) => {
  describe.each(op.modes)('%s mode', (mode) => {
    const baseline: { ids: string[]; requests: number } = { ids: [], requests: 0 };
    const server = () => servers()[op.server[mode]];
    const norm = (ids: string[]) => (op.sorted ? [...ids].sort() : ids);

    beforeAll(async () => {
      currentMode = mode;
      clearAll();
      baseline.ids = await op.run(client(mode));
      baseline.requests = server().requests.length;
      clearAll();
    });
    beforeEach(() => {
      currentMode = mode;
    });
    afterEach(async () => {
      clearAll();
      await new Promise((r) => setTimeout(r, 5));
      expect(unhandled).toEqual([]);
    });

    it('the unfaulted run matches the ground truth, complete and duplicate-free', () => {
      const ids = baseline.ids;
      expect(new Set(ids).size).toBe(ids.length);
      if (op.label.startsWith('stack events')) expect(ids).toHaveLength(failed.eventCount);
      if (op.label.startsWith('listImageLogEvents')) expect(ids).toHaveLength(failed.logLineCount);
      if (op.label === 'listImages') expect([...ids].sort()).toEqual(['img-failed', 'img-failed-2', 'img-ok']);
      if (op.label === 'listClusters') expect(ids).toEqual(['cl-one']);
      if (op.label === 'listImageLogStreams') expect(ids).toEqual([failed.logStream]);
      if (op.label === 'describeImage') expect(baseline.requests).toBeGreaterThan(0);
    });

    const slow = (x: FaultCase) => x.slow === true || (x.slowIn?.includes(mode) ?? false);
    for (const f of FAULTS.filter((x) => !slow(x) || op.slowHere?.includes(mode))) {
      it(`${f.label} once: ${f.retryable ? 'retried to the complete result' : 'complete result or the right code'}`, async () => {
        server().faults.inject(f.fault, { times: 1 });
        let ids: string[] | undefined;
        let err: unknown;
        try {
          ids = await op.run(client(mode));
        } catch (e) {
          err = e;
        }
        expect(server().faults.pending).toBe(0);
        if (err === undefined) {
          expect(norm(ids ?? [])).toEqual(norm(baseline.ids));
        } else {
          expect(StackfeedError.is(err), String(err)).toBe(true);
          expect(f.retryable, `a single ${f.label} should be retried: ${String(err)}`).toBe(false);
          expect(f.codes, String(err)).toContain((err as StackfeedError).code);
        }
        expect(server().requests.length).toBeLessThanOrEqual(baseline.requests + MAX_ATTEMPTS);
      });

      if (f.label === '429 with Retry-After: 1') continue;
      it(`${f.label} every time: ${f.codes.join('|')} after a bounded number of attempts`, async () => {
        server().faults.inject(f.fault, { times: Number.POSITIVE_INFINITY });
        let err: unknown;
        try {
          await op.run(client(mode));
        } catch (e) {
          err = e;
        }
        expect(StackfeedError.is(err), String(err)).toBe(true);
        expect(f.codes, String(err)).toContain((err as StackfeedError).code);
        const n = server().requests.length;
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(op.bound ?? MAX_ATTEMPTS);
      });
    }
  });
});
