/**
 * 1. Peak RSS while iterating 1,000,000 StackEvents through a Paginator (pages built lazily, as
 *    an adapter's fetchPage would): memory must stay flat (target < 64 MB above baseline).
 * 2. mergeEvents throughput (events/s), exact and live mode, over 4 streams, beside a plain
 *    concatenate-and-sort of the same arrays as the peer.
 */
import { mergeEvents, type StackEvent } from '@stackfeed/core';
import { createPaginator } from '@stackfeed/core/adapter';
import { round, time, writeResult } from '../lib.js';

const TOTAL = Number(process.env.EVENTS ?? 1_000_000);
const PAGE = 500;

function makeEvent(i: number, provider: StackEvent['provider'] = 'openstack-heat', offsetMs = 0): StackEvent {
  return {
    provider,
    id: `ev-${provider}-${i}`,
    timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000 + offsetMs),
    stack: { id: 'stack-1', name: 'bench' },
    resource: { logicalId: `res-${i % 100}`, type: 'OS::Heat::RandomString' },
    action: 'CREATE',
    phase: 'COMPLETE',
    status: 'CREATE_COMPLETE',
    message: 'state changed',
    raw: { id: i },
  };
}

// --- 1. memory ---
globalThis.gc?.();
const baseline = process.memoryUsage().rss;
let peak = baseline;
const samples: Array<{ events: number; rssMb: number }> = [];
const p = createPaginator<StackEvent, number>({
  provider: 'openstack-heat',
  operation: 'bench',
  fetchPage: async (cursor) => {
    const start = cursor ?? 0;
    const n = Math.min(PAGE, TOTAL - start);
    const items = Array.from({ length: n }, (_, k) => makeEvent(start + k));
    return { items, next: start + n < TOTAL ? start + n : undefined };
  },
});
let count = 0;
const tMem = await time(async () => {
  for await (const _ev of p) {
    count++;
    if (count % 50_000 === 0) {
      const rss = process.memoryUsage().rss;
      peak = Math.max(peak, rss);
      samples.push({ events: count, rssMb: round(rss / 2 ** 20, 1) });
    }
  }
});
if (count !== TOTAL) throw new Error(`iterated ${count}, expected ${TOTAL}`);

// --- 2. merge throughput ---
const STREAM = Number(process.env.MERGE_EVENTS ?? 250_000);
const providers: StackEvent['provider'][] = ['openstack-heat', 'huawei-rfs', 'aws-parallelcluster', 'aws-imagebuilder'];
const arrays = providers.map((prov, k) => Array.from({ length: STREAM }, (_, i) => makeEvent(i, prov, k * 250)));
async function* from<T>(xs: T[]) {
  yield* xs;
}
const mergedCount = async (mode: 'exact' | 'live') => {
  let n = 0;
  let last = 0;
  for await (const ev of mergeEvents(arrays.map(from), { mode, latenessMs: 0 })) {
    if (mode === 'exact' && ev.timestamp.getTime() < last) throw new Error('merge out of order');
    last = ev.timestamp.getTime();
    n++;
  }
  return n;
};
const tExact = await time(() => mergedCount('exact'));
const tLive = await time(() => mergedCount('live'));
const tSort = await time(async () => {
  const all = arrays.flat();
  all.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  return all.length;
});
const merged = STREAM * providers.length;

const result = {
  benchmark: 'Paginator memory over 1M events; mergeEvents throughput',
  node: process.version,
  memory: {
    events: TOTAL,
    baselineRssMb: round(baseline / 2 ** 20, 1),
    peakRssMb: round(peak / 2 ** 20, 1),
    peakAboveBaselineMb: round((peak - baseline) / 2 ** 20, 1),
    target: '< 64 MB above baseline, flat',
    eventsPerSecond: Math.round(TOTAL / (tMem / 1000)),
    samples,
  },
  merge: {
    streams: providers.length,
    events: merged,
    exactEventsPerSecond: Math.round(merged / (tExact / 1000)),
    liveEventsPerSecond: Math.round(merged / (tLive / 1000)),
    peerConcatSortEventsPerSecond: Math.round(merged / (tSort / 1000)),
    exactVsSortTimeRatio: round(tExact / tSort, 2),
  },
};
console.log(JSON.stringify({ ...result, memory: { ...result.memory, samples: `${samples.length} samples` } }, null, 2));
writeResult(new URL('../results/core-memory-merge.json', import.meta.url).pathname, result);
