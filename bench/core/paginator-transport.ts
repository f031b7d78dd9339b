/**
 * Paginator + HttpTransport overhead against a plain `fetch` + `JSON.parse` loop over the same
 * emulator pages. Both read the same N pages of M events from one local server, alternately.
 * Reported: median ratio stackfeed / plain (target ≤ 1.10).
 */
import { createPaginator, HttpTransport } from '@stackfeed/core/adapter';
import got from 'got';
import { startEmulator } from '@stackfeed/emulator';
import { round, sideBySide, writeResult } from '../lib.js';

const PAGES = Number(process.env.PAGES ?? 200);
const PER_PAGE = Number(process.env.PER_PAGE ?? 100);

// Pre-rendered pages: the server's cost is the same for both sides and as small as possible.
const bodies: Buffer[] = [];
for (let p = 0; p < PAGES; p++) {
  const events = Array.from({ length: PER_PAGE }, (_, i) => ({
    id: `ev-${p}-${i}`,
    event_time: new Date(Date.UTC(2026, 0, 1, 0, 0, p * PER_PAGE + i)).toISOString(),
    resource_name: `res-${i % 17}`,
    resource_status: 'CREATE_COMPLETE',
    resource_status_reason: 'state changed',
  }));
  bodies.push(Buffer.from(JSON.stringify({ events, next: p + 1 < PAGES ? String(p + 1) : null })));
}

const server = await startEmulator({
  handler: (req) => {
    const page = Number(req.url.searchParams.get('page') ?? 0);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: bodies[page] };
  },
});

interface WirePage {
  events: Array<{ id: string; event_time: string }>;
  next: string | null;
}

const transport = new HttpTransport({ provider: 'openstack-heat' });

async function viaStackfeed(): Promise<number> {
  const p = createPaginator<{ id: string; event_time: string }, string>({
    provider: 'openstack-heat',
    operation: 'bench',
    fetchPage: async (cursor, _size, signal) => {
      const res = await transport.request<WirePage>({
        url: `${server.url}/events`,
        query: { page: cursor ?? '0' },
        operation: 'bench',
        signal,
      });
      return { items: res.body.events, next: res.body.next ?? undefined };
    },
  });
  let n = 0;
  for await (const _ of p) n++;
  return n;
}

async function viaFetch(): Promise<number> {
  let n = 0;
  let page: string | null = '0';
  while (page !== null) {
    const res = await fetch(`${server.url}/events?page=${page}`, { headers: { accept: 'application/json' } });
    const body = JSON.parse(await res.text()) as WirePage;
    for (const _ of body.events) n++;
    page = body.next;
  }
  return n;
}

// The floor under any got-based transport: got itself, no stackfeed code.
const plainGot = got.extend({ responseType: 'buffer', headers: { accept: 'application/json' } });
async function viaGot(): Promise<number> {
  let n = 0;
  let page: string | null = '0';
  while (page !== null) {
    const res = await plainGot(`${server.url}/events?page=${page}`);
    const body = JSON.parse(res.body.toString('utf8')) as WirePage;
    for (const _ of body.events) n++;
    page = body.next;
  }
  return n;
}

const [a, b] = [await viaStackfeed(), await viaFetch()];
if (a !== PAGES * PER_PAGE || b !== a) throw new Error(`item counts differ: ${a} vs ${b}`);
const rounds = Number(process.env.ROUNDS ?? 21);
const r = await sideBySide(viaStackfeed, viaFetch, { rounds });
const rGot = await sideBySide(viaGot, viaFetch, { rounds });
const rOverGot = await sideBySide(viaStackfeed, viaGot, { rounds });
await server.close();

const result = {
  benchmark: 'Paginator + HttpTransport vs fetch + JSON.parse',
  pages: PAGES,
  perPage: PER_PAGE,
  node: process.version,
  stackfeedMedianMs: round(r.aMedianMs, 1),
  fetchMedianMs: round(r.bMedianMs, 1),
  ratio: round(r.ratio),
  cpuRatio: round(r.cpuRatio),
  plainGotOverFetch: { ratio: round(rGot.ratio), cpuRatio: round(rGot.cpuRatio) },
  stackfeedOverPlainGot: { ratio: round(rOverGot.ratio), cpuRatio: round(rOverGot.cpuRatio) },
  loadAverage: (await import('node:os')).loadavg().map((x) => round(x, 1)),
  note: 'ratio = median of per-round wall-time ratios; cpuRatio = the same on process CPU time (server in-process, so both include it)',
  target: '<= 1.10',
};
console.log(JSON.stringify(result, null, 2));
writeResult(new URL('../results/core-paginator-transport.json', import.meta.url).pathname, result);
