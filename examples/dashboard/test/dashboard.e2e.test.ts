/**
 * End to end in a real headless Chromium: the dashboard server (SDK watch + merge over the four
 * emulators) streams to the page over SSE; events arrive live, the RFS failure shows as failed,
 * filtering works, images show their state. A screenshot is saved under test-results/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatedSources } from '../src/emulated.js';
import { type Dashboard, startDashboard } from '../src/server.js';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.js';

const RESULTS = join(import.meta.dirname, '..', '..', '..', 'test-results');

let dashboard: Dashboard;
let context: BrowserContext;
let page: Page;
let profile: string;

beforeAll(async () => {
  const executablePath = ensureChromium();
  dashboard = await startDashboard(await emulatedSources(10), { imageRefreshMs: 300 });
  profile = mkdtempSync(join(tmpdir(), 'stackfeed-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
  });
  page = await context.newPage();
  await page.goto(dashboard.url);
}, 900_000); // installing chromium with apt-get on a fresh machine takes minutes

afterAll(async () => {
  await context?.close();
  await dashboard?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const rows = () => page.locator('[data-testid="event-row"]');

/** The event table as one consistent snapshot: visible rows as provider/phase, total rows, the count text. */
const tableSnapshot = () =>
  page.evaluate(() => {
    const all = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="event-row"]'));
    return {
      total: all.length,
      shown: all.filter((r) => !r.hidden).map((r) => `${r.dataset.provider}/${r.dataset.phase}`),
      count: document.querySelector('[data-testid="event-count"]')?.textContent ?? '',
    };
  });

describe('dashboard in Chromium', { timeout: 90_000 }, () => {
  it('loads, connects, shows one card per deployment', async () => {
    await expect(page.title()).resolves.toBe('stackfeed dashboard');
    await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="stack-card"]').length === 4);
    const providers = await page
      .locator('[data-testid="stack-card"]')
      .evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.provider).sort());
    expect(providers).toEqual(['aws-imagebuilder', 'aws-parallelcluster', 'huawei-rfs', 'openstack-heat']);
  });

  it('receives events live, while the deployments progress', async () => {
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="event-row"]').length > 0);
    const first = await rows().count();
    // More arrive without a reload: the page is fed by the SSE stream.
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="event-row"]').length > n, first);
    expect(await rows().count()).toBeGreaterThan(first);
    // The scenario clock is anchored: no event is stamped after the moment it is shown.
    const latest = await page.evaluate(() =>
      Math.max(
        ...Array.from(document.querySelectorAll('[data-testid="event-row"] td.time')).map((td) =>
          Date.parse(`${td.textContent?.replace(' ', 'T')}Z`),
        ),
      ),
    );
    expect(latest).toBeLessThanOrEqual(Date.now());
  });

  it('shows the RFS deployment as failed, its failure rows highlighted', async () => {
    const card = page.locator('[data-testid="stack-card"][data-provider="huawei-rfs"]');
    await page
      .locator('[data-testid="stack-card"][data-provider="huawei-rfs"][data-state="failed"]')
      .waitFor({ timeout: 60_000 });
    await expect(card.locator('[data-testid="outcome"]').textContent()).resolves.toContain('ROLLBACK_COMPLETE');
    const failed = page.locator('[data-testid="event-row"][data-phase="FAILED"][data-provider="huawei-rfs"]').first();
    await failed.waitFor();
    const bg = await failed.evaluate((r) => getComputedStyle(r).backgroundColor);
    const normal = await page
      .locator('[data-testid="event-row"][data-phase="COMPLETE"]')
      .first()
      .evaluate((r) => getComputedStyle(r).backgroundColor);
    expect(bg).not.toBe(normal);
    // The successful ones end succeeded.
    await page
      .locator('[data-testid="stack-card"][data-provider="openstack-heat"][data-state="succeeded"]')
      .waitFor({ timeout: 60_000 });
  });

  it('filters the event table by provider and by phase', async () => {
    // Rows keep arriving over SSE while the test runs, so every check reads one snapshot taken in a
    // single synchronous evaluate (the page updates rows and the count together, synchronously).
    await page.selectOption('[data-testid="filter-provider"]', 'huawei-rfs');
    const byProvider = await tableSnapshot();
    expect(new Set(byProvider.shown.map((r) => r.split('/')[0]))).toEqual(new Set(['huawei-rfs']));
    await page.selectOption('[data-testid="filter-phase"]', 'FAILED');
    const byPhase = await tableSnapshot();
    expect(byPhase.shown.length).toBeGreaterThan(0);
    expect(new Set(byPhase.shown)).toEqual(new Set(['huawei-rfs/FAILED']));
    expect(byPhase.total).toBeGreaterThan(byPhase.shown.length);
    expect(byPhase.count).toBe(`${byPhase.shown.length} of ${byPhase.total}`);
    await page.selectOption('[data-testid="filter-provider"]', '');
    await page.selectOption('[data-testid="filter-phase"]', '');
    const unfiltered = await tableSnapshot();
    expect(unfiltered.shown.length).toBe(unfiltered.total);
    expect(unfiltered.count).toBe(`${unfiltered.total}`);
  });

  it('shows the images with their state, and saves a screenshot', async () => {
    await page.locator('[data-testid="image-row"][data-state="AVAILABLE"]').first().waitFor({ timeout: 60_000 });
    const ids = await page
      .locator('[data-testid="image-row"]')
      .evaluateAll((rs) => rs.map((r) => r.children[1]?.textContent));
    expect(ids).toContain('rocky9-hpc');
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'dashboard.png'), fullPage: true });
  });
});
