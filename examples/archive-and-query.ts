/**
 * Archive a live Heat deployment into a store, resume after a stop, and query the history — on a
 * local Heat emulator, in an embedded in-memory store (pass a postgres:// URL as the first
 * argument to use PostgreSQL instead).
 *
 *   pnpm tsx --conditions=@stackfeed/source examples/archive-and-query.ts [postgres://…]
 */
import { createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { HeatClient } from '@stackfeed/openstack-heat';
import { openStore } from '@stackfeed/store';

const emu = await startHeatEmulator({ autoAdvanceMs: 500, maxEventsPerStack: 6 });
const stack = emu.addStack('web', createScript('web', [{ name: 'net' }, { name: 'db' }, { name: 'app', fail: true }]));
const heat = new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl });
const store = await openStore(process.argv[2] ?? ':memory:');

try {
  // Newly stored failures, as they are committed (another process would see them too on PostgreSQL).
  const failures = store.subscribe({ phase: 'FAILED' });
  await failures.ready;
  void (async () => {
    for await (const ev of failures) console.log(`stored failure: ${ev.resource.logicalId} ${ev.message ?? ''}`);
  })();

  // Follow the deployment, stop after the first batch, then resume from the checkpoint.
  const stop = new AbortController();
  const first = await store.follow(heat, 'web', {
    pollIntervalMs: 20,
    batchSize: 3,
    signal: stop.signal,
    onBatch: () => stop.abort(),
  });
  console.log(`first run stored ${first.inserted} events, then stopped`);
  const second = await store.follow(heat, 'web', { pollIntervalMs: 20 });
  console.log(
    `resumed from ${second.resumedFrom?.toISOString()}: ${second.inserted} new, ${second.duplicates} re-read and dropped; ${second.watch?.outcome}`,
  );

  // Heat kept only 6 events; the store has them all.
  console.log(`Heat still shows ${emu.visibleEvents(stack).length} events; the store holds:`);
  for await (const ev of store.events({ provider: 'openstack-heat', stack: 'web' })) {
    console.log(`  ${ev.timestamp.toISOString()} ${ev.resource.logicalId?.padEnd(4)} ${ev.status}`);
  }
  const [summary] = await store.stacks();
  console.log(`stack ${summary?.name}: ${summary?.status}, last event ${summary?.lastEventAt.toISOString()}`);
  await failures.close();
} finally {
  await store.close();
  await emu.close();
}
