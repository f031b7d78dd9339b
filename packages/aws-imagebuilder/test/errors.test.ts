import { ImagebuilderClient, ListLifecycleExecutionsCommand } from '@aws-sdk/client-imagebuilder';
import type { LifecycleFailureTruth } from '@stackfeed/emulator/imagebuilder';
import { imageBuilderFault } from '@stackfeed/emulator/imagebuilder';
import { StackfeedError } from '@stackfeed/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ImageBuilderClient, toStackfeedError } from '../src/index.js';
import { CREDS, type Setup, setup } from './helpers.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const lceOf = (st: Setup) => (st.emu.truth.lifecycleFailure as LifecycleFailureTruth).executionId;
const onPath = (path: string) => ({ match: (r: { rawPath: string }) => r.rawPath === path });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('retries (the SDK retry strategy, with backoff)', () => {
  it('CallRateLimitExceededException (429) is retried and the call succeeds', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] });
    s.emu.server.faults.inject(imageBuilderFault('CallRateLimitExceededException'), { times: 2 });
    const info = await s.client.getLifecycleExecution(lceOf(s));
    expect(info.id).toBe(lceOf(s));
    expect(s.emu.server.requests.map((r) => r.fault ?? 'ok')).toEqual(['status', 'status', 'ok']);
  });

  it('ServiceUnavailableException (503) is retried; when it persists: SERVER, retryable, with status and code', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] }, { maxAttempts: 2 });
    s.emu.server.faults.inject(imageBuilderFault('ServiceUnavailableException', 'try later'), { times: Infinity });
    const err = await failure(s.client.listLifecycleExecutionEvents(lceOf(s)).toArray({ limit: 5 }));
    expect(err).toMatchObject({
      code: 'SERVER',
      retryable: true,
      httpStatus: 503,
      providerCode: 'ServiceUnavailableException',
      provider: 'aws-imagebuilder',
      operation: 'listLifecycleExecutionEvents',
    });
    expect(s.emu.server.requests).toHaveLength(2);
  });

  it('persistent throttling (plain 429 without an error type) is THROTTLED and retryable', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] }, { maxAttempts: 2 });
    s.emu.server.faults.inject({ kind: 'throttle' }, { times: Infinity });
    const err = await failure(s.client.getLifecycleExecution(lceOf(s)));
    expect(err).toMatchObject({ code: 'THROTTLED', retryable: true, httpStatus: 429 });
  });

  it('a watch survives a burst of throttling (retries inside the SDK, then the watch engine)', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] }, { maxAttempts: 1 });
    const f = s.emu.truth.lifecycleFailure as LifecycleFailureTruth;
    s.clock.set(f.endAt + 1);
    s.emu.server.faults.inject(imageBuilderFault('CallRateLimitExceededException'), {
      times: 2,
      ...onPath('/ListLifecycleExecutionResources'),
    });
    const watch = s.client.watchLifecycleExecution(f.executionId, { pollIntervalMs: 10, maxPollIntervalMs: 40 });
    let n = 0;
    for await (const _ of watch) n++;
    expect(n).toBe(f.resourceIds.length);
    expect(watch.result?.outcome).toBe('failed');
  });
});

