import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Action,
  type Deployment,
  deploymentPaginator,
  findDeployment,
  groupDeployments,
  inProgressFirst,
  matchesDiscoverFilters,
  nameMatcher,
  type Phase,
  type StackEvent,
  StackfeedError,
} from './entry.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const STACK = { id: 'st-1', name: 'web' };
let seq = 0;

/** One event at `s` seconds after T0; `resource` undefined = a stack-level event of `stack`. */
function ev(
  s: number,
  action: Action,
  phase: Phase,
  resource?: string,
  extra: Partial<StackEvent> & { stackOf?: { id: string; name: string } } = {},
): StackEvent {
  const { stackOf = STACK, ...rest } = extra;
  const status = `${action}_${phase}`;
  return {
    provider: 'openstack-heat',
    id: `e${++seq}`,
    timestamp: new Date(T0 + s * 1000),
    stack: { id: stackOf.id, name: stackOf.name, rootId: STACK.id, rootName: STACK.name },
    resource: resource === undefined ? { logicalId: stackOf.name } : { logicalId: resource, type: 'OS::Test' },
    action,
    phase,
    status,
    ...(resource === undefined ? { isStackEvent: true } : {}),
    raw: {},
    ...rest,
  };
}

const opts = { provider: 'openstack-heat' as const, stack: STACK };

/** Create that succeeds, then an update that fails in a nested stack and rolls back. */
function history(): StackEvent[] {
  const nested = { id: 'st-nested', name: 'web-db' };
  return [
    ev(0, 'CREATE', 'IN_PROGRESS'),
    ev(1, 'CREATE', 'IN_PROGRESS', 'server'),
    ev(31, 'CREATE', 'COMPLETE', 'server'),
    ev(32, 'CREATE', 'COMPLETE'),
    ev(100, 'UPDATE', 'IN_PROGRESS'),
    ev(101, 'UPDATE', 'IN_PROGRESS', 'db'),
    ev(102, 'UPDATE', 'IN_PROGRESS', undefined, { stackOf: nested }),
    ev(103, 'UPDATE', 'IN_PROGRESS', 'volume', { stackOf: nested }),
    ev(104, 'SIGNAL', 'INFO', 'hook', { message: 'a signal is an event, not a resource step' }),
    ev(110, 'UPDATE', 'FAILED', 'volume', { stackOf: nested, message: 'quota exceeded' }),
    ev(111, 'UPDATE', 'FAILED', undefined, { stackOf: nested, message: 'Resource UPDATE failed: quota' }),
    ev(112, 'UPDATE', 'FAILED', 'db', { message: 'Embedded stack web-db was not successfully updated' }),
    ev(113, 'UPDATE', 'FAILED', undefined, { message: 'Resource UPDATE failed' }),
    ev(114, 'ROLLBACK', 'IN_PROGRESS'),
    ev(115, 'ROLLBACK', 'IN_PROGRESS', 'db'),
    ev(130, 'ROLLBACK', 'COMPLETE', 'db'),
    ev(131, 'ROLLBACK', 'COMPLETE'),
  ];
}

