/**
 * The commands in the examples' headers, run as written against `stackfeed emulator` (in-process, on
 * free ports, fast scenario clock; the header's default ports are mapped onto them): an example a
 * new user copies must talk to what the emulator serves.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BufferWriter } from '../src/index.js';
import { startEmulatorCommand } from './emulator-process.js';

const root = join(import.meta.dirname, '..', '..', '..');

/** The header commands of an example that run `pnpm exec tsx … examples/<file>`, continuation lines joined. */
function headerCommands(file: string): string[] {
  const text = readFileSync(join(root, 'examples', file), 'utf8');
  const header = text.slice(0, text.indexOf('*/'));
  const lines = header.split('\n').map((l) => l.replace(/^\s*\*\s?/, ''));
  const out: string[] = [];
  let current = '';
  for (const line of lines) {
    const t = line.trim();
    if (t.endsWith('\\')) {
      current += `${t.slice(0, -1)} `;
      continue;
    }
    current += t;
    if (current.includes(`examples/${file}`) && current.includes('pnpm exec tsx')) out.push(current.trim());
    current = '';
  }
  return out;
}

/** `A=1 B=2 pnpm exec tsx --conditions=@stackfeed/source examples/x.ts arg` → env, script, args. */
function parse(command: string) {
  const words = command.split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z][A-Z0-9_]*=/.test(words[0] ?? '')) {
    const w = words.shift() as string;
    env[w.slice(0, w.indexOf('='))] = w.slice(w.indexOf('=') + 1);
  }
  expect(words.slice(0, 4)).toEqual(['pnpm', 'exec', 'tsx', '--conditions=@stackfeed/source']);
  return { env, script: words[4] as string, args: words.slice(5) };
}

let base = 0;
let banner: BufferWriter;
let stop: () => Promise<number>;

beforeAll(async () => {
  ({ base, banner, stop: stop } = await startEmulatorCommand());
});
afterAll(() => stop?.());

/** Runs a header command with the default ports (4750 + 10·n) moved onto this test's emulators. */
function runCommand(command: string) {
  const { env, script, args } = parse(command);
  const moved = Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      v.replace(/127\.0\.0\.1:47([5-8])(\d)/g, (_m, tens: string, one: string) => {
        return `127.0.0.1:${base + 10 * (Number(tens) - 5) + Number(one)}`;
      }),
    ]),
  );
  return new Promise<{ code: number | null; out: string; err: string; env: Record<string, string> }>((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', '--conditions=@stackfeed/source', script, ...args],
      { env: { PATH: process.env.PATH ?? '', ...moved }, cwd: root, timeout: 90_000 },
      (_e, out, err) => resolve({ code: child.exitCode, out, err, env }),
    );
  });
}

