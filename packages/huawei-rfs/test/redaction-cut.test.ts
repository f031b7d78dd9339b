/**
 * Issue 13: a credential reflected in an RFS error body is masked wherever the quoted text is cut.
 * Before: the encoded_authorization_message was cut at 512 characters BEFORE redaction, so a key
 * straddling the cut left its first characters in the message.
 */
import { type RfsEmulator, deploymentSucceeds } from '@stackfeed/emulator/rfs';
import { afterEach, describe, expect, it } from 'vitest';
import { AK, SK, client, emulator } from './fixtures.js';

let emu: RfsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** Every 4+ character prefix or suffix of a secret: what a cut could leave behind. */
const fragments = (secret: string) => {
  const out: string[] = [];
  for (let n = 4; n <= secret.length; n++) out.push(secret.slice(0, n), secret.slice(secret.length - n));
  return out;
};

describe('reflected credentials at the cut', () => {
  it('the SK in encoded_authorization_message is masked at every offset around the 512-character cut', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const rfs = client(emu, { retry: { maxAttempts: 1 } });
    for (let offset = 512 - SK.length - 2; offset <= 514; offset++) {
      const enc = `${'x'.repeat(offset)}${SK}${'y'.repeat(600)}`;
      emu.server.faults.inject({
        kind: 'status',
        status: 403,
        body: { error_code: 'RF.10010403', error_msg: `denied for ${AK}`, encoded_authorization_message: enc },
      });
      const err = (await rfs.getStack('ok').catch((e: unknown) => e)) as Error;
      // The stack's frames name test files ("test/…"): only its first line is the error's text.
      const { stack: _frames, ...json } = JSON.parse(JSON.stringify(err)) as Record<string, unknown>;
      const shown = `${err.message}\n${err.stack?.split('\n')[0]}\n${JSON.stringify(json)}`;
      for (const f of [...fragments(SK), ...fragments(AK)]) {
        expect(shown.includes(f), `offset ${offset}: ${f}`).toBe(false);
      }
    }
  });
});

describe('every credential is registered', () => {
  it('the security token and the IAM password reflected in error text are masked, also around the quoting cut', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const token = 'gQpjbi1ub3J0aC00reflectedSecurityTokenValue';
    const temp = client(emu, {
      credentials: { accessKey: AK, secretKey: SK, securityToken: token },
      retry: { maxAttempts: 1 },
    });
    for (const offset of [0, 2048 - token.length, 2048 - 10, 2047]) {
      emu.server.faults.inject({
        kind: 'status',
        status: 400,
        body: { error_code: 'RF.10010400', error_msg: `${'z'.repeat(offset)}${token}${'z'.repeat(3000)}` },
      });
      const err = (await temp.getStack('ok').catch((e: unknown) => e)) as Error;
      for (const f of fragments(token).filter((x) => x.length >= 6)) {
        expect(err.message.includes(f), `offset ${offset}: ${f}`).toBe(false);
      }
    }
    const password = 'Reflected-IAM-Pa55word!';
    const iam = client(emu, {
      credentials: { password: { userName: 'ops', password, domainName: 'acme' } },
      iamEndpoint: emu.url,
      retry: { maxAttempts: 1 },
    });
    emu.server.faults.inject({
      kind: 'status',
      status: 401,
      body: { error: { code: 401, message: `The password ${password} is wrong.`, title: 'Unauthorized' } },
    });
    const err = (await iam.getStack('ok').catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(err.message).not.toContain(password);
    expect(JSON.stringify(err)).not.toContain(password);
  });
});
