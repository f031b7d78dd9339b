import { describe, expect, it } from 'vitest';
import {
  addSdkEmptyBodyCheck,
  classifyAwsAuthFailure,
  describeClockOffset,
  EmptyBodyError,
  safeString,
  sdkErrorServerDate,
} from './entry.js';

describe('AWS SDK interop (duck-typed)', () => {
  it('classifies clock skew with the offset from the server Date, and expired credentials', () => {
    const tenAhead = new Date(Date.now() + 10 * 60_000).toUTCString();
    const f = classifyAwsAuthFailure(
      'Signature expired: 20260101T000000Z is now earlier than ...',
      'InvalidSignatureException',
      tenAhead,
    );
    expect(f).toEqual({ kind: 'clock-skew', offMinutes: 10 });
    expect(describeClockOffset(f as NonNullable<typeof f>)).toContain('10 min behind');
    expect(classifyAwsAuthFailure('x', 'RequestTimeTooSkewed')).toEqual({ kind: 'clock-skew' });
    expect(classifyAwsAuthFailure('The security token included in the request is expired', undefined)).toEqual({
      kind: 'expired-credentials',
    });
    expect(classifyAwsAuthFailure('Access denied', 'AccessDenied')).toBeUndefined();
  });

  it('reads the Date of an SDK error defensively', () => {
    expect(sdkErrorServerDate({ $response: { headers: { date: 'Mon, 23 Nov 2026 10:00:00 GMT' } } })).toBe(
      'Mon, 23 Nov 2026 10:00:00 GMT',
    );
    const hostile = Object.defineProperty({}, '$response', {
      get() {
        throw new Error('no');
      },
    });
    expect(sdkErrorServerDate(hostile)).toBeUndefined();
    expect(sdkErrorServerDate(null)).toBeUndefined();
    expect(safeString(Object.create(null))).toBe('[object Object]');
  });

  it('the empty-body check throws on an empty 2xx body (with or without Content-Length), passes the rest', async () => {
    let mw: ((next: unknown, ctx: unknown) => (args: unknown) => Promise<unknown>) | undefined;
    addSdkEmptyBodyCheck({
      middlewareStack: {
        add: (m) => {
          mw = m;
        },
        addRelativeTo: () => {},
      },
    });
    const run = (response: unknown) =>
      (mw as NonNullable<typeof mw>)(async () => ({ response }), { commandName: 'ListThingsCommand' })({});
    await expect(run({ statusCode: 200, headers: { 'content-length': '0' } })).rejects.toBeInstanceOf(EmptyBodyError);
    async function* chunks() {
      yield new Uint8Array([0x20, 0x0a]);
    }
    const err = await run({ statusCode: 200, headers: { 'x-amzn-requestid': 'r1' }, body: chunks() }).catch((e) => e);
    expect(err).toMatchObject({ httpStatus: 200, requestId: 'r1', commandName: 'ListThingsCommand' });
    async function* doc() {
      yield Buffer.from('{"items":[]}');
    }
    const ok = { statusCode: 200, headers: {}, body: doc() };
    await expect(run(ok)).resolves.toEqual({ response: ok });
    expect(Buffer.from(ok.body as unknown as Uint8Array).toString()).toBe('{"items":[]}');
    await expect(run({ statusCode: 404, headers: { 'content-length': '0' } })).resolves.toBeDefined();
  });
});
