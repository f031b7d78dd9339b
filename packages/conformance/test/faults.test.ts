/**
 * Issue 8, item 2: the fault matrix. Every provider, on list, page-resume (byPage continuation
 * token), get and watch, against every fault the emulator harness can inject: either a retry that
 * ends with the complete, duplicate-free result (compared with the ground truth / an unfaulted
 * run), or the right StackfeedError code; always a bounded number of attempts (counted at the
 * emulator) and no unhandled rejection. Image Builder retries through the AWS SDK.
 */
import { StackfeedError } from '@stackfeed/core';
import type { Fault } from '@stackfeed/emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Ctx, HARNESSES, type Op } from './harness.js';

const MAX_ATTEMPTS = 3;
const TIMEOUT_MS = 300;

interface FaultCase {
  label: string;
  fault: Fault;
  /** A single occurrence must be retried away. */
  retryable: boolean;
  /** Codes acceptable when the fault never stops (or, for a non-retryable one, at once). */
  codes: string[];
  needsTimeout?: boolean;
}

const FAULTS: FaultCase[] = [
  { label: '429 without Retry-After', fault: { kind: 'throttle' }, retryable: true, codes: ['THROTTLED'] },
  {
    label: '429 with Retry-After: 1',
    fault: { kind: 'throttle', retryAfter: 1 },
    retryable: true,
    codes: ['THROTTLED'],
  },
  { label: '500', fault: { kind: 'status', status: 500 }, retryable: true, codes: ['SERVER'] },
  { label: '502', fault: { kind: 'status', status: 502 }, retryable: true, codes: ['SERVER'] },
  { label: '503', fault: { kind: 'status', status: 503 }, retryable: true, codes: ['SERVER', 'THROTTLED'] },
  { label: '504', fault: { kind: 'status', status: 504 }, retryable: true, codes: ['TIMEOUT', 'SERVER'] },
  { label: 'reset before the body', fault: { kind: 'reset' }, retryable: true, codes: ['NETWORK'] },
  {
    label: 'reset mid-body',
    fault: { kind: 'reset-mid-body' },
    retryable: false,
    codes: ['NETWORK', 'INVALID_RESPONSE'],
  },
  {
    label: 'slower than the timeout',
    fault: { kind: 'delay', ms: 1500 },
    retryable: true,
    codes: ['TIMEOUT'],
    needsTimeout: true,
  },
  { label: 'malformed body', fault: { kind: 'malformed-json' }, retryable: false, codes: ['INVALID_RESPONSE'] },
  { label: 'truncated body', fault: { kind: 'truncated' }, retryable: false, codes: ['INVALID_RESPONSE', 'NETWORK'] },
  { label: 'HTML error page', fault: { kind: 'html' }, retryable: false, codes: ['SERVER', 'INVALID_RESPONSE'] },
  { label: 'empty 200', fault: { kind: 'empty' }, retryable: false, codes: ['INVALID_RESPONSE'] },
];

const OPS: Op[] = ['list', 'page', 'get', 'watch'];

const unhandled: unknown[] = [];
const onUnhandled = (r: unknown) => unhandled.push(r);

