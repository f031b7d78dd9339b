/**
 * The README's "In 20 lines" program, run as it stands against `stackfeed emulator` (in-process, on
 * free ports, fast scenario clock) with the variables the emulator's banner prints: the first code
 * a new user copies must work.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferWriter, run } from '../src/index.js';

const root = join(import.meta.dirname, '..', '..', '..');

/** The ```ts block under "## In 20 lines". */
function readmeProgram(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## In 20 lines'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README.md has no ```ts block under "## In 20 lines"');
  return m[1] as string;
}

async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 40 * Math.floor(Math.random() * 300);
    let free = true;
    for (let port = base; port < base + 40 && free; port++) {
      free = await new Promise<boolean>((resolve) => {
        const probe = createServer();
        probe.once('error', () => resolve(false));
        probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
      });
    }
    if (free) return base;
  }
  throw new Error('no free block of 40 ports');
}

/** The `KEY=value` assignments of the ```sh block that runs examples/first.ts. */
function readmeCommandEnv(): Record<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## In 20 lines'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  expect(block).toContain('examples/first.ts');
  return Object.fromEntries([...block.matchAll(/\b([A-Z][A-Z0-9_]+)=(\S+)/g)].map((m) => [m[1], m[2]]));
}

describe('README "In 20 lines"', () => {
  it('shows exactly examples/first.ts', () => {
    expect(readmeProgram()).toBe(readFileSync(join(root, 'examples', 'first.ts'), 'utf8'));
  });

  it('runs as shown against `stackfeed emulator`: pages, then both deployments to their end', async () => {
    const base = await freePortBase();
    const banner = new BufferWriter();
    const ac = new AbortController();
    const emulators = run(['emulator', '--port-base', String(base), '--speed', '20'], {
      stdout: banner,
      stderr: new BufferWriter(),
      env: {},
      signal: ac.signal,
    });
    const file = join(root, 'examples', `.readme-run-${process.pid}.ts`);
    try {
      for (let i = 0; i < 2000 && !banner.text.includes('running on'); i++) await new Promise((r) => setTimeout(r, 10));
      const setting = (section: string, name: string) => {
        const part = banner.text.slice(banner.text.indexOf(`● ${section}`));
        const v = new RegExp(`${name}=(\\S+)`).exec(part)?.[1];
        if (!v) throw new Error(`the ${section} banner has no ${name}`);
        return v;
      };
      const env = {
        PATH: process.env.PATH ?? '',
        OS_AUTH_TYPE: setting('heat', 'OS_AUTH_TYPE'),
        OS_ENDPOINT: setting('heat', 'OS_ENDPOINT'),
        HUAWEICLOUD_SDK_AK: setting('rfs', 'HUAWEICLOUD_SDK_AK'),
        HUAWEICLOUD_SDK_SK: setting('rfs', 'HUAWEICLOUD_SDK_SK'),
        HUAWEICLOUD_SDK_PROJECT_ID: setting('rfs', 'HUAWEICLOUD_SDK_PROJECT_ID'),
        HUAWEICLOUD_SDK_ENDPOINT: `http://127.0.0.1:${base + 20}`,
      };
      // The README's command sets these very variables (on the default ports).
      const defaultPorts = (v: string) =>
        v.replace(`127.0.0.1:${base + 20}`, '127.0.0.1:4770').replace(`127.0.0.1:${base + 30}`, '127.0.0.1:4780');
      const { PATH: _path, ...shown } = env;
      expect(readmeCommandEnv()).toEqual(
        Object.fromEntries(Object.entries(shown).map(([k, v]) => [k, defaultPorts(v)])),
      );
      writeFileSync(file, readmeProgram());
      const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', '--conditions=@stackfeed/source', file],
          { env, cwd: join(root, 'examples'), timeout: 90_000 },
          (_e, out, err) => resolve({ code: child.exitCode, out, err }),
        );
      });
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
    } finally {
      rmSync(file, { force: true });
      ac.abort();
      await emulators;
    }
  }, 120_000);
});
