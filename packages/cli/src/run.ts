import { CommanderError } from 'commander';
import type { Ctx, GlobalOptions } from './context.js';
import { localZone, setDisplayZone } from './format/zone.js';
import type { CliIO } from './io.js';
import { createProgram } from './program.js';
import { providerEntries } from './providers/registry.js';
import type { ProviderPlugin } from './providers/types.js';
import { EXIT } from './usage.js';

// Cold start: this file and the ones above load no provider, no @stackfeed/core (zod, got) and no
// table code. Each command's implementation is imported when that command runs, each provider when
// it is named (providers/registry.ts): `--help` parses argv with commander and nothing else.

/** Options of `run()` beyond the command line. */
export interface RunOptions {
  /** Providers to add or to use in place of the built-in ones (tests, tools embedding the CLI). */
  providers?: readonly ProviderPlugin[];
}

/**
 * Runs the `stackfeed` command line with `argv` (the arguments after the program name) and
 * returns the exit code. Never throws and never calls `process.exit`: errors are printed as one
 * line on `io.stderr` (with the stack under `--debug`).
 */
export async function run(argv: readonly string[], io: CliIO, options: RunOptions = {}): Promise<number> {
  const entries = providerEntries(options.providers);
  let code: number = EXIT.OK;
  let ctx: Ctx | undefined;
  setDisplayZone(undefined);
  const program = createProgram(
    {
      io,
      exit: (c) => {
        code = c;
      },
      async ctx(cmd) {
        const globals = cmd.optsWithGlobals<GlobalOptions>();
        const { Ctx } = await import('./context.js');
        ctx = new Ctx(io, entries, globals);
        // --local-time: tables in the TZ zone (else the system's); JSON and NDJSON stay UTC.
        if (globals.localTime) setDisplayZone(localZone(io.env ?? process.env));
        return ctx;
      },
    },
    argv[0],
  );
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT.USAGE;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    return failed(err, argv, io, ctx);
  }
}

/** The exit code of a run that threw, after printing the error as one line (and its detail under --debug). */
async function failed(err: unknown, argv: readonly string[], io: CliIO, ctx: Ctx | undefined): Promise<number> {
  if (err instanceof CommanderError) {
    const shown = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0;
    return shown ? EXIT.OK : EXIT.USAGE;
  }
  // Errors are rare: their formatting (and @stackfeed/core's StackfeedError) loads only for one.
  const [{ StackfeedError }, { debugDetail, formatError, UsageError }] = await Promise.all([
    import('@stackfeed/core'),
    import('./errors.js'),
  ]);
  // Ctrl-C / SIGTERM: the abort surfaces as whatever the command was waiting on when it came.
  if (io.signal?.aborted && (!StackfeedError.is(err) || err.code === 'ABORTED')) {
    io.stderr.write('stackfeed: interrupted\n');
    return EXIT.INTERRUPTED;
  }
  io.stderr.write(`${formatError(err, ctx?.credentialHint, ctx?.connectFailed)}\n`);
  if (ctx?.debug ?? argv.includes('--debug')) io.stderr.write(`${debugDetail(err)}\n`);
  return err instanceof UsageError ? EXIT.USAGE : EXIT.CALL_FAILED;
}
