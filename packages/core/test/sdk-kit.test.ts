import { describe, expect, it } from 'vitest';
import { createSdkKit, pickSdkAdapterOptions, redact, StackfeedError } from './entry.js';

const sdkError = (name: string, status: number) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status, requestId: 'req-1' } });

/** A client whose send answers from a script: an Error is thrown, anything else returned. */
function scripted(...answers: unknown[]) {
  let sends = 0;
  return {
    get sends() {
      return sends;
    },
    send: async () => {
      sends++;
      const a = answers.length > 1 ? answers.shift() : answers[0];
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

/** A client with the parts `prepare` touches; records the middleware names added. */
function preparable() {
  const added: string[] = [];
  return {
    added,
    config: { credentials: undefined as unknown },
    middlewareStack: {
      add: (_m: unknown, o: { name: string }) => added.push(o.name),
      addRelativeTo: (_m: unknown, o: { name: string }) => added.push(o.name),
    },
  };
}

const retry = { baseDelayMs: 1, maxDelayMs: 2 };

describe('createSdkKit', () => {
  it('config: region, endpoint, user agent, SDK retries off, static credentials registered for redaction', () => {
    const kit = createSdkKit({
      provider: 'aws-imagebuilder',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9',
      userAgent: 'my-app/1.0',
      credentials: { accessKeyId: 'AKIAKITKITKIT0000001', secretAccessKey: 'kit-secret-0001' },
    });
    expect(kit.config).toMatchObject({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9',
      customUserAgent: 'my-app/1.0',
      maxAttempts: 1,
    });
    expect(redact('AKIAKITKITKIT0000001 kit-secret-0001')).not.toMatch(/KIT|kit-secret/);
    expect(kit.limits).toEqual({ timeoutMs: 30_000, totalTimeoutMs: 120_000 });
    // Another service's endpoint: the same handler (one socket pool), only the endpoint differs.
    const other = kit.configFor('http://127.0.0.1:10');
    expect(other).toEqual({ ...kit.config, endpoint: 'http://127.0.0.1:10' });
    expect(kit.configFor(undefined)).toBe(kit.config);
  });

  it('invalid options are CONFIG before any request', () => {
    const config = (o: Record<string, unknown>) => {
      try {
        createSdkKit({ provider: 'aws-parallelcluster', ...o });
      } catch (err) {
        return err;
      }
      return undefined;
    };
    for (const o of [
      { totalTimeoutMs: 0 },
      { timeoutMs: -1 },
      { maxResponseBytes: Number.NaN },
      { userAgent: 'x\r\nInjected: 1' },
      { endpoint: 'not a url' },
      { region: 'eu west 1' },
    ])
      expect(StackfeedError.is(config(o), 'CONFIG'), JSON.stringify(o)).toBe(true);
    const kit = createSdkKit({ provider: 'aws-parallelcluster' });
    expect(() => kit.configFor('::')).toThrow(/endpoint is not a URL/);
  });

  it('call retries with core policy; the deprecated maxAttempts applies when retry.maxAttempts is not given', async () => {
    const ok = scripted(sdkError('ThrottlingException', 400), { items: [1] });
    await expect(createSdkKit({ provider: 'aws-imagebuilder', retry }).call(ok, {}, 'op', undefined)).resolves.toEqual({
      items: [1],
    });
    expect(ok.sends).toBe(2);

    const once = scripted(sdkError('ThrottlingException', 400), { items: [1] });
    const kit = createSdkKit({ provider: 'aws-imagebuilder', retry, maxAttempts: 1 });
    await expect(kit.call(once, {}, 'op', undefined)).rejects.toMatchObject({ code: 'THROTTLED' });
    expect(once.sends).toBe(1);

    const wins = scripted(sdkError('ThrottlingException', 400), { items: [1] });
    const both = createSdkKit({ provider: 'aws-imagebuilder', retry: { ...retry, maxAttempts: 2 }, maxAttempts: 1 });
    await expect(both.call(wins, {}, 'op', undefined)).resolves.toEqual({ items: [1] });
  });

  it("call classifies with the service's error shapes, then the adapter's refineError", async () => {
    const kit = createSdkKit({
      provider: 'aws-imagebuilder',
      retry,
      errorCodes: { OddNotThereException: 'NOT_FOUND' },
      refineError: (e, operation) =>
        new StackfeedError({ code: e.code, provider: e.provider, operation, message: `refined: ${e.message}` }),
    });
    const err = await kit
      .call(scripted(sdkError('OddNotThereException', 400)), {}, 'getThing', undefined)
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'NOT_FOUND', operation: 'getThing' });
    expect((err as Error).message).toMatch(/^refined: /);
  });

  it('prepare: every client gets the empty-body check, and the request budget when one is set', async () => {
    const kit = createSdkKit({ provider: 'aws-parallelcluster', rateLimit: { limit: 1, intervalMs: 60_000 } });
    const a = preparable();
    const b = preparable();
    expect(kit.prepare(a)).toBe(a);
    kit.prepare(b);
    expect(a.added).toEqual(['stackfeedEmptyBodyCheck', 'stackfeedRateLimit']);
    expect(b.added).toEqual(['stackfeedEmptyBodyCheck', 'stackfeedRateLimit']);
    const none = preparable();
    createSdkKit({ provider: 'aws-parallelcluster' }).prepare(none);
    expect(none.added).toEqual(['stackfeedEmptyBodyCheck']);
  });

  it('call: an abort before or during the back-off rejects ABORTED at once, without another send', async () => {
    const kit = createSdkKit({ provider: 'aws-imagebuilder', retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const before = scripted({ items: [] });
    const aborted = AbortSignal.abort();
    await expect(kit.call(before, {}, 'op', aborted)).rejects.toMatchObject({ code: 'ABORTED' });
    expect(before.sends).toBe(0);

    const throttled = scripted(sdkError('ThrottlingException', 400), { items: [1] });
    const controller = new AbortController();
    // The retry log line comes just before the back-off: the abort lands inside it.
    const during = createSdkKit({
      provider: 'aws-imagebuilder',
      retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
      logger: (entry) => {
        if (entry.event === 'retry') controller.abort();
      },
    });
    await expect(during.call(throttled, {}, 'op', controller.signal)).rejects.toMatchObject({ code: 'ABORTED' });
    expect(throttled.sends).toBe(1);
  });

  it('call: a credential a provider hands out never appears in the error of a failed call', async () => {
    const secret = 'kit-provider-secret-0002';
    const kit = createSdkKit({
      provider: 'aws-parallelcluster',
      retry,
      credentials: async () => ({ accessKeyId: 'AKIAKITPROVIDER00002', secretAccessKey: secret }),
    });
    // The SDK resolves credentials through the config it was given: the kit's wrapper registers them.
    const identity = await (kit.config.credentials as () => Promise<{ secretAccessKey: string }>)();
    expect(identity.secretAccessKey).toBe(secret);
    const leaky = scripted(sdkError('AccessDeniedException', 403));
    leaky.send = async () => {
      throw Object.assign(new Error(`denied for AKIAKITPROVIDER00002 with ${secret}`), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      });
    };
    const err = await kit.call(leaky, {}, 'op', undefined).catch((e) => e);
    expect(StackfeedError.is(err)).toBe(true);
    expect(JSON.stringify({ message: (err as Error).message, err })).not.toMatch(/AKIAKITPROVIDER|kit-provider-secret/);
  });
});

describe('pickSdkAdapterOptions', () => {
  it("takes core's SDK options that are given, and leaves the adapter's own behind", () => {
    const logger = () => undefined;
    const picked = pickSdkAdapterOptions({
      region: 'eu-west-1',
      endpoint: undefined,
      logger,
      maxAttempts: 2,
      ...({ client: {}, endpoints: { ec2: 'http://x' }, tokenKey: 'k' } as object),
    });
    expect(picked).toEqual({ region: 'eu-west-1', logger, maxAttempts: 2 });
    expect(Object.hasOwn(picked, 'endpoint')).toBe(false);
  });
});