describe('error mapping', () => {
  it('ForbiddenException → FORBIDDEN, not retried', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] });
    s.emu.server.faults.inject(imageBuilderFault('ForbiddenException', 'not authorized to list'), { times: Infinity });
    const err = await failure(
      s.client
        .listLifecycleExecutions('arn:aws:imagebuilder:us-east-1:123456789012:lifecycle-policy/x')
        .toArray({ limit: 1 }),
    );
    expect(err).toMatchObject({
      code: 'FORBIDDEN',
      httpStatus: 403,
      providerCode: 'ForbiddenException',
      retryable: false,
    });
    expect((err as Error).message).toMatch(/not authorized to list/);
    expect(s.emu.server.requests).toHaveLength(1);
  });

  it('a wrong secret key: the service refuses the signature → UNAUTHORIZED, and no secret in the error', async () => {
    const secret = 'totally-wrong-secret-key-0123456789';
    s = await setup(
      { scenarios: ['lifecycleFailure'] },
      { credentials: { accessKeyId: CREDS.accessKeyId, secretAccessKey: secret } },
    );
    const err = await failure(s.client.getLifecycleExecution(lceOf(s)));
    expect(err).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 403, providerCode: 'InvalidSignatureException' });
    const dump = JSON.stringify(err) + String((err as Error).stack) + JSON.stringify((err as StackfeedError).toJSON());
    expect(dump).not.toContain(secret);
  });

  it('an unknown access key → UNAUTHORIZED (UnrecognizedClientException)', async () => {
    s = await setup(
      { scenarios: ['lifecycleFailure'] },
      { credentials: { accessKeyId: 'AKIDUNKNOWN000', secretAccessKey: 'x-secret-123456' } },
    );
    expect(await failure(s.client.getLifecycleExecution(lceOf(s)))).toMatchObject({
      code: 'UNAUTHORIZED',
      providerCode: 'UnrecognizedClientException',
    });
  });

  it('a 200 that is not JSON → INVALID_RESPONSE', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] });
    s.emu.server.faults.inject({ kind: 'malformed-json' });
    const err = await failure(s.client.getLifecycleExecution(lceOf(s)));
    expect(err).toMatchObject({ code: 'INVALID_RESPONSE' });
  });

  it('an HTML 502 from a proxy → SERVER after the retries', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] }, { maxAttempts: 2 });
    s.emu.server.faults.inject({ kind: 'html' }, { times: Infinity });
    const err = await failure(s.client.getLifecycleExecution(lceOf(s)));
    expect(err).toMatchObject({ code: 'SERVER', httpStatus: 502, retryable: true });
  });

  it('a resource without resourceId maps (optional in the model); a snapshot id of the wrong type is INVALID_RESPONSE', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] });
    s.emu.server.faults.inject({
      kind: 'status',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: {
        lifecycleExecutionId: lceOf(s),
        resources: [
          { resourceId: 'ami-1', state: { status: 'SUCCESS' }, endTime: 1_768_478_400 },
          { state: { status: 'SUCCESS' }, endTime: 1_768_478_401 },
        ],
      },
    });
    const events = await s.client.listLifecycleExecutionEvents(lceOf(s)).toArray({ limit: 5 });
    expect(events.map((e) => e.resource.physicalId)).toEqual(['ami-1', undefined]);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
    s.emu.server.faults.inject({
      kind: 'status',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: { resources: [{ resourceId: 'ami-1', snapshots: [{ snapshotId: 7 }], endTime: 1_768_478_400 }] },
    });
    const err = await failure(s.client.listLifecycleExecutionEvents(lceOf(s)).toArray({ limit: 5 }));
    expect(err).toMatchObject({
      code: 'INVALID_RESPONSE',
      fieldPath: 'resources[0].snapshots[0].snapshotId',
      operation: 'listLifecycleExecutionEvents',
    });
  });

  it('a step time that is not a timestamp → INVALID_RESPONSE naming the field path', async () => {
    s = await setup({ scenarios: ['imageBuildWithRollback'] });
    s.emu.server.faults.inject({
      kind: 'status',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: { steps: [{ stepExecutionId: 'step-1', status: 'RUNNING', startTime: 'yesterday-ish' }] },
    });
    const wf = s.emu.truth.imageBuildWithRollback?.buildWorkflowId as string;
    const err = await failure(s.client.listWorkflowStepEvents(wf).toArray({ limit: 5 }));
    expect(err).toMatchObject({ code: 'INVALID_RESPONSE', fieldPath: 'steps[0].startTime' });
  });

  it('a truncated body, an empty 200 and a reset mid-body never crash: typed errors', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] }, { maxAttempts: 1 });
    const id = lceOf(s);
    s.emu.server.faults.inject({ kind: 'truncated' });
    expect(await failure(s.client.getLifecycleExecution(id))).toMatchObject({ code: 'INVALID_RESPONSE' });
    s.emu.server.faults.inject({ kind: 'empty' });
    expect(await failure(s.client.getLifecycleExecution(id))).toMatchObject({
      code: 'INVALID_RESPONSE',
      httpStatus: 200,
      message: expect.stringMatching(/empty body/),
    });
    s.emu.server.faults.inject({ kind: 'reset-mid-body' });
    const mid = await failure(s.client.listLifecycleExecutionEvents(id).toArray({ limit: 10 }));
    expect(StackfeedError.is(mid)).toBe(true);
    expect(['NETWORK', 'INVALID_RESPONSE']).toContain((mid as StackfeedError).code);
  });

  it('maxItems stops paging early; an abort during a list page is ABORTED', async () => {
    s = await setup({ scenarios: ['lifecycleDeprecateThenDelete'] });
    const truth = s.emu.truth.lifecycleDeprecateThenDelete as { executionId: string; endAt: number };
    const id = truth.executionId;
    s.clock.set(truth.endAt + 1000);
    const some = await s.client
      .listLifecycleExecutionEvents(id, { pageSize: 25, maxItems: 30 })
      .toArray({ limit: 100 });
    expect(some).toHaveLength(30);
    expect(s.emu.server.requests.filter((r) => r.path === '/ListLifecycleExecutionResources')).toHaveLength(2);
    s.emu.server.faults.inject({ kind: 'delay', ms: 10_000 });
    const ac = new AbortController();
    const p = failure(s.client.listLifecycleExecutionEvents(id, { signal: ac.signal }).toArray({ limit: 100 }));
    setTimeout(() => ac.abort(), 30);
    expect(await p).toMatchObject({ code: 'ABORTED' });
  });

  it('connection resets → NETWORK after the retries', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] }, { maxAttempts: 2 });
    s.emu.server.faults.inject({ kind: 'reset' }, { times: Infinity });
    const err = await failure(s.client.getLifecycleExecution(lceOf(s)));
    expect(err).toMatchObject({ code: 'NETWORK', retryable: true });
  });

  it('an abort signal cuts a slow request: ABORTED with the caller reason', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] });
    s.emu.server.faults.inject({ kind: 'delay', ms: 10_000 });
    const ac = new AbortController();
    const p = failure(s.client.getLifecycleExecution(lceOf(s), { signal: ac.signal }));
    setTimeout(() => ac.abort(new Error('caller gave up')), 30);
    const err = await p;
    expect(err).toMatchObject({ code: 'ABORTED' });
    const pre = new AbortController();
    pre.abort();
    expect(await failure(s.client.getImage('arn:x', { signal: pre.signal }))).toMatchObject({ code: 'ABORTED' });
  });

  it('toStackfeedError reads the SDK fields of errors it has never seen', () => {
    const weird = Object.assign(new Error('quota'), {
      name: 'ServiceQuotaExceededException',
      $fault: 'client',
      $metadata: { httpStatusCode: 402, requestId: 'req-1' },
    });
    expect(toStackfeedError(weird, 'op')).toMatchObject({
      code: 'BAD_REQUEST',
      httpStatus: 402,
      requestId: 'req-1',
      providerCode: 'ServiceQuotaExceededException',
      retryable: false,
    });
    const throttled = Object.assign(new Error('slow down'), {
      name: 'SomeNewThrottle',
      $retryable: { throttling: true },
      $metadata: { httpStatusCode: 400 },
    });
    expect(toStackfeedError(throttled, 'op')).toMatchObject({ code: 'THROTTLED', retryable: true });
    const serverFault = Object.assign(new Error('boom'), { name: 'Weird', $fault: 'server', $metadata: {} });
    expect(toStackfeedError(serverFault, 'op')).toMatchObject({ code: 'SERVER', retryable: true });
    expect(toStackfeedError(Object.assign(new Error('Region is missing'), { name: 'Error' }), 'op').code).toBe(
      'CONFIG',
    );
    expect(toStackfeedError(Object.assign(new Error('x'), { name: 'CredentialsProviderError' }), 'op').code).toBe(
      'CONFIG',
    );
    expect(toStackfeedError(Object.assign(new Error('t'), { name: 'TimeoutError' }), 'op').code).toBe('TIMEOUT');
    expect(toStackfeedError('a string', 'op')).toBeInstanceOf(StackfeedError);
    const same = new StackfeedError({ code: 'NOT_FOUND', message: 'x' });
    expect(toStackfeedError(same, 'op')).toBe(same);
  });
});

