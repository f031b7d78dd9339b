import { describe, expect, it } from 'vitest';
import { Backlog } from '../src/subscribe/backlog.js';

describe('subscription backlog', () => {
  it('hands a value to the waiting reader at once, else queues it in order', async () => {
    const b = new Backlog<{ n: number }>(10);
    const waiting = b.next();
    expect(b.offer({ n: 1 })).toBe(true);
    expect(await waiting).toEqual({ done: false, value: { n: 1 } });
    b.offer({ n: 2 });
    b.offer({ n: 3 });
    expect(await b.next()).toEqual({ done: false, value: { n: 2 } });
    expect(await b.next()).toEqual({ done: false, value: { n: 3 } });
  });

  it('refuses a value past max unread, and takes one again once read', async () => {
    const b = new Backlog<{ n: number }>(2);
    expect([b.offer({ n: 1 }), b.offer({ n: 2 }), b.offer({ n: 3 })]).toEqual([true, true, false]);
    await b.next();
    expect(b.offer({ n: 4 })).toBe(true);
    expect((await b.next()).value).toEqual({ n: 2 });
    expect((await b.next()).value).toEqual({ n: 4 });
  });

  it('a failure comes after the values queued before it, and to every later read', async () => {
    const b = new Backlog<{ n: number }>(5);
    b.offer({ n: 1 });
    b.fail(new Error('lost'));
    expect((await b.next()).value).toEqual({ n: 1 });
    await expect(b.next()).rejects.toThrow('lost');
    await expect(b.next()).rejects.toThrow('lost');
  });

  it('a failure rejects the waiting reader; a close after it does not resolve that reader', async () => {
    const b = new Backlog<{ n: number }>(5);
    const waiting = b.next();
    b.fail(new Error('lost'));
    expect(b.close()).toBe(true);
    await expect(waiting).rejects.toThrow('lost');
  });

  it('close tells the waiting reader it is done, and later reads too; a second close is a no-op', async () => {
    const b = new Backlog<{ n: number }>(5);
    const waiting = b.next();
    expect(b.closed).toBe(false);
    expect(b.close()).toBe(true);
    expect(b.closed).toBe(true);
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(await b.next()).toEqual({ done: true, value: undefined });
    expect(b.close()).toBe(false);
  });
});
