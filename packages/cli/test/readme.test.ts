/**
 * The README's "In 20 lines" program, run as it stands against `stackfeed emulator` (in-process, on
 * free ports, fast scenario clock) with the variables the emulator's banner prints: the first code
 * a new user copies must work — in the clone as the README shows, and in a folder of the user's
 * own outside it, the packages resolved from node_modules as an installed package's are.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BufferWriter } from '../src/index.js';
import { startEmulatorCommand } from './emulator-process.js';

const root = join(import.meta.dirname, '..', '..', '..');

/** The ```ts block under "## In 20 lines". */
function readmeProgram(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## In 20 lines'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README.md has no ```ts block under "## In 20 lines"');
  return m[1] as string;
}

/** The `KEY=value` assignments of the ```sh block that runs examples/first.ts. */
function readmeCommandEnv(): Record<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## In 20 lines'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  expect(block).toContain('examples/first.ts');
  return Object.fromEntries([...block.matchAll(/\b([A-Z][A-Z0-9_]+)=(\S+)/g)].map((m) => [m[1], m[2]]));
}

let base = 0;
let banner: BufferWriter;
let stopEmulator: (() => Promise<number>) | undefined;

beforeAll(async () => {
  ({ base, banner, stop: stopEmulator } = await startEmulatorCommand());
}, 60_000);
afterAll(() => stopEmulator?.());

/** The variables the README's command sets, with the values the emulator's banner prints. */
function emulatorEnv(): Record<string, string> {
  const setting = (section: string, name: string) => {
    const part = banner.text.slice(banner.text.indexOf(`● ${section}`));
    const v = new RegExp(`${name}=(\\S+)`).exec(part)?.[1];
    if (!v) throw new Error(`the ${section} banner has no ${name}`);
    return v;
  };
  return {
    OS_AUTH_TYPE: setting('heat', 'OS_AUTH_TYPE'),
    OS_ENDPOINT: setting('heat', 'OS_ENDPOINT'),
    HUAWEICLOUD_SDK_AK: setting('rfs', 'HUAWEICLOUD_SDK_AK'),
    HUAWEICLOUD_SDK_SK: setting('rfs', 'HUAWEICLOUD_SDK_SK'),
    HUAWEICLOUD_SDK_PROJECT_ID: setting('rfs', 'HUAWEICLOUD_SDK_PROJECT_ID'),
    HUAWEICLOUD_SDK_ENDPOINT: `http://127.0.0.1:${base + 20}`,
  };
}

/** Runs a copy of the program with node and `--import` loader arguments, in `cwd`, with the emulator's variables. */
function runProgram(file: string, cwd: string, loader: string[]) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [...loader, file],
      { env: { PATH: process.env.PATH ?? '', ...emulatorEnv() }, cwd, timeout: 90_000 },
      (_e, out, err) => resolve({ code: child.exitCode, out, err }),
    );
  });
}

/** What the program prints against the emulators: pages, then both deployments to their end, in time order. */
function expectFirstOutput(r: { code: number | null; out: string; err: string }) {
  expect(r.code, r.err).toBe(0);
  expect(r.err).toBe('');
  const lines = r.out.trim().split('\n');
  expect(lines[0]).toMatch(/^\d+ (more|last page)$/);
  const events = lines.filter((l) => /^\d{4}-\d\d-\d\dT/.test(l));
  expect(events.some((l) => l.includes(' openstack-heat '))).toBe(true);
  expect(events.some((l) => l.includes(' huawei-rfs '))).toBe(true);
  expect(r.out).not.toContain('undefined');
  // One time-ordered stream.
  const times = events.map((l) => l.slice(0, 24));
  expect(times).toEqual([...times].sort());
}

describe('README "In 20 lines"', () => {
  it('shows exactly examples/first.ts', () => {
    expect(readmeProgram()).toBe(readFileSync(join(root, 'examples', 'first.ts'), 'utf8'));
  });

  it('runs as shown against `stackfeed emulator`: pages, then both deployments to their end', async () => {
    // The README's command sets these very variables (on the default ports).
    const defaultPorts = (v: string) =>
      v.replace(`127.0.0.1:${base + 20}`, '127.0.0.1:4770').replace(`127.0.0.1:${base + 30}`, '127.0.0.1:4780');
    expect(readmeCommandEnv()).toEqual(
      Object.fromEntries(Object.entries(emulatorEnv()).map(([k, v]) => [k, defaultPorts(v)])),
    );
    const file = join(root, 'examples', `.readme-run-${process.pid}.ts`);
    try {
      writeFileSync(file, readmeProgram());
      expectFirstOutput(
        await runProgram(file, join(root, 'examples'), ['--import', 'tsx', '--conditions=@stackfeed/source']),
      );
    } finally {
      rmSync(file, { force: true });
    }
  }, 120_000);

  it("runs outside the clone as the README's own-project steps say: the packages installed from the clone, their built code", async () => {
    const steps = readmeOwnProjectSteps();
    // The steps install these packages from the clone, and tsx; then run the program with tsx.
    const installed = /npm install (.+)$/m.exec(steps)?.[1]?.split(/\s+/) ?? [];
    const packages = installed.filter((p) => p.startsWith('<clone>/')).map((p) => p.slice('<clone>/'.length));
    expect(packages.length).toBeGreaterThan(0);
    expect(installed).toContain('tsx');
    expect(steps).toMatch(/npx tsx first\.ts/);
    const dir = mkdtempSync(join(tmpdir(), 'stackfeed-readme-'));
    try {
      // What `npm install <folder>` leaves: package.json naming each, node_modules/<name> a link to the folder.
      const deps: Record<string, string> = {};
      for (const folder of packages) {
        const manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')) as { name: string };
        expect(existsSync(join(root, folder, 'dist')), `${folder} is not built (pnpm build)`).toBe(true);
        deps[manifest.name] = `file:${join(root, folder)}`;
        mkdirSync(join(dir, 'node_modules', dirname(manifest.name)), { recursive: true });
        symlinkSync(join(root, folder), join(dir, 'node_modules', manifest.name), 'dir');
      }
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', dependencies: deps }, null, 2));
      writeFileSync(join(dir, 'first.ts'), readmeProgram());
      // `npx tsx first.ts`: tsx's loader (this clone's copy: no download in a test), no @stackfeed/source condition.
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
      expectFirstOutput(await runProgram(join(dir, 'first.ts'), dir, ['--import', tsx]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** The ```sh block under "## In 20 lines" that sets up a project of one's own. */
function readmeOwnProjectSteps(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## In 20 lines'));
  const block = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1] as string)
    .find((b) => b.includes('npm install'));
  if (!block) throw new Error('README.md has no ```sh block with `npm install` under "## In 20 lines"');
  return block;
}
