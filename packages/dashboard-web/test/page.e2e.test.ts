/**
 * The dashboard page in a real headless Chromium (Debian's, driven by playwright-core) against the
 * dashboard server on the emulators and an embedded store: what it shows is checked against the
 * store itself. Screenshots of the main views go to test-results/ (docs/images/ with
 * UPDATE_SCREENSHOTS=1).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium } from '../../../examples/dashboard/test/chromium.js';
import { CHROMIUM_ARGS } from '../../../examples/dashboard/test/chromium.js';
import { RFS_KEYS, startWorld, WEB_ROOT, type World } from './fixture.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const SHOTS = process.env.UPDATE_SCREENSHOTS ? join(REPO, 'docs', 'images') : join(REPO, 'test-results');

let world: World;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const refused: string[] = [];

beforeAll(async () => {
  const executablePath = ensureChromium();
  world = await startWorld();
  browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Europe/Berlin' });
  page = await context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
  });
  mkdirSync(SHOTS, { recursive: true });
}, 600_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await world?.close();
});

const open = async (path: string) => {
  await page.goto(new URL(path, world.server.url).href);
  await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor();
};
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `dashboard-${name}.png`), fullPage: true });
const cardNames = () =>
  page.locator('[data-testid="card"] .card-name').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
/** The cards shown become exactly these (by name); on a timeout, says what was shown instead. */
async function cardsAre(names: string[]) {
  const want = [...names].sort();
  try {
    await page.waitForFunction(
      (w) =>
        JSON.stringify(
          Array.from(document.querySelectorAll('[data-testid="card"] .card-name'), (e) => e.textContent ?? '').sort(),
        ) === JSON.stringify(w),
      want,
      { timeout: 20_000 },
    );
  } catch {
    expect({ url: page.url(), cards: (await cardNames()).sort() }).toEqual({ url: page.url(), cards: want });
  }
}
const rowSeqs = () =>
  page
    .locator('[data-testid="event-row"]')
    .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.seq ?? ''));
const storedSeqs = async (query: Parameters<World['store']['storedEvents']>[0] = {}) =>
  (await world.store.storedEvents({ order: 'newest-first', ...query }).toArray({ limit: 100 })).map((s) => s.seq);

const maxSeq = async () =>
  (await world.store.storedEvents({}).toArray({ limit: 100_000 })).reduce(
    (m, s) => (BigInt(s.seq) > m ? BigInt(s.seq) : m),
    0n,
  );

/**
 * Every Heat event stored after `before` (a moment before the reload or the disconnect) is in the
 * table, and no row is there twice: the feed resumed without a gap or a duplicate.
 */
async function expectEveryEventAfter(before: bigint) {
  const after = (await world.store.storedEvents({ provider: 'openstack-heat' }).toArray({ limit: 100_000 }))
    .filter((s) => BigInt(s.seq) > before)
    .map((s) => s.seq);
  expect(after.length).toBeGreaterThan(0);
  await page.waitForFunction((want) => {
    const have = new Set(
      Array.from(document.querySelectorAll('[data-testid="event-row"]'), (r) => r.getAttribute('data-seq')),
    );
    return want.every((s) => have.has(s));
  }, after);
  const got = await rowSeqs();
  expect(got.length - new Set(got).size).toBe(0);
  const all = new Set(
    (await world.store.storedEvents({ provider: 'openstack-heat' }).toArray({ limit: 100_000 })).map((s) => s.seq),
  );
  expect(got.filter((s) => !all.has(s))).toEqual([]);
}

