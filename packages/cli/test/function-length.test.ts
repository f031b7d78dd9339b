/**
 * No function, method or arrow function in packages/cli/src is longer than 80 lines (a command's
 * registration, its implementation and the formatting each stay readable in one screen), measured
 * by scripts/longest-functions.mjs (the TypeScript compiler API).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const script = join(root, 'scripts', 'longest-functions.mjs');

const longest = (max: number, dir: string) =>
  spawnSync(process.execPath, [script, '--max', String(max), '--json', dir], { cwd: root, encoding: 'utf8' });

describe('function length', () => {
  it('the script finds long functions where there are some (else the check below proves nothing)', () => {
    const r = longest(20, 'packages/cli/src');
    expect(r.status, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).length).toBeGreaterThan(0);
  });

  it('no function in packages/cli/src is over 80 lines', () => {
    const r = longest(80, 'packages/cli/src');
    expect(JSON.parse(r.stdout), r.stderr).toEqual([]);
    expect(r.status).toBe(0);
  });
});
