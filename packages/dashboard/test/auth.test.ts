import type { Store } from '@stackfeed/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP, type DashboardServer, startDashboard } from '../src/index.js';
import { ENGINES } from './fixture.js';

const TOKEN = 'dash-token-4f0c9a1e7b2d';

describe('a dashboard with a token', () => {
  let store: Store;
  let server: DashboardServer;
  beforeAll(async () => {
    store = await (ENGINES[0] as (typeof ENGINES)[number]).open();
    server = await startDashboard({ store, token: TOKEN, webRoot: '/nonexistent' });
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${server.url}${path}`, { headers, redirect: 'manual' });
    expect(r.headers.get('content-security-policy')).toBe(CSP);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    return r;
  };

  it('answers 401 to every request without it: API, stream and page', async () => {
    for (const path of ['api/health', 'api/inventory', 'api/events', 'api/stream', '', 'assets/app.js']) {
      const r = await get(path);
      expect(r.status, path).toBe(401);
      expect((await r.json()).error.code).toBe('UNAUTHORIZED');
    }
    for (const auth of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN, 'Bearer ', `Basic ${TOKEN}`]) {
      expect((await get('api/health', { Authorization: auth })).status, auth).toBe(401);
    }
    expect((await get('api/health', { Cookie: 'sf_token=wrong' })).status).toBe(401);
    const wrong = await get('?token=nope');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('lets the bearer token in, and /?token= sets the HttpOnly SameSite=Strict cookie the stream can use', async () => {
    expect((await get('api/health', { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    const login = await get(`?token=${TOKEN}`);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^sf_token=[^;]+; HttpOnly; SameSite=Strict; Path=\/$/);
    const pair = cookie.split(';')[0] as string;
    expect((await get('api/inventory', { Cookie: `other=1; ${pair}` })).status).toBe(200);
    const ac = new AbortController();
    const stream = await fetch(`${server.url}api/stream`, { headers: { Cookie: pair }, signal: ac.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-security-policy')).toBe(CSP);
    ac.abort();
    // With a token the Host is not what guards it: any name the machine is reached by works.
    expect((await get('api/health', { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it('refuses to listen beyond loopback without a token (CONFIG), and takes a loopback name', async () => {
    await expect(startDashboard({ store, host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining('--token'),
    });
    const local = await startDashboard({ store, host: 'localhost', webRoot: '/nonexistent' });
    expect((await fetch(`${local.url}api/health`)).status).toBe(200);
    await local.close();
  });

  it('a port in use is CONFIG, not a crash', async () => {
    await expect(startDashboard({ store, port: server.port })).rejects.toMatchObject({ code: 'CONFIG' });
  });
});
