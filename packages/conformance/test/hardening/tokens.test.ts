/**
 * Issue 13, "Continuation tokens cannot be edited to read something else", on every provider
 * target: a token whose cursor was edited (another stack, another execution, a limit of a billion)
 * and re-signed with the old format's unkeyed SHA-256 checksum is refused with BAD_REQUEST before
 * any request (counted at the emulator). Tokens are bound to the client's `tokenKey`: two clients
 * with the same key share tokens (a restart, several processes); a client with another key refuses.
 */
import { StackfeedError } from '@stackfeed/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGETS, type TargetCtx, forgeToken } from './targets.js';

const KEY_A = 'conformance-token-key-A-0123456789abcdef';
const KEY_B = 'conformance-token-key-B-0123456789abcdef';

async function resume(ctx: TargetCtx, token: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of ctx.list(ctx.pageSize).byPage({ continuationToken: token })) {
    ids.push(...page.items.map((e) => e.id));
  }
  return ids;
}

describe.each(TARGETS)('continuation tokens: $name', (t) => {
  let ctx: TargetCtx;
  let token: string;
  let rest: string[];
  beforeAll(async () => {
    ctx = await t.start({ tokenKey: KEY_A });
    const pages = ctx.list(ctx.pageSize).byPage({ pageSize: ctx.pageSize })[Symbol.asyncIterator]();
    const first = await pages.next();
    await pages.return?.(undefined);
    token = (first.value as { continuationToken?: string }).continuationToken as string;
    expect(token).toBeTypeOf('string');
    rest = await resume(ctx, token);
    expect(rest.length).toBeGreaterThan(0);
  });
  afterAll(() => ctx.close());

  it('an edited cursor re-signed with unkeyed SHA-256: BAD_REQUEST, no request sent', async () => {
    const forged = forgeToken(token, (c) => ctx.editCursor(c));
    expect(forged).not.toBe(token);
    ctx.server.requests.length = 0;
    let err: unknown;
    try {
      await resume(ctx, forged);
    } catch (e) {
      err = e;
    }
    expect(StackfeedError.is(err), String(err)).toBe(true);
    expect((err as StackfeedError).code, String(err)).toBe('BAD_REQUEST');
    expect(ctx.server.requests.filter((r) => ctx.isApi(r))).toEqual([]);
  });

  it('the same token in a new client with the same tokenKey resumes to the same items', async () => {
    ctx.rebuild({ tokenKey: KEY_A });
    expect(await resume(ctx, token)).toEqual(rest);
  });

  it('a client with another tokenKey refuses it: BAD_REQUEST, no request sent', async () => {
    ctx.rebuild({ tokenKey: KEY_B });
    ctx.server.requests.length = 0;
    let err: unknown;
    try {
      await resume(ctx, token);
    } catch (e) {
      err = e;
    }
    expect(StackfeedError.is(err), String(err)).toBe(true);
    expect((err as StackfeedError).code, String(err)).toBe('BAD_REQUEST');
    expect(ctx.server.requests.filter((r) => ctx.isApi(r))).toEqual([]);
    ctx.rebuild({ tokenKey: KEY_A });
  });
});
