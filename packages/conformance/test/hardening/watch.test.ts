/**
 * Issue 13, "Watches survive what real outages look like", on every provider target the item
 * applies to. Each watch follows a live deployment (halfway when the watch starts, finished by the
 * test while the fault is on) and must end on its own with every event, once:
 * - an HTTP 500 outage far longer than several polls (the 60 s outage, shortened to 1.5 s at a
 *   20 ms poll interval: ~75 polls' worth);
 * - a 429 with Retry-After 86400 (the watch must not sleep a day) and a throttling outage with
 *   Retry-After 9999999999 (must not overflow the timer into back-to-back polls: counted);
 * - on RFS, the emulator itself paging (markers, limits) in a stable order that is not time order
 *   (store.listingOrder 'shuffled').
 * And on finished deployments: every page empty with a fresh token (pages per poll are capped, so
 * the final drain ends), and a server repeating its nextToken (the watch stops paging, no error).
 * The watches get a guard: a watch still running after GUARD_MS is aborted and the row fails.
 *
 * No row here reorders a listing with a `transform` fault (`unorderedListing`): such a fault
 * reorders within ONE page only, so those rows passed before and after the fix and could not fail.
 * The unordered-listing fallback is proven in each adapter's own package, against a server that
 * pages in the wrong order itself: openstack-heat test/unit/watch-order.test.ts, huawei-rfs
 * test/watch-order.test.ts, aws-parallelcluster test/watch-paging.test.ts.
 */
import { StackfeedError } from '@stackfeed/core';
import type { Fault } from '@stackfeed/emulator';
import { describe, expect, it } from 'vitest';
import { JSON_TARGETS, TARGETS, type Target, type TargetCtx } from './targets.js';

const GUARD_MS = 30_000;
const WATCH = { pollIntervalMs: 20, maxPollIntervalMs: 100, maxErrorDurationMs: 30_000 } as const;

interface WatchRun {
  ids: string[];
  error?: unknown;
  /** The guard fired: the watch was still running. */
  hung: boolean;
}

async function runWatch(ctx: TargetCtx, onFirst?: () => void, extra: Record<string, unknown> = {}): Promise<WatchRun> {
  const guard = new AbortController();
  const timer = setTimeout(() => guard.abort(), GUARD_MS);
  const ids: string[] = [];
  try {
    for await (const ev of ctx.watch({ ...WATCH, ...extra, signal: guard.signal })) {
      if (ids.length === 0) onFirst?.();
      ids.push(ev.id);
    }
    return { ids, hung: false };
  } catch (error) {
    return { ids, error, hung: guard.signal.aborted };
  } finally {
    clearTimeout(timer);
  }
}

async function withTarget(t: Target, live: boolean, body: (ctx: TargetCtx) => Promise<void>): Promise<void> {
  const ctx = await t.start({ maxAttempts: 1 }, { live });
  try {
    await body(ctx);
  } finally {
    await ctx.close();
  }
}

/** The watch ended on its own, without error, with every event of the finished deployment once. */
async function expectComplete(ctx: TargetCtx, run: WatchRun): Promise<void> {
  expect(run.hung, 'the watch was still running at the guard').toBe(false);
  expect(run.error, String(run.error)).toBeUndefined();
  ctx.server.faults.clear();
  const truth = await ctx.truth();
  expect(truth.length).toBeGreaterThan(0);
  expect(new Set(run.ids).size, 'duplicates').toBe(run.ids.length);
  expect(
    truth.filter((id) => !run.ids.includes(id)),
    'events lost',
  ).toEqual([]);
}

const api = (ctx: TargetCtx) => (r: { rawPath: string }) => ctx.isApi(r);

