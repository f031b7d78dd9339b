import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
const cli = join(root, 'packages', 'cli');
/** The `stackfeed` command as users run it. */
export const bin = join(cli, 'bin', 'stackfeed.js');

const newest = (dir: string): number =>
  Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((d) =>
      d.isDirectory() ? newest(join(dir, d.name)) : statSync(join(dir, d.name)).mtimeMs,
    ),
  );

/** The bin runs the built CLI and the built dashboard and store: build what is missing or stale. */
export function ensureBuilt(): void {
  for (const [pkg, out] of [
    ['@stackfeed/store', join(root, 'packages', 'store', 'dist', 'index.js')],
    ['@stackfeed/fleet', join(root, 'packages', 'fleet', 'dist', 'index.js')],
    ['@stackfeed/dashboard', join(root, 'packages', 'dashboard', 'dist', 'index.js')],
    ['@stackfeed/cli', join(cli, 'dist', 'bin', 'bin.js')],
  ] as const) {
    const src = join(out, '..', '..', ...(pkg === '@stackfeed/cli' ? ['..'] : []), 'src');
    if (!existsSync(out) || statSync(out).mtimeMs < newest(src)) {
      execFileSync('pnpm', ['--filter', pkg, 'build'], {
        cwd: root,
        stdio: 'pipe',
        env: { ...process.env, STACKFEED_CLI_FAST_BUILD: '1' },
      });
    }
  }
}
