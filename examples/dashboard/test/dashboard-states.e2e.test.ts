/**
 * The page's own state, in a real headless Chromium at 800 px: provider errors on their cards
 * (deduplicated, with count and last-seen time) while the connection stays "live"; a target that
 * cannot start; the progress bar after a rollback; follow/pause with wrapped rows; the images table
 * within the page; "reconnecting…" only once the server is really gone. The sources are scripted
 * (the SDK's watch loop over fixed event lists), so what the page must show is known exactly.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ImageInfo, StackfeedError, type StackEvent } from '@stackfeed/core';
import { watchEvents } from '@stackfeed/core/adapter';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, startDashboard } from '../src/server.js';
import type { DashboardSources, WatchedTarget } from '../src/sources.js';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.js';

const RESULTS = join(import.meta.dirname, '..', '..', '..', 'test-results');

let seq = 0;
const ev = (
  provider: StackEvent['provider'],
  stack: string,
  resource: string,
  action: StackEvent['action'],
  phase: StackEvent['phase'],
  message?: string,
): StackEvent => ({
  provider,
  id: `${stack}-${++seq}`,
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + seq * 1000),
  stack: { name: stack },
  resource: { logicalId: resource },
  action,
  phase,
  status: `${action}_${phase}`,
  ...(message ? { message } : {}),
  raw: {},
});

/** A target polling a list the test can append to; it ends when `end` is set. */
function scripted(
  provider: StackEvent['provider'],
  name: string,
  events: StackEvent[],
  end: { outcome?: 'succeeded' | 'failed'; status?: string } = {},
): WatchedTarget {
  return {
    provider,
    target: name,
    watch: (signal) =>
      watchEvents<StackEvent>(
        {
          provider,
          operation: 'watch',
          poll: async () => [...events],
          checkTerminal: () =>
            end.outcome ? { terminal: true, outcome: end.outcome, status: end.status ?? '' } : { terminal: false },
        },
        { signal, pollIntervalMs: 20 },
      ),
  };
}

// RFS: r0 created, r1 failed, then the rollback deletes r0: nothing of it is "complete".
const rollback = [
  ev('huawei-rfs', 'shop-db', 'r0', 'CREATE', 'IN_PROGRESS'),
  ev('huawei-rfs', 'shop-db', 'r0', 'CREATE', 'COMPLETE'),
  ev('huawei-rfs', 'shop-db', 'r1', 'CREATE', 'IN_PROGRESS'),
  ev('huawei-rfs', 'shop-db', 'r1', 'CREATE', 'FAILED', 'Insufficient EIP quota.'),
  ev('huawei-rfs', 'shop-db', 'r0', 'DELETE', 'IN_PROGRESS'),
  ev('huawei-rfs', 'shop-db', 'r0', 'DELETE', 'COMPLETE'),
];
// Heat: a live feed the tests extend, with failure reasons long enough to wrap.
const live: StackEvent[] = [];
const longReason = (i: number) =>
  `Resource CREATE failed: ResourceInError: resources.server${i}: Went to status ERROR due to "Message: No valid host was found. There are not enough hosts available., Code: 500"`;
const addRows = (n: number) => {
  for (let i = 0; i < n; i++)
    live.push(ev('openstack-heat', 'web', `server${live.length}`, 'CREATE', 'FAILED', longReason(i)));
};

const forbidden = new StackfeedError({
  code: 'FORBIDDEN',
  provider: 'aws-imagebuilder',
  httpStatus: 403,
  message: 'User is not authorized to perform imagebuilder:GetLifecycleExecution',
});

const longImage: ImageInfo = {
  provider: 'aws-imagebuilder',
  id: 'arn:aws:imagebuilder:eu-west-1:123456789012:image/a-very-long-recipe-name-for-an-hpc-image/2026.1.15/1',
  name: 'a-very-long-recipe-name-for-an-hpc-image-with-efa-and-lustre-client',
  version: '2026.1.15/1',
  state: 'AVAILABLE',
  status: 'AVAILABLE',
  artifacts: Array.from({ length: 6 }, (_, i) => ({
    kind: 'ami' as const,
    id: `ami-0${i}abcdef0123456789`,
    region: 'eu-west-1',
  })),
  tags: {},
  raw: {},
};

