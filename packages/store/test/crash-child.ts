/**
 * The process the crash test kills: follows one Heat stack into a store, printing a line per
 * committed batch. It first prints what the store holds (the state
 * a restart finds). Arguments: <store URL> <schema> <heat endpoint> <stack name>.
 */
import { HeatClient } from '@stackfeed/openstack-heat';
import { openStore } from '../src/index.js';

const [url, schema, endpoint, stack] = process.argv.slice(2) as [string, string, string, string];
const store = await openStore(url, { schema });
// What survived the previous kill, for the parent to check against the emulator: every stored
// event id with how often it is stored, and the checkpoint.
const rows = await store.query<{ id: string; n: number }>(
  `select event_id as id, count(*)::int as n from ${schema}.events group by event_id`,
);
const cp = await store.checkpoint('openstack-heat:' + stack);
process.stdout.write(`state ${JSON.stringify({ rows, lowWater: cp?.lowWater?.getTime() ?? null })}\n`);
process.stdout.write('ready\n');
const heat = new HeatClient({ auth: { type: 'none' }, endpoint, retry: { baseDelayMs: 1, maxDelayMs: 4 } });
const r = await store.follow(heat, stack, {
  pollIntervalMs: 10,
  batchSize: 4,
  flushIntervalMs: 2,
  onBatch: (b) => process.stdout.write(`batch ${b.inserted}\n`),
});
await store.close();
process.stdout.write(`done ${r.watch?.outcome}\n`);
