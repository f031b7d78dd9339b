import type { Deployment, StackEvent } from '@stackfeed/core';
import {
  type EmulatedStack,
  type HeatEmulator,
  type ScriptedEvent,
  nestedUpdateRollbackScripts,
  startHeatEmulator,
} from '@stackfeed/emulator/heat';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HeatClient } from '../../src/index.js';

const EPOCH = Date.UTC(2026, 0, 1);
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 4 } };

/** The create of a stack with one nested stack (`app`) holding one resource (`boom`), a second apart each. */
function createScripts(parent: string, nested: string): { parent: ScriptedEvent[]; nested: ScriptedEvent[] } {
  const s = (atS: number, resource: string, status: string, reason = 'state changed'): ScriptedEvent => ({
    atMs: atS * 1000,
    resource,
    status,
    reason,
  });
  return {
    parent: [
      s(0, parent, 'CREATE_IN_PROGRESS', 'Stack CREATE started'),
      s(1, 'app', 'CREATE_IN_PROGRESS'),
      s(6, 'app', 'CREATE_COMPLETE'),
      s(7, parent, 'CREATE_COMPLETE', 'Stack CREATE completed successfully'),
    ],
    nested: [
      s(2, nested, 'CREATE_IN_PROGRESS', 'Stack CREATE started'),
      s(3, 'boom', 'CREATE_IN_PROGRESS'),
      s(4, 'boom', 'CREATE_COMPLETE'),
      s(5, nested, 'CREATE_COMPLETE', 'Stack CREATE completed successfully'),
    ],
  };
}

/**
 * Per (stack, resource) of one time window of the scripts: first IN_PROGRESS → last terminal, in
 * seconds, computed from the scripts themselves.
 */
function expectedDurations(scripts: Array<[string, ScriptedEvent[]]>, fromMs: number, toMs: number) {
  const out = new Map<string, number>();
  for (const [stackName, script] of scripts) {
    const byResource = new Map<string, { start?: number; end?: number }>();
    for (const e of script) {
      if (e.atMs < fromMs || e.atMs > toMs || e.resource === stackName) continue;
      const r = byResource.get(e.resource) ?? {};
      if (e.status.endsWith('_IN_PROGRESS')) r.start ??= e.atMs;
      else r.end = e.atMs;
      byResource.set(e.resource, r);
    }
    for (const [res, r] of byResource) out.set(`${stackName}/${res}`, ((r.end as number) - (r.start as number)) / 1000);
  }
  return out;
}

const NAME = 'app-stack';
const NESTED = 'app-stack-app-q3zt6m';
let emu: HeatEmulator;
let parent: EmulatedStack;
let nested: EmulatedStack;
let update: { parent: ScriptedEvent[]; nested: ScriptedEvent[] };
const create = createScripts(NAME, NESTED);

beforeAll(async () => {
  emu = await startHeatEmulator({ epochMs: EPOCH });
  parent = emu.addStack(NAME, create.parent);
  nested = emu.addStack(NESTED, create.nested, { parent: parent.id, parentResource: 'app' });
  update = nestedUpdateRollbackScripts(NAME, 'app', NESTED, 'boom', { startMs: 20_000, stepMs: 1000 });
  emu.addEvents(parent, update.parent);
  emu.addEvents(nested, update.nested);
  emu.advance(60_000);
});
afterAll(() => emu.close());
afterEach(() => {
  emu.server.faults.clear();
  emu.server.requests.length = 0;
});

const client = (extra: Record<string, unknown> = {}) =>
  new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl, ...fast, ...extra });
/** Ground truth: the wire id of the stack's own event with this status. */
const openingId = (s: EmulatedStack, status: string) =>
  emu.visibleEvents(s).find((e) => e.resource_name === s.name && e.resource_status === status)?.id as string;

