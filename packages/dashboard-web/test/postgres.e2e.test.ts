/**
 * Two dashboard processes' servers on one PostgreSQL store (each with a store of its own, as two
 * machines would have): a third store writes, and both pages show the same live feed, heard
 * through LISTEN/NOTIFY.
 */
import { randomBytes } from 'node:crypto';
import { type DashboardServer, startDashboard } from '@stackfeed/dashboard';
import { createScript, type HeatEmulator, startHeatEmulator } from '@stackfeed/emulator/heat';
import { HeatClient } from '@stackfeed/openstack-heat';
import { openStore, type Store } from '@stackfeed/store';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium } from '../../../examples/dashboard/test/chromium.js';
import { WEB_ROOT } from './fixture.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { url?: string; error?: string };
  }
}

let heat: HeatEmulator;
let writer: Store;
const readers: Store[] = [];
const servers: DashboardServer[] = [];
let browser: Browser;
const pages: Page[] = [];

beforeAll(async () => {
  const pg = inject('postgres');
  if (!pg.url) throw new Error(`no PostgreSQL for this test: ${pg.error}`);
  const schema = `w_${randomBytes(6).toString('hex')}`;
  writer = await openStore(pg.url, { schema });
  for (let i = 0; i < 2; i++) {
    const store = await openStore(pg.url, { schema });
    readers.push(store);
    servers.push(await startDashboard({ store, webRoot: WEB_ROOT }));
  }
  heat = await startHeatEmulator({ epochMs: Date.now() - 3600_000, tenant: 'demo', autoAdvanceMs: 2000 });
  browser = await chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS });
  for (const s of servers) {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${s.url}events`);
    await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor();
    await page.locator('[data-testid="event-count"]', { hasText: 'events' }).waitFor();
    pages.push(page);
  }
}, 600_000);

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  for (const r of readers) await r.close();
  await writer?.close();
  await heat?.close();
});

const seqs = (page: Page) =>
  page
    .locator('[data-testid="event-row"]')
    .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.seq ?? ''));

describe('two dashboards on one PostgreSQL store', { timeout: 120_000 }, () => {
  it('show the same live feed, every event once, as another process stores it', async () => {
    heat.addStack(
      'shared',
      createScript(
        'shared',
        Array.from({ length: 6 }, (_, i) => ({ name: `r${i}` })),
        { startMs: heat.now() + 1000, stepMs: 1000 },
      ),
    );
    const client = new HeatClient({ auth: { type: 'none' }, endpoint: heat.heatUrl, retry: { baseDelayMs: 1 } });
    await writer.follow(client, 'shared', { pollIntervalMs: 100, flushIntervalMs: 5, batchSize: 2 });
    const want = (await writer.storedEvents({ stack: 'shared' }).toArray({ limit: 1000 })).map((s) => s.seq).sort();
    expect(want.length).toBeGreaterThan(6);
    for (const page of pages) {
      await page.waitForFunction((w) => {
        const have = new Set(
          Array.from(document.querySelectorAll('[data-testid="event-row"]'), (r) => r.getAttribute('data-seq')),
        );
        return w.every((s) => have.has(s));
      }, want);
      const got = await seqs(page);
      expect(got.length).toBe(new Set(got).size);
      expect([...got].sort()).toEqual(want);
    }
  });
});
