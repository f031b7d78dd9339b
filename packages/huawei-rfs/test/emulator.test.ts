import { createRequire } from 'node:module';
import type { EmulatorRequest } from '@stackfeed/emulator';
import {
  type RfsEmulator,
  deploymentFailsAndRollsBack,
  largeStack,
  parseRfsFilter,
  verifyAkSkRequest,
} from '@stackfeed/emulator/rfs';
import { encodeQuery } from '@stackfeed/core/adapter';
import { afterEach, describe, expect, it } from 'vitest';
import { AK, SK, emulator } from './fixtures.js';
import { readShared } from './helpers.js';

const require = createRequire(import.meta.url);
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner') as {
  AKSKSigner: {
    sign(
      r: {
        method: string;
        endpoint: string;
        headers: Record<string, string>;
        queryParams: Record<string, string>;
        data?: unknown;
      },
      c: { getAk(): string; getSk(): string },
    ): Record<string, string>;
  };
};

interface Vector {
  name: string;
  signer_variant?: string;
  ak?: string;
  sk?: string;
  method?: string;
  url?: string;
  headers_in?: Record<string, string>;
  query?: Record<string, string | number>;
  body_bytes_hashed?: string;
  expected_authorization?: string;
}
const vectors = readShared<{ vectors: Vector[] }>('specs/huawei-rfs/signing-test-vectors.json').vectors.filter(
  (v) => v.expected_authorization,
);

function vectorRequest(v: Vector): { req: EmulatorRequest; at: number } {
  const url = new URL(v.url as string);
  const headers: Record<string, string> = {};
  for (const [k, val] of Object.entries(v.headers_in ?? {})) headers[k.toLowerCase()] = val;
  headers.host = url.host;
  headers.authorization = v.expected_authorization as string;
  const rawQuery = encodeQuery(v.query as Record<string, string>);
  return {
    req: {
      method: v.method as string,
      url: new URL(`${url.pathname}?${rawQuery}`, url.origin),
      rawPath: url.pathname,
      rawQuery,
      headers,
      body: v.body_bytes_hashed ?? '',
      params: {},
    },
    at: Date.UTC(2006, 0, 2, 15, 4, 5),
  };
}

describe('emulator signature verifier (independent of the client signer)', () => {
  const lookup = (ak: string) => (ak === 'AccessKey' ? { accessKey: ak, secretKey: 'SecretKey' } : undefined);
  for (const v of vectors) {
    it(`accepts vector ${v.name}, rejects it tampered`, () => {
      const { req, at } = vectorRequest(v);
      const tokenLookup = (ak: string) =>
        ak === 'AccessKey'
          ? {
              accessKey: ak,
              secretKey: 'SecretKey',
              ...(req.headers['x-security-token'] ? { securityToken: 'tok' } : {}),
            }
          : undefined;
      expect(verifyAkSkRequest(req, tokenLookup, at, 15 * 60_000)).toEqual({ ok: true, accessKey: 'AccessKey' });
      expect(verifyAkSkRequest(req, tokenLookup, at + 16 * 60_000, 15 * 60_000)).toMatchObject({ ok: false });
      expect(verifyAkSkRequest({ ...req, rawQuery: `${req.rawQuery}&x=1` }, tokenLookup, at, 15 * 60_000).ok).toBe(
        false,
      );
      expect(verifyAkSkRequest({ ...req, rawPath: `${req.rawPath}x` }, tokenLookup, at, 15 * 60_000).ok).toBe(false);
      expect(verifyAkSkRequest({ ...req, body: `${req.body} ` }, tokenLookup, at, 15 * 60_000).ok).toBe(false);
      expect(
        verifyAkSkRequest({ ...req, method: req.method === 'GET' ? 'DELETE' : 'GET' }, tokenLookup, at, 15 * 60_000).ok,
      ).toBe(false);
      expect(verifyAkSkRequest(req, () => undefined, at, 15 * 60_000)).toMatchObject({
        ok: false,
        reason: expect.stringContaining('ak not exist'),
      });
      const wrongSk = (ak: string) => ({ accessKey: ak, secretKey: 'SecretKeX' });
      expect(verifyAkSkRequest(req, wrongSk, at, 15 * 60_000).ok).toBe(false);
    });
  }
  it('rejects malformed dates, unsigned x-sdk-date, unsorted signed headers, a missing signed header', () => {
    const { req, at } = vectorRequest(vectors.find((v) => v.name === 'node-simple-get') as Vector);
    const bad = (patch: Partial<EmulatorRequest['headers']>) =>
      verifyAkSkRequest({ ...req, headers: { ...req.headers, ...patch } }, lookup, at, 15 * 60_000);
    expect(bad({ 'x-sdk-date': '2006-01-02T15:04:05Z' })).toMatchObject({ ok: false, reason: 'invalid x-sdk-date' });
    expect(bad({ 'x-sdk-date': '20060231T150405Z' })).toMatchObject({ ok: false, reason: 'invalid x-sdk-date' });
    const auth = req.headers.authorization as string;
    expect(bad({ authorization: auth.replace('host;x-sdk-date', 'x-sdk-date;host') }).ok).toBe(false);
    expect(bad({ authorization: auth.replace('host;x-sdk-date', 'host') })).toMatchObject({
      reason: 'x-sdk-date is not signed',
    });
    expect(bad({ host: undefined })).toMatchObject({ ok: false });
    expect(bad({ authorization: auth.replace('SDK-HMAC-SHA256', 'AWS4-HMAC-SHA256') })).toMatchObject({
      reason: 'malformed Authorization header',
    });
  });
});

