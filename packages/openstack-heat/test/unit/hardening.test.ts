import { type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
// Test-only: forging a token needs the signer itself (a caller holding the key could do this).
import { createTokenKey, encodeToken } from '../../../core/src/paging/continuation-token.js';
import { HeatClient } from '../../src/index.js';

let emu: HeatEmulator;
let webId: string;
let otherId: string;
const client = (extra: Record<string, unknown> = {}) =>
  new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl, retry: { maxAttempts: 1 }, ...extra });

beforeAll(async () => {
  emu = await startHeatEmulator();
  webId = emu.addStack('web', createScript('web', [{ name: 'a' }, { name: 'b' }, { name: 'c' }])).id;
  otherId = emu.addStack('other', createScript('other', [{ name: 'secret' }])).id;
  emu.advance(60_000);
});
afterAll(() => emu.close());
afterEach(() => {
  emu.server.faults.clear();
  emu.server.requests.length = 0;
});

async function firstToken(c: HeatClient, ref: { name: string; id: string } | string) {
  const page = (await c.listStackEvents(ref, { pageSize: 2 }).byPage().next()).value as { continuationToken: string };
  return page.continuationToken;
}

/** Re-sign `token` with its cursor changed by `edit`, under the passphrase key `key`. */
function forge(token: string, key: string, edit: (c: Record<string, unknown>) => void): string {
  const payload = token.slice(token.indexOf('.') + 1, token.lastIndexOf('.'));
  const prefix = token.slice(0, token.indexOf('.') + 1);
  const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  edit(body.c);
  const out = encodeToken(createTokenKey(key), body.p, body.o, body.s, { cursor: body.c, skip: body.k ?? 0 });
  expect(out.startsWith(prefix)).toBe(true);
  return out;
}

describe('continuation tokens', () => {
  it('resume only under the same tokenKey: random per client by default, settable', async () => {
    const token = await firstToken(client(), 'web');
    const err = await client()
      .listStackEvents('web', { pageSize: 2, continuationToken: token })
      .toArray({ limit: 100 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_REQUEST' });
    const shared = await firstToken(client({ tokenKey: 'team-passphrase-0123' }), 'web');
    const rest = await client({ tokenKey: 'team-passphrase-0123' })
      .listStackEvents('web', { pageSize: 2, continuationToken: shared })
      .toArray({ limit: 100 });
    expect(rest.length).toBe(emu.visibleEvents(emu.stacks.get(webId)!).length - 2);
  });

  it('a token edited to name another stack is refused before any request; that stack is never read', async () => {
    const key = 'k-edit-test-0123456';
    const ref = 'web';
    const token = await firstToken(client({ tokenKey: key }), ref);
    const edited = forge(token, key, (c) => {
      c.s = { name: 'other', id: otherId };
    });
    emu.server.requests.length = 0;
    const err = await client({ tokenKey: key })
      .listStackEvents(ref, { pageSize: 2, continuationToken: edited })
      .toArray({ limit: 100 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('another stack') });
    expect(emu.server.requests).toHaveLength(0);
    for (const [what, edit] of [
      ['time', (c: Record<string, unknown>) => (c.t = 1e300)],
      ['marker', (c: Record<string, unknown>) => (c.m = '../../other')],
      ['marker', (c: Record<string, unknown>) => (c.m = 42)],
    ] as const) {
      const bad = forge(token, key, edit);
      const e = await client({ tokenKey: key })
        .listStackEvents(ref, { pageSize: 2, continuationToken: bad })
        .toArray({ limit: 100 })
        .catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining(what) });
    }
    expect(emu.server.requests.some((r) => r.path.includes(otherId))).toBe(false);
  });
});

describe('strict timestamps', () => {
  it('a numeric event_time is INVALID_RESPONSE naming the field, not 1970', async () => {
    const ev = emu.visibleEvents(emu.stacks.get(webId)!)[0]!;
    emu.server.faults.inject({ kind: 'status', status: 200, body: { events: [{ ...ev, event_time: '20260101' }] } });
    const err = await client()
      .listStackEvents({ name: 'web', id: webId })
      .toArray({ limit: 10 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_RESPONSE', message: expect.stringContaining('event_time') });
    emu.server.faults.inject({ kind: 'status', status: 200, body: { events: [{ ...ev, event_time: 1767225600 }] } });
    const num = await client()
      .listStackEvents({ name: 'web', id: webId })
      .toArray({ limit: 10 })
      .catch((e: unknown) => e);
    expect(num).toMatchObject({ code: 'INVALID_RESPONSE', message: expect.stringContaining('event_time') });
  });
});

describe('client options', () => {
  it('CR/LF in a header-bound option is CONFIG at construction', () => {
    const bad = 'x\r\nX-Evil: 1';
    for (const extra of [{ userAgent: bad }, { headers: { 'X-Auth-User': bad } }]) {
      expect(() => client(extra)).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    }
    expect(() => new HeatClient({ auth: { type: 'none', token: bad }, endpoint: emu.heatUrl })).toThrow(
      expect.objectContaining({ code: 'CONFIG' }),
    );
  });

  it('forwards maxResponseBytes and timeoutMs to the transport', async () => {
    const small = await client({ maxResponseBytes: 512 })
      .listStackEvents({ name: 'web', id: webId })
      .toArray({ limit: 100 })
      .catch((e: unknown) => e);
    expect(small).toMatchObject({ code: 'INVALID_RESPONSE', message: expect.stringContaining('512') });
    emu.server.faults.inject({ kind: 'delay', ms: 2000 });
    const slow = await client({ timeoutMs: 100 })
      .getStack({ name: 'web', id: webId })
      .catch((e: unknown) => e);
    expect(slow).toMatchObject({ code: 'TIMEOUT' });
  });
});
