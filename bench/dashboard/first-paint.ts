/**
 * bench/dashboard/first-paint.ts: the dashboard page in Debian's Chromium on a big store.
 *
 * 1. Time to first paint of the inventory (2,000 stacks, N stored events): from navigation to the
 *    end of the frame that first shows the cards (a task queued from that frame's
 *    requestAnimationFrame runs after its layout and paint), measured in the page. Peers, side by
 *    side, alternating round by round: the page as shipped (cards `content-visibility: auto`: only
 *    those near the viewport are laid out and painted), the same page with every card rendered
 *    (`content-visibility: visible` forced by an injected style: the page before that change), and
 *    the same inventory read as JSON by a Node client (`GET /api/inventory`, the server's own work).
 * 2. SSE delivery latency from store to page: events stored one at a time while the events view
 *    follows; latency = row in the page's DOM − just before `store.archive` (so the commit and the
 *    store's notification count). Peer, side by side: a Node EventSource-like reader of the same
 *    stream, to tell the server's part from the browser's.
 *
 *   STORE_BENCH_PG=postgres://postgres@127.0.0.1:PORT/postgres N=1000000 \
 *     pnpm tsx --conditions=@stackfeed/source bench/dashboard/first-paint.ts
 *   (without STORE_BENCH_PG: the embedded store in memory; pnpm build first: the page's dist.)
 */
import { fileURLToPath } from 'node:url';
import type { StackEvent } from '@stackfeed/core';
import { startDashboard } from '@stackfeed/dashboard';
import { openStore } from '@stackfeed/store';
import { chromium } from 'playwright-core';
import { loadavg } from 'node:os';
import { median, round, writeResult } from '../lib.ts';

const N = Number(process.env.N ?? 200_000);
const STACKS = 2000;
const LIVE = Number(process.env.LIVE ?? 200);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const T0 = Date.UTC(2026, 0, 1);
const WEB_ROOT = fileURLToPath(new URL('../../packages/dashboard/web', import.meta.url));
const STATES = ['CREATE_COMPLETE', 'CREATE_IN_PROGRESS', 'CREATE_FAILED'] as const;

