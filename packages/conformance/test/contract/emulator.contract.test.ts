/**
 * The contract (issue 14) on the emulators: every rule of ./rules.ts × every provider target, each
 * target a finished deployment whose ground truth comes from the emulator's own state.
 */
import { type StackEvent, StackfeedError } from '@stackfeed/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FilterName, type LiveTarget, type LooseOptions, TARGETS, type Target } from './targets.js';
import { firstDiff, matches, title } from './rules.js';

/** Fails with the first difference in the message (vitest would truncate it otherwise). */
function same(got: readonly string[], want: readonly string[], label = 'sequence'): void {
  const d = firstDiff(got, want);
  expect(d, `${label}: ${d}`).toBeUndefined();
}

const LIMIT = 7;

async function all(t: LiveTarget, o?: LooseOptions): Promise<StackEvent[]> {
  return t.list(o).toArray({ limit: 100_000 });
}

async function failure(p: Promise<unknown>): Promise<StackfeedError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StackfeedError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe.each(TARGETS.map((t) => [t.id, t] as [string, Target]))('%s', (_id, target) => {
  let t: LiveTarget;
  /** The default listing, read once (R-order checks it against the ground truth). */
  let listed: StackEvent[];

  beforeAll(async () => {
    t = await target.start();
    listed = await all(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  // ---------------------------------------------------------------------------------------- R-order

  it(title('order', 'the default listing is the ground truth, oldest first'), () => {
    const truth = t.truth();
    expect(truth.length).toBeGreaterThan(LIMIT * 2);
    same(
      listed.map(t.key),
      truth.map((e) => e.key),
    );
  });

  it(title('order', "order 'newest-first' is the exact reverse of the ground truth"), async () => {
    const got = await all(t, { order: 'newest-first' });
    same(
      got.map(t.key),
      t
        .truth()
        .map((e) => e.key)
        .reverse(),
    );
  });

  it(title('order', 'toArray({limit}) and maxItems take the first N in either order'), async () => {
    const truth = t.truth().map((e) => e.key);
    const firstN = truth.slice(0, LIMIT);
    const lastN = [...truth].reverse().slice(0, LIMIT);
    same((await t.list().toArray({ limit: LIMIT })).map(t.key), firstN, 'toArray limit');
    same((await all(t, { maxItems: LIMIT })).map(t.key), firstN, 'maxItems');
    const newest = await t.list({ order: 'newest-first' }).toArray({ limit: LIMIT });
    same(newest.map(t.key), lastN, 'newest-first limit');
  });

  it(
    title('order', "the provider's other event lists: oldest first, newest-first reversed, limit = first N"),
    async () => {
      const problems: string[] = [];
      for (const other of t.otherLists) {
        const truth = other.truth().map((e) => e.key);
        const checks: Array<[string, string[], string[]]> = [
          ['default', (await other.list().toArray({ limit: 10_000 })).map(t.key), truth],
          [
            'newest-first',
            (await other.list({ order: 'newest-first' }).toArray({ limit: 10_000 })).map(t.key),
            [...truth].reverse(),
          ],
          ['limit 3', (await other.list().toArray({ limit: 3 })).map(t.key), truth.slice(0, 3)],
        ];
        for (const [label, got, want] of checks) {
          const d = firstDiff(got, want);
          if (d) problems.push(`${other.label} ${label}: ${d}`);
        }
      }
      expect(problems, problems.join(' | ')).toEqual([]);
    },
  );

  it(title('order', 'capabilities say oldest-first and name the native order'), () => {
    const caps = t.capabilities as unknown as Record<string, unknown>;
    expect(caps.eventOrder).toBe('oldest-first');
    expect(['oldest-first', 'newest-first']).toContain(caps.nativeOrder);
  });

  // --------------------------------------------------------------------------------------- R-filter

  /** Filter values taken from the data: an anchor event every combination keeps. */
  function anchorFilters() {
    const resources = listed.filter((e) => e.isStackEvent !== true && e.resource.type && e.phase === 'COMPLETE');
    const anchor = resources[Math.floor(resources.length * 0.75)] ?? listed[listed.length - 1];
    if (!anchor) throw new Error('nothing listed');
    const median = listed[Math.floor(listed.length / 2)] as StackEvent;
    const since = new Date(Math.min(median.timestamp.getTime(), anchor.timestamp.getTime()));
    return {
      since,
      resourceName: (anchor.resource.name ?? anchor.resource.logicalId) as string,
      resourceType: anchor.resource.type as string,
      phase: anchor.phase as string,
    };
  }

  it(title('filter', 'every combination of the common filters is their intersection'), async () => {
    const values = anchorFilters();
    const names = Object.keys(values) as FilterName[];
    const problems: string[] = [];
    for (let mask = 1; mask < 1 << names.length; mask++) {
      const f: LooseOptions = {};
      for (let i = 0; i < names.length; i++)
        if (mask & (1 << i)) f[names[i] as FilterName] = values[names[i] as FilterName];
      const want = listed.filter((ev) => matches(ev, f)).map(t.key);
      let got: string[];
      try {
        got = (await all(t, f)).map(t.key);
      } catch (err) {
        problems.push(`${Object.keys(f).join('+')}: ${String(err)}`);
        continue;
      }
      const d = firstDiff(got, want);
      if (d) problems.push(`${Object.keys(f).join('+')}: ${d}`);
    }
    expect(problems, problems.join(' | ')).toEqual([]);
  });

  it(title('filter', 'provider status filters intersect with phase (and with each other)'), async () => {
    const problems: string[] = [];
    for (const sf of t.statusFilters) {
      for (const phase of [undefined, 'COMPLETE', 'FAILED', 'IN_PROGRESS']) {
        const o = { ...sf.options, ...(phase ? { phase } : {}) };
        const want = listed.filter((ev) => sf.keep(ev) && (!phase || ev.phase === phase)).map(t.key);
        try {
          const d = firstDiff((await all(t, o)).map(t.key), want);
          if (d) problems.push(`${sf.label}${phase ? ` + phase ${phase}` : ''}: ${d}`);
        } catch (err) {
          if (sf.mayRefuse && err instanceof StackfeedError && err.code === 'CONFIG') continue;
          problems.push(`${sf.label}${phase ? ` + phase ${phase}` : ''}: ${String(err)}`);
        }
      }
    }
    expect(problems, problems.join(' | ')).toEqual([]);
  });

  it(title('filter', 'capabilities.filters is truthful: server filters are sent, local ones are not'), async () => {
    const values = anchorFilters();
    const problems: string[] = [];
    for (const name of Object.keys(values) as FilterName[]) {
      const support = t.capabilities.filters[name];
      t.clearRequests();
      await all(t, { [name]: values[name] });
      const reqs = t.apiRequests();
      const saw = t.serverSaw[name];
      if (support === 'server') {
        if (!saw) problems.push(`${name}: 'server', but the provider API has no such parameter`);
        else if (!reqs.some(saw)) problems.push(`${name}: 'server', but no request carried it`);
      } else if (support === 'local') {
        if (saw && reqs.some(saw)) problems.push(`${name}: 'local', but a request carried it`);
        const literal = name === 'resourceName' || name === 'resourceType' ? String(values[name]) : undefined;
        const enc = literal ? encodeURIComponent(literal) : undefined;
        if (enc && reqs.some((r) => r.query.includes(enc) || r.body.includes(literal as string)))
          problems.push(`${name}: 'local', but ${literal} was sent`);
      } else problems.push(`${name}: '${support}' (the contract has every common filter)`);
    }
    expect(problems, problems.join(' | ')).toEqual([]);
  });

  it(title('filter', 'a watch with resourceName + resourceType + phase yields their intersection'), async () => {
    const { resourceName, resourceType, phase } = anchorFilters();
    const f = { resourceName, resourceType, phase };
    const want = listed.filter((ev) => matches(ev, f)).map(t.key);
    expect(want.length).toBeGreaterThan(0);
    same((await t.watch(f)).map(t.key).sort(), [...want].sort());
  });

  // ----------------------------------------------------------------------------------------- R-time

  it(title('time', 'every timestamp is the ground truth instant of its event'), () => {
    const truth = new Map(t.truth().map((e) => [e.key, e.time.getTime()]));
    const problems: string[] = [];
    for (const ev of listed) {
      const ms = ev.timestamp instanceof Date ? ev.timestamp.getTime() : Number.NaN;
      if (!Number.isFinite(ms) || ms < Date.UTC(2000, 0, 1)) problems.push(`${t.key(ev)}: ${String(ev.timestamp)}`);
      else if (truth.get(t.key(ev)) !== ms)
        problems.push(`${t.key(ev)}: ${ev.timestamp.toISOString()} is not the provider's time`);
    }
    expect(problems.slice(0, 5), problems.slice(0, 5).join(' | ')).toEqual([]);
  });

  // ------------------------------------------------------------------------------------------ R-ids

  it(title('ids', 'ids are unique and the same on a re-read'), async () => {
    const ids = listed.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Other page boundaries must not change a content-hash id.
    same(
      (await all(t, smallPages(3))).map((e) => e.id),
      ids,
      'other page size',
    );
    same(
      (await all(t)).map((e) => e.id),
      ids,
    );
  });

  it(title('ids', 'a watch of the deployment yields every event once'), async () => {
    const watched = await t.watch();
    const ids = watched.map((e) => e.id);
    expect(ids.length - new Set(ids).size, 'duplicates').toBe(0);
    same(
      watched.map(t.key).sort(),
      t
        .truth()
        .map((e) => e.key)
        .sort(),
    );
  });

  // ---------------------------------------------------------------------------------------- R-token

  /** A small page size the provider accepts (none where it has no page size). */
  const smallPages = (n: number): LooseOptions =>
    t.capabilities.pageSize ? { pageSize: Math.max(t.capabilities.pageSize.min, n) } : {};
  const pageOpts = () => smallPages(5);

  const ORDERS = [{}, { order: 'newest-first' }] as const;

  /** The first page in `order` and its token; undefined when that order comes as one page. */
  async function firstPageIn(order: LooseOptions): Promise<{ ids: string[]; token: string } | undefined> {
    const it1 = t
      .list({ ...pageOpts(), ...order })
      .byPage(pageOpts())
      [Symbol.asyncIterator]();
    const r = await it1.next();
    await it1.return?.();
    if (r.done || !r.value.continuationToken) return undefined;
    return { ids: r.value.items.map((e) => e.id), token: r.value.continuationToken };
  }

  /**
   * A token of the first order that pages (an oldest-first listing of a newest-first API without
   * a page size, ParallelCluster's, may come as one page once read to its end).
   */
  async function firstPage(): Promise<{ ids: string[]; token: string; order: LooseOptions }> {
    for (const order of ORDERS) {
      const p = await firstPageIn(order);
      if (p) return { ...p, order };
    }
    throw new Error('the listing has one page only in either order');
  }

  it(title('token', 'a continuation token resumes at the next page (in each order that pages)'), async () => {
    let paged = 0;
    for (const order of ORDERS) {
      const first = await firstPageIn(order);
      if (!first) continue;
      paged++;
      const rest: string[] = [];
      for await (const page of t
        .list({ ...pageOpts(), ...order })
        .byPage({ ...pageOpts(), continuationToken: first.token }))
        rest.push(...page.items.map((e) => e.id));
      const full = (await all(t, order)).map((e) => e.id);
      same([...first.ids, ...rest], full, `resume ${JSON.stringify(order)}`);
    }
    expect(paged, 'orders that page').toBeGreaterThan(0);
  });

  it(title('token', "another stack's call refuses the token with BAD_REQUEST before any request"), async () => {
    const { token, order } = await firstPage();
    t.clearRequests();
    const err = await failure(
      (async () => {
        for await (const _ of t.listOther(order).byPage({ continuationToken: token })) break;
      })(),
    );
    expect(err.code).toBe('BAD_REQUEST');
    expect(t.apiRequests().length).toBe(0);
  });

  it(title('token', 'a token altered by the caller is refused with BAD_REQUEST before any request'), async () => {
    const { token, order } = await firstPage();
    // Flip one character in the middle of the token (its payload).
    const i = Math.floor(token.length / 2);
    const altered = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
    t.clearRequests();
    const err = await failure(
      (async () => {
        for await (const _ of t.list({ ...pageOpts(), ...order }).byPage({ ...pageOpts(), continuationToken: altered }))
          break;
      })(),
    );
    expect(err.code).toBe('BAD_REQUEST');
    expect(t.apiRequests().length).toBe(0);
  });

  // ---------------------------------------------------------------------------------------- R-stack

  it(title('stack', 'isStackEvent agrees with the returned resource data'), () => {
    const problems: string[] = [];
    for (const ev of listed) {
      const name = ev.resource.name ?? ev.resource.logicalId;
      const namesStack = name !== undefined && (name === ev.stack.name || /Stack$/.test(ev.resource.type ?? ''));
      if (ev.isStackEvent === true && name !== undefined && !namesStack)
        problems.push(`${t.key(ev)}: isStackEvent true for resource ${name}`);
      if (ev.isStackEvent === false && name === undefined && ev.resource.type === undefined)
        problems.push(`${t.key(ev)}: isStackEvent false without any resource data`);
    }
    expect(problems.slice(0, 5), problems.slice(0, 5).join(' | ')).toEqual([]);
  });

  if (target.id === 'huawei-rfs') {
    it(title('stack', 'RFS fields without resource_name / resource_type leave isStackEvent undecided'), async () => {
      const full = new Map(listed.map((e) => [`${e.timestamp.getTime()}|${e.status}|${e.message ?? ''}`, e]));
      // The documented attribute names: the time is selected (`timestamp`), the resource is not.
      const got = await all(t, { fields: ['event_message', 'timestamp'] });
      expect(got.length).toBe(listed.length);
      const problems: string[] = [];
      for (const ev of got) {
        const same = full.get(`${ev.timestamp.getTime()}|${ev.status}|${ev.message ?? ''}`);
        if (ev.isStackEvent !== undefined && ev.isStackEvent !== same?.isStackEvent)
          problems.push(
            `${ev.status} ${ev.message ?? ''}: isStackEvent ${ev.isStackEvent}, the data says ${same?.isStackEvent}`,
          );
      }
      expect(problems.slice(0, 5), problems.slice(0, 5).join(' | ')).toEqual([]);
    });
  }
});
