#!/usr/bin/env node
// The `stackfeed` command: a small CommonJS launcher (bin/package.json), committed (present before
// the first build, so that installing the workspace can link it). It answers `--version` from
// package.json and `--help` from the help text generated at build time, without loading the CLI or
// Node's ES module loader; for anything else it turns on Node's compile cache
// where Node has it (>= 22.1), then loads the built CLI (one bundle, dist/bin).
'use strict';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`);
} else if (!(args.length <= 2 && answerHelp(args))) {
  // Compiled code is cached on disk (the OS temp dir; NODE_COMPILE_CACHE moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it off).
  require('node:module').enableCompileCache?.();
  import('../dist/bin/bin.js').catch((err) => {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    process.stderr.write('stackfeed: the CLI is not built (packages/cli/dist/bin); run pnpm build\n');
    process.exitCode = 1;
  });
}

/**
 * `--help`, `<command> --help` and the like, answered from the text commander printed at build time
 * (dist/bin/help.json, src/help-table.ts) when the terminal's width is one it was printed for.
 * False: the CLI answers.
 */
function answerHelp(argv) {
  let table;
  try {
    table = require('../dist/bin/help.json');
  } catch {
    return false;
  }
  const answer = Object.hasOwn(table.answers, argv.join(' ')) ? table.answers[argv.join(' ')] : undefined;
  if (!answer) return false;
  const stream = answer.stream === 'stderr' ? process.stderr : process.stdout;
  const width = stream.isTTY ? stream.columns : undefined;
  const text =
    width === undefined || width === 80
      ? table.texts[answer.narrow]
      : width >= answer.wideFrom
        ? table.texts[answer.wide]
        : undefined;
  if (text === undefined) return false;
  stream.write(text);
  process.exitCode = answer.code;
  return true;
}
