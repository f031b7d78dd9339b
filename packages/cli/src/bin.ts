#!/usr/bin/env node
import { run } from './run.js';

const ac = new AbortController();
let interrupts = 0;
const onSignal = () => {
  // First Ctrl-C: stop cleanly (close streams, emulators). Second: leave now.
  if (++interrupts > 1) process.exit(130);
  ac.abort();
};
process.on('SIGINT', onSignal);
// `stackfeed events ... | head`: a closed pipe ends the command quietly, as in any Unix tool.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
process.on('SIGTERM', onSignal);

const code = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: ac.signal,
  cwd: process.cwd(),
});
process.exitCode = code;