describe.each(HARNESSES)('fault matrix: $name', (h) => {
  let ctx: Ctx;
  let baseline: Record<Op, { requests: number; ids: string[] }>;
  let firstPage: { ids: string[]; token: string };

  const apiRequests = () => ctx.server.requests.filter((r) => ctx.isApi(r)).length;

  async function run(op: Op): Promise<string[]> {
    switch (op) {
      case 'list':
        return (await ctx.paginator().toArray({ limit: 10_000 })).map((e) => e.id);
      case 'page': {
        const ids = [...firstPage.ids];
        for await (const page of ctx.paginator().byPage({ continuationToken: firstPage.token })) {
          ids.push(...page.items.map((e) => e.id));
        }
        return ids;
      }
      case 'get':
        await ctx.get();
        return [];
      case 'watch':
        return ctx.watch();
    }
  }

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    ctx = await h.start({ maxAttempts: MAX_ATTEMPTS, timeoutMs: TIMEOUT_MS });
    const it1 = ctx.paginator().byPage({ pageSize: ctx.pageSize });
    const r1 = await it1.next();
    await it1.return?.(undefined);
    const p1 = r1.done ? undefined : r1.value;
    if (!p1?.continuationToken) throw new Error('the list must span more than one page');
    firstPage = { ids: p1.items.map((e: { id: string }) => e.id), token: p1.continuationToken };
    baseline = {} as typeof baseline;
    for (const op of OPS) {
      ctx.server.requests.length = 0;
      const ids = await run(op);
      baseline[op] = { requests: apiRequests(), ids };
    }
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await ctx.close();
  });
  beforeEach(() => {
    // A fresh client per case: the AWS SDK's retry quota is per client and the "every time"
    // cases below drain it on purpose.
    ctx.rebuild({ maxAttempts: MAX_ATTEMPTS, timeoutMs: TIMEOUT_MS });
  });
  afterEach(async () => {
    ctx.server.faults.clear();
    ctx.server.requests.length = 0;
    // Let a stray rejection surface before checking.
    await new Promise((r) => setTimeout(r, 5));
    expect(unhandled).toEqual([]);
  });

  it('the unfaulted runs match the ground truth, complete and duplicate-free', () => {
    const truth = ctx.truth();
    expect(truth.length).toBeGreaterThan(ctx.pageSize);
    expect(new Set(truth).size).toBe(truth.length);
    expect(baseline.list.ids).toEqual(truth);
    expect(baseline.page.ids).toEqual(truth);
    expect(new Set(baseline.watch.ids).size).toBe(baseline.watch.ids.length);
    expect([...baseline.watch.ids].sort()).toEqual([...truth].sort());
  });

  describe.each(OPS)('%s', (op) => {
    const expected = () => (op === 'get' ? [] : op === 'watch' ? [...baseline.watch.ids].sort() : ctx.truth());
    const applicable = (f: FaultCase) => !f.needsTimeout || h.hasTimeout;

    for (const f of FAULTS.filter(applicable)) {
      it(`${f.label} once: ${f.retryable ? 'retried to the complete result' : 'complete result or the right code'}`, async () => {
        ctx.server.faults.inject(f.fault, { match: (r) => ctx.isApi({ path: r.rawPath }), times: 1 });
        let ids: string[] | undefined;
        let err: unknown;
        try {
          ids = await run(op);
        } catch (e) {
          err = e;
        }
        expect(ctx.server.faults.pending).toBe(0);
        if (err !== undefined || !f.retryable) {
          if (err === undefined) {
            expect(op === 'watch' ? [...(ids ?? [])].sort() : ids).toEqual(expected());
          } else {
            expect(StackfeedError.is(err), String(err)).toBe(true);
            expect(f.retryable, `a single ${f.label} should be retried: ${String(err)}`).toBe(false);
            expect(f.codes).toContain((err as StackfeedError).code);
          }
        } else {
          expect(op === 'watch' ? [...(ids ?? [])].sort() : ids).toEqual(expected());
        }
        expect(apiRequests()).toBeLessThanOrEqual(baseline[op].requests + MAX_ATTEMPTS);
      });

      if (f.label === '429 with Retry-After: 1') continue;
      it(`${f.label} every time: ${f.codes.join('|')} after a bounded number of attempts`, async () => {
        ctx.server.faults.inject(f.fault, {
          match: (r) => ctx.isApi({ path: r.rawPath }),
          times: Number.POSITIVE_INFINITY,
        });
        let err: unknown;
        try {
          await run(op);
        } catch (e) {
          err = e;
        }
        expect(StackfeedError.is(err), String(err)).toBe(true);
        expect(f.codes).toContain((err as StackfeedError).code);
        const bound = op === 'watch' ? 4 * MAX_ATTEMPTS : MAX_ATTEMPTS;
        const n = apiRequests();
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(bound);
      });
    }
  });
});
