import {
  type ImageBuilderEmulator,
  type ImageBuilderEmulatorOptions,
  type ManualClock,
  startImageBuilderEmulator,
} from '@stackfeed/emulator/imagebuilder';
import { ImageBuilderClient, type ImageBuilderClientOptions } from '../src/index.js';

export const CREDS = {
  accessKeyId: 'AKIDSTACKFEEDTEST01',
  secretAccessKey: 'sf-test-secret-key/0123456789abcdefABCDEF',
};

export interface Setup {
  emu: ImageBuilderEmulator;
  client: ImageBuilderClient;
  clock: ManualClock;
  close(): Promise<void>;
}

/** An emulator that verifies SigV4 signatures, and a client (the real SDK) pointed at it. */
export async function setup(
  opts: ImageBuilderEmulatorOptions = {},
  clientOpts: Partial<ImageBuilderClientOptions> = {},
): Promise<Setup> {
  const emu = await startImageBuilderEmulator({ auth: { credentials: [CREDS] }, ...opts });
  const client = new ImageBuilderClient({
    region: 'us-east-1',
    endpoint: emu.url,
    credentials: CREDS,
    ...clientOpts,
  });
  return {
    emu,
    client,
    clock: emu.clock as ManualClock,
    close: async () => {
      client.close();
      await emu.close();
    },
  };
}
