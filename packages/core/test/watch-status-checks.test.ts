import { describe, expect, it } from 'vitest';
import { DEFAULT_QUIET_POLLS, FreshEvents, StatusChecks } from '../src/adapter.js';

interface Ev {
  id: string;
  timestamp: Date;
  end?: boolean;
}
const ev = (id: string, s: number, end = false): Ev => ({ id, timestamp: new Date(s * 1000), end });
const checks = (quietPolls?: number) => new StatusChecks<Ev>({ hint: (e) => e.end === true, quietPolls });

describe('StatusChecks', () => {
  it('asks on every check until the target was found once', () => {
    const c = checks();
    c.polled({ events: [] });
    expect(c.shouldAsk()).toBe(true);
    // A failed or not-found check (no answered()): still asks.
    c.polled({ events: [ev('a', 1)] });
    expect(c.shouldAsk()).toBe(true);
    c.answered();
    c.polled({ events: [ev('b', 2)] });
    expect(c.shouldAsk()).toBe(false);
  });

  it('asks after a hint, once', () => {
    const c = checks();
    c.polled({ events: [ev('a', 1)] });
    c.answered();
    c.polled({ events: [ev('b', 2), ev('c', 3, true), ev('d', 4)] });
    expect(c.shouldAsk()).toBe(true);
    c.answered();
    c.polled({ events: [ev('e', 5)] });
    expect(c.shouldAsk()).toBe(false);
  });

  it('keeps a hint owed while the check fails (no answered)', () => {
    const c = checks();
    c.answered();
    c.polled({ events: [ev('a', 1, true)] });
    expect(c.shouldAsk()).toBe(true);
    c.polled({ events: [ev('b', 2)] });
    expect(c.shouldAsk()).toBe(true);
  });

  it('asks after quietPolls polls without events (default 2), then counts again', () => {
    expect(DEFAULT_QUIET_POLLS).toBe(2);
    const c = checks();
    c.answered();
    c.polled({ events: [] });
    expect(c.shouldAsk()).toBe(false);
    c.polled({ events: [] });
    expect(c.shouldAsk()).toBe(true);
    c.answered();
    c.polled({ events: [] });
    expect(c.shouldAsk()).toBe(false);
    c.polled({ events: [] });
    expect(c.shouldAsk()).toBe(true);
  });

  it('an event between quiet polls starts the count again', () => {
    const c = checks(3);
    c.answered();
    c.polled({ events: [] });
    c.polled({ events: [] });
    c.polled({ events: [ev('a', 1)] });
    c.polled({ events: [] });
    c.polled({ events: [] });
    expect(c.shouldAsk()).toBe(false);
    c.polled({ events: [] });
    expect(c.shouldAsk()).toBe(true);
  });

  it('asks when the listing says the target is gone, until answered', () => {
    const c = checks();
    c.answered();
    c.polled({ events: [ev('a', 1)], gone: true });
    expect(c.shouldAsk()).toBe(true);
    c.polled({ events: [ev('b', 2)] });
    expect(c.shouldAsk()).toBe(true);
    c.answered();
    c.polled({ events: [ev('c', 3)] });
    expect(c.shouldAsk()).toBe(false);
  });

  it('never asks while the poll was capped, not even before the target was found', () => {
    const c = checks();
    c.polled({ events: [ev('a', 1, true)], capped: true });
    expect(c.shouldAsk()).toBe(false);
    c.polled({ events: [ev('b', 2)] });
    expect(c.shouldAsk()).toBe(true);
    c.answered();
    c.polled({ events: [ev('c', 3, true)], capped: true });
    expect(c.shouldAsk()).toBe(false);
    c.polled({ events: [] });
    // The hint of the capped poll is still owed.
    expect(c.shouldAsk()).toBe(true);
  });

  it('refuses a quietPolls that is not a whole number >= 1', () => {
    for (const q of [0, -1, 1.5, Number.NaN]) expect(() => checks(q)).toThrow(RangeError);
    expect(checks(1).quietPolls).toBe(1);
  });
});

describe('FreshEvents', () => {
  it('keeps what is newer than the newest read, and unread ids of that same instant', () => {
    const f = new FreshEvents<Ev>();
    expect(f.newest).toBeUndefined();
    expect(f.take([ev('b', 2), ev('a', 1)]).map((e) => e.id)).toEqual(['b', 'a']);
    expect(f.newest).toBe(2000);
    // The page past the cut is read again whole: b and a are old, b2 shares b's second.
    expect(f.take([ev('c', 3), ev('b2', 2), ev('b', 2), ev('a', 1)]).map((e) => e.id)).toEqual(['c', 'b2']);
    expect(f.take([ev('c', 3)])).toEqual([]);
    expect(f.take([ev('c2', 3), ev('c', 3)]).map((e) => e.id)).toEqual(['c2']);
    expect(f.take([ev('c2', 3), ev('c', 3)])).toEqual([]);
  });
});
