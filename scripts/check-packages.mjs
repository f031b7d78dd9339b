#!/usr/bin/env node
// Packaging checks for every published package: publint (package.json/exports correctness) and
// are-the-types-wrong (types resolve for every consumer; ESM-only profile, since got is ESM-only
// and CommonJS consumers load us through Node >= 20.19's require(esm)).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
let failed = 0;
for (const dir of readdirSync(join(root, 'packages'))) {
  const pkgDir = join(root, 'packages', dir);
  const pkgFile = join(pkgDir, 'package.json');
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  if (pkg.private) continue;
  if (!existsSync(join(pkgDir, 'dist'))) {
    console.error(`✗ ${pkg.name}: no dist/ (run pnpm build first)`);
    failed++;
    continue;
  }
  for (const [label, cmd, args] of [
    ['publint', bin('publint'), ['--strict', pkgDir]],
    ['attw', bin('attw'), ['--pack', pkgDir, '--profile', 'esm-only', '--format', 'table-flipped']],
  ]) {
    try {
      execFileSync(cmd, args, { stdio: 'pipe', cwd: pkgDir });
      console.log(`✓ ${pkg.name}: ${label}`);
    } catch (err) {
      failed++;
      console.error(`✗ ${pkg.name}: ${label}\n${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}`);
    }
  }
}
if (failed) {
  console.error(`${failed} packaging check(s) failed`);
  process.exit(1);
}
