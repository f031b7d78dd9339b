import { StackfeedError } from '@stackfeed/core';
import {
  type RfsEmulator,
  deploymentFailsAndRollsBack,
  deploymentSucceeds,
  largeStack,
  stackDeletion,
} from '@stackfeed/emulator/rfs';
import { afterEach, describe, expect, it } from 'vitest';
import { RfsClient } from '../src/index.js';
import { AK, SK, TEMP_AK, TEMP_SK, TEMP_TOKEN, USER, client, emulator } from './fixtures.js';

let emu: RfsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const T0 = Date.UTC(2025, 5, 12, 8, 0, 0);
const eventsOf = (e: RfsEmulator, name: string) => e.server.requests.filter((r) => r.path.endsWith(`/${name}/events`));

describe('listStackEvents against the emulator', () => {
  it('pages through a few thousand events newest first, every event once, ids unique and stable', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 2500 })] });
    const rfs = client(emu);
    const truth = emu.stack('big')?.events ?? [];
    expect(truth.length).toBe(2500);
    const pages: number[] = [];
    const all = [];
    for await (const page of rfs
      .listStackEvents({ name: 'big' }, { order: 'newest-first' })
      .byPage({ pageSize: 400 })) {
      pages.push(page.items.length);
      all.push(...page.items);
    }
    expect(pages).toEqual([400, 400, 400, 400, 400, 400, 100]);
    expect(all.map((e) => e.message)).toEqual([...truth].reverse().map((e) => e.wire.event_message));
    const ids = all.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const again = await rfs
      .listStackEvents({ name: 'big' }, { pageSize: 1000, order: 'newest-first' })
      .toArray({ limit: 10_000 });
    expect(again.map((e) => e.id)).toEqual(ids);
    // Exact duplicates in one second (the doubled LOG line of each deployment) get distinct ids.
    const logs = all.filter((e) => e.status === 'LOG');
    expect(logs.length).toBeGreaterThan(1);
    expect(logs[0]?.timestamp.getTime()).toBe(logs[1]?.timestamp.getTime());
    expect(logs[0]?.id).not.toBe(logs[1]?.id);
    // count / for_each keys are in the model.
    expect(all.some((e) => e.resource.key === '0')).toBe(true);
    expect(all.some((e) => e.resource.key === 'node-000')).toBe(true);
  });

  it('a twin split across a page boundary still gets its own id', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 120 })] });
    const rfs = client(emu);
    const one = await rfs.listStackEvents('big', { pageSize: 1, order: 'newest-first' }).toArray({ limit: 1000 });
    const many = await rfs.listStackEvents('big', { pageSize: 1000, order: 'newest-first' }).toArray({ limit: 1000 });
    expect(one.map((e) => e.id)).toEqual(many.map((e) => e.id));
    expect(new Set(one.map((e) => e.id)).size).toBe(120);
    // The doubled LOG line (exact twins) is in there, on two pages.
    expect(one.filter((e) => e.status === 'LOG' && e.message === one.at(-1)?.message).length).toBe(2);
  });

  it('an event has the same id with and without the deployment scope', async () => {
    const s = deploymentFailsAndRollsBack({ stackName: 'fail', startAt: T0 });
    emu = await emulator({ scenarios: [s], progress: 'manual' });
    emu.finish('fail');
    const rfs = client(emu);
    const dep = s.steps[0]?.deploymentId as string;
    const scoped = await rfs.listStackEvents('fail', { deploymentId: dep }).toArray({ limit: 1000 });
    const all = await rfs.listStackEvents({ name: 'fail', id: s.stackId }).toArray({ limit: 1000 });
    expect(scoped.length).toBeGreaterThan(0);
    expect(scoped.length).toBeLessThan(all.length);
    const allIds = new Set(all.map((e) => e.id));
    for (const ev of scoped) expect(allIds.has(ev.id)).toBe(true);
  });

  it('resumes from a continuation token', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 250 })] });
    const rfs = client(emu);
    const it1 = rfs.listStackEvents('big', { order: 'newest-first' }).byPage({ pageSize: 100 });
    const first = (await it1.next()).value;
    const token = first?.continuationToken as string;
    expect(token).toBeTruthy();
    const rest = [];
    for await (const p of rfs
      .listStackEvents('big', { order: 'newest-first' })
      .byPage({ pageSize: 100, continuationToken: token }))
      rest.push(...p.items);
    expect(rest.length).toBe(150);
    const all = await rfs.listStackEvents('big', { order: 'newest-first' }).toArray({ limit: 1000 });
    expect([...(first?.items ?? []), ...rest].map((e) => e.message)).toEqual(all.map((e) => e.message));
    // RFS binds a marker to the parameters it was issued with (the emulator includes limit):
    // resuming with another pageSize keeps the token's page size instead of failing with 400.
    const other = [];
    for await (const p of rfs
      .listStackEvents('big', { order: 'newest-first' })
      .byPage({ pageSize: 7, continuationToken: token }))
      other.push(p);
    expect(other.flatMap((p) => p.items).map((e) => e.message)).toEqual(rest.map((e) => e.message));
    expect(other.map((p) => p.items.length)).toEqual([100, 50]);
  });

  it('sends filter, field, deployment_id, stack_id and limit as the API defines them', async () => {
    const s = deploymentFailsAndRollsBack({ stackName: 'fail', startAt: T0 });
    emu = await emulator({ scenarios: [s], progress: 'manual' });
    emu.finish('fail');
    const rfs = client(emu);
    const dep = s.steps[0]?.deploymentId as string;
    const errors = await rfs
      .listStackEvents(
        { name: 'fail', id: s.stackId },
        {
          deploymentId: dep,
          filter: { eventType: ['ERROR', 'CREATION_FAILED'] },
          fields: ['event_message', 'resource_name', 'timestamp'],
          pageSize: 10,
          order: 'newest-first',
        },
      )
      .toArray({ limit: 100 });
    expect(errors.map((e) => e.status)).toEqual(['ERROR', 'CREATION_FAILED']);
    expect(errors[0]?.message).toMatch(/^Error: error creating/);
    expect(errors[0]?.resource.type).toBeUndefined(); // not selected by `field`
    expect(errors[0]?.resource.name).toBe('server');
    const reqs = eventsOf(emu, 'fail');
    const q = new URLSearchParams(reqs[0]?.query);
    expect(q.get('filter')).toBe('event_type==ERROR|event_type==CREATION_FAILED');
    expect(q.get('field')).toBe('event_message,resource_name,timestamp');
    expect(q.get('deployment_id')).toBe(dep);
    expect(q.get('stack_id')).toBe(s.stackId);
    expect(q.get('limit')).toBe('10');
    expect(q.get('marker')).toBeNull();
    // The raw query is encoded the way the signature expects (| and = percent-encoded).
    expect(reqs[0]?.query).toContain('filter=event_type%3D%3DERROR%7Cevent_type%3D%3DCREATION_FAILED');
  });

  it('pushes the common filters to the server when they fit the grammar, else applies them locally', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok', startAt: T0 })], progress: 'manual' });
    emu.finish('ok');
    const rfs = client(emu);
    const server = await rfs
      .listStackEvents('ok', {
        resourceName: 'subnet',
        resourceType: 'huaweicloud_vpc_subnet',
        phase: 'COMPLETE',
        order: 'newest-first',
      })
      .toArray({ limit: 100 });
    expect(server.map((e) => `${e.status}:${e.resource.key}`)).toEqual(['CREATION_COMPLETE:1', 'CREATION_COMPLETE:0']);
    expect(new URLSearchParams(eventsOf(emu, 'ok').at(-1)?.query).get('filter')).toBe(
      'event_type==CREATION_COMPLETE|event_type==DELETION_COMPLETE|event_type==UPDATE_COMPLETE,resource_type==huaweicloud_vpc_subnet,resource_name==subnet',
    );
    const local = await rfs
      .listStackEvents('ok', { resourceName: 'sub-net', since: new Date(T0 + 2000) })
      .toArray({ limit: 100 });
    expect(local).toEqual([]);
    expect(new URLSearchParams(eventsOf(emu, 'ok').at(-1)?.query).get('filter')).toBeNull();
    const since = await rfs.listStackEvents('ok', { since: new Date(T0 + 8000) }).toArray({ limit: 100 });
    expect(since.length).toBeGreaterThan(0);
    expect(since.every((e) => e.timestamp.getTime() >= T0 + 8000)).toBe(true);
  });

  it('`since` stops paging at the first page that reaches before it (RFS lists newest first)', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 1000, startAt: T0 })] });
    const rfs = client(emu);
    const all = await rfs.listStackEvents('big', { pageSize: 1000, order: 'newest-first' }).toArray({ limit: 1000 });
    const cut = all[250]?.timestamp as Date;
    const before = emu.server.requests.length;
    const recent = await rfs
      .listStackEvents('big', { since: cut, pageSize: 100, order: 'newest-first' })
      .toArray({ limit: 1000 });
    expect(recent).toEqual(all.filter((e) => e.timestamp.getTime() >= cut.getTime()));
    expect(emu.server.requests.length - before).toBe(3);
  });

  it('rejects filter values the grammar forbids with CONFIG before any request', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const rfs = client(emu);
    const bad = [
      { resourceName: 'my-vpc' },
      { resourceName: 'a;b' },
      { resourceType: 'x|y' },
      { resourceType: 'a==b' },
      { resourceName: 'a,b' },
      { resourceName: '' },
      { resourceName: 'ü' },
      { resourceName: Array.from({ length: 60 }, (_, i) => `resource_${i}`) },
    ];
    for (const filter of bad) {
      // Thrown when the call is made, not at the first request.
      let err: unknown;
      try {
        rfs.listStackEvents('ok', { filter });
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'CONFIG', provider: 'huawei-rfs' });
      expect(() => rfs.watchStackEvents('ok', { filter })).toThrow(StackfeedError);
    }
    expect(() => rfs.listStackEvents('ok', { fields: ['nope' as 'time'] })).toThrow(StackfeedError);
    expect(() => rfs.listStackEvents('ok', { deploymentId: '' })).toThrow(/deploymentId/);
    expect(() => rfs.listStackEvents({ name: '' })).toThrow(/name/);
    expect(emu.server.requests.length).toBe(0);
  });

  it('treats a response without page_info as the last page (pre-2025 API)', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 700 })], pageInfo: false });
    const rfs = client(emu);
    const pages = [];
    for await (const p of rfs.listStackEvents('big', { order: 'newest-first' }).byPage({ pageSize: 50 })) pages.push(p);
    expect(pages.length).toBe(1);
    expect(pages[0]?.items.length).toBe(700);
    expect(pages[0]?.continuationToken).toBeUndefined();
  });

  it('an empty stack_events list ends paging even with a next_marker', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    emu.server.faults.inject(
      { kind: 'status', status: 200, body: { stack_events: [], page_info: { next_marker: 'more', current_count: 0 } } },
      { times: 1 },
    );
    const rfs = client(emu);
    expect(await rfs.listStackEvents('ok').toArray({ limit: 10 })).toEqual([]);
    expect(emu.server.requests.length).toBe(1);
  });

  it('a `time` that is not a timestamp is INVALID_RESPONSE naming the path', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    emu.server.faults.inject({
      kind: 'status',
      status: 200,
      body: {
        stack_events: [
          { event_type: 'LOG', time: '2025-06-12T08:00:00Z' },
          { event_type: 'LOG', time: 'soon' },
        ],
      },
    });
    await expect(client(emu).listStackEvents('ok').toArray({ limit: 10 })).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
      fieldPath: 'stack_events[1].time',
    });
  });
});

