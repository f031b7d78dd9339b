import { describe, expect, it } from 'vitest';
import {
  type OperationMark,
  type StackEvent,
  type StackfeedError,
  stackOperationMark,
  type WatchSource,
  watchEvents,
} from './entry.js';

/** A stack event as far as the engine cares, plus the mark the adapter would derive from it. */
interface Ev {
  id: string;
  timestamp: Date;
  mark?: OperationMark;
}

const T0 = Date.parse('2024-05-01T10:00:00Z');
let clock = 0;
const ev = (id: string, mark?: OperationMark): Ev => ({ id, timestamp: new Date(T0 + clock++ * 1000), mark });

const FAST = { pollIntervalMs: 10, maxPollIntervalMs: 20 };

/**
 * A fake stack: step n of the script is what the server holds at poll n (every poll re-reads the
 * whole listing, as after a restart) and whether the stack is busy when the terminal check follows.
 * The last step repeats.
 */
function fakeStack(steps: { events: Ev[]; busy: boolean }[], opts: { mark?: boolean } = {}) {
  let polls = 0;
  let checks = 0;
  const step = (n: number) => steps[Math.min(n, steps.length - 1)] as { events: Ev[]; busy: boolean };
  const source: WatchSource<Ev, { step: number }> = {
    provider: 'openstack-heat',
    operation: 'watchStackEvents',
    poll: () => step(polls++).events,
    checkTerminal: () => {
      checks++;
      const n = polls - 1;
      return step(n).busy ? { terminal: false } : { terminal: true, status: `IDLE@${n}`, final: { step: n } };
    },
  };
  if (opts.mark !== false) source.operationMark = (e) => e.mark;
  return { source, polls: () => polls, checks: () => checks };
}

async function ids(it: AsyncIterable<Ev>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of it) out.push(e.id);
  return out;
}

