/**
 * Issue 8, item 3: path and query injection. Names with `/`, `..`, `%2F`, `?`, `#`, unicode and
 * control characters either address exactly the named object (encoded: the raw path or query the
 * emulator received decodes back to the very name, in the expected segment) or are rejected as a
 * configuration error before any request is sent.
 */
import { StackfeedError } from '@stackfeed/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ctx, HARNESSES } from './harness.js';

const NAMES = [
  'a/b',
  '..',
  '.',
  '../../admin',
  '%2F',
  'a%2Fb',
  'a?b=c',
  'a#frag',
  'a b',
  'a+b',
  'ünïcødé-名前',
  'a\u0000b',
  'a\nb',
  'a\r\nX-Injected: 1',
  'a;b',
  'a&b=c',
  '%',
];

/** A raw `#`, whitespace or control character (anything that must travel percent-encoded). */
const hasRawUnsafe = (s: string) => [...s].some((c) => c === '#' || /\s/u.test(c) || c.charCodeAt(0) < 0x20);

/** Codes that mean "refused locally": the brief asks for CONFIG (ParallelCluster answers BAD_REQUEST). */
const LOCAL_REJECTION = ['CONFIG', 'BAD_REQUEST'];

describe.each(HARNESSES)('path and query injection: $name', (h) => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await h.start({ maxAttempts: 1 });
  });
  afterAll(() => ctx.close());

  it('has targets to probe', () => {
    expect(ctx.targets().length).toBeGreaterThan(0);
  });

  // Every RFS target is a stack name, so its '.'/'..' cases are left out as a whole.
  for (const name of NAMES) {
    it(`${JSON.stringify(name)} addresses exactly that object or is refused before any request`, async () => {
      const targets = ctx.targets();
      expect(targets.length).toBeGreaterThan(0);
      for (const t of targets) {
        ctx.server.requests.length = 0;
        let err: unknown;
        try {
          await t.call(name);
        } catch (e) {
          err = e;
        }
        if (err !== undefined) expect(StackfeedError.is(err), `${t.label}: ${String(err)}`).toBe(true);
        const sent = ctx.server.requests.filter((r) => ctx.isApi(r));
        if (sent.length === 0) {
          // Refused locally: must say so with a configuration-type error.
          expect(err, `${t.label}: no request and no error`).toBeDefined();
          expect(LOCAL_REJECTION, `${t.label}: ${String(err)}`).toContain((err as StackfeedError).code);
          continue;
        }
        // Sent: the first request carries the name, encoded, exactly where it belongs.
        const first = sent[0] as (typeof sent)[number];
        const where = typeof t.where === 'function' ? t.where(name) : t.where;
        if ('query' in where) {
          const key = where.query;
          const raw = first.query
            .split('&')
            .map((kv) => kv.split('='))
            .filter(([k]) => k === key)
            .map(([, v]) => v ?? '');
          expect(
            raw.map((v) => decodeURIComponent(v)),
            `${t.label}: ${first.query}`,
          ).toEqual([name]);
          expect(hasRawUnsafe(first.query), `${t.label}: ${first.query}`).toBe(false);
          // Percent-encoded, never interpolated raw: no byte outside printable ASCII on the wire.
          for (const v of raw) expect(v, `${t.label}: ${first.query}`).toMatch(/^[\x21-\x7e]*$/);
          if (where.segments !== undefined) {
            // The name is only in the query: not in (or instead of) a path segment.
            expect(first.path.split('/').length, `${t.label}: ${first.path}`).toBe(where.segments);
            expect(
              first.path.split('/').some((seg) => decodeURIComponent(seg) === name),
              `${t.label}: ${first.path}`,
            ).toBe(false);
          }
        } else {
          const segs = first.path.split('/');
          expect(segs.length, `${t.label}: ${first.path}`).toBe(where.segments);
          const seg = segs[segs.length - 1 - where.fromEnd] as string;
          expect(decodeURIComponent(seg), `${t.label}: ${first.path}`).toBe(name);
          expect(hasRawUnsafe(seg) || seg.includes('/') || seg.includes('?'), `${t.label}: ${seg}`).toBe(false);
          expect(seg, t.label).not.toMatch(/^\.\.?$/);
        }
      }
    });
  }
});
