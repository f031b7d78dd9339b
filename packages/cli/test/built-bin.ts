import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll } from 'vitest';

/** The cli package, its launcher and the bundle the launcher runs. */
export const pkg = join(import.meta.dirname, '..');
export const bin = join(pkg, 'bin', 'stackfeed.js');
export const built = join(pkg, 'dist', 'bin', 'bin.js');

/** Newest mtime under a folder. */
const newest = (dir: string): number =>
  Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((d) =>
      d.isDirectory() ? newest(join(dir, d.name)) : statSync(join(dir, d.name)).mtimeMs,
    ),
  );

/**
 * For test files that spawn the built bin: `pnpm test` builds first; a lone `vitest --project cli`
 * builds here when dist is missing or older than the sources.
 */
export function ensureBuiltBin(): void {
  beforeAll(() => {
    if (!existsSync(built) || statSync(built).mtimeMs < newest(join(pkg, 'src'))) {
      execFileSync('pnpm', ['--filter', '@stackfeed/cli', 'build'], {
        cwd: pkg,
        stdio: 'pipe',
        env: { ...process.env, STACKFEED_CLI_FAST_BUILD: '1' },
      });
    }
  }, 120_000);
}
