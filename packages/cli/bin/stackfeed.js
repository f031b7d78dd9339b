#!/usr/bin/env node
// The `stackfeed` command: a small CommonJS launcher (bin/package.json), committed (present before
// the first build, so that installing the workspace can link it). It answers `--version` from
// package.json without loading the CLI or Node's ES module loader, turns on Node's compile cache
// where Node has it (>= 22.1), then loads the built CLI (one bundle, dist/bin).
'use strict';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  // Compiled code is cached on disk (the OS temp dir; NODE_COMPILE_CACHE moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it off).
  require('node:module').enableCompileCache?.();
  import('../dist/bin/bin.js').catch((err) => {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    process.stderr.write('stackfeed: the CLI is not built (packages/cli/dist/bin); run pnpm build\n');
    process.exitCode = 1;
  });
}
