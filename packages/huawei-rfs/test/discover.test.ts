import { StackfeedError } from '@stackfeed/core';
import { type RfsEmulator, deploymentSucceeds, stackFleet } from '@stackfeed/emulator/rfs';
import { afterEach, describe, expect, it } from 'vitest';
import { client, emulator } from './fixtures.js';

let emu: RfsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const stackCalls = (e: RfsEmulator) => e.server.requests.filter((r) => /\/stacks$/.test(r.path));

async function configError(f: () => unknown): Promise<StackfeedError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(StackfeedError);
    return e as StackfeedError;
  }
  throw new Error('expected a CONFIG error');
}

describe('discover()', () => {
  it('lists every stack, in-progress first, each group in ListStacks order, with refs that work', async () => {
    // 12 stacks: indexes 0, 5, 10 have a deployment running; 7 failed.
    emu = await emulator({ scenarios: stackFleet({ count: 12 }), progress: 'manual' });
    const rfs = client(emu);
    const targets = await rfs.discover().toArray({ limit: 10_000 });
    expect(targets.map((t) => t.name)).toEqual([
      'fleet-0000',
      'fleet-0005',
      'fleet-0010',
      ...[1, 2, 3, 4, 6, 7, 8, 9, 11].map((n) => `fleet-${String(n).padStart(4, '0')}`),
    ]);
    const first = targets[0];
    expect(first).toMatchObject({
      provider: 'huawei-rfs',
      kind: 'stack',
      status: 'DEPLOYMENT_IN_PROGRESS',
      state: 'IN_PROGRESS',
      inProgress: true,
      region: 'cn-north-4',
      project: emu.projectId,
      ref: { name: 'fleet-0000', id: emu.stack('fleet-0000')?.id },
    });
    expect(first?.createdAt).toBeInstanceOf(Date);
    const failed = targets.find((t) => t.name === 'fleet-0007');
    expect(failed).toMatchObject({ state: 'FAILED', inProgress: false, status: 'DEPLOYMENT_FAILED' });
    expect(failed?.details?.reason).toMatch(/quota exceeded/);
    // The ref goes straight back into the event calls.
    const events = await rfs.listStackEvents(first?.ref ?? 'missing').toArray({ limit: 10_000 });
    expect(events.map((e) => e.status)).toEqual(['LOG', 'CREATION_IN_PROGRESS']);
  });

  it('reads every ListStacks page before ordering (in-progress stacks on a later page still come first)', async () => {
    // 1005 stacks: two ListStacks pages of at most 1000; the last in-progress one is on page 2.
    emu = await emulator({ scenarios: stackFleet({ count: 1005, inProgressEvery: 1001 }), progress: 'manual' });
    const rfs = client(emu);
    const targets = await rfs.discover().toArray({ limit: 10_000 });
    expect(targets).toHaveLength(1005);
    expect(targets.slice(0, 2).map((t) => t.name)).toEqual(['fleet-0000', 'fleet-1001']);
    expect(targets.filter((t) => t.inProgress)).toHaveLength(2);
    expect(new Set(targets.map((t) => t.name)).size).toBe(1005);
    expect(stackCalls(emu)).toHaveLength(2);
  });

  it('pages with pageSize and resumes from a continuation token', async () => {
    emu = await emulator({ scenarios: stackFleet({ count: 25 }), progress: 'manual' });
    const rfs = client(emu);
    const all = (await rfs.discover().toArray({ limit: 10_000 })).map((t) => t.name);
    const pages = [];
    for await (const page of rfs.discover().byPage({ pageSize: 10 })) pages.push(page);
    expect(pages.map((p) => p.items.length)).toEqual([10, 10, 5]);
    expect(pages.flatMap((p) => p.items.map((t) => t.name))).toEqual(all);
    const token = pages[0]?.continuationToken;
    expect(token).toBeTypeOf('string');
    const resumed = [];
    for await (const page of rfs.discover().byPage({ pageSize: 10, continuationToken: token })) resumed.push(page);
    expect(resumed.flatMap((p) => p.items.map((t) => t.name))).toEqual(all.slice(10));
  });

  it('a token of one filter set is refused by another (BAD_REQUEST, no request)', async () => {
    emu = await emulator({ scenarios: stackFleet({ count: 25 }), progress: 'manual' });
    const rfs = client(emu);
    const first = await rfs.discover().byPage({ pageSize: 10 }).next();
    const token = first.value?.continuationToken;
    const before = emu.server.requests.length;
    const err = await rfs
      .discover({ activeOnly: true })
      .byPage({ continuationToken: token })
      .next()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StackfeedError);
    expect((err as StackfeedError).code).toBe('BAD_REQUEST');
    expect(emu.server.requests.length).toBe(before);
  });

  it('activeOnly, a glob, a RegExp and kinds filter locally', async () => {
    emu = await emulator({
      scenarios: [...stackFleet({ count: 12 }), deploymentSucceeds({ stackName: 'web-a.b' })],
      progress: 'manual',
    });
    const rfs = client(emu);
    const names = async (o: Parameters<typeof rfs.discover>[0]) =>
      (await rfs.discover(o).toArray({ limit: 10_000 })).map((t) => t.name);
    expect(await names({ activeOnly: true })).toEqual(['fleet-0000', 'fleet-0005', 'fleet-0010']);
    expect(await names({ name: 'fleet-000?' })).toEqual([
      'fleet-0000',
      'fleet-0005',
      ...[1, 2, 3, 4, 6, 7, 8, 9].map((n) => `fleet-000${n}`),
    ]);
    // A glob is the whole name, case-sensitive; `.` is literal.
    expect(await names({ name: 'web-a?b' })).toEqual(['web-a.b']);
    expect(await names({ name: 'web-a.*' })).toEqual(['web-a.b']);
    expect(await names({ name: 'web' })).toEqual([]);
    expect(await names({ name: 'FLEET-*' })).toEqual([]);
    expect(await names({ name: /^fleet-001/, activeOnly: true })).toEqual(['fleet-0010']);
    expect(await names({ kinds: ['stack'], name: 'web-*' })).toEqual(['web-a.b']);
    const before = emu.server.requests.length;
    expect(await names({ kinds: ['image', 'cluster'] })).toEqual([]);
    expect(emu.server.requests.length).toBe(before);
  });

  it('a tags filter is CONFIG (RFS stacks have no tags), thrown before any request; empty tags are no filter', async () => {
    emu = await emulator({ scenarios: stackFleet({ count: 3 }), progress: 'manual' });
    const rfs = client(emu);
    const err = await configError(() => rfs.discover({ tags: { team: 'web' } }));
    expect(err.code).toBe('CONFIG');
    expect(err.message).toMatch(/no tags/);
    expect(emu.server.requests.length).toBe(0);
    expect(await rfs.discover({ tags: {} }).toArray({ limit: 10_000 })).toHaveLength(3);
  });

  it('bad option types are CONFIG before any request', async () => {
    emu = await emulator({ scenarios: stackFleet({ count: 1 }), progress: 'manual' });
    const rfs = client(emu);
    const bad = [{ name: 42 }, { kinds: 'stack' }, { tags: 'team=web' }] as unknown as Parameters<
      typeof rfs.discover
    >[0][];
    for (const o of bad) expect((await configError(() => rfs.discover(o))).code).toBe('CONFIG');
    expect(emu.server.requests.length).toBe(0);
  });

  it('a failing ListStacks call surfaces as a typed error; a malformed stack is INVALID_RESPONSE', async () => {
    emu = await emulator({ scenarios: stackFleet({ count: 3 }), progress: 'manual' });
    const rfs = client(emu, { retry: { maxAttempts: 1 } });
    emu.server.faults.inject({
      kind: 'status',
      status: 403,
      body: { error_code: 'RF.10010403', error_msg: 'no permission' },
    });
    const denied = await rfs
      .discover()
      .toArray({ limit: 10_000 })
      .catch((e: unknown) => e);
    expect((denied as StackfeedError).code).toBe('FORBIDDEN');
    emu.server.faults.inject({ kind: 'status', status: 200, body: { stacks: [{ status: 'DEPLOYMENT_COMPLETE' }] } });
    const invalid = await rfs
      .discover()
      .toArray({ limit: 10_000 })
      .catch((e: unknown) => e);
    expect((invalid as StackfeedError).code).toBe('INVALID_RESPONSE');
    expect((invalid as StackfeedError).message).toMatch(/stack_name/);
  });

  it('an empty project discovers nothing; an unknown status is UNKNOWN, in progress only when it ends _IN_PROGRESS', async () => {
    emu = await emulator({ scenarios: [], progress: 'manual' });
    const rfs = client(emu);
    expect(await rfs.discover().toArray({ limit: 10_000 })).toEqual([]);
    emu.server.faults.inject({
      kind: 'status',
      status: 200,
      body: {
        stacks: [
          { stack_name: 'odd', status: 'SOMETHING_NEW' },
          { stack_name: 'importing', status: 'IMPORT_IN_PROGRESS' },
        ],
      },
    });
    expect(await rfs.discover().toArray({ limit: 10_000 })).toEqual([
      expect.objectContaining({ name: 'importing', state: 'UNKNOWN', inProgress: true }),
      expect.objectContaining({ name: 'odd', state: 'UNKNOWN', status: 'SOMETHING_NEW', inProgress: false }),
    ]);
  });
});

describe('stack refs', () => {
  it('take a name or a StackRef; an id without a name is CONFIG before any request', async () => {
    emu = await emulator({ scenarios: stackFleet({ count: 1, inProgressEvery: 0 }), progress: 'manual' });
    const rfs = client(emu);
    const id = emu.stack('fleet-0000')?.id;
    expect((await rfs.getStack('fleet-0000')).id).toBe(id);
    expect((await rfs.getStack({ name: 'fleet-0000', id })).id).toBe(id);
    const before = emu.server.requests.length;
    const err = await configError(() => rfs.getStack({ id }));
    expect(err.code).toBe('CONFIG');
    expect(err.message).toMatch(/name/);
    expect(() => rfs.listStackEvents({ id })).toThrow(/name/);
    expect(emu.server.requests.length).toBe(before);
  });
});
