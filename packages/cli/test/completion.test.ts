/**
 * `stackfeed completion bash|zsh|fish`, from the built bin: the bash script is sourced into a real
 * bash and asked what it completes, as the shell would on TAB.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, ensureBuiltBin } from './built-bin.js';

const dir = mkdtempSync(join(tmpdir(), 'stackfeed-completion-'));

ensureBuiltBin();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const runBin = (args: string[]) =>
  new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '' } }, (error, out, err) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out, err }),
    );
  });

let script = '';
/** What bash completes for the command line `line` (TAB at its end; a trailing space starts a new word). */
function complete(line: string): string[] {
  const words = line.split(/\s+/).filter((w, i, all) => w !== '' || i === all.length - 1);
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const driver = `source ${join(dir, 'stackfeed.bash')}
COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; COMP_LINE=${JSON.stringify(line)}; COMP_POINT=\${#COMP_LINE}
_stackfeed stackfeed "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['--norc', '--noprofile', '-c', driver], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .sort();
}

describe('stackfeed completion', () => {
  beforeAll(async () => {
    const r = await runBin(['completion', 'bash']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    script = r.out;
    writeFileSync(join(dir, 'stackfeed.bash'), script);
  });

  it('bash: the script registers itself and sources cleanly', () => {
    const out = execFileSync(
      'bash',
      ['--norc', '--noprofile', '-c', `source ${join(dir, 'stackfeed.bash')} && complete -p stackfeed`],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe('complete -F _stackfeed stackfeed');
  });

  it('bash: commands, providers per command, options per command, option values', () => {
    expect(complete('stackfeed ')).toEqual(
      [
        'archive',
        'completion',
        'dashboard',
        'demo',
        'deployments',
        'emulator',
        'events',
        'executions',
        'fleet',
        'history',
        'image',
        'images',
        'stacks',
        'watch',
        'worker',
      ].sort(),
    );
    expect(complete('stackfeed ev')).toEqual(['events']);
    expect(complete('stackfeed events ')).toEqual(['heat', 'imagebuilder', 'pcluster', 'rfs']);
    expect(complete('stackfeed stacks ')).toEqual(['heat', 'rfs']);
    expect(complete('stackfeed deployments ')).toEqual(['heat', 'imagebuilder', 'pcluster', 'rfs']);
    expect(complete('stackfeed images p')).toEqual(['pcluster']);
    expect(complete('stackfeed completion ')).toEqual(['bash', 'fish', 'zsh']);
    expect(complete('stackfeed watch heat:web ')).toEqual(['heat:', 'imagebuilder:', 'pcluster:', 'rfs:']);
    const events = complete('stackfeed events heat web --');
    expect(events).toContain('--follow');
    expect(events).toContain('--page-size');
    expect(events).toContain('--region'); // global options too
    expect(complete('stackfeed images --')).not.toContain('--follow');
    expect(complete('stackfeed events heat web -o ')).toEqual(['json', 'ndjson', 'table']);
    expect(complete('stackfeed demo --output ')).toEqual(['ndjson', 'table']);
    // A global option's value before the command is skipped: the command is still found.
    expect(complete('stackfeed --region eu-west-1 events ')).toEqual(['heat', 'imagebuilder', 'pcluster', 'rfs']);
    // A value with no fixed set (a region, a URL) completes to nothing rather than to commands.
    expect(complete('stackfeed --region ')).toEqual([]);
  });

  it('zsh and fish: a script naming every command and option', async () => {
    const zsh = await runBin(['completion', 'zsh']);
    expect(zsh.code, zsh.err).toBe(0);
    expect(zsh.out).toMatch(/^#compdef stackfeed\n/);
    expect(zsh.out).toContain('bashcompinit');
    expect(zsh.out).toContain('complete -F _stackfeed stackfeed');
    const fish = await runBin(['completion', 'fish']);
    expect(fish.code, fish.err).toBe(0);
    for (const cmd of ['events', 'watch', 'images', 'completion']) {
      expect(fish.out).toContain(`-n __fish_use_subcommand -a ${cmd} `);
    }
    expect(fish.out).toContain("-n '__fish_seen_subcommand_from events' -s f -l follow");
    expect(fish.out).toContain("-l output -x -a 'table json ndjson'");
    // every line is a fish `complete` command or a comment
    for (const line of fish.out.trim().split('\n')) expect(line).toMatch(/^(#|complete -c stackfeed )/);
  });

  it('an unknown shell is a usage error: one line, exit 2, nothing on stdout', async () => {
    const r = await runBin(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^stackfeed: no completion for shell "tcsh"; one of: bash, zsh, fish/);
  });
});
