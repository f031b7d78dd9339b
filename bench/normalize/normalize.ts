/**
 * Normalization alone, per provider: a page of wire records as the adapter receives it (JSON-parsed;
 * for Image Builder, as the AWS SDK deserialized it) → StackEvents, including validation, through
 * each adapter's own code (no HTTP). Reported in events/s, beside `JSON.parse` of the same page text
 * as a reference point (what reading the records costs at all).
 *
 * The records come from each provider's emulator, read once through the adapter's own listing
 * (`ev.raw` is the record as received) or the emulator's ground truth, then cut into pages of the
 * provider's usual size:
 *   - huawei-rfs: ListStackEvents bodies (1,000 / page) → `normalizeCheckedEventsPage` (the page
 *     check, content id per event, mapping; every page passes the check)
 *   - openstack-heat: list-events bodies (1,000 / page) → `normalizeCheckedEventList` (the page check and mapping; every page passes it)
 *   - aws-parallelcluster (API mode, the CloudFormation stack events the pcluster API returns):
 *     GetClusterStackEvents bodies (100 / page) → `readStackEventsFast` (zod when it says no) + `toStackEvent`, as the
 *     API backend does it (read-only use of that package's internals)
 *   - aws-imagebuilder: ListLifecycleExecutionResources outputs (25 / page, SDK-deserialized, Dates)
 *     → `isLifecycleResourcesPage` guard (zod on failure) + `lifecycleResourceEvent`, as the client does
 *
 * Run: npx tsx --conditions=@stackfeed/source bench/normalize/normalize.ts
 * Knobs: EVENTS (100000 for RFS/Heat), AWS_EVENTS (20000 for the two AWS adapters), ROUNDS (9).
 */
