import { describe, expect, it } from 'vitest';
import { drainPages, StackfeedError } from './entry.js';

/** A scripted server: page i answers `pages[i]`; counts requests and records cursors. */
function scripted(pages: Array<{ items: number[]; next?: string }>) {
  const cursors: Array<string | undefined> = [];
  const fetch = async (cursor: string | undefined) => {
    cursors.push(cursor);
    const i = cursor === undefined ? 0 : Number(cursor.split(':')[0]);
    const page = pages[i];
    if (!page) throw new Error(`no page ${i}`);
    return page;
  };
  return { fetch, cursors };
}

describe('drainPages', () => {
  it("stops at the last page: 'end', every item in order, lastCursor = the last page's cursor", async () => {
    const s = scripted([{ items: [1, 2], next: '1' }, { items: [3], next: '2' }, { items: [4] }]);
    const r = await drainPages(s.fetch, { maxPages: 10 });
    expect(r).toEqual({ items: [1, 2, 3, 4], pages: 3, stoppedBy: 'end', lastCursor: '2' });
    expect(s.cursors).toEqual([undefined, '1', '2']);
  });

  it("starts at `start` and stops at maxPages: 'max-pages' with the unfollowed nextCursor", async () => {
    const s = scripted([
      { items: [0], next: '1' },
      { items: [1], next: '2' },
      { items: [2], next: '3' },
      { items: [3] },
    ]);
    const r = await drainPages(s.fetch, { maxPages: 2, start: '1' });
    expect(r).toMatchObject({ items: [1, 2], pages: 2, stoppedBy: 'max-pages', lastCursor: '2', nextCursor: '3' });
  });

  it("a repeated cursor (A, A) or a cycle (A, B, A) stops paging: 'repeated-cursor', not an error", async () => {
    const same = scripted([
      { items: [0], next: '1:a' },
      { items: [1], next: '1:a' },
    ]);
    expect(await drainPages(same.fetch, { maxPages: 50, cursorKey: (c) => c })).toMatchObject({
      stoppedBy: 'repeated-cursor',
      pages: 2,
      items: [0, 1],
    });
    const cycle = scripted([
      { items: [0], next: '1' },
      { items: [1], next: '2' },
      { items: [2], next: '1' },
    ]);
    const r = await drainPages(cycle.fetch, { maxPages: 50 });
    expect(r).toMatchObject({ stoppedBy: 'repeated-cursor', pages: 3, items: [0, 1, 2], nextCursor: '1' });
  });

  it("stopWhen ends the drain after the page it holds true for: 'stop-when', that page kept, its next unfollowed", async () => {
    const s = scripted([{ items: [9, 8], next: '1' }, { items: [7, 3], next: '2' }, { items: [2, 1] }]);
    const r = await drainPages(s.fetch, { maxPages: 10, stopWhen: (items) => items.some((n) => n < 5) });
    expect(r).toEqual({ items: [9, 8, 7, 3], pages: 2, stoppedBy: 'stop-when', lastCursor: '1', nextCursor: '2' });
    expect(s.cursors).toEqual([undefined, '1']);
    // The last page is 'end' whatever stopWhen says; stopWhen comes before the repeated-cursor rule.
    const last = scripted([{ items: [1] }]);
    expect((await drainPages(last.fetch, { maxPages: 10, stopWhen: () => true })).stoppedBy).toBe('end');
    const same = scripted([{ items: [0], next: '0' }]);
    expect((await drainPages(same.fetch, { maxPages: 10, start: '0', stopWhen: () => true })).stoppedBy).toBe(
      'stop-when',
    );
  });

  it("a run of empty pages with fresh cursors stops: 'empty-pages' after maxEmptyPages", async () => {
    let n = 0;
    const fetch = async () => ({ items: [] as number[], next: `t${n++}` });
    const r = await drainPages(fetch, { maxPages: 1000, maxEmptyPages: 5 });
    expect(r.stoppedBy).toBe('empty-pages');
    expect(r.pages).toBe(5);
    // The default run is 10.
    n = 0;
    expect((await drainPages(fetch, { maxPages: 1000 })).pages).toBe(10);
  });

  it('an empty page between full ones resets the run', async () => {
    const s = scripted([{ items: [], next: '1' }, { items: [1], next: '2' }, { items: [], next: '3' }, { items: [3] }]);
    expect((await drainPages(s.fetch, { maxPages: 10, maxEmptyPages: 2 })).stoppedBy).toBe('end');
  });

  it('an aborted signal stops before the next page with ABORTED', async () => {
    const ac = new AbortController();
    let calls = 0;
    const fetch = async () => {
      calls++;
      ac.abort();
      return { items: [1], next: `c${calls}` };
    };
    await expect(drainPages(fetch, { maxPages: 10, signal: ac.signal })).rejects.toSatisfy((e) =>
      StackfeedError.is(e, 'ABORTED'),
    );
    expect(calls).toBe(1);
  });

  it("a fetch failure is the drain's failure (the watch engine decides about retrying)", async () => {
    const fetch = async () => {
      throw new StackfeedError({ code: 'SERVER', message: 'boom' });
    };
    await expect(drainPages(fetch, { maxPages: 3 })).rejects.toSatisfy((e) => StackfeedError.is(e, 'SERVER'));
  });
});