let emu: RfsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** A request signed by the official Huawei Node signer, sent with fetch. */
async function officialGet(
  e: RfsEmulator,
  path: string,
  query: Record<string, string>,
  extra: Record<string, string> = { 'Client-Request-Id': '11111111-2222-3333-4444-555555555555' },
) {
  const headers = AKSKSigner.sign(
    { method: 'GET', endpoint: `${e.url}${path}`, headers: { ...extra }, queryParams: query },
    { getAk: () => AK, getSk: () => SK },
  );
  delete headers.host;
  const qs = encodeQuery(query);
  const res = await fetch(`${e.url}${path}${qs ? `?${qs}` : ''}`, { headers });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    requestId: res.headers.get('x-request-id'),
  };
}

describe('emulator wire behaviour (requests signed by the official Node signer)', () => {
  const P = '0123456789abcdef0123456789abcdef';
  it('accepts the official signer; a tampered signature is 401 APIGW.0301 with request_id', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 30 })] });
    const ok = await officialGet(emu, `/v1/${P}/stacks/big/events`, { limit: '10' });
    expect(ok.status).toBe(200);
    expect((ok.body.stack_events as unknown[]).length).toBe(10);
    expect(ok.body.page_info).toMatchObject({ current_count: 10, next_marker: expect.any(String) });
    const res = await fetch(`${emu.url}/v1/${P}/stacks/big/events`, {
      headers: {
        'x-sdk-date': '20250612T080000Z',
        'client-request-id': '11111111-2222-3333-4444-555555555555',
        authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=x-sdk-date, Signature=${'0'.repeat(64)}`,
      },
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, string>;
    expect(body.error_code).toBe('APIGW.0301');
    expect(body.error_msg).toMatch(/^Incorrect IAM authentication information: /);
    expect(body.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('requires Client-Request-Id', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 30 })] });
    const r = await officialGet(emu, `/v1/${P}/stacks/big/events`, {}, {});
    expect(r.status).toBe(400);
  });

  it('filter grammar: OR binds tighter than AND, `;` makes the filter ignored, bad shapes are 400', async () => {
    expect(parseRfsFilter('event_type==ERROR|event_type==DRIFT,resource_type==huaweicloud_vpc')).toEqual(
      new Map([
        ['event_type', new Set(['ERROR', 'DRIFT'])],
        ['resource_type', new Set(['huaweicloud_vpc'])],
      ]),
    );
    expect(parseRfsFilter('event_type==ERROR;')).toBeUndefined();
    expect(parseRfsFilter('')).toBeUndefined();
    for (const bad of [
      'event_type==ERROR,event_type==LOG',
      'event_type==ERROR|resource_type==x',
      'event_type=ERROR',
      'event_type==my-vpc',
      'event_time==x',
      'event_type==',
      'x'.repeat(513),
    ]) {
      expect(() => parseRfsFilter(bad), bad).toThrow();
    }
    const s = deploymentFailsAndRollsBack({ stackName: 'fail' });
    emu = await emulator({ scenarios: [s], progress: 'manual' });
    emu.finish('fail');
    const all = (emu.stack('fail')?.events ?? []).length;
    const ignored = await officialGet(emu, `/v1/${P}/stacks/fail/events`, {
      filter: 'event_type==ERROR;',
      limit: '1000',
    });
    expect((ignored.body.stack_events as unknown[]).length).toBe(all);
    const errors = await officialGet(emu, `/v1/${P}/stacks/fail/events`, { filter: 'event_type==ERROR' });
    expect(errors.body.stack_events).toEqual([expect.objectContaining({ event_type: 'ERROR' })]);
    const bad = await officialGet(emu, `/v1/${P}/stacks/fail/events`, { filter: 'event_type==A,event_type==B' });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('RF.10010400');
  });

  it('field selects attributes (event_type always), limit bounds, markers bound to their parameters, previous_marker', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 50 })] });
    const path = `/v1/${P}/stacks/big/events`;
    const f = await officialGet(emu, path, { field: 'event_message', limit: '10' });
    for (const ev of f.body.stack_events as Array<Record<string, unknown>>) {
      expect(Object.keys(ev).sort()).toEqual(['event_message', 'event_type']);
    }
    expect((await officialGet(emu, path, { field: 'nope' })).status).toBe(400);
    // 10..1000: the bounds the official Java SDK's ListStackEventsRequest states.
    expect((await officialGet(emu, path, { limit: '0' })).status).toBe(400);
    expect((await officialGet(emu, path, { limit: '9' })).status).toBe(400);
    expect((await officialGet(emu, path, { limit: '1001' })).status).toBe(400);
    const p1 = await officialGet(emu, path, { limit: '10' });
    const marker = (p1.body.page_info as { next_marker: string }).next_marker;
    expect((await officialGet(emu, path, { limit: '10', marker, filter: 'event_type==LOG' })).status).toBe(400);
    const p2 = await officialGet(emu, path, { limit: '10', marker });
    expect(p2.status).toBe(200);
    const prev = (p2.body.page_info as { previous_marker: string }).previous_marker;
    const back = await officialGet(emu, path, { limit: '10', marker: prev });
    expect(back.body.stack_events).toEqual(p1.body.stack_events);
    expect(p1.body.page_info).not.toHaveProperty('previous_marker');
  });

  it('answers 404 for an unknown stack and 403 for another project', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 10 })] });
    expect((await officialGet(emu, `/v1/${P}/stacks/nope/metadata`, {})).status).toBe(404);
    expect((await officialGet(emu, '/v1/otherproject/stacks/big/metadata', {})).status).toBe(403);
  });
});