async function* history(n: number): AsyncGenerator<StackEvent> {
  for (let i = 0; i < n; i++) {
    const s = i % STACKS;
    // Every tenth event of a stack is stack-level: the stacks end complete, running or failed.
    const stackLevel = Math.floor(i / STACKS) % 10 === 9 || i >= n - STACKS;
    const status = stackLevel ? STATES[s % 3] : i % 2 ? 'CREATE_COMPLETE' : 'CREATE_IN_PROGRESS';
    yield {
      provider: 'openstack-heat',
      id: `ev-${i}`,
      timestamp: new Date(T0 + i * 100),
      stack: { id: `stack-${s}`, name: `web-${s}` },
      resource: stackLevel
        ? { logicalId: `web-${s}`, physicalId: `stack-${s}`, type: 'OS::Heat::Stack' }
        : { logicalId: `res${i % 17}`, physicalId: `phys-${i}`, type: 'OS::Heat::RandomString' },
      action: 'CREATE',
      phase: status.endsWith('FAILED') ? 'FAILED' : status.endsWith('COMPLETE') ? 'COMPLETE' : 'IN_PROGRESS',
      status,
      message: stackLevel && status === 'CREATE_FAILED' ? 'Resource CREATE failed: quota exceeded' : 'state changed',
      ...(stackLevel ? { isStackEvent: true } : {}),
      raw: { id: `ev-${i}`, resource_status: status },
    } as StackEvent;
  }
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;
const spread = (xs: number[]) =>
  `p50 ${median(xs).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`;

const store = await openStore(process.env.STORE_BENCH_PG ?? ':memory:', { schema: `dash_bench_${Date.now()}` });
const loadStart = performance.now();
await store.archive(history(N), { target: 'bench', batchSize: 1000 });
const loadMs = performance.now() - loadStart;
console.log(`stored ${N} events of ${STACKS} stacks on ${store.engine} in ${(loadMs / 1000).toFixed(1)} s`);

const server = await startDashboard({ store, webRoot: WEB_ROOT });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  // bypassCSP on both (the injected style of the all-cards peer is inline), so the two differ only by it.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const allCards = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  await allCards.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (!document.head) return;
      const style = document.createElement('style');
      style.textContent = '.card { content-visibility: visible !important; }';
      document.head.append(style);
      obs.disconnect();
    }).observe(document, { subtree: true, childList: true });
  });
  // In the page: the moment (since navigation start) the frame that first shows the cards is done.
  // Also when all `stacks` cards are (the page renders the first screenful, then the rest in tasks).
  const probe = (stacks: number) => {
    const w = window as unknown as { __cards?: number; __allCards?: number; __rows: Map<string, number> };
    w.__rows = new Map();
    const asked = new Set<string>();
    // (No named inner function: tsx would wrap it in a helper the page does not have.)
    new MutationObserver(() => {
      const cards = document.querySelectorAll('[data-testid="card"]').length;
      for (const [key, due] of [
        ['__cards', cards > 0],
        ['__allCards', cards >= stacks],
      ] as const) {
        if (!due || asked.has(key)) continue;
        asked.add(key);
        requestAnimationFrame(() => {
          // A message posted in rAF is handled after this frame's style, layout and paint.
          const ch = new MessageChannel();
          ch.port1.onmessage = () => {
            w[key] ??= performance.now();
          };
          ch.port2.postMessage(0);
        });
      }
      for (const r of Array.from(document.querySelectorAll<HTMLElement>('[data-testid="event-row"]'))) {
        const seq = r.dataset.seq as string;
        if (!w.__rows.has(seq)) w.__rows.set(seq, Date.now());
      }
    }).observe(document, { subtree: true, childList: true });
  };
  await context.addInitScript(probe, STACKS);
  await allCards.addInitScript(probe, STACKS);
  const page = await context.newPage();
  const allPage = await allCards.newPage();

  const paint = async (page: import('playwright-core').Page) => {
    await page.goto('about:blank');
    await page.goto(server.url);
    await page.waitForFunction(
      () => (window as unknown as { __allCards?: number }).__allCards !== undefined,
      undefined,
      { timeout: 120_000 },
    );
    const cards = await page.locator('[data-testid="card"]').count();
    if (cards !== STACKS) throw new Error(`${cards} cards, not ${STACKS}`);
    return page.evaluate(() => {
      const w = window as unknown as { __cards: number; __allCards: number };
      return { first: w.__cards, all: w.__allCards };
    });
  };
  const api = async () => {
    const t = performance.now();
    const body = (await (await fetch(`${server.url}api/inventory`)).json()) as { items: unknown[] };
    if (body.items.length !== STACKS) throw new Error('inventory size');
    return performance.now() - t;
  };
  await paint(page);
  await paint(allPage);
  await api();
  const pageMs: number[] = [];
  const pageAllMs: number[] = [];
  const allMs: number[] = [];
  const apiMs: number[] = [];
  const ratios: number[] = [];
  const visibleRatios: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate which page goes first, so that neither always follows the other.
    const [p, all] =
      i % 2
        ? [await paint(page), await paint(allPage)]
        : await (async () => {
            const all = await paint(allPage);
            return [await paint(page), all];
          })();
    const a = await api();
    pageMs.push(p.first);
    pageAllMs.push(p.all);
    allMs.push(all.all);
    apiMs.push(a);
    ratios.push(p.first / a);
    visibleRatios.push(p.first / all.all);
  }
  const range = (xs: number[]) =>
    `median ${median(xs).toFixed(2)} (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})`;
  console.log(`inventory first paint (page as shipped): ${spread(pageMs)}`);
  console.log(`inventory, all 2,000 cards painted (page as shipped): ${spread(pageAllMs)}`);
  console.log(`inventory, all 2,000 cards painted (every card rendered): ${spread(allMs)}`);
  console.log(`inventory JSON (Node client): ${spread(apiMs)}`);
  console.log(`ratio shipped first paint / every card rendered, all painted: ${range(visibleRatios)}`);
  console.log(`ratio page/JSON: ${range(ratios)}`);

  // SSE latency: the events view follows the whole feed; a Node reader listens beside it.
  await page.goto(`${server.url}events`);
  await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor();
  await page.locator('[data-testid="event-row"]').first().waitFor();
  const nodeSeen = new Map<string, number>();
  const ac = new AbortController();
  const res = await fetch(`${server.url}api/stream`, { signal: ac.signal });
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    let buf = '';
    while (reader) {
      const chunk = await reader.read().catch(() => undefined);
      if (!chunk || chunk.done) return;
      buf += decoder.decode(chunk.value, { stream: true });
      let end = buf.indexOf('\n\n');
      while (end >= 0) {
        const id = /^id: (\d+)$/m.exec(buf.slice(0, end))?.[1];
        if (id) nodeSeen.set(id, Date.now());
        buf = buf.slice(end + 2);
        end = buf.indexOf('\n\n');
      }
    }
  })();
  await new Promise((r) => setTimeout(r, 500));
  const sent: Array<{ at: number; id: string }> = [];
  for (let i = 0; i < LIVE; i++) {
    const id = `live-${i}`;
    const at = Date.now();
    await store.archive(
      (async function* () {
        yield {
          provider: 'openstack-heat',
          id,
          timestamp: new Date(),
          stack: { id: 'stack-live', name: 'live' },
          resource: { logicalId: `r${i}`, type: 'OS::Heat::RandomString' },
          action: 'CREATE',
          phase: 'COMPLETE',
          status: 'CREATE_COMPLETE',
          message: `live ${i}`,
          raw: { id },
        } as StackEvent;
      })(),
      { target: 'bench-live' },
    );
    sent.push({ at, id });
    await new Promise((r) => setTimeout(r, 50));
  }
  const seqs = (await store.storedEvents({ stack: 'live' }).toArray({ limit: LIVE * 2 })).map((s) => ({
    seq: s.seq,
    id: s.event.id,
  }));
  await page.waitForFunction((n) => (window as unknown as { __rows: Map<string, number> }).__rows.size >= n, LIVE, {
    timeout: 60_000,
  });
  await new Promise((r) => setTimeout(r, 500));
  const pageSeen = new Map<string, number>(
    await page.evaluate(() => [...(window as unknown as { __rows: Map<string, number> }).__rows.entries()]),
  );
  const pageLat: number[] = [];
  const nodeLat: number[] = [];
  for (const s of sent) {
    const seq = seqs.find((x) => x.id === s.id)?.seq;
    if (!seq) continue;
    const p = pageSeen.get(seq);
    const n = nodeSeen.get(seq);
    if (p !== undefined) pageLat.push(p - s.at);
    if (n !== undefined) nodeLat.push(n - s.at);
  }
  ac.abort();
  writeResult(fileURLToPath(new URL('../results/dashboard-first-paint.json', import.meta.url)), {
    node: process.version,
    loadavg: loadavg().map((x) => round(x, 2)),
    engine: store.engine,
    stacks: STACKS,
    events: N,
    loadSeconds: round(loadMs / 1000, 1),
    firstPaintMs: pageMs.map((x) => round(x, 1)),
    allCardsPaintedMs: pageAllMs.map((x) => round(x, 1)),
    allCardsPaintedEveryCardRenderedMs: allMs.map((x) => round(x, 1)),
    firstPaintRatioVsEveryCard: round(median(visibleRatios), 2),
    inventoryJsonMs: apiMs.map((x) => round(x, 1)),
    firstPaintRatio: round(median(ratios), 2),
    ssePageMs: pageLat,
    sseNodeMs: nodeLat,
  });
  console.log(`SSE store→page (${pageLat.length}/${LIVE} events): ${spread(pageLat)}`);
  console.log(`SSE store→Node reader (${nodeLat.length}/${LIVE}): ${spread(nodeLat)}`);
  console.log(
    `ratio page/Node p50 ${(median(pageLat) / median(nodeLat)).toFixed(2)}, p95 ${(pct(pageLat, 95) / pct(nodeLat, 95)).toFixed(2)}`,
  );
} finally {
  await browser.close();
  await server.close();
  await store.close();
}
