import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  createPaginator,
  createTokenKey,
  type FetchedPage,
  maxItemsPerPage,
  StackfeedError,
  type TokenKey,
} from './entry.js';

/** A fake provider list: cursor `{ stack, offset, limit }`, as an adapter might encode it. */
type Cursor = { stack: string; offset: number; limit: number };
function list(
  stack: string,
  opts: { tokenKey?: TokenKey; validate?: boolean; pageItems?: (size: number) => number } = {},
) {
  const calls: Cursor[] = [];
  const p = createPaginator<string, Cursor>({
    provider: 'openstack-heat',
    operation: 'listStackEvents',
    scope: { stack },
    ...(opts.tokenKey ? { tokenKey: opts.tokenKey } : {}),
    ...(opts.validate
      ? {
          validateCursor: (c: unknown) => {
            const cur = c as Cursor;
            if (cur.stack !== stack) return `it names stack ${cur.stack}, not ${stack}`;
            if (!(cur.limit >= 1 && cur.limit <= 100)) return 'its limit is out of range';
            return undefined;
          },
        }
      : {}),
    fetchPage: async (cursor, pageSize): Promise<FetchedPage<string, Cursor>> => {
      const c = cursor ?? { stack, offset: 0, limit: pageSize ?? 2 };
      calls.push(c);
      const n = opts.pageItems ? opts.pageItems(c.limit) : c.limit;
      const items = Array.from({ length: n }, (_, i) => `${c.stack}:${c.offset + i}`);
      return { items, ...(c.offset < 10 ? { next: { ...c, offset: c.offset + n } } : {}) };
    },
    options: { pageSize: 2 },
  });
  return { p, calls };
}

async function firstToken(p: ReturnType<typeof list>['p']): Promise<string> {
  const it = p.byPage();
  const page = await it.next();
  await it.return?.(undefined);
  return page.value?.continuationToken as string;
}

