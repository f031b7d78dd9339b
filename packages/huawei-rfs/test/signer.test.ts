import { createRequire } from 'node:module';
import { type SignableRequest, encodeQuery } from '@stackfeed/core/adapter';
import { describe, expect, it } from 'vitest';
import { AkSkAuth } from '../src/auth/aksk.js';
import {
  EMPTY_PAYLOAD_SHA256,
  canonicalQueryString,
  canonicalUri,
  formatSdkDate,
  payloadHash,
  signRequest,
} from '../src/auth/signer.js';
import { readShared } from './helpers.js';

interface Vector {
  name: string;
  signer_variant?: string;
  ak?: string;
  sk?: string;
  method?: string;
  url?: string;
  headers_in?: Record<string, string>;
  query?: Record<string, string | number | boolean | Array<string | number>>;
  body_bytes_hashed?: string;
  canonical_request?: string;
  string_to_sign?: string;
  expected_authorization?: string;
  expected_canonical_query?: string;
}

const vectors = readShared<{ vectors: Vector[] }>('specs/huawei-rfs/signing-test-vectors.json').vectors;

function urlOf(v: Vector): URL {
  const u = new URL(v.url as string);
  const q = encodeQuery(v.query as Record<string, string>);
  u.search = q ? `?${q}` : '';
  return u;
}

describe('signing vectors (shared/specs/huawei-rfs/signing-test-vectors.json)', () => {
  it('has the vectors this suite expects', () => {
    expect(vectors.filter((v) => v.expected_authorization).length).toBeGreaterThanOrEqual(6);
  });

  for (const v of vectors.filter((x) => x.expected_authorization)) {
    it(`${v.name}: canonical request, string to sign and Authorization match`, () => {
      const headers: Record<string, string> = {};
      for (const [k, val] of Object.entries(v.headers_in ?? {})) headers[k.toLowerCase()] = val;
      const url = urlOf(v);
      let signed: string[];
      if (v.signer_variant?.startsWith('go')) {
        // Go: every header except Content-Type* and names with '_'; no host.
        signed = Object.keys(headers).filter((h) => !h.startsWith('content-type') && !h.includes('_'));
      } else {
        headers.host = url.host;
        signed = Object.keys(headers);
      }
      const r = signRequest({
        method: v.method as string,
        url,
        headers,
        signedHeaders: signed,
        body: v.body_bytes_hashed || undefined,
        accessKey: v.ak as string,
        secretKey: v.sk as string,
      });
      expect(r.canonicalRequest).toBe(v.canonical_request);
      expect(r.stringToSign).toBe(v.string_to_sign);
      expect(r.authorization).toBe(v.expected_authorization);
    });
  }

  for (const v of vectors.filter((x) => x.expected_canonical_query)) {
    it(`${v.name}: canonical query string`, () => {
      expect(canonicalQueryString(encodeQuery(v.query as Record<string, string>))).toBe(v.expected_canonical_query);
    });
  }
});

describe('signer pieces', () => {
  it('formats X-Sdk-Date in UTC', () => {
    expect(formatSdkDate(new Date('2006-01-02T15:04:05.999Z'))).toBe('20060102T150405Z');
  });
  it('appends a trailing slash and encodes each segment once', () => {
    expect(canonicalUri('/v1/p/stacks/s/events')).toBe('/v1/p/stacks/s/events/');
    expect(canonicalUri('/v1/p/stacks/%E6%A0%88-1/events/')).toBe('/v1/p/stacks/%E6%A0%88-1/events/');
    expect(canonicalUri('/a%20b/c%2Fd')).toBe('/a%20b/c%2Fd/');
    expect(canonicalUri('/')).toBe('/');
  });
  it('sorts keys and repeated values, treats a bare key as empty', () => {
    expect(canonicalQueryString('?b=2&a=z&a=y&c')).toBe('a=y&a=z&b=2&c=');
    expect(canonicalQueryString('')).toBe('');
  });
  it('hashes the empty body as the constant', () => {
    expect(payloadHash(undefined)).toBe(EMPTY_PAYLOAD_SHA256);
    expect(payloadHash('')).toBe(EMPTY_PAYLOAD_SHA256);
  });
  it('refuses to sign without x-sdk-date or with a missing signed header', () => {
    const base = { method: 'GET', url: 'https://h/p', accessKey: 'a', secretKey: 'b' };
    expect(() => signRequest({ ...base, headers: {}, signedHeaders: [] })).toThrow(/x-sdk-date/);
    expect(() => signRequest({ ...base, headers: { 'x-sdk-date': 'x' }, signedHeaders: ['host'] })).toThrow(/host/);
  });
});

// The official Huawei Node signer (devDependency), reached by deep import: the package has no exports map.
const require = createRequire(import.meta.url);
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner') as {
  AKSKSigner: {
    CanonicalURI(path: string): string;
    CanonicalQueryString(r: { queryParams: Record<string, string | string[]> }): string;
    buildCanonicalHeaders(headers: Record<string, string>): string;
    buildPayloadHash(r: { headers: Record<string, string>; data?: unknown }): string;
    buildCanonicalRequest(m: string, uri: string, q: string, h: string, signed: string, payload: string): string;
    sign(
      request: {
        method: string;
        endpoint: string;
        headers: Record<string, string>;
        queryParams: Record<string, string | string[]>;
        data?: unknown;
      },
      credential: { getAk(): string; getSk(): string },
    ): Record<string, string>;
  };
};

