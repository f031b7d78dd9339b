import { createRequire } from 'node:module';
import { type SignableRequest, encodeQuery, encodeRfc3986 } from '@stackfeed/core/adapter';
import type { EmulatorRequest } from '@stackfeed/emulator';
import { verifyAkSkRequest } from '@stackfeed/emulator/rfs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AkSkAuth } from '../src/auth/aksk.js';

const require = createRequire(import.meta.url);
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner') as {
  AKSKSigner: {
    sign(
      r: {
        method: string;
        endpoint: string;
        headers: Record<string, string>;
        queryParams: Record<string, string | string[]>;
        data?: unknown;
      },
      c: { getAk(): string; getSk(): string },
    ): Record<string, string>;
  };
};

// Characters below the surrogate range: there UTF-16 order (the Node signer's sort) equals UTF-8
// byte order (the gateway's), so all three implementations must agree.
const anyChar = fc.integer({ min: 0x20, max: 0xd7ff }).map((c) => String.fromCharCode(c));
const text = fc.string({ unit: anyChar, minLength: 0, maxLength: 12 });
// Path segments: what legacy url.parse (inside the Node signer) leaves alone, plus non-ASCII.
const pathChar = fc.oneof(
  fc.constantFrom(...'abcXYZ019-_.~!*()'.split('')),
  fc.integer({ min: 0x4e00, max: 0x4f00 }).map((c) => String.fromCharCode(c)),
);
const segment = fc.string({ unit: pathChar, minLength: 1, maxLength: 8 }).filter((s) => s !== '.' && s !== '..');
const queryArb = fc.dictionary(
  fc.string({ unit: anyChar, minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__'),
  fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 3 })),
  { maxKeys: 5 },
);
const bodyArb = fc.option(fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(text, fc.integer(), fc.boolean())), {
  nil: undefined,
});

const AK = 'HPUAPROPERTYKEY00001';
const SK = 'propertySecretKey0123456789abcdefghijkl';
const WHEN = Date.UTC(2025, 5, 12, 8, 0, 0);

async function signOurs(segments: string[], query: Record<string, string | string[]>, json: unknown, token?: string) {
  const auth = new AkSkAuth(
    { accessKey: AK, secretKey: SK, securityToken: token },
    { projectId: 'p0123456', now: () => WHEN },
  );
  const url = new URL(`https://rfs.cn-north-4.myhuaweicloud.com/${segments.map(encodeRfc3986).join('/')}`);
  const qs = encodeQuery(query);
  url.search = qs ? `?${qs}` : '';
  const body = json === undefined ? undefined : JSON.stringify(json);
  const req: SignableRequest = {
    method: body ? 'POST' : 'GET',
    url,
    headers: body ? { 'content-type': 'application/json' } : {},
    body,
  };
  await auth.sign(req);
  return { req, url, body };
}

