import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogEntry } from '@stackfeed/core';
import { afterAll, describe, expect } from 'vitest';
import { HeatClient } from '../../src/index.js';
import type { PeerInfo } from '../support/peer.js';
import { type StackHandle, createStack, rawEvents, uniqueName, waitStack } from '../support/peer.js';
import { keystonePeer, realPeerSuite } from './peers.js';

/**
 * Against a REAL Keystone v3 and a Heat behind keystonemiddleware (the keystone-mode peer that
 * the globalSetup starts beside the noauth one): password, token, application credential,
 * catalog discovery, 401 and 403. No fake anywhere.
 */
let peer: PeerInfo;
let admin: HeatClient;
let stack: StackHandle;
let tmp: string;
const logs: LogEntry[] = [];

const adminAuth = () => ({
  type: 'password' as const,
  authUrl: peer.keystoneUrl as string,
  username: peer.admin!.user,
  password: peer.admin!.password,
  projectName: peer.admin!.project,
  userDomainId: 'default',
  projectDomainId: 'default',
});

const itReal = realPeerSuite(async () => {
  peer = keystonePeer();
  tmp = mkdtempSync(join(tmpdir(), 'heat-ks-'));
  admin = new HeatClient({ auth: adminAuth(), region: peer.region, logger: (e) => logs.push(e) });
  const token = (await admin.session.token()) as string;
  stack = await createStack(peer.heatUrl, uniqueName('ks-ok'), 'delete.yaml', { token });
  expect(await waitStack(peer.heatUrl, stack, 60_000, token)).toBe('CREATE_COMPLETE');
}, 90_000);
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('Keystone v3 against a real Keystone', () => {
  itReal('password auth: finds the orchestration endpoint in the catalog and lists events', async () => {
    expect(await admin.session.endpoint()).toBe(peer.heatUrl);
    const evs = await admin.listStackEvents(stack.name).toArray({ limit: 100 });
    const token = (await admin.session.token()) as string;
    expect(evs.map((e) => e.id)).toEqual((await rawEvents(peer.heatUrl, stack, '', token)).map((e) => e.id));
    expect(await admin.getStack(stack.id)).toMatchObject({ name: stack.name, state: 'COMPLETE' });
    expect(admin.session.tokensIssued).toBe(1);
  });

  itReal('token auth: exchanges a token for a scoped one, or uses it as is with an endpoint', async () => {
    const token = (await admin.session.token()) as string;
    const exchanged = new HeatClient({
      auth: { type: 'token', token, authUrl: peer.keystoneUrl, projectId: peer.admin!.project_id },
    });
    expect((await exchanged.getStack(stack.name)).id).toBe(stack.id);
    expect(exchanged.session.tokensIssued).toBe(1);
    const direct = new HeatClient({ auth: { type: 'token', token }, endpoint: peer.heatUrl });
    expect((await direct.listStacks({ name: stack.name }).toArray({ limit: 5 })).map((s) => s.id)).toEqual([stack.id]);
  });

  itReal('application credential auth (created in Keystone for this test)', async () => {
    const token = (await admin.session.token()) as string;
    const ks = peer.keystoneUrl as string;
    const me = await fetch(`${ks}/auth/tokens`, { headers: { 'x-auth-token': token, 'x-subject-token': token } });
    const userId = ((await me.json()) as { token: { user: { id: string } } }).token.user.id;
    const name = uniqueName('sf-ac');
    const res = await fetch(`${ks}/users/${userId}/application_credentials`, {
      method: 'POST',
      headers: { 'x-auth-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ application_credential: { name } }),
    });
    expect(res.status).toBe(201);
    const ac = ((await res.json()) as { application_credential: { id: string; secret: string } })
      .application_credential;
    const byId = new HeatClient({
      auth: {
        type: 'v3applicationcredential',
        authUrl: ks,
        applicationCredentialId: ac.id,
        applicationCredentialSecret: ac.secret,
      },
    });
    expect((await byId.getStack(stack.name)).id).toBe(stack.id);
    const byName = new HeatClient({
      auth: {
        type: 'v3applicationcredential',
        authUrl: ks.replace(/\/v3$/, ''),
        applicationCredentialName: name,
        applicationCredentialSecret: ac.secret,
        userId,
      },
    });
    expect((await byName.listStackEvents(stack.name).toArray({ limit: 100 })).length).toBeGreaterThan(3);
  });

  itReal('clouds.yaml + OS_CLOUD, and OS_* variables, reach the same stack', async () => {
    writeFileSync(
      join(tmp, 'clouds.yaml'),
      `clouds:\n  ks:\n    auth:\n      auth_url: ${peer.keystoneUrl}\n      username: admin\n      project_name: admin\n      user_domain_id: default\n      project_domain_id: default\n    region_name: ${peer.region}\n`,
    );
    writeFileSync(join(tmp, 'secure.yaml'), `clouds:\n  ks:\n    auth:\n      password: ${peer.admin!.password}\n`);
    const fromFile = HeatClient.fromConfig({ cwd: tmp, homeDir: tmp, env: { OS_CLOUD: 'ks' } });
    expect((await fromFile.getStack(stack.name)).id).toBe(stack.id);
    const fromEnv = HeatClient.fromConfig({
      cwd: tmp,
      homeDir: tmp,
      searchDirs: [],
      env: {
        OS_AUTH_URL: peer.keystoneUrl,
        OS_USERNAME: 'admin',
        OS_PASSWORD: peer.admin!.password,
        OS_PROJECT_NAME: 'admin',
        OS_USER_DOMAIN_ID: 'default',
        OS_PROJECT_DOMAIN_ID: 'default',
        OS_INTERFACE: 'internal',
        OS_REGION_NAME: peer.region,
      },
    });
    expect((await fromEnv.getStack(stack.name)).id).toBe(stack.id);
  });

  itReal('401 from Keystone (bad password) and from Heat (bad token) are UNAUTHORIZED; no secret leaks', async () => {
    const bad = new HeatClient({
      auth: { ...adminAuth(), password: 'not-the-password-42' },
      logger: (e) => logs.push(e),
    });
    const e1 = (await bad.getStack(stack.name).catch((e: unknown) => e)) as Error;
    expect(e1).toMatchObject({
      code: 'UNAUTHORIZED',
      httpStatus: 401,
      providerCode: 'Unauthorized',
      operation: 'authenticate',
    });
    const stale = new HeatClient({
      auth: { type: 'token', token: 'gAAAAA-not-a-real-token-0000' },
      endpoint: peer.heatUrl,
    });
    const e2 = (await stale.getStack(stack.name).catch((e: unknown) => e)) as Error;
    expect(e2).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401, providerCode: 'Unauthorized' });
    const token = (await admin.session.token()) as string;
    const dump = JSON.stringify([e1, e2, logs, e1.message, e2.message, e1.stack, e2.stack]);
    for (const secret of ['not-the-password-42', peer.admin!.password, token, 'gAAAAA-not-a-real-token-0000']) {
      expect(dump).not.toContain(secret);
    }
  });

  itReal('403 for the non-admin user on the admin project; its own project through its catalog works', async () => {
    const demoAuth = {
      type: 'password' as const,
      authUrl: peer.keystoneUrl as string,
      username: peer.demo!.user,
      password: peer.demo!.password,
      projectName: peer.demo!.project,
    };
    const intruder = new HeatClient({ auth: demoAuth, endpoint: peer.heatUrl });
    await expect(intruder.listStacks().toArray({ limit: 5 })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      httpStatus: 403,
      providerCode: 'HTTPForbidden',
    });
    const demo = new HeatClient({ auth: demoAuth });
    expect(await demo.session.endpoint()).toBe(peer.heatUrl.replace(peer.admin!.project_id, peer.demo!.project_id));
    const mine = await demo.listStacks().toArray({ limit: 100 });
    expect(mine.every((s) => s.id !== stack.id)).toBe(true);
  });

  itReal('gets a new token once after Heat answers 401 for a revoked one', async () => {
    // keystonemiddleware caches validated tokens (~5 min), so the token is revoked before Heat ever
    // sees it: Heat then asks Keystone, gets "revoked" and answers 401.
    const c = new HeatClient({ auth: adminAuth() });
    const old = (await c.session.token()) as string;
    const adminToken = (await admin.session.token()) as string;
    const del = await fetch(`${peer.keystoneUrl}/auth/tokens`, {
      method: 'DELETE',
      headers: { 'x-auth-token': adminToken, 'x-subject-token': old },
    });
    expect(del.status).toBe(204);
    const probe = await fetch(`${peer.heatUrl}/stacks`, { headers: { 'x-auth-token': old } });
    expect(probe.status).toBe(401);
    expect((await c.getStack({ name: stack.name, id: stack.id })).id).toBe(stack.id);
    expect(c.session.tokensIssued).toBe(2);
    expect(await c.session.token()).not.toBe(old);
  });

  itReal(
    'watches a delete with a Keystone token',
    async () => {
      const token = (await admin.session.token()) as string;
      const res = await fetch(`${peer.heatUrl}/stacks/${stack.name}/${stack.id}`, {
        method: 'DELETE',
        headers: { 'x-auth-token': token },
      });
      expect(res.status).toBe(204);
      const w = admin.watchStackEvents(stack.name, {
        pollIntervalMs: 200,
        untilAction: 'DELETE',
        resourceAction: 'DELETE',
        timeoutMs: 60_000,
      });
      const got = [];
      for await (const ev of w) got.push(ev);
      expect(w.result).toMatchObject({ outcome: 'deleted', status: 'DELETE_COMPLETE' });
      expect(got.at(-1)).toMatchObject({ isStackEvent: true, status: 'DELETE_COMPLETE' });
    },
    60_000,
  );
});
