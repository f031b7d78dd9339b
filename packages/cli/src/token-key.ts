import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The key that signs the continuation tokens this CLI prints (`--page-size` … `next page:
 * --page-token …`), so that the next `stackfeed` run can resume them. `STACKFEED_TOKEN_KEY` (at
 * least 16 characters) when set; else a random key kept in the user's config folder
 * (`$XDG_CONFIG_HOME/stackfeed/token-key`, mode 0600), made on first use. Without a home folder
 * (an embedding with no env) there is none, and tokens resume only within one run.
 */
export function cliTokenKey(env: Record<string, string | undefined>): string | undefined {
  const fromEnv = env.STACKFEED_TOKEN_KEY;
  if (fromEnv) return fromEnv;
  const base = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, '.config') : undefined);
  if (!base) return undefined;
  const dir = join(base, 'stackfeed');
  const file = join(dir, 'token-key');
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return kept;
  } catch {
    // not made yet
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const key = randomBytes(32).toString('hex');
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'w' });
    chmodSync(file, 0o600);
    return key;
  } catch {
    return undefined; // a read-only home: tokens then resume only within one run
  }
}