/** What the emulator's banner prints for a provider: `KEY=value` lines. */
const bannerVars = (short: string) => {
  const from = banner.text.indexOf(`● ${short} `);
  const to = banner.text.indexOf('\n●', from + 1);
  const part = banner.text.slice(from, to < 0 ? undefined : to);
  return Object.fromEntries([...part.matchAll(/^ {2}([A-Z][A-Z0-9_]*)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
};
const onDefaultPorts = (vars: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(vars).map(([k, v]) => [
      k,
      v.replace(/127\.0\.0\.1:(\d+)/, (_m, p: string) => `127.0.0.1:${4750 + Number(p) - base}`),
    ]),
  );

describe('examples, as their headers say to run them', () => {
  it('heat-watch.ts follows the emulator\'s "web" stack (with its nested stack) to CREATE_COMPLETE', async () => {
    const [command] = headerCommands('heat-watch.ts');
    expect(command).toBeDefined();
    const r = await runCommand(command as string);
    expect(r.code, r.err).toBe(0);
    expect(onDefaultPorts(bannerVars('heat'))).toMatchObject(r.env);
    expect(r.out).toMatch(/^web \(\S+\) is /);
    expect(r.out).toContain(' in web-servers-x7k2: ');
    expect(r.out).toMatch(/done: succeeded CREATE_COMPLETE/);
  }, 120_000);

  it('rfs-watch.ts reads HUAWEICLOUD_SDK_REGION and follows shop-db on the emulator; alone it starts its own', async () => {
    const commands = headerCommands('rfs-watch.ts');
    const own = commands.find((c) => c.endsWith('examples/rfs-watch.ts'));
    const shared = commands.find((c) => c.includes('shop-db'));
    expect(own && shared).toBeTruthy();
    const r = await runCommand(shared as string);
    expect(r.code, r.err).toBe(0);
    // Every variable it sets is one the emulator's banner prints (the endpoint is the banner's too).
    const { HUAWEICLOUD_SDK_ENDPOINT: endpoint, ...creds } = r.env;
    expect(onDefaultPorts(bannerVars('rfs'))).toMatchObject(creds);
    expect(endpoint).toBe('http://127.0.0.1:4770');
    expect(r.out).toMatch(/^shop-db \(\S+\): /);
    expect(r.out).toMatch(/ended: failed \(ROLLBACK_COMPLETE\)/);
    expect(r.out).toContain('ERROR ');

    const alone = await runCommand(own as string);
    expect(alone.code, alone.err).toBe(0);
    expect(alone.out).toMatch(/ended: failed \(ROLLBACK_COMPLETE\)/);
  }, 180_000);

  it("last-failure.ts prints the root cause of shop-db's failed deployment on the emulator", async () => {
    const [command] = headerCommands('last-failure.ts');
    expect(command).toBeDefined();
    // The scenario fails about half-way through; an earlier test may not have waited for it.
    let r = await runCommand(command as string);
    for (let i = 0; i < 30 && r.code === 0 && /no failed deployment/.test(r.out); i++) {
      await new Promise((done) => setTimeout(done, 1000));
      r = await runCommand(command as string);
    }
    expect(r.code, r.err).toBe(0);
    const { HUAWEICLOUD_SDK_ENDPOINT: _endpoint, ...creds } = r.env;
    expect(onDefaultPorts(bannerVars('rfs'))).toMatchObject(creds);
    expect(r.out).toMatch(/^shop-db: \w+ (failed|rolled-back) \(ROLLBACK_COMPLETE\)/);
    expect(r.out).toMatch(/^root cause: shop-db\/server\[api\] \(huaweicloud_compute_instance\)$/m);
    expect(r.out).toContain('Insufficient EIP quota');
  }, 180_000);

  it('rfs-watch.ts without HUAWEICLOUD_SDK_REGION says which variable to set, exit 2', async () => {
    const shared = headerCommands('rfs-watch.ts').find((c) => c.includes('shop-db')) as string;
    const r = await runCommand(shared.replace(/HUAWEICLOUD_SDK_REGION=\S+ /, ''));
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('set HUAWEICLOUD_SDK_REGION (e.g. cn-north-4)');
  }, 60_000);
});

describe('the clone', () => {
  it('npx in the clone prints no npm warning about the project config (.npmrc)', () => {
    // A user's shell: without the npm_config_* variables pnpm sets for the processes it runs.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    const r = spawnSync('npx', ['--no-install', 'tsx', '--version'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/npm warn/i);
  }, 60_000);

  it('`pnpm stackfeed` runs the CLI from the clone, as the README says', () => {
    const out = execFileSync('pnpm', ['-s', 'stackfeed', '--help'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
    });
    expect(out).toMatch(/^Usage: stackfeed/m);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('`pnpm stackfeed <command>`');
    expect(readme).toContain('npm link');
  }, 60_000);
});

/** The `stackfeed …` lines of the ```sh block under "## CLI", without comments and pipes. */
function readmeCliCommands(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## CLI'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) =>
      l
        .replace(/\s+#.*$/, '')
        .replace(/\|.*$/, '')
        .trim(),
    )
    .filter((l) => l.startsWith('stackfeed '));
}

describe("README's CLI commands", () => {
  it('run as written with the variables `stackfeed emulator` prints exported, in a shell without cloud settings', async () => {
    const commands = readmeCliCommands().filter((c) => !c.startsWith('stackfeed emulator'));
    expect(commands.length).toBeGreaterThanOrEqual(5);
    const exported = Object.assign({}, ...['pcluster', 'imagebuilder', 'rfs', 'heat'].map(bannerVars));
    const shell: Record<string, string> = { HOME: join(root, 'node_modules', '.no-home') };
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !/^(OS_|AWS_|HUAWEICLOUD_|npm_)/i.test(k)) shell[k] = v;
    }
    for (const command of commands) {
      const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          [
            '--import',
            'tsx',
            '--conditions=@stackfeed/source',
            'packages/cli/src/bin.ts',
            ...command.split(/\s+/).slice(1),
          ],
          { env: { ...shell, ...exported }, cwd: root, timeout: 90_000 },
          (_e, out, err) => resolve({ code: child.exitCode, out, err }),
        );
      });
      // 0, or 3 where a followed deployment failed as scripted (RFS rolls back): never a call or usage error.
      expect([0, 3], `${command}\n${r.err}`).toContain(r.code);
      expect(r.err, command).not.toMatch(/^stackfeed: [A-Z_]+ /m);
      expect(r.out.trim().length, command).toBeGreaterThan(0);
    }
  }, 300_000);
});