describe('property: our signer, the official Node signer and the emulator gateway agree', () => {
  it('on random paths, queries (repeated keys, reserved and non-ASCII characters) and bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        queryArb,
        bodyArb,
        fc.boolean(),
        async (segments, query, json, temporary) => {
          const token = temporary ? 'temporary-security-token-000' : undefined;
          const { req, url, body } = await signOurs(segments, query, json, token);
          const ours = req.headers.authorization as string;
          const signed = (/SignedHeaders=([^,]+)/.exec(ours)?.[1] ?? '').split(';');
          const headers: Record<string, string> = {};
          for (const h of signed) if (h !== 'host') headers[h] = req.headers[h] as string;
          headers['X-Sdk-Date'] = headers['x-sdk-date'] as string;
          delete headers['x-sdk-date'];
          const official = AKSKSigner.sign(
            {
              method: req.method,
              endpoint: `${url.origin}/${segments.join('/')}`,
              headers,
              queryParams: query,
              ...(json !== undefined ? { data: json } : {}),
            },
            { getAk: () => AK, getSk: () => SK },
          );
          expect(ours).toBe(official.Authorization);

          // The gateway sees the raw request as sent on the wire.
          const wire: EmulatorRequest = {
            method: req.method,
            url,
            rawPath: url.pathname,
            rawQuery: url.search.slice(1),
            headers: { ...req.headers },
            body: body ?? '',
            params: {},
          };
          const lookup = (ak: string) =>
            ak === AK ? { accessKey: AK, secretKey: SK, securityToken: token } : undefined;
          expect(verifyAkSkRequest(wire, lookup, WHEN, 900_000)).toEqual({ ok: true, accessKey: AK });
          // Any change to what was signed is caught.
          expect(verifyAkSkRequest({ ...wire, rawPath: `${wire.rawPath}/x` }, lookup, WHEN, 900_000).ok).toBe(false);
          expect(verifyAkSkRequest({ ...wire, rawQuery: `${wire.rawQuery}&zz=1` }, lookup, WHEN, 900_000).ok).toBe(
            false,
          );
          expect(
            verifyAkSkRequest(
              { ...wire, headers: { ...wire.headers, 'client-request-id': 'x'.repeat(36) } },
              lookup,
              WHEN,
              900_000,
            ).ok,
          ).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('property: no response body crashes the client', () => {
  it('any JSON from ListStackEvents / GetStackMetadata / ListStacks ends in items or a StackfeedError', async () => {
    const { StackfeedError } = await import('@stackfeed/core');
    const { startRfsEmulator, deploymentSucceeds } = await import('@stackfeed/emulator/rfs');
    const { RfsClient } = await import('../src/index.js');
    const emu = await startRfsEmulator({
      credentials: { aksk: [{ accessKey: AK, secretKey: SK }] },
      scenarios: [deploymentSucceeds({ stackName: 'ok' })],
    });
    const rfs = new RfsClient({
      region: 'cn-north-4',
      projectId: emu.projectId,
      endpoint: emu.url,
      credentials: { accessKey: AK, secretKey: SK },
      retry: { maxAttempts: 1 },
      env: {},
    });
    const event = fc.record(
      {
        event_type: fc.oneof(fc.constantFrom('LOG', 'ERROR', 'CREATION_COMPLETE', 'WHATEVER'), fc.anything()),
        time: fc.oneof(fc.constant('2025-06-12T08:00:00Z'), fc.string(), fc.integer(), fc.constant(null)),
        resource_name: fc.oneof(fc.string(), fc.constant(null), fc.anything()),
        resource_key: fc.oneof(fc.string(), fc.integer()),
        elapsed_seconds: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
        event_message: fc.anything(),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.anything(),
      fc.record({
        stack_events: fc.oneof(fc.array(event, { maxLength: 5 }), fc.anything()),
        page_info: fc.oneof(fc.record({ next_marker: fc.oneof(fc.string(), fc.anything()) }), fc.anything()),
      }),
      fc.record({
        stacks: fc.oneof(fc.array(fc.record({ stack_name: fc.anything(), status: fc.anything() })), fc.anything()),
      }),
      fc.record({ stack_name: fc.anything(), status: fc.anything(), create_time: fc.anything() }),
    );
    const status = fc.constantFrom(200, 200, 200, 400, 401, 403, 404, 409, 500);
    try {
      await fc.assert(
        fc.asyncProperty(body, status, fc.constantFrom('events', 'metadata', 'stacks'), async (b, st, op) => {
          emu.server.faults.clear();
          emu.server.faults.inject({ kind: 'status', status: st, body: b === undefined ? null : b }, { times: 3 });
          try {
            if (op === 'events') await rfs.listStackEvents('ok', { maxItems: 20 }).toArray({ limit: 20 });
            else if (op === 'metadata') await rfs.getStack('ok');
            else await rfs.listStacks({ maxItems: 20 }).toArray({ limit: 20 });
          } catch (err) {
            if (!StackfeedError.is(err)) throw err;
          }
        }),
        { numRuns: 150 },
      );
    } finally {
      await emu.close();
    }
  });
});
