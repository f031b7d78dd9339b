/**
 * RFS ListStackEvents: stackfeed's RfsClient (signed got transport, zod validation, normalized
 * StackEvent with content ids, Paginator) against a hand-written loop (fetch, the same AK/SK
 * signature, JSON.parse, no validation, no mapping) over the same emulator stack of a few
 * thousand events, page size 100, alternately in one process.
 * Run: npx tsx --conditions=@stackfeed/source bench/rfs/list-events.ts
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { largeStack, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { RfsClient, formatSdkDate, signRequest } from '@stackfeed/huawei-rfs';
import { round, sideBySide, writeResult } from '../lib.js';

const EVENTS = Number(process.env.EVENTS ?? 3000);
const PAGE = Number(process.env.PAGE ?? 100);
const AK = 'HPUABENCHACCESSKEY001';
const SK = 'benchSecretKey0123456789abcdefghijklmnop';

const emu = await startRfsEmulator({
  credentials: { aksk: [{ accessKey: AK, secretKey: SK }] },
  scenarios: [largeStack({ stackName: 'bench', eventCount: EVENTS })],
});
const path = `/v1/${emu.projectId}/stacks/bench/events`;

const rfs = new RfsClient({
  region: 'cn-north-4',
  projectId: emu.projectId,
  endpoint: emu.url,
  credentials: { accessKey: AK, secretKey: SK },
  env: {},
});

async function viaStackfeed(): Promise<number> {
  let n = 0;
  for await (const _ of rfs.listStackEvents('bench', { pageSize: PAGE })) n++;
  return n;
}

async function viaRawSignedFetch(): Promise<number> {
  let n = 0;
  let marker: string | undefined;
  do {
    const url = new URL(`${emu.url}${path}`);
    url.searchParams.set('limit', String(PAGE));
    if (marker) url.searchParams.set('marker', marker);
    const headers: Record<string, string> = {
      'x-sdk-date': formatSdkDate(new Date()),
      'client-request-id': randomUUID(),
      'x-project-id': emu.projectId,
      host: url.host,
    };
    headers.authorization = signRequest({
      method: 'GET',
      url,
      headers,
      signedHeaders: Object.keys(headers),
      accessKey: AK,
      secretKey: SK,
    }).authorization;
    delete headers.host;
    const res = await fetch(url, { headers });
    const body = JSON.parse(await res.text()) as {
      stack_events?: unknown[];
      page_info?: { next_marker?: string };
    };
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body)}`);
    for (const _ of body.stack_events ?? []) n++;
    marker = body.stack_events?.length ? body.page_info?.next_marker : undefined;
  } while (marker);
  return n;
}

const [a, b] = [await viaStackfeed(), await viaRawSignedFetch()];
if (a !== EVENTS || b !== a) throw new Error(`item counts differ: ${a} vs ${b} (expected ${EVENTS})`);
const r = await sideBySide(viaStackfeed, viaRawSignedFetch, { rounds: Number(process.env.ROUNDS ?? 9) });
await emu.close();

const result = {
  benchmark: 'RfsClient.listStackEvents vs signed fetch + JSON.parse (RFS emulator)',
  events: EVENTS,
  pageSize: PAGE,
  pages: Math.ceil(EVENTS / PAGE),
  node: process.version,
  cpus: availableParallelism(),
  loadAverage1m: round(loadavg()[0] ?? 0, 2),
  stackfeedMedianMs: round(r.aMedianMs, 1),
  rawMedianMs: round(r.bMedianMs, 1),
  ratio: round(r.ratio),
  note: 'stackfeed validates every record (zod), maps it to StackEvent and derives a content id; the raw loop only counts parsed records',
};
console.log(JSON.stringify(result, null, 2));
writeResult(new URL('../results/rfs.json', import.meta.url).pathname, result);
