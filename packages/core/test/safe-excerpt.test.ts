import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { registerSecret, safeExcerpt, StackfeedError, toStackfeedError } from './entry.js';

const SECRETS = ['Keystone-Pa55word!', 'gAAAAABtokenvalue0123456789xyz', 'AKIAEXCERPTTEST12345'];
for (const s of SECRETS) registerSecret(s);

/** No run of 4 characters of `secret` appears in `text`. */
function leaksNothing(text: string, secret: string): void {
  for (let i = 0; i + 4 <= secret.length; i++)
    expect(text, `leaked ${secret.slice(i, i + 4)}`).not.toContain(secret.slice(i, i + 4));
}

describe('safeExcerpt: redact first, then cut', () => {
  for (const secret of SECRETS) {
    it(`a registered secret at every offset around the cut is never partly shown (${secret.length} chars)`, () => {
      const cut = 50;
      for (let offset = cut - secret.length - 2; offset <= cut + 2; offset++) {
        const text = `${'x'.repeat(offset)}${secret}${'y'.repeat(40)}`;
        const out = safeExcerpt(text, cut);
        leaksNothing(out, secret);
        // In a StackfeedError: message, stack, JSON and inspect.
        const err = new StackfeedError({ code: 'SERVER', message: `op: HTTP 500: ${out}` });
        for (const view of [err.message, err.stack ?? '', JSON.stringify(err), inspect(err)])
          leaksNothing(view, secret);
      }
    });
  }

  it('a secret cut by the redaction window (not by the excerpt) is masked by the trailing-partial rule', () => {
    // Long secrets shrink to [REDACTED]: the cut then falls into the window's last, partial copy.
    const long = `LONGSECRET-${'k'.repeat(1989)}`;
    registerSecret(long);
    const out = safeExcerpt(long.repeat(5), 100);
    expect(out).toBe(`${'[REDACTED]'.repeat(5)}…`);
    leaksNothing(out, long);
  });

  it('credential shapes (JSON password, Bearer) straddling the cut are masked', () => {
    const json = `${'x'.repeat(30)}{"password": "unregistered-long-password-value"}`;
    expect(safeExcerpt(json, 50)).not.toContain('unregi');
    const bearer = `${'x'.repeat(40)}Authorization: Bearer abcdefghijklmnopqrstuvwxyz`;
    expect(safeExcerpt(bearer, 65)).not.toContain('abcd');
  });

  it('short text is returned redacted without an ellipsis; long text gets one', () => {
    expect(safeExcerpt('plain error', 200)).toBe('plain error');
    expect(safeExcerpt('a'.repeat(300), 200)).toBe(`${'a'.repeat(200)}…`);
    expect(safeExcerpt(`token ${SECRETS[0]}`, 200)).toBe('token [REDACTED]');
  });

  it('a huge body is excerpted without redacting all of it, and still safely', () => {
    const secret = SECRETS[2] as string;
    const text = `${'z'.repeat(198)}${secret}${'q'.repeat(5_000_000)}`;
    const out = safeExcerpt(text, 200);
    leaksNothing(out, secret);
    expect(out.length).toBeLessThanOrEqual(211);
  });
});

describe('toStackfeedError', () => {
  it('passes a StackfeedError through and classifies foreign errors', () => {
    const own = new StackfeedError({ code: 'THROTTLED', message: 'x' });
    expect(toStackfeedError(own)).toBe(own);
    const abort = toStackfeedError(Object.assign(new Error('aborted'), { name: 'AbortError' }), {
      provider: 'huawei-rfs',
    });
    expect([abort.code, abort.provider]).toEqual(['ABORTED', 'huawei-rfs']);
    expect(toStackfeedError(new DOMException('t', 'TimeoutError')).code).toBe('TIMEOUT');
    const net = toStackfeedError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), { operation: 'op' });
    expect([net.code, net.retryable, net.operation]).toEqual(['NETWORK', true, 'op']);
    const bug = toStackfeedError(new TypeError(`cannot read x of ${SECRETS[0]}`));
    expect([bug.code, bug.retryable]).toEqual(['INVALID_RESPONSE', false]);
    expect(bug.message).not.toContain(SECRETS[0]);
    expect(toStackfeedError('a string').code).toBe('INVALID_RESPONSE');
    expect(toStackfeedError(undefined).code).toBe('INVALID_RESPONSE');
  });
});
