import http, { type ClientRequest } from 'node:http';
import https from 'node:https';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nativeRequest } from '../src/transport/native-request.js';

afterEach(() => vi.restoreAllMocks());

describe('nativeRequest (the request function got uses)', () => {
  const fake = {} as ClientRequest;
  const options = {
    method: 'GET',
    headers: { accept: 'application/json' },
    ca: undefined,
    agent: undefined,
    rejectUnauthorized: false,
    setHost: true,
    family: 0,
    lookup: null,
    timeout: undefined,
  };

  it('hands http.request every option that has a value, and none that is undefined', () => {
    const spy = vi.spyOn(http, 'request').mockReturnValue(fake);
    const url = new URL('http://127.0.0.1:1/events?page=2');
    const cb = () => {};
    expect(nativeRequest(url, options, cb)).toBe(fake);
    expect(spy).toHaveBeenCalledTimes(1);
    const [u, o, c] = spy.mock.calls[0] as unknown as [URL, Record<string, unknown>, unknown];
    expect(u).toBe(url);
    expect(c).toBe(cb);
    // false, 0 and null are values (rejectUnauthorized: false must reach TLS); undefined is absence
    // (toStrictEqual: a key present with `undefined` would not match).
    expect(o).toStrictEqual({
      method: 'GET',
      headers: { accept: 'application/json' },
      rejectUnauthorized: false,
      setHost: true,
      family: 0,
      lookup: null,
    });
  });

  it('uses https.request for https URLs', () => {
    const plain = vi.spyOn(http, 'request').mockReturnValue(fake);
    const secure = vi.spyOn(https, 'request').mockReturnValue(fake);
    nativeRequest(new URL('https://127.0.0.1:1/x'), { ca: 'PEM', rejectUnauthorized: undefined });
    expect(plain).not.toHaveBeenCalled();
    expect(secure).toHaveBeenCalledTimes(1);
    expect(secure.mock.calls[0]?.[1]).toStrictEqual({ ca: 'PEM' });
  });
});
