import type { StackEvent } from '@stackfeed/core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { HeatClient } from '../../src/index.js';
import {
  type StackHandle,
  createStack,
  deleteStack,
  rawEvents,
  uniqueName,
  updateStack,
  waitStack,
} from '../support/peer.js';
import { noauthUrl, realPeerSuite } from './peers.js';

/**
 * Against a REAL Heat 19 (noauth mode): stacks are created by these tests with unique names,
 * and every answer of the client is compared with what Heat itself lists (raw, unpaged).
 */
let url: string;
let heat: HeatClient;
const S: Record<'ok' | 'fail' | 'upd' | 'del' | 'deep' | 'big', StackHandle> = {} as never;

const itReal = realPeerSuite(async () => {
  url = noauthUrl();
  heat = new HeatClient({ auth: { type: 'none' }, endpoint: url });
  const make = async (key: keyof typeof S, tpl: string, files?: string[]) => {
    S[key] = await createStack(url, uniqueName(`it-${key}`), tpl, files ? { files } : {});
  };
  // one engine worker: create the big ones first, the rest queue behind
  await make('big', 'big-group.yaml');
  await make('deep', 'nested-deep.yaml', ['leaf-group.yaml']);
  await make('ok', 'ok.yaml');
  await make('fail', 'fail.yaml');
  await make('upd', 'update.yaml');
  await make('del', 'delete.yaml');
  const statuses = await Promise.all(Object.values(S).map((s) => waitStack(url, s, 150_000)));
  expect(statuses.filter((x) => x === 'CREATE_FAILED')).toHaveLength(1);
  await updateStack(url, S.upd, { parameters: { length: 16 } });
  await deleteStack(url, S.del);
  expect(await waitStack(url, S.upd)).toBe('UPDATE_COMPLETE');
  expect(await waitStack(url, S.del)).toBe('DELETE_COMPLETE');
}, 170_000);

const extra: StackHandle[] = [];
// Leave the shared peer light: delete what this file created (not waited for).
afterAll(async () => {
  await Promise.allSettled([...Object.values(S), ...extra].map((s) => deleteStack(url, s)));
});

const ids = (evs: Array<{ id: string }>) => evs.map((e) => e.id);

