import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './built-bin.js';

const root = join(import.meta.dirname, '..', '..', '..');
const pkgDir = join(root, 'packages', 'dashboard');

describe('the published @stackfeed/dashboard serves the page', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackfeed-dash-pack-'));
  beforeAll(() => {
    ensureBuilt();
    if (!existsSync(join(pkgDir, 'web', 'index.html'))) {
      execFileSync('pnpm', ['--filter', '@stackfeed/dashboard-web', 'build'], { cwd: root, stdio: 'pipe' });
    }
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the tarball holds the built page, and a server started from the unpacked package serves it by default', async () => {
    execFileSync('pnpm', ['pack', '--pack-destination', dir], { cwd: pkgDir, stdio: 'pipe' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz')) as string;
    expect(tarball).toMatch(/^stackfeed-dashboard-.*\.tgz$/);
    const files = execFileSync('tar', ['-tzf', join(dir, tarball)], { encoding: 'utf8' }).split('\n');
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/web/index.html');
    const js = files.filter((f) => /^package\/web\/assets\/[^/]+\.js$/.test(f));
    const css = files.filter((f) => /^package\/web\/assets\/[^/]+\.css$/.test(f));
    expect(js.length).toBe(1);
    expect(css.length).toBe(1);
    // The published manifest needs no private package (no dependency on @stackfeed/dashboard-web).
    const manifest = JSON.parse(
      execFileSync('tar', ['-xzOf', join(dir, tarball), 'package/package.json'], { encoding: 'utf8' }),
    );
    expect(JSON.stringify(manifest.dependencies ?? {})).not.toContain('dashboard-web');

    // Unpacked as an install would lay it out: node_modules/@stackfeed/dashboard, its dependencies beside it.
    const modules = join(dir, 'app', 'node_modules');
    const installed = join(modules, '@stackfeed', 'dashboard');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(dir, tarball), '-C', installed, '--strip-components=1']);
    for (const dep of Object.keys(manifest.dependencies)) {
      mkdirSync(join(modules, ...dep.split('/').slice(0, -1)), { recursive: true });
      symlinkSync(realpathSync(join(pkgDir, 'node_modules', dep)), join(modules, dep));
    }
    const script = [
      "import { startDashboard } from '@stackfeed/dashboard';",
      "import { openStore } from '@stackfeed/store';",
      "const store = await openStore(':memory:');",
      'const server = await startDashboard({ store, port: 0 });',
      'console.log(server.url);',
      "process.on('SIGTERM', async () => { await server.close(); await store.close(); process.exit(0); });",
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: join(dir, 'app'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', () => {
          const m = /^(http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out);
          if (m) resolve(m[1] as string);
        });
        void exited.then((code) => reject(new Error(`exited ${code}: ${out}${err}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe(readFileSync(join(installed, 'web', 'index.html'), 'utf8'));
      const asset = await fetch(`${url}${(js[0] as string).slice('package/web/'.length)}`);
      expect(asset.status).toBe(200);
      expect(await asset.text()).toBe(
        readFileSync(join(installed, (js[0] as string).slice('package/'.length)), 'utf8'),
      );
      // A client-side route gets the page too (not the "page not built" line).
      expect(await (await fetch(`${url}events`)).text()).toContain('<div id="app"');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, err).toBe(0);
  });
});
