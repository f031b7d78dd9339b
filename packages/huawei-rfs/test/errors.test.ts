import type { HttpResponse } from '@stackfeed/core/adapter';
import { describe, expect, it } from 'vitest';
import { parseRfsError, readHuaweiErrorBody } from '../src/errors.js';
import { readShared } from './helpers.js';

interface Example {
  name: string;
  status: number;
  body?: unknown;
  body_text?: string;
  parsed?: {
    error_code: string;
    error_message: string;
    encoded_authorization_message?: string;
    details_count?: number;
  };
}
const examples = readShared<{ examples: Example[] }>('specs/huawei-rfs/error-bodies.json').examples;

const res = (status: number, body: unknown, requestId?: string): HttpResponse => ({
  status,
  headers: {},
  body,
  text: typeof body === 'string' ? body : JSON.stringify(body),
  url: 'https://rfs.example/',
  ...(requestId ? { requestId } : {}),
});

describe('Huawei error bodies (shared/specs/huawei-rfs/error-bodies.json)', () => {
  for (const ex of examples.filter((e) => e.parsed)) {
    it(ex.name, () => {
      const body = ex.body ?? (ex.body_text !== undefined ? safe(ex.body_text) : undefined);
      const parsed = readHuaweiErrorBody(body);
      const want = ex.parsed as NonNullable<Example['parsed']>;
      if (want.error_code === '' && ex.body_text) {
        // No known keys / not JSON: nothing structured; the transport shows the raw text.
        expect(parsed).toBeUndefined();
        return;
      }
      expect(parsed?.errorCode).toBe(want.error_code);
      expect(parsed?.errorMessage).toBe(want.error_message);
      if (want.encoded_authorization_message) {
        expect(parsed?.encodedAuthorizationMessage).toBe(want.encoded_authorization_message);
      }
      if (want.details_count !== undefined) expect(parsed?.details.length).toBe(want.details_count);
    });
  }
  it('APIGW.0301 → UNAUTHORIZED with the body request_id when the header has none', () => {
    const info = parseRfsError(
      res(401, {
        error_msg: 'Incorrect IAM authentication information: verify aksk signature fail',
        error_code: 'APIGW.0301',
        request_id: 'abc123',
      }),
    );
    expect(info).toMatchObject({ code: 'UNAUTHORIZED', providerCode: 'APIGW.0301', requestId: 'abc123' });
  });
  it('a header request id wins over the body', () => {
    expect(
      parseRfsError(res(401, { error_code: 'APIGW.0301', error_msg: 'x', request_id: 'b' }, 'h'))?.requestId,
    ).toBeUndefined();
  });
  it('details and encoded_authorization_message reach the message', () => {
    const info = parseRfsError(
      res(403, {
        code: 'C.XXXX',
        message: 'C failed',
        encoded_authorization_message: 'Egpjbi1ub',
        details: [{ code: 'C.1', message: 'no permission' }],
      }),
    );
    expect(info?.code).toBe('FORBIDDEN');
    expect(info?.message).toContain('C failed');
    expect(info?.message).toContain('C.1: no permission');
    expect(info?.message).toContain('Egpjbi1ub');
  });
  it('APIG flow control codes are THROTTLED whatever the status', () => {
    expect(
      parseRfsError(res(400, { error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached' }))
        ?.code,
    ).toBe('THROTTLED');
  });
  it('bodies that are not objects give nothing', () => {
    expect(parseRfsError(res(500, 'oops'))).toBeUndefined();
    expect(parseRfsError(res(500, [1, 2]))).toBeUndefined();
    expect(parseRfsError(res(500, null))).toBeUndefined();
  });
});

function safe(t: string): unknown {
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
}