describe('bad responses never crash: typed errors or a retry', () => {
  it('resets are retried; truncated, empty or malformed bodies are INVALID_RESPONSE; wrong shapes name the field', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 20 })] });
    const rfs = client(emu);
    emu.server.faults.inject({ kind: 'reset' }, { times: 1 });
    emu.server.faults.inject({ kind: 'reset-mid-body' }, { times: 1 });
    expect((await rfs.listStackEvents('big').toArray({ limit: 100 })).length).toBe(20);
    for (const kind of ['truncated', 'empty', 'malformed-json'] as const) {
      emu.server.faults.inject({ kind });
      await expect(rfs.listStackEvents('big').toArray({ limit: 100 })).rejects.toMatchObject({
        code: 'INVALID_RESPONSE',
      });
    }
    const shapes: Array<[unknown, string]> = [
      [{ stack_events: { a: 1 } }, 'stack_events'],
      [
        { stack_events: [{ event_type: 'LOG', time: '2025-06-12T08:00:00Z', elapsed_seconds: 'six' }] },
        'stack_events[0].elapsed_seconds',
      ],
      [{ stack_events: [{ event_type: 7, time: '2025-06-12T08:00:00Z' }] }, 'stack_events[0].event_type'],
      [{ stack_events: [], page_info: { next_marker: 5 } }, 'page_info.next_marker'],
      [[1, 2], '(root)'],
    ];
    for (const [body, path] of shapes) {
      emu.server.faults.inject({ kind: 'status', status: 200, body });
      await expect(rfs.listStackEvents('big').toArray({ limit: 100 })).rejects.toMatchObject({
        code: 'INVALID_RESPONSE',
        fieldPath: path,
      });
    }
    emu.server.faults.inject({ kind: 'status', status: 200, body: { stack_id: 'x' } });
    await expect(rfs.getStack('big')).rejects.toMatchObject({ code: 'INVALID_RESPONSE', fieldPath: 'stack_name' });
    // Unknown event types and extra fields are kept, not rejected.
    const odd = { event_type: 'IMPORT_COMPLETE', time: '2025-06-12T08:00:00Z', new_field: { x: 1 } };
    emu.server.faults.inject({ kind: 'status', status: 200, body: { stack_events: [odd] } });
    const [ev] = await rfs.listStackEvents('big').toArray({ limit: 10 });
    expect(ev).toMatchObject({ action: 'UNKNOWN', phase: 'UNKNOWN', status: 'IMPORT_COMPLETE', raw: odd });
  });
});