describe('listing events on a real Heat', () => {
  itReal(
    'lists the 410 events of the 202-resource stack (nested_depth=1) exactly as Heat does, in one go and paged',
    async () => {
      const truth = await rawEvents(url, S.big, 'nested_depth=1');
      expect(truth).toHaveLength(410);
      const all = await heat.listStackEvents(S.big.name, { nestedDepth: 1 }).toArray({ limit: 10_000 });
      expect(ids(all)).toEqual(ids(truth));
      const paged = await heat
        .listStackEvents(S.big.name, { nestedDepth: 1, pageSize: 100 })
        .toArray({ limit: 10_000 });
      expect(ids(paged)).toEqual(ids(truth));
      const desc = await heat
        .listStackEvents({ id: S.big.id }, { nestedDepth: 1, sortDir: 'desc', pageSize: 150 })
        .toArray({ limit: 10_000 });
      expect(ids(desc)).toEqual(ids(truth).reverse());
      const own = all.filter((e) => e.isStackEvent && e.stack.id === S.big.id);
      expect(own.map((e) => e.status)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
      expect(all.filter((e) => e.isStackEvent && e.stack.id !== S.big.id)).toHaveLength(4);
    },
  );

  itReal('pages with byPage tokens that resume in a fresh client sharing the tokenKey', async () => {
    const tokenKey = 'noauth-it-token-key-0001';
    const pages = new HeatClient({ auth: { type: 'none' }, endpoint: url, tokenKey })
      .listStackEvents(S.big.name, { pageSize: 100, nestedDepth: 1 })
      .byPage();
    const first = (await pages.next()).value as { items: StackEvent[]; continuationToken?: string };
    expect(first.items).toHaveLength(100);
    const other = new HeatClient({ auth: { type: 'none' }, endpoint: url, tokenKey });
    const rest = await other
      .listStackEvents(S.big.name, { pageSize: 100, nestedDepth: 1, continuationToken: first.continuationToken })
      .toArray({ limit: 10_000 });
    expect(ids([...first.items, ...rest])).toEqual(ids(await rawEvents(url, S.big, 'nested_depth=1')));
  });

  itReal('lists nested events (nested_depth 1, 2, 3) with the nested stack and the root named', async () => {
    const counts = [];
    for (const nestedDepth of [0, 1, 2, 3]) {
      const evs = await heat.listStackEvents(S.deep.name, { nestedDepth, pageSize: 7 }).toArray({ limit: 1000 });
      expect(ids(evs)).toEqual(ids(await rawEvents(url, S.deep, `nested_depth=${nestedDepth}`)));
      counts.push(evs.length);
      if (nestedDepth > 0) {
        expect(evs.every((e) => e.stack.rootName === S.deep.name && e.stack.rootId === S.deep.id)).toBe(true);
        expect(evs.some((e) => e.stack.id !== S.deep.id && e.isStackEvent)).toBe(true);
      }
    }
    expect(counts).toEqual([6, 12, 24, 36]);
  });

  itReal('filters on Heat: phase, action, resource name and type', async () => {
    const failed = await heat.listStackEvents(S.fail.name, { phase: 'FAILED' }).toArray({ limit: 100 });
    expect(failed.map((e) => [e.resource.logicalId, e.status])).toEqual([
      ['broken', 'CREATE_FAILED'],
      [S.fail.name, 'CREATE_FAILED'],
    ]);
    expect(failed[0]?.message).toMatch(/fail/i);
    const upd = await heat.listStackEvents(S.upd.name, { resourceAction: 'UPDATE' }).toArray({ limit: 100 });
    expect(upd.length).toBeGreaterThan(2);
    expect(upd.every((e) => e.action === 'UPDATE')).toBe(true);
    const byName = await heat.listStackEvents(S.ok.name, { resourceName: ['slow', 'secret'] }).toArray({ limit: 100 });
    expect(new Set(byName.map((e) => e.resource.logicalId))).toEqual(new Set(['slow', 'secret']));
    expect(byName).toHaveLength(4);
    const byType = await heat
      .listStackEvents(S.ok.name, { resourceType: 'OS::Heat::TestResource' })
      .toArray({ limit: 100 });
    expect(byType.map((e) => e.resource.logicalId)).toEqual(['slow', 'slow']);
  });

  itReal('lists a deleted stack’s events by name+id (CREATE and DELETE)', async () => {
    const evs = await heat.listStackEvents({ name: S.del.name, id: S.del.id }).toArray({ limit: 100 });
    expect(new Set(evs.map((e) => e.action))).toEqual(new Set(['CREATE', 'DELETE']));
    expect(evs.at(-1)).toMatchObject({ isStackEvent: true, status: 'DELETE_COMPLETE' });
    await expect(heat.listStackEvents(S.del.name).toArray({ limit: 1 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      providerCode: 'EntityNotFound',
    });
  });
});

describe('resource events, show event, stacks on a real Heat', () => {
  itReal('lists one resource’s events and returns [] where Heat answers "No events found"', async () => {
    const slow = await heat.listResourceEvents(S.ok.name, 'slow').toArray({ limit: 10 });
    expect(slow.map((e) => e.status)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
    expect(await heat.listResourceEvents(S.ok.name, 'nope').toArray({ limit: 10 })).toEqual([]);
    expect(await heat.listResourceEvents(S.ok.name, 'slow', { phase: 'FAILED' }).toArray({ limit: 10 })).toEqual([]);
    const own = await heat.listResourceEvents(S.ok.name, S.ok.name).toArray({ limit: 10 });
    expect(own.every((e) => e.isStackEvent)).toBe(true);
  });

  itReal('shows a resource event and a stack event with resource type and properties', async () => {
    const [, done] = await heat.listResourceEvents(S.ok.name, 'slow').toArray({ limit: 10 });
    const ev = await heat.getEvent(S.ok.name, 'slow', done!.id);
    expect(ev).toMatchObject({
      id: done!.id,
      resource: { logicalId: 'slow', type: 'OS::Heat::TestResource' },
      properties: { value: 'slow-but-fine', action_wait_secs: { create: 2, update: 1, delete: 0 } },
      isStackEvent: false,
    });
    const stackEv = (await heat.listResourceEvents(S.ok.name, S.ok.name).toArray({ limit: 10 })).at(-1)!;
    const shown = await heat.getEvent({ name: S.ok.name, id: S.ok.id }, S.ok.name, stackEv.id);
    expect(shown).toMatchObject({
      isStackEvent: true,
      resource: { type: 'OS::Heat::Stack' },
      status: 'CREATE_COMPLETE',
    });
    await expect(heat.getEvent(S.ok.name, 'secret', done!.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      providerCode: 'HTTPNotFound',
      message: expect.stringContaining(`No event ${done!.id} found`),
    });
  });

  itReal('lists stacks (paged by Heat’s next links) and normalizes their status', async () => {
    const all = await heat.listStacks().toArray({ limit: 10_000 });
    const paged = await heat.listStacks({ pageSize: 2 }).toArray({ limit: 10_000 });
    expect(new Set(paged.map((s) => s.id))).toEqual(new Set(all.map((s) => s.id)));
    const mine = all.filter((s) => Object.values(S).some((x) => x.id === s.id));
    expect(mine.map((s) => s.name).sort()).toEqual(
      Object.entries(S)
        .filter(([k]) => k !== 'del')
        .map(([, s]) => s.name)
        .sort(),
    );
    expect(await heat.getStack(S.fail.name)).toMatchObject({ state: 'FAILED', action: 'CREATE', phase: 'FAILED' });
    expect(await heat.getStack(S.upd.id)).toMatchObject({
      state: 'COMPLETE',
      action: 'UPDATE',
      status: 'UPDATE_COMPLETE',
    });
    expect(await heat.getStack({ name: S.del.name, id: S.del.id })).toMatchObject({
      state: 'DELETED',
      status: 'DELETE_COMPLETE',
    });
    const named = await heat.listStacks({ name: S.ok.name }).toArray({ limit: 5 });
    expect(named.map((s) => s.id)).toEqual([S.ok.id]);
  });

  itReal('never lets a name address another URL (Heat decodes %2F before routing, so `/` is refused)', async () => {
    // what a name with an encoded slash would do on this server: it reaches /stacks/{name}/{id}
    const res = await fetch(`${url}/stacks/${S.ok.name}%2F${S.ok.id}`, { redirect: 'manual' });
    expect(res.status).toBe(200);
    await expect(heat.getStack(`${S.ok.name}/${S.ok.id}`)).rejects.toMatchObject({ code: 'CONFIG' });
    await expect(heat.listStackEvents(`../${S.ok.name}`).toArray({ limit: 1 })).rejects.toMatchObject({
      code: 'CONFIG',
    });
    expect(() => heat.listResourceEvents(S.ok.name, 'slow/events')).toThrow(/cannot contain/);
    // `%`, spaces and `?` stay data: no such stack, nothing else addressed
    for (const name of [`${S.ok.name}%2F${S.ok.id}`, `${S.ok.name} x`, `${S.ok.name}?x=1`, `${S.ok.name}#f`]) {
      await expect(heat.getStack(name)).rejects.toMatchObject({ code: 'NOT_FOUND', providerCode: 'EntityNotFound' });
    }
  });
});

describe('watching a real Heat (four stacks watched at once while they change)', () => {
  type Run = { s: StackHandle; got: StackEvent[]; result: unknown };
  const runs: Record<'create' | 'fail' | 'del' | 'deep', Run> = {} as never;

  const watchAll = async (
    s: StackHandle,
    ref: Parameters<HeatClient['watchStackEvents']>[0],
    opts = {},
  ): Promise<Run> => {
    const w = heat.watchStackEvents(ref, { pollIntervalMs: 250, timeoutMs: 120_000, ...opts });
    const got: StackEvent[] = [];
    for await (const ev of w) got.push(ev);
    return { s, got, result: w.result };
  };

  let watchError: unknown;
  const run = (k: keyof typeof runs): Run => {
    if (watchError) throw watchError;
    return runs[k];
  };

  beforeAll(async () => {
    try {
      await startWatches();
    } catch (err) {
      watchError = err;
    }
  }, 150_000);

  const startWatches = async () => {
    noauthUrl(); // the clear "peer unavailable" message when it is missing
    const track = (s: StackHandle) => {
      extra.push(s);
      return s;
    };
    const del = track(await createStack(url, uniqueName('it-watchdel'), 'delete.yaml'));
    const create = track(await createStack(url, uniqueName('it-watch'), 'ok.yaml'));
    const fail = track(await createStack(url, uniqueName('it-watchfail'), 'fail.yaml'));
    const deep = track(
      await createStack(url, uniqueName('it-watchdeep'), 'nested-deep.yaml', { files: ['leaf-group.yaml'] }),
    );
    const deleting = (async () => {
      await waitStack(url, del);
      await deleteStack(url, del);
      return watchAll(del, del.name, { untilAction: 'DELETE', resourceAction: 'DELETE' });
    })();
    [runs.create, runs.fail, runs.deep, runs.del] = await Promise.all([
      watchAll(create, create.name),
      watchAll(fail, { name: fail.name, id: fail.id }),
      watchAll(deep, deep.name, { nestedDepth: 3 }),
      deleting,
    ]);
  };

  itReal('follows a stack while it is created, then ends with every event once', async () => {
    const { s, got, result } = run('create');
    expect(result).toMatchObject({ outcome: 'succeeded', status: 'CREATE_COMPLETE' });
    expect(ids(got)).toEqual(ids(await rawEvents(url, s)));
    expect(got.at(-1)).toMatchObject({ isStackEvent: true, status: 'CREATE_COMPLETE' });
  });

  itReal('follows a failing create and ends failed', async () => {
    const { s, got, result } = run('fail');
    expect(result).toMatchObject({ outcome: 'failed', status: 'CREATE_FAILED' });
    expect(ids(got)).toEqual(ids(await rawEvents(url, s)));
  });

  itReal('follows a delete (by name, which stops resolving) and ends deleted', async () => {
    const { s, got, result } = run('del');
    expect(result).toMatchObject({ outcome: 'deleted', status: 'DELETE_COMPLETE' });
    expect(got.every((e) => e.action === 'DELETE')).toBe(true);
    expect(got.at(-1)).toMatchObject({ isStackEvent: true, status: 'DELETE_COMPLETE' });
    expect(ids(got)).toEqual(ids((await rawEvents(url, s)).filter((e) => e.resource_status.startsWith('DELETE'))));
  });

  itReal('follows a nested stack being created with nestedDepth', async () => {
    const { s, got, result } = run('deep');
    expect(result).toMatchObject({ outcome: 'succeeded' });
    expect(new Set(ids(got))).toEqual(new Set(ids(await rawEvents(url, s, 'nested_depth=3'))));
    expect(got).toHaveLength(36);
  });
});