describe('the dashboard page', { timeout: 120_000 }, () => {
  it('the build has no inline script or style (the CSP allows none)', () => {
    const html = readFileSync(join(WEB_ROOT, 'index.html'), 'utf8');
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/[^"]+\.js"><\/script>/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
  });

  it('inventory: one card per stack, counts and event counts equal the store, failed first', async () => {
    await open('/');
    await page.locator('[data-testid="card"]').first().waitFor();
    const stacks = (await world.store.stacks()).filter((s) => s.rootKey === undefined);
    const total = await world.store.storedEvents({}).toArray({ limit: 100_000 });
    expect(await page.locator('[data-testid="count-total"]').textContent()).toBe(String(stacks.length));
    expect(await page.locator('[data-testid="card"]').count()).toBe(stacks.length);
    const events = await page
      .locator('[data-testid="card-events"]')
      .evaluateAll((els) => els.reduce((n, e) => n + Number(e.textContent), 0));
    expect(events).toBe(total.length);
    const phases = await page
      .locator('[data-testid="card"]')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.phase));
    // The fixture's two failing stacks (Heat `db`; RFS `shop-db`, whose records carry no stack
    // state: FAILED by its failure) come first.
    const failed = phases.filter((p) => p === 'FAILED').length;
    expect(failed).toBe(2);
    expect(phases.slice(0, failed)).toEqual(['FAILED', 'FAILED']);
    expect((await cardNames()).slice(0, 2).sort()).toEqual(['db', 'shop-db']);
    expect(await page.locator('[data-testid="count-FAILED"]').getAttribute('data-count')).toBe(String(failed));
    // Console deep links: the inventory's consoleUrl (RFS names a region; Heat has no common console).
    const inv = (await (await fetch(`${world.server.url}api/inventory`)).json()) as {
      items: Array<{ name: string; consoleUrl: string | null }>;
    };
    const rfs = inv.items.find((i) => i.name === 'shop-db');
    expect(rfs?.consoleUrl).toMatch(/^https:\/\//);
    const links = page.locator('[data-testid="console-link"]');
    expect(await links.count()).toBe(inv.items.filter((i) => i.consoleUrl).length);
    expect(await links.first().getAttribute('href')).toBe(rfs?.consoleUrl);
    await shot('inventory');
  });

  it('inventory live: a new stack gets its card while it deploys, and ends with the store counts', async () => {
    await open('/');
    await page.locator('[data-testid="card"]').first().waitFor();
    const following = world.deploy('live-inv', 6);
    const card = page.locator('[data-testid="card"]', { has: page.locator('.card-name', { hasText: /^live-inv$/ }) });
    await card.waitFor();
    await following;
    const stored = (await world.store.stacks()).find((s) => s.name === 'live-inv');
    expect(stored?.phase).toBe('COMPLETE');
    await page.waitForFunction(
      (n) =>
        Array.from(document.querySelectorAll<HTMLElement>('[data-testid="card"]')).some(
          (c) =>
            c.querySelector('.card-name')?.textContent === 'live-inv' &&
            c.dataset.phase === 'COMPLETE' &&
            c.querySelector('[data-testid="card-events"]')?.textContent === String(n),
        ),
      stored?.eventCount,
    );
  });

  it('inventory filters narrow the cards exactly', async () => {
    await open('/?provider=huawei-rfs');
    await cardsAre(['shop-db']);
    await open('/');
    await page.locator('[data-testid="card"]').first().waitFor();
    await page.locator('[data-testid="filter-name"]').fill('DB');
    // The name filter matches a name or an id, case-insensitively: a random stack id may hold "db" too.
    const all = (await (await fetch(`${world.server.url}api/inventory`)).json()) as {
      items: Array<{ name: string; id: string }>;
    };
    const dbs = all.items.filter((i) => `${i.name} ${i.id}`.toLowerCase().includes('db')).map((i) => i.name);
    expect(dbs).toEqual(expect.arrayContaining(['db', 'shop-db']));
    await cardsAre(dbs.sort());
    await page.locator('[data-testid="filter-name"]').fill('');
    await page.locator('[data-testid="filter-place"]').selectOption('demo');
    await cardsAre(['db', 'web']);
    await page.locator('[data-testid="filter-phase"]').selectOption('FAILED');
    await cardsAre(['db']);
    expect(new URL(page.url()).searchParams.get('phase')).toBe('FAILED');
    // A time range after every last event: nothing; before the newest one: only the newer stacks.
    await open(`/?since=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`);
    await page.getByText('Nothing matches these filters.').waitFor();
    expect(await page.locator('[data-testid="card"]').count()).toBe(0);
    const stacks = (await world.store.stacks()).filter((s) => s.rootKey === undefined);
    const newest = stacks.map((s) => s.lastEventAt.getTime()).sort((a, b) => b - a)[0] as number;
    await open(`/?since=${encodeURIComponent(new Date(newest).toISOString())}`);
    await cardsAre(stacks.filter((s) => s.lastEventAt.getTime() >= newest).map((s) => s.name ?? ''));
  });

  it("a card's Events link shows exactly that stack's stored events", async () => {
    await open('/');
    await page.locator('[data-testid="card"][data-key$="/shop-db"] a', { hasText: 'Events' }).click();
    await page.locator('[data-testid="event-row"]').first().waitFor();
    const want = await storedSeqs({ provider: 'huawei-rfs', stack: 'shop-db' });
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="event-row"]').length === n, want.length);
    expect(await rowSeqs()).toEqual(want);
  });

  it('with a token: /?token= sets the cookie once, then the page and its stream work; without it, 401', async () => {
    const { startDashboard } = await import('@stackfeed/dashboard');
    const token = 'web-test-token-0123456789abcdef';
    const guarded = await startDashboard({ store: world.store, board: world.board, token, webRoot: WEB_ROOT });
    try {
      expect((await fetch(guarded.url)).status).toBe(401);
      const other = await browser.newContext();
      const p = await other.newPage();
      await p.goto(`${guarded.url}?token=${token}`);
      expect(new URL(p.url()).search).toBe('');
      await p.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor();
      await p.locator('[data-testid="card"]').first().waitFor();
      await other.close();
    } finally {
      await guarded.close();
    }
  });

  it('a failed deployment shows its root cause, as the store finds it', async () => {
    const [d] = await world.store.deployments({ provider: 'openstack-heat', stack: 'db' });
    expect(d?.outcome).toBe('failed');
    await open('/');
    await page.locator('[data-testid="card"][data-key$="/db"] .card-name').click();
    const row = page.locator('[data-testid="deployment-row"]').first();
    await row.waitFor();
    expect(await row.getAttribute('data-outcome')).toBe('failed');
    const cause = await row.locator('[data-testid="root-cause"]').textContent();
    expect(cause).toContain(d?.rootCause?.resource.logicalId ?? '?');
    expect(cause).toContain(d?.rootCause?.reason ?? d?.rootCause?.event.message ?? '?');
    await shot('deployments');
  });

  it('the timeline draws one bar per resource, colored by phase', async () => {
    const [d] = await world.store.deployments({ provider: 'openstack-heat', stack: 'web' });
    expect(d?.resources.length).toBeGreaterThan(3);
    await open('/stack/openstack-heat/web');
    await page.locator('[data-testid="deployment-row"] a').first().click();
    await page.locator('[data-testid="timeline"]').waitFor();
    expect(await page.locator('[data-testid="timeline-bar"]').count()).toBe(d?.resources.length);
    const bars = await page
      .locator('[data-testid="timeline-bar"]')
      .evaluateAll((els) => els.map((e) => ({ cls: e.getAttribute('class'), width: Number(e.getAttribute('width')) })));
    expect(bars.map((b) => b.cls)).toEqual(d?.resources.map((r) => `bar phase-${r.phase}`));
    for (const b of bars) expect(b.width).toBeGreaterThan(0);
    await shot('timeline');

    const [failed] = await world.store.deployments({ provider: 'huawei-rfs', stack: 'shop-db' });
    await open('/stack/huawei-rfs/shop-db');
    await page.locator('[data-testid="deployment-row"] a').first().click();
    await page.locator('[data-testid="deployment-root-cause"]').waitFor();
    expect(await page.locator('[data-testid="timeline-bar"]').count()).toBe(failed?.resources.length);
    expect(await page.locator('.bar.phase-FAILED').count()).toBeGreaterThan(0);
  });

  it('event filters and message search narrow the table exactly to what the store matches', async () => {
    await open('/events');
    await page.locator('[data-testid="event-row"]').first().waitFor();
    expect(await rowSeqs()).toEqual(await storedSeqs());
    await page.locator('[data-testid="filter-text"]').fill('volume');
    const want = await storedSeqs({ text: 'volume' });
    expect(want.length).toBeGreaterThan(0);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="event-row"]').length === n, want.length);
    expect(await rowSeqs()).toEqual(want);
    await page.locator('[data-testid="filter-text"]').fill('');
    await page.locator('[data-testid="filter-provider"]').selectOption('huawei-rfs');
    await page.locator('[data-testid="filter-phase"]').selectOption('FAILED');
    const rfsFailed = await storedSeqs({ provider: 'huawei-rfs', phase: ['FAILED'] });
    expect(rfsFailed.length).toBeGreaterThan(0);
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="event-row"]').length === n,
      rfsFailed.length,
    );
    expect(await rowSeqs()).toEqual(rfsFailed);
    // The raw record of a row.
    await page.locator('[data-testid="event-details"]').first().click();
    const raw = await page.locator('[data-testid="event-raw"]').textContent();
    const first = await world.store
      .storedEvents({ provider: 'huawei-rfs', phase: ['FAILED'], order: 'newest-first' })
      .toArray({ limit: 1 });
    expect(JSON.parse(raw ?? 'null')).toEqual(JSON.parse(JSON.stringify(first[0]?.event.raw ?? null)));
    await shot('event-detail');
    await page.keyboard.press('Escape');
    // A time range: before the first stored event, nothing.
    const oldest = (await world.store.storedEvents({ order: 'oldest-first' }).toArray({ limit: 1 }))[0];
    await open(
      `/events?until=${encodeURIComponent(new Date(Date.parse(oldest?.event.timestamp.toISOString() ?? '') - 60_000).toISOString())}`,
    );
    await page.locator('[data-testid="event-count"]', { hasText: '0 events' }).waitFor();
  });

  it('UTC/local toggle: the same instants in the browser time zone', async () => {
    await open('/events?provider=huawei-rfs');
    const cell = page.locator('[data-testid="event-row"] td.c-time time').first();
    await cell.waitFor();
    const iso = await cell.getAttribute('datetime');
    expect(await cell.textContent()).toBe(`${iso?.slice(0, 19).replace('T', ' ')}Z`);
    await page.locator('[data-testid="time-toggle"]').click();
    const local = await cell.textContent();
    expect(local).toMatch(/[+-]0[12]:00$/); // Europe/Berlin
    expect(Date.parse(local?.replace(' ', 'T') ?? '')).toBe(Date.parse(iso ?? ''));
    await page.locator('[data-testid="time-toggle"]').click();
  });

  it('live: follow shows events as they are stored, pause holds them; reload resumes without gap or duplicate', async () => {
    await open('/events?provider=openstack-heat');
    await page.locator('[data-testid="event-row"]').first().waitFor();
    const following = world.deploy('live-a', 12);
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('[data-testid="event-row"]')).some((r) => r.textContent?.includes('live-a')),
    );
    await page.locator('[data-testid="follow-toggle"]').click();
    expect(await page.locator('[data-testid="follow-toggle"]').getAttribute('aria-pressed')).toBe('false');
    const paused = await page.locator('[data-testid="event-row"]').count();
    await page.locator('[data-testid="follow-toggle"]', { hasText: 'new' }).waitFor();
    expect(await page.locator('[data-testid="event-row"]').count()).toBe(paused);
    const before = await maxSeq();
    await page.reload();
    await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor();
    await following;
    await expectEveryEventAfter(before);
  });

  it('a real disconnect shows reconnecting…, then resumes from the store with Last-Event-ID', async () => {
    await open('/events?provider=openstack-heat');
    await page.locator('[data-testid="event-row"]').first().waitFor();
    const before = await maxSeq();
    const restarted = world.restart();
    await page.locator('[data-testid="connection"]', { hasText: 'reconnecting…' }).waitFor();
    await restarted;
    // Events stored while the page was cut off arrive once the browser reconnects.
    await world.deploy('live-b', 4, 20);
    await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor({ timeout: 30_000 });
    await expectEveryEventAfter(before);
  });

  it('a provider outage shows on its card (code, message, count, last seen) and clears on recovery; the page stays live', async () => {
    await open('/');
    const web = page.locator('[data-testid="card"]', { has: page.locator('.card-name', { hasText: /^web$/ }) });
    await web.waitFor();
    expect(await web.locator('[data-testid="card-error"]').count()).toBe(0);
    world.heat.server.faults.inject(
      { kind: 'status', status: 503, body: { error: { message: 'maintenance window' } } },
      { times: Number.POSITIVE_INFINITY, match: (r) => r.url.pathname.includes('/stacks/web') },
    );
    const err = web.locator('[data-testid="card-error"]');
    await err.waitFor();
    await page.waitForFunction(() =>
      /([2-9]|\d\d)×/.test(document.querySelector('[data-testid="card-error"]')?.textContent ?? ''),
    );
    const text = (await err.textContent()) ?? '';
    expect(text).toMatch(/^[A-Z_]+ /);
    expect(text).toContain('last seen');
    expect(await page.locator('[data-testid="connection"]').textContent()).toBe('live');
    expect(await web.getAttribute('class')).toContain('card-error');
    await shot('outage');
    world.heat.server.faults.clear();
    await err.waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid="connection"]').textContent()).toBe('live');
  });

  it('no horizontal overflow at 800 px, and no serious or critical axe-core violation, on every view', async () => {
    await page.setViewportSize({ width: 800, height: 900 });
    const [d] = await world.store.deployments({ provider: 'openstack-heat', stack: 'web' });
    const views = [
      '/',
      '/events',
      '/stack/openstack-heat/web',
      `/deployment/openstack-heat/web/${encodeURIComponent(d?.id ?? '')}`,
      '/stack/huawei-rfs/shop-db',
    ];
    for (const v of views) {
      await open(v);
      await page.locator('main section').waitFor();
      await page.waitForLoadState('networkidle').catch(() => {});
      await page.waitForTimeout(300);
      const { scroll, client } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      expect({ view: v, scroll }).toEqual({ view: v, scroll: client });
      const result = await new AxeBuilder({ page }).analyze();
      const bad = result.violations
        .filter((x) => x.impact === 'serious' || x.impact === 'critical')
        .map((x) => `${v}: ${x.id} (${x.impact}) ${x.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      expect(bad).toEqual([]);
    }
    await shot('narrow-800');
  });

  it('no CSP refusal in any view, and no credential reached the page', async () => {
    expect(refused).toEqual([]);
    const html = await page.content();
    expect(html).not.toContain(RFS_KEYS.secretKey);
    expect(html).not.toContain(RFS_KEYS.accessKey);
  });
});
