/**
 * One fleet worker process of the scale proof and bench/fleet/scale.ts. Argument: JSON { url,
 * schema, id, accounts, ttl, pollIntervalMs, discoverEveryMs }. Prints one JSON line per worker
 * event (and `ready`, then `rss` lines every 5 s); SIGTERM stops it cleanly; SIGKILL is the crash.
 */
import { openStore } from '@stackfeed/store';
import { FleetWorker, openFleet } from '../src/index.js';
import { type ScaleAccount, scaleSource } from './scale-source.js';

const cfg = JSON.parse(process.argv[2] as string) as {
  url: string;
  schema: string;
  id: string;
  accounts: ScaleAccount[];
  ttl: number;
  pollIntervalMs: number;
  discoverEveryMs: number;
  /** Print the lag's parts (lag-trace.ts). */
  trace?: boolean;
};
const store = await openStore(cfg.url, { schema: cfg.schema });
const fleet = await openFleet(store, { leaseTtlMs: cfg.ttl });
const write = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const worker = new FleetWorker(fleet, {
  id: cfg.id,
  places: cfg.accounts.map((a) => a.place),
  ...scaleSource(cfg.accounts, cfg.trace ? write : undefined),
  leaseTtlMs: cfg.ttl,
  pollIntervalMs: cfg.pollIntervalMs,
  discoverEveryMs: cfg.discoverEveryMs,
  backoffMs: 200,
  maxBackoffMs: 2000,
  flushIntervalMs: 20,
  onEvent: write,
});
await worker.start();
const ready = process.cpuUsage();
write({ type: 'ready', cpuMs: (ready.user + ready.system) / 1000 });
const rss = setInterval(() => {
  const cpu = process.cpuUsage();
  write({
    type: 'rss',
    bytes: process.memoryUsage().rss,
    held: worker.held.length,
    cpuMs: (cpu.user + cpu.system) / 1000,
  });
}, 5000);
rss.unref();
process.once('SIGTERM', () => {
  void (async () => {
    clearInterval(rss);
    await worker.stop();
    await store.close();
    process.exit(0);
  })();
});