describe('listDeployments / getDeployment', () => {
  it('an update whose nested resource fails, then rolls back: rootCause is the nested FAILED event', async () => {
    const list = await client().listDeployments(NAME).toArray({ limit: 10 });
    expect(list.map((d) => [d.action, d.outcome, d.status])).toEqual([
      ['UPDATE', 'rolled-back', 'ROLLBACK_COMPLETE'],
      ['CREATE', 'succeeded', 'CREATE_COMPLETE'],
    ]);
    const [upd, crt] = list as [Deployment, Deployment];
    expect(upd.id).toBe(openingId(parent, 'UPDATE_IN_PROGRESS'));
    expect(crt.id).toBe(openingId(parent, 'CREATE_IN_PROGRESS'));
    expect(upd.stack).toEqual({ name: NAME, id: parent.id });
    expect(upd.rootCause).toMatchObject({
      resource: { logicalId: 'boom' },
      stack: { id: nested.id, name: NESTED, rootId: parent.id },
      reason: 'Error: resources.boom: Test Resource failed',
    });
    const failedBoom = emu.visibleEvents(nested).find((e) => e.resource_status === 'UPDATE_FAILED');
    expect(upd.rootCause?.event.id).toBe(failedBoom?.id);
    expect(upd.rootCause?.event.status).toBe('UPDATE_FAILED');
    expect(crt.rootCause).toBeUndefined();
  });

  it('durations are the timestamps’ differences, for the deployment and for each resource', async () => {
    const [upd, crt] = (await client().listDeployments(NAME).toArray({ limit: 10 })) as [Deployment, Deployment];
    expect(upd.startedAt).toEqual(new Date(EPOCH + 20_000));
    expect(upd.endedAt).toEqual(new Date(EPOCH + 35_000));
    expect(upd.durationSeconds).toBe(15);
    expect(crt.startedAt).toEqual(new Date(EPOCH));
    expect(crt.durationSeconds).toBe(7);
    const scripts: Array<[string, ScriptedEvent[]]> = [
      [NAME, [...create.parent, ...update.parent]],
      [NESTED, [...create.nested, ...update.nested]],
    ];
    for (const [d, from, to] of [
      [upd, 20_000, 35_000],
      [crt, 0, 7_000],
    ] as const) {
      const want = expectedDurations(scripts, from, to);
      const got = new Map(d.resources.map((r) => [`${r.stack.name}/${r.resource.logicalId}`, r.durationSeconds]));
      expect(got).toEqual(want);
      for (const r of d.resources) {
        expect(r.durationSeconds).toBe(((r.endedAt as Date).getTime() - (r.startedAt as Date).getTime()) / 1000);
      }
    }
    expect(upd.counts).toMatchObject({ resources: 2, complete: 2, failed: 0, inProgress: 0 });
  });

  it('nested: false looks at the stack’s own events: the root cause is then the parent’s summary', async () => {
    const [upd] = await client().listDeployments(NAME, { nested: false }).toArray({ limit: 1 });
    expect(upd?.rootCause?.resource.logicalId).toBe('app');
    expect(upd?.rootCause?.stack.id).toBe(parent.id);
    expect(emu.server.requests.some((r) => r.query.includes('nested_depth'))).toBe(false);
  });

  it('by name: 2 requests at Heat (the listing itself, through the lookup redirect); by name and id: 1', async () => {
    const eventRequests = () => emu.server.requests.map((r) => `${r.path}?${new URLSearchParams(r.query).toString()}`);
    const byName = await client().listDeployments(NAME).toArray({ limit: 10 });
    const listing = 'nested_depth=10&sort_dir=asc&limit=10000';
    const base = new URL(emu.heatUrl).pathname;
    expect(eventRequests()).toEqual([
      `${base}/stacks/${NAME}/events?${listing}`,
      `${base}/stacks/${NAME}/${parent.id}/events?${listing}`,
    ]);
    emu.server.requests.length = 0;
    const byRef = await client().listDeployments({ name: NAME, id: parent.id }).toArray({ limit: 10 });
    expect(eventRequests()).toEqual([`${base}/stacks/${NAME}/${parent.id}/events?${listing}`]);
    // The same deployments either way, the stack named from the listing's events.
    expect(byName).toEqual(byRef);
    expect(byName.map((d) => d.stack)).toEqual([
      { name: NAME, id: parent.id },
      { name: NAME, id: parent.id },
    ]);
    emu.server.requests.length = 0;
    const id = openingId(parent, 'UPDATE_IN_PROGRESS');
    expect(await client().getDeployment(NAME, id)).toMatchObject({ id, stack: { name: NAME, id: parent.id } });
    expect(emu.server.requests).toHaveLength(2);
    emu.server.requests.length = 0;
    const [own] = await client().listDeployments(NAME, { nested: false }).toArray({ limit: 1 });
    expect(own?.stack).toEqual({ name: NAME, id: parent.id });
    expect(emu.server.requests).toHaveLength(2);
  });

  it('pages newest first with tokens, and getDeployment finds one by id (NOT_FOUND otherwise)', async () => {
    const c = client();
    const pages = [];
    for await (const p of c.listDeployments({ name: NAME, id: parent.id }).byPage({ pageSize: 1 })) pages.push(p);
    expect(pages.map((p) => p.items.map((d) => d.action))).toEqual([['UPDATE'], ['CREATE']]);
    const resumed = await c
      .listDeployments({ name: NAME, id: parent.id }, { continuationToken: pages[0]?.continuationToken })
      .toArray({ limit: 10 });
    expect(resumed.map((d) => d.action)).toEqual(['CREATE']);
    const id = openingId(parent, 'UPDATE_IN_PROGRESS');
    expect(await c.getDeployment(NAME, id)).toMatchObject({ id, outcome: 'rolled-back' });
    await expect(c.getDeployment(NAME, 'no-such-deployment')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      provider: 'openstack-heat',
    });
    await expect(c.listDeployments('no-such-stack').toArray({ limit: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(c.getDeployment('no-such-stack', id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a broken event in the history is INVALID_RESPONSE, not a wrong deployment', async () => {
    emu.server.faults.inject(
      {
        kind: 'transform',
        rewrite: (body) => {
          const b = body as { events: Array<Record<string, unknown>> };
          return { events: b.events.map((e, i) => (i === 1 ? { ...e, event_time: 'yesterday' } : e)) };
        },
      },
      // The listing at the stack's canonical URL (the lookup by name is a redirect to it).
      { match: (r) => r.url.searchParams.has('nested_depth') && r.url.pathname.includes(parent.id) },
    );
    await expect(client().listDeployments(NAME).toArray({ limit: 10 })).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
    });
  });
});

describe('deploymentId on events', () => {
  const byDeployment = (events: StackEvent[]) => events.map((e) => [e.resource.logicalId, e.deploymentId]);

  it('every event of an oldest-first listing carries its deployment’s id, nested stacks’ too, across pages', async () => {
    const createId = openingId(parent, 'CREATE_IN_PROGRESS');
    const updateId = openingId(parent, 'UPDATE_IN_PROGRESS');
    const all = await client().listStackEvents(NAME, { nestedDepth: 1 }).toArray({ limit: 100 });
    expect(all).toHaveLength(24);
    const want = all.map((e) => [e.resource.logicalId, e.timestamp.getTime() < EPOCH + 20_000 ? createId : updateId]);
    expect(byDeployment(all)).toEqual(want);
    // The same ids page by page, and from a token resumed in the middle of the update.
    const c = client();
    const pages = [];
    for await (const p of c.listStackEvents(NAME, { nestedDepth: 1 }).byPage({ pageSize: 5 })) pages.push(p);
    expect(byDeployment(pages.flatMap((p) => p.items))).toEqual(want);
    const token = pages[2]?.continuationToken;
    const rest = await c.listStackEvents(NAME, { nestedDepth: 1, continuationToken: token }).toArray({ limit: 100 });
    expect(byDeployment(rest)).toEqual(want.slice(15));
    // Matches what listDeployments says.
    const deployments = await c.listDeployments(NAME).toArray({ limit: 10 });
    expect(deployments.map((d) => d.id)).toEqual([updateId, createId]);
  });

  it('a watch sets the same ids as the events come', async () => {
    const emu2 = await startHeatEmulator({ epochMs: EPOCH, autoAdvanceMs: 1500 });
    try {
      const p = emu2.addStack(NAME, create.parent);
      const n = emu2.addStack(NESTED, create.nested, { parent: p.id, parentResource: 'app' });
      emu2.addEvents(p, update.parent);
      emu2.addEvents(n, update.nested);
      const c = new HeatClient({ auth: { type: 'none' }, endpoint: emu2.heatUrl, ...fast });
      const watched: StackEvent[] = [];
      const w = c.watchStackEvents(NAME, { nestedDepth: 1, pollIntervalMs: 5, untilAction: 'ROLLBACK' });
      for await (const ev of w) watched.push(ev);
      expect(watched).toHaveLength(24);
      const listed = await c.listStackEvents(NAME, { nestedDepth: 1 }).toArray({ limit: 100 });
      expect(byDeployment(watched)).toEqual(byDeployment(listed));
      expect(new Set(watched.map((e) => e.deploymentId)).size).toBe(2);
    } finally {
      await emu2.close();
    }
  });

  it('is left out where the listing cannot tell: newest first, and resource-filtered', async () => {
    const desc = await client().listStackEvents(NAME, { order: 'newest-first' }).toArray({ limit: 100 });
    expect(desc.every((e) => e.deploymentId === undefined)).toBe(true);
    const filtered = await client().listStackEvents(NAME, { resourceName: 'app' }).toArray({ limit: 100 });
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((e) => e.deploymentId === undefined)).toBe(true);
    const one = await client().listResourceEvents(NAME, 'app').toArray({ limit: 100 });
    expect(one.every((e) => e.deploymentId === undefined)).toBe(true);
  });

  it('refuses a token whose deployment state was tampered with (another call’s shape)', async () => {
    const c = client({ tokenKey: 'deployments-test-key-01' });
    const page = await c.listStackEvents(NAME).byPage({ pageSize: 2 }).next();
    const token = page.value?.continuationToken as string;
    await expect(
      c.listStackEvents(NAME, { continuationToken: `${token.slice(0, -2)}xx` }).toArray({ limit: 10 }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('a pruned start', () => {
  it('gives startedAt undefined (never a guessed time) and no deploymentId; the later deployment keeps its id', async () => {
    const emu2 = await startHeatEmulator({ epochMs: EPOCH });
    try {
      const p = emu2.addStack(NAME, create.parent);
      const n = emu2.addStack(NESTED, create.nested, { parent: p.id, parentResource: 'app' });
      emu2.addEvents(p, update.parent);
      emu2.addEvents(n, update.nested);
      emu2.advance(60_000);
      const c = new HeatClient({ auth: { type: 'none' }, endpoint: emu2.heatUrl, ...fast });
      const before = await c.listDeployments(NAME).toArray({ limit: 10 });
      emu2.prune(p, 1); // Heat purged the parent's oldest event: CREATE_IN_PROGRESS
      const after = await c.listDeployments(NAME).toArray({ limit: 10 });
      expect(after).toHaveLength(2);
      const [upd, crt] = after as [Deployment, Deployment];
      expect(upd.id).toBe(before[0]?.id);
      expect(upd.startedAt).toEqual(before[0]?.startedAt);
      expect(crt.startedAt).toBeUndefined();
      expect(crt.durationSeconds).toBeUndefined();
      expect(crt.endedAt).toEqual(new Date(EPOCH + 7000));
      expect(crt.outcome).toBe('succeeded');
      const events = await c.listStackEvents(NAME, { nestedDepth: 1 }).toArray({ limit: 100 });
      const early = events.filter((e) => e.timestamp.getTime() < EPOCH + 20_000);
      expect(early.length).toBe(7);
      expect(early.every((e) => e.deploymentId === undefined)).toBe(true);
      expect(events.filter((e) => e.deploymentId === upd.id)).toHaveLength(16);
    } finally {
      await emu2.close();
    }
  });
});

describe('watchStackEvents and the deployment it followed', () => {
  it('WatchResult names the deployment and its nested root cause', async () => {
    const stream = client().watchStackEvents(NAME, { nestedDepth: 2, pollIntervalMs: 1 });
    for await (const _ of stream) {
      // drain: the stack is already ROLLBACK_COMPLETE, so the watch ends after one poll
    }
    const result = stream.result;
    expect(result?.deployment).toMatchObject({ action: 'UPDATE', outcome: 'rolled-back', status: 'ROLLBACK_COMPLETE' });
    expect(result?.rootCause).toMatchObject({ resource: { logicalId: 'boom' }, stack: { name: NESTED } });
    expect(result?.deployment?.id).toBe(openingId(parent, 'UPDATE_IN_PROGRESS'));
  });

  it("operation: 'current' on an idle stack ignores the older operation's end and waits for the next one", async () => {
    const ac = new AbortController();
    const stream = client().watchStackEvents(NAME, { operation: 'current', pollIntervalMs: 1, signal: ac.signal });
    const yielded: string[] = [];
    const reading = (async () => {
      for await (const ev of stream) yielded.push(ev.status);
    })().then(
      () => 'ended',
      (err: { code?: string }) => err.code,
    );
    // Several polls go by: an ended operation must neither end the watch nor be yielded.
    for (let i = 0; i < 20 && emu.server.requests.length < 6; i++) await new Promise((r) => setTimeout(r, 20));
    expect(emu.server.requests.length).toBeGreaterThanOrEqual(3);
    expect(yielded).toEqual([]);
    ac.abort();
    expect(await reading).toBe('ABORTED');
    expect(stream.result).toBeUndefined();
  });
});
