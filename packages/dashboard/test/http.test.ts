import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '@stackfeed/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP, type DashboardServer, startDashboard } from '../src/index.js';
import { ENGINES } from './fixture.js';

/** A request with any Host header and method (fetch cannot set Host). */
function raw(
  url: string,
  init: { method?: string; host?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = init.host ? { Host: init.host } : {};
    const req = request(url, { method: init.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const SECURITY = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

// The exact headers and error bodies of every kind of answer, API and page.
describe('dashboard HTTP answers', () => {
  let store: Store;
  let server: DashboardServer;
  const web = mkdtempSync(join(tmpdir(), 'sf-dash-web-'));
  beforeAll(async () => {
    mkdirSync(join(web, 'assets'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>page</title>');
    writeFileSync(join(web, 'assets', 'app.js'), 'export {};\n');
    store = await (ENGINES[0] as (typeof ENGINES)[number]).open();
    server = await startDashboard({ store, webRoot: web });
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
    rmSync(web, { recursive: true, force: true });
  });

  it('every answer carries the security headers; the API is never cached, the page may be', async () => {
    for (const path of ['api/health', 'api/nothing', '', 'assets/app.js', 'assets/missing.js', 'some/route']) {
      const r = await raw(`${server.url}${path}`);
      expect(r.headers, path).toMatchObject(SECURITY);
      expect(r.headers['cache-control'], path).toBe(path.startsWith('api/') ? 'no-store' : undefined);
    }
  });

  it('the page: its files, index.html for other paths, a JSON 404 for a missing file', async () => {
    const page = await raw(server.url);
    expect([page.status, page.body]).toEqual([200, '<!doctype html><title>page</title>']);
    expect((await raw(`${server.url}some/route`)).body).toBe(page.body);
    const js = await raw(`${server.url}assets/app.js`);
    expect([js.status, js.body]).toEqual([200, 'export {};\n']);
    const missing = await raw(`${server.url}assets/missing.js`);
    expect([missing.status, missing.headers['content-type'], missing.body]).toEqual([
      404,
      'application/json; charset=utf-8',
      '{"error":{"code":"NOT_FOUND","message":"no such file"}}',
    ]);
  });

  it('the API errors: unknown path, unknown deployment, bad parameter, method, Host, an undecodable path', async () => {
    const answers = [
      await raw(`${server.url}api/nothing`),
      await raw(`${server.url}api/deployments/openstack-heat/db/nope`),
      await raw(`${server.url}api/events?limit=0`),
      await raw(`${server.url}api/stream?after=x`),
      await raw(`${server.url}api/health`, { method: 'DELETE' }),
      await raw(`${server.url}api/health`, { host: `evil.example:${server.port}` }),
      await raw(`${server.url}api/health`, { host: `localhost:${server.port + 1}` }),
      await raw(`${server.url}api/deployments/openstack-heat/db/%E0%A4%A`),
    ];
    expect(answers.map((a) => [a.status, a.body])).toEqual([
      [404, '{"error":{"code":"NOT_FOUND","message":"no API at /api/nothing"}}'],
      [404, '{"error":{"code":"NOT_FOUND","message":"no deployment nope of db"}}'],
      [400, '{"error":{"code":"BAD_REQUEST","message":"limit must be an integer from 1 to 1000"}}'],
      [400, '{"error":{"code":"BAD_REQUEST","message":"Last-Event-ID (or after) must be a store sequence number"}}'],
      [405, '{"error":{"code":"BAD_REQUEST","message":"DELETE is not allowed"}}'],
      [403, '{"error":{"code":"FORBIDDEN","message":"this Host is not the dashboard"}}'],
      [403, '{"error":{"code":"FORBIDDEN","message":"this Host is not the dashboard"}}'],
      [500, '{"error":{"code":"SERVER","message":"internal error"}}'],
    ]);
    expect(answers[4]?.headers.allow).toBe('GET, HEAD');
    expect((await raw(`${server.url}api/health`, { host: `[::1]:${server.port}` })).status).toBe(200);
  });

  it('a port in use: CONFIG naming the address and the reason', async () => {
    await expect(startDashboard({ store, port: server.port })).rejects.toMatchObject({
      code: 'CONFIG',
      message: `dashboard: cannot listen on 127.0.0.1:${server.port}: EADDRINUSE`,
    });
  });
});
