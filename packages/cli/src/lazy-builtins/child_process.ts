/**
 * Stands in for node:child_process in commander's code in the bin (see tsup.bin.config.ts):
 * commander loads it at import (with dgram and net's child-process parts, ~4 ms of CPU) only for
 * executable sub-commands, which stackfeed has none of. The real module loads on first use.
 */
import type { spawn as realSpawn } from 'node:child_process';
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export const spawn: typeof realSpawn = ((...args: Parameters<typeof realSpawn>) =>
  (load('node:child_process') as { spawn: typeof realSpawn }).spawn(...args)) as typeof realSpawn;
