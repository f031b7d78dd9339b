import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  callSdk,
  type CallSdkOptions,
  EmptyBodyError,
  type LogEntry,
  prepareSdkClient,
  redact,
  registerCredentials,
  sdkClientConfig,
  StackfeedError,
  SdkTransportError,
} from './entry.js';

const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), {
    name,
    $metadata: { httpStatusCode: status, requestId: 'req-1' },
    ...extra,
  });

/** A client whose send answers from a script: an Error is thrown, anything else returned. */
function scripted(...answers: unknown[]) {
  const calls: Array<{ command: unknown; signal: AbortSignal | undefined }> = [];
  return {
    calls,
    send: async (command: unknown, options?: { abortSignal?: AbortSignal }) => {
      calls.push({ command, signal: options?.abortSignal });
      const a = answers.length > 1 ? answers.shift() : answers[0];
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

const opts = (o: Partial<CallSdkOptions> = {}): CallSdkOptions => ({
  provider: 'aws-imagebuilder',
  operation: 'listThings',
  retry: { baseDelayMs: 1, maxDelayMs: 2 },
  ...o,
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as StackfeedError,
  );

describe('callSdk', () => {
  it('retries a 503 and a throttle with back-off, then returns the output; each back-off is logged', async () => {
    const logs: LogEntry[] = [];
    const c = scripted(sdkError('ServiceUnavailableException', 503), sdkError('ThrottlingException', 400), {
      items: [1],
    });
    const out = await callSdk(c, { input: 1 }, opts({ logger: (e) => logs.push(e) }));
    expect(out).toEqual({ items: [1] });
    expect(c.calls).toHaveLength(3);
    expect(logs.map((l) => [l.event, l.attempt, l.message])).toEqual([
      ['retry', 1, 'SERVER'],
      ['retry', 2, 'THROTTLED'],
    ]);
    // every attempt carries an abort signal of its own (the caller's abort and the total deadline)
    expect(c.calls[0]?.signal).toBeInstanceOf(AbortSignal);
  });

  it('a clock-skew refusal the SDK has corrected its clock for is signed again once, at once (an attempt); a second is the answer', async () => {
    const skew = () =>
      sdkError('InvalidSignatureException', 403, { $metadata: { httpStatusCode: 403, clockSkewCorrected: true } });
    const logs: LogEntry[] = [];
    const c = scripted(skew(), { ok: 1 });
    expect(await callSdk(c, {}, opts({ logger: (e) => logs.push(e) }))).toEqual({ ok: 1 });
    expect(c.calls).toHaveLength(2);
    expect(logs).toEqual([]);
    const c2 = scripted(skew());
    expect((await failure(callSdk(c2, {}, opts()))).code).toBe('UNAUTHORIZED');
    expect(c2.calls).toHaveLength(2);
    const c3 = scripted(skew(), { ok: 1 });
    expect((await failure(callSdk(c3, {}, opts({ retry: { maxAttempts: 1 } })))).code).toBe('UNAUTHORIZED');
    expect(c3.calls).toHaveLength(1);
  });

  it('does not retry what is not retryable; classification keeps status, request id and provider code', async () => {
    const c = scripted(sdkError('ResourceNotFoundException', 404));
    const err = await failure(callSdk(c, {}, opts()));
    expect(err).toBeInstanceOf(StackfeedError);
    expect(err).toMatchObject({
      code: 'NOT_FOUND',
      httpStatus: 404,
      requestId: 'req-1',
      providerCode: 'ResourceNotFoundException',
      operation: 'listThings',
    });
    expect(c.calls).toHaveLength(1);
  });

  it('service error codes win over the shared ones', async () => {
    const c = scripted(sdkError('CallRateLimitExceededException', 400));
    const err = await failure(
      callSdk(c, {}, opts({ errorCodes: { CallRateLimitExceededException: 'THROTTLED' }, retry: { maxAttempts: 1 } })),
    );
    expect(err.code).toBe('THROTTLED');
  });

  it('gives up after maxAttempts with the last error', async () => {
    const c = scripted(sdkError('InternalFailure', 500));
    const err = await failure(callSdk(c, {}, opts({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } })));
    expect(err.code).toBe('SERVER');
    expect(c.calls).toHaveLength(3);
  });

  it('THROTTLED honours Retry-After; one longer than maxRetryAfterMs fails at once', async () => {
    const logs: LogEntry[] = [];
    const throttled = (s: string) =>
      sdkError('ThrottlingException', 429, { $response: { headers: { 'retry-after': s } } });
    const c = scripted(throttled('0.05'), {});
    await callSdk(c, {}, opts({ logger: (e) => logs.push(e) }));
    expect(logs[0]?.delayMs).toBe(50);
    const c2 = scripted(throttled('86400'), {});
    const err = await failure(callSdk(c2, {}, opts({ retry: { maxRetryAfterMs: 1000 } })));
    expect(err).toMatchObject({ code: 'THROTTLED', retryAfterSeconds: 86400 });
    expect(c2.calls).toHaveLength(1);
  });

  it('the total deadline ends a call whose attempt hangs: TIMEOUT, and the attempt is aborted', async () => {
    let attemptSignal: AbortSignal | undefined;
    const hanging = {
      send: (_c: unknown, o?: { abortSignal?: AbortSignal }) =>
        new Promise((_r, reject) => {
          attemptSignal = o?.abortSignal;
          o?.abortSignal?.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          );
        }),
    };
    const err = await failure(callSdk(hanging, {}, opts({ totalTimeoutMs: 100 })));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toContain('totalTimeoutMs (100 ms)');
    expect(attemptSignal?.aborted).toBe(true);
  });

  it('a back-off that would pass the total deadline ends the call TIMEOUT instead of sleeping past it', async () => {
    const c = scripted(sdkError('InternalFailure', 500));
    const err = await failure(
      callSdk(
        c,
        {},
        opts({ totalTimeoutMs: 1000, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 }, random: () => 1 }),
      ),
    );
    expect(err.code).toBe('TIMEOUT');
    expect(c.calls).toHaveLength(1);
  });

  it('abort before or during the back-off rejects ABORTED with the caller’s reason', async () => {
    const ac = new AbortController();
    ac.abort(new Error('user cancelled'));
    await expect(callSdk(scripted({}), {}, opts({ signal: ac.signal }))).rejects.toMatchObject({ code: 'ABORTED' });
    const ac2 = new AbortController();
    const c = scripted(sdkError('InternalFailure', 500));
    const p = failure(
      callSdk(
        c,
        {},
        opts({
          signal: ac2.signal,
          retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
          random: () => 1,
          logger: () => setImmediate(() => ac2.abort()),
        }),
      ),
    );
    expect((await p).code).toBe('ABORTED');
    expect(c.calls).toHaveLength(1);
  });

  it('maps the handler’s own failures and the empty-body check, keeping their codes', async () => {
    const t = await failure(callSdk(scripted(new SdkTransportError('INVALID_RESPONSE', false, 'too big')), {}, opts()));
    expect(t).toMatchObject({ code: 'INVALID_RESPONSE', retryable: false });
    const e = await failure(
      callSdk(
        scripted(new EmptyBodyError(200, 'r-9', 'ListThingsCommand', 'a JSON body that is not an object')),
        {},
        opts(),
      ),
    );
    expect(e).toMatchObject({ code: 'INVALID_RESPONSE', httpStatus: 200, requestId: 'r-9' });
    expect(e.message).toContain('not an object');
  });

  it('abort during the back-off: the child process exits on its own', async () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const r = await new Promise<{ code: number | null; out: string; killed: boolean }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'aws-sdk-abort-child.ts')], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      let out = '';
      p.stdout.on('data', (d) => {
        out += String(d);
      });
      p.stderr.on('data', (d) => {
        out += String(d);
      });
      // Generous bound: the child's back-off is 10 minutes, its total deadline an hour.
      const guard = setTimeout(() => p.kill('SIGKILL'), 20_000);
      p.on('exit', (code, signal) => {
        clearTimeout(guard);
        resolve({ code, out, killed: signal === 'SIGKILL' });
      });
    });
    expect(r.killed, r.out).toBe(false);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('ABORTED');
  }, 30_000);
});

