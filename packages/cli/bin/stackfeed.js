#!/usr/bin/env node
// The `stackfeed` command: a small launcher, committed (present before the first build, so that
// installing the workspace can link it). It answers `--version` from package.json without loading
// the CLI, turns on Node's compile cache where Node has it (>= 22.1), then loads the built CLI.
import { readFileSync } from 'node:fs';
import module from 'node:module';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  // Compiled code is cached on disk (the OS temp dir; NODE_COMPILE_CACHE moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it off).
  module.enableCompileCache?.();
  await import('../dist/bin/bin.js');
}
