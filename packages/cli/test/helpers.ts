import { BufferWriter, type ProviderPlugin, run } from '../src/index.js';

export interface RunResult {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in-process with buffers for stdout/stderr. */
export async function cli(
  argv: string[],
  opts: {
    providers?: ProviderPlugin[];
    env?: Record<string, string | undefined>;
    tty?: boolean;
    signal?: AbortSignal;
  } = {},
): Promise<RunResult> {
  const stdout = new BufferWriter(opts.tty ?? false, 100);
  const stderr = new BufferWriter(opts.tty ?? false, 100);
  const code = await run(
    argv,
    { stdout, stderr, env: opts.env ?? {}, ...(opts.signal ? { signal: opts.signal } : {}) },
    { providers: opts.providers ?? [] },
  );
  return { code, out: stdout.text, err: stderr.text };
}

/** The NDJSON records of an output. */
export const records = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes
export const ANSI = /\x1b\[/;
