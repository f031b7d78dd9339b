/**
 * Issue 13, "Memory is bounded whatever the server sends", on every provider target: a body past
 * `maxResponseBytes` (counted after decompression; chunked or announced), a gzip bomb, and a page
 * with far more items than asked are INVALID_RESPONSE StackfeedErrors (the size ones naming the
 * limit), never a plain Error, an OOM or a hang. A small cap keeps the rows fast.
 */
import { StackfeedError } from '@stackfeed/core';
import type { Fault } from '@stackfeed/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JSON_TARGETS, TARGETS, type TargetCtx } from './targets.js';

const CAP = 1024 * 1024;
/** "naming the limit": the option or the number of bytes. */
const NAMES_LIMIT = /maxResponseBytes|1048576|1 ?MiB/i;

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe.each(TARGETS)('bounded memory: $name', (t) => {
  let ctx: TargetCtx;
  beforeAll(async () => {
    ctx = await t.start({ maxAttempts: 2, maxResponseBytes: CAP });
  });
  afterAll(() => ctx.close());
  afterEach(() => {
    ctx.server.faults.clear();
    ctx.server.requests.length = 0;
  });

  const oversized: Array<[string, Fault]> = [
    ['a 16 MiB JSON body, chunked', { kind: 'huge-body', bytes: 16 * 1024 * 1024, prefix: '{"events":', suffix: '}' }],
    [
      'a 16 MiB JSON body with its Content-Length',
      { kind: 'huge-body', bytes: 16 * 1024 * 1024, announceLength: true },
    ],
    ['a gzip bomb (3 MB inflating to 3 GiB)', { kind: 'gzip-bomb', prefix: '{"events":', suffix: '}' }],
  ];
  for (const [label, fault] of oversized) {
    it(`${label}: INVALID_RESPONSE naming the limit`, async () => {
      ctx.server.faults.inject(fault, { match: (r) => ctx.isApi(r), times: Number.POSITIVE_INFINITY });
      const err = await failure(() => ctx.list().toArray({ limit: 10_000 }));
      expect(StackfeedError.is(err), String(err)).toBe(true);
      expect((err as StackfeedError).code, String(err)).toBe('INVALID_RESPONSE');
      expect((err as StackfeedError).message).toMatch(NAMES_LIMIT);
      expect(ctx.server.requests.filter((r) => r.fault === fault.kind).length).toBeLessThanOrEqual(2);
    });
  }
});

describe.each(JSON_TARGETS)('bounded pages: $name', (t) => {
  it('a page of 20 000 items after asking for a few: INVALID_RESPONSE (default cap)', async () => {
    const ctx = await t.start({ maxAttempts: 2 });
    try {
      ctx.server.faults.inject(
        { kind: 'huge-page', path: ctx.listPath, count: 20_000 },
        { match: (r) => ctx.isList(r), times: Number.POSITIVE_INFINITY },
      );
      const err = await failure(() => ctx.list(ctx.pageSize).toArray({ limit: 100_000 }));
      expect(ctx.server.requests.some((r) => r.fault === 'huge-page')).toBe(true);
      expect(StackfeedError.is(err), String(err)).toBe(true);
      expect((err as StackfeedError).code, String(err)).toBe('INVALID_RESPONSE');
    } finally {
      await ctx.close();
    }
  });
});
