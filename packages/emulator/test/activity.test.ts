import { afterEach, describe, expect, it, vi } from 'vitest';
import { heatActivity, startHeatEmulator } from '../src/heat/index.js';
import { ImageBuilderStore, ManualClock, imageBuilderActivity } from '../src/imagebuilder/index.js';
import {
  type EmulatorServer,
  RequestCounter,
  RunningClock,
  canonicalJson,
  credentialOf,
  maxInWindow,
  startEmulator,
} from '../src/index.js';
import { ParallelClusterWorld, parallelClusterActivity } from '../src/parallelcluster/index.js';
import { RfsStore, rfsActivity } from '../src/rfs/index.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of closers.splice(0)) await c();
});

const T0 = Date.UTC(2026, 5, 1);

describe('RunningClock', () => {
  it('runs at its speed by itself, maps scenario instants back to wall time, and still jumps on advance', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const clock = new RunningClock({ start: 5_000, speed: 10 });
    expect(clock.now()).toBe(5_000);
    vi.setSystemTime(T0 + 1_000);
    expect(clock.now()).toBe(15_000);
    expect(clock.wallOf(15_000)).toBe(T0 + 1_000);
    expect(clock.wallOf(5_000)).toBe(T0);
    clock.advance(500);
    expect(clock.now()).toBe(15_500);
    // A clock that defaults to the wall clock reads real times at speed 1.
    expect(new RunningClock().now()).toBe(T0 + 1_000);
  });
});

describe('who a request counts against', () => {
  const req = (headers: Record<string, string>, rawPath = '/') => ({ headers, rawPath });
  it('names the access key of a SigV4 or Huawei signature, the OpenStack project, else a token digest', () => {
    expect(
      credentialOf(
        req({
          authorization:
            'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/imagebuilder/aws4_request, SignedHeaders=host, Signature=ab',
        }),
      ),
    ).toBe('aws:AKIAEXAMPLE');
    expect(credentialOf(req({ authorization: 'SDK-HMAC-SHA256 Access=HWAK1, SignedHeaders=host, Signature=cd' }))).toBe(
      'huawei:HWAK1',
    );
    expect(credentialOf(req({}, '/v1/proj-a/stacks'))).toBe('openstack:proj-a');
    const token = credentialOf(req({ 'x-auth-token': 'gAAAAsecret-token-value' }, '/v3/auth/tokens'));
    expect(token).toMatch(/^token:[0-9a-f]{12}$/);
    expect(token).not.toContain('secret');
    expect(credentialOf(req({ authorization: 'Bearer nothing-we-know' }, '/'))).toBe('anonymous');
  });

  it('counts arrivals per key at the server, in a sliding window', async () => {
    const server: EmulatorServer = await startEmulator({ handler: () => ({ status: 200, body: {} }) });
    closers.push(() => server.close());
    const counter = new RequestCounter().attach(server);
    for (const p of ['a', 'a', 'b']) await (await fetch(`${server.url}/v1/${p}/stacks`)).text();
    expect(counter.keys()).toEqual(['openstack:a', 'openstack:b']);
    expect(counter.count('openstack:a')).toBe(2);
    expect(counter.count()).toBe(3);
    expect(counter.count('openstack:nobody')).toBe(0);
    expect(counter.arrivals('openstack:a')).toHaveLength(2);
    // The requests still reached the handler: the counter is a tap, not a fault.
    expect(server.requests.every((r) => r.fault === undefined)).toBe(true);
  });

  it('maxInWindow is the fullest half-open window', () => {
    expect(maxInWindow([], 1000)).toBe(0);
    expect(maxInWindow([0, 10, 999, 1000, 1500, 1999], 1000)).toBe(3);
    expect(maxInWindow([0, 10, 999, 1000, 1500, 1998], 1000)).toBe(4);
    expect(maxInWindow([0, 1000, 2000], 1000)).toBe(1);
  });
});

describe('heatActivity', () => {
  it('adds staggered stacks that appear when created, with creates, failures, updates and deletes; the truth is the event log', async () => {
    const clock = new ManualClock(T0);
    const emu = await startHeatEmulator({ clock, tenant: 'scale' });
    closers.push(() => emu.close());
    const act = heatActivity(emu, {
      count: 40,
      spanMs: 120_000,
      seed: 7,
      failRate: 0.25,
      updateRate: 0.5,
      deleteRate: 0.4,
    });
    expect(act.truth).toBe('log');
    expect(act.targets).toHaveLength(40);
    const starts = act.targets.map((t) => t.operations[0]?.startAt as number);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(starts[0]).toBeGreaterThanOrEqual(T0);
    const ops = act.targets.flatMap((t) => t.operations);
    expect(ops.some((o) => o.action === 'CREATE' && o.fails)).toBe(true);
    expect(ops.some((o) => o.action === 'UPDATE')).toBe(true);
    expect(ops.some((o) => o.action === 'DELETE')).toBe(true);
    const list = async () =>
      (
        (await (await fetch(`${emu.heatUrl}/stacks`)).json()) as {
          stacks: Array<{ stack_name: string; stack_status: string }>;
        }
      ).stacks;
    // Not created yet: not listed, not found.
    const last = act.targets[39] as (typeof act.targets)[number];
    expect((await list()).map((s) => s.stack_name)).not.toContain(last.name);
    expect((await fetch(`${emu.heatUrl}/stacks/${last.name}`, { redirect: 'manual' })).status).toBe(404);
    expect(act.events(last.id)).toEqual([]);
    clock.set(act.endsAt + 1);
    const listed = await list();
    for (const t of act.targets) {
      const final = t.operations[t.operations.length - 1];
      const shown = listed.find((s) => s.stack_name === t.name);
      if (final?.action === 'DELETE') expect(shown, t.name).toBeUndefined();
      else expect(shown?.stack_status, t.name).toBe(final?.fails ? 'CREATE_FAILED' : `${final?.action}_COMPLETE`);
      const stack = emu.stacks.get(t.id);
      if (!stack) throw new Error(`no stack ${t.name}`);
      expect(act.events(t.id).map((e) => e.key)).toEqual(emu.visibleEvents(stack).map((e) => e.id));
    }
    expect(act.events('no-such-stack')).toEqual([]);
  });

  it('the same seed gives the same activity, another seed another one', async () => {
    const plan = (seed: number) => {
      const host = { now: () => T0, addStack: (name: string) => ({ id: name, name }) as never };
      return heatActivity(host, { count: 20, seed }).targets.map((t) => t.operations);
    };
    expect(plan(3)).toEqual(plan(3));
    expect(plan(3)).not.toEqual(plan(4));
  });
});

