import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import type { ClientOptions } from '@stackfeed/core';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { ImageBuilderClient, type ImageBuilderClientOptions } from '../src/index.js';
import { CREDS, type Setup, setup } from './helpers.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe("options: core's ClientOptions plus credentials and client", () => {
  it('every ClientOptions name is an ImageBuilderClientOptions name', () => {
    expectTypeOf<ImageBuilderClientOptions>().toMatchTypeOf<ClientOptions>();
  });

  it('userAgent is appended to the User-Agent of every request', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] }, { userAgent: 'my-dashboard/2.1' });
    await s.client.discover({ kinds: ['lifecycle-execution'] }).toArray({ limit: 10 });
    const agents = s.emu.server.requests.map((r) => String(r.headers['user-agent']));
    expect(agents.length).toBeGreaterThan(0);
    expect(agents.every((a) => a.includes('my-dashboard/2.1'))).toBe(true);
  });

  it('userAgent with your own SDK client is CONFIG (set its customUserAgent)', () => {
    const sdk = new ImagebuilderClient({ region: 'us-east-1', credentials: CREDS });
    try {
      expect(() => new ImageBuilderClient({ client: sdk, userAgent: 'x/1' })).toThrow(
        expect.objectContaining({ code: 'CONFIG', message: expect.stringMatching(/userAgent/) }),
      );
    } finally {
      sdk.destroy();
    }
  });
});