import type { StackEvent } from '@stackfeed/core';
import { parseTimestamp, parseWire } from '@stackfeed/core/adapter';
import { createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { lifecycleLarge, startImageBuilderEmulator } from '@stackfeed/emulator/imagebuilder';
import { bigStack, startParallelClusterEmulator } from '@stackfeed/emulator/parallelcluster';
import { largeStack, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { lifecycleResourceEvent } from '../../packages/aws-imagebuilder/src/mapping/records.ts';
import { isLifecycleResourcesPage } from '../../packages/aws-imagebuilder/src/wire/guards.ts';
import { ListLifecycleResourcesSchema } from '../../packages/aws-imagebuilder/src/wire/schemas.ts';
import { toStackEvent as pclusterEvent } from '../../packages/aws-parallelcluster/src/mapping/events.ts';
import {
  type StackEventRecord,
  type StackEventWire,
  StackEventsWire,
  readStackEventsFast,
} from '../../packages/aws-parallelcluster/src/wire/api.ts';
import { EventIdAssigner, normalizeCheckedEventsPage } from '../../packages/huawei-rfs/src/mapping/events.ts';
import { normalizeCheckedEventList } from '../../packages/openstack-heat/src/mapping/event.ts';
import { median, round, writeResult } from '../lib.js';
import { machine } from '../providers/heat-rfs-lib.js';

const EVENTS = Number(process.env.EVENTS ?? 100_000);
const AWS_EVENTS = Number(process.env.AWS_EVENTS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);

const chunk = <T>(xs: T[], n: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
};

interface Case {
  provider: string;
  input: string;
  pageSize: number;
  /** Page texts for the JSON.parse reference (undefined where the input is not JSON: SDK objects). */
  texts: string[] | undefined;
  pages: unknown[];
  /** One full pass: every page normalized, each event handed to `sink` (not kept). */
  normalize: (sink: (ev: StackEvent) => void) => void;
}

// ---------------------------------------------------------------------------------------- RFS --
async function rfsCase(): Promise<Case> {
  const emu = await startRfsEmulator({
    credentials: { aksk: [] },
    scenarios: [largeStack({ stackName: 'bench', eventCount: EVENTS })],
  });
  const records = (emu.stack('bench')?.events ?? []).map((e) => e.wire).reverse(); // newest first, as listed
  await emu.close();
  const texts = chunk(records, 1000).map((events, i, all) =>
    JSON.stringify({
      stack_events: events,
      page_info: { current_count: events.length, ...(i < all.length - 1 ? { next_marker: `m${i}` } : {}) },
    }),
  );
  const pages = texts.map((t) => JSON.parse(t) as unknown);
  const scope = { stackName: 'bench' };
  return {
    provider: 'huawei-rfs',
    input: 'ListStackEvents body (JSON-parsed), 1,000 events / page',
    pageSize: 1000,
    texts,
    pages,
    normalize: (sink) => {
      const ids = new EventIdAssigner(scope);
      for (const p of pages) {
        const page = normalizeCheckedEventsPage(p, scope, ids);
        if (!page) throw new Error('an RFS page failed the page check');
        for (const ev of page.items) sink(ev);
      }
    },
  };
}

// --------------------------------------------------------------------------------------- Heat --
async function heatCase(): Promise<Case> {
  const emu = await startHeatEmulator();
  const resources = Array.from({ length: Math.ceil((EVENTS - 2) / 2) }, (_, i) => ({
    name: `server_${String(i).padStart(6, '0')}`,
    type: 'OS::Nova::Server',
  }));
  const stack = emu.addStack('bench', createScript('bench', resources, { stepMs: 100 }).slice(0, EVENTS));
  emu.advance(EVENTS * 100 + 1000);
  const records = emu.visibleEvents(stack);
  await emu.close();
  const texts = chunk(records, 1000).map((events) => JSON.stringify({ events }));
  const pages = texts.map((t) => JSON.parse(t) as unknown);
  const root = { name: 'bench', id: stack.id };
  return {
    provider: 'openstack-heat',
    input: 'list stack events body (JSON-parsed), 1,000 events / page',
    pageSize: 1000,
    texts,
    pages,
    normalize: (sink) => {
      for (const p of pages) {
        const events = normalizeCheckedEventList(p, root);
        if (!events) throw new Error('a Heat page failed the page check');
        for (const ev of events) sink(ev);
      }
    },
  };
}

// ---------------------------------------------------------------------------- ParallelCluster --
async function pclusterCase(): Promise<Case> {
  const emu = await startParallelClusterEmulator();
  bigStack(emu.world, { name: 'bench-cluster', events: AWS_EVENTS });
  const client = new ParallelClusterClient({
    apiUrl: emu.apiUrl,
    signingRegion: emu.region,
    credentials: emu.credentials,
  });
  const records: unknown[] = [];
  for await (const ev of client.listClusterStackEvents('bench-cluster')) records.push(ev.raw);
  await emu.close();
  const texts = chunk(records, 100).map((events, i, all) =>
    JSON.stringify({ events, ...(i < all.length - 1 ? { nextToken: `t${i}` } : {}) }),
  );
  const pages = texts.map((t) => JSON.parse(t) as unknown);
  return {
    provider: 'aws-parallelcluster',
    input: 'pcluster API GetClusterStackEvents body (JSON-parsed CloudFormation stack events), 100 / page',
    pageSize: 100,
    texts,
    pages,
    normalize: (sink) => {
      for (const p of pages) {
        // As the API backend does it (packages/aws-parallelcluster/src/api/backend.ts): the fast
        // reader, and zod only for a page it does not accept (none here).
        const rawEvents = (p as { events?: unknown[] }).events ?? [];
        const fast = readStackEventsFast(p);
        if (fast) {
          for (let i = 0; i < fast.events.length; i++)
            sink(pclusterEvent(fast.events[i] as StackEventRecord, rawEvents[i]));
          continue;
        }
        const data = parseWire(StackEventsWire, p, {
          provider: 'aws-parallelcluster',
          operation: 'GetClusterStackEvents',
        });
        const events = data.events ?? [];
        for (let i = 0; i < events.length; i++) {
          const w = events[i] as StackEventWire;
          sink(pclusterEvent({ ...w, timestamp: parseTimestamp(w.timestamp) as Date }, rawEvents[i]));
        }
      }
    },
  };
}

// ------------------------------------------------------------------------------ Image Builder --
async function imagebuilderCase(): Promise<Case> {
  const emu = await startImageBuilderEmulator({ auth: { mode: 'check' } });
  const { executionId } = lifecycleLarge(emu.store, { count: AWS_EVENTS });
  const client = new ImageBuilderClient({
    region: 'us-east-1',
    endpoint: emu.url,
    credentials: { accessKeyId: 'AKIDBENCH0000000001', secretAccessKey: 'bench-secret-key-0123456789abcdef' },
  });
  const records: unknown[] = [];
  for await (const ev of client.listLifecycleExecutionEvents(executionId, { pageSize: 25 })) records.push(ev.raw);
  await emu.close();
  // SDK outputs (Dates already deserialized): no JSON text to compare with.
  const pages = chunk(records, 25).map((resources, i, all) => ({
    lifecycleExecutionId: executionId,
    lifecycleExecutionState: { status: 'SUCCESS' },
    resources,
    ...(i < all.length - 1 ? { nextToken: `t${i}` } : {}),
  }));
  return {
    provider: 'aws-imagebuilder',
    input: 'ListLifecycleExecutionResources output (SDK-deserialized), 25 resources / page',
    pageSize: 25,
    texts: undefined,
    pages,
    normalize: (sink) => {
      const fallbackTime = new Date(0);
      for (const out0 of pages) {
        // As the client does it (packages/aws-imagebuilder/src/lifecycle.ts lifecyclePage).
        const w = isLifecycleResourcesPage(out0)
          ? out0
          : parseWire(ListLifecycleResourcesSchema, out0, { provider: 'aws-imagebuilder', operation: 'x' });
        const raw = out0.resources;
        const ctx = { executionId, executionState: w.lifecycleExecutionState, fallbackTime };
        const resources = w.resources ?? [];
        for (let i = 0; i < resources.length; i++) {
          const ev = lifecycleResourceEvent(resources[i] as never, ctx, raw[i]);
          if (ev) sink(ev);
        }
      }
    },
  };
}

function measureCase(c: Case) {
  // Warm-up pass that also checks the output: as many events as records, ids distinct.
  const ids = new Set<string>();
  let events = 0;
  c.normalize((ev) => {
    ids.add(ev.id);
    events++;
  });
  if (events === 0) throw new Error(`${c.provider}: no events`);
  if (ids.size !== events) throw new Error(`${c.provider}: ${events} events but ${ids.size} distinct ids`);
  ids.clear();
  let n = 0;
  const count = () => {
    n++;
  };
  const normMs: number[] = [];
  const parseMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    n = 0;
    const t0 = performance.now();
    c.normalize(count);
    normMs.push(performance.now() - t0);
    if (n !== events) throw new Error(`${c.provider}: ${n} events in a round, ${events} before`);
    if (c.texts) {
      const t1 = performance.now();
      for (const t of c.texts) JSON.parse(t);
      parseMs.push(performance.now() - t1);
    }
  }
  const nMed = median(normMs);
  const pMed = c.texts ? median(parseMs) : undefined;
  return {
    provider: c.provider,
    input: c.input,
    events,
    pages: c.pages.length,
    normalizeMedianMs: round(nMed, 2),
    normalizeEventsPerSecond: Math.round((events / nMed) * 1000),
    normalizeMicrosPerEvent: round((nMed * 1000) / events, 3),
    jsonParseMedianMs: pMed === undefined ? null : round(pMed, 2),
    jsonParseEventsPerSecond: pMed === undefined ? null : Math.round((events / pMed) * 1000),
    normalizeOverJsonParse: pMed === undefined ? null : round(nMed / pMed, 2),
    roundsMs: normMs.map((x) => round(x, 2)),
  };
}

const before = machine();
const results = [];
for (const make of [rfsCase, heatCase, pclusterCase, imagebuilderCase]) {
  const c = await make();
  const r = measureCase(c);
  console.error(
    JSON.stringify({
      provider: r.provider,
      eventsPerSecond: r.normalizeEventsPerSecond,
      vsJsonParse: r.normalizeOverJsonParse,
    }),
  );
  results.push(r);
}
const result = {
  benchmark: 'normalization alone: wire page (already parsed) → StackEvent[], validation included, per provider',
  rounds: ROUNDS,
  ...machine(),
  loadAverage1mBefore: before.loadAverage1m,
  results,
  note: 'median of ROUNDS full passes over all pages (events handed to a counter, not kept: as a for-await consumer), after one warm-up pass that checks the ids are distinct; every pass must yield the same number of events. JSON.parse of the same page texts is measured in the same rounds as a reference.',
};
console.log(JSON.stringify(result, null, 2));
writeResult(new URL('../results/normalize.json', import.meta.url).pathname, result);
