import type { LogEntry } from '@stackfeed/core';
import { type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authBody, findEndpoint, tokensUrl } from '../../src/auth/keystone.js';
import { HeatClient } from '../../src/index.js';

const PROJECT = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
let emu: HeatEmulator;
beforeAll(async () => {
  emu = await startHeatEmulator({
    tenant: PROJECT,
    keystone: {
      users: [
        {
          name: 'alice',
          password: 'alice-password-1',
          project: 'web',
          projectId: PROJECT,
          applicationCredentials: [{ id: 'ac-1', name: 'ci', secret: 'app-cred-secret-1' }],
        },
        { name: 'mallory', password: 'mallory-password', project: 'other', projectId: 'ffff' },
      ],
    },
  });
  emu.addStack('s1', createScript('s1', [{ name: 'r' }]));
  emu.advance(10_000);
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.server.requests.length = 0;
});

const password = (extra: Record<string, unknown> = {}) =>
  new HeatClient({
    auth: {
      type: 'password',
      authUrl: emu.keystoneUrl,
      username: 'alice',
      password: 'alice-password-1',
      projectName: 'web',
    },
    retry: { baseDelayMs: 1 },
    ...extra,
  });

describe('Keystone v3 session (emulated Keystone)', () => {
  it('authenticates once, finds the orchestration endpoint in the catalog and caches the token', async () => {
    const c = password();
    const before = emu.tokensIssued;
    expect((await c.listStacks().toArray({ limit: 10 })).map((s) => s.name)).toEqual(['s1']);
    await c.getStack('s1');
    await c.listStackEvents('s1').toArray({ limit: 10 });
    expect(emu.tokensIssued - before).toBe(1);
    expect(c.session.tokensIssued).toBe(1);
    const heatCalls = emu.server.requests.filter((r) => r.path.startsWith('/v1/'));
    expect(heatCalls.every((r) => typeof r.headers['x-auth-token'] === 'string')).toBe(true);
    expect(emu.server.requests.filter((r) => r.path === '/v3/auth/tokens')).toHaveLength(1);
    expect(emu.authRequests.at(-1)).toEqual({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { password: 'alice-password-1', name: 'alice', domain: { id: 'default' } } },
        },
        scope: { project: { name: 'web', domain: { id: 'default' } } },
      },
    });
  });

  it('re-authenticates once after a 401 and retries the call', async () => {
    const c = password();
    await c.getStack('s1');
    emu.revokeTokens();
    expect((await c.getStack('s1')).name).toBe('s1');
    expect(c.session.tokensIssued).toBe(2);
  });

  it('refreshes the token shortly before it expires', async () => {
    let now = Date.now();
    const c = password({ now: () => now, tokenRefreshMarginMs: 60_000 });
    await c.getStack('s1');
    now += 3_600_000 - 30_000; // within the margin of the 1 h expiry
    const s1 = [...emu.stacks.values()][0]!;
    await c.getStack({ name: 's1', id: s1.id }); // one request: one refresh
    expect(c.session.tokensIssued).toBe(2);
  });

  it('gives UNAUTHORIZED for a bad password, without the password anywhere', async () => {
    const logs: LogEntry[] = [];
    const c = new HeatClient({
      auth: {
        type: 'password',
        authUrl: emu.keystoneUrl,
        username: 'alice',
        password: 'wrong-password-xyz',
        projectName: 'web',
      },
      logger: (e) => logs.push(e),
    });
    const err = (await c.getStack('s1').catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({
      code: 'UNAUTHORIZED',
      httpStatus: 401,
      providerCode: 'Unauthorized',
      operation: 'authenticate',
    });
    const dump = `${err.message} ${JSON.stringify(err)} ${err.stack} ${JSON.stringify(logs)}`;
    expect(dump).not.toContain('wrong-password-xyz');
  });

  it('gives FORBIDDEN with HTTPForbidden for another project’s endpoint', async () => {
    const c = new HeatClient({
      auth: {
        type: 'password',
        authUrl: emu.keystoneUrl,
        username: 'mallory',
        password: 'mallory-password',
        projectName: 'other',
      },
      endpoint: emu.heatUrl,
    });
    await expect(c.getStack('s1')).rejects.toMatchObject({ code: 'FORBIDDEN', providerCode: 'HTTPForbidden' });
  });

  it('exchanges a token (token auth) and uses an application credential', async () => {
    const first = password();
    const tok = (await first.session.token()) as string;
    const t = new HeatClient({ auth: { type: 'token', token: tok, authUrl: emu.keystoneUrl, projectId: PROJECT } });
    expect((await t.getStack('s1')).name).toBe('s1');
    expect(emu.authRequests.at(-1)).toEqual({
      auth: { identity: { methods: ['token'], token: { id: tok } }, scope: { project: { id: PROJECT } } },
    });
    const ac = new HeatClient({
      auth: {
        type: 'v3applicationcredential',
        authUrl: emu.keystoneUrl,
        applicationCredentialId: 'ac-1',
        applicationCredentialSecret: 'app-cred-secret-1',
      },
    });
    expect((await ac.getStack('s1')).name).toBe('s1');
    const byName = new HeatClient({
      auth: {
        type: 'v3applicationcredential',
        authUrl: `${emu.url}/`,
        applicationCredentialName: 'ci',
        username: 'alice',
        applicationCredentialSecret: 'app-cred-secret-1',
      },
    });
    expect((await byName.listStacks().toArray({ limit: 5 })).length).toBe(1);
  });

  it('uses a static token with an explicit endpoint, and fails UNAUTHORIZED when it is revoked (no refresh possible)', async () => {
    const tok = (await password().session.token()) as string;
    const c = new HeatClient({ auth: { type: 'token', token: tok }, endpoint: emu.heatUrl });
    expect((await c.getStack('s1')).name).toBe('s1');
    emu.revokeTokens();
    await expect(c.getStack('s1')).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      httpStatus: 401,
      providerCode: 'Unauthorized',
    });
  });

  it('fills %(project_id)s in an endpoint override from the token, and honours region/interface', async () => {
    const c = password({ endpoint: `${emu.url}/v1/%(project_id)s` });
    expect(await c.session.endpoint()).toBe(`${emu.url}/v1/${PROJECT}`);
    await expect(password({ region: 'RegionNine' }).getStack('s1')).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining('public endpoint for orchestration service in RegionNine region not found'),
    });
    expect(await password({ interface: 'internal', region: 'RegionOne' }).session.endpoint()).toBe(
      `${emu.url}/v1/${PROJECT}`,
    );
  });
});

