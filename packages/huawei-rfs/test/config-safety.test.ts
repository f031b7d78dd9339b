/**
 * Issue 13 for RFS: header-bound options with a line break are CONFIG when the client is built
 * (never a retryable NETWORK error per attempt); the transport limits are forwarded; time fields
 * accept only ISO 8601 / RFC 3339 date-times (a numeric string is not read as epoch seconds).
 */
import { type RfsEmulator, deploymentSucceeds } from '@stackfeed/emulator/rfs';
import { afterEach, describe, expect, it } from 'vitest';
import { RfsClient } from '../src/index.js';
import { AK, SK, client, emulator } from './fixtures.js';

let emu: RfsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const base = { region: 'cn-north-4', projectId: 'p0123', endpoint: 'http://127.0.0.1:9', env: {} };

describe('header-bound options', () => {
  it('CR/LF in projectId, userAgent, the access key, the security token or an IAM token is CONFIG at construction', () => {
    const cases = [
      { ...base, projectId: 'p\r\nX-Evil: 1', credentials: { accessKey: AK, secretKey: SK } },
      { ...base, userAgent: 'me\nX-Evil: 1', credentials: { accessKey: AK, secretKey: SK } },
      { ...base, credentials: { accessKey: 'AK\r\nX', secretKey: SK } },
      { ...base, credentials: { accessKey: AK, secretKey: SK, securityToken: 'tok\nX-Evil: 1' } },
      { ...base, credentials: { token: 'MIItoken\r\nX-Evil: 1' } },
      {
        ...base,
        env: { HUAWEICLOUD_SDK_PROJECT_ID: 'p\n1', HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK },
        projectId: undefined,
      },
    ];
    for (const options of cases) {
      let err: unknown;
      try {
        new RfsClient(options);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(options)).toMatchObject({ code: 'CONFIG', provider: 'huawei-rfs' });
      // The offending value is never quoted (it may be a credential).
      expect(String((err as Error).message)).not.toContain('X-Evil');
    }
  });

  it('a credential provider that returns a security token with a line break fails CONFIG before any request', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const rfs = client(emu, {
      credentials: async () => ({ accessKey: AK, secretKey: SK, securityToken: 'a\r\nb' }),
      retry: { maxAttempts: 3 },
    });
    await expect(rfs.getStack('ok')).rejects.toMatchObject({ code: 'CONFIG' });
    expect(emu.server.requests.length).toBe(0);
  });
});

describe('transport limits are forwarded', () => {
  it('maxResponseBytes: a body over it is INVALID_RESPONSE naming the limit', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    emu.server.faults.inject({
      kind: 'status',
      status: 200,
      body: { stack_events: [{ event_type: 'LOG', time: '2025-06-12T08:00:00Z', event_message: 'x'.repeat(300_000) }] },
    });
    const rfs = client(emu, { maxResponseBytes: 100_000 });
    await expect(rfs.listStackEvents('ok').toArray({ limit: 10 })).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
      message: expect.stringMatching(/100000|maxResponseBytes/),
    });
  });

  it('timeoutMs and totalTimeoutMs: a server that does not answer fails TIMEOUT', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    emu.server.faults.inject({ kind: 'delay', ms: 5_000 }, { times: Number.POSITIVE_INFINITY });
    const perAttempt = client(emu, { timeoutMs: 200, retry: { maxAttempts: 1 } });
    await expect(perAttempt.getStack('ok')).rejects.toMatchObject({ code: 'TIMEOUT' });
    const total = client(emu, { timeoutMs: 2_000, totalTimeoutMs: 300, retry: { maxAttempts: 5 } });
    await expect(total.getStack('ok')).rejects.toMatchObject({ code: 'TIMEOUT' });
    emu.server.faults.clear();
  }, 20_000);
});

describe('time fields are ISO 8601 only', () => {
  it('a numeric string in an event time is INVALID_RESPONSE naming the field, not 1970-08-23', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    emu.server.faults.inject({
      kind: 'status',
      status: 200,
      body: { stack_events: [{ event_type: 'LOG', time: '20260101' }] },
    });
    await expect(client(emu).listStackEvents('ok').toArray({ limit: 10 })).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
      fieldPath: 'stack_events[0].time',
    });
  });

  it('a numeric string in a stack time is INVALID_RESPONSE naming the field', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    emu.server.faults.inject({
      kind: 'status',
      status: 200,
      body: { stack_name: 'ok', status: 'DEPLOYMENT_COMPLETE', update_time: '20260101' },
    });
    await expect(client(emu).getStack('ok')).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
      fieldPath: 'update_time',
    });
    emu.server.faults.inject({
      kind: 'status',
      status: 200,
      body: { stacks: [{ stack_name: 'ok', create_time: '1749715200' }] },
    });
    await expect(client(emu).listStacks().toArray({ limit: 10 })).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
      fieldPath: 'stacks[0].create_time',
    });
  });
});

describe('a page far larger than asked', () => {
  it('is INVALID_RESPONSE on lists (both orders) and watches, not followed', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    const huge = {
      stack_events: Array.from({ length: 10_001 }, () => ({ event_type: 'LOG', time: '2025-06-12T08:00:00Z' })),
    };
    const rfs = client(emu);
    emu.server.faults.inject({ kind: 'status', status: 200, body: huge });
    await expect(
      rfs.listStackEvents('ok', { order: 'newest-first', pageSize: 100 }).toArray({ limit: 10 }),
    ).rejects.toMatchObject({ code: 'INVALID_RESPONSE', fieldPath: 'stack_events' });
    emu.server.faults.inject({ kind: 'status', status: 200, body: huge });
    await expect(rfs.listStackEvents('ok').toArray({ limit: 10 })).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
    });
    emu.server.faults.inject({ kind: 'status', status: 200, body: huge });
    const watch = rfs.watchStackEvents('ok', { pollIntervalMs: 1, pageSize: 100 });
    await expect(
      (async () => {
        for await (const _ of watch) {
          // drain
        }
      })(),
    ).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
  });
});
