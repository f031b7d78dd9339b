import { type EmulatedStack, type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HeatClient } from '../../src/index.js';

let emu: HeatEmulator;
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 4 } };
const client = (extra: Record<string, unknown> = {}) =>
  new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl, ...fast, ...extra });

/** A stack whose UPDATE starts at `startMs` and finishes a minute later. */
const updating = (name: string, startMs: number) => [
  ...createScript(name, [{ name: 'a' }]),
  ...createScript(name, [{ name: 'a' }], { action: 'UPDATE', startMs, stepMs: 20_000 }),
];

let busy: EmulatedStack;
let child: EmulatedStack;
beforeAll(async () => {
  emu = await startHeatEmulator();
  // Oldest first; Heat lists newest first.
  emu.addStack('web-1', createScript('web-1', [{ name: 'a' }]), { tags: ['env=prod', 'blue'] });
  busy = emu.addStack('web-busy', updating('web-busy', 10_000), { tags: ['env=prod'] });
  child = emu.addStack('web-busy-a-x7k2', updating('web-busy-a-x7k2', 10_000), {
    parent: busy.id,
    parentResource: 'a',
  });
  emu.addStack('db-broken', createScript('db-broken', [{ name: 'bad', fail: true }]), { tags: ['env=dev'] });
  emu.addStack('web-2', createScript('web-2', [{ name: 'a' }]), { tags: ['env=dev'] });
  emu.advance(15_000);
});
afterAll(() => emu.close());
afterEach(() => {
  emu.server.faults.clear();
  emu.server.requests.length = 0;
});

const names = (ts: ReadonlyArray<{ name: string }>) => ts.map((t) => t.name);
const stackListQueries = () =>
  emu.server.requests.filter((r) => r.path === '/v1/admin/stacks').map((r) => new URLSearchParams(r.query));