describe('listStacks / getStack', () => {
  it('lists stacks across pages, newest first, with normalized status', async () => {
    emu = await emulator({ progress: 'manual' });
    for (let i = 0; i < 5; i++) emu.addScenario(deploymentSucceeds({ stackName: `s${i}`, startAt: T0 + i * 60_000 }));
    emu.finish('s3');
    const stacks = await client(emu).listStacks({ pageSize: 2 }).toArray({ limit: 100 });
    expect(stacks.map((s) => s.name)).toEqual(['s4', 's3', 's2', 's1', 's0']);
    expect(stacks[1]).toMatchObject({ status: 'DEPLOYMENT_COMPLETE', state: 'COMPLETE', action: 'UPDATE' });
    expect(stacks[0]).toMatchObject({ status: 'CREATION_COMPLETE', state: 'COMPLETE', action: 'CREATE' });
  });

  it('getStack reads GetStackMetadata and normalizes the status', async () => {
    const s = deploymentFailsAndRollsBack({ stackName: 'fail', startAt: T0 });
    emu = await emulator({ scenarios: [s], progress: 'manual' });
    const rfs = client(emu);
    emu.advance('fail', 1);
    expect(await rfs.getStack('fail')).toMatchObject({
      status: 'DEPLOYMENT_IN_PROGRESS',
      state: 'IN_PROGRESS',
      id: s.stackId,
    });
    emu.finish('fail');
    const info = await rfs.getStack({ name: 'fail', id: s.stackId });
    expect(info).toMatchObject({
      status: 'ROLLBACK_COMPLETE',
      state: 'ROLLED_BACK',
      action: 'ROLLBACK',
      phase: 'COMPLETE',
    });
    expect(info.details).toMatchObject({ enableAutoRollback: true });
  });
});

