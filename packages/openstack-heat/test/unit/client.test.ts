import type { Page, StackEvent } from '@stackfeed/core';
import { type EmulatorServer, Router, startEmulator } from '@stackfeed/emulator';
import { type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HeatClient } from '../../src/index.js';

let emu: HeatEmulator;
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 4 } };
const client = (extra: Record<string, unknown> = {}) =>
  new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl, ...fast, ...extra });

const RESOURCES = Array.from({ length: 10 }, (_, i) => ({
  name: `r${i}`,
  type: i % 2 ? 'OS::Heat::None' : 'OS::Heat::RandomString',
  properties: { length: i },
}));

beforeAll(async () => {
  emu = await startHeatEmulator();
  emu.addStack('web', createScript('web', RESOURCES, { stepMs: 400 }), { id: '11111111-1111-4111-8111-111111111111' });
  emu.addStack('broken', createScript('broken', [{ name: 'ok' }, { name: 'bad', fail: true }]));
  emu.addStack('a b?c%..#', createScript('a b?c%..#', [{ name: 'x y' }]));
  emu.advance(60_000);
});
afterAll(() => emu.close());
afterEach(() => {
  emu.server.faults.clear();
  emu.server.requests.length = 0;
});

const web = () => [...emu.stacks.values()].find((s) => s.name === 'web')!;

