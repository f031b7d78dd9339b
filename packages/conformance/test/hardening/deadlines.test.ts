/**
 * Issue 13, "Every call ends", on every provider target: a body trickling a byte per 50 ms and a
 * server that accepts and never answers both fail TIMEOUT at the per-attempt deadline (connect +
 * headers + the whole body), and `totalTimeoutMs` ends a call across retries. Codes and attempt
 * counts only; never a duration.
 */
import { StackfeedError } from '@stackfeed/core';
import type { Fault } from '@stackfeed/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TARGETS, type TargetCtx } from './targets.js';

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe.each(TARGETS)('deadlines: $name', (t) => {
  let ctx: TargetCtx;
  beforeAll(async () => {
    ctx = await t.start({ maxAttempts: 2, timeoutMs: 300 });
  });
  afterAll(() => ctx.close());
  afterEach(() => {
    ctx.server.faults.clear();
    ctx.server.requests.length = 0;
    ctx.rebuild({ maxAttempts: 2, timeoutMs: 300 });
  });

  const hostile: Array<[string, Fault]> = [
    ['a body trickling 1 byte per 50 ms', { kind: 'trickle', intervalMs: 50 }],
    ['a server that accepts and never answers', { kind: 'silent' }],
  ];
  for (const [label, fault] of hostile) {
    for (const op of ['list', 'page'] as const) {
      it(`${label} (${op}): TIMEOUT at the per-attempt deadline, a bounded number of attempts`, async () => {
        let token: string | undefined;
        if (op === 'page') {
          const pages = ctx.list(ctx.pageSize).byPage({ pageSize: ctx.pageSize })[Symbol.asyncIterator]();
          token = ((await pages.next()).value as { continuationToken?: string }).continuationToken;
          await pages.return?.(undefined);
          expect(token).toBeTypeOf('string');
          ctx.server.requests.length = 0;
        }
        ctx.server.faults.inject(fault, { match: (r) => ctx.isApi(r), times: Number.POSITIVE_INFINITY });
        const err = await failure(async () => {
          if (!token) return ctx.list().toArray({ limit: 10_000 });
          for await (const _ of ctx.list().byPage({ continuationToken: token }));
        });
        expect(StackfeedError.is(err), String(err)).toBe(true);
        expect((err as StackfeedError).code, String(err)).toBe('TIMEOUT');
        const n = ctx.server.requests.filter((r) => r.fault === fault.kind).length;
        expect(n).toBeGreaterThanOrEqual(1);
        // Two attempts; Heat's list first gets a 302 to the stack's canonical URL, whose headers
        // come at once under a trickle (the client follows it): one more request, not an attempt.
        const redirectHop = ctx.name === 'heat' && fault.kind === 'trickle' && op === 'list' ? 1 : 0;
        expect(n).toBeLessThanOrEqual(2 + redirectHop);
      });
    }
  }

  it('totalTimeoutMs ends a call across retries of a silent server: TIMEOUT before maxAttempts', async () => {
    ctx.rebuild({ maxAttempts: 20, timeoutMs: 200, totalTimeoutMs: 500 });
    ctx.server.faults.inject({ kind: 'silent' }, { match: (r) => ctx.isApi(r), times: Number.POSITIVE_INFINITY });
    const err = await failure(() => ctx.list().toArray({ limit: 10_000 }));
    expect(StackfeedError.is(err), String(err)).toBe(true);
    expect((err as StackfeedError).code, String(err)).toBe('TIMEOUT');
    // 500 ms of 200 ms attempts: three at most, far from the 20 allowed.
    const n = ctx.server.requests.filter((r) => r.fault === 'silent').length;
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThanOrEqual(4);
  });
});
