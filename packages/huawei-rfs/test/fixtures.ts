import { type RfsEmulator, type RfsEmulatorOptions, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { RfsClient, type RfsClientOptions } from '../src/index.js';

export const AK = 'HPUATESTACCESSKEY0001';
export const SK = 'testSecretKey/0123456789+abcdefghijklmn';
export const TEMP_AK = 'HPUATEMPORARYKEY0002';
export const TEMP_SK = 'tempSecretKey0123456789abcdefghijklmnop';
export const TEMP_TOKEN = 'gQpjbi1ub3J0aC00temporarySecurityToken';
export const USER = { userName: 'ops', password: 'Pa55word!long', domainName: 'acme' };

export async function emulator(extra: Partial<RfsEmulatorOptions> = {}): Promise<RfsEmulator> {
  return startRfsEmulator({
    credentials: {
      aksk: [
        { accessKey: AK, secretKey: SK },
        { accessKey: TEMP_AK, secretKey: TEMP_SK, securityToken: TEMP_TOKEN },
      ],
      users: [USER],
    },
    ...extra,
  });
}

export function client(emu: RfsEmulator, extra: Partial<RfsClientOptions> = {}): RfsClient {
  return new RfsClient({
    region: 'cn-north-4',
    projectId: emu.projectId,
    endpoint: emu.url,
    credentials: { accessKey: AK, secretKey: SK },
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    env: {},
    ...extra,
  });
}
