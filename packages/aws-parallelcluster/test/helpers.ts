import {
  type ParallelClusterEmulator,
  type ParallelClusterEmulatorOptions,
  startParallelClusterEmulator,
} from '@stackfeed/emulator/parallelcluster';
import { ParallelClusterClient } from '../src/index.js';

export async function emulator(opts: ParallelClusterEmulatorOptions = {}): Promise<ParallelClusterEmulator> {
  return startParallelClusterEmulator(opts);
}

/** An API-mode client for the emulator (no retry delays worth speaking of). */
export function apiClient(emu: ParallelClusterEmulator, extra: Record<string, unknown> = {}): ParallelClusterClient {
  return new ParallelClusterClient({
    apiUrl: emu.apiUrl,
    signingRegion: emu.region,
    credentials: emu.credentials,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
}

/** A direct-mode client whose AWS SDK clients talk to the emulator. */
export function directClient(emu: ParallelClusterEmulator, extra: Record<string, unknown> = {}): ParallelClusterClient {
  return new ParallelClusterClient({
    mode: 'direct',
    region: emu.region,
    credentials: emu.credentials,
    endpoints: emu.endpoints,
    ...extra,
  });
}