describe('discover', () => {
  it('lists in-progress stacks first (Heat-side status filter), then the rest once, nested ones with their parent', async () => {
    const got = await client().discover().toArray({ limit: 100 });
    expect(names(got)).toEqual(['web-busy-a-x7k2', 'web-busy', 'web-2', 'db-broken', 'web-1']);
    expect(got.map((t) => t.inProgress)).toEqual([true, true, false, false, false]);
    const [nested, parent] = got;
    expect(nested).toMatchObject({
      provider: 'openstack-heat',
      kind: 'stack',
      ref: { name: 'web-busy-a-x7k2', id: child.id },
      status: 'UPDATE_IN_PROGRESS',
      state: 'IN_PROGRESS',
      parent: { id: busy.id },
      project: 'admin',
    });
    expect(parent?.parent).toBeUndefined();
    expect(parent?.tags).toEqual({ env: 'prod' });
    expect(got.find((t) => t.name === 'web-1')?.tags).toEqual({ env: 'prod', blue: '' });
    expect(got.find((t) => t.name === 'db-broken')).toMatchObject({ state: 'FAILED', status: 'CREATE_FAILED' });
    const qs = stackListQueries();
    expect(qs.map((q) => [q.get('status'), q.get('show_nested')])).toEqual([
      ['IN_PROGRESS', 'true'],
      [null, 'true'],
    ]);
  });

  it('names the project from the endpoint when Heat lists no `project` (a member, not an admin), and the region', async () => {
    emu.server.faults.inject(
      {
        kind: 'transform',
        rewrite: (body) => {
          const b = body as { stacks: Array<Record<string, unknown>> };
          return { ...b, stacks: b.stacks.map(({ project: _, ...rest }) => rest) };
        },
      },
      { times: 2 },
    );
    const got = await client({ region: 'RegionOne' }).discover().toArray({ limit: 10 });
    expect(got).toHaveLength(5);
    expect(got.every((t) => t.project === 'admin' && t.region === 'RegionOne')).toBe(true);
  });

  it('hands the target ref straight to listStackEvents (no lookup redirect)', async () => {
    const c = client();
    const [first] = await c.discover({ activeOnly: true }).toArray({ limit: 1 });
    emu.server.requests.length = 0;
    const events = await c.listStackEvents(first!.ref).toArray({ limit: 100 });
    expect(events.length).toBeGreaterThan(0);
    expect(emu.server.requests.map((r) => r.path)).toEqual([`/v1/admin/stacks/${first?.name}/${first?.id}/events`]);
  });

  it('pages each pass with marker and limit, and resumes from a token mid-pass and across passes', async () => {
    const c = client();
    const pages: Array<{ names: string[]; token: string | undefined }> = [];
    for await (const p of c.discover().byPage({ pageSize: 1 })) {
      pages.push({ names: names(p.items), token: p.continuationToken });
    }
    expect(pages.flatMap((p) => p.names)).toEqual(['web-busy-a-x7k2', 'web-busy', 'web-2', 'db-broken', 'web-1']);
    expect(pages.at(-1)?.token).toBeUndefined();
    // Resume after the second pass-1 page: pass 1 goes on, then pass 2 still skips the pass-1 stacks.
    const second = pages.findIndex((p) => p.names[0] === 'web-busy');
    const rest = await c.discover({ continuationToken: pages[second]?.token, pageSize: 2 }).toArray({ limit: 100 });
    expect(names(rest)).toEqual(['web-2', 'db-broken', 'web-1']);
    expect(stackListQueries().every((q) => q.has('limit'))).toBe(true);
  });

  it('hands a stack out once when it finishes between the passes', async () => {
    const emu2 = await startHeatEmulator();
    try {
      const s = emu2.addStack('moving', updating('moving', 10_000));
      emu2.addStack('still', createScript('still', [{ name: 'a' }]));
      emu2.advance(15_000);
      const c = new HeatClient({ auth: { type: 'none' }, endpoint: emu2.heatUrl, ...fast });
      const seen: string[] = [];
      for await (const p of c.discover().byPage({ pageSize: 10 })) {
        seen.push(...names(p.items));
        emu2.advance(120_000); // the update completes before pass 2
      }
      expect(seen).toEqual(['moving', 'still']);
      expect(emu2.visibleEvents(s).at(-1)?.resource_status).toBe('UPDATE_COMPLETE');
    } finally {
      await emu2.close();
    }
  });

  it('over 100 in-progress stacks: one pass hands each out once; a token resumed in pass 2 loses none', async () => {
    const emu2 = await startHeatEmulator();
    try {
      for (let i = 0; i < 3; i++) emu2.addStack(`done-${i}`, createScript(`done-${i}`, [{ name: 'a' }]));
      for (let i = 0; i < 105; i++) emu2.addStack(`busy-${i}`, updating(`busy-${i}`, 10_000));
      emu2.advance(15_000);
      const c = new HeatClient({ auth: { type: 'none' }, endpoint: emu2.heatUrl, ...fast });
      const pages: Array<{ names: string[]; token: string | undefined }> = [];
      for await (const p of c.discover().byPage({ pageSize: 50 })) {
        pages.push({ names: names(p.items), token: p.continuationToken });
      }
      const all = pages.flatMap((p) => p.names);
      expect(all).toHaveLength(108);
      expect(new Set(all).size).toBe(108);
      expect(all.slice(0, 105).every((n) => n.startsWith('busy-'))).toBe(true);
      // The token after the last pass-1 page: pass 2 no longer knows the 105 ids, so it may repeat them.
      const lastBusy = pages.findIndex((p) => p.names.at(-1) === all[104]);
      const resumed = names(
        await c.discover({ continuationToken: pages[lastBusy]?.token, pageSize: 50 }).toArray({ limit: 1000 }),
      );
      expect(resumed.filter((n) => n.startsWith('done-')).sort()).toEqual(['done-0', 'done-1', 'done-2']);
      expect(new Set(resumed).size).toBe(resumed.length);
    } finally {
      await emu2.close();
    }
  });

  it('activeOnly reads only the IN_PROGRESS pass', async () => {
    const got = await client().discover({ activeOnly: true }).toArray({ limit: 100 });
    expect(names(got)).toEqual(['web-busy-a-x7k2', 'web-busy']);
    expect(stackListQueries()).toHaveLength(1);
  });

  it('kinds without `stack` lists nothing and sends nothing', async () => {
    expect(
      await client()
        .discover({ kinds: ['image', 'cluster'] })
        .toArray({ limit: 10 }),
    ).toEqual([]);
    expect(emu.server.requests).toHaveLength(0);
    expect(
      names(
        await client()
          .discover({ kinds: ['stack'] })
          .toArray({ limit: 10 }),
      ),
    ).toHaveLength(5);
  });

  it('matches names by glob or RegExp here, and sends an exact name to Heat', async () => {
    const c = client();
    expect(names(await c.discover({ name: 'web-?' }).toArray({ limit: 10 }))).toEqual(['web-2', 'web-1']);
    expect(names(await c.discover({ name: 'web-*' }).toArray({ limit: 10 }))).toEqual([
      'web-busy-a-x7k2',
      'web-busy',
      'web-2',
      'web-1',
    ]);
    expect(names(await c.discover({ name: /^db-/ }).toArray({ limit: 10 }))).toEqual(['db-broken']);
    expect(names(await c.discover({ name: 'WEB-1' }).toArray({ limit: 10 }))).toEqual([]);
    emu.server.requests.length = 0;
    expect(names(await c.discover({ name: 'web-1' }).toArray({ limit: 10 }))).toEqual(['web-1']);
    expect(stackListQueries().map((q) => q.get('name'))).toEqual(['web-1', 'web-1']);
  });

  it('filters tags on Heat where Heat can (pass 2) and here beside the status filter (pass 1, Heat 500s)', async () => {
    const got = await client()
      .discover({ tags: { env: 'prod' } })
      .toArray({ limit: 10 });
    expect(names(got)).toEqual(['web-busy', 'web-1']);
    const qs = stackListQueries();
    expect(qs.map((q) => [q.get('status'), q.get('tags')])).toEqual([
      ['IN_PROGRESS', null],
      [null, 'env=prod'],
    ]);
    const both = await client()
      .discover({ tags: { env: 'prod', blue: '' } })
      .toArray({ limit: 10 });
    expect(names(both)).toEqual(['web-1']);
    // An exact name is a single-valued filter too: the tags stay local in both passes.
    emu.server.requests.length = 0;
    expect(
      names(
        await client()
          .discover({ name: 'web-1', tags: { blue: '' } })
          .toArray({ limit: 10 }),
      ),
    ).toEqual(['web-1']);
    expect(stackListQueries().every((q) => !q.has('tags'))).toBe(true);
    // A tag with a comma cannot exist on Heat (it splits on commas): nothing matches, nothing is split.
    emu.server.requests.length = 0;
    expect(
      await client()
        .discover({ tags: { env: 'prod,dev' } })
        .toArray({ limit: 10 }),
    ).toEqual([]);
    expect(stackListQueries().every((q) => !q.has('tags'))).toBe(true);
  });

  it('a listing that breaks its own status filter: the stack is not put first, and comes once', async () => {
    // The IN_PROGRESS pass also answers a finished stack.
    emu.server.faults.inject(
      {
        kind: 'transform',
        rewrite: (body) => {
          const b = body as { stacks: Array<Record<string, unknown>> };
          const web1 = [...emu.stacks.values()].find((s) => s.name === 'web-1') as EmulatedStack;
          return {
            ...b,
            stacks: [
              ...b.stacks,
              { ...b.stacks[0], id: web1.id, stack_name: 'web-1', stack_status: 'CREATE_COMPLETE' },
            ],
          };
        },
      },
      { match: (r) => r.url.searchParams.get('status') === 'IN_PROGRESS' },
    );
    const got = await client().discover().toArray({ limit: 10 });
    expect(names(got)).toEqual(['web-busy-a-x7k2', 'web-busy', 'web-2', 'db-broken', 'web-1']);
  });

  it('an unknown status is state UNKNOWN (literal kept); a missing one is INVALID_RESPONSE naming the field', async () => {
    const rewriteFirst = (patch: Record<string, unknown>) => ({
      kind: 'transform' as const,
      rewrite: (body: unknown) => {
        const b = body as { stacks: Array<Record<string, unknown>> };
        return { ...b, stacks: b.stacks.map((s, i) => (i === 0 ? { ...s, ...patch } : s)) };
      },
    });
    emu.server.faults.inject(rewriteFirst({ stack_status: 'SNAPSHOT_WEIRD' }), {
      match: (r) => r.url.searchParams.get('status') === null,
    });
    const got = await client().discover().toArray({ limit: 10 });
    expect(got.find((t) => t.name === 'web-2')).toMatchObject({
      status: 'SNAPSHOT_WEIRD',
      state: 'UNKNOWN',
      inProgress: false,
    });
    emu.server.faults.inject(rewriteFirst({ stack_status: undefined }));
    await expect(client().discover().toArray({ limit: 10 })).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
      message: expect.stringContaining('stacks[0].stack_status'),
    });
  });

  it('refuses a token of another call, and a malformed cursor, before any request', async () => {
    const c = client({ tokenKey: 'discover-test-key-0001' });
    const pages = c.listStacks({ pageSize: 1 }).byPage();
    const first = await pages.next();
    const token = first.value?.continuationToken;
    expect(token).toBeDefined();
    emu.server.requests.length = 0;
    await expect(c.discover({ continuationToken: token }).toArray({ limit: 10 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    const own = (await c.discover({ name: 'web-*' }).byPage({ pageSize: 1 }).next()).value?.continuationToken;
    await expect(c.discover({ continuationToken: own }).toArray({ limit: 10 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(emu.server.requests.filter((r) => r.path === '/v1/admin/stacks')).toHaveLength(1);
  });

  it('a Heat 5xx on the listing is a typed SERVER error after the retries', async () => {
    emu.server.faults.inject({ kind: 'status', status: 503 }, { times: 10 });
    await expect(
      client({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } })
        .discover()
        .toArray({ limit: 10 }),
    ).rejects.toMatchObject({
      code: 'SERVER',
      provider: 'openstack-heat',
    });
  });
});

describe('listStacks tags', () => {
  it('keeps tags on Heat alone or beside multi-valued filters, and checks them here beside a single-valued one', async () => {
    const c = client();
    expect(names(await c.listStacks({ tags: ['env=prod'] }).toArray({ limit: 10 }))).toEqual(['web-busy', 'web-1']);
    expect(stackListQueries().at(-1)?.get('tags')).toBe('env=prod');
    const failed = await c.listStacks({ tags: ['env=dev'], status: 'FAILED' }).toArray({ limit: 10 });
    expect(failed.map((s) => s.name)).toEqual(['db-broken']);
    expect(stackListQueries().at(-1)?.has('tags')).toBe(false);
    const two = await c.listStacks({ tags: ['env=dev'], status: ['FAILED', 'COMPLETE'] }).toArray({ limit: 10 });
    expect(two.map((s) => s.name)).toEqual(['web-2', 'db-broken']);
    expect(stackListQueries().at(-1)?.get('tags')).toBe('env=dev');
  });

  it('the emulator answers tags beside a single-valued filter with the 500 a real Heat gives', async () => {
    const res = await fetch(`${emu.heatUrl}/stacks?tags=env%3Dprod&status=IN_PROGRESS`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('InvalidRequestError');
    const ok = await fetch(`${emu.heatUrl}/stacks?tags=env%3Dprod&status=IN_PROGRESS&status=COMPLETE`);
    expect(ok.status).toBe(200);
  });
});
