import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { type RfsEmulator, deploymentFailsAndRollsBack } from '@stackfeed/emulator/rfs';
import { afterEach, describe, expect, it } from 'vitest';
import { AK, SK, TEMP_AK, TEMP_SK, TEMP_TOKEN, emulator } from './fixtures.js';

// The official Huawei Node SDK core (devDependency): its ClientBuilder, BasicCredentials, HcClient
// and axios transport, driven the way a generated RFS service client drives them.
const require = createRequire(import.meta.url);
interface Credentials {
  withAk(ak: string): Credentials;
  withSk(sk: string): Credentials;
  withProjectId(p: string): Credentials;
  withSecurityToken(t: string): Credentials;
}
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core') as {
  BasicCredentials: new () => Credentials;
};
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder') as {
  ClientBuilder: new (
    init: (hc: HcClient) => HcClient,
  ) => {
    withEndpoint(e: string): { withCredential(c: Credentials): { build(): HcClient } };
  };
};
// The SDK logs every failed call (request config included) to stdout at debug level: silence it.
(
  require('@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger') as { Logger4jInstance: { level: string } }
).Logger4jInstance.level = 'off';

interface HcClient {
  sendRequest<T>(o: {
    method: string;
    url: string;
    contentType: string;
    queryParams: Record<string, unknown>;
    pathParams: Record<string, unknown>;
    headers: Record<string, string>;
  }): Promise<T & { httpStatusCode: number }>;
}

let emu: RfsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function sdkClient(e: RfsEmulator, ak: string, sk: string, token?: string): HcClient {
  let cred = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(e.projectId);
  if (token) cred = cred.withSecurityToken(token);
  return new ClientBuilder((hc) => hc).withEndpoint(e.url).withCredential(cred).build();
}

const listEvents = (hc: HcClient, projectId: string, query: Record<string, unknown>) =>
  hc.sendRequest<{ stack_events: Array<Record<string, unknown>>; page_info?: { next_marker?: string } }>({
    method: 'GET',
    url: '/v1/{project_id}/stacks/{stack_name}/events',
    contentType: 'application/json',
    queryParams: query,
    pathParams: { project_id: projectId, stack_name: 'fail' },
    headers: { 'Client-Request-Id': randomUUID() },
  });

describe('the official Huawei Node SDK against the RFS emulator', () => {
  it('is accepted by the emulated gateway (AK/SK and temporary keys) and pages with its markers', async () => {
    const s = deploymentFailsAndRollsBack({ stackName: 'fail' });
    emu = await emulator({ scenarios: [s], progress: 'manual' });
    emu.finish('fail');
    const hc = sdkClient(emu, AK, SK);
    const first = await listEvents(hc, emu.projectId, { limit: 10, filter: 'event_type==ERROR|event_type==LOG' });
    expect(first.httpStatusCode).toBe(200);
    expect(first.stack_events.map((e) => e.event_type)).toEqual(['LOG', 'ERROR', 'LOG']);
    const paged: unknown[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      pages++;
      const page = await listEvents(hc, emu.projectId, { limit: 10, ...(marker ? { marker } : {}) });
      paged.push(...page.stack_events);
      marker = page.page_info?.next_marker;
    } while (marker);
    expect(paged.length).toBe(emu.stack('fail')?.events.length);
    expect(pages).toBeGreaterThan(1);
    const temp = sdkClient(emu, TEMP_AK, TEMP_SK, TEMP_TOKEN);
    expect((await listEvents(temp, emu.projectId, { limit: 10 })).httpStatusCode).toBe(200);
    const h = emu.server.requests.at(-1)?.headers ?? {};
    expect(h['x-security-token']).toBe(TEMP_TOKEN);
  });

  it("parses the emulator's error bodies: APIGW.0301 on a bad key, RF.* codes with the request id", async () => {
    emu = await emulator({ scenarios: [deploymentFailsAndRollsBack({ stackName: 'fail' })] });
    const bad = sdkClient(emu, AK, 'not-the-secret-key-000');
    const err = (await listEvents(bad, emu.projectId, {}).catch((e: unknown) => e)) as Record<string, unknown>;
    expect(err.httpStatusCode ?? err.status).toBe(401);
    expect(err.errorCode).toBe('APIGW.0301');
    expect(String(err.errorMsg)).toContain('verify aksk signature fail');
    const good = sdkClient(emu, AK, SK);
    const notFound = (await listEvents(good, emu.projectId, { deployment_id: randomUUID() }).catch(
      (e: unknown) => e,
    )) as Record<string, unknown>;
    expect(notFound.httpStatusCode ?? notFound.status).toBe(404);
    expect(notFound.errorCode).toBe('RF.10012405');
    expect(String(notFound.requestId)).toMatch(/^[0-9a-f]{32}$/);
  });
});