describe('credential registration', () => {
  it('static credentials given to sdkClientConfig are registered', () => {
    const c = sdkClientConfig({
      provider: 'aws-imagebuilder',
      credentials: {
        accessKeyId: 'AKIASTATICSTATIC0001',
        secretAccessKey: 'static-secret-0001/abcdef',
        sessionToken: 'static-session-token-0001',
      },
    });
    c.requestHandler.destroy();
    expect(redact('AKIASTATICSTATIC0001 static-secret-0001/abcdef static-session-token-0001')).not.toMatch(
      /STATIC|static/,
    );
  });

  it('a provider given to sdkClientConfig registers every identity it returns', async () => {
    const c = sdkClientConfig({
      provider: 'aws-imagebuilder',
      credentials: async () => ({ accessKeyId: 'AKIAPROVIDERPROV0002', secretAccessKey: 'provider-secret-0002/xyz' }),
    });
    c.requestHandler.destroy();
    expect(redact('AKIAPROVIDERPROV0002')).toBe('AKIAPROVIDERPROV0002');
    await (c.credentials as () => Promise<unknown>)();
    expect(redact('AKIAPROVIDERPROV0002 provider-secret-0002/xyz')).not.toMatch(/PROVIDER|provider/);
  });

  it('prepareSdkClient wraps the client’s resolved provider (the default chain included) once', async () => {
    const added: string[] = [];
    const client = {
      config: {
        credentials: async () =>
          ({
            accessKeyId: 'AKIACHAINCHAIN000003',
            secretAccessKey: 'chain-secret-0003',
            sessionToken: 'chain-token-0003',
          }) as unknown,
      },
      middlewareStack: {
        add: (_m: unknown, o: { name: string }) => added.push(o.name),
        addRelativeTo: (_m: unknown, o: { name: string }) => added.push(o.name),
      },
    };
    prepareSdkClient(client, { provider: 'aws-imagebuilder', rateLimit: { limit: 5 } });
    const first = client.config.credentials;
    prepareSdkClient(client, { provider: 'aws-imagebuilder' });
    expect(client.config.credentials).toBe(first);
    await (client.config.credentials as () => Promise<unknown>)();
    expect(redact('AKIACHAINCHAIN000003 chain-secret-0003 chain-token-0003')).not.toMatch(/CHAIN|chain/);
    expect(added).toEqual(['stackfeedEmptyBodyCheck', 'stackfeedRateLimit', 'stackfeedEmptyBodyCheck']);
    registerCredentials(null);
  });
});
