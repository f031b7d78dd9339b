import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `postgres://…` of the private cluster, or the reason there is none (the PostgreSQL tests then fail with it). */
    postgres: { url?: string; error?: string };
  }
}

/** The newest installed PostgreSQL's bin directory (Debian: /usr/lib/postgresql/<major>/bin). */
function pgBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : undefined;
}

function install(): string | undefined {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'postgresql']]) {
    const r = spawnSync('apt-get', args, {
      env,
      encoding: 'utf8',
      timeout: 600_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (r.status !== 0) return `apt-get ${args.join(' ')} failed: ${(r.stderr ?? r.error?.message ?? '').slice(-800)}`;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A real PostgreSQL server for the run: installed from Debian's `postgresql` package when
 * missing, `initdb -A trust` into a temporary directory, started on a free loopback port (as the
 * `postgres` user when running as root: the server refuses root), stopped at teardown.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  let bin = pgBinDir();
  if (!bin) {
    const err = install();
    bin = pgBinDir();
    if (!bin) {
      project.provide('postgres', { error: err ?? 'PostgreSQL is not installed and apt-get did not bring initdb' });
      return () => {};
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'stackfeed-store-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const runAs = (cmd: string, args: string[]) => {
    const full = join(bin as string, cmd);
    return asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', full, ...args], { stdio: 'pipe', timeout: 120_000 })
      : execFileSync(full, args, { stdio: 'pipe', timeout: 120_000 });
  };
  let started = false;
  try {
    if (asRoot) {
      const pw = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
      const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
      chownSync(dir, Number(pw), Number(gid));
      chmodSync(dir, 0o700);
    }
    runAs('initdb', ['-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '-D', data]);
    const port = await freePort();
    runAs('pg_ctl', [
      'start',
      '-w',
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-o',
      `-p ${port} -k ${dir} -h 127.0.0.1 -c fsync=off -c max_connections=100`,
    ]);
    started = true;
    project.provide('postgres', { url: `postgres://postgres@127.0.0.1:${port}/postgres` });
  } catch (err) {
    const e = err as { stderr?: Buffer; message?: string };
    project.provide('postgres', { error: `starting PostgreSQL failed: ${e.stderr?.toString() || e.message}` });
  }
  return () => {
    if (started) {
      try {
        runAs('pg_ctl', ['stop', '-m', 'fast', '-w', '-D', data]);
      } catch {
        // the directory goes anyway
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
