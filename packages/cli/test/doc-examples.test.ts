/**
 * Every `stackfeed …` example, as printed by `--help` (the program's and each command's) and as
 * docs/cli.md shows it in its code blocks, run in a shell against `stackfeed emulator` with the
 * variables its banner prints: an example a user copies must work on the emulators.
 *
 * What the test changes in a line, and only this: the default ports (4750…4789) move onto this
 * test's emulators; `lce-<id>` becomes the lifecycle execution id the banner prints; `<next>` the
 * token the paging example before it printed; `postgres://…` URLs a private PostgreSQL; a server
 * (`emulator`, `dashboard`) gets free ports, and Ctrl-C once it says where it listens. The expected
 * exit code is the documented one: 3 for a follow of the emulator's `shop-db` (its deployment is
 * scripted to fail, docs/cli.md's emulator table), 0 for everything else (a server stopped with
 * Ctrl-C included).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestProject } from 'vitest/node';
import startPostgres from '../../store/test/global-setup.js';
import { helpAt } from '../src/help-table.js';
import { type BufferWriter, run } from '../src/index.js';
import { freePortBase, startEmulatorCommand } from './emulator-process.js';
import { bin, ensureBuiltBin } from './built-bin.js';

const root = join(import.meta.dirname, '..', '..', '..');

ensureBuiltBin();

interface Example {
  /** Where it is shown: `stackfeed events --help`, `docs/cli.md:123`. */
  where: string;
  line: string;
}

/** The `$ …` lines of the help of the program and of every command it lists. */
async function helpExamples(): Promise<Example[]> {
  const top = (await helpAt(run, ['--help'], undefined)).stdout;
  const section = top.split(/\nCommands:\n/)[1] ?? '';
  const commands = [...section.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)]
    .map((m) => m[1] as string)
    .filter((c) => c !== 'help');
  const out: Example[] = [];
  for (const argv of [[], ...commands.map((c) => [c])]) {
    const text = (await helpAt(run, [...argv, '--help'], undefined)).stdout;
    for (const m of text.matchAll(/^ {2}\$ (.+)$/gm))
      out.push({ where: `stackfeed ${[...argv, '--help'].join(' ')}`, line: m[1] as string });
  }
  return out;
}

