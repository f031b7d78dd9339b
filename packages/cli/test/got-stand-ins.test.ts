/**
 * The bin's stand-ins for got's HTTP/2, response-cache and DNS-cache modules (tsup.bin.config.ts):
 * used by mistake, each fails with a StackfeedError that says what is missing, never silently.
 * That the bin loads them instead of the real modules: test/cold-start.test.ts; that core never
 * turns those features on: packages/core/test/got-optional-features.test.ts.
 */
import { StackfeedError } from '@stackfeed/core';
import { describe, expect, it } from 'vitest';
import CacheableLookup from '../src/got-stand-ins/cacheable-lookup.js';
import CacheableRequest, { CacheError } from '../src/got-stand-ins/cacheable-request.js';
import http2wrapper from '../src/got-stand-ins/http2-wrapper.js';

function thrown(f: () => unknown): StackfeedError {
  try {
    f();
  } catch (e) {
    if (StackfeedError.is(e)) return e;
    throw e;
  }
  throw new Error('expected a throw');
}

describe("the bin's stand-ins for got's optional modules", () => {
  it('each use fails with CONFIG naming the feature and the module left out', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => http2wrapper.auto, /HTTP\/2 support \(http2-wrapper\)/],
      [() => http2wrapper.globalAgent, /HTTP\/2 support \(http2-wrapper\)/],
      [() => new CacheableRequest(), /response cache \(cacheable-request\)/],
      [() => new CacheableLookup(), /DNS cache \(cacheable-lookup\)/],
    ];
    for (const [use, message] of cases) {
      const err = thrown(use);
      expect(err.code).toBe('CONFIG');
      expect(err.provider).toBe('core');
      expect(err.message).toMatch(message);
      expect(err.message).toMatch(/not part of the stackfeed bin/);
    }
  });

  it('CacheError is a class got can test failures against, and no ordinary error is one', () => {
    expect(new Error('x') instanceof CacheError).toBe(false);
    expect(new CacheError('x')).toBeInstanceOf(Error);
  });
});
