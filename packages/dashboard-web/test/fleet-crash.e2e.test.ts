/**
 * The fleet on PostgreSQL: two FleetWorker child processes (the fleet's own proof worker) follow
 * two Heat clouds into one database, and a dashboard on that database is open in Chromium. One
 * worker is killed with SIGKILL mid-run; the other takes its targets over after the lease TTL. The
 * page's live feed never drops ("reconnecting…" never shows), keeps receiving events after the
 * crash, and ends with every stored event exactly once.
 */
import { randomBytes } from 'node:crypto';
import { type DashboardServer, startDashboard } from '@stackfeed/dashboard';
import { createScript, type HeatEmulator, startHeatEmulator } from '@stackfeed/emulator/heat';
import { openStore, type Store } from '@stackfeed/store';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium } from '../../../examples/dashboard/test/chromium.js';
import { forkWorker, type Proc } from '../../fleet/test/fork-worker.js';
import { WEB_ROOT } from './fixture.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { url?: string; error?: string };
  }
}

const CLOUDS = ['cloud-a', 'cloud-b'];
const STACKS_PER_CLOUD = 3;
const TTL = 2000;
/** Only guards against a hang; no timing is asserted. */
const GUARD_MS = 300_000;

let store: Store;
let server: DashboardServer;
let browser: Browser;
let page: Page;
const emus: HeatEmulator[] = [];
const workers: Proc[] = [];

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + GUARD_MS;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  const pg = inject('postgres');
  if (!pg.url) throw new Error(`no PostgreSQL for this test: ${pg.error}`);
  const schema = `c_${randomBytes(6).toString('hex')}`;
  store = await openStore(pg.url, { schema });
  server = await startDashboard({ store, webRoot: WEB_ROOT });
  const endpoints: Record<string, string> = {};
  for (const cloud of CLOUDS) {
    const emu = await startHeatEmulator({ autoAdvanceMs: 300 });
    for (let i = 0; i < STACKS_PER_CLOUD; i++) {
      const name = `${cloud}-s${i}`;
      emu.addStack(
        name,
        createScript(
          name,
          Array.from({ length: 4 + 2 * i }, (_, r) => ({ name: `r${r}` })),
          { stepMs: 1000 },
        ),
      );
    }
    emus.push(emu);
    endpoints[cloud] = emu.heatUrl;
  }
  browser = await chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${server.url}events`);
  await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor();
  // Every state the connection indicator takes from now on.
  await page.evaluate(() => {
    const el = document.querySelector('[data-testid="connection"]') as HTMLElement;
    const seen: string[] = [el.textContent ?? ''];
    (window as unknown as { connectionStates: string[] }).connectionStates = seen;
    new MutationObserver(() => seen.push(el.textContent ?? '')).observe(el, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  const cfg = {
    url: pg.url,
    schema,
    endpoints,
    ttl: TTL,
    budget: { limit: 20, intervalMs: 1000 },
    pollIntervalMs: 100,
    discoverEveryMs: 1000,
  };
  for (const id of ['worker-0', 'worker-1']) workers.push(forkWorker('worker-child.ts', id, cfg));
}, 600_000);

afterAll(async () => {
  for (const w of workers) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await w.exit;
  }
  await browser?.close();
  await server?.close();
  await store?.close();
  await Promise.all(emus.map((e) => e.close()));
});

const storedSeqs = async () =>
  (await store.storedEvents({}).toArray({ limit: 10_000 })).map((s) => String(s.seq)).sort();
const pageSeqs = () =>
  page
    .locator('[data-testid="event-row"]')
    .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.seq ?? ''));

describe('the fleet on PostgreSQL, one worker killed with SIGKILL', { timeout: GUARD_MS + 60_000 }, () => {
  it('the page stays live, events keep arriving after the crash, each once, as the store has them', async () => {
    const [victim, survivor] = workers as [Proc, Proc];
    const claimed = (w: Proc) => w.events.filter((e) => e.type === 'claimed').length;
    await until(
      async () => claimed(victim) > 0 && claimed(survivor) > 0 && (await storedSeqs()).length > 10,
      'both workers at work',
    );
    victim.child.kill('SIGKILL');
    expect((await victim.exit).signal).toBe('SIGKILL');
    const atCrash = await storedSeqs();
    const rowsAtCrash = (await pageSeqs()).length;

    const total = CLOUDS.length * STACKS_PER_CLOUD;
    await until(async () => {
      const rows = await store.query<{ n: string }>(
        `select count(*)::text as n from "${store.schema}".fleet_targets where state = 'done'`,
      );
      return Number(rows[0]?.n) === total;
    }, `all ${total} targets followed to their end`);
    // The survivor took over what the victim held when it died.
    expect(survivor.events.some((e) => e.type === 'claimed' && e.takenFrom === 'worker-0')).toBe(true);

    const want = await storedSeqs();
    expect(want.length).toBeGreaterThan(atCrash.length);
    await page.waitForFunction(
      (w) => {
        const have = new Set(
          Array.from(document.querySelectorAll('[data-testid="event-row"]'), (r) => r.getAttribute('data-seq')),
        );
        return w.every((s) => have.has(s));
      },
      want,
      { timeout: GUARD_MS },
    );
    const got = await pageSeqs();
    expect(got.length).toBe(new Set(got).size);
    expect([...got].sort()).toEqual(want);
    expect(got.length).toBeGreaterThan(rowsAtCrash);
    const states = await page.evaluate(() => (window as unknown as { connectionStates: string[] }).connectionStates);
    expect(states.filter((s) => s !== 'live')).toEqual([]);
    expect(await page.locator('[data-testid="connection"]').textContent()).toBe('live');
  });
});
