/**
 * OpenStack Heat, 100,000 events (list stack events): stackfeed's `HeatClient.listStackEvents`
 * (got transport, zod validation of every record, StackEvent mapping, marker paging with Heat's
 * ignored-marker guard, core Paginator), iterated item by item with `for await`, against a raw
 * loop doing the same HTTP requests (`sort_dir=asc&limit=PAGE&marker=<last id>`) with plain
 * `fetch` + `JSON.parse`.
 *
 * Auth: none on either side (the emulator as a noauth Heat, like the real peer of the tests):
 * with Keystone both sides would send the same cached token header, no per-request work.
 *
 * Server: the Heat emulator (one stack of EVENTS events from `createScript`) in a child process;
 * every page is pre-rendered from the emulator's own wire records (`visibleEvents`, Heat's keyset
 * paging: the page after the one ending in event X starts after X), with its links pointing at the
 * replay server, and replayed by path + sorted query: the server cost is identical and small for
 * both sides and this process's CPU time is the clients' alone. (The emulator itself sorts the
 * whole history on every request: far too slow to serve 100,000 events live.)
 *
 * Before any ratio: both sides must yield the same ids in the same order.
 *
 * Run: pnpm build && npx tsx bench/providers/heat.ts — stackfeed from its BUILT dist/ (what users run;
 *   the script refuses a dist older than src). From source instead (tsx's `__name` wrappers, not what
 *   users run): npx tsx --conditions=@stackfeed/source bench/providers/heat.ts
 * Profile one side: node --cpu-prof --import tsx bench/providers/heat.ts loop stackfeed
 * Method check: AA=stackfeed (or AA=raw) measures that side against itself (ratio should be ~1.0).
 * Knobs: EVENTS (100000), PAGE (1000, stackfeed's default for Heat), ROUNDS (7), WARMUP (1), RSS=0 skips the RSS children,
 * RAW_MODEL=1 (the raw loop builds a plain model object per event; see below).
 */
