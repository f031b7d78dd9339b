/**
 * Huawei RFS, 100,000 events (ListStackEvents): stackfeed's `RfsClient.listStackEvents` (signed got
 * transport, zod validation of every record, StackEvent mapping, content id per event, core
 * Paginator), iterated item by item with `for await`, against a raw loop doing the same HTTP
 * requests with plain `fetch` + `JSON.parse`.
 *
 * Auth: both sides sign every request with SDK-HMAC-SHA256 (AK/SK), the signing the real service
 * needs: the raw loop stamps the same headers (X-Sdk-Date, Client-Request-Id, X-Project-Id, Host)
 * and signs them with stackfeed's exported `signRequest` (the same HMAC work per request), and the
 * server checks every signature with the emulator's independent gateway verifier.
 *
 * Server: the RFS emulator (`largeStack`, EVENTS events) in a child process; every page is
 * pre-rendered from it once (exact emulator bytes and markers) and replayed, so the server cost is
 * identical and small for both sides and this process's CPU time is the clients' alone.
 *
 * Before any ratio: both sides must yield the same number of events, and the same records in the
 * same order (sha256 over the JSON of every record: stackfeed's `raw` vs the raw loop's parsed
 * record); stackfeed's 100,000 ids must be distinct.
 *
 * Run: pnpm build && npx tsx bench/providers/rfs.ts — stackfeed from its BUILT dist/ (what users run;
 *   the script refuses a dist older than src). From source instead (tsx's `__name` wrappers, not what
 *   users run): npx tsx --conditions=@stackfeed/source bench/providers/rfs.ts
 * Profile one side: node --cpu-prof --import tsx bench/providers/rfs.ts loop stackfeed
 * Method check: AA=stackfeed (or AA=raw) measures that side against itself (ratio should be ~1.0).
 * Knobs: EVENTS (100000), PAGE (1000, RFS's maximum), ROUNDS (7), WARMUP (1), RSS=0 skips the RSS children, RAW_IDS=1 (see below).
 */