/** The command lines of docs/cli.md's code blocks (output lines such as `stackfeed: NOT_FOUND …` are not commands). */
function docExamples(): Example[] {
  const lines = readFileSync(join(root, 'docs', 'cli.md'), 'utf8').split('\n');
  const out: Example[] = [];
  let inBlock = false;
  for (const [i, raw] of lines.entries()) {
    if (/^```/.test(raw)) {
      inBlock = !inBlock;
      continue;
    }
    const line = raw.replace(/^\$ /, '');
    if (inBlock && /^(pnpm |eval |source |[A-Z_]+=\S+ )?stackfeed |^pnpm (demo|stackfeed)\b/.test(line))
      out.push({ where: `docs/cli.md:${i + 1}`, line });
  }
  return out;
}

/** The shells the completion examples are for: installed from Debian's packages when missing, as the store's PostgreSQL is. */
function ensureShells(): void {
  const missing = ['zsh', 'fish'].filter((s) => spawnSync('sh', ['-c', `command -v ${s}`]).status !== 0);
  if (missing.length === 0) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { env, stdio: 'ignore', timeout: 600_000 });
  spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
    env,
    stdio: 'ignore',
    timeout: 600_000,
  });
}

let base = 0;
let banner: BufferWriter;
let stopEmulator: () => Promise<number>;
let stopPostgres: () => void = () => {};
let postgresUrl: string | undefined;
let postgresError: string | undefined;
let home: string;
let shims: string;
let lastPageToken: string | undefined;

beforeAll(async () => {
  ensureShells();
  stopPostgres = await startPostgres({
    provide: (_key: string, value: { url?: string; error?: string }) => {
      postgresUrl = value.url;
      postgresError = value.error;
    },
  } as unknown as TestProject);
  ({ base, banner, stop: stopEmulator } = await startEmulatorCommand());
  // A user's machine: `stackfeed` on the PATH (the built launcher), a home of its own (the embedded store, the token key).
  home = mkdtempSync(join(tmpdir(), 'stackfeed-doc-examples-'));
  shims = join(home, 'bin');
  mkdirSync(shims);
  writeFileSync(join(shims, 'stackfeed'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
  chmodSync(join(shims, 'stackfeed'), 0o755);
  // The fleet examples' stackfeed.yaml: the emulator's Heat as the clouds.yaml cloud `lab`.
  const heatUrl = /^ {2}OS_ENDPOINT=(\S+)$/m.exec(banner.text)?.[1];
  if (!heatUrl) throw new Error('the emulator banner prints no OS_ENDPOINT');
  mkdirSync(join(home, '.config', 'openstack'), { recursive: true });
  writeFileSync(
    join(home, '.config', 'openstack', 'clouds.yaml'),
    // `prod` and `staging` too: the clouds of the `stacks heat --cloud prod,staging` example.
    ['lab', 'prod', 'staging'].reduce(
      (y, name) => `${y}  ${name}:\n    auth_type: none\n    auth:\n      endpoint: ${heatUrl}\n`,
      'clouds:\n',
    ),
  );
  writeFileSync(
    join(home, 'stackfeed.yaml'),
    'fleet:\n  pollIntervalMs: 200\nplaces:\n  - provider: openstack-heat\n    clouds: [lab]\n',
  );
}, 300_000);

afterAll(async () => {
  await stopEmulator?.();
  stopPostgres();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Every `KEY=value` line of the emulator's banner. */
const bannerEnv = () =>
  Object.fromEntries([...banner.text.matchAll(/^ {2}([A-Z][A-Z0-9_]*)=(\S+)$/gm)].map((m) => [m[1], m[2]]));

/** A line without its trailing `# comment`. */
const command = (line: string) => line.replace(/\s+#\s.*$/, '');

/** The line as it runs here (see the header: ports, ids, tokens, database); its comment is dropped. */
async function prepared(line: string): Promise<string> {
  let l = command(line).replace(/127\.0\.0\.1:47([5-8])(\d)/g, (_m, tens: string, one: string) => {
    return `127.0.0.1:${base + 10 * (Number(tens) - 5) + Number(one)}`;
  });
  const lce = /lifecycle execution: (lce-\S+)/.exec(banner.text)?.[1];
  if (!lce) throw new Error('the emulator banner prints no lifecycle execution id');
  l = l.replace(/lce-<id>/g, lce);
  if (l.includes('<next>')) {
    if (!lastPageToken) throw new Error(`${line}: no paging example printed a next token before it`);
    l = l.replace(/<next>/g, lastPageToken);
  }
  if (/postgres:\/\//.test(l)) {
    if (!postgresUrl) throw new Error(`no PostgreSQL for ${line}: ${postgresError}`);
    l = l.replace(/postgres:\/\/[^\s'"]+/g, postgresUrl);
  }
  l = l.replace(/STACKFEED_DASHBOARD_TOKEN=…/g, 'STACKFEED_DASHBOARD_TOKEN=doc-example-token');
  if (server(l) === 'emulator') {
    const ports = String(await freePortBase());
    l = /--port-base \d+/.test(l) ? l.replace(/--port-base \d+/, `--port-base ${ports}`) : `${l} --port-base ${ports}`;
  } else if (server(l) === 'dashboard') {
    l = /--port \d+/.test(l) ? l.replace(/--port \d+/, '--port 0') : `${l} --port 0`;
  }
  const leftover = /<[a-z-]+>|…/.exec(l);
  if (leftover) throw new Error(`${line}: a placeholder this test cannot fill: ${leftover[0]}`);
  return l;
}

/** `emulator` / `dashboard`: the commands that serve until Ctrl-C. */
const server = (line: string) => /\bstackfeed (emulator|dashboard)\b/.exec(command(line))?.[1];

/** `fleet` (not `fleet status`, not `--once`) and `worker`: they follow until Ctrl-C, then exit 130. */
const follower = (line: string) =>
  /\bstackfeed (fleet|worker)\b/.test(command(line)) && !/\bfleet status\b|--once\b/.test(command(line));

/** The documented exit code (see the header). */
function expectedCode(line: string): number {
  const c = command(line);
  const follows = /\bstackfeed (watch|archive)\b|\bstackfeed events\b.*(\s-f\b|--follow)/.test(c);
  if (follower(line)) return 130;
  return follows && /\brfs[: ]shop-db\b/.test(c) ? 3 : 0;
}

/** The shell a line is for: its comment names zsh or fish (`# in ~/.zshrc`), else bash. */
function shellFor(example: string, line: string): { cmd: string; args: string[] } {
  if (/zshrc|\bzsh\b.*compinit/.test(example))
    return { cmd: 'zsh', args: ['-c', `autoload -Uz compinit && compinit -u; ${line}`] };
  if (/fish\/config\.fish/.test(example)) return { cmd: 'fish', args: ['-c', line] };
  return { cmd: 'bash', args: ['-o', 'pipefail', '-c', line] };
}

/** Runs `line` (the example as prepared) in the shell the example is for. */
function runLine(
  example: string,
  line: string,
): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  const shell = shellFor(example, line);
  const fromClone = line.startsWith('pnpm ');
  const env: Record<string, string> = {
    ...bannerEnv(),
    PATH: `${shims}:${process.env.PATH ?? ''}`,
    // `pnpm …` runs from the clone with the user's own home (pnpm's and corepack's caches).
    HOME: fromClone ? (process.env.HOME ?? home) : home,
    COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
    NO_COLOR: '1',
  };
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(shell.cmd, shell.args, {
      cwd: fromClone ? root : home,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let stopping = false;
    const killAll = (signal: NodeJS.Signals) => {
      try {
        process.kill(-(child.pid as number), signal);
      } catch {
        // already gone
      }
    };
    const guard = setTimeout(() => killAll('SIGKILL'), 150_000);
    const ready = () => {
      // A server is up once it prints where it listens: then Ctrl-C, as its help says.
      if (!stopping && server(line) && /running on|stackfeed dashboard: http/.test(out)) {
        stopping = true;
        killAll('SIGINT');
      }
    };
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      ready();
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      // A fleet or worker is up once it says what it follows: then Ctrl-C.
      if (!stopping && follower(line) && /^stackfeed (fleet|worker): \d+ workers?, /m.test(err)) {
        stopping = true;
        killAll('SIGINT');
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, out, err });
    });
  });
}

const examples = [...(await helpExamples()), ...docExamples()];
/** One run per distinct command (the program's help and docs/cli.md repeat some, with other comments). */
const distinct = examples.filter((e, i) => examples.findIndex((x) => command(x.line) === command(e.line)) === i);

describe('help and docs/cli.md examples, run against `stackfeed emulator`', () => {
  it('finds the examples of every help text and of docs/cli.md (else the runs below prove little)', () => {
    expect(new Set(examples.map((e) => e.where.split(':')[0])).size).toBeGreaterThanOrEqual(14);
    expect(examples.filter((e) => e.where.startsWith('docs/')).length).toBeGreaterThan(15);
  });

  for (const { where, line } of distinct) {
    it(`${where}: ${line}`, async () => {
      const r = await runLine(line, await prepared(line));
      const detail = `${line}\n--- stdout\n${r.out.slice(-2000)}\n--- stderr\n${r.err.slice(-2000)}`;
      expect(r.code, detail).toBe(expectedCode(line));
      // A run that works says nothing went wrong (a retry notice aside: loopback under load).
      if (r.code === 0)
        expect(
          r.err.split('\n').filter((l) => /^stackfeed: (?!retrying)/.test(l)),
          detail,
        ).toEqual([]);
      const token = /"type":"page","v":1,"next":"([^"]+)"/.exec(r.out)?.[1];
      if (token) lastPageToken = token;
    }, 180_000);
  }
});