describe('Keystone helpers', () => {
  it('builds the tokens URL like keystoneauth', () => {
    expect(tokensUrl('http://k:5000')).toBe('http://k:5000/v3/auth/tokens');
    expect(tokensUrl('http://k:5000/v3/')).toBe('http://k:5000/v3/auth/tokens');
    expect(() => tokensUrl('http://k:5000/v2.0')).toThrow(/not supported/);
  });

  it('scopes by project id, project name + domain, or domain', () => {
    const b = (x: Record<string, unknown>) =>
      authBody({ type: 'password', authUrl: 'x', userId: 'u1', password: 'p', ...x }) as { scope?: unknown };
    expect(b({ projectId: 'p1' }).scope).toEqual({ project: { id: 'p1' } });
    expect(b({ projectName: 'n', projectDomainName: 'D' }).scope).toEqual({
      project: { name: 'n', domain: { name: 'D' } },
    });
    expect(b({ projectName: 'n', domainId: 'd9' }).scope).toEqual({ project: { name: 'n', domain: { id: 'd9' } } });
    expect(b({ domainName: 'D' }).scope).toEqual({ domain: { name: 'D' } });
    expect(b({}).scope).toBeUndefined();
    expect(() => authBody({ type: 'password', authUrl: 'x', password: 'p' })).toThrow(/username or userId/);
  });

  it('picks catalog endpoints by interface and region (region_id first), skipping empty URLs', () => {
    const catalog = [
      { type: 'identity', endpoints: [{ interface: 'public', url: 'http://ks' }] },
      {
        type: 'orchestration',
        endpoints: [
          { interface: 'public', region_id: 'R1', url: '' },
          { interface: 'public', region_id: 'R1', url: 'http://h1/v1/p' },
          { interface: 'internal', region_id: 'R1', url: 'http://i1/v1/p' },
          { interface: 'publicURL', region: 'R2', url: 'http://h2/v1/p' },
        ],
      },
    ];
    expect(findEndpoint(catalog, 'orchestration', 'public', 'R1')).toBe('http://h1/v1/p');
    expect(findEndpoint(catalog, 'orchestration', 'internal', undefined)).toBe('http://i1/v1/p');
    expect(findEndpoint(catalog, 'orchestration', 'public', 'R2')).toBe('http://h2/v1/p');
    expect(() => findEndpoint(catalog, 'orchestration', 'admin', undefined)).toThrow(
      /admin endpoint for orchestration/,
    );
  });

  it('needs an endpoint for noauth and an auth URL for Keystone methods', () => {
    expect(() => new HeatClient({ auth: { type: 'none' } })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    expect(() => new HeatClient({ auth: { type: 'password', authUrl: '', username: 'a', password: 'b' } })).toThrow(
      /authUrl/,
    );
  });
});