describe('groupDeployments', () => {
  it('splits operations, keeps a rollback with the update it undoes, and finds the nested root cause', () => {
    const [create, update, ...rest] = groupDeployments(history(), opts);
    expect(rest).toEqual([]);
    expect(create).toMatchObject({ id: `create-${T0}`, action: 'CREATE', outcome: 'succeeded', durationSeconds: 32 });
    expect(create?.resources).toEqual([
      expect.objectContaining({ resource: expect.objectContaining({ logicalId: 'server' }), durationSeconds: 30 }),
    ]);
    expect(update).toMatchObject({
      id: `update-${T0 + 100_000}`,
      action: 'UPDATE',
      outcome: 'rolled-back',
      status: 'ROLLBACK_COMPLETE',
      durationSeconds: 31,
      counts: { events: 13, resources: 2, complete: 1, failed: 1, inProgress: 0 },
    });
    expect(update?.rootCause?.resource.logicalId).toBe('volume');
    expect(update?.rootCause?.stack.name).toBe('web-db');
    expect(update?.rootCause?.reason).toBe('quota exceeded');
  });

  it('falls back to a nested stack failure, then to the stack own failure, when no resource failed', () => {
    const nested = { id: 'st-n', name: 'n' };
    const viaNested = groupDeployments(
      [
        ev(0, 'UPDATE', 'IN_PROGRESS'),
        ev(5, 'UPDATE', 'FAILED', undefined, { stackOf: nested, message: 'nested timeout' }),
        ev(9, 'UPDATE', 'FAILED', undefined, { message: 'own' }),
      ],
      opts,
    );
    expect(viaNested[0]?.rootCause?.reason).toBe('nested timeout');
    const own = groupDeployments(
      [ev(0, 'UPDATE', 'IN_PROGRESS'), ev(9, 'UPDATE', 'FAILED', undefined, { message: 'own' })],
      opts,
    );
    expect(own[0]).toMatchObject({ outcome: 'failed', rootCause: { reason: 'own' } });
    // A resource failure explains the deployment even when a stack-level failure came first.
    const resourceWins = groupDeployments(
      [
        ev(0, 'UPDATE', 'IN_PROGRESS'),
        ev(4, 'UPDATE', 'FAILED', undefined, { stackOf: nested, message: 'nested timed out' }),
        ev(5, 'UPDATE', 'FAILED', 'disk', { stackOf: nested, message: 'disk failed' }),
      ],
      opts,
    );
    expect(resourceWins[0]?.rootCause?.reason).toBe('disk failed');
  });

  it('never guesses a pruned start', () => {
    const pruned = history().slice(2); // the create's opening events are gone
    const [first] = groupDeployments(pruned, opts);
    expect(first?.startedAt).toBeUndefined();
    expect(first?.durationSeconds).toBeUndefined();
    expect(first?.endedAt).toEqual(new Date(T0 + 32_000));
    expect(first?.id).toBe(`pruned-${T0 + 31_000}`);
    expect(first?.resources[0]).toMatchObject({ endedAt: new Date(T0 + 31_000) });
    expect(first?.resources[0]?.startedAt).toBeUndefined();
  });

  it('starts a new deployment after the tail of a pruned one, unless it is that one rollback', () => {
    const tail = [ev(1, 'UPDATE', 'COMPLETE', 'x')];
    const next = groupDeployments([...tail, ev(10, 'UPDATE', 'IN_PROGRESS'), ev(11, 'UPDATE', 'COMPLETE')], opts);
    expect(next.map((d) => [d.id, d.outcome])).toEqual([
      [`pruned-${T0 + 1000}`, 'unknown'],
      [`update-${T0 + 10_000}`, 'succeeded'],
    ]);
    const rollback = groupDeployments(
      [...tail, ev(10, 'ROLLBACK', 'IN_PROGRESS'), ev(11, 'ROLLBACK', 'COMPLETE')],
      opts,
    );
    expect(rollback.map((d) => d.outcome)).toEqual(['rolled-back']);
  });

  it('groups by the provider deployment id where the events carry one', () => {
    const a = { deploymentId: 'token-a' };
    const b = { deploymentId: 'token-b' };
    const list = groupDeployments(
      [
        ev(0, 'UPDATE', 'IN_PROGRESS', undefined, a),
        ev(1, 'UPDATE', 'IN_PROGRESS', 'x', a),
        ev(2, 'UPDATE', 'COMPLETE', 'x', a),
        ev(3, 'UPDATE', 'COMPLETE', undefined, a),
        ev(4, 'UPDATE', 'IN_PROGRESS', undefined, b),
        ev(5, 'UPDATE', 'IN_PROGRESS', 'y', b),
      ],
      opts,
    );
    expect(list.map((d) => [d.id, d.outcome, d.counts.events])).toEqual([
      ['token-a', 'succeeded', 4],
      ['token-b', 'in-progress', 2],
    ]);
    expect(list[1]?.endedAt).toBeUndefined();
  });

  it('opens a new deployment after a failure that no rollback follows, and reports cancelled', () => {
    const list = groupDeployments(
      [
        ev(0, 'UPDATE', 'IN_PROGRESS'),
        ev(1, 'UPDATE', 'FAILED'),
        ev(2, 'UPDATE', 'IN_PROGRESS'),
        ev(3, 'UPDATE', 'CANCELLED'),
      ],
      opts,
    );
    expect(list.map((d) => d.outcome)).toEqual(['failed', 'cancelled']);
  });

  it('gives two operations opened in the same millisecond distinct ids', () => {
    const list = groupDeployments(
      [ev(0, 'UPDATE', 'IN_PROGRESS'), ev(0, 'UPDATE', 'COMPLETE'), ev(0, 'UPDATE', 'IN_PROGRESS')],
      opts,
    );
    expect(new Set(list.map((d) => d.id)).size).toBe(2);
  });

  it('is the same whatever order the events come in, and durations are timestamp differences', () => {
    const base = history();
    const expected = groupDeployments(base, opts);
    fc.assert(
      fc.property(fc.shuffledSubarray(base, { minLength: base.length, maxLength: base.length }), (shuffled) => {
        // Ties never occur in `history()`, so the sort alone decides the order.
        const got = groupDeployments(shuffled, opts);
        expect(got).toEqual(expected);
      }),
      { numRuns: 50 },
    );
    for (const d of expected) {
      if (d.startedAt && d.endedAt)
        expect(d.durationSeconds).toBe((d.endedAt.getTime() - d.startedAt.getTime()) / 1000);
      for (const r of d.resources) {
        if (r.startedAt && r.endedAt)
          expect(r.durationSeconds).toBe((r.endedAt.getTime() - r.startedAt.getTime()) / 1000);
      }
    }
  });

  it('holds its invariants on random event sequences', () => {
    const phases: Phase[] = ['IN_PROGRESS', 'COMPLETE', 'FAILED', 'INFO'];
    const arb = fc.array(
      fc.record({
        s: fc.integer({ min: 0, max: 500 }),
        phase: fc.constantFrom(...phases),
        resource: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
      }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(arb, (specs) => {
        const events = specs.map((x) => ev(x.s, 'UPDATE', x.phase, x.resource));
        const list = groupDeployments(events, opts);
        // Every event lands in exactly one deployment.
        expect(list.reduce((n, d) => n + d.counts.events, 0)).toBe(events.length);
        expect(new Set(list.map((d) => d.id)).size).toBe(list.length);
        for (const d of list) {
          if (d.durationSeconds !== undefined) expect(d.durationSeconds).toBeGreaterThanOrEqual(0);
          if (d.startedAt === undefined) expect(d.durationSeconds).toBeUndefined();
          for (const r of d.resources)
            if (r.durationSeconds !== undefined) expect(r.durationSeconds).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('deploymentPaginator', () => {
  const make = (n: number): Deployment[] =>
    Array.from({ length: n }, (_, i) => ({
      provider: 'openstack-heat',
      stack: STACK,
      id: `d${i}`,
      action: 'UPDATE',
      startedAt: new Date(T0 + i * 1000),
      outcome: 'succeeded',
      status: 'UPDATE_COMPLETE',
      resources: [],
      counts: { events: 0, resources: 0, complete: 0, failed: 0, inProgress: 0 },
    }));

  it('lists newest first, loads once per pass, and resumes after the named deployment', async () => {
    let loads = 0;
    let list = make(5);
    const load = async () => {
      loads++;
      return list;
    };
    const paginator = () =>
      deploymentPaginator({
        provider: 'openstack-heat',
        operation: 'listDeployments',
        scope: 'web',
        load,
        options: { pageSize: 2 },
      });
    const pages = [];
    for await (const page of paginator().byPage()) pages.push(page);
    expect(pages.map((p) => p.items.map((d) => d.id))).toEqual([['d4', 'd3'], ['d2', 'd1'], ['d0']]);
    expect(loads).toBe(1);

    // A new deployment starts between two calls: the resumed listing does not repeat d3.
    const token = pages[0]?.continuationToken;
    list = make(6);
    const resumed = deploymentPaginator({
      provider: 'openstack-heat',
      operation: 'listDeployments',
      scope: 'web',
      load,
      options: { pageSize: 2, continuationToken: token },
    });
    expect((await resumed.toArray({ limit: 100 })).map((d) => d.id)).toEqual(['d2', 'd1', 'd0']);

    // The named deployment was pruned meanwhile: resume at the first one that started before it.
    list = make(6).filter((d) => d.id !== 'd3');
    const afterPrune = deploymentPaginator({
      provider: 'openstack-heat',
      operation: 'listDeployments',
      scope: 'web',
      load,
      options: { pageSize: 2, continuationToken: token },
    });
    expect((await afterPrune.toArray({ limit: 100 })).map((d) => d.id)).toEqual(['d2', 'd1', 'd0']);
  });

  it('refuses a token of another scope and does not keep a failed load', async () => {
    const first = deploymentPaginator({
      provider: 'openstack-heat',
      operation: 'listDeployments',
      scope: 'a',
      load: async () => make(3),
      options: { pageSize: 1 },
    });
    const page = (await first.byPage().next()).value;
    const other = deploymentPaginator({
      provider: 'openstack-heat',
      operation: 'listDeployments',
      scope: 'b',
      load: async () => make(3),
      options: { continuationToken: page?.continuationToken },
    });
    await expect(other.toArray({ limit: 100 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });

    let calls = 0;
    const flaky = deploymentPaginator({
      provider: 'openstack-heat',
      operation: 'listDeployments',
      load: async () => {
        calls++;
        if (calls === 1) throw new StackfeedError({ code: 'SERVER', message: 'boom' });
        return make(1);
      },
    });
    await expect(flaky.toArray({ limit: 100 })).rejects.toMatchObject({ code: 'SERVER' });
  });

  it('finds one deployment by id, NOT_FOUND otherwise', async () => {
    const load = async () => make(3);
    await expect(findDeployment('openstack-heat', load, 'd1')).resolves.toMatchObject({ id: 'd1' });
    await expect(findDeployment('openstack-heat', load, 'nope')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      provider: 'openstack-heat',
    });
  });
});

describe('discover filters', () => {
  it('matches globs on the whole name and RegExps without lastIndex state', () => {
    const glob = nameMatcher('web-*');
    expect(['web-1', 'web-', 'xweb-1', 'web'].map(glob)).toEqual([true, true, false, false]);
    expect(nameMatcher('a?c')('abc')).toBe(true);
    expect(nameMatcher('a.c')('abc')).toBe(false);
    const re = nameMatcher(/^db/g);
    expect([re('db1'), re('db1'), re('db2')]).toEqual([true, true, true]);
    expect(nameMatcher(undefined)('anything')).toBe(true);
  });

  it('applies kinds, activeOnly, name and every tag; keeps in-progress first, stably', () => {
    const t = (name: string, inProgress: boolean, tags?: Record<string, string>) => ({
      provider: 'openstack-heat' as const,
      kind: 'stack' as const,
      ref: name,
      name,
      status: inProgress ? 'CREATE_IN_PROGRESS' : 'CREATE_COMPLETE',
      state: inProgress ? ('IN_PROGRESS' as const) : ('COMPLETE' as const),
      inProgress,
      ...(tags ? { tags } : {}),
    });
    const all = [t('a', false, { env: 'prod', team: 'x' }), t('b', true), t('c', false), t('d', true, { env: 'prod' })];
    expect(all.filter(matchesDiscoverFilters({ tags: { env: 'prod' } })).map((x) => x.name)).toEqual(['a', 'd']);
    expect(all.filter(matchesDiscoverFilters({ tags: { env: 'prod', team: 'x' } })).map((x) => x.name)).toEqual(['a']);
    expect(all.filter(matchesDiscoverFilters({ activeOnly: true })).map((x) => x.name)).toEqual(['b', 'd']);
    expect(all.filter(matchesDiscoverFilters({ kinds: ['image'] }))).toEqual([]);
    expect(all.filter(matchesDiscoverFilters(undefined))).toHaveLength(4);
    expect(inProgressFirst(all).map((x) => x.name)).toEqual(['b', 'd', 'a', 'c']);
  });
});
