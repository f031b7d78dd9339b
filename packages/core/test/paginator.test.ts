import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPaginator, type FetchedPage, type Page, type Paginator, StackfeedError } from './entry.js';

/** A provider list with offset cursors, counting its calls. */
function fakeList(items: readonly number[], defaultSize = 4) {
  const calls: Array<{ cursor: string | undefined; pageSize: number | undefined; signal: AbortSignal | undefined }> =
    [];
  const fetchPage = async (
    cursor: string | undefined,
    pageSize: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<FetchedPage<number, string>> => {
    calls.push({ cursor, pageSize, signal });
    await Promise.resolve();
    const start = cursor === undefined ? 0 : Number(cursor.slice(2));
    const size = pageSize ?? defaultSize;
    const end = Math.min(items.length, start + size);
    return {
      items: items.slice(start, end),
      ...(end < items.length ? { next: `o:${end}` } : {}),
      raw: { start },
    };
  };
  return { fetchPage, calls };
}

type Opts = {
  items: readonly number[];
  pageSize?: number | undefined;
  maxItems?: number | undefined;
  filter?: ((n: number) => boolean) | undefined;
  scope?: unknown;
  operation?: string;
  provider?: 'openstack-heat' | 'huawei-rfs';
  signal?: AbortSignal;
};

function make(o: Opts) {
  const list = fakeList(o.items);
  const p = createPaginator<number, string>({
    provider: o.provider ?? 'openstack-heat',
    operation: o.operation ?? 'listStackEvents',
    scope: o.scope ?? { stack: 'web' },
    fetchPage: list.fetchPage,
    filter: o.filter,
    options: {
      ...(o.pageSize !== undefined ? { pageSize: o.pageSize } : {}),
      ...(o.maxItems !== undefined ? { maxItems: o.maxItems } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    },
  });
  return { p, calls: list.calls };
}

async function allPages<T>(it: AsyncIterable<Page<T>>): Promise<Page<T>[]> {
  const out: Page<T>[] = [];
  for await (const page of it) out.push(page);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<StackfeedError> {
  try {
    await p;
  } catch (e) {
    if (StackfeedError.is(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('Paginator', () => {
  it('items and pages cover the list once, in order', async () => {
    const { p, calls } = make({ items: range(10), pageSize: 3 });
    const pages = await allPages(p.byPage());
    expect(pages.map((pg) => pg.items)).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect(pages.at(-1)?.continuationToken).toBeUndefined();
    expect(pages[0]?.raw).toEqual({ start: 0 });
    expect(calls.map((c) => c.pageSize)).toEqual([3, 3, 3, 3]);
    const items: number[] = [];
    for await (const n of make({ items: range(10), pageSize: 3 }).p) items.push(n);
    expect(items).toEqual(range(10));
  });

  it('is lazy: nothing is fetched before iteration', async () => {
    const { p, calls } = make({ items: range(5) });
    expect(calls).toHaveLength(0);
    await p.next();
    expect(calls).toHaveLength(1);
  });

  it('property: resuming from ANY page token (cut pages included) yields exactly the rest', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 9 }),
        fc.option(fc.integer({ min: 0, max: 45 }), { nil: undefined }),
        fc.option(fc.integer({ min: 2, max: 5 }), { nil: undefined }),
        async (raw, pageSize, maxItems, modulo) => {
          // Distinct items so that a duplicate or a loss is visible.
          const items = raw.map((v, i) => v * 100 + i);
          const filter = modulo === undefined ? undefined : (n: number) => n % modulo !== 0;
          const expected = filter ? items.filter(filter) : items;
          const first = make({ items, pageSize, maxItems, filter });
          const pages = await allPages(first.p.byPage());
          const got = pages.flatMap((pg) => pg.items);
          const cap = maxItems === undefined ? expected.length : Math.min(maxItems, expected.length);
          expect(got).toEqual(expected.slice(0, cap));
          let handed = 0;
          for (const page of pages) {
            handed += page.items.length;
            if (!page.continuationToken) continue;
            const resumed = make({ items, pageSize, filter });
            const rest = (await allPages(resumed.p.byPage({ continuationToken: page.continuationToken }))).flatMap(
              (pg) => pg.items,
            );
            expect(rest).toEqual(expected.slice(handed));
          }
          // The last page carries a token only when the list was cut short.
          const last = pages.at(-1);
          if (last && cap === expected.length && maxItems === undefined) expect(last.continuationToken).toBeUndefined();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a token from a page cut by maxItems resumes inside that page', async () => {
    const { p } = make({ items: range(10), pageSize: 4, maxItems: 6 });
    const pages = await allPages(p.byPage());
    expect(pages.map((pg) => pg.items)).toEqual([
      [0, 1, 2, 3],
      [4, 5],
    ]);
    const token = pages[1]?.continuationToken;
    expect(token).toBeTypeOf('string');
    const again = make({ items: range(10), pageSize: 4 });
    expect((await allPages(again.p.byPage({ continuationToken: token }))).flatMap((pg) => pg.items)).toEqual([
      6, 7, 8, 9,
    ]);
    expect(again.calls[0]?.cursor).toBe('o:4');
  });

  it('a token passed through ListOptions.continuationToken works like byPage({continuationToken})', async () => {
    const { p } = make({ items: range(9), pageSize: 4 });
    const [page] = await allPages(
      (async function* () {
        for await (const pg of p.byPage()) {
          yield pg;
          break;
        }
      })(),
    );
    const list = fakeList(range(9));
    const resumed = createPaginator<number, string>({
      provider: 'openstack-heat',
      operation: 'listStackEvents',
      scope: { stack: 'web' },
      fetchPage: list.fetchPage,
      options: { pageSize: 4, continuationToken: page?.continuationToken },
    });
    expect(await resumed.toArray({ limit: 100 })).toEqual([4, 5, 6, 7, 8]);
  });

  describe('tokens are bound to provider, operation and scope', () => {
    const tokenOf = async () => {
      const { p } = make({ items: range(10), pageSize: 3 });
      const it = p.byPage();
      const first = await it.next();
      await it.return?.();
      return (first.value as Page<number>).continuationToken as string;
    };

    const cases: Array<[string, Partial<Opts>, RegExp]> = [
      ['another provider', { provider: 'huawei-rfs' }, /provider openstack-heat/],
      ['another operation', { operation: 'listResourceEvents' }, /belongs to listStackEvents/],
      ['the same operation with another scope', { scope: { stack: 'db' } }, /other arguments/],
    ];
    for (const [name, over, msg] of cases) {
      it(`rejects a token handed to ${name} with BAD_REQUEST before any fetch`, async () => {
        const token = await tokenOf();
        const { p, calls } = make({ items: range(10), pageSize: 3, ...over });
        const err = await rejection(p.byPage({ continuationToken: token }).next());
        expect(err.code).toBe('BAD_REQUEST');
        expect(err.message).toMatch(msg);
        expect(calls).toHaveLength(0);
      });
    }

    it('rejects corrupted tokens before any fetch', async () => {
      const token = await tokenOf();
      const bad = [
        'garbage',
        '',
        'sf1.',
        'sf1.!!!!',
        token.slice(0, token.length - 5),
        `${token}xyz`,
        `sf1.${Buffer.from('{"v":2}').toString('base64url')}`,
        `sf1.${Buffer.from('null').toString('base64url')}`,
        `sf1.${Buffer.from('[1,2]').toString('base64url')}`,
        'sf2.',
        `sf2.${Buffer.from('{"v":2}').toString('base64url')}`,
        `sf2.${Buffer.from('{"v":2}').toString('base64url')}.AAAA`,
        token.replace(/\.[^.]*$/, ''),
        token.replace(/\.([^.]*)$/, '.AAAAAAAAAA'),
        token.replace('sf2.', 'sf2.=='),
        token.replace('sf2.', 'sf1.'),
      ];
      for (const t of bad) {
        const { p, calls } = make({ items: range(10), pageSize: 3 });
        const it = t === '' ? p.byPage({ continuationToken: t }) : p.byPage({ continuationToken: t });
        if (t === '') {
          // An empty token means "start from the beginning".
          expect((await it.next()).value?.items).toEqual([0, 1, 2]);
          continue;
        }
        const err = await rejection(it.next());
        expect(err.code, t).toBe('BAD_REQUEST');
        expect(calls, t).toHaveLength(0);
      }
    });

    it('property: any single-character change of a token is rejected or changes nothing', async () => {
      const token = await tokenOf();
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/';
      const { p: ref } = make({ items: range(10), pageSize: 3 });
      const expected = (await allPages(ref.byPage({ continuationToken: token }))).flatMap((pg) => pg.items);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 4, max: token.length - 1 }),
          fc.constantFrom(...alphabet),
          async (pos, ch) => {
            fc.pre(token[pos] !== ch);
            const mutated = token.slice(0, pos) + ch + token.slice(pos + 1);
            const { p, calls } = make({ items: range(10), pageSize: 3 });
            try {
              const got = (await allPages(p.byPage({ continuationToken: mutated }))).flatMap((pg) => pg.items);
              expect(got).toEqual(expected);
            } catch (e) {
              expect(StackfeedError.is(e, 'BAD_REQUEST')).toBe(true);
              expect(calls).toHaveLength(0);
            }
          },
        ),
        { numRuns: 300 },
      );
    });

    it('the scope digest ignores nothing that matters: equal scopes share tokens', async () => {
      const token = await tokenOf();
      const { p } = make({ items: range(10), pageSize: 3, scope: { stack: 'web' } });
      expect((await p.byPage({ continuationToken: token }).next()).value?.items).toEqual([3, 4, 5]);
    });
  });

  it('stops on a repeated token (A, A) and on a cycle (A, B, A), with a warning', async () => {
    for (const seq of [
      ['A', 'A'],
      ['A', 'B', 'A'],
      ['A', 'B', 'C', 'B'],
    ]) {
      let i = 0;
      const warnings: string[] = [];
      const fetched: Array<string | undefined> = [];
      const p = createPaginator<number, string>({
        provider: 'huawei-rfs',
        operation: 'listStackEvents',
        fetchPage: async (cursor) => {
          fetched.push(cursor);
          const next = seq[i];
          const page = { items: [i], next };
          i++;
          return page;
        },
        onWarning: (m) => warnings.push(m),
      });
      const items = await p.toArray({ limit: 1000 });
      // One fetch per distinct cursor (plus the first page), never a loop.
      expect(fetched).toEqual([undefined, ...seq.slice(0, -1)]);
      expect(items).toEqual(range(seq.length));
      expect(warnings.join()).toMatch(/repeated/);
    }
  });

  it('stops after maxEmptyPages empty pages in a row that still had a token', async () => {
    let n = 0;
    const warnings: string[] = [];
    const p = createPaginator<number, number>({
      provider: 'huawei-rfs',
      operation: 'listStackEvents',
      maxEmptyPages: 3,
      // items on page 0, then two empties, items again (run resets), then empty forever
      fetchPage: async (cursor) => {
        n++;
        const c = cursor ?? 0;
        const items = c === 0 || c === 3 ? [c] : [];
        return { items, next: c + 1 };
      },
      onWarning: (m) => warnings.push(m),
    });
    expect(await p.toArray({ limit: 100 })).toEqual([0, 3]);
    // pages 0..3, then 4, 5, 6 empty → stop
    expect(n).toBe(7);
    expect(warnings.join()).toMatch(/empty pages/);
  });

  it('the default empty-page guard stops an endless run of empty pages', async () => {
    let n = 0;
    const p = createPaginator<number, number>({
      provider: 'huawei-rfs',
      operation: 'op',
      fetchPage: async (c) => {
        n++;
        return { items: [], next: (c ?? 0) + 1 };
      },
    });
    expect(await p.toArray({ limit: 10 })).toEqual([]);
    expect(n).toBe(10);
  });

  describe('toArray', () => {
    it('requires a non-negative integer limit (CONFIG), before any fetch', async () => {
      for (const bad of [undefined, {}, { limit: -1 }, { limit: 1.5 }, { limit: Number.NaN }]) {
        const { p, calls } = make({ items: range(5) });
        const err = await rejection(p.toArray(bad as { limit: number }));
        expect(err.code).toBe('CONFIG');
        expect(calls).toHaveLength(0);
      }
    });

    it('respects the limit and fetches no page beyond it', async () => {
      const { p, calls } = make({ items: range(50), pageSize: 5 });
      expect(await p.toArray({ limit: 12 })).toEqual(range(12));
      expect(calls).toHaveLength(3);
      const z = make({ items: range(50) });
      expect(await z.p.toArray({ limit: 0 })).toEqual([]);
      expect(z.calls).toHaveLength(0);
      expect(await make({ items: range(7) }).p.toArray({ limit: 100 })).toEqual(range(7));
    });

    it('the smaller of limit and maxItems wins; the filter applies', async () => {
      expect(await make({ items: range(50), maxItems: 4 }).p.toArray({ limit: 10 })).toEqual(range(4));
      expect(await make({ items: range(50), filter: (n) => n % 2 === 1 }).p.toArray({ limit: 3 })).toEqual([1, 3, 5]);
    });
  });

  it('maxItems caps item iteration and does not fetch past it', async () => {
    const { p, calls } = make({ items: range(40), pageSize: 4, maxItems: 9 });
    const got: number[] = [];
    for await (const n of p) got.push(n);
    expect(got).toEqual(range(9));
    expect(calls).toHaveLength(3);
    const zero = make({ items: range(4), maxItems: 0 });
    expect(await zero.p.toArray({ limit: 10 })).toEqual([]);
    expect(zero.calls).toHaveLength(0);
  });

  it('a local filter never shows a page emptied by the filter, and keeps going', async () => {
    const { p } = make({ items: range(20), pageSize: 4, filter: (n) => n >= 13 });
    const pages = await allPages(p.byPage());
    expect(pages.map((pg) => pg.items)).toEqual([
      [13, 14, 15],
      [16, 17, 18, 19],
    ]);
  });

  it('pageSize is clamped to the provider limits and defaults apply', async () => {
    const list = fakeList(range(30));
    const mk = (pageSize?: number) =>
      createPaginator<number, string>({
        provider: 'openstack-heat',
        operation: 'op',
        fetchPage: list.fetchPage,
        pageSizeLimits: { min: 2, max: 10, default: 7 },
        options: pageSize === undefined ? {} : { pageSize },
      });
    await mk(1000).next();
    await mk(0).next();
    await mk().next();
    await mk(3.9).next();
    expect(list.calls.map((c) => c.pageSize)).toEqual([10, 2, 7, 3]);
  });

  it('concurrent next() calls yield each item once, in order, and fetch each page once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 7 }), async (n, size) => {
        const { p, calls } = make({ items: range(n), pageSize: size });
        const results = await Promise.all(Array.from({ length: n + 5 }, () => p.next()));
        expect(results.filter((r) => !r.done).map((r) => r.value)).toEqual(range(n));
        expect(results.slice(n).every((r) => r.done)).toBe(true);
        expect(calls.map((c) => c.cursor)).toEqual(
          Array.from({ length: Math.max(1, Math.ceil(n / size)) }, (_, i) => (i === 0 ? undefined : `o:${i * size}`)),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('abort between pages → ABORTED, and no further fetch', async () => {
    const ac = new AbortController();
    const { p, calls } = make({ items: range(20), pageSize: 5, signal: ac.signal });
    const got: number[] = [];
    const err = await rejection(
      (async () => {
        for await (const n of p) {
          got.push(n);
          if (n === 4) ac.abort();
        }
      })(),
    );
    expect(err.code).toBe('ABORTED');
    expect(got).toEqual(range(5));
    expect(calls).toHaveLength(1);
    // fetchPage got a signal that follows the caller's
    expect(calls[0]?.signal?.aborted).toBe(true);
  });

  it('return() while a page is being fetched aborts that fetch and ends the pending next() as done', async () => {
    let sawAbort = false;
    const p = createPaginator<number, number>({
      provider: 'openstack-heat',
      operation: 'op',
      fetchPage: (_c, _s, signal) =>
        new Promise((_, reject) => {
          signal?.addEventListener('abort', () => {
            sawAbort = true;
            reject(new StackfeedError({ code: 'ABORTED', provider: 'openstack-heat', message: 'aborted' }));
          });
        }),
    });
    const pending = p.next();
    await new Promise((r) => setImmediate(r));
    await p.return();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(sawAbort).toBe(true);
  }, 10_000);

  it('an already-aborted signal fetches nothing', async () => {
    const { p, calls } = make({ items: range(3), signal: AbortSignal.abort() });
    expect((await rejection(p.toArray({ limit: 5 }))).code).toBe('ABORTED');
    expect(calls).toHaveLength(0);
  });

  it('abort while a page is in flight → ABORTED even if fetchPage ignores the signal', async () => {
    const ac = new AbortController();
    const p = createPaginator<number, number>({
      provider: 'openstack-heat',
      operation: 'op',
      fetchPage: async () => {
        ac.abort();
        return { items: [1, 2], next: 1 };
      },
      options: { signal: ac.signal },
    });
    expect((await rejection(p.next())).code).toBe('ABORTED');
  });

  it('break (return()) stops fetching', async () => {
    const { p, calls } = make({ items: range(20), pageSize: 5 });
    for await (const n of p) if (n === 2) break;
    expect(calls).toHaveLength(1);
    expect(await p.next()).toEqual({ done: true, value: undefined });
    expect(calls).toHaveLength(1);
    // return() before any next() is harmless
    const fresh = make({ items: range(3) });
    expect(await fresh.p.return()).toEqual({ done: true, value: undefined });
    expect(fresh.calls).toHaveLength(0);
  });

  it('a failing fetchPage rejects with its error and the paginator does not swallow it', async () => {
    const boom = new StackfeedError({ code: 'SERVER', provider: 'openstack-heat', message: 'boom' });
    const p: Paginator<number> = createPaginator<number, number>({
      provider: 'openstack-heat',
      operation: 'op',
      fetchPage: async () => {
        throw boom;
      },
    });
    expect(await rejection(p.toArray({ limit: 3 }))).toBe(boom);
  });

  it('a non-array items field is treated as an empty page, not a crash', async () => {
    const p = createPaginator<number, number>({
      provider: 'openstack-heat',
      operation: 'op',
      fetchPage: async () => ({ items: null as unknown as number[] }),
    });
    expect(await p.toArray({ limit: 3 })).toEqual([]);
  });
});
