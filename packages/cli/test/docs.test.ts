/**
 * docs/cli.md against the program itself (the command registry, not a hand list): every command
 * has its `### stackfeed <command>` section and every section names a command (doc-commands); every
 * option a command takes is in its section or in "Common options", and every option the page names
 * is one the CLI has (doc-options).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { BufferWriter } from '../src/io.js';
import { createProgram } from '../src/program.js';

const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'cli.md'), 'utf8');

const program = createProgram({
  io: { stdout: new BufferWriter(), stderr: new BufferWriter(), env: {} },
  ctx: () => Promise.reject(new Error('no command runs in this test')),
  exit: () => {},
});
const commands = new Map(program.commands.map((c) => [c.name(), c]));

/** The `###` sections of the page: heading → body (up to the next heading of any level). */
function sections(): Map<string, string> {
  const out = new Map<string, string>();
  const parts = doc.split(/^(#{1,6} .*)$/m);
  for (let i = 1; i < parts.length; i += 2) out.set(parts[i] as string, parts[i + 1] ?? '');
  return out;
}
/** The command a heading documents: "### `stackfeed events <provider> <target>`" → events. */
const commandOf = (heading: string) => /^### `stackfeed ([a-z][a-z-]*)/.exec(heading)?.[1];

/** The option names a command accepts, long and short: `--follow`, `-f`, `--no-color`, ... */
const optionNames = (cmd: Command) =>
  cmd.options.flatMap((o) => [o.long, o.short].filter((n): n is string => n !== undefined));

/** `--since`, `-o` as written in the text: in backquotes or in a command line. */
const namedOptions = (text: string) =>
  [...text.matchAll(/(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])/g)].map((m) => m[1] as string);

const commandSections = [...sections()].filter(([h]) => commandOf(h) !== undefined);
const common = [...sections()].find(([h]) => h === '### Common options')?.[1];

describe('doc-commands', () => {
  it('the registry has the commands this test reads (else it proves nothing)', () => {
    expect(commands.size).toBeGreaterThanOrEqual(13);
    expect([...commands.keys()]).toContain('events');
  });

  it('every command the CLI registers has a `### stackfeed <command>` section', () => {
    const documented = commandSections.map(([h]) => commandOf(h));
    const missing = [...commands.keys()].filter((name) => !documented.includes(name));
    expect(missing, 'commands without a section in docs/cli.md').toEqual([]);
  });

  it('every `### stackfeed …` section names a real command, once', () => {
    const named = commandSections.map(([h]) => commandOf(h) as string);
    expect(
      named.filter((n) => !commands.has(n)),
      'sections for no command',
    ).toEqual([]);
    expect(
      named.filter((n, i) => named.indexOf(n) !== i),
      'commands with two sections',
    ).toEqual([]);
  });
});

describe('doc-options', () => {
  it('has a "Common options" section with every global option', () => {
    expect(common, 'docs/cli.md has no "### Common options"').toBeDefined();
    const missing = optionNames(program).filter((o) => !namedOptions(common as string).includes(o));
    expect(missing, 'global options not in "Common options"').toEqual([]);
  });

  for (const [name, cmd] of commands) {
    it(`every option of \`${name}\` is in its section (or a common one)`, () => {
      const body = commandSections.find(([h]) => commandOf(h) === name)?.[1] ?? '';
      const named = new Set(namedOptions(body));
      // The long name is what a reader searches for; the short one is optional in the text.
      const missing = cmd.options.map((o) => o.long ?? o.short ?? o.flags).filter((o) => !named.has(o));
      expect(missing, `options of ${name} not in its section of docs/cli.md`).toEqual([]);
    });
  }

  it("every option a command section's table lists is one that command or the program has", () => {
    const wrong: string[] = [];
    for (const [heading, body] of commandSections) {
      const cmd = commands.get(commandOf(heading) as string);
      if (!cmd) continue;
      const known = new Set([...optionNames(cmd), ...optionNames(program), '--help', '-h']);
      const rows = body.split('\n').filter((l) => /^\| `-/.test(l));
      for (const row of rows) {
        const first = row.split('|')[1] ?? '';
        for (const o of namedOptions(first)) if (!known.has(o)) wrong.push(`${cmd.name()}: ${o}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every --option the page names exists (on the program or on some command)', () => {
    const all = new Set([...optionNames(program), ...[...commands.values()].flatMap(optionNames), '--help']);
    // Words of other tools the page quotes (pnpm, tsx, jq, node), not options of stackfeed.
    const others = new Set(['--conditions', '--filter']);
    const unknown = [...new Set(namedOptions(doc).filter((o) => o.startsWith('--')))].filter(
      (o) => !all.has(o) && !others.has(o),
    );
    expect(unknown, 'options docs/cli.md names that the CLI does not have').toEqual([]);
  });
});
