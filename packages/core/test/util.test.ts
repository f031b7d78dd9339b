import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildUrl,
  createPaginator,
  encodePathSegment,
  encodeQuery,
  encodeRfc3986,
  fullJitterDelay,
  MinHeap,
  parseRetryAfterSeconds,
  sameOrigin,
  scopeDigest,
  sleep,
  StackfeedError,
} from './entry.js';

/** No lone surrogates (encodeURIComponent throws on them). */
const wellFormed = (s: string) => {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
};

describe('URL encoding', () => {
  it('encodeRfc3986 leaves only the unreserved set and round-trips (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        fc.pre(wellFormed(s));
        const e = encodeRfc3986(s);
        expect(e).toMatch(/^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/);
        expect(decodeURIComponent(e)).toBe(s);
      }),
    );
    expect(encodeRfc3986("!'()*")).toBe('%21%27%28%29%2A');
  });

  it('encodePathSegment makes names inert and rejects . and ..', () => {
    expect(encodePathSegment('a/b?c#d%e f')).toBe('a%2Fb%3Fc%23d%25e%20f');
    expect(encodePathSegment('..a')).toBe('..a');
    for (const bad of ['', '.', '..']) {
      expect(() => encodePathSegment(bad)).toThrow(expect.objectContaining({ name: 'StackfeedError', code: 'CONFIG' }));
    }
    // A lone surrogate cannot be UTF-8 encoded: CONFIG, not a URIError.
    for (const bad of ['a\ud800', '\udc00b']) {
      expect(() => encodePathSegment(bad)).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    }
    expect(encodePathSegment('\ud83d\ude00')).toBe('%F0%9F%98%80');
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (s) => {
        fc.pre(s !== '.' && s !== '..' && wellFormed(s));
        const seg = encodePathSegment(s);
        const url = buildUrl('https://h.example/v1/', `/stacks/${seg}/events`);
        expect(url.origin).toBe('https://h.example');
        expect(url.pathname.split('/').length).toBe(5);
        expect(url.search).toBe('');
        expect(url.hash).toBe('');
      }),
    );
  });

  it('encodeQuery: order kept, arrays repeat, null/undefined skipped', () => {
    expect(encodeQuery({ b: 'x y', a: 1, c: undefined, d: null, e: [true, 'z&'] })).toBe('b=x%20y&a=1&e=true&e=z%26');
    expect(encodeQuery(undefined)).toBe('');
    expect(encodeQuery({})).toBe('');
  });

  it('buildUrl joins base path, path and query; sameOrigin compares scheme, host and port', () => {
    expect(buildUrl('http://h:8004/v1/tenant/', 'stacks', { limit: 5 }).toString()).toBe(
      'http://h:8004/v1/tenant/stacks?limit=5',
    );
    expect(buildUrl('http://h/base?old=1#frag', '/x').toString()).toBe('http://h/base/x');
    expect(sameOrigin(new URL('http://a:1/x'), new URL('http://a:1/y'))).toBe(true);
    expect(sameOrigin(new URL('http://a:1/x'), new URL('http://a:2/x'))).toBe(false);
    expect(sameOrigin(new URL('http://a/x'), new URL('https://a/x'))).toBe(false);
  });
});

describe('scopeDigest', () => {
  it('is the same for the same arguments whatever their key order', () => {
    expect(scopeDigest({ stack: 'web', filters: { phase: 'FAILED', since: 1 } })).toBe(
      scopeDigest({ filters: { since: 1, phase: 'FAILED' }, stack: 'web' }),
    );
    expect(scopeDigest({ stack: 'web' })).not.toBe(scopeDigest({ stack: 'db' }));
    expect(scopeDigest(undefined)).toBe(scopeDigest(null));
  });

  it('a token resumes under the same scope written with another key order', async () => {
    const mk = (scope: unknown) =>
      createPaginator<number, number>({
        provider: 'openstack-heat',
        operation: 'op',
        scope,
        fetchPage: async (c) => ({ items: [c ?? 0], next: (c ?? 0) < 3 ? (c ?? 0) + 1 : undefined }),
      });
    const first = await mk({ stack: 'web', filter: { a: 1, b: 2 } })
      .byPage()
      .next();
    const token = first.value?.continuationToken as string;
    const rest = await mk({ filter: { b: 2, a: 1 }, stack: 'web' })
      .byPage({ continuationToken: token })
      .next();
    expect(rest.value?.items).toEqual([1]);
  });
});

describe('parseRetryAfterSeconds', () => {
  it('reads delta-seconds and HTTP dates, ignores garbage', () => {
    expect(parseRetryAfterSeconds('120')).toBe(120);
    expect(parseRetryAfterSeconds(['3', '9'])).toBe(3);
    expect(parseRetryAfterSeconds('0')).toBe(0);
    const inTen = new Date(Date.now() + 10_500).toUTCString();
    const s = parseRetryAfterSeconds(inTen) as number;
    expect(s).toBeGreaterThanOrEqual(9);
    expect(s).toBeLessThanOrEqual(11);
    expect(parseRetryAfterSeconds('Wed, 21 Oct 2015 07:28:00 GMT')).toBe(0);
    for (const bad of [undefined, '', 'soon', 'hello 1', '-5', 'NaN', '1e400']) {
      expect(parseRetryAfterSeconds(bad), String(bad)).toBeUndefined();
    }
  });
});

describe('MinHeap', () => {
  it('pops in order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), (xs) => {
        const h = new MinHeap<number>((a, b) => a < b);
        for (const x of xs) h.push(x);
        expect(h.size).toBe(xs.length);
        const out: number[] = [];
        while (h.size > 0) out.push(h.pop() as number);
        expect(out).toEqual([...xs].sort((a, b) => a - b));
        expect(h.pop()).toBeUndefined();
        expect(h.peek()).toBeUndefined();
      }),
    );
  });
});

describe('fullJitterDelay and sleep', () => {
  it('fullJitterDelay stays within [0, min(cap, base·2^attempt)]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, base, cap, r) => {
          const d = fullJitterDelay(attempt, base, cap, () => r);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(Math.min(cap, base * 2 ** attempt));
          expect(Number.isInteger(d)).toBe(true);
        },
      ),
    );
  });

  it('sleep resolves, and an abort rejects ABORTED and clears the timer', async () => {
    await sleep(1);
    await sleep(0);
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toSatisfy((e) => StackfeedError.is(e, 'ABORTED'));
    await expect(sleep(5, AbortSignal.abort())).rejects.toSatisfy((e) => StackfeedError.is(e, 'ABORTED'));
  });
});
