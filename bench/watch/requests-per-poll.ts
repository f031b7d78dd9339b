/**
 * Requests per watch poll, per provider: one fixed script per provider against its emulator, the
 * scenario moved on once every STEP_EVERY polls (counted in the emulator's request log, not by
 * time, so the same polls happen whatever the load), counting the listing and the status requests
 * the emulator saw. Counts, not timings. Run it on the current build and, with BENCH_OLD_DIST=1,
 * on a build of the tree before the change copied into dist/ (LABEL=before), then compare.
 *
 *   node --import tsx bench/watch/requests-per-poll.ts            # LABEL=after by default
 */
import { writeFileSync, readFileSync, existsSync, mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { StackEvent } from '@stackfeed/core';
import type { RecordedRequest } from '@stackfeed/emulator';
import { createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { clusterCreate, startParallelClusterEmulator } from '@stackfeed/emulator/parallelcluster';
import { deploymentSucceeds, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { HeatClient } from '@stackfeed/openstack-heat';
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { RfsClient } from '@stackfeed/huawei-rfs';
import { assertBuilt } from '../lib.js';

assertBuilt(['core', 'openstack-heat', 'huawei-rfs', 'aws-parallelcluster']);
const LABEL = process.env.LABEL ?? 'after';
/** Polls between two steps of a scenario: the ones in between are quiet. */
const STEP_EVERY = Number(process.env.STEP_EVERY ?? 4);
const POLL_MS = 5;

interface Row {
  provider: string;
  polls: number;
  listRequests: number;
  statusRequests: number;
  requests: number;
  requestsPerPoll: number;
  outcome: string | undefined;
}

async function follow(stream: AsyncIterable<StackEvent> & { result?: { polls: number; outcome: string } | undefined }) {
  let n = 0;
  for await (const _ of stream) n++;
  return { events: n, polls: stream.result?.polls ?? 0, outcome: stream.result?.outcome };
}

/** Calls `step` once every STEP_EVERY polls (as `polls()` counts them) while it returns true. */
function driver(polls: () => number, step: () => boolean): () => void {
  let next = STEP_EVERY;
  let going = true;
  const t = setInterval(() => {
    if (!going || polls() < next) return;
    going = step();
    next = polls() + STEP_EVERY;
  }, 1);
  return () => clearInterval(t);
}

function row(
  provider: string,
  reqs: RecordedRequest[],
  isList: (r: RecordedRequest) => boolean,
  isStatus: (r: RecordedRequest) => boolean,
  r: { polls: number; outcome: string | undefined },
): Row {
  const listRequests = reqs.filter(isList).length;
  const statusRequests = reqs.filter(isStatus).length;
  const requests = listRequests + statusRequests;
  return {
    provider,
    polls: r.polls,
    listRequests,
    statusRequests,
    requests,
    requestsPerPoll: +(requests / r.polls).toFixed(3),
    outcome: r.outcome,
  };
}

async function heat(): Promise<Row> {
  const emu = await startHeatEmulator();
  try {
    emu.addStack(
      'live',
      createScript(
        'live',
        Array.from({ length: 6 }, (_, i) => ({ name: `r${i}` })),
        { stepMs: 1000 },
      ),
    );
    const stop = driver(
      () => emu.server.requests.filter((r) => r.path.endsWith('/events')).length,
      () => {
        emu.advance(1000);
        return true;
      },
    );
    const c = new HeatClient({
      auth: { type: 'none' },
      endpoint: emu.heatUrl,
      retry: { baseDelayMs: 1, maxDelayMs: 4 },
    });
    const r = await follow(c.watchStackEvents('live', { pollIntervalMs: POLL_MS }));
    stop();
    return row(
      'openstack-heat',
      emu.server.requests,
      (q) => q.path.endsWith('/events'),
      (q) => /\/stacks\/live(\/[0-9a-f-]{36})?$/.test(q.path),
      r,
    );
  } finally {
    await emu.close();
  }
}

async function rfs(): Promise<Row> {
  const AK = 'HPUATESTACCESSKEY0001';
  const SK = 'testSecretKey/0123456789+abcdefghijklmn';
  const emu = await startRfsEmulator({
    credentials: { aksk: [{ accessKey: AK, secretKey: SK }] },
    scenarios: [deploymentSucceeds({ stackName: 'busy', startAt: Date.UTC(2025, 5, 12, 8) })],
    progress: 'manual',
  });
  try {
    emu.store.advance('busy');
    const stop = driver(
      () => emu.server.requests.filter((r) => r.path.endsWith('/events')).length,
      () => {
        emu.store.advance('busy');
        return emu.pending('busy') > 0;
      },
    );
    const c = new RfsClient({
      region: 'cn-north-4',
      projectId: emu.projectId,
      endpoint: emu.url,
      credentials: { accessKey: AK, secretKey: SK },
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    const r = await follow(c.watchStackEvents('busy', { pollIntervalMs: POLL_MS }));
    stop();
    return row(
      'huawei-rfs',
      emu.server.requests,
      (q) => q.path.endsWith('/events'),
      (q) => q.path.endsWith('/metadata'),
      r,
    );
  } finally {
    await emu.close();
  }
}

async function parallelcluster(mode: 'api' | 'direct'): Promise<Row> {
  const emu = await startParallelClusterEmulator();
  try {
    const truth = clusterCreate(emu.world, { clusterName: 'wc', queues: 1 });
    emu.world.advance(1000);
    const reqs = () => (mode === 'api' ? emu.servers.api.requests : emu.servers.cloudformation.requests);
    const isList = (q: RecordedRequest) =>
      mode === 'api' ? q.path.endsWith('/stackevents') : q.body.includes('Action=DescribeStackEvents');
    const isRootList = (q: RecordedRequest) =>
      isList(q) && (mode === 'api' || /StackName=(wc(&|$)|[^&]*stack%2Fwc%2F)/.test(q.body));
    const isStatus = (q: RecordedRequest) =>
      mode === 'api' ? /\/v3\/clusters\/[^/]+$/.test(q.path) : q.body.includes('Action=DescribeStacks');
    const stop = driver(
      () => reqs().filter(isRootList).length,
      () => {
        emu.world.advance(4000);
        return emu.world.now() <= truth.endsAt;
      },
    );
    const c =
      mode === 'api'
        ? new ParallelClusterClient({
            apiUrl: emu.apiUrl,
            signingRegion: emu.region,
            credentials: emu.credentials,
            retry: { baseDelayMs: 1, maxDelayMs: 5 },
          })
        : new ParallelClusterClient({
            mode: 'direct',
            region: emu.region,
            credentials: emu.credentials,
            endpoints: emu.endpoints,
          });
    const r = await follow(c.watchClusterStackEvents('wc', { pollIntervalMs: POLL_MS }));
    stop();
    return row(`aws-parallelcluster (${mode})`, reqs(), isList, isStatus, r);
  } finally {
    await emu.close();
  }
}

const rows = [await heat(), await rfs(), await parallelcluster('api'), await parallelcluster('direct')];
console.table(rows);
const file = new URL('../results/watch-requests-per-poll.json', import.meta.url);
mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
const prior = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
prior[LABEL] = {
  at: new Date().toISOString(),
  loadavg: loadavg().map((x) => +x.toFixed(2)),
  cores: cpus().length,
  stepEvery: STEP_EVERY,
  rows,
};
writeFileSync(file, `${JSON.stringify(prior, null, 2)}\n`);