describe('rfsActivity', () => {
  it('adds stacks that exist from their first deployment, some rolled back, some updated; the truth is each stored record', () => {
    let now = T0;
    const store = new RfsStore(() => now, 'clock');
    const act = rfsActivity({ store, addScenario: (s) => store.addScenario(s) }, now, {
      count: 30,
      spanMs: 60_000,
      failRate: 0.3,
      updateRate: 0.5,
    });
    expect(store.liveStacks().length).toBeLessThan(30);
    now = act.endsAt + 1000;
    store.catchUp();
    expect(store.liveStacks()).toHaveLength(30);
    for (const t of act.targets) {
      const st = store.stack(t.name);
      const final = t.operations[t.operations.length - 1];
      expect(st?.status, t.name).toBe(final?.fails ? 'ROLLBACK_COMPLETE' : 'DEPLOYMENT_COMPLETE');
      const truth = act.events(t.id);
      expect(truth.map((e) => e.key)).toEqual(st?.events.map((e) => canonicalJson(e.wire)));
      // No two records of one stack are the same (RFS events carry no id).
      expect(new Set(truth.map((e) => e.key)).size).toBe(truth.length);
      if (t.operations.some((o) => o.action === 'UPDATE')) expect(st?.deployments.size).toBe(2);
    }
    expect(act.targets.some((t) => t.operations.some((o) => o.fails))).toBe(true);
    expect(act.targets.some((t) => t.operations.some((o) => o.action === 'UPDATE'))).toBe(true);
  });
});

describe('parallelClusterActivity', () => {
  it('adds cluster stacks that create, fail and roll back, or update; the truth is CloudFormation’s event log', () => {
    const clock = new ManualClock(T0);
    const world = new ParallelClusterWorld({ clock });
    const act = parallelClusterActivity(world, { count: 30, spanMs: 60_000, failRate: 0.3, updateRate: 0.5 });
    const first = act.targets[0] as (typeof act.targets)[number];
    const late = act.targets[29] as (typeof act.targets)[number];
    clock.set((first.operations[0]?.startAt as number) + 1);
    expect(world.cfn.find(late.name)).toBeUndefined();
    expect(act.events(first.id).length).toBeGreaterThan(0);
    clock.set(act.endsAt + 1);
    for (const t of act.targets) {
      const final = t.operations[t.operations.length - 1];
      const view = world.cfn.view(world.cfn.stack(t.id) as NonNullable<ReturnType<typeof world.cfn.stack>>);
      expect(view?.status, t.name).toBe(final?.fails ? 'ROLLBACK_COMPLETE' : `${final?.action}_COMPLETE`);
      expect(act.events(t.id).map((e) => e.key)).toEqual(world.cfn.stack(t.id)?.events.map((e) => e.eventId));
    }
    expect(act.targets.some((t) => t.operations[0]?.fails)).toBe(true);
  });
});

describe('imageBuilderActivity', () => {
  it('records each resource state the first time it is served, flags end states, and lists executions once started', () => {
    const clock = new ManualClock(T0);
    const store = new ImageBuilderStore({ clock });
    const act = imageBuilderActivity(store, { count: 12, spanMs: 60_000, failRate: 0.3, deleteRate: 0.5 });
    expect(act.truth).toBe('served');
    const t = act.targets[5] as (typeof act.targets)[number];
    const policy = store.wireLifecycleExecution(t.id)?.lifecyclePolicyArn as string;
    expect(store.wireLifecycleExecutionsFor(policy).map((e) => e.lifecycleExecutionId)).not.toContain(t.id);
    const serve = () => act.onRequest('ListLifecycleExecutionResources', { lifecycleExecutionId: t.id }, store);
    serve();
    expect(act.events(t.id)).toEqual([]);
    clock.set((t.operations[0]?.startAt as number) + 1);
    expect(store.wireLifecycleExecutionsFor(policy).map((e) => e.lifecycleExecutionId)).toContain(t.id);
    serve();
    const early = act.events(t.id);
    expect(early.length).toBeGreaterThan(0);
    expect(early.every((e) => e.key.endsWith('|IN_PROGRESS') && !e.final)).toBe(true);
    serve();
    expect(act.events(t.id)).toEqual(early);
    clock.set(act.endsAt + 1);
    serve();
    const all = act.events(t.id);
    const finals = all.filter((e) => e.final);
    expect(finals.length).toBe(store.wireLifecycleResources(t.id, undefined).total);
    expect(new Set(all.map((e) => e.key)).size).toBe(all.length);
    // Other operations and unknown executions are not served events.
    act.onRequest('GetLifecycleExecution', { lifecycleExecutionId: t.id }, store);
    act.onRequest('ListLifecycleExecutionResources', { lifecycleExecutionId: 'lce-unknown' }, store);
    expect(act.events(t.id)).toEqual(all);
    expect(act.events('lce-unknown')).toEqual([]);
  });
});