function sources(): DashboardSources {
  return {
    pollIntervalMs: 20,
    targets: [
      scripted('huawei-rfs', 'shop-db', rollback, { outcome: 'failed', status: 'ROLLBACK_COMPLETE' }),
      scripted('openstack-heat', 'web', live),
      {
        provider: 'aws-imagebuilder',
        target: 'lce-0forbidden',
        watch: (signal) =>
          watchEvents<StackEvent>(
            {
              provider: 'aws-imagebuilder',
              operation: 'watch',
              poll: async () => {
                throw forbidden;
              },
              checkTerminal: () => ({ terminal: false }),
            },
            { signal, pollIntervalMs: 20 },
          ),
      },
      {
        provider: 'openstack-heat',
        target: 'no-credentials',
        watch: () => {
          throw new StackfeedError({
            code: 'CONFIG',
            provider: 'openstack-heat',
            message: 'no OpenStack configuration: no clouds.yaml found and no OS_AUTH_URL',
          });
        },
      },
    ],
    images: [
      {
        provider: 'aws-imagebuilder',
        async *list() {
          yield longImage;
        },
      },
      {
        provider: 'aws-parallelcluster',
        // biome-ignore lint/correctness/useYield: fails on every refresh, as a missing region does
        async *list() {
          throw new StackfeedError({ code: 'CONFIG', provider: 'aws-parallelcluster', message: 'Region is missing' });
        },
      },
    ],
    close: async () => {},
  };
}

let dashboard: Dashboard | undefined;
let context: BrowserContext;
let page: Page;
let profile: string;

beforeAll(async () => {
  const executablePath = ensureChromium();
  addRows(3);
  dashboard = await startDashboard(sources(), { latenessMs: 50, imageRefreshMs: 50 });
  profile = mkdtempSync(join(tmpdir(), 'stackfeed-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 800, height: 700 },
  });
  page = await context.newPage();
  await page.goto(dashboard.url);
}, 900_000);

