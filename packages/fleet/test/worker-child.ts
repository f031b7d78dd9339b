/**
 * One fleet worker process of the proof tests (emulators, the real Heat peer). Argument: JSON
 * { url, schema, id, endpoints, ttl, budget, pollIntervalMs, discoverEveryMs, name? (a stack name glob) }. Prints one JSON line per worker event; SIGTERM stops
 * it cleanly (leases handed back); SIGKILL is the crash the test makes.
 */
import { openStore } from '@stackfeed/store';
import { FleetWorker, openFleet } from '../src/index.js';
import { heatPlaces, heatSource } from './heat-source.js';

const cfg = JSON.parse(process.argv[2] as string) as {
  url: string;
  schema: string;
  id: string;
  endpoints: Record<string, string>;
  ttl: number;
  budget: { limit: number; intervalMs: number };
  pollIntervalMs: number;
  discoverEveryMs: number;
  name?: string;
};
const store = await openStore(cfg.url, { schema: cfg.schema });
const fleet = await openFleet(store, { leaseTtlMs: cfg.ttl });
const places = heatPlaces(Object.keys(cfg.endpoints), cfg.budget, cfg.name);
const { discover, follow } = heatSource(cfg.endpoints, places);
const worker = new FleetWorker(fleet, {
  id: cfg.id,
  places,
  discover,
  follow,
  leaseTtlMs: cfg.ttl,
  pollIntervalMs: cfg.pollIntervalMs,
  discoverEveryMs: cfg.discoverEveryMs,
  backoffMs: 100,
  flushIntervalMs: 5,
  onEvent: (e) => process.stdout.write(`${JSON.stringify(e)}\n`),
});
await worker.start();
process.stdout.write(`${JSON.stringify({ type: 'ready' })}\n`);
process.once('SIGTERM', () => {
  void (async () => {
    await worker.stop();
    await store.close();
    process.exit(0);
  })();
});
