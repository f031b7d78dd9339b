import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as userEntry from '../src/index.js';
import * as schemasEntry from '../src/schemas.js';
import { VERSION } from './entry.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const dist = join(pkgDir, 'dist', 'index.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

beforeAll(() => {
  // Use the built package when it is at least as new as the sources (CI builds before testing);
  // otherwise build it, so this test never runs against a stale dist.
  const fresh = existsSync(dist) && statSync(dist).mtimeMs >= newestMtime(join(pkgDir, 'src'));
  if (!fresh) execFileSync('pnpm', ['--filter', '@stackfeed/core', 'build'], { cwd: pkgDir, stdio: 'ignore' });
}, 180_000);

describe('CommonJS consumer', () => {
  it("require('@stackfeed/core') works from a .cjs file and the API behaves", () => {
    const out = execFileSync(process.execPath, [join(pkgDir, 'test', 'fixtures', 'cjs-consumer.cjs')], {
      cwd: join(pkgDir, 'test', 'fixtures'),
      encoding: 'utf8',
      // no @stackfeed/source condition: the child must load dist/, as a user would
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const r = JSON.parse(out) as Record<string, unknown>;
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
    expect(r).toMatchObject({
      items: [0, 1, 10, 11, 20, 21],
      pages: ['token', 'token', 'last'],
      code: 'BAD_REQUEST',
      isError: true,
      is: true,
      VERSION,
      version: pkg.version,
    });
    // require(esm) hands over each entry's whole namespace: the same names as an ESM import.
    expect(r.exports).toEqual(Object.keys(userEntry).sort());
    expect(r.schemas).toEqual(Object.keys(schemasEntry).sort());
    expect((r.schemas as string[]).length).toBe(10);
    expect(r.schemaRejects).toBe(true); // {} is not a StackEvent
  });

  it('the child really loaded the built file, not the TypeScript sources', () => {
    const out = execFileSync(process.execPath, ['-e', "process.stdout.write(require.resolve('@stackfeed/core'))"], {
      cwd: join(pkgDir, 'test', 'fixtures'),
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(out).toBe(dist);
  });
});
