#!/usr/bin/env node
import { run } from './run.js';

// Node 20 is supported by stackfeed; the AWS SDK's 8-line NodeVersionSupportWarning (printed on the
// first AWS client) would break "an error is one line on stderr". The user's own setting wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ac = new AbortController();
let interrupts = 0;
/** The conventional exit status of a process ended by a signal: 128 + its number. */
let signalExit = 130;
const onSignal = (signal: NodeJS.Signals) => {
  signalExit = signal === 'SIGTERM' ? 143 : 130;
  // First Ctrl-C: stop cleanly (close streams, emulators, print what was collected). Second: leave now.
  if (++interrupts > 1) process.exit(signalExit);
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
// run() reports an interruption as 130; a SIGTERM is 143, as shells and supervisors expect.
process.exitCode = code === 130 ? signalExit : code;
// Done: leave once the output is out, not when the event loop happens to empty. Nothing idle
// (a kept-alive connection, a timer some dependency left) holds the command, and Node does not
// wait for V8's background work or tear the heap down at leisure (~5 ms of a one-page listing).
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit();

/** Resolves once what was written to `stream` has been handed to the OS (pipes are asynchronous on macOS and Windows). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableLength === 0 || stream.destroyed) resolve();
    else stream.write('', () => resolve());
  });
}
