import { describe, expect, it } from 'vitest';
import {
  type Action,
  deploymentSummary,
  type Phase,
  type StackEvent,
  stackOperationMark,
  type WatchOptions,
  type WatchSource,
  watchEvents,
} from './entry.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const STACK = { id: 'sid', name: 'web' };
const NESTED = { id: 'nid', name: 'web-db', rootId: 'sid' };
let n = 0;

/** One StackEvent at T0 + `sec` seconds; `of` 'stack' is the stack's own stack-level event. */
function e(
  sec: number,
  of: 'stack' | 'nested-stack' | string,
  action: Action,
  phase: Phase,
  message?: string,
): StackEvent {
  const stackLevel = of === 'stack' || of === 'nested-stack';
  const stack = of === 'nested-stack' || of.startsWith('db') ? NESTED : STACK;
  return {
    provider: 'openstack-heat',
    id: `ev${n++}`,
    timestamp: new Date(T0 + sec * 1000),
    stack,
    resource: { logicalId: stackLevel ? stack.name : of },
    action,
    phase,
    status: `${action}_${phase}`,
    ...(message ? { message } : {}),
    ...(stackLevel ? { isStackEvent: true } : {}),
    raw: {},
  };
}

/** Poll n returns the events of steps 0..n; busy says whether the stack is still running at step n. */
function source(steps: { events: StackEvent[]; busy: boolean }[]): WatchSource<StackEvent> {
  let polls = 0;
  const upTo = (k: number) => steps.slice(0, Math.min(k, steps.length - 1) + 1).flatMap((s) => s.events);
  return {
    provider: 'openstack-heat',
    operation: 'watchStackEvents',
    poll: () => upTo(polls++),
    checkTerminal: () =>
      steps[Math.min(polls - 1, steps.length - 1)]?.busy ? { terminal: false } : { terminal: true, outcome: 'failed' },
    operationMark: stackOperationMark(STACK),
    summarize: deploymentSummary({ provider: 'openstack-heat', stack: STACK }),
  };
}

const FAST: WatchOptions = { pollIntervalMs: 10, maxPollIntervalMs: 20 };

async function run(src: WatchSource<StackEvent>, options: WatchOptions) {
  const stream = watchEvents(src, options);
  const seen: StackEvent[] = [];
  for await (const ev of stream) seen.push(ev);
  return { seen, result: stream.result };
}

describe('WatchResult.deployment through groupDeployments', () => {
  // An older, successful create; then an update whose failure sits in a nested stack's resource.
  const old = [
    e(0, 'stack', 'CREATE', 'IN_PROGRESS'),
    e(5, 'app', 'CREATE', 'COMPLETE'),
    e(9, 'stack', 'CREATE', 'COMPLETE'),
  ];
  const update = [
    e(100, 'stack', 'UPDATE', 'IN_PROGRESS'),
    e(101, 'app', 'UPDATE', 'IN_PROGRESS'),
    e(102, 'nested-stack', 'UPDATE', 'IN_PROGRESS'),
    e(103, 'db-volume', 'UPDATE', 'IN_PROGRESS'),
  ];
  const failure = [
    e(110, 'db-volume', 'UPDATE', 'FAILED', 'Quota exceeded for volumes'),
    e(111, 'nested-stack', 'UPDATE', 'FAILED', 'Resource UPDATE failed: db-volume'),
    e(112, 'app', 'UPDATE', 'COMPLETE'),
    e(113, 'stack', 'UPDATE', 'FAILED', 'Embedded stack web-db was not successfully updated'),
  ];

  it("operation 'current': the result is the followed update, with the nested resource's failure as root cause", async () => {
    const { seen, result } = await run(
      source([
        { events: old, busy: false },
        { events: update, busy: true },
        { events: failure, busy: false },
      ]),
      { ...FAST, operation: 'current' },
    );
    expect(seen.map((x) => x.status)[0]).toBe('UPDATE_IN_PROGRESS');
    const d = result?.deployment;
    expect(d?.action).toBe('UPDATE');
    expect(d?.outcome).toBe('failed');
    expect(d?.startedAt).toEqual(new Date(T0 + 100_000));
    expect(d?.endedAt).toEqual(new Date(T0 + 113_000));
    expect(d?.counts.events).toBe(8);
    expect(result?.rootCause?.resource.logicalId).toBe('db-volume');
    expect(result?.rootCause?.reason).toBe('Quota exceeded for volumes');
    expect(result?.rootCause?.stack.id).toBe('nid');
    const volume = d?.resources.find((r) => r.resource.logicalId === 'db-volume');
    expect(volume?.durationSeconds).toBe(7);
  });

  it('default watch over the whole history: the deployment is the last one (the old create is not mixed in)', async () => {
    const { seen, result } = await run(source([{ events: [...old, ...update, ...failure], busy: false }]), FAST);
    expect(seen).toHaveLength(11);
    expect(result?.deployment?.action).toBe('UPDATE');
    expect(result?.deployment?.counts.events).toBe(8);
    expect(result?.rootCause?.resource.logicalId).toBe('db-volume');
  });

  it('pruned start: the deployment has no startedAt (never a guessed one), the root cause is still found', async () => {
    const tail = update.slice(1);
    const { result } = await run(
      source([
        { events: tail, busy: true },
        { events: failure, busy: false },
      ]),
      { ...FAST, operation: 'current' },
    );
    expect(result?.deployment?.startedAt).toBeUndefined();
    expect(result?.deployment?.durationSeconds).toBeUndefined();
    expect(result?.rootCause?.resource.logicalId).toBe('db-volume');
  });

  it('a successful deployment has no root cause', async () => {
    const ok = [
      e(200, 'stack', 'UPDATE', 'IN_PROGRESS'),
      e(201, 'app', 'UPDATE', 'COMPLETE'),
      e(202, 'stack', 'UPDATE', 'COMPLETE'),
    ];
    const { result } = await run(source([{ events: ok, busy: false }]), FAST);
    expect(result?.deployment?.outcome).toBe('succeeded');
    expect(result).not.toHaveProperty('rootCause');
  });

  it('a watch that yielded nothing has no deployment', async () => {
    const { result } = await run(source([{ events: [], busy: false }]), FAST);
    expect(result?.eventsYielded).toBe(0);
    expect(result).not.toHaveProperty('deployment');
  });
});
