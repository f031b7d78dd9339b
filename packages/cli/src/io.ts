/** Where the CLI writes. `run()` takes one, so the CLI runs in-process in tests and in other tools. */
export interface CliWriter {
  write(chunk: string): unknown;
  /** A terminal: enables colors (unless NO_COLOR) and, on stderr, the live status line. */
  isTTY?: boolean | undefined;
  /** Terminal width, when known. */
  columns?: number | undefined;
}

/** The CLI's outside world: output streams, environment, cancellation and the clock. */
export interface CliIO {
  stdout: CliWriter;
  stderr: CliWriter;
  /** Environment variables (credentials, NO_COLOR, FORCE_COLOR, ...). Defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Aborting it stops a follow/watch/demo cleanly (the bin wires it to SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Current directory, for relative paths (clouds.yaml, ...). Defaults to `process.cwd()`. */
  cwd?: string;
}

/** A writer that keeps everything it is given (tests, embedding). */
export class BufferWriter implements CliWriter {
  readonly chunks: string[] = [];
  constructor(
    public isTTY = false,
    public columns: number | undefined = undefined,
  ) {}
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  /** All output so far. */
  get text(): string {
    return this.chunks.join('');
  }
}