async function rejection(p: Promise<unknown>): Promise<StackfeedError> {
  try {
    await p;
  } catch (e) {
    if (StackfeedError.is(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

/** Decode a token's payload, edit it, and re-encode it with an unkeyed digest (what an attacker can do). */
function edit(token: string, change: (body: Record<string, unknown>) => void): string {
  const [, payload, sig] = /^sf2\.([^.]+)\.(.+)$/.exec(token) ?? [];
  const body = JSON.parse(Buffer.from(payload as string, 'base64url').toString('utf8'));
  change(body);
  return `sf2.${Buffer.from(JSON.stringify(body)).toString('base64url')}.${sig}`;
}

describe('continuation tokens: HMAC with a per-client key', () => {
  it('tokens have the sf2 prefix and resume with the same key', async () => {
    const key = createTokenKey();
    const token = await firstToken(list('web', { tokenKey: key }).p);
    expect(token.startsWith('sf2.')).toBe(true);
    const { p, calls } = list('web', { tokenKey: key });
    const page = await p.byPage({ continuationToken: token }).next();
    expect(page.value?.items).toEqual(['web:2', 'web:3']);
    expect(calls[0]).toEqual({ stack: 'web', offset: 2, limit: 2 });
  });

  it('an edited cursor (another stack, a huge limit) is BAD_REQUEST before any request', async () => {
    const key = createTokenKey();
    const token = await firstToken(list('web', { tokenKey: key }).p);
    for (const change of [
      (b: Record<string, unknown>) => {
        (b.c as Cursor).stack = 'secret-stack';
      },
      (b: Record<string, unknown>) => {
        (b.c as Cursor).limit = 1_000_000_000;
      },
      (b: Record<string, unknown>) => {
        b.k = 5;
      },
    ]) {
      const { p, calls } = list('web', { tokenKey: key });
      const err = await rejection(p.byPage({ continuationToken: edit(token, change) }).next());
      expect(err.code).toBe('BAD_REQUEST');
      expect(err.message).toContain('signature mismatch');
      expect(calls).toHaveLength(0);
    }
  });

  it('a token of another client key is refused; the same tokenKey option in two clients shares tokens', async () => {
    const token = await firstToken(list('web', { tokenKey: createTokenKey() }).p);
    const other = list('web', { tokenKey: createTokenKey() });
    expect((await rejection(other.p.byPage({ continuationToken: token }).next())).code).toBe('BAD_REQUEST');
    expect(other.calls).toHaveLength(0);

    const passphrase = 'a shared passphrase of some length';
    const t2 = await firstToken(list('web', { tokenKey: createTokenKey(passphrase) }).p);
    const restarted = list('web', { tokenKey: createTokenKey(passphrase) });
    expect((await restarted.p.byPage({ continuationToken: t2 }).next()).value?.items).toEqual(['web:2', 'web:3']);
    const bytes = new Uint8Array(32).fill(7);
    const t3 = await firstToken(list('web', { tokenKey: createTokenKey(bytes) }).p);
    expect(
      (
        await list('web', { tokenKey: createTokenKey(bytes) })
          .p.byPage({ continuationToken: t3 })
          .next()
      ).value?.items,
    ).toEqual(['web:2', 'web:3']);
  });

  it('a paginator without a key still resumes its own tokens (a per-process key)', async () => {
    const token = await firstToken(list('web').p);
    expect((await list('web').p.byPage({ continuationToken: token }).next()).value?.items).toEqual(['web:2', 'web:3']);
  });

  it('an old unkeyed sf1 token is BAD_REQUEST saying so', async () => {
    const body = Buffer.from(JSON.stringify({ v: 1, p: 'openstack-heat', o: 'listStackEvents', s: 'x' })).toString(
      'base64url',
    );
    const { p, calls } = list('web');
    const err = await rejection(p.byPage({ continuationToken: `sf1.${body}.abcdefghij` }).next());
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toContain('older stackfeed');
    expect(calls).toHaveLength(0);
  });

  it('validateCursor refuses a signed cursor that does not fit the call: BAD_REQUEST with the reason, nothing fetched', async () => {
    const key = createTokenKey();
    // Same scope digest, but the cursor names another stack: only validateCursor can tell.
    const foreign = createPaginator<string, Cursor>({
      provider: 'openstack-heat',
      operation: 'listStackEvents',
      scope: { stack: 'web' },
      tokenKey: key,
      fetchPage: async () => ({ items: ['x'], next: { stack: 'db', offset: 1, limit: 2 } }),
    });
    const token = await firstToken(foreign as never);
    const { p, calls } = list('web', { tokenKey: key, validate: true });
    const err = await rejection(p.byPage({ continuationToken: token }).next());
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toContain('names stack db, not web');
    expect(calls).toHaveLength(0);
  });

  it('tokenKey options too short or of a wrong type are CONFIG; the key never shows in inspect or JSON', () => {
    expect(() => createTokenKey('short')).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    expect(() => createTokenKey(new Uint8Array(4))).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    expect(() => createTokenKey(42 as never)).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    const key = createTokenKey('a-passphrase-that-is-long-enough');
    expect(inspect(key, { showHidden: true })).not.toContain('passphrase');
    expect(JSON.stringify({ key })).not.toContain('passphrase');
  });
});

describe('pages far larger than asked', () => {
  it('maxItemsPerPage is max(10 × pageSize, 10 000)', () => {
    expect(maxItemsPerPage(undefined)).toBe(10_000);
    expect(maxItemsPerPage(100)).toBe(10_000);
    expect(maxItemsPerPage(5000)).toBe(50_000);
  });

  it('a page of more than 10 000 items after asking 2 is INVALID_RESPONSE; 10 000 is accepted', async () => {
    const big = list('web', { pageItems: () => 10_001 });
    const err = await rejection(big.p.byPage().next());
    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.message).toContain('10001 items');
    const edge = list('web', { pageItems: () => 10_000 });
    expect((await edge.p.byPage().next()).value?.items).toHaveLength(10_000);
  });
});