describe("watchEvents operation: 'current'", () => {
  // Operation A is over when the watch starts; B starts two polls later and ends after two more.
  const a = [ev('A-start', 'start'), ev('A-r1'), ev('A-end', 'end')];
  const b1 = [ev('B-start', 'start'), ev('B-r1')];
  const b2 = [ev('B-r2'), ev('B-end', 'end')];
  const script = [
    { events: a, busy: false },
    { events: a, busy: false },
    { events: [...a, ...b1], busy: true },
    { events: [...a, ...b1, ...b2], busy: false },
  ];

  it("an older operation's terminal status does not end the watch; the next one is followed to its end", async () => {
    const fake = fakeStack(script);
    const stream = watchEvents(fake.source, { ...FAST, operation: 'current' });
    expect(await ids(stream)).toEqual(['B-start', 'B-r1', 'B-r2', 'B-end']);
    expect(stream.result?.status).toBe('IDLE@3'); // B's end, not A's
    expect(stream.result?.eventsYielded).toBe(4);
    expect(fake.polls()).toBe(5); // 4 steps + the final drain
  });

  it("the default ('all') ends on the old status with the old events: what 'current' exists for", async () => {
    const fake = fakeStack(script);
    const stream = watchEvents(fake.source, FAST);
    expect(await ids(stream)).toEqual(['A-start', 'A-r1', 'A-end']);
    expect(stream.result?.status).toBe('IDLE@0');
  });

  it('a running operation is followed from its start; older operations are not yielded', async () => {
    const c = [ev('C-start', 'start'), ev('C-r1')];
    const fake = fakeStack([
      { events: [...a, ...c], busy: true },
      { events: [...a, ...c, ev('C-end', 'end')], busy: false },
    ]);
    const stream = watchEvents(fake.source, { ...FAST, operation: 'current' });
    expect(await ids(stream)).toEqual(['C-start', 'C-r1', 'C-end']);
  });

  it('pruned start: the stack is busy and its start event is gone: the events after the last end are followed', async () => {
    // The listing kept only the tail: an old end, then the running operation's resource events.
    const tail = [ev('P-old-r'), ev('P-old-end', 'end'), ev('P-r1'), ev('P-r2')];
    const fake = fakeStack([
      { events: tail, busy: true },
      { events: [...tail, ev('P-r3'), ev('P-end', 'end')], busy: false },
    ]);
    const stream = watchEvents(fake.source, { ...FAST, operation: 'current' });
    expect(await ids(stream)).toEqual(['P-r1', 'P-r2', 'P-r3', 'P-end']);
  });

  it('pruned start with no boundary at all in the listing: everything listed is the running operation', async () => {
    const only = [ev('Q-r1'), ev('Q-r2')];
    const fake = fakeStack([
      { events: only, busy: true },
      { events: [...only, ev('Q-end', 'end')], busy: false },
    ]);
    expect(await ids(watchEvents(fake.source, { ...FAST, operation: 'current' }))).toEqual(['Q-r1', 'Q-r2', 'Q-end']);
  });

  it('an idle stack whose listing ends in unmarked events yields none of them and waits for a start', async () => {
    const stray = [ev('S-end', 'end'), ev('S-stray')];
    const next = [ev('N-start', 'start'), ev('N-end', 'end')];
    const fake = fakeStack([
      { events: stray, busy: false },
      { events: [...stray, ...next], busy: false },
    ]);
    // The next operation started and ended between two polls: it is still the one followed.
    expect(await ids(watchEvents(fake.source, { ...FAST, operation: 'current' }))).toEqual(['N-start', 'N-end']);
  });

  it('a failed operation whose rollback is running is followed from the failed operation’s start (root cause included)', async () => {
    const r = [ev('U-start', 'start'), ev('U-res-failed'), ev('U-failed', 'end'), ev('RB-start', 'resume')];
    const fake = fakeStack([
      { events: [...a, ...r], busy: true },
      { events: [...a, ...r, ev('RB-end', 'end')], busy: false },
    ]);
    expect(await ids(watchEvents(fake.source, { ...FAST, operation: 'current' }))).toEqual([
      'U-start',
      'U-res-failed',
      'U-failed',
      'RB-start',
      'RB-end',
    ]);
  });

  it('an operation that starts between the first poll and its check is followed (busy, nothing listed yet)', async () => {
    const d = [ev('D-start', 'start'), ev('D-end', 'end')];
    const fake = fakeStack([
      { events: a, busy: true },
      { events: [...a, ...d], busy: false },
    ]);
    expect(await ids(watchEvents(fake.source, { ...FAST, operation: 'current' }))).toEqual(['D-start', 'D-end']);
  });

  it('a failing terminal check on the first poll is retried with the same held events (none lost)', async () => {
    const tail = [ev('H-r1'), ev('H-r2')];
    const fake = fakeStack([
      { events: tail, busy: true },
      { events: [...tail, ev('H-end', 'end')], busy: false },
    ]);
    const check = fake.source.checkTerminal.bind(fake.source);
    let failures = 1;
    fake.source.checkTerminal = (ctx) => {
      if (failures-- > 0) throw Object.assign(new Error('boom'), { code: 'ECONNRESET' });
      return check(ctx);
    };
    expect(await ids(watchEvents(fake.source, { ...FAST, operation: 'current' }))).toEqual(['H-r1', 'H-r2', 'H-end']);
  });

  it('no operation ever starts: the watch keeps waiting (ended here by the signal), never on the old status', async () => {
    const fake = fakeStack([{ events: a, busy: false }]);
    const ac = new AbortController();
    const seen: string[] = [];
    const stream = watchEvents(fake.source, { ...FAST, operation: 'current', signal: ac.signal });
    const done = (async () => {
      for await (const e of stream) seen.push(e.id);
    })();
    while (fake.polls() < 6) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    const failure = (await done.then(
      () => undefined,
      (e: unknown) => e,
    )) as StackfeedError | undefined;
    expect(failure?.code).toBe('ABORTED');
    expect(seen).toEqual([]);
    expect(fake.checks()).toBe(1); // only the first poll asks; later ones wait for a start
    expect(stream.result).toBeUndefined();
  });

  it('a source without operationMark → CONFIG on the first next(), and no poll is made', async () => {
    const fake = fakeStack(script, { mark: false });
    const failure = await watchEvents(fake.source, { ...FAST, operation: 'current', timeoutMs: 60_000 })
      .next()
      .then(
        () => undefined,
        (e: StackfeedError) => e,
      );
    expect(failure?.code).toBe('CONFIG');
    expect(failure?.message).toMatch(/operation: 'current'/);
    expect(fake.polls()).toBe(0);
  });

  it('an unknown operation value → CONFIG', async () => {
    const fake = fakeStack(script);
    const failure = await watchEvents(fake.source, { ...FAST, operation: 'latest' as 'current' })
      .next()
      .then(
        () => undefined,
        (e: StackfeedError) => e,
      );
    expect(failure?.code).toBe('CONFIG');
  });
});

