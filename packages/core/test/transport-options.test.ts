import { describe, expect, it } from 'vitest';
import { TRANSPORT_OPTION_NAMES, transportOptionsOf } from './entry.js';

describe('transportOptionsOf', () => {
  const logger = () => {};
  const all = {
    retry: { maxAttempts: 2 },
    timeoutMs: 1,
    totalTimeoutMs: 2,
    maxResponseBytes: 3,
    logger,
    tls: { insecure: true },
    rateLimit: { limit: 5 },
    userAgent: 'x/1',
  };

  it('forwards exactly the transport options a client was given, none of its own', () => {
    expect(transportOptionsOf({ ...all, region: 'r', endpoint: 'e', tokenKey: 'k' } as typeof all)).toEqual(all);
    expect(Object.keys(transportOptionsOf(all)).sort()).toEqual([...TRANSPORT_OPTION_NAMES].sort());
  });

  it('leaves out what is not given (never an undefined member) and what `omit` names', () => {
    expect(transportOptionsOf({ timeoutMs: undefined, logger })).toEqual({ logger });
    expect('timeoutMs' in transportOptionsOf({ timeoutMs: undefined })).toBe(false);
    expect(transportOptionsOf(all, ['rateLimit', 'userAgent', 'retry'])).toEqual({
      timeoutMs: 1,
      totalTimeoutMs: 2,
      maxResponseBytes: 3,
      logger,
      tls: { insecure: true },
    });
  });
});