import { fileURLToPath } from 'node:url';
import { startEmulator } from '@stackfeed/emulator';
import { createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { HeatClient } from '@stackfeed/openstack-heat';
import { assertBuilt, round, writeResult } from '../lib.js';
import { compareSides, measureRss, requestKey, serveUntilStdinEnds, startServerChild } from './heat-rfs-lib.js';

const EVENTS = Number(process.env.EVENTS ?? 100_000);
const PAGE = Number(process.env.PAGE ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const WARMUP = Number(process.env.WARMUP ?? 1);
const STACK = 'bench';
const SELF = fileURLToPath(import.meta.url);

interface ServerInfo {
  /** The orchestration endpoint (`…/v1/admin`). */
  heatUrl: string;
  stackId: string;
  pages: number;
  events: number;
}

/**
 * RAW_MODEL=1: the raw loop also builds, per event, a plain object with the fields of a StackEvent
 * (what a hand-written client that hands out a model would do, without validation): a Date, the
 * stack and resource objects, action/phase split from the status, the record as `raw`. Results go
 * to providers-heat-raw-model.json. Without it the raw loop only counts parsed records.
 */
const RAW_MODEL = process.env.RAW_MODEL === '1';
// A module-level store: the built object is observable, so the engine cannot skip building it.
let _modelSink: unknown;
const rawEach = (info: ServerInfo): ((ev: { id: string }) => void) => {
  if (!RAW_MODEL) return () => {};
  return (e) => {
    const ev = e as unknown as Record<string, string | null | undefined>;
    const status = ev.resource_status ?? '';
    const cut = status.indexOf('_');
    const t = ev.event_time ?? '';
    _modelSink = {
      provider: 'openstack-heat',
      id: ev.id,
      timestamp: new Date(t.endsWith('Z') ? t : `${t}Z`),
      stack: { id: info.stackId, name: STACK },
      resource: { logicalId: ev.resource_name, physicalId: ev.physical_resource_id, type: ev.resource_type },
      action: cut > 0 ? status.slice(0, cut) : status,
      phase: cut > 0 ? status.slice(cut + 1) : 'UNKNOWN',
      status,
      message: ev.resource_status_reason,
      raw: ev,
    };
  };
};

/** The raw loop: fetch + JSON.parse, Heat's marker paging; `each` sees every parsed record. */
async function rawList(info: ServerInfo, each: (ev: { id: string }) => void): Promise<number> {
  let n = 0;
  let marker: string | undefined;
  for (;;) {
    const url = new URL(`${info.heatUrl}/stacks/${STACK}/${info.stackId}/events`);
    url.searchParams.set('sort_dir', 'asc');
    url.searchParams.set('limit', String(PAGE));
    if (marker) url.searchParams.set('marker', marker);
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    const events = (JSON.parse(text) as { events: Array<{ id: string }> }).events;
    for (const ev of events) {
      each(ev);
      n++;
    }
    if (events.length < PAGE) return n;
    marker = (events[events.length - 1] as { id: string }).id;
  }
}

const client = (info: ServerInfo) => new HeatClient({ auth: { type: 'none' }, endpoint: info.heatUrl });
const list = (heat: HeatClient, info: ServerInfo) =>
  heat.listStackEvents({ name: STACK, id: info.stackId }, { pageSize: PAGE });

// ------------------------------------------------------------------------------- server child --
async function serve(): Promise<void> {
  const pages = new Map<string, Buffer>();
  const replay = await startEmulator({
    handler: (req) => {
      const body = pages.get(requestKey(req.rawPath, req.rawQuery));
      if (!body) return { status: 500, body: { message: `bench: no pre-rendered page for ${req.rawQuery}` } };
      return {
        status: 200,
        headers: { 'content-type': 'application/json', 'x-openstack-request-id': `req-${crypto.randomUUID()}` },
        body,
      };
    },
  });
  const emu = await startHeatEmulator();
  const resources = Array.from({ length: Math.ceil((EVENTS - 2) / 2) }, (_, i) => ({
    name: `server_${String(i).padStart(6, '0')}`,
    type: 'OS::Nova::Server',
  }));
  // 10 events per second: Heat's event_time has whole seconds, so runs of events share one.
  const stack = emu.addStack(STACK, createScript(STACK, resources, { stepMs: 100 }).slice(0, EVENTS));
  emu.advance(EVENTS * 100 + 1000); // the whole script visible
  const wire = emu.visibleEvents(stack);
  await emu.close();
  const tenantPath = new URL(emu.heatUrl).pathname;
  const path = `${tenantPath}/stacks/${STACK}/${stack.id}/events`;
  const render = (events: unknown[]) => Buffer.from(JSON.stringify({ events }).split(emu.url).join(replay.url), 'utf8');
  let marker: string | undefined;
  for (let i = 0; ; i += PAGE) {
    const page = wire.slice(i, i + PAGE);
    const q = new URLSearchParams({ sort_dir: 'asc', limit: String(PAGE), ...(marker ? { marker } : {}) });
    pages.set(requestKey(path, q.toString()), render(page));
    if (page.length < PAGE) break;
    marker = (page[page.length - 1] as { id: string }).id;
  }
  const info: ServerInfo = {
    heatUrl: `${replay.url}${tenantPath}`,
    stackId: stack.id,
    pages: pages.size,
    events: wire.length,
  };
  serveUntilStdinEnds(info, () => replay.close());
}

// ---------------------------------------------------------------------------------- rss child --
async function rss(side: string): Promise<void> {
  const info = JSON.parse(process.env.BENCH_SERVER ?? '{}') as ServerInfo;
  if (side === 'stackfeed') {
    const heat = client(info);
    await measureRss(side, async (tick) => {
      let n = 0;
      for await (const _ of list(heat, info)) {
        n++;
        tick();
      }
      return n;
    });
  } else {
    await measureRss(side, (tick) => {
      const each = rawEach(info);
      return rawList(info, (ev) => {
        each(ev);
        tick();
      });
    });
  }
}

/** `heat.ts loop <side>`: LOOPS listings of one side only (for `node --cpu-prof`; server in a child). */
async function loop(side: string): Promise<void> {
  const server = await startServerChild<ServerInfo>(SELF, { EVENTS: String(EVENTS), PAGE: String(PAGE) });
  const heat = client(server.info);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < Number(process.env.LOOPS ?? 5); i++) {
    if (side === 'stackfeed') for await (const _ of list(heat, server.info));
    else await rawList(server.info, rawEach(server.info));
  }
  const c = process.cpuUsage(c0);
  console.log(side, round(performance.now() - t0, 1), 'ms wall', round((c.user + c.system) / 1000, 1), 'ms CPU');
  await server.close();
}

/** Both sides list the same ids in the same order; throws otherwise. */
async function verify(heat: HeatClient, info: ServerInfo) {
  const a: string[] = [];
  for await (const ev of list(heat, info)) a.push(ev.id);
  const b: string[] = [];
  await rawList(info, (ev) => b.push(ev.id));
  const sameIds = a.length === b.length && a.every((id, i) => id === b[i]);
  if (a.length !== EVENTS || !sameIds || new Set(a).size !== a.length) {
    throw new Error(`sides differ: ${a.length} vs ${b.length} events (expected ${EVENTS}), same ids ${sameIds}`);
  }
  return { stackfeedEvents: a.length, rawEvents: b.length, sameIdsInOrder: sameIds };
}

// --------------------------------------------------------------------------------------- main --
async function main(): Promise<void> {
  const server = await startServerChild<ServerInfo>(SELF, { EVENTS: String(EVENTS), PAGE: String(PAGE) });
  const info = server.info;
  const heat = client(info);
  try {
    // Same items on both sides, before any timing (in a function: nothing of it stays on the heap).
    const verified = await verify(heat, info);

    const viaStackfeed = async () => {
      let n = 0;
      for await (const _ of list(heat, info)) n++;
      if (n !== EVENTS) throw new Error(`stackfeed listed ${n}`);
    };
    const viaRaw = async () => {
      const n = await rawList(info, rawEach(info));
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
      benchmark: `Heat list stack events: HeatClient.listStackEvents (for await) vs fetch + JSON.parse${RAW_MODEL ? ' + a plain model object per event' : ''}`,
      provider: 'openstack-heat',
      events: EVENTS,
      pageSize: PAGE,
      pages: info.pages,
      verified,
      ...fields,
      method:
        'alternating rounds in one process (sideBySide); server = pre-rendered emulator pages replayed from a child process; RSS per side in a fresh child process (5 ms timer + every 1,000 events)',
      auth: 'none on either side (noauth Heat)',
      work: `stackfeed: zod validation of every record, StackEvent mapping, ignored-marker guard, Paginator; raw: JSON.parse${RAW_MODEL ? ', a plain StackEvent-shaped object per event (no validation)' : ''} and count`,
    };
    console.log(JSON.stringify(result, null, 2));
    const file = RAW_MODEL ? 'providers-heat-raw-model.json' : 'providers-heat.json';
    if (!aa) writeResult(new URL(`../results/${file}`, import.meta.url).pathname, result);
  } finally {
    await server.close();
  }
}

assertBuilt(['core', 'openstack-heat', 'emulator']);
const mode = process.argv[2];
if (mode === 'serve') await serve();
else if (mode === 'loop') await loop(process.argv[3] ?? 'stackfeed');
else if (mode === 'rss') await rss(process.argv[3] ?? 'stackfeed');
else await main();
