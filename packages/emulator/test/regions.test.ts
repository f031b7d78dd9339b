/** `@stackfeed/emulator/regions` (DescribeRegions, per-region routing) and the RFS emulator's IAM project list, on the wire. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorServer, startEmulator } from '../src/harness.js';
import { createAwsRegionsHandler } from '../src/regions/index.js';
import { startRfsEmulator } from '../src/rfs/index.js';

const auth = (region: string, service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

describe('createAwsRegionsHandler', () => {
  let server: EmulatorServer;
  beforeAll(async () => {
    server = await startEmulator({
      handler: createAwsRegionsHandler({
        regions: [
          { name: 'us-east-1', handler: () => ({ status: 200, body: { from: 'us-east-1' } }) },
          {
            name: 'eu-south-2',
            optInStatus: 'opted-in',
            handler: () => ({ status: 200, body: { from: 'eu-south-2' } }),
          },
          { name: 'me-south-1', optInStatus: 'not-opted-in' },
        ],
      }),
    });
  });
  afterAll(() => server?.close());

  const describeRegions = (body: string, service = 'ec2') =>
    fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth('us-east-1', service) },
      body: `Action=DescribeRegions&Version=2016-11-15${body}`,
    });
  const names = (xml: string) => [...xml.matchAll(/<regionName>([^<]+)<\/regionName>/g)].map((m) => m[1]);

  it('lists the enabled regions; AllRegions=true and the opt-in-status filter show the others', async () => {
    const enabled = await (await describeRegions('')).text();
    expect(names(enabled)).toEqual(['us-east-1', 'eu-south-2']);
    expect(enabled).toContain('<optInStatus>opted-in</optInStatus>');
    expect(names(await (await describeRegions('&AllRegions=true')).text())).toEqual([
      'us-east-1',
      'eu-south-2',
      'me-south-1',
    ]);
    const filtered = await describeRegions(
      '&AllRegions=true&Filter.1.Name=opt-in-status&Filter.1.Value.1=not-opted-in',
    );
    expect(names(await filtered.text())).toEqual(['me-south-1']);
  });

  it('refuses a signature for another service, and routes other calls by the SigV4 scope region', async () => {
    const wrong = await describeRegions('', 'imagebuilder');
    expect(wrong.status).toBe(403);
    const call = (region: string) =>
      fetch(`${server.url}/ListImages`, { headers: { authorization: auth(region, 'x') } });
    expect(await (await call('eu-south-2')).json()).toEqual({ from: 'eu-south-2' });
    const refused = await call('me-south-1');
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('<Code>AuthFailure</Code>');
  });
});

describe('RFS emulator: IAM GET /v3/projects', () => {
  it('needs a token or signature, lists every project (each region, MOS) and filters by name', async () => {
    const user = { userName: 'u', password: 'p', domainName: 'd' };
    const emu = await startRfsEmulator({
      credentials: { users: [user] },
      regions: [{ region: 'ap-southeast-1', projectId: 'a'.repeat(32) }],
    });
    try {
      expect((await fetch(`${emu.url}/v3/projects`)).status).toBe(401);
      const issued = await fetch(`${emu.url}/v3/auth/tokens`, {
        method: 'POST',
        body: JSON.stringify({
          auth: { identity: { password: { user: { name: 'u', password: 'p', domain: { name: 'd' } } } } },
        }),
      });
      const token = issued.headers.get('x-subject-token') as string;
      const projects = async (q = '') => {
        const res = await fetch(`${emu.url}/v3/projects${q}`, { headers: { 'x-auth-token': token } });
        return ((await res.json()) as { projects: Array<{ id: string; name: string }> }).projects;
      };
      expect((await projects()).map((p) => [p.name, p.id])).toEqual([
        ['cn-north-4', emu.projectId],
        ['ap-southeast-1', 'a'.repeat(32)],
        ['MOS', 'mos00000000000000000000000000000'],
      ]);
      expect((await projects('?name=ap-southeast-1')).map((p) => p.id)).toEqual(['a'.repeat(32)]);
      // Each region's project has its own stacks: the second one's list is empty, not the first one's.
      expect(emu.regionStore('ap-southeast-1')).toBeDefined();
      expect(emu.regionStore('eu-west-101')).toBeUndefined();
    } finally {
      await emu.close();
    }
  });
});
