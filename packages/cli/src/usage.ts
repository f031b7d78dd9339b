// No dependencies: run() needs these before any command (or @stackfeed/core) is loaded.

/** Exit codes of the `stackfeed` command (documented in docs/cli.md). */
export const EXIT = {
  /** Everything worked; a followed deployment succeeded. */
  OK: 0,
  /** A call to the provider failed (network, auth, not found, bad response, ...). */
  CALL_FAILED: 1,
  /** Bad usage: unknown command/option, bad value, missing argument, unknown provider. */
  USAGE: 2,
  /** A followed deployment or build ended FAILED or CANCELLED. */
  DEPLOYMENT_FAILED: 3,
  /** A listing over several regions or clouds printed what it could; some of them failed (said on stderr). */
  PARTIAL_FAILURE: 4,
  /** Interrupted (Ctrl-C). */
  INTERRUPTED: 130,
} as const;

/** Bad usage: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The command whose `--help` to point at. */
    readonly command?: string,
  ) {
    super(message);
  }
}
