/**
 * `--all-regions` as the CLI reads it: 8 regions of one account, each its own ImageBuilderClient,
 * 60 images per region (3 pages of 25), every request answered after 25 ms (a remote region's round
 * trip), read through core's `gatherInOrder` 4 at a time against the same mechanics 1 at a time (one
 * region after another, what a script looping over regions does). Same clients, same emulator,
 * alternately in one process. Reported: median per-round ratio 4-at-a-time / one-at-a-time (wall),
 * with its IQR; the expectation is about 1/4 (each region's pages stay sequential).
 * Run: npx tsx --conditions=@stackfeed/source bench/imagebuilder/fan-out.ts
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { gatherInOrder } from '@stackfeed/core';
import { type Handler, startEmulator } from '@stackfeed/emulator';
import {
  createImageBuilderHandler,
  imageBuildAvailable,
  ImageBuilderStore,
  ManualClock,
} from '@stackfeed/emulator/imagebuilder';
import { createAwsRegionsHandler } from '@stackfeed/emulator/regions';
import { iqr, round, sideBySide, writeResult } from '../lib.js';

const REGIONS = [
  'ap-south-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'sa-east-1',
  'us-east-1',
  'us-west-2',
];
const IMAGES = 60;
const LATENCY_MS = 25;
const KEYS = { accessKeyId: 'AKIABENCHFANOUT00001', secretAccessKey: 'bench-fan-out-secret-key-0000000000000' };

const clock = new ManualClock();
const server = await startEmulator({
  handler: createAwsRegionsHandler({
    regions: REGIONS.map((name) => {
      const store = new ImageBuilderStore({ clock, region: name });
      for (let i = 0; i < IMAGES; i++) imageBuildAvailable(store, { name: `img-${i}`, version: '1.0.0' });
      const handler = createImageBuilderHandler(store, { auth: { mode: 'check', credentials: [KEYS] } });
      const delayed: Handler = async (req) => {
        await sleep(LATENCY_MS);
        return handler(req);
      };
      return { name, handler: delayed };
    }),
  }),
});
const clients = new Map(
  REGIONS.map((region) => [region, new ImageBuilderClient({ region, endpoint: server.url, credentials: KEYS })]),
);
const read = (region: string) => (clients.get(region) as ImageBuilderClient).listImages();
const run = (concurrency: number) => async () => {
  const results = await gatherInOrder(REGIONS, read, { concurrency });
  const n = results.reduce((s, r) => s + r.items.length, 0);
  if (n !== REGIONS.length * IMAGES || results.some((r) => r.error)) throw new Error(`read ${n} images`);
};

const r = await sideBySide(run(4), run(1), { rounds: 9, warmup: 1 });
for (const c of clients.values()) c.close();
await server.close();
const result = {
  benchmark: 'images over 8 regions: gatherInOrder 4 at a time vs 1 at a time (same clients, same emulator)',
  regions: REGIONS.length,
  imagesPerRegion: IMAGES,
  latencyMs: LATENCY_MS,
  node: process.version,
  fourAtATimeMedianMs: round(r.aMedianMs, 1),
  oneAtATimeMedianMs: round(r.bMedianMs, 1),
  ratio: round(r.ratio),
  ratioIqr: iqr(r.ratios),
  cpuRatio: round(r.cpuRatio),
  expectation: 'about 0.25 (8 regions, 4 at a time; pages of one region stay sequential)',
  loadAverage: os.loadavg().map((x) => round(x, 2)),
};
console.log(JSON.stringify(result, null, 2));
writeResult(new URL('../results/imagebuilder-fan-out.json', import.meta.url).pathname, result);
