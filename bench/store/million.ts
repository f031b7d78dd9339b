/**
 * bench/store/million.ts: RSS growth while `store.archive` stores 1,000,000 events that arrive as a
 * stream (a generator: nothing is held in an array), then a history query of 100 events by stack
 * and time range out of everything stored: p50/p95 and the plan of the very statement events()
 * runs. Peer for the RSS figure: the same generator drained without storing (what the process costs
 * anyway), side by side in this run.
 *
 *   STORE_BENCH_PG=postgres://postgres@127.0.0.1:PORT/postgres N=1000000 \
 *     pnpm tsx --conditions=@stackfeed/source bench/store/million.ts
 *   PGLITE=1 … adds the embedded engine (slow: about 4× PostgreSQL's wall time); PGLITE_DIR=/tmp/dir
 *   stores in a data directory (the embedded default) instead of `:memory:`.
 */
import type { StackEvent } from '@stackfeed/core';
import { openStore, type Store } from '@stackfeed/store';

const N = Number(process.env.N ?? 1_000_000);
const STACKS = 1000;
const BATCH = 1000;
const T0 = Date.UTC(2026, 0, 1);

async function* stream(n: number): AsyncGenerator<StackEvent> {
  for (let i = 0; i < n; i++) {
    const stack = i % STACKS;
    yield {
      provider: 'openstack-heat',
      id: `ev-${i}`,
      timestamp: new Date(T0 + i * 100),
      stack: { id: `stack-${stack}`, name: `web-${stack}` },
      resource: { logicalId: `res${i % 17}`, physicalId: `phys-${i}`, type: 'OS::Heat::RandomString' },
      action: 'CREATE',
      phase: i % 2 ? 'COMPLETE' : 'IN_PROGRESS',
      status: i % 2 ? 'CREATE_COMPLETE' : 'CREATE_IN_PROGRESS',
      message: 'state changed',
      raw: { id: `ev-${i}`, resource_status: i % 2 ? 'CREATE_COMPLETE' : 'CREATE_IN_PROGRESS' },
    };
  }
}

/** Peak RSS above the value at start, sampled every 100 ms while `work` runs. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; peak: number; end: number; ms: number }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss - base);
  }, 100);
  const t = performance.now();
  try {
    const result = await work();
    const ms = performance.now() - t;
    peak = Math.max(peak, process.memoryUsage().rss - base);
    return { result, peak, end: process.memoryUsage().rss - base, ms };
  } finally {
    clearInterval(timer);
  }
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;

async function run(name: string, store: Store) {
  const peer = await peakGrowth(async () => {
    let n = 0;
    for await (const _ of stream(N)) n++;
    return n;
  });
  const archived = await peakGrowth(() => store.archive(stream(N), { target: 'million', batchSize: BATCH }));
  await store.query(`analyze ${store.schema}.events`);
  const times: number[] = [];
  for (let q = 0; q < 100; q++) {
    const stack = `web-${(q * 37) % STACKS}`;
    const since = new Date(T0 + Math.floor((q / 100) * N) * 100);
    const until = new Date(since.getTime() + 100 * STACKS * 100); // about 100 events of that stack
    const t = performance.now();
    const got = await store.events({ stack, since, until }).toArray({ limit: 100 });
    times.push(performance.now() - t);
    if (got.length === 0) throw new Error(`query ${q} found nothing`);
  }
  const plan = await store.explainEvents({ stack: 'web-7', since: new Date(T0), until: new Date(T0 + 10_000_000) });
  console.log(`\n## ${name}: ${N} events streamed, batches of ${BATCH}`);
  console.log(`peer (generator drained, nothing stored): ${peer.ms.toFixed(0)} ms, RSS peak growth ${mb(peer.peak)}`);
  console.log(
    `store.archive: ${archived.ms.toFixed(0)} ms (${archived.result.inserted} rows), RSS peak growth ${mb(archived.peak)}, at end ${mb(archived.end)}`,
  );
  console.log(
    `history query, 100 of ${N} by stack + time: p50 ${pct(times, 50).toFixed(1)} ms, p95 ${pct(times, 95).toFixed(1)} ms`,
  );
  console.log(`plan: ${plan.map((l) => l.trim()).join(' | ')}`);
}

const pgUrl = process.env.STORE_BENCH_PG;
if (pgUrl) {
  const store = await openStore(pgUrl, { schema: `million_${process.pid}` });
  try {
    await run('postgres', store);
    await store.query(`drop schema million_${process.pid} cascade`);
  } finally {
    await store.close();
  }
}
if (process.env.PGLITE === '1') {
  // The embedded default is a data directory (its pages live in files and the OS cache); with
  // `:memory:` every stored row lives in the WASM heap, so RSS grows with the data by design.
  const dir = process.env.PGLITE_DIR;
  global.gc?.();
  const beforeOpen = process.memoryUsage().rss;
  const store = await openStore(dir ?? ':memory:');
  console.log(`pglite open: RSS +${mb(process.memoryUsage().rss - beforeOpen)} (the WASM module and its heap)`);
  try {
    await run(`pglite (in-process, ${dir ? 'data directory' : ':memory:'})`, store);
  } finally {
    await store.close();
  }
}
if (!pgUrl && process.env.PGLITE !== '1') console.log('set STORE_BENCH_PG=postgres://… and/or PGLITE=1');
