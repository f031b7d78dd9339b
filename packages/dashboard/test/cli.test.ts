import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP } from '../src/index.js';
import { ensureBuilt } from './built-bin.js';

const root = join(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'packages', 'cli', 'bin', 'stackfeed.js');

describe('stackfeed dashboard (the built bin)', () => {
  const home = mkdtempSync(join(tmpdir(), 'stackfeed-dash-cli-'));
  const env = { ...process.env, HOME: home, XDG_DATA_HOME: join(home, 'data'), STACKFEED_STORE: '', NO_COLOR: '1' };
  delete (env as Record<string, string | undefined>).STACKFEED_DASHBOARD_TOKEN;
  beforeAll(() => ensureBuilt(), 300_000);
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('with no options: the emulators followed into the embedded store, its URL printed, Ctrl-C stops it (exit 0)', async () => {
    const child = spawn(process.execPath, [bin, 'dashboard', '--port', '0', '--speed', '20'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d;
          const m = /^stackfeed dashboard: (http:\/\/127\.0\.0\.1:\d+\/) \(embedded store in memory/m.exec(out);
          if (m) resolve(m[1] as string);
        });
        void exited.then((code) => reject(new Error(`exited ${code}: ${out}${err}`)));
      });
      const health = await fetch(`${url}api/health`);
      expect(health.headers.get('content-security-policy')).toBe(CSP);
      expect(await health.json()).toMatchObject({ ok: true, store: 'pglite' });
      // Every provider's demo target shows up in the inventory as its events are stored.
      let items: Array<{ provider: string; eventCount: number }> = [];
      for (let i = 0; i < 600; i++) {
        items = (await (await fetch(`${url}api/inventory`)).json()).items;
        if (items.length === 4 && items.every((x) => x.eventCount > 0)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(items.map((x) => x.provider).sort()).toEqual([
        'aws-imagebuilder',
        'aws-parallelcluster',
        'huawei-rfs',
        'openstack-heat',
      ]);
      const page = await fetch(url);
      expect(page.status).toBe(200);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(err).toBe('');
  });

  it('refuses a non-loopback --host without --token: one line, exit 2', () => {
    const r = spawnSync(process.execPath, [bin, 'dashboard', '--host', '0.0.0.0', '--port', '0'], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--host 0\.0\.0\.0 is not loopback.*--token/);
  });

  it('a bad --port is a usage error (exit 2)', () => {
    const r = spawnSync(process.execPath, [bin, 'dashboard', '--port', '99999'], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