describe.each(TARGETS)('watch under outages: $name', (t) => {
  it('a 500 outage far longer than several polls: the watch survives and loses no event', async () => {
    await withTarget(t, true, async (ctx) => {
      const run = await runWatch(ctx, () => {
        ctx.server.faults.inject({ kind: 'outage', status: 500, durationMs: 1500 }, { match: api(ctx) });
        ctx.toEnd();
      });
      expect(ctx.server.requests.filter((r) => r.fault === 'outage').length).toBeGreaterThan(3);
      await expectComplete(ctx, run);
    });
  }, 60_000);

  it('429 with Retry-After: 86400 is clamped to maxPollIntervalMs: the watch goes on to the end', async () => {
    await withTarget(t, true, async (ctx) => {
      const run = await runWatch(ctx, () => {
        ctx.server.faults.inject({ kind: 'throttle', retryAfter: 86_400 }, { match: api(ctx) });
        ctx.toEnd();
      });
      expect(ctx.server.requests.filter((r) => r.fault === 'throttle')).toHaveLength(1);
      await expectComplete(ctx, run);
    });
  }, 60_000);

  it('429 with Retry-After: 9999999999 for 1 s: no burst of back-to-back polls (the timer does not overflow)', async () => {
    await withTarget(t, true, async (ctx) => {
      const run = await runWatch(ctx, () => {
        ctx.server.faults.inject(
          { kind: 'outage', status: 429, durationMs: 1000, headers: { 'retry-after': '9999999999' } },
          { match: api(ctx) },
        );
        ctx.toEnd();
      });
      // Clamped to maxPollIntervalMs (100 ms), 1 s holds about 10 polls; an overflowed 1 ms timer
      // makes hundreds.
      const throttled = ctx.server.requests.filter((r) => r.fault === 'outage').length;
      expect(throttled).toBeGreaterThanOrEqual(1);
      expect(throttled).toBeLessThanOrEqual(30);
      await expectComplete(ctx, run);
    });
  }, 60_000);
});

describe.each(TARGETS.filter((t) => t.name === 'rfs'))('watch over a server paging out of time order: $name', (t) => {
  it('the server pages (markers, limits) in a stable non-time order: the watch loses nothing', async () => {
    await withTarget(t, true, async (ctx) => {
      ctx.disorderListing?.();
      let steps = 0;
      let ticker: ReturnType<typeof setInterval> | undefined;
      const run = await runWatch(ctx, () => {
        ticker = setInterval(() => {
          if (++steps < 12) ctx.step();
          else {
            ctx.toEnd();
            clearInterval(ticker);
          }
        }, 40);
      });
      clearInterval(ticker);
      expect(steps, 'the watch ended before the deployment did').toBeGreaterThanOrEqual(12);
      await expectComplete(ctx, run);
    });
  }, 60_000);
});

const TOKEN_TARGETS = JSON_TARGETS.filter((t) => t.name === 'pcluster-api' || t.name === 'imagebuilder');

describe.each(TOKEN_TARGETS)('watch paging limits: $name', (t) => {
  it('every page empty with a fresh token: pages per poll are capped and the watch ends', async () => {
    await withTarget(t, false, async (ctx) => {
      let n = 0;
      const fresh: Fault = {
        kind: 'transform',
        status: 200,
        rewrite: (body) => ({
          ...(body as object),
          [ctx.listPath]: [],
          [ctx.nextToken?.field ?? 'nextToken']: `fresh-${n++}`,
        }),
      };
      ctx.server.faults.inject(fresh, { match: (r) => ctx.isList(r), times: Number.POSITIVE_INFINITY });
      const run = await runWatch(ctx);
      expect(run.hung, `still paging after ${n} pages`).toBe(false);
      expect(run.error, String(run.error)).toBeUndefined();
      expect(n).toBeGreaterThan(1);
    });
  }, 60_000);

  it('a server repeating its nextToken: the watch stops paging (no error) and ends', async () => {
    await withTarget(t, false, async (ctx) => {
      const field = ctx.nextToken?.field ?? 'nextToken';
      const repeat: Fault = {
        kind: 'transform',
        status: 200,
        rewrite: (body, req) =>
          ctx.nextToken?.sent(req) === 'repeat-me'
            ? { ...(body as object), [ctx.listPath]: [], [field]: 'repeat-me' }
            : { ...(body as object), [field]: 'repeat-me' },
      };
      ctx.server.faults.inject(repeat, { match: (r) => ctx.isList(r), times: Number.POSITIVE_INFINITY });
      const run = await runWatch(ctx);
      expect(run.hung).toBe(false);
      expect(
        run.error === undefined || !StackfeedError.is(run.error) ? run.error : (run.error as StackfeedError).code,
      ).toBeUndefined();
      expect(run.ids.length).toBeGreaterThan(0);
      expect(new Set(run.ids).size).toBe(run.ids.length);
    });
  }, 60_000);
});
