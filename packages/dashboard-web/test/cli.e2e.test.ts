/**
 * `stackfeed dashboard --port 0` (the built bin, as a user runs it): it serves this package's
 * build, and the page shows the demo's four providers live, each as its store has it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium } from '../../../examples/dashboard/test/chromium.js';
import { WEB_ROOT } from './fixture.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const BIN = join(REPO, 'packages', 'cli', 'bin', 'stackfeed.js');
const SHOTS = process.env.UPDATE_SCREENSHOTS ? join(REPO, 'docs', 'images') : join(REPO, 'test-results');

let child: ChildProcess | undefined;
let url = '';
let browser: Browser;
let page: Page;
const home = mkdtempSync(join(tmpdir(), 'stackfeed-dashweb-cli-'));

beforeAll(async () => {
  // `pnpm test` builds first; a lone run of this project needs `pnpm build` once.
  if (!existsSync(join(REPO, 'packages', 'cli', 'dist', 'bin', 'bin.js')) || !existsSync(join(WEB_ROOT, 'index.html')))
    throw new Error('the CLI or the page is not built: run pnpm build');
  const env = { ...process.env, HOME: home, XDG_DATA_HOME: join(home, 'data'), STACKFEED_STORE: '', NO_COLOR: '1' };
  delete (env as Record<string, string | undefined>).STACKFEED_DASHBOARD_TOKEN;
  child = spawn(process.execPath, [BIN, 'dashboard', '--port', '0', '--speed', '10'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  url = await new Promise<string>((resolve, reject) => {
    child?.stdout?.on('data', (d) => {
      out += d;
      const m = /^stackfeed dashboard: (http:\/\/127\.0\.0\.1:\d+\/) /m.exec(out);
      if (m) resolve(m[1] as string);
    });
    child?.on('exit', (code) => reject(new Error(`stackfeed dashboard exited ${code}: ${out}`)));
  });
  browser = await chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  mkdirSync(SHOTS, { recursive: true });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGINT');
    await exited;
  }
  rmSync(home, { recursive: true, force: true });
});

describe('stackfeed dashboard serves the page', { timeout: 180_000 }, () => {
  it('/ is the build of @stackfeed/dashboard-web, with the strict CSP', async () => {
    const res = await fetch(url);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toBe(readFileSync(join(WEB_ROOT, 'index.html'), 'utf8'));
  });

  it("the demo's four providers, live; card counts are the server's inventory", async () => {
    await page.goto(url);
    await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor();
    await page.waitForFunction(
      () =>
        new Set(
          Array.from(document.querySelectorAll('[data-testid="card"]'), (c) => (c as HTMLElement).dataset.provider),
        ).size === 4,
      undefined,
      { timeout: 120_000 },
    );
    // Wait for the scenarios to play out, then compare with the API.
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="card"][data-phase="IN_PROGRESS"]').length === 0,
      undefined,
      { timeout: 150_000 },
    );
    await page.waitForTimeout(1500);
    const inv = (await (await fetch(`${url}api/inventory`)).json()) as { counts: { total: number } };
    expect(await page.locator('[data-testid="count-total"]').textContent()).toBe(String(inv.counts.total));
    await page.screenshot({ path: join(SHOTS, 'dashboard-demo-inventory.png'), fullPage: true });
    await page.goto(`${url}events`);
    await page.locator('[data-testid="event-row"]').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'dashboard-demo-events.png') });
  });
});
