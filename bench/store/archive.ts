/**
 * bench/store/archive.ts: archiving N events with `store.archive` vs a bare batched
 * `INSERT … ON CONFLICT DO NOTHING` of the same rows through the same driver and connection, side
 * by side, per engine; then a history query of 100 events by stack and time range out of the N
 * stored (p50/p95 and the plan). Also RSS growth while archiving.
 *
 *   N=100000 pnpm tsx --conditions=@stackfeed/source bench/store/archive.ts
 *   STORE_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres N=20000 … (adds the PostgreSQL engine)
 */
import { randomBytes } from 'node:crypto';
import type { StackEvent } from '@stackfeed/core';
import { openStore, type Store } from '@stackfeed/store';

const N = Number(process.env.N ?? 100_000);
const STACKS = 100;
const BATCH = 1000;

function makeEvents(n: number): StackEvent[] {
  const t0 = Date.UTC(2026, 0, 1);
  return Array.from({ length: n }, (_, i) => {
    const stack = i % STACKS;
    return {
      provider: 'openstack-heat',
      id: `ev-${i}`,
      timestamp: new Date(t0 + i * 1000),
      stack: { id: `stack-${stack}`, name: `web-${stack}` },
      resource: { logicalId: `res${i % 17}`, physicalId: `phys-${i}`, type: 'OS::Heat::RandomString' },
      action: 'CREATE',
      phase: i % 2 ? 'COMPLETE' : 'IN_PROGRESS',
      status: i % 2 ? 'CREATE_COMPLETE' : 'CREATE_IN_PROGRESS',
      message: 'state changed',
      raw: { id: `ev-${i}`, event_time: new Date(t0 + i * 1000).toISOString(), resource_status: 'CREATE_COMPLETE' },
    };
  });
}

async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const x of items) yield x;
}

const COLS = [
  'provider',
  'stack_key',
  'event_id',
  'ts',
  'stack_id',
  'stack_name',
  'logical_id',
  'physical_id',
  'resource_type',
  'action',
  'phase',
  'status',
  'message',
  'raw',
] as const;

/** The peer: what a user would write by hand: multi-row VALUES with parameters, ON CONFLICT DO NOTHING. */
async function bareInsert(store: Store, events: readonly StackEvent[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < events.length; i += BATCH) {
    const chunk = events.slice(i, i + BATCH);
    const params: unknown[] = [];
    const tuples = chunk.map((ev) => {
      const base = params.length;
      params.push(
        ev.provider,
        ev.stack.id,
        ev.id,
        ev.timestamp.toISOString(),
        ev.stack.id,
        ev.stack.name,
        ev.resource.logicalId,
        ev.resource.physicalId,
        ev.resource.type,
        ev.action,
        ev.phase,
        ev.status,
        ev.message,
        JSON.stringify(ev.raw),
      );
      return `(${COLS.map((c, k) => `$${base + k + 1}${c === 'raw' ? '::text::jsonb' : c === 'ts' ? '::timestamptz' : ''}`).join(',')})`;
    });
    const rows = await store.query<{ n: number }>(
      `with i as (insert into ${store.schema}.events (${COLS.join(',')}) values ${tuples.join(',')}
         on conflict (provider, stack_key, event_id) do nothing returning 1) select count(*)::int as n from i`,
      params,
    );
    inserted += rows[0]?.n ?? 0;
  }
  return inserted;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

async function benchEngine(name: string, open: (schema: string) => Promise<Store>, events: StackEvent[]) {
  const schemaA = `bench_a_${randomBytes(4).toString('hex')}`;
  const schemaB = `bench_b_${randomBytes(4).toString('hex')}`;
  const a = await open(schemaA);
  const b = await open(schemaB);
  try {
    // Peer first, then the store: both into an empty table with the same indexes.
    const tb = performance.now();
    const bareInserted = await bareInsert(b, events);
    const bareMs = performance.now() - tb;

    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    const ta = performance.now();
    const r = await a.archive(iterate(events), { target: 'bench', batchSize: BATCH });
    const storeMs = performance.now() - ta;
    const rss1 = process.memoryUsage().rss;

    // History query: 100 events of one stack in a time range.
    const times: number[] = [];
    const t0 = Date.UTC(2026, 0, 1);
    for (let q = 0; q < 40; q++) {
      const stack = `web-${q % STACKS}`;
      const startIdx = Math.floor((q / 40) * Math.max(1, N - STACKS * 100));
      const since = new Date(t0 + startIdx * 1000);
      const until = new Date(t0 + (startIdx + STACKS * 100) * 1000);
      const t = performance.now();
      const got = await a.events({ stack, since, until }).toArray({ limit: 100 });
      times.push(performance.now() - t);
      if (got.length === 0) throw new Error('query found nothing');
    }
    const plan = await a.query<{ 'QUERY PLAN': string }>(
      `explain select * from ${schemaA}.events where (stack_key = $1 or stack_name = $1)
         and ts >= $2::timestamptz and ts < $3::timestamptz order by ts, seq limit 101`,
      ['web-7', new Date(t0).toISOString(), new Date(t0 + 10_000_000).toISOString()],
    );
    console.log(`\n## ${name}: ${N} events, batches of ${BATCH}`);
    console.log(`bare INSERT … ON CONFLICT DO NOTHING: ${bareMs.toFixed(0)} ms (${bareInserted} rows)`);
    console.log(
      `store.archive:                       ${storeMs.toFixed(0)} ms (${r.inserted} rows, + stacks summary + checkpoint per batch)`,
    );
    console.log(`ratio store/bare:                    ${(storeMs / bareMs).toFixed(2)}`);
    console.log(`RSS growth while archiving:          ${mb(rss1 - rss0)}`);
    console.log(
      `history query, 100 of ${N} by stack + time: p50 ${pct(times, 50).toFixed(1)} ms, p95 ${pct(times, 95).toFixed(1)} ms`,
    );
    console.log('plan:');
    for (const row of plan) console.log(`  ${row['QUERY PLAN']}`);
  } finally {
    await a.close();
    await b.close();
  }
}

const events = makeEvents(N);
// One PGlite for both sides (the same driver and connection), two schemas.
const { PGlite } = await import('@electric-sql/pglite');
const pglite = await PGlite.create();
await benchEngine('pglite (in-process)', (schema) => openStore(undefined, { pglite, schema }), events);
await pglite.close();
const pgUrl = process.env.STORE_BENCH_PG;
if (pgUrl) await benchEngine('postgres', (schema) => openStore(pgUrl, { schema }), events);
else console.log('\n(STORE_BENCH_PG not set: PostgreSQL skipped)');
