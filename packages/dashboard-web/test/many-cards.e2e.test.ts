/**
 * An inventory of 2,000 stacks: the page renders the first screenful at once and the rest in
 * tasks after the first paint. In the end every card is there, in the server's order, once.
 */
import type { StackEvent } from '@stackfeed/core';
import { type DashboardServer, startDashboard } from '@stackfeed/dashboard';
import { openStore, type Store } from '@stackfeed/store';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium } from '../../../examples/dashboard/test/chromium.js';
import { WEB_ROOT } from './fixture.js';

const STACKS = 2000;
let store: Store;
let server: DashboardServer;
let browser: Browser;

async function* stacks(): AsyncGenerator<StackEvent> {
  for (let s = 0; s < STACKS; s++) {
    const status = ['CREATE_COMPLETE', 'CREATE_IN_PROGRESS', 'CREATE_FAILED'][s % 3] as string;
    yield {
      provider: 'openstack-heat',
      id: `ev-${s}`,
      timestamp: new Date(Date.UTC(2026, 0, 1) + s * 1000),
      stack: { id: `stack-${s}`, name: `many-${s}` },
      resource: { logicalId: `many-${s}`, physicalId: `stack-${s}`, type: 'OS::Heat::Stack' },
      action: 'CREATE',
      phase: status.endsWith('FAILED') ? 'FAILED' : status.endsWith('COMPLETE') ? 'COMPLETE' : 'IN_PROGRESS',
      status,
      isStackEvent: true,
      raw: { id: `ev-${s}` },
    } as StackEvent;
  }
}

beforeAll(async () => {
  store = await openStore(':memory:');
  await store.archive(stacks(), { target: 'many', batchSize: 500 });
  server = await startDashboard({ store, webRoot: WEB_ROOT });
  browser = await chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await store?.close();
});

describe('an inventory of 2,000 stacks', () => {
  it('ends with every card, once, in the order the server gives', async () => {
    const want = (
      (await (await fetch(`${server.url}api/inventory`)).json()) as { items: Array<{ name: string }> }
    ).items.map((i) => i.name);
    expect(want.length).toBe(STACKS);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="card"]').length >= n, STACKS);
    const names = await page.locator('[data-testid="card"] .card-name').allTextContents();
    expect(names).toEqual(want);
    // The last card can be scrolled to and is painted like the first.
    const last = page.locator('[data-testid="card"]').last();
    await last.scrollIntoViewIfNeeded();
    expect(await last.isVisible()).toBe(true);
    await page.close();
  });
});
