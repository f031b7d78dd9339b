/**
 * Issue 13, "Redaction cannot be cut around", on every provider target: an error body that
 * reflects a credential (a static secret the client was given, or the credential headers it sent:
 * tokens, signatures, access keys) starting at every offset around where an excerpt is cut, and a
 * 200 body that is not JSON and starts with the secret (the parser's quoted excerpt), never shows
 * the secret or a leading piece of it (6+ characters) in the error's message, stack, JSON or
 * util.inspect. Keystone and IAM password reflections at the auth endpoints too.
 */
import { inspect } from 'node:util';
import { StackfeedError } from '@stackfeed/core';
import type { Fault } from '@stackfeed/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAKE } from '../harness.js';
import { TARGETS, type TargetCtx, leaks, renderings, target } from './targets.js';

/** Every offset around the old 200-character cut (and the envelope before it), then a sparse sweep. */
const OFFSETS = [
  ...Array.from({ length: 111 }, (_, i) => 150 + i),
  ...Array.from({ length: 143 }, (_, i) => i * 7).filter((o) => o < 150 || o > 260),
];

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** The rendering and the leaked piece, for the first leak found. */
function findLeak(err: unknown, staticSecrets: string[], dynamic: string[]): string | undefined {
  for (const text of renderings(err, (v) => inspect(v, { depth: 10 }))) {
    for (const s of staticSecrets) {
      const piece = leaks(text, s);
      if (piece) return `${piece} (of a static secret) in: ${text.slice(0, 400)}`;
    }
    for (const s of dynamic) if (s.length >= 8 && text.includes(s)) return `${s} in: ${text.slice(0, 400)}`;
  }
  return undefined;
}

describe.each(TARGETS)('redaction at the cut: $name', (t) => {
  let ctx: TargetCtx;
  beforeAll(async () => {
    ctx = await t.start({ maxAttempts: 1 });
    await ctx.list().toArray({ limit: 5 });
  });
  afterAll(() => ctx.close());
  afterEach(() => {
    ctx.server.faults.clear();
  });

  async function sweep(label: string, fault: (offset: number) => Fault, expectCode?: string): Promise<void> {
    for (const offset of OFFSETS) {
      ctx.server.faults.inject(fault(offset), { match: (r) => ctx.isApi(r) });
      const err = await failure(() => ctx.list().toArray({ limit: 10 }));
      expect(ctx.server.faults.pending, `${label} @${offset}: the fault was not served`).toBe(0);
      expect(StackfeedError.is(err), `${label} @${offset}: ${String(err)}`).toBe(true);
      if (expectCode) expect((err as StackfeedError).code).toBe(expectCode);
      const dynamic = ctx.secrets().filter((s) => !ctx.staticSecrets.includes(s));
      const leak = findLeak(err, ctx.staticSecrets, dynamic);
      expect(leak, `${label} @${offset}`).toBeUndefined();
    }
  }

  it('each static secret reflected in the error message at every offset around the cut', async () => {
    for (const secret of ctx.staticSecrets) {
      await sweep(`secret ${secret.slice(0, 3)}…`, (offset) => ({
        kind: 'reflect',
        offset,
        values: [secret],
        status: ctx.errorShape.status,
        wrap: ctx.errorShape.wrap,
        ...(ctx.errorShape.replyHeaders ? { replyHeaders: ctx.errorShape.replyHeaders } : {}),
      }));
    }
  });

  it('the credential headers the client sent, reflected at every offset around the cut', async () => {
    await sweep('credential headers', (offset) => ({
      kind: 'reflect',
      offset,
      headers: ctx.credentialHeaders,
      status: ctx.errorShape.status,
      wrap: ctx.errorShape.wrap,
      ...(ctx.errorShape.replyHeaders ? { replyHeaders: ctx.errorShape.replyHeaders } : {}),
    }));
  });

  it("a 200 body that is not JSON and starts with a secret: the parser's excerpt quotes none of it", async () => {
    for (const secret of ctx.staticSecrets) {
      for (let offset = 0; offset <= 12; offset++) {
        ctx.server.faults.inject(
          {
            kind: 'reflect',
            offset,
            values: [secret],
            status: 200,
            wrap: (text) => `${text}<not json`,
            replyHeaders: { 'content-type': ctx.json ? 'application/json' : 'text/xml' },
          },
          { match: (r) => ctx.isApi(r) },
        );
        const err = await failure(() => ctx.list().toArray({ limit: 10 }));
        expect(StackfeedError.is(err), String(err)).toBe(true);
        expect(findLeak(err, ctx.staticSecrets, []), `@${offset}`).toBeUndefined();
      }
    }
  });
});

describe('redaction at the cut: passwords reflected by the auth endpoints', () => {
  it('Heat: the Keystone password echoed by Keystone at every offset', async () => {
    const ctx = await target('heat').start({ maxAttempts: 1 });
    try {
      for (const offset of OFFSETS) {
        ctx.rebuild({ maxAttempts: 1 });
        ctx.server.faults.inject(
          {
            kind: 'reflect',
            offset,
            status: 401,
            values: [FAKE.ksPassword],
            wrap: (text) => ({ error: { code: 401, title: 'Unauthorized', message: text } }),
          },
          // Every auth attempt (a client may retry a 401 from the auth endpoint once).
          { match: (r) => r.rawPath.startsWith('/v3/auth'), times: Number.POSITIVE_INFINITY },
        );
        const err = await failure(() => ctx.list().toArray({ limit: 10 }));
        ctx.server.faults.clear();
        expect(StackfeedError.is(err), String(err)).toBe(true);
        expect(findLeak(err, [FAKE.ksPassword], []), `@${offset}`).toBeUndefined();
      }
    } finally {
      await ctx.close();
    }
  });

  it('RFS: the IAM password echoed by IAM at every offset', async () => {
    const ctx = await target('rfs').start({ maxAttempts: 1, iamPassword: true });
    try {
      for (const offset of OFFSETS) {
        ctx.rebuild({ maxAttempts: 1, iamPassword: true });
        ctx.server.faults.inject(
          {
            kind: 'reflect',
            offset,
            status: 401,
            values: [FAKE.iamPassword],
            wrap: (text) => ({ error: { code: '401', message: text, title: 'Unauthorized' } }),
          },
          // Every auth attempt (a client may retry a 401 from the auth endpoint once).
          { match: (r) => r.rawPath.startsWith('/v3/auth'), times: Number.POSITIVE_INFINITY },
        );
        const err = await failure(() => ctx.list().toArray({ limit: 10 }));
        ctx.server.faults.clear();
        expect(StackfeedError.is(err), String(err)).toBe(true);
        expect(findLeak(err, [FAKE.iamPassword], []), `@${offset}`).toBeUndefined();
      }
    } finally {
      await ctx.close();
    }
  });
});
