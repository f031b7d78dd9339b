/**
 * vitest globalSetup: the tests read reference material from `shared/` next to the clone (service
 * specs, recorded responses, the real Heat peer scripts). Without it, fail once with one clear line
 * instead of dozens of ENOENTs.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function checkShared(): void {
  const dir = fileURLToPath(new URL('../../shared/', import.meta.url));
  const needed = ['specs', 'real-peers/heat/up.sh'];
  const missing = needed.filter((p) => !existsSync(`${dir.replace(/\/$/, '')}/${p}`));
  if (missing.length > 0) {
    throw new Error(
      `stackfeed tests need the shared/ reference folder next to the clone (looked in ${dir}; missing ${missing.join(', ')}). Clone the repository into the folder that holds shared/.`,
    );
  }
}
