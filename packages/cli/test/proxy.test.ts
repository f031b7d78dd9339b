import { Router, startEmulator } from '@stackfeed/emulator';
import { describe, expect, it } from 'vitest';
import { fixedPortProxy } from '../src/providers/proxy.js';

describe('fixedPortProxy', () => {
  it('forwards requests and rewrites the upstream origin in Location and bodies to its own', async () => {
    let origin = '';
    const upstream = await startEmulator({
      handler: new Router()
        .on('GET', '/a', (req) => ({ status: 302, headers: { location: `${origin}/b?x=1&h=${req.headers.host}` } }))
        .on('POST', '/echo', (req) => ({
          status: 201,
          body: { got: req.body, self: `${origin}/echo`, links: [`${origin}/a`] },
        }))
        .handler(),
    });
    origin = upstream.url;
    const proxy = await fixedPortProxy(upstream.url, 0, '127.0.0.1');
    try {
      expect(proxy.url).not.toBe(upstream.url);
      const redirect = await fetch(`${proxy.url}/a`, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get('location')).toBe(`${proxy.url}/b?x=1&h=${new URL(upstream.url).host}`);
      const echo = await fetch(`${proxy.url}/echo`, { method: 'POST', body: 'ping' });
      expect(echo.status).toBe(201);
      expect(await echo.json()).toEqual({ got: 'ping', self: `${proxy.url}/echo`, links: [`${proxy.url}/a`] });
    } finally {
      await proxy.close();
      await upstream.close();
    }
    // With the upstream gone, the proxy answers 502 rather than hanging.
    const lone = await fixedPortProxy(upstream.url, 0, '127.0.0.1');
    try {
      expect((await fetch(`${lone.url}/a`)).status).toBe(502);
    } finally {
      await lone.close();
    }
  });
});