describe('errors', () => {
  it('400: a stack_id that does not match the stack with that name', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const err = await client(emu)
      .listStackEvents({ name: 'ok', id: '00000000-0000-0000-0000-000000000000' })
      .toArray({ limit: 1 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, providerCode: 'RF.10012400', retryable: false });
    expect((err as StackfeedError).requestId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('the stack id pins the stack: after delete and re-create under the same name, the old id is 400', async () => {
    const old = stackDeletion({ stackName: 'same', startAt: T0 });
    emu = await emulator({ scenarios: [old], progress: 'manual' });
    emu.finish('same');
    const fresh = deploymentSucceeds({ stackName: 'same', stackId: '99999999-8888-4777-a666-555555555555' });
    emu.addScenario(fresh);
    const rfs = client(emu);
    await expect(rfs.getStack({ name: 'same', id: old.stackId })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      httpStatus: 400,
    });
    await expect(rfs.getStack({ name: 'same', id: fresh.stackId })).resolves.toMatchObject({ id: fresh.stackId });
    await expect(rfs.getStack('same')).resolves.toMatchObject({ id: fresh.stackId });
  });

  it('401 APIGW.0301: a wrong secret key, not retried, request id exposed', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const rfs = client(emu, { credentials: { accessKey: AK, secretKey: 'wrong-secret-key-0000' } });
    const err = (await rfs.getStack('ok').catch((e: unknown) => e)) as StackfeedError;
    expect(err).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401, providerCode: 'APIGW.0301' });
    expect(err.message).toContain('verify aksk signature fail');
    expect(err.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(emu.server.requests.length).toBe(1);
    expect(JSON.stringify(err.toJSON())).not.toContain('wrong-secret-key-0000');
  });

  it('five bad signatures lock the AK for five minutes, as the gateway does', async () => {
    let now = Date.now();
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })], clock: () => now });
    const bad = client(emu, { credentials: { accessKey: AK, secretKey: 'wrong-secret-key-0000' }, now: () => now });
    const good = client(emu, { now: () => now });
    for (let i = 0; i < 5; i++) await expect(bad.getStack('ok')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const locked = (await good.getStack('ok').catch((e: unknown) => e)) as StackfeedError;
    expect(locked).toMatchObject({ code: 'UNAUTHORIZED', providerCode: 'APIGW.0301' });
    expect(locked.message).toContain('AK access failed to reach the limit');
    now += 5 * 60_000 + 1000;
    await expect(good.getStack('ok')).resolves.toMatchObject({ name: 'ok' });
  });

  it('401 APIGW.0301: a stale X-Sdk-Date (client clock 20 minutes off)', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const rfs = client(emu, { now: () => Date.now() - 20 * 60_000, correctClockSkew: false });
    await expect(rfs.getStack('ok')).rejects.toMatchObject({ code: 'UNAUTHORIZED', providerCode: 'APIGW.0301' });
    const ok = client(emu, { now: () => Date.now() - 10 * 60_000 });
    await expect(ok.getStack('ok')).resolves.toMatchObject({ name: 'ok' });
  });

  it('a client clock 20 minutes off is corrected from the server Date after one 401', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const rfs = client(emu, { now: () => Date.now() + 20 * 60_000 });
    await expect(rfs.getStack('ok')).resolves.toMatchObject({ name: 'ok' });
    await expect(rfs.getStack('ok')).resolves.toMatchObject({ name: 'ok' });
    // One rejected attempt, then signed with the server's time for good.
    expect(emu.server.requests.length).toBe(3);
    const sdkDate = (d: string) =>
      Date.parse(
        `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`,
      );
    const dates = emu.server.requests.map((r) => sdkDate(r.headers['x-sdk-date'] as string));
    expect(Math.abs((dates[0] as number) - Date.now())).toBeGreaterThan(15 * 60_000);
    expect(Math.abs((dates[2] as number) - Date.now())).toBeLessThan(5 * 60_000);
    // A wrong key is not mistaken for a clock problem: no extra attempt.
    const bad = client(emu, { credentials: { accessKey: AK, secretKey: 'wrong-secret-key-0000' } });
    const before = emu.server.requests.length;
    await expect(bad.getStack('ok')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(emu.server.requests.length - before).toBe(1);
  });

  it('403 with encoded_authorization_message', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    emu.server.faults.inject({
      kind: 'status',
      status: 403,
      body: {
        error_code: 'RF.10010403',
        error_msg: "Policy doesn't allow rf:stack:listStackEvents to be performed.",
        encoded_authorization_message: 'Egpjbi1ub3J0aC00',
      },
      headers: { 'x-request-id': 'req-403' },
    });
    const err = (await client(emu)
      .listStackEvents('ok')
      .toArray({ limit: 1 })
      .catch((e: unknown) => e)) as StackfeedError;
    expect(err).toMatchObject({
      code: 'FORBIDDEN',
      httpStatus: 403,
      providerCode: 'RF.10010403',
      requestId: 'req-403',
      retryable: false,
    });
    expect(err.message).toContain('Egpjbi1ub3J0aC00');
  });

  it('404: unknown deployment id; unknown stack', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const rfs = client(emu);
    await expect(
      rfs.listStackEvents('ok', { deploymentId: '11111111-2222-3333-4444-555555555555' }).toArray({ limit: 1 }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, providerCode: 'RF.10012405' });
    await expect(rfs.getStack('nope')).rejects.toMatchObject({ code: 'NOT_FOUND', providerCode: 'RF.10012404' });
  });

  it('429 is retried (fresh X-Sdk-Date and Client-Request-Id per attempt) and succeeds', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    emu.server.faults.inject(
      { kind: 'throttle', body: { error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached' } },
      { times: 2 },
    );
    const info = await client(emu).getStack('ok');
    expect(info.name).toBe('ok');
    const ids = emu.server.requests.map((r) => r.headers['client-request-id']);
    expect(ids.length).toBe(3);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('429 that persists ends THROTTLED', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    emu.server.faults.inject({ kind: 'throttle' }, { times: Number.POSITIVE_INFINITY });
    await expect(client(emu, { retry: { maxAttempts: 2, baseDelayMs: 1 } }).getStack('ok')).rejects.toMatchObject({
      code: 'THROTTLED',
      httpStatus: 429,
    });
    expect(emu.server.requests.length).toBe(2);
  });

  it('500 is retried; a persistent 500 is SERVER with the provider code', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const body = { error_code: 'RF.10010500', error_msg: 'Internal server error' };
    emu.server.faults.inject({ kind: 'status', status: 500, body }, { times: 1 });
    await expect(client(emu).getStack('ok')).resolves.toMatchObject({ name: 'ok' });
    emu.server.faults.inject({ kind: 'status', status: 500, body, headers: { 'x-request-id': 'r500' } }, { times: 10 });
    await expect(client(emu, { retry: { maxAttempts: 3, baseDelayMs: 1 } }).getStack('ok')).rejects.toMatchObject({
      code: 'SERVER',
      httpStatus: 500,
      providerCode: 'RF.10010500',
      requestId: 'r500',
      retryable: true,
    });
  });

  it('{code, message} bodies and HTML pages are handled', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    emu.server.faults.inject({ kind: 'status', status: 400, body: { code: 'RF.1', message: 'bad thing' } });
    await expect(client(emu).getStack('ok')).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      providerCode: 'RF.1',
      message: expect.stringContaining('bad thing'),
    });
    emu.server.faults.inject({ kind: 'html', status: 400 });
    await expect(client(emu).getStack('ok')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    emu.server.faults.inject({ kind: 'malformed-json' });
    await expect(client(emu).getStack('ok')).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
  });
});

