/**
 * The built `stackfeed` bin as a child process: shebang, exit codes, one-line errors, and a real
 * follow against an emulator through --endpoint-less env settings are covered in-process; here we
 * check what only a real process shows (argv handling, stdout/stderr split, exit status).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const pkg = join(import.meta.dirname, '..');
const bin = join(pkg, 'dist', 'bin.js');

/** Newest mtime under a folder. */
const newest = (dir: string): number =>
  Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((d) =>
      d.isDirectory() ? newest(join(dir, d.name)) : statSync(join(dir, d.name)).mtimeMs,
    ),
  );

beforeAll(() => {
  // `pnpm test` builds first; a lone `vitest --project cli` builds here when dist is missing or stale.
  if (!existsSync(bin) || statSync(bin).mtimeMs < newest(join(pkg, 'src'))) {
    execFileSync('pnpm', ['--filter', '@stackfeed/cli', 'build'], { cwd: pkg, stdio: 'pipe' });
  }
}, 120_000);

const runBin = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr });
      },
    );
  });

describe('the built bin', () => {
  it('has a shebang and prints help, exit 0', async () => {
    const r = await runBin(['events', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: stackfeed events');
    expect(r.out).toContain('$ stackfeed events heat web --follow');
  });

  it('bad usage: one line on stderr, nothing on stdout, exit 2', async () => {
    const r = await runBin(['events', 'nowhere', 'x']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^stackfeed: unknown provider "nowhere"/);
  });

  it('an unknown option: exit 2', async () => {
    const r = await runBin(['watch', 'heat:web', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown option '--frobnicate'/);
  });
});
