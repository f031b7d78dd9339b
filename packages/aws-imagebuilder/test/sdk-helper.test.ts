/**
 * Core's AWS SDK helper (sdkClientConfig, prepareSdkClient, callSdk) under the real
 * @aws-sdk/client-imagebuilder, against the emulator (SigV4 verified) and hostile loopback servers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetLifecycleExecutionCommand, ImagebuilderClient, ListImagesCommand } from '@aws-sdk/client-imagebuilder';
import { StackfeedError } from '@stackfeed/core';
import { callSdk, prepareSdkClient, redact, sdkClientConfig } from '@stackfeed/core/adapter';
import type { LifecycleDeprecateDeleteTruth } from '@stackfeed/emulator/imagebuilder';
import { startImageBuilderEmulator } from '@stackfeed/emulator/imagebuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { CREDS } from './helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function sdkClient(endpoint: string, over: Partial<Parameters<typeof sdkClientConfig>[0]> = {}) {
  const client = new ImagebuilderClient(
    sdkClientConfig({ provider: 'aws-imagebuilder', region: 'us-east-1', endpoint, credentials: CREDS, ...over }),
  );
  prepareSdkClient(client, { provider: 'aws-imagebuilder' });
  cleanups.push(() => client.destroy());
  return client;
}

async function hostile(respond: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(respond);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as StackfeedError,
  );

describe('core SDK helper with the real Image Builder SDK client', () => {
  it('reads through the emulator (signature verified) with SDK retries off', async () => {
    const emu = await startImageBuilderEmulator({
      auth: { credentials: [CREDS] },
      scenarios: ['lifecycleDeprecateThenDelete'],
    });
    cleanups.push(() => emu.close());
    const t = emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    const client = sdkClient(emu.url);
    const out = await callSdk(client, new GetLifecycleExecutionCommand({ lifecycleExecutionId: t.executionId }), {
      provider: 'aws-imagebuilder',
      operation: 'getLifecycleExecution',
    });
    expect(out.lifecycleExecution?.lifecycleExecutionId).toBe(t.executionId);
    expect(await client.config.maxAttempts()).toBe(1);
  });

  it('a 503 is retried by callSdk (core policy), not by the SDK', async () => {
    const emu = await startImageBuilderEmulator({ auth: { credentials: [CREDS] } });
    cleanups.push(() => emu.close());
    emu.server.faults.inject({ kind: 'status', status: 503 }, { times: 2 });
    const out = await callSdk(sdkClient(emu.url), new ListImagesCommand({}), {
      provider: 'aws-imagebuilder',
      operation: 'listImages',
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    expect(out.imageVersionList ?? []).toEqual([]);
    expect(emu.server.requests).toHaveLength(3);
  });

  it('HTTP 200 with body [1,2,3] is INVALID_RESPONSE, not an empty page', async () => {
    const url = await hostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[1,2,3]');
    });
    const err = await failure(
      callSdk(sdkClient(url), new ListImagesCommand({}), { provider: 'aws-imagebuilder', operation: 'listImages' }),
    );
    expect(err).toBeInstanceOf(StackfeedError);
    expect(err).toMatchObject({ code: 'INVALID_RESPONSE', httpStatus: 200, retryable: false });
  });

  it('a silent server ends TIMEOUT (per-attempt deadline, then the total deadline)', async () => {
    const url = await hostile(() => {});
    const err = await failure(
      callSdk(sdkClient(url, { timeoutMs: 200 }), new ListImagesCommand({}), {
        provider: 'aws-imagebuilder',
        operation: 'listImages',
        retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      }),
    );
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true, operation: 'listImages' });
  });

  it('a body over maxResponseBytes is INVALID_RESPONSE naming the limit', async () => {
    const url = await hostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ imageVersionList: Array.from({ length: 2000 }, (_, i) => ({ arn: `arn:${i}` })) }));
    });
    const err = await failure(
      callSdk(sdkClient(url, { maxResponseBytes: 10_000 }), new ListImagesCommand({}), {
        provider: 'aws-imagebuilder',
        operation: 'listImages',
      }),
    );
    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.message).toContain('maxResponseBytes (10000 bytes');
  });

  it('the resolved credentials are registered for redaction, the access key included', async () => {
    const creds = { accessKeyId: 'AKIAHELPERTESTKEY042', secretAccessKey: 'helper-secret-key/042abcdefghij' };
    const url = await hostile((req, res) => {
      res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'ValidationException' });
      // A server that reflects the Authorization header (it carries the access key id).
      res.end(JSON.stringify({ message: `bad request from ${req.headers.authorization}` }));
    });
    const err = await failure(
      callSdk(sdkClient(url, { credentials: async () => creds }), new ListImagesCommand({}), {
        provider: 'aws-imagebuilder',
        operation: 'listImages',
      }),
    );
    expect(err.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(err)).not.toContain(creds.accessKeyId);
    expect(err.message).not.toContain(creds.accessKeyId);
    expect(redact(creds.secretAccessKey)).not.toContain(creds.secretAccessKey);
  });
});