describe('auth', () => {
  it('temporary credentials send and sign X-Security-Token', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const rfs = client(emu, { credentials: { accessKey: TEMP_AK, secretKey: TEMP_SK, securityToken: TEMP_TOKEN } });
    await expect(rfs.getStack('ok')).resolves.toMatchObject({ name: 'ok' });
    const h = emu.server.requests[0]?.headers ?? {};
    expect(h['x-security-token']).toBe(TEMP_TOKEN);
    expect(h.authorization).toContain('x-security-token');
    expect(h['x-project-id']).toBe(emu.projectId);
    const noToken = client(emu, { credentials: { accessKey: TEMP_AK, secretKey: TEMP_SK } });
    await expect(noToken.getStack('ok')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('reads HUAWEICLOUD_SDK_AK / _SK / _PROJECT_ID / _SECURITY_TOKEN', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const rfs = new RfsClient({
      region: 'cn-north-4',
      endpoint: emu.url,
      env: {
        HUAWEICLOUD_SDK_AK: TEMP_AK,
        HUAWEICLOUD_SDK_SK: TEMP_SK,
        HUAWEICLOUD_SDK_SECURITY_TOKEN: TEMP_TOKEN,
        HUAWEICLOUD_SDK_PROJECT_ID: emu.projectId,
      },
    });
    expect(rfs.projectId).toBe(emu.projectId);
    await expect(rfs.getStack('ok')).resolves.toMatchObject({ name: 'ok' });
    expect(() => new RfsClient({ region: 'cn-north-4', env: { HUAWEICLOUD_SDK_PROJECT_ID: 'p' } })).toThrow(
      /credentials/,
    );
    expect(
      () => new RfsClient({ region: 'cn-north-4', env: { HUAWEICLOUD_SDK_AK: 'a', HUAWEICLOUD_SDK_SK: 'b' } }),
    ).toThrow(/project id/);
  });

  it('IAM password → token (cached, shared by concurrent calls), X-Auth-Token on RFS calls, renewed after a 401', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const rfs = client(emu, { credentials: { password: USER }, iamEndpoint: emu.url });
    await Promise.all([rfs.getStack('ok'), rfs.getStack('ok'), rfs.listStackEvents('ok').toArray({ limit: 5 })]);
    expect(emu.tokensIssued).toBe(1);
    const tokenReq = emu.server.requests.find((r) => r.path === '/v3/auth/tokens');
    expect(JSON.parse(tokenReq?.body ?? '{}').auth.scope).toEqual({ project: { id: emu.projectId } });
    const rfsReqs = emu.server.requests.filter((r) => r.path.startsWith('/v1/'));
    expect(rfsReqs.every((r) => typeof r.headers['x-auth-token'] === 'string' && !r.headers.authorization)).toBe(true);
    expect(rfsReqs.every((r) => typeof r.headers['client-request-id'] === 'string')).toBe(true);
    // The gateway rejects the token once: a new one is fetched and the call retried.
    emu.server.faults.inject(
      {
        kind: 'status',
        status: 401,
        body: { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: decrypt token fail' },
      },
      { match: (r) => r.url.pathname.startsWith('/v1/') },
    );
    await expect(rfs.getStack('ok')).resolves.toMatchObject({ name: 'ok' });
    expect(emu.tokensIssued).toBe(2);
  });

  it('one caller aborting does not fail the IAM token fetch shared with the others', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    emu.server.faults.inject({ kind: 'delay', ms: 150 }, { match: (r) => r.url.pathname === '/v3/auth/tokens' });
    const rfs = client(emu, { credentials: { password: USER }, iamEndpoint: emu.url });
    const ac = new AbortController();
    const a = rfs.getStack('ok', { signal: ac.signal });
    const b = rfs.getStack('ok');
    ac.abort();
    await expect(a).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(b).resolves.toMatchObject({ name: 'ok' });
    expect(emu.tokensIssued).toBe(1);
  });

  it('renews the IAM token shortly before expires_at', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    let skew = 0;
    const rfs = client(emu, { credentials: { password: USER }, iamEndpoint: emu.url, now: () => Date.now() + skew });
    await rfs.getStack('ok');
    await rfs.getStack('ok');
    expect(emu.tokensIssued).toBe(1);
    skew = 24 * 3_600_000 - 4 * 60_000; // 4 minutes before the 24 h expiry: inside the 5 minute margin
    await rfs.getStack('ok');
    expect(emu.tokensIssued).toBe(2);
    const tokens = emu.server.requests.filter((r) => r.path.startsWith('/v1/')).map((r) => r.headers['x-auth-token']);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[1]);
  });

  it('no credential reaches a log entry, an error or inspect output', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const entries: unknown[] = [];
    const logger = (e: unknown) => entries.push(e);
    const tokenClient = client(emu, { credentials: { password: USER }, iamEndpoint: emu.url, logger });
    await tokenClient.getStack('ok');
    emu.server.faults.inject({ kind: 'status', status: 500, body: { error_code: 'X', error_msg: 'y' } }, { times: 1 });
    await tokenClient.getStack('ok');
    const akClient = client(emu, {
      credentials: { accessKey: TEMP_AK, secretKey: TEMP_SK, securityToken: TEMP_TOKEN },
      logger,
    });
    await akClient.getStack('ok');
    const err = await akClient.getStack('missing').catch((e: unknown) => e);
    const { inspect } = await import('node:util');
    const issuedToken = emu.server.requests.find((r) => r.headers['x-auth-token'])?.headers['x-auth-token'] as string;
    expect(issuedToken).toBeTruthy();
    const everything = JSON.stringify(entries) + JSON.stringify(err) + inspect(err) + String(err);
    expect(entries.length).toBeGreaterThan(3);
    for (const secret of [USER.password, issuedToken, TEMP_SK, TEMP_TOKEN, TEMP_AK, SK]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('a wrong IAM password is UNAUTHORIZED and the password never shows', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const rfs = client(emu, {
      credentials: { password: { ...USER, password: 'wrong-password-123' } },
      iamEndpoint: emu.url,
    });
    const err = (await rfs.getStack('ok').catch((e: unknown) => e)) as StackfeedError;
    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.message).toContain('username or password is wrong');
    expect(JSON.stringify(err.toJSON())).not.toContain('wrong-password-123');
  });

  it('a given IAM token is sent as X-Auth-Token; an unknown token is rejected by the gateway', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const rfs = client(emu, { credentials: { token: 'MIIunknown-token-value' } });
    await expect(rfs.getStack('ok')).rejects.toMatchObject({ code: 'UNAUTHORIZED', providerCode: 'APIGW.0301' });
    expect(emu.server.requests[0]?.headers['x-auth-token']).toBe('MIIunknown-token-value');
  });
});

describe('endpoints', () => {
  it('derives the endpoint from the region, including the regions with another host, and the env override', () => {
    const mk = (region: string, env: Record<string, string> = {}) =>
      new RfsClient({ region, projectId: 'p', credentials: { accessKey: AK, secretKey: SK }, env }).endpoint;
    expect(mk('cn-north-4')).toBe('https://rfs.cn-north-4.myhuaweicloud.com');
    expect(mk('eu-west-101')).toBe('https://aos.myhuaweicloud.eu');
    expect(mk('ap-southeast-9')).toBe('https://rfs.ap-southeast-9.myhuaweicloud.com');
    expect(mk('cn-north-4', { HUAWEICLOUD_SDK_REGION_RFS_CN_NORTH_4: 'https://rfs.internal:8443/,https://b' })).toBe(
      'https://rfs.internal:8443',
    );
    expect(() => mk('CN north')).toThrow(/region/);
    expect(
      new RfsClient({
        region: 'cn-north-4',
        projectId: 'p',
        endpoint: 'https://x.example/',
        credentials: { accessKey: AK, secretKey: SK },
      }).endpoint,
    ).toBe('https://x.example');
  });
});
