/**
 * Issue 13: continuation tokens are bound to the call. An edited token, a token of another stack or
 * another client's key, and even a token re-signed by someone holding the key but carrying a limit
 * or offset out of range, are BAD_REQUEST before any request.
 */
import { createHash, createHmac } from 'node:crypto';
import { type RfsEmulator, largeStack } from '@stackfeed/emulator/rfs';
import { afterEach, describe, expect, it } from 'vitest';
import { client, emulator } from './fixtures.js';

let emu: RfsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const KEY = 'rfs-tokens-test-passphrase';

/** Decode an sf2 token's payload. */
const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.slice(4).split('.')[0] as string, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
const encode = (body: unknown) => Buffer.from(JSON.stringify(body)).toString('base64url');
/** Re-sign an edited payload with the passphrase, as a holder of the key could (core's key derivation). */
function forge(body: unknown): string {
  const key = createHash('sha256').update('stackfeed-token-key\0').update(KEY, 'utf8').digest();
  const payload = encode(body);
  return `sf2.${payload}.${createHmac('sha256', key).update('sf2.').update(payload).digest('base64url')}`;
}

async function firstToken(e: RfsEmulator, order: 'oldest-first' | 'newest-first', stack = 'big') {
  const it = client(e, { tokenKey: KEY }).listStackEvents(stack, { order }).byPage({ pageSize: 10 });
  const token = (await it.next()).value?.continuationToken as string;
  await it.return?.(undefined);
  expect(token).toMatch(/^sf2\./);
  return token;
}

async function refusedBeforeAnyRequest(e: RfsEmulator, run: () => Promise<unknown>) {
  e.server.requests.length = 0;
  await expect(run()).rejects.toMatchObject({ code: 'BAD_REQUEST', provider: 'huawei-rfs' });
  expect(e.server.requests.length).toBe(0);
}

describe('continuation tokens', () => {
  it('an edited token (limit=1000000000) is refused before any request', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 50 })] });
    const token = await firstToken(emu, 'newest-first');
    const body = payloadOf(token);
    expect(body.c).toMatchObject({ marker: expect.any(String), limit: 10 });
    const edited = `sf2.${encode({ ...body, c: { ...(body.c as object), limit: 1_000_000_000 } })}.${token.split('.')[2]}`;
    const rfs = client(emu, { tokenKey: KEY });
    await refusedBeforeAnyRequest(emu, () =>
      rfs.listStackEvents('big', { order: 'newest-first' }).byPage({ continuationToken: edited }).next(),
    );
  });

  it('a token re-signed with the key but carrying an out-of-range limit or offset is still refused (validateCursor)', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 50 })] });
    const rfs = client(emu, { tokenKey: KEY });
    const newest = payloadOf(await firstToken(emu, 'newest-first'));
    const oldest = payloadOf(await firstToken(emu, 'oldest-first'));
    // Control: an unedited re-signed token is accepted, so the forging itself is right.
    const control = await rfs
      .listStackEvents('big', { order: 'newest-first' })
      .byPage({ continuationToken: forge(newest) })
      .next();
    expect(control.value?.items.length).toBe(10);
    for (const c of [{ ...(newest.c as object), limit: 1_000_000_000 }, { ...(newest.c as object), extra: 1 }, {}]) {
      await refusedBeforeAnyRequest(emu, () =>
        rfs
          .listStackEvents('big', { order: 'newest-first' })
          .byPage({ continuationToken: forge({ ...newest, c }) })
          .next(),
      );
    }
    for (const c of [{ offset: -1 }, { offset: 1.5 }, { offset: 1e12 }, { marker: 'm' }]) {
      await refusedBeforeAnyRequest(emu, () =>
        rfs
          .listStackEvents('big')
          .byPage({ continuationToken: forge({ ...oldest, c }) })
          .next(),
      );
    }
  });

  it("another stack's token, another order's token, and another key's token are refused before any request", async () => {
    emu = await emulator({
      scenarios: [largeStack({ stackName: 'big', eventCount: 50 }), largeStack({ stackName: 'other', eventCount: 50 })],
    });
    const token = await firstToken(emu, 'newest-first');
    const rfs = client(emu, { tokenKey: KEY });
    await refusedBeforeAnyRequest(emu, () =>
      rfs.listStackEvents('other', { order: 'newest-first' }).byPage({ continuationToken: token }).next(),
    );
    await refusedBeforeAnyRequest(emu, () => rfs.listStackEvents('big').byPage({ continuationToken: token }).next());
    const stranger = client(emu, { tokenKey: 'another-passphrase-0000' });
    await refusedBeforeAnyRequest(emu, () =>
      stranger.listStackEvents('big', { order: 'newest-first' }).byPage({ continuationToken: token }).next(),
    );
    // A client without tokenKey has a random key of its own.
    await refusedBeforeAnyRequest(emu, () =>
      client(emu as RfsEmulator)
        .listStackEvents('big', { order: 'newest-first' })
        .byPage({ continuationToken: token })
        .next(),
    );
    // The same key resumes.
    const ok = await rfs.listStackEvents('big', { order: 'newest-first' }).byPage({ continuationToken: token }).next();
    expect(ok.value?.items.length).toBe(10);
  });
});
