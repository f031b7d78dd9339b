import { inspect } from 'node:util';
import { type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeatClient } from '../../src/index.js';

/** A server that reflects the client's credential in its answers: no fragment of it reaches the error. */
let emu: HeatEmulator;
let id: string;
const TOKEN = 'noauthSecretTok3nReflectedZq81';
const client = () =>
  new HeatClient({ auth: { type: 'none', token: TOKEN }, endpoint: emu.heatUrl, retry: { maxAttempts: 1 } });

beforeAll(async () => {
  emu = await startHeatEmulator();
  id = emu.addStack('web', createScript('web', [{ name: 'a' }])).id;
  emu.advance(60_000);
});
afterAll(() => emu.close());

/** Every 8-character piece of the token: none may appear anywhere in the error. */
const pieces = Array.from({ length: TOKEN.length - 7 }, (_, i) => TOKEN.slice(i, i + 8));
function expectNoFragment(err: unknown) {
  const texts = [String(err), JSON.stringify(err), inspect(err, { depth: 5 }), (err as Error).stack ?? ''];
  for (const t of texts) for (const p of pieces) expect(t).not.toContain(p);
}

describe('reflected credentials', () => {
  it('a fault message echoing the token at any offset around the cut is masked', async () => {
    for (let offset = 150; offset <= 260; offset += 7) {
      const message = `${'x'.repeat(offset)}${TOKEN}${'y'.repeat(40)}`;
      emu.server.faults.inject({
        kind: 'status',
        status: 400,
        body: { code: 400, title: 'Bad Request', error: { type: 'HTTPBadRequest', message, traceback: null } },
      });
      const err = await client()
        .getStack({ name: 'web', id })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'BAD_REQUEST' });
      expectNoFragment(err);
    }
  });

  it('a malformed JSON body holding the token does not quote it', async () => {
    for (let offset = 0; offset <= 30; offset += 3) {
      emu.server.faults.inject({ kind: 'status', status: 200, body: `${'{'.repeat(1)}${'a'.repeat(offset)}${TOKEN}` });
      const err = await client()
        .getStack({ name: 'web', id })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'INVALID_RESPONSE' });
      expectNoFragment(err);
    }
  });
});
