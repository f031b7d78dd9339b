/**
 * The help the launcher (bin/stackfeed.js) prints without loading the CLI: what `run()` answers to
 * `--help`, `-h`, `help`, `<command> --help`, `<command> -h`, `help <command>` and to no argument at
 * all, computed at build time (scripts/help-text.mjs writes dist/bin/help.json) by running commander
 * itself, so the text is commander's. A test runs the same function on the sources and compares it
 * with the built file, and the launcher's answers with run()'s at several terminal widths.
 *
 * Commander wraps descriptions to the width of a terminal (80 when stdout is not one), so each
 * answer is kept twice: as printed at width 80, and unwrapped, with the narrowest width from which
 * commander prints it unwrapped. At any other width the launcher leaves the answer to commander.
 */
import type { CliIO } from './io.js';

/** One argv's answer. `narrow`/`wide` index `texts`; stdout and stderr are kept apart. */
export interface HelpAnswer {
  /** Which stream the text goes to. */
  stream: 'stdout' | 'stderr';
  /** The exit code run() returns. */
  code: number;
  /** The text at width 80 (also what a pipe or file gets). */
  narrow: number;
  /** The text unwrapped, printed from terminal width `wideFrom` on. */
  wide: number;
  wideFrom: number;
}

/** dist/bin/help.json. */
export interface HelpTable {
  /** The CLI version the table was made from. */
  version: string;
  /** Keyed by the arguments joined with one space. */
  answers: Record<string, HelpAnswer>;
  texts: string[];
}

type Run = (argv: readonly string[], io: CliIO) => Promise<number>;

/** A terminal wider than any help line: commander wraps nothing. */
const WIDEST = 10_000;

/**
 * What `run(argv)` prints to stdout and stderr, with stdout a terminal of `columns` (or not a
 * terminal when undefined): commander reads the width from `process.stdout` itself.
 */
export async function helpAt(run: Run, argv: readonly string[], columns: number | undefined) {
  const out: string[] = [];
  const err: string[] = [];
  // Both streams look like a terminal of `columns` (or not one); their own descriptors come back after.
  const streams = [process.stdout, process.stderr];
  const saved = streams.map((s) => ({
    isTTY: Object.getOwnPropertyDescriptor(s, 'isTTY'),
    columns: Object.getOwnPropertyDescriptor(s, 'columns'),
  }));
  for (const s of streams) {
    Object.defineProperty(s, 'isTTY', { value: columns !== undefined, configurable: true, writable: true });
    Object.defineProperty(s, 'columns', { value: columns, configurable: true, writable: true });
  }
  try {
    const code = await run(argv, {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      env: {},
    });
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    streams.forEach((s, i) => {
      for (const key of ['isTTY', 'columns'] as const) {
        const desc = saved[i]?.[key];
        if (desc) Object.defineProperty(s, key, desc);
        else delete (s as unknown as Record<string, unknown>)[key];
      }
    });
  }
}

/** The argument lists the launcher answers: help of the program and of each of its commands. */
export async function helpArgvs(run: Run): Promise<string[][]> {
  const top = await helpAt(run, ['--help'], undefined);
  const section = top.stdout.split(/\nCommands:\n/)[1] ?? '';
  // "  events [options] <provider> <target>  List the ..." until the first line not indented by two.
  const commands: string[] = [];
  for (const line of section.split('\n')) {
    const m = /^ {2}([a-z][a-z-]*)\b/.exec(line);
    if (!m) {
      if (/^\S/.test(line) || line === '') break;
      continue;
    }
    if (m[1] !== 'help') commands.push(m[1] as string);
  }
  if (commands.length === 0) throw new Error('no command found in the help of stackfeed');
  return [
    [],
    ['--help'],
    ['-h'],
    ['help'],
    ...commands.flatMap((c) => [
      [c, '--help'],
      [c, '-h'],
      ['help', c],
    ]),
  ];
}

/** The table of every answer, as run() gives it. */
export async function helpTable(run: Run, version: string): Promise<HelpTable> {
  const texts: string[] = [];
  const textIndex = (t: string) => {
    const i = texts.indexOf(t);
    return i >= 0 ? i : texts.push(t) - 1;
  };
  const answers: Record<string, HelpAnswer> = {};
  // `events --help`, `events -h` and `help events` print one text: the widths are scanned once per text.
  const scanned = new Map<string, number>();
  for (const argv of await helpArgvs(run)) {
    const narrow = await helpAt(run, argv, undefined);
    const at80 = await helpAt(run, argv, 80);
    const wide = await helpAt(run, argv, WIDEST);
    const streamOf = (r: typeof narrow) =>
      r.stdout && !r.stderr ? 'stdout' : !r.stdout && r.stderr ? 'stderr' : undefined;
    const stream = streamOf(narrow);
    if (!stream || streamOf(wide) !== stream || at80[stream] !== narrow[stream] || wide.code !== narrow.code) {
      throw new Error(`stackfeed ${argv.join(' ')}: help is not one text on one stream`);
    }
    const key = `${narrow[stream]}\0${wide[stream]}`;
    let wideFrom = scanned.get(key);
    if (wideFrom === undefined) {
      // At a width no shorter than the longest unwrapped line nothing wraps. Below it commander may
      // wrap or not (it stops wrapping where a column gets narrower than 40), so every width from
      // there down to 80 is tried: wideFrom is where the unwrapped text starts without a gap.
      wideFrom = Math.max(80, ...wide[stream].split('\n').map((l) => l.length));
      while (wideFrom > 80 && (await helpAt(run, argv, wideFrom - 1))[stream] === wide[stream]) wideFrom--;
      scanned.set(key, wideFrom);
    }
    answers[argv.join(' ')] = {
      stream,
      code: narrow.code,
      narrow: textIndex(narrow[stream]),
      wide: textIndex(wide[stream]),
      wideFrom,
    };
  }
  return { version, answers, texts };
}