describe('listStackEvents', () => {
  it('lists every event oldest first by name, following the 302 once, paging with marker and limit', async () => {
    const truth = emu.visibleEvents(web()).map((e) => e.id);
    const got = await client().listStackEvents('web', { pageSize: 7 }).toArray({ limit: 1000 });
    expect(got.map((e) => e.id)).toEqual(truth);
    expect(truth).toHaveLength(22);
    const paths = emu.server.requests.map((r) => `${r.path}?${r.query}`);
    expect(paths[0]).toBe('/v1/admin/stacks/web/events?sort_dir=asc&limit=7');
    expect(paths[1]).toMatch(/^\/v1\/admin\/stacks\/web\/1111.*\/events\?sort_dir=asc&limit=7$/);
    // later pages go straight to the canonical URL
    expect(paths.slice(2).every((p) => p.startsWith('/v1/admin/stacks/web/11111111'))).toBe(true);
    expect(paths.filter((p) => p.includes('marker='))).toHaveLength(3);
    expect(got[0]).toMatchObject({
      isStackEvent: true,
      status: 'CREATE_IN_PROGRESS',
      resource: { type: 'OS::Heat::Stack' },
    });
    expect(got.at(-1)).toMatchObject({
      isStackEvent: true,
      status: 'CREATE_COMPLETE',
      action: 'CREATE',
      phase: 'COMPLETE',
    });
  });

  it('takes name+id (no redirect) or id alone, and newest first on request', async () => {
    const s = web();
    const byBoth = await client().listStackEvents({ name: 'web', id: s.id }).toArray({ limit: 100 });
    expect(emu.server.requests.every((r) => r.path.includes(s.id))).toBe(true);
    const byId = await client().listStackEvents({ id: s.id }).toArray({ limit: 100 });
    const aliases = await client().listStackEvents({ stackName: 'web', stackId: s.id }).toArray({ limit: 100 });
    expect(aliases.map((e) => e.id)).toEqual(byBoth.map((e) => e.id));
    expect(byId.map((e) => e.id)).toEqual(byBoth.map((e) => e.id));
    const desc = await client().listStackEvents(s.id, { sortDir: 'desc', pageSize: 5 }).toArray({ limit: 100 });
    expect(desc.map((e) => e.id)).toEqual(byBoth.map((e) => e.id).reverse());
  });

  it('sends the filters to Heat (phase as the status part) and applies only `since` locally', async () => {
    const c = client();
    const failed = await c
      .listStackEvents('broken', { phase: 'FAILED', resourceAction: 'CREATE' })
      .toArray({ limit: 100 });
    expect(failed.map((e) => e.resource.logicalId)).toEqual(['bad', 'broken']);
    const q = emu.server.requests.at(-1)?.query;
    expect(q).toContain('resource_action=CREATE');
    expect(q).toContain('resource_status=FAILED');
    const named = await c
      .listStackEvents('web', { resourceName: ['r1', 'r2'], resourceType: 'OS::Heat::None' })
      .toArray({ limit: 100 });
    expect(named.map((e) => `${e.resource.logicalId}:${e.phase}`)).toEqual(['r1:IN_PROGRESS', 'r1:COMPLETE']);
    // UNKNOWN cannot be asked of Heat: it is filtered here instead
    const unknown = await c.listStackEvents('web', { phase: ['UNKNOWN'] }).toArray({ limit: 100 });
    expect(unknown).toEqual([]);
    expect(emu.server.requests.at(-1)?.query).not.toContain('resource_status');
    const all = await c.listStackEvents('web').toArray({ limit: 100 });
    const since = all[10]!.timestamp;
    const recent = await c.listStackEvents('web', { since }).toArray({ limit: 100 });
    expect(recent.map((e) => e.id)).toEqual(all.filter((e) => e.timestamp >= since).map((e) => e.id));
    expect(c.capabilities.filters).toEqual({
      since: 'local',
      resourceName: 'server',
      resourceType: 'server',
      phase: 'server',
    });
  });

  it('resumes from a continuation token and honours maxItems', async () => {
    const c = client();
    const pages = c.listStackEvents('web', { pageSize: 4 }).byPage();
    const first = (await pages.next()).value as Page<StackEvent>;
    expect(first.items).toHaveLength(4);
    const rest = await c
      .listStackEvents('web', { pageSize: 4, continuationToken: first.continuationToken })
      .toArray({ limit: 100 });
    const all = await c.listStackEvents('web').toArray({ limit: 100 });
    expect([...first.items, ...rest].map((e) => e.id)).toEqual(all.map((e) => e.id));
    const few = await c.listStackEvents('web', { pageSize: 3, maxItems: 5 }).toArray({ limit: 100 });
    expect(few.map((e) => e.id)).toEqual(all.slice(0, 5).map((e) => e.id));
    await expect(
      c.listStackEvents('broken', { continuationToken: first.continuationToken }).toArray({ limit: 10 }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('does not hand out events twice when Heat ignores a pruned marker and restarts the list', async () => {
    const e = await startHeatEmulator();
    try {
      const s = e.addStack('pr', createScript('pr', RESOURCES, { stepMs: 1000 }));
      e.advance(60_000);
      const truth = e.visibleEvents(s).map((x) => x.id);
      const c = new HeatClient({ auth: { type: 'none' }, endpoint: e.heatUrl });
      const pages = c.listStackEvents({ name: 'pr', id: s.id }, { pageSize: 5 }).byPage();
      const got: string[] = [];
      const p1 = (await pages.next()).value as Page<StackEvent>;
      got.push(...p1.items.map((x) => x.id));
      // the marker (the 5th event) and everything before it is purged
      e.prune(s, 5);
      for await (const p of pages) got.push(...p.items.map((x) => x.id));
      expect(got).toEqual(truth);
      expect(new Set(got).size).toBe(got.length);
    } finally {
      await e.close();
    }
  });

  it('encodes stack and resource names so they never address another URL', async () => {
    const c = client();
    const evs = await c.listStackEvents('a b?c%..#').toArray({ limit: 100 });
    expect(evs.map((x) => x.resource.logicalId)).toContain('x y');
    expect(emu.server.requests[0]?.path).toBe('/v1/admin/stacks/a%20b%3Fc%25..%23/events');
    const none = await c.listResourceEvents('a b?c%..#', '%2F..%2Fstacks').toArray({ limit: 10 });
    expect(none).toEqual([]);
    expect(emu.server.requests.at(-1)?.path).toMatch(/\/resources\/%252F..%252Fstacks\/events$/);
    expect(() => c.listResourceEvents('web', '..')).toThrow(/cannot be encoded/);
    expect(() => c.listResourceEvents('web', '../../stacks')).toThrow(/cannot contain/);
    await expect(c.listStackEvents('..').toArray({ limit: 1 })).rejects.toMatchObject({ code: 'CONFIG' });
    await expect(c.getStack('../web')).rejects.toMatchObject({ code: 'CONFIG' });
    await expect(c.getEvent('web', 'r1', 'a/b')).rejects.toMatchObject({ code: 'CONFIG' });
    await expect(c.getStack('no such%2F')).rejects.toMatchObject({ code: 'NOT_FOUND', providerCode: 'EntityNotFound' });
  });
});

describe('faults', () => {
  it('retries 429 (Retry-After), 503, a reset and a cut body', async () => {
    const c = client();
    const truth = await c.listStackEvents('web').toArray({ limit: 100 });
    emu.server.faults
      .inject({ kind: 'throttle', retryAfter: 0 })
      .inject({ kind: 'status', status: 503 })
      .inject({ kind: 'reset' });
    const got = await c.listStackEvents('web').toArray({ limit: 100 });
    expect(got.map((e) => e.id)).toEqual(truth.map((e) => e.id));
    expect(emu.server.requests.filter((r) => r.fault).map((r) => r.fault)).toEqual(['throttle', 'status', 'reset']);
    emu.server.faults.inject({ kind: 'reset-mid-body' }, { match: (r) => r.rawPath.includes('/events') });
    expect((await c.listStackEvents('web').toArray({ limit: 100 })).length).toBe(truth.length);
  });

  it('gives THROTTLED after the retries run out, INVALID_RESPONSE for a malformed or HTML body', async () => {
    const c = client({ retry: { maxAttempts: 2, baseDelayMs: 1 } });
    emu.server.faults.inject({ kind: 'throttle' }, { times: 2 });
    await expect(c.listStackEvents('web').toArray({ limit: 1 })).rejects.toMatchObject({
      code: 'THROTTLED',
      httpStatus: 429,
    });
    emu.server.faults.inject(
      { kind: 'malformed-json' },
      { match: (r) => r.rawPath.endsWith('/events') && r.rawPath.includes('1111') },
    );
    await expect(c.listStackEvents('web').toArray({ limit: 1 })).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
    emu.server.faults.inject({ kind: 'html', status: 200 }, { match: (r) => r.rawPath.includes('1111') });
    await expect(c.listStackEvents('web').toArray({ limit: 1 })).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
  });

  it('reports a reset on the redirected hop as a retryable NETWORK error, not a bad 302', async () => {
    emu.server.faults.inject({ kind: 'reset' }, { match: (r) => r.rawPath.includes('/web/1111'), times: 4 });
    await expect(
      client({ retry: { maxAttempts: 1 } })
        .listStackEvents('web')
        .toArray({ limit: 1 }),
    ).rejects.toMatchObject({
      code: 'NETWORK',
      retryable: true,
    });
  });

  it('names the field path of a record that misses a required field', async () => {
    emu.server.faults.inject(
      { kind: 'status', status: 200, body: { events: [{ id: 'x', event_time: '2026-01-01T00:00:00Z', links: [] }] } },
      { match: (r) => r.rawPath.includes('1111') },
    );
    await expect(client().listStackEvents('web').toArray({ limit: 5 })).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
      fieldPath: 'events[0].resource_status',
    });
  });

  it('turns Heat fault bodies into typed errors with the exception type as providerCode', async () => {
    await expect(client().getStack('no-such')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      httpStatus: 404,
      providerCode: 'EntityNotFound',
      message: expect.stringContaining('The Stack (no-such) could not be found.'),
      requestId: expect.stringMatching(/^req-/),
    });
    emu.server.faults.inject({
      kind: 'status',
      status: 400,
      body: { code: 400, title: 'Bad Request', explanation: 'x', error: { type: 'ValueError', traceback: null } },
    });
    await expect(client().listStacks().toArray({ limit: 1 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      providerCode: 'ValueError',
    });
  });
});

describe('resource events, show event, stacks', () => {
  it('lists one resource’s events, and gives [] for Heat’s "No events found" 404', async () => {
    const c = client();
    const r3 = await c.listResourceEvents('web', 'r3').toArray({ limit: 10 });
    expect(r3.map((e) => e.status)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
    expect(await c.listResourceEvents('web', 'r3', { phase: 'FAILED' }).toArray({ limit: 10 })).toEqual([]);
    await expect(c.listResourceEvents('nope-stack', 'r3').toArray({ limit: 10 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('shows an event with resource type and properties', async () => {
    const c = client();
    const [, done] = await c.listResourceEvents('web', 'r4').toArray({ limit: 10 });
    const ev = await c.getEvent('web', 'r4', done!.id);
    expect(ev).toMatchObject({
      id: done!.id,
      resource: { logicalId: 'r4', type: 'OS::Heat::RandomString' },
      properties: { length: 4 },
    });
    await expect(c.getEvent('web', 'r5', done!.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      providerCode: 'HTTPNotFound',
    });
  });

  it('lists stacks with Heat’s next links and reads one stack', async () => {
    const c = client();
    const all = await c.listStacks().toArray({ limit: 100 });
    expect(all.map((s) => s.name)).toEqual(['a b?c%..#', 'broken', 'web']);
    const paged = await c.listStacks({ pageSize: 1 }).toArray({ limit: 100 });
    expect(paged.map((s) => s.id)).toEqual(all.map((s) => s.id));
    expect(emu.server.requests.filter((r) => r.path === '/v1/admin/stacks')).toHaveLength(3 + 1 + 1);
    const failed = await c.listStacks({ status: 'FAILED' }).toArray({ limit: 10 });
    expect(failed.map((s) => [s.name, s.state])).toEqual([['broken', 'FAILED']]);
    expect(await c.getStack('web')).toMatchObject({
      name: 'web',
      state: 'COMPLETE',
      status: 'CREATE_COMPLETE',
      action: 'CREATE',
    });
    await c
      .listStacks({
        showDeleted: true,
        showNested: true,
        sortKeys: ['stack_name'],
        sortDir: 'asc',
        tags: ['a', 'b'],
        action: ['CREATE', 'UPDATE'],
      })
      .toArray({ limit: 10 });
    // Two actions are `IN (…)` on Heat, safe beside `tags` (one action is not: see the discover tests).
    expect(emu.server.requests.at(-1)?.query).toBe(
      'action=CREATE&action=UPDATE&show_nested=true&show_deleted=true&sort_keys=stack_name&sort_dir=asc&tags=a%2Cb',
    );
  });
});

describe('redirects', () => {
  let other: EmulatorServer;
  let evil: EmulatorServer;
  beforeAll(async () => {
    other = await startEmulator({ handler: () => ({ status: 200, body: { stack: {} } }) });
    const r = new Router();
    r.on('GET', '/v1/admin/stacks/:name', (req) => ({
      status: 302,
      headers: { Location: req.params.name === 'x' ? `${other.url}/v1/admin/stacks/x/y` : `${other.url}/login` },
      body: '',
    }));
    r.on('GET', '/v1/admin/stacks/x/y', () => ({ status: 404, body: { error: { type: 'EntityNotFound' } } }));
    evil = await startEmulator({ handler: r.handler() });
  });
  afterAll(async () => {
    await other.close();
    await evil.close();
  });

  it('follows the name-only 302 on the same origin with the token; another origin only lends its path', async () => {
    const c = new HeatClient({ auth: { type: 'none', token: 'noauth-token-123' }, endpoint: emu.heatUrl });
    await c.getStack('web');
    expect(emu.server.requests.map((r) => r.headers['x-auth-token'])).toEqual(['noauth-token-123', 'noauth-token-123']);
    const e = new HeatClient({ auth: { type: 'none', token: 'noauth-token-123' }, endpoint: `${evil.url}/v1/admin` });
    const err = await e.getStack('x').catch((x: unknown) => x);
    // The Location's path was asked of the configured endpoint (which says 404), never of its origin.
    expect(err).toMatchObject({ code: 'NOT_FOUND' });
    expect(evil.requests.map((r) => r.path)).toEqual(['/v1/admin/stacks/x', '/v1/admin/stacks/x/y']);
    const notHeat = await e.getStack('z').catch((x: unknown) => x);
    expect(notHeat).toMatchObject({ code: 'INVALID_RESPONSE', message: expect.stringContaining('another origin') });
    expect(other.requests).toHaveLength(0);
  });
});
