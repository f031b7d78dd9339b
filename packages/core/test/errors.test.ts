import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abortError,
  codeForHttpStatus,
  ERROR_CODES,
  REDACTED,
  redact,
  redactValue,
  registerSecret,
  StackfeedError,
  throwIfAborted,
} from './entry.js';

/** Every way an error gets out of a process. */
function renderings(err: StackfeedError): Record<string, string> {
  return {
    message: err.message,
    stack: err.stack ?? '',
    toJSON: JSON.stringify(err.toJSON()),
    stringify: JSON.stringify(err),
    inspect: inspect(err, { depth: 10 }),
    inspectCause: inspect(err.cause, { depth: 10 }),
    causeJson: JSON.stringify(err.toJSON().cause ?? null),
    string: String(err),
  };
}

function expectAbsent(err: StackfeedError, secrets: string[]) {
  for (const [where, text] of Object.entries(renderings(err))) {
    for (const s of secrets) expect(text, `${where} leaks ${s}`).not.toContain(s);
  }
}

const alnum = fc.string({
  unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split('')),
  minLength: 12,
  maxLength: 40,
});

describe('StackfeedError redaction', () => {
  it('a registered secret never appears in message, stack, toJSON, JSON.stringify, inspect or the cause', () => {
    const secret = 'S3cr3t-Value-0f-The-Test';
    registerSecret(secret);
    const cause = new Error(`connect failed for user:${secret}@host`);
    (cause as Error & { code?: string }).code = 'ECONNREFUSED';
    (cause as Error & { options?: unknown }).options = { headers: { 'x-custom': secret } };
    const err = new StackfeedError({
      code: 'NETWORK',
      provider: 'openstack-heat',
      message: `request with ${secret} failed`,
      cause,
    });
    expectAbsent(err, [secret]);
    expect(err.message).toContain(REDACTED);
    expect((err.toJSON().cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('percent-encoded forms of a registered secret are masked too', () => {
    const secret = 'p@ss/w+rd:with spaces';
    registerSecret(secret);
    const err = new StackfeedError({
      code: 'UNAUTHORIZED',
      message: `GET https://h/x?password=${encodeURIComponent(secret)}&q=${encodeURIComponent(secret)}`,
    });
    expectAbsent(err, [secret, encodeURIComponent(secret)]);
  });

  it('short values are not registered (they would mask ordinary text)', () => {
    registerSecret('abc');
    registerSecret(undefined);
    registerSecret(null);
    expect(redact('abc def')).toBe('abc def');
  });

  it('property: credential-shaped strings are masked even when never registered', () => {
    fc.assert(
      fc.property(alnum, alnum, (a, b) => {
        const templates = [
          `Authorization: Bearer ${a}`,
          `authorization=Basic ${a}`,
          `{"Authorization":"AWS4-HMAC-SHA256 Credential=AKIA${a}/20240101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=${b}"}`,
          `Authorization: SDK-HMAC-SHA256 Access=${a}, SignedHeaders=content-type;host;x-sdk-date, Signature=${b}`,
          `X-Auth-Token: ${a}`,
          `{"x-auth-token": "${a}", "x-subject-token": "${b}"}`,
          `X-Subject-Token=${a}`,
          `x-security-token: ${a}`,
          `X-Amz-Security-Token: ${a}`,
          `GET https://bucket.s3.amazonaws.com/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA${a}%2F20240101&X-Amz-Signature=${b}`,
          `https://h/p?x-amz-signature=${b}&token=${a}`,
          `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"u","password":"${a}"}}}}}`,
          `{"application_credential":{"id":"x","secret":"${a}"}}`,
          `{"password": "${a}\\"${b}"}`,
          `Cookie: session=${a}`,
          `{"SecretAccessKey":"${a}","sessionToken":"${b}"}`,
        ];
        for (const t of templates) {
          const err = new StackfeedError({ code: 'BAD_REQUEST', message: t, cause: { body: t } });
          for (const [where, text] of Object.entries(renderings(err))) {
            expect(text, `${where} of ${t}`).not.toContain(a);
            expect(text, `${where} of ${t}`).not.toContain(b);
          }
        }
      }),
      { numRuns: 50 },
    );
  });

  it('credential-named keys are masked in object causes, however deep', () => {
    const token = 'tok-1234567890-abcdef';
    const sig = 'deadbeefcafebabe0123456789';
    let deep: Record<string, unknown> = { note: `the token is ${token}`, signature: sig };
    for (let i = 0; i < 20; i++) deep = { level: i, inner: deep };
    registerSecret(token);
    const cause = {
      headers: {
        Authorization: 'x',
        'X-Auth-Token': token,
        'x-amz-signature': sig,
        'X-Amz-Credential': sig,
        'x-sdk-signature': sig,
      },
      api_key: sig,
      access_token: sig,
      client_secret: sig,
      deep,
    };
    const err = new StackfeedError({ code: 'SERVER', message: 'x', cause });
    expectAbsent(err, [token, sig]);
    const red = redactValue(cause);
    expect(JSON.stringify(red)).not.toContain(sig);
    expect(JSON.stringify(red)).not.toContain(token);
  });

  it('a StackfeedError cause is kept as is and serialized through its own toJSON', () => {
    const secret = 'another-registered-secret';
    registerSecret(secret);
    const inner = new StackfeedError({ code: 'THROTTLED', provider: 'huawei-rfs', message: `slow ${secret}` });
    const outer = new StackfeedError({ code: 'SERVER', provider: 'huawei-rfs', message: 'outer', cause: inner });
    expect(outer.cause).toBe(inner);
    expect((outer.toJSON().cause as { code: string }).code).toBe('THROTTLED');
    expectAbsent(outer, [secret]);
  });

  it('a cause error whose own cause holds a secret does not leak it', () => {
    const secret = 'nested-cause-secret-value';
    registerSecret(secret);
    const root = new Error(`root ${secret}`);
    const mid = new Error('mid', { cause: root });
    const err = new StackfeedError({ code: 'NETWORK', message: 'top', cause: mid });
    expectAbsent(err, [secret]);
  });

  it('toJSON carries the structured fields', () => {
    const err = new StackfeedError({
      code: 'THROTTLED',
      provider: 'aws-parallelcluster',
      httpStatus: 429,
      providerCode: 'TooManyRequestsException',
      requestId: 'req-1',
      retryAfterSeconds: 3,
      operation: 'listImages',
      message: 'slow down',
    });
    expect(err.toJSON()).toEqual({
      name: 'StackfeedError',
      code: 'THROTTLED',
      provider: 'aws-parallelcluster',
      message: 'slow down',
      retryable: true,
      httpStatus: 429,
      providerCode: 'TooManyRequestsException',
      requestId: 'req-1',
      retryAfterSeconds: 3,
      operation: 'listImages',
    });
    expect(err).toBeInstanceOf(Error);
    expect(inspect(err)).toContain('THROTTLED');
  });

  it('retryable defaults by code and can be overridden', () => {
    const retryable = new Set(['THROTTLED', 'SERVER', 'NETWORK', 'TIMEOUT']);
    for (const code of ERROR_CODES) {
      expect(new StackfeedError({ code, message: 'm' }).retryable, code).toBe(retryable.has(code));
    }
    expect(new StackfeedError({ code: 'SERVER', message: 'm', retryable: false }).retryable).toBe(false);
    expect(new StackfeedError({ code: 'CONFLICT', message: 'm', retryable: true }).retryable).toBe(true);
  });
});

describe('StackfeedError with hostile inputs', () => {
  const secret = 'hostileSECRETzz0123456789abcdef';
  registerSecret(secret);

  it('redacts providerCode and requestId taken from a server answer', () => {
    const err = new StackfeedError({
      code: 'SERVER',
      message: 'x',
      providerCode: `E-${secret}`,
      requestId: `r-${secret}`,
    });
    for (const [where, text] of Object.entries(renderings(err))) expect(text, where).not.toContain(secret);
    expect(err.providerCode).toBe(`E-${REDACTED}`);
    expect(err.requestId).toBe(`r-${REDACTED}`);
  });

  it('a cause with non-string message, name and stack, a throwing getter, or a BigInt never breaks the error', () => {
    const odd = new Error('m') as Error & Record<string, unknown>;
    Object.defineProperty(odd, 'message', { value: 42 });
    Object.defineProperty(odd, 'name', { value: { secret } });
    Object.defineProperty(odd, 'stack', {
      get() {
        throw new Error('no stack for you');
      },
    });
    odd.code = `C-${secret}`;
    const withBigInt = { size: 10n ** 30n, token: secret, nested: { why: secret } };
    const throwing = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('proxy says no');
        },
      },
    );
    for (const cause of [odd, withBigInt, throwing, 7n, Symbol('s')]) {
      const err = new StackfeedError({ code: 'NETWORK', message: 'wrapped', cause });
      const json = JSON.stringify(err);
      expect(json).not.toContain(secret);
      for (const [where, text] of Object.entries(renderings(err))) expect(text, where).not.toContain(secret);
    }
  });

  it('a non-string message is shown as text, not thrown on', () => {
    const err = new StackfeedError({
      code: 'CONFIG',
      message: { toString: () => `bad ${secret}` } as unknown as string,
    });
    expect(err.message).toBe(`bad ${REDACTED}`);
  });
});

describe('StackfeedError.is', () => {
  it('recognizes instances and copies from another package instance, with an optional code', () => {
    const e = new StackfeedError({ code: 'NOT_FOUND', message: 'm' });
    expect(StackfeedError.is(e)).toBe(true);
    expect(StackfeedError.is(e, 'NOT_FOUND')).toBe(true);
    expect(StackfeedError.is(e, 'SERVER')).toBe(false);
    const foreign = Object.assign(new Error('x'), { name: 'StackfeedError', code: 'SERVER' });
    expect(StackfeedError.is(foreign, 'SERVER')).toBe(true);
    expect(StackfeedError.is(JSON.parse(JSON.stringify(e)))).toBe(true);
    for (const v of [new Error('x'), null, undefined, 'StackfeedError', 5, { name: 'StackfeedError' }, { code: 'X' }]) {
      expect(StackfeedError.is(v)).toBe(false);
    }
  });
});

describe('codeForHttpStatus', () => {
  it('maps statuses to codes', () => {
    const table: Array<[number, string]> = [
      [400, 'BAD_REQUEST'],
      [422, 'BAD_REQUEST'],
      [401, 'UNAUTHORIZED'],
      [403, 'FORBIDDEN'],
      [404, 'NOT_FOUND'],
      [410, 'NOT_FOUND'],
      [408, 'TIMEOUT'],
      [409, 'CONFLICT'],
      [412, 'CONFLICT'],
      [429, 'THROTTLED'],
      [500, 'SERVER'],
      [502, 'SERVER'],
      [503, 'SERVER'],
      [504, 'TIMEOUT'],
      [599, 'SERVER'],
      [301, 'INVALID_RESPONSE'],
      [302, 'INVALID_RESPONSE'],
      [418, 'BAD_REQUEST'],
    ];
    for (const [status, code] of table) expect(codeForHttpStatus(status), String(status)).toBe(code);
  });
});

describe('abortError / throwIfAborted', () => {
  it('ABORTED with the reason as cause; a StackfeedError reason is returned as is', () => {
    const ac = new AbortController();
    ac.abort(new Error('user pressed ctrl-c'));
    const e = abortError(ac.signal, 'openstack-heat');
    expect(e.code).toBe('ABORTED');
    expect(e.provider).toBe('openstack-heat');
    expect(e.retryable).toBe(false);
    const timeout = new StackfeedError({ code: 'TIMEOUT', message: 't' });
    expect(abortError(AbortSignal.abort(timeout))).toBe(timeout);
    expect(() => throwIfAborted(AbortSignal.abort())).toThrow(expect.objectContaining({ code: 'ABORTED' }));
    expect(() => throwIfAborted(new AbortController().signal)).not.toThrow();
    expect(() => throwIfAborted(undefined)).not.toThrow();
  });
});