interface Case {
  name: string;
  method: 'GET' | 'POST';
  origin: string;
  /** Decoded path segments. */
  segments: string[];
  query?: Record<string, string | string[]>;
  json?: unknown;
  securityToken?: string;
}

const CASES: Case[] = [
  {
    name: 'GET with query parameters needing sorting and encoding',
    method: 'GET',
    origin: 'https://rfs.cn-north-4.myhuaweicloud.com',
    segments: ['v1', '0123456789abcdef', 'stacks', 'my-stack', 'events'],
    query: {
      limit: '50',
      filter: 'event_type==ERROR|event_type==DRIFT,resource_type==huaweicloud_vpc',
      field: 'event_message,time',
      marker: 'a b+c/d=e&f~',
      deployment_id: 'd3e1f7a0-1111-2222-3333-444455556666',
      stack_id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    },
  },
  {
    name: 'path segments needing encoding (non-ASCII and reserved characters)',
    method: 'GET',
    origin: 'https://rfs.ap-southeast-1.myhuaweicloud.com',
    segments: ['v1', 'p', 'stacks', '栈-1(测试)*!~ü', 'metadata'],
    query: { stack_id: 'x' },
  },
  {
    name: 'repeated query keys',
    method: 'GET',
    origin: 'http://127.0.0.1:8443',
    segments: ['v1', 'p', 'stacks'],
    query: { multi: ['b', 'a', 'c'], limit: '1' },
  },
  {
    name: 'POST with a JSON body',
    method: 'POST',
    origin: 'https://rfs.cn-north-4.myhuaweicloud.com',
    segments: ['v1', 'p', 'stacks'],
    json: { stack_name: 'my-stack', description: 'démo “quoted”', vars: [1, 2, { a: null }] },
  },
  {
    name: 'temporary credentials (X-Security-Token)',
    method: 'GET',
    origin: 'https://aos.myhuaweicloud.eu',
    segments: ['v1', 'p', 'stacks', 'eu-stack', 'events'],
    query: { limit: '10' },
    securityToken: 'gQpjbi1ub3J0aC00temporary-session-token==',
  },
];

describe('cross-check with the official @huaweicloud/huaweicloud-sdk-core AKSKSigner', () => {
  const ak = 'HPUAXXXXXXXXXXXXXXXX';
  const sk = 'sk/with+special=chars0123456789abcdefghij';
  const when = Date.UTC(2025, 5, 12, 8, 0, 0);

  for (const c of CASES) {
    it(c.name, async () => {
      const auth = new AkSkAuth(
        { accessKey: ak, secretKey: sk, securityToken: c.securityToken },
        { projectId: '0123456789abcdef', now: () => when },
      );
      const path = `/${c.segments.map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (x) => `%${x.charCodeAt(0).toString(16).toUpperCase()}`)).join('/')}`;
      const url = new URL(c.origin + path);
      const qs = encodeQuery(c.query);
      url.search = qs ? `?${qs}` : '';
      const body = c.json === undefined ? undefined : JSON.stringify(c.json);
      const req: SignableRequest = {
        method: c.method,
        url,
        headers: body ? { 'content-type': 'application/json', 'user-agent': 'x' } : { 'user-agent': 'x' },
        body,
      };
      await auth.sign(req);
      const ours = req.headers.authorization as string;
      const signedNames = /SignedHeaders=([^,]+)/.exec(ours)?.[1]?.split(';') ?? [];
      expect(signedNames).toContain('x-sdk-date');
      expect(signedNames).toContain('client-request-id');
      if (c.securityToken) expect(signedNames).toContain('x-security-token');
      expect(req.headers['x-sdk-date']).toBe('20250612T080000Z');

      // Give the official signer exactly the headers we signed (it signs all it is given, plus host).
      const headers: Record<string, string> = {};
      for (const name of signedNames) if (name !== 'host') headers[name] = req.headers[name] as string;
      headers['X-Sdk-Date'] = headers['x-sdk-date'] as string;
      delete headers['x-sdk-date'];
      const official = AKSKSigner.sign(
        {
          method: c.method,
          endpoint: `${c.origin}/${c.segments.join('/')}`,
          headers,
          queryParams: c.query ?? {},
          ...(c.json !== undefined ? { data: c.json } : {}),
        },
        { getAk: () => ak, getSk: () => sk },
      );
      expect(ours).toBe(official.Authorization);

      // Same canonical request, piece by piece, from the official signer's own building blocks.
      const theirs = AKSKSigner.buildCanonicalRequest(
        c.method,
        AKSKSigner.CanonicalURI(`/${c.segments.join('/')}`),
        AKSKSigner.CanonicalQueryString({ queryParams: c.query ?? {} }),
        AKSKSigner.buildCanonicalHeaders({ ...headers, host: url.host }),
        signedNames.join(';'),
        AKSKSigner.buildPayloadHash({ headers, ...(c.json !== undefined ? { data: c.json } : {}) }),
      );
      const mine = signRequest({
        method: c.method,
        url,
        headers: req.headers,
        signedHeaders: signedNames,
        body,
        accessKey: ak,
        secretKey: sk,
      });
      expect(mine.canonicalRequest).toBe(theirs);
      expect(mine.authorization).toBe(ours);
    });
  }
});
