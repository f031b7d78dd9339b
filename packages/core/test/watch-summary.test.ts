import { describe, expect, it } from 'vitest';
import {
  type Deployment,
  type LogEntry,
  type OperationMark,
  type StackEvent,
  type WatchSource,
  watchEvents,
} from './entry.js';
import { SUMMARY_MAX_EVENTS } from '../src/watch/watch.js';

interface Ev {
  id: string;
  timestamp: Date;
  mark?: OperationMark;
}
const T0 = Date.parse('2024-05-01T10:00:00Z');
const evs = (ids: [string, OperationMark?][]): Ev[] =>
  ids.map(([id, mark], i) => ({ id, timestamp: new Date(T0 + i * 1000), ...(mark ? { mark } : {}) }));
const FAST = { pollIntervalMs: 10, maxPollIntervalMs: 20 };

/** A deployment as a summary would build it; only the fields these tests read matter. */
const fakeDeployment = (ids: string[], cause?: StackEvent): Deployment => ({
  provider: 'openstack-heat',
  stack: { name: 's' },
  id: ids[0] ?? 'none',
  action: 'UPDATE',
  outcome: cause ? 'failed' : 'succeeded',
  status: ids.at(-1) ?? '',
  resources: [],
  counts: { events: ids.length, resources: 0, complete: 0, failed: 0, inProgress: 0 },
  ...(cause ? { rootCause: { event: cause, resource: cause.resource, stack: cause.stack, reason: 'boom' } } : {}),
});

function source(events: Ev[], summarize?: WatchSource<Ev>['summarize']): WatchSource<Ev> & { seen: string[][] } {
  const seen: string[][] = [];
  return {
    seen,
    provider: 'openstack-heat',
    operation: 'w',
    poll: () => events,
    checkTerminal: () => ({ terminal: true, outcome: 'failed' }),
    operationMark: (e) => e.mark,
    ...(summarize
      ? {
          summarize: (got: readonly Ev[]) => {
            seen.push(got.map((e) => e.id));
            return summarize(got);
          },
        }
      : {}),
  };
}

async function drain(it: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of it) n++;
  return n;
}

const causeEvent = { resource: { logicalId: 'db' }, stack: { name: 'nested' } } as StackEvent;

describe('WatchResult.deployment and rootCause', () => {
  it('summarize sees the yielded events from the last operation start on; its deployment and root cause are in the result', async () => {
    const all = evs([['A-start', 'start'], ['A-end', 'end'], ['B-start', 'start'], ['B-r1'], ['B-failed', 'end']]);
    const src = source(all, (got) => ({
      deployment: fakeDeployment(
        got.map((e) => e.id),
        causeEvent,
      ),
    }));
    const stream = watchEvents(src);
    expect(await drain(stream)).toBe(5);
    expect(src.seen).toEqual([['B-start', 'B-r1', 'B-failed']]);
    expect(stream.result?.deployment?.id).toBe('B-start');
    expect(stream.result?.rootCause?.stack).toEqual({ name: 'nested' }); // from the deployment
  });

  it('a summary that throws is logged and left out; the watch still ends normally', async () => {
    const logs: LogEntry[] = [];
    const src = source(evs([['x']]), () => {
      throw new Error('bad summary');
    });
    const stream = watchEvents(src, { ...FAST, logger: (e) => logs.push(e) });
    expect(await drain(stream)).toBe(1);
    expect(stream.result?.outcome).toBe('failed');
    expect(stream.result?.deployment).toBeUndefined();
    expect(stream.result?.rootCause).toBeUndefined();
    expect(logs.some((l) => /deployment summary failed: Error: bad summary/.test(l.message ?? ''))).toBe(true);
  });

  it('no summarize: no deployment in the result', async () => {
    const stream = watchEvents(source(evs([['x']])));
    await drain(stream);
    expect(stream.result).not.toHaveProperty('deployment');
    expect(stream.result).not.toHaveProperty('rootCause');
  });

  it('an operation with more events than SUMMARY_MAX_EVENTS: no summary (never a partial one), and it is logged', async () => {
    const many: Ev[] = Array.from({ length: SUMMARY_MAX_EVENTS + 1 }, (_, i) => ({
      id: `e${i}`,
      timestamp: new Date(T0 + i),
    }));
    const logs: LogEntry[] = [];
    const src = source(many, () => ({ deployment: fakeDeployment(['x']) }));
    const stream = watchEvents(src, { ...FAST, logger: (e) => logs.push(e) });
    expect(await drain(stream)).toBe(many.length);
    expect(src.seen).toEqual([]);
    expect(stream.result?.deployment).toBeUndefined();
    expect(logs.some((l) => /no deployment summary/.test(l.message ?? ''))).toBe(true);
  });
});

describe('summary retention', () => {
  it('a start inside an open operation (a cleanup phase) keeps what came before it', async () => {
    const all = evs([['U-start', 'start'], ['U-r1'], ['U-cleanup', 'start'], ['U-end', 'end']]);
    const src = source(all, (got) => ({ deployment: fakeDeployment(got.map((e) => e.id)) }));
    await drain(watchEvents(src));
    expect(src.seen).toEqual([['U-start', 'U-r1', 'U-cleanup', 'U-end']]);
  });
});