describe('a start while an operation is open continues it', () => {
  it("CloudFormation's UPDATE_COMPLETE_CLEANUP_IN_PROGRESS does not cut the running update", async () => {
    const up = [ev('U-start', 'start'), ev('U-r1'), ev('U-cleanup', 'start'), ev('U-r2')];
    const fake = fakeStack([
      { events: up, busy: true },
      { events: [...up, ev('U-end', 'end')], busy: false },
    ]);
    expect(await ids(watchEvents(fake.source, { ...FAST, operation: 'current' }))).toEqual([
      'U-start',
      'U-r1',
      'U-cleanup',
      'U-r2',
      'U-end',
    ]);
  });
});

describe('stackOperationMark', () => {
  const base = {
    provider: 'openstack-heat',
    id: 'x',
    timestamp: new Date(T0),
    resource: {},
    status: 'S',
    raw: {},
  } as const;
  const mk = (over: Partial<StackEvent>): StackEvent => ({
    ...base,
    stack: { id: 'sid', name: 'web' },
    action: 'UPDATE',
    phase: 'IN_PROGRESS',
    isStackEvent: true,
    ...over,
  });
  const mark = stackOperationMark({ id: 'sid', name: 'web' });

  it('marks the stack’s own IN_PROGRESS as start, ROLLBACK IN_PROGRESS as resume, terminal phases as end', () => {
    expect(mark(mk({}))).toBe('start');
    expect(mark(mk({ action: 'ROLLBACK' }))).toBe('resume');
    for (const phase of ['COMPLETE', 'FAILED', 'SKIPPED', 'CANCELLED'] as const)
      expect(mark(mk({ phase }))).toBe('end');
    expect(mark(mk({ stack: { name: 'web' } }))).toBe('start'); // by name alone
    expect(mark(mk({ stack: {} }))).toBe('start'); // a stack-level event naming no stack is the stack's own
    expect(mark(mk({ action: 'UPDATE', status: 'UPDATE_ROLLBACK_IN_PROGRESS' }))).toBe('resume');
  });

  it('marks nothing on resource events, nested stacks, other stacks, and other phases', () => {
    expect(mark(mk({ isStackEvent: false }))).toBeUndefined();
    expect(mark(mk({ isStackEvent: undefined }))).toBeUndefined();
    expect(mark(mk({ stack: { id: 'child', name: 'web-db', rootId: 'sid' } }))).toBeUndefined();
    expect(mark(mk({ stack: { id: 'other', name: 'other' } }))).toBeUndefined();
    expect(mark(mk({ stack: { id: 'sid-2', name: 'web' } }))).toBeUndefined(); // ids decide when both have one
    expect(mark(mk({ phase: 'UNKNOWN' }))).toBeUndefined();
    expect(mark(mk({ phase: 'INFO' }))).toBeUndefined();
  });
});
