/** listRfsRegions: IAM GET /v3/projects on the RFS emulator, signed with AK/SK or an IAM password token. */
import { startRfsEmulator } from '@stackfeed/emulator/rfs';
import { describe, expect, it } from 'vitest';
import { listRfsRegions } from '../src/index.js';

const AKSK = { accessKey: 'REGIONSTESTAK0000001', secretKey: 'regions-test-secret' };

describe('listRfsRegions', () => {
  it("lists each region's own project by region name; MOS is left out; bad keys are UNAUTHORIZED", async () => {
    const emu = await startRfsEmulator({
      credentials: { aksk: [AKSK], users: [{ userName: 'u', password: 'pw', domainName: 'd' }] },
      region: 'cn-north-4',
      regions: [
        { region: 'ap-southeast-1', projectId: 'a'.repeat(32) },
        { region: 'eu-west-101', projectId: 'e'.repeat(32) },
      ],
    });
    try {
      const expected = [
        { provider: 'huawei-rfs', region: 'ap-southeast-1', projectId: 'a'.repeat(32) },
        { provider: 'huawei-rfs', region: 'cn-north-4', projectId: emu.projectId },
        { provider: 'huawei-rfs', region: 'eu-west-101', projectId: 'e'.repeat(32) },
      ];
      expect(await listRfsRegions({ iamEndpoint: emu.url, credentials: AKSK, env: {} })).toEqual(expected);
      // The environment's keys, as RfsClient reads them.
      const env = {
        HUAWEICLOUD_SDK_AK: AKSK.accessKey,
        HUAWEICLOUD_SDK_SK: AKSK.secretKey,
        HUAWEICLOUD_SDK_IAM_ENDPOINT: emu.url,
      };
      expect(await listRfsRegions({ env })).toEqual(expected);
      const password = { userName: 'u', password: 'pw', domainName: 'd' };
      expect(await listRfsRegions({ iamEndpoint: emu.url, credentials: { password }, env: {} })).toEqual(expected);
      const bad = listRfsRegions({
        iamEndpoint: emu.url,
        credentials: { ...AKSK, secretKey: 'wrong' },
        env: {},
        retry: { maxAttempts: 1 },
      });
      await expect(bad).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
        provider: 'huawei-rfs',
        operation: 'listRfsRegions',
      });
    } finally {
      await emu.close();
    }
  });
});
