/**
 * The launcher answers `--help` from dist/bin/help.json (written at build time by
 * scripts/help-text.mjs from commander's own output): the file must equal what the sources print,
 * and the launcher must print exactly what run() prints, at every terminal width it answers for
 * and at the widths it leaves to the CLI.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HelpTable, helpAt, helpTable } from '../src/help-table.js';
import { run } from '../src/run.js';
import { VERSION } from '../src/version.js';
import { bin, ensureBuiltBin, pkg } from './built-bin.js';

ensureBuiltBin();
const fakeTty = join(import.meta.dirname, 'fixtures', 'fake-tty.cjs');
const loadLog = join(import.meta.dirname, 'fixtures', 'load-log.mjs');
const dir = mkdtempSync(join(tmpdir(), 'stackfeed-help-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let built: HelpTable;
beforeAll(() => {
  built = JSON.parse(readFileSync(join(pkg, 'dist', 'bin', 'help.json'), 'utf8')) as HelpTable;
});

let logs = 0;
/** The built launcher with stdout/stderr a terminal `columns` wide (undefined: pipes). */
function launch(args: string[], columns?: number) {
  const log = join(dir, `load-${++logs}.log`);
  return new Promise<{ code: number; stdout: string; stderr: string; loaded: string[] }>((resolve) => {
    execFile(
      process.execPath,
      ['-r', fakeTty, '--import', loadLog, bin, ...args],
      {
        env: { PATH: process.env.PATH ?? '', LOAD_LOG: log, ...(columns ? { FAKE_TTY_COLUMNS: String(columns) } : {}) },
      },
      (error, stdout, stderr) => {
        const loaded = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr, loaded });
      },
    );
  });
}

const CLI_DIST = /\/packages\/cli\/dist\/bin\/bin\.js/;

describe('help generated at build time', () => {
  it('dist/bin/help.json is what the sources print (a change to the commands shows up here until rebuilt)', async () => {
    const fromSources = await helpTable(run, VERSION);
    expect(built).toEqual(fromSources);
    // every command of the program, three ways, the program itself and no argument at all
    expect(Object.keys(built.answers)).toEqual(
      expect.arrayContaining(['', '--help', '-h', 'help', 'events --help', 'help watch', 'completion -h']),
    );
    expect(built.answers['']?.stream).toBe('stderr');
    expect(built.answers['']?.code).toBe(2);
    expect(built.answers['--help']?.code).toBe(0);
  }, 120_000);

  it.each([
    [['--help'], undefined],
    [['events', '--help'], undefined],
    [['help', 'watch'], 80],
    [[], undefined],
  ])('%j with stdout not a terminal or 80 wide: the launcher answers alone, as run() does', async (args, columns) => {
    const r = await launch(args, columns);
    const expected = await helpAt(run, args, columns);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual(expected);
    expect(r.stdout + r.stderr).toContain('Usage: stackfeed');
    expect(r.loaded.filter((p) => CLI_DIST.test(p) || /commander@/.test(p))).toEqual([]);
  });

  it('at other widths: the unwrapped text from wideFrom on, the CLI itself below it; both as run() prints', async () => {
    for (const args of [['--help'], ['events', '-h']]) {
      const answer = built.answers[args.join(' ')];
      if (!answer) throw new Error(`no answer for ${args.join(' ')}`);
      expect(answer.wideFrom).toBeGreaterThan(80); // some description wraps at 80: both paths are taken
      for (const columns of [answer.wideFrom - 1, answer.wideFrom, answer.wideFrom + 100]) {
        const r = await launch(args, columns);
        expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }, `${args} at ${columns}`).toEqual(
          await helpAt(run, args, columns),
        );
        const cliLoaded = r.loaded.some((p) => CLI_DIST.test(p));
        expect(cliLoaded, `${args} at ${columns}`).toBe(columns < answer.wideFrom);
      }
    }
  });

  it('what the table lacks goes to the CLI: an unknown command, --help with another option, a typo', async () => {
    for (const args of [['nosuch', '--help'], ['--debug', '--help'], ['--hlep']]) {
      const r = await launch(args);
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }, args.join(' ')).toEqual(
        await helpAt(run, args, undefined),
      );
      expect(
        r.loaded.some((p) => CLI_DIST.test(p)),
        args.join(' '),
      ).toBe(true);
    }
  });
});