describe('client construction', () => {
  it('uses a caller-configured SDK client as is, and leaves it open on close()', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] });
    const sdk = new ImagebuilderClient({ region: 'eu-west-1', endpoint: s.emu.url, credentials: CREDS });
    const mine = new ImageBuilderClient({ client: sdk });
    expect(mine.sdk).toBe(sdk);
    expect((await mine.getLifecycleExecution(lceOf(s))).id).toBe(lceOf(s));
    const auth = String(s.emu.server.requests.at(-1)?.headers.authorization);
    expect(auth).toMatch(/\/eu-west-1\/imagebuilder\/aws4_request/);
    mine.close();
    const out = await sdk.send(
      new ListLifecycleExecutionsCommand({
        resourceArn: 'arn:aws:imagebuilder:us-east-1:123456789012:lifecycle-policy/none',
      }),
    );
    expect(out.lifecycleExecutions).toEqual([]);
    sdk.destroy();
  });

  it('every request carries a well-formed SigV4 Authorization and x-amz-date', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] });
    await s.client.listLifecycleExecutionEvents(lceOf(s)).toArray({ limit: 10 });
    await s.client.getLifecycleExecution(lceOf(s));
    expect(s.emu.server.requests.length).toBeGreaterThan(1);
    for (const r of s.emu.server.requests) {
      expect(String(r.headers.authorization)).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDSTACKFEEDTEST01\/\d{8}\/us-east-1\/imagebuilder\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
      );
      expect(String(r.headers['x-amz-date'])).toMatch(/^\d{8}T\d{6}Z$/);
    }
  });

  it('a provider of credentials is called lazily and its secrets are registered for redaction', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] });
    let calls = 0;
    const client = new ImageBuilderClient({
      region: 'us-east-1',
      endpoint: s.emu.url,
      credentials: async () => {
        calls++;
        return {
          accessKeyId: CREDS.accessKeyId,
          secretAccessKey: CREDS.secretAccessKey,
          sessionToken: 'session-token-abcdef-123',
        };
      },
    });
    expect(calls).toBe(0);
    await client.getLifecycleExecution(lceOf(s));
    expect(calls).toBeGreaterThan(0);
    const e = new StackfeedError({ code: 'SERVER', message: 'leak session-token-abcdef-123 here' });
    expect(e.message).not.toContain('session-token-abcdef-123');
    client.close();
  });
});