import { createHash, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '@stackfeed/emulator';
import { largeStack, startRfsEmulator, verifyAkSkRequest } from '@stackfeed/emulator/rfs';
import { EventIdAssigner, RfsClient, formatSdkDate, signRequest } from '@stackfeed/huawei-rfs';
import { assertBuilt, round, writeResult } from '../lib.js';
import { compareSides, measureRss, requestKey, serveUntilStdinEnds, startServerChild } from './heat-rfs-lib.js';

const EVENTS = Number(process.env.EVENTS ?? 100_000);
const PAGE = Number(process.env.PAGE ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const WARMUP = Number(process.env.WARMUP ?? 1);
const AK = 'HPUABENCHACCESSKEY001';
const SK = 'benchSecretKey0123456789abcdefghijklmnop';
const STACK = 'bench';
const SELF = fileURLToPath(import.meta.url);

/**
 * RFS's own order (newest first), page by page as the raw loop reads it: the default order
 * (oldest first, as on every provider) reads the whole listing before its first event and
 * reverses it, work the raw loop does not do.
 */
const LIST_OPTIONS = { pageSize: PAGE, order: 'newest-first' } as const;

interface ServerInfo {
  url: string;
  projectId: string;
  pages: number;
  events: number;
}

/** Signed GET as the raw side does it: the headers stackfeed's AkSkAuth signs, same signer. */
function signedHeaders(url: URL, projectId: string): Record<string, string> {
  const headers: Record<string, string> = {
    'client-request-id': randomUUID(),
    host: url.host,
    'x-project-id': projectId,
    'x-sdk-date': formatSdkDate(new Date()),
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
  return headers;
}

/**
 * RAW_IDS=1: the raw loop also derives every event's id exactly as stackfeed does (RFS events have
 * no id; SHA-256 content id + occurrence index). What is left of the ratio then is the rest of the
 * normalization and stackfeed's request path. The result goes to providers-rfs-raw-ids.json.
 */
const RAW_IDS = process.env.RAW_IDS === '1';
const rawEach = (): ((ev: Record<string, unknown>) => void) => {
  if (!RAW_IDS) return () => {};
  const ids = new EventIdAssigner({ stackName: STACK });
  return (ev) => {
    ids.idForFields(ev as never, Date.parse(ev.time as string));
  };
};

type WirePage = { stack_events?: Array<Record<string, unknown>>; page_info?: { next_marker?: string } };

/** The raw loop: signed fetch + JSON.parse, marker chaining; `each` sees every parsed record. */
async function rawList(base: string, projectId: string, each: (ev: Record<string, unknown>) => void): Promise<number> {
  let n = 0;
  let marker: string | undefined;
  do {
    const url = new URL(`${base}/v1/${projectId}/stacks/${STACK}/events`);
    url.searchParams.set('limit', String(PAGE));
    if (marker) url.searchParams.set('marker', marker);
    const res = await fetch(url, { headers: signedHeaders(url, projectId) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    const body = JSON.parse(text) as WirePage;
    const events = body.stack_events ?? [];
    for (const ev of events) {
      each(ev);
      n++;
    }
    marker = events.length ? body.page_info?.next_marker : undefined;
  } while (marker);
  return n;
}

function client(info: ServerInfo): RfsClient {
  return new RfsClient({
    region: 'cn-north-4',
    projectId: info.projectId,
    endpoint: info.url,
    credentials: { accessKey: AK, secretKey: SK },
    env: {},
  });
}

// ------------------------------------------------------------------------------- server child --
async function serve(): Promise<void> {
  const emu = await startRfsEmulator({
    credentials: { aksk: [{ accessKey: AK, secretKey: SK }] },
    scenarios: [largeStack({ stackName: STACK, eventCount: EVENTS })],
  });
  // Pre-render every page the listing asks for, straight from the emulator (bytes as sent).
  const pages = new Map<string, Buffer>();
  let marker: string | undefined;
  let events = 0;
  do {
    const url = new URL(`${emu.url}/v1/${emu.projectId}/stacks/${STACK}/events`);
    url.searchParams.set('limit', String(PAGE));
    if (marker) url.searchParams.set('marker', marker);
    const res = await fetch(url, { headers: signedHeaders(url, emu.projectId) });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`emulator: HTTP ${res.status} ${bytes.toString().slice(0, 200)}`);
    pages.set(requestKey(url.pathname, url.search.slice(1)), bytes);
    const body = JSON.parse(bytes.toString('utf8')) as WirePage;
    events += body.stack_events?.length ?? 0;
    marker = body.stack_events?.length ? body.page_info?.next_marker : undefined;
  } while (marker);
  await emu.close();

  const identities = new Map([[AK, { accessKey: AK, secretKey: SK }]]);
  const replay = await startEmulator({
    handler: (req) => {
      // The gateway's work on every request: the AK/SK signature check (independent verifier).
      const v = verifyAkSkRequest(req, (k) => identities.get(k), Date.now(), 15 * 60_000);
      if (!v.ok) {
        return { status: 401, body: { error_code: 'APIGW.0301', error_msg: v.reason, request_id: 'bench' } };
      }
      const body = pages.get(requestKey(req.rawPath, req.rawQuery));
      if (!body) return { status: 500, body: { error_msg: `bench: no pre-rendered page for ${req.rawQuery}` } };
      return {
        status: 200,
        headers: { 'content-type': 'application/json', 'x-request-id': randomUUID().replace(/-/g, '') },
        body,
      };
    },
  });
  const info: ServerInfo = { url: replay.url, projectId: emu.projectId, pages: pages.size, events };
  serveUntilStdinEnds(info, () => replay.close());
}

// ---------------------------------------------------------------------------------- rss child --
async function rss(side: string): Promise<void> {
  const info = JSON.parse(process.env.BENCH_SERVER ?? '{}') as ServerInfo;
  if (side === 'stackfeed') {
    const rfs = client(info);
    await measureRss(side, async (tick) => {
      let n = 0;
      for await (const _ of rfs.listStackEvents(STACK, LIST_OPTIONS)) {
        n++;
        tick();
      }
      return n;
    });
  } else {
    await measureRss(side, (tick) => {
      const each = rawEach();
      return rawList(info.url, info.projectId, (ev) => {
        each(ev);
        tick();
      });
    });
  }
}

/** Both sides list the same records in the same order, stackfeed's ids are distinct; throws otherwise. */
async function verify(rfs: RfsClient, info: ServerInfo) {
  const hashA = createHash('sha256');
  const ids = new Set<string>();
  let a = 0;
  for await (const ev of rfs.listStackEvents(STACK, LIST_OPTIONS)) {
    hashA.update(JSON.stringify(ev.raw));
    ids.add(ev.id);
    a++;
  }
  const hashB = createHash('sha256');
  const b = await rawList(info.url, info.projectId, (ev) => hashB.update(JSON.stringify(ev)));
  const sameRecords = hashA.digest('hex') === hashB.digest('hex');
  if (a !== EVENTS || b !== a || !sameRecords || ids.size !== a) {
    throw new Error(
      `sides differ: ${a} vs ${b} events (expected ${EVENTS}), same records ${sameRecords}, ids ${ids.size}`,
    );
  }
  return { stackfeedEvents: a, rawEvents: b, sameRecordsInOrder: sameRecords, distinctStackfeedIds: ids.size };
}

// --------------------------------------------------------------------------------------- main --
async function main(): Promise<void> {
  const server = await startServerChild<ServerInfo>(SELF, { EVENTS: String(EVENTS), PAGE: String(PAGE) });
  const info = server.info;
  const rfs = client(info);
  try {
    // Same items on both sides, before any timing (in a function: nothing of it stays on the heap).
    const verified = await verify(rfs, info);

    const viaStackfeed = async () => {
      let n = 0;
      for await (const _ of rfs.listStackEvents(STACK, LIST_OPTIONS)) n++;
      if (n !== EVENTS) throw new Error(`stackfeed listed ${n}`);
    };
    const viaRaw = async () => {
      const n = await rawList(info.url, info.projectId, rawEach());
      if (n !== EVENTS) throw new Error(`raw listed ${n}`);
    };
    const { aa, fields } = await compareSides({
      self: SELF,
      events: EVENTS,
      rounds: ROUNDS,
      warmup: WARMUP,
      stackfeed: viaStackfeed,
      raw: viaRaw,
      rssEnv: { BENCH_SERVER: JSON.stringify(info), PAGE: String(PAGE) },
    });

    const result = {
      benchmark: `RFS ListStackEvents: RfsClient.listStackEvents (for await) vs signed fetch + JSON.parse${RAW_IDS ? ' + the same SHA-256 content id per event' : ''}`,
      provider: 'huawei-rfs',
      events: EVENTS,
      pageSize: PAGE,
      pages: info.pages,
      verified,
      ...fields,
      method:
        'alternating rounds in one process (sideBySide); server = pre-rendered emulator pages replayed from a child process with AK/SK verification on every request; RSS per side in a fresh child process (5 ms timer + every 1,000 events)',
      auth: 'both sides: SDK-HMAC-SHA256 over the same header set, stackfeed signRequest; server verifies each signature',
      work: `stackfeed: zod validation of every record, StackEvent mapping, content id per event, Paginator; raw: JSON.parse${RAW_IDS ? ', content id per event (EventIdAssigner)' : ''} and count`,
    };
    console.log(JSON.stringify(result, null, 2));
    const file = RAW_IDS ? 'providers-rfs-raw-ids.json' : 'providers-rfs.json';
    if (!aa) writeResult(new URL(`../results/${file}`, import.meta.url).pathname, result);
  } finally {
    await server.close();
  }
}

/** `rfs.ts loop <side>`: LOOPS listings of one side only (for `node --cpu-prof`; server in a child). */
async function loop(side: string): Promise<void> {
  const server = await startServerChild<ServerInfo>(SELF, { EVENTS: String(EVENTS), PAGE: String(PAGE) });
  const rfs = client(server.info);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < Number(process.env.LOOPS ?? 5); i++) {
    if (side === 'stackfeed') for await (const _ of rfs.listStackEvents(STACK, LIST_OPTIONS));
    else await rawList(server.info.url, server.info.projectId, rawEach());
  }
  const c = process.cpuUsage(c0);
  console.log(side, round(performance.now() - t0, 1), 'ms wall', round((c.user + c.system) / 1000, 1), 'ms CPU');
  await server.close();
}

assertBuilt(['core', 'huawei-rfs', 'emulator']);
const mode = process.argv[2];
if (mode === 'serve') await serve();
else if (mode === 'loop') await loop(process.argv[3] ?? 'stackfeed');
else if (mode === 'rss') await rss(process.argv[3] ?? 'stackfeed');
else await main();