afterAll(async () => {
  await context?.close();
  await dashboard?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const cardOf = (provider: string, target: string) =>
  page.locator(`[data-testid="stack-card"][data-provider="${provider}"]`, {
    has: page.locator(`.target[title="${target}"]`),
  });

/** expect.poll waits 1 s by default: a scroll or a wheel in Chromium on a loaded CI machine can take longer. */
const POLL = { timeout: 20_000 };

describe('dashboard states in Chromium', { timeout: 90_000 }, () => {
  it('shows a provider error on its card, red with code and message, and stays "live"', async () => {
    const card = cardOf('aws-imagebuilder', 'lce-0forbidden');
    await card.locator('[data-testid="card-error"]').waitFor();
    await expect(card.getAttribute('data-state')).resolves.toBe('failed');
    const text = await card.locator('[data-testid="card-error"]').textContent();
    expect(text).toContain('FORBIDDEN');
    expect(text).toContain('imagebuilder:GetLifecycleExecution');
    expect(text).toMatch(/last \d\d:\d\d:\d\d UTC/);
    const color = await card.locator('[data-testid="card-error"]').evaluate((e) => getComputedStyle(e).color);
    expect(color).toBe('rgb(248, 81, 73)');
    // Provider errors are not connection errors.
    await expect(page.locator('[data-testid="connection"]').textContent()).resolves.toBe('live');
  });

  it('a target that could not start is failed on its card; the others run', async () => {
    const card = cardOf('openstack-heat', 'no-credentials');
    await card.locator('[data-testid="card-error"]', { hasText: 'CONFIG' }).waitFor();
    await expect(card.getAttribute('data-state')).resolves.toBe('failed');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="event-row"]').length >= 9);
  });

  it('a repeated error is one line with a count, not a pile-up', async () => {
    const line = page.locator('[data-testid="image-error"]');
    await page.waitForFunction(
      () => Number(document.querySelector<HTMLElement>('[data-testid="image-error"]')?.dataset.count) > 3,
    );
    await expect(line.count()).resolves.toBe(1);
    const text = (await line.textContent()) ?? '';
    expect(text).toMatch(/CONFIG pcluster: Region is missing ×\d+ · last \d\d:\d\d:\d\d UTC/);
    expect(await page.locator('.problem').count()).toBe(3);
  });

  it('does not count rollback deletions as complete', async () => {
    const card = page.locator('[data-testid="stack-card"][data-provider="huawei-rfs"][data-state="failed"]');
    await card.locator('[data-testid="outcome"]', { hasText: 'ROLLBACK_COMPLETE' }).waitFor();
    const d = await card.evaluate((c) => ({ ...(c as HTMLElement).dataset }));
    expect(d).toMatchObject({ complete: '0', rolledBack: '1', failed: '1' });
    await expect(card.locator('.counts').textContent()).resolves.toContain('1 rolled back');
    const green = await card.locator('.progress .done').evaluate((e) => e.getBoundingClientRect().width);
    expect(green).toBe(0);
  });

  it('follows new rows, wrapped or not, and stays put when paused', async () => {
    const scroller = page.locator('[data-testid="events-scroll"]');
    const atEnd = () =>
      scroller.evaluate((s) => Math.abs(s.scrollHeight - s.scrollTop - s.clientHeight) <= 1 && s.scrollTop > 0);
    const rowCount = () => page.locator('[data-testid="event-row"]').count();
    // Wrapped failure rows: many more than the viewport holds; following keeps the last in view.
    let n = await rowCount();
    addRows(25);
    await page.waitForFunction((k) => document.querySelectorAll('[data-testid="event-row"]').length >= k, n + 25);
    const lastRow = page.locator('[data-testid="event-row"]').last();
    expect(await lastRow.evaluate((r) => r.getBoundingClientRect().height)).toBeGreaterThan(40);
    await expect.poll(atEnd, POLL).toBe(true);

    await page.click('[data-testid="follow"]');
    await expect(page.locator('[data-testid="follow"]').getAttribute('data-state')).resolves.toBe('paused');
    await scroller.evaluate((s) => {
      s.scrollTop = 100;
    });
    n = await rowCount();
    addRows(5);
    await page.waitForFunction((k) => document.querySelectorAll('[data-testid="event-row"]').length >= k, n + 5);
    expect(await scroller.evaluate((s) => s.scrollTop)).toBe(100);

    await page.click('[data-testid="follow"]');
    await expect(page.locator('[data-testid="follow"]').getAttribute('data-state')).resolves.toBe('following');
    await expect.poll(atEnd, POLL).toBe(true);

    // Scrolling up with the wheel to read pauses too.
    await scroller.hover();
    await page.mouse.wheel(0, -300);
    await expect.poll(() => page.locator('[data-testid="follow"]').getAttribute('data-state'), POLL).toBe('paused');
  });

  it('keeps the images table inside the page at 800 px', async () => {
    await page.locator('[data-testid="image-row"]').first().waitFor();
    const widths = await page.evaluate(() => ({
      doc: document.documentElement.scrollWidth,
      view: document.documentElement.clientWidth,
      table: document.querySelector('#images')?.getBoundingClientRect().right ?? 0,
      section: document.querySelector('main')?.getBoundingClientRect().right ?? 0,
    }));
    expect(widths.doc).toBeLessThanOrEqual(widths.view);
    expect(widths.table).toBeLessThanOrEqual(widths.section);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'dashboard-800px.png'), fullPage: true });
  });

  it('shows "reconnecting…" only once the server is really gone', async () => {
    await expect(page.locator('[data-testid="connection"]').textContent()).resolves.toBe('live');
    await dashboard?.close();
    dashboard = undefined;
    await page.locator('[data-testid="connection"]', { hasText: 'reconnecting…' }).waitFor();
  });
});
