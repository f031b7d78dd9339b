/**
 * Cold start, by what a command loads (never by how long it takes): the built bin runs under a
 * module-load log (test/fixtures/load-log.mjs) and each command must leave out the code it does
 * not need. Timings are in bench/cli-cold-start.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, ensureBuiltBin, pkg } from './built-bin.js';
import { VERSION as CORE_VERSION } from '@stackfeed/core';
import { VERSION } from '../src/version.js';

const hook = join(import.meta.dirname, 'fixtures', 'load-log.mjs');
const dir = mkdtempSync(join(tmpdir(), 'stackfeed-cold-'));

ensureBuiltBin();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
/** Runs the built bin under the load log: exit code, output, and every module it loaded. */
function traced(args: string[], env: Record<string, string> = {}) {
  const log = join(dir, `load-${++runs}.log`);
  return new Promise<{ code: number; out: string; err: string; loaded: string[] }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', hook, bin, ...args],
      { env: { PATH: process.env.PATH ?? '', LOAD_LOG: log, ...env } },
      (error, out, err) => {
        const files = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
        const loaded = [...new Set(files)].flatMap((f) => [f, ...bundled(f)]);
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out, err, loaded });
      },
    );
  });
}

/**
 * The modules bundled into a loaded file of the CLI's build, from its source map: the bin is one
 * bundle split per command and provider, so its file names alone do not say which code they hold.
 */
function bundled(file: string): string[] {
  if (!file.startsWith('file:') || !file.includes('/packages/cli/dist/')) return [];
  const path = fileURLToPath(file);
  if (!existsSync(`${path}.map`)) return [];
  const map = JSON.parse(readFileSync(`${path}.map`, 'utf8')) as { sources: string[] };
  return map.sources.map((s) => resolve(dirname(path), s));
}

/** Module paths (pnpm's store and the workspace, symlinks resolved) of the code a command must not load. */
const AWS = /[/+]@aws-sdk[+/]|[/+]@smithy[+/]|\/packages\/aws-(parallelcluster|imagebuilder)\//;
const ZOD = /\/node_modules\/\.pnpm\/zod@|\/node_modules\/zod\//;
/** A zod locale other than English (the one zod's messages use): in the bundle only as the whole `locales` namespace. */
const ZOD_LOCALE = /zod\/v4\/locales\/(?!en\.js|index\.js)[\w-]+\.js$/;
const GOT = /\/node_modules\/\.pnpm\/got@|\/node_modules\/got\//;
/** got's optional features stackfeed never turns on (HTTP/2, response cache, DNS cache) and what they load. */
const GOT_OPTIONAL =
  /[/+](http2-wrapper|cacheable-request|cacheable-lookup|keyv|@keyv[+/][\w-]+|http-cache-semantics)@/;
const GOT_STAND_INS = /\/packages\/cli\/src\/got-stand-ins\//;
const CORE = /\/packages\/core\/|@stackfeed\+core/;
const STORE = /\/packages\/store\/|@electric-sql|\/pg@/;
const CLI_DIST = /\/packages\/cli\/dist\//;
const COMMANDER = /commander@/;
const CLI_TABLE = /cli-table3@/;

const matching = (loaded: string[], re: RegExp) => loaded.filter((p) => re.test(p));

describe('cold start: what each command loads', () => {
  it('the log sees the modules inside the bundle (else the checks below prove nothing)', async () => {
    // `--debug --help`: a help the launcher's table does not hold, so the CLI answers it
    const r = await traced(['--debug', '--help']);
    expect(r.code, r.err).toBe(0);
    expect(matching(r.loaded, CLI_DIST).length).toBeGreaterThan(0);
    expect(matching(r.loaded, COMMANDER).length).toBeGreaterThan(0); // bundled: from the source map
  });

  it('--version: the launcher answers alone, no CLI code, no commander, no core/zod/got/AWS SDK', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await traced([flag]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toBe(`${VERSION}\n`);
      expect(r.err).toBe('');
      for (const re of [CLI_DIST, COMMANDER, CORE, ZOD, GOT, AWS])
        expect(matching(r.loaded, re), String(re)).toEqual([]);
    }
  });

  it('the launcher, the CLI and core report one version', () => {
    const pkgVersion = (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string }).version;
    expect(VERSION).toBe(pkgVersion);
    expect(VERSION).toBe(CORE_VERSION);
  });

  it('--help and a command --help: the launcher answers from the text generated at build time, no CLI code, no commander', async () => {
    for (const args of [['--help'], ['events', '--help'], ['watch', '-h'], ['help', 'images']]) {
      const r = await traced(args);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('Usage: stackfeed');
      // dist/bin/help.json, the generated text, is the only file of the build it reads
      expect(matching(r.loaded, CLI_DIST).map((p) => p.replace(/^.*\/packages\/cli\//, ''))).toEqual([
        'dist/bin/help.json',
      ]);
      for (const re of [COMMANDER, CORE, ZOD, GOT, AWS, STORE])
        expect(matching(r.loaded, re), `${args} ${re}`).toEqual([]);
    }
  });

  it('a help the CLI answers itself loads commander and the CLI only: no provider, core, zod, got, AWS SDK', async () => {
    for (const args of [
      ['--debug', '--help'],
      ['events', '--help', '--raw'],
      ['watch', '--no-color', '--help'],
    ]) {
      const r = await traced(args);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('Usage: stackfeed');
      for (const re of [CORE, ZOD, GOT, AWS, STORE]) expect(matching(r.loaded, re), `${args} ${re}`).toEqual([]);
      expect(matching(r.loaded, /\/packages\/(openstack-heat|huawei-rfs|aws-[a-z]+)\//)).toEqual([]);
    }
  });

  it('a usage error loads no provider and still exits 2 with one line', async () => {
    const r = await traced(['events', 'nowhere', 'x']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    for (const re of [AWS, STORE]) expect(matching(r.loaded, re), String(re)).toEqual([]);
  });

  it('events heat (a real listing from the Heat emulator) loads Heat, core and got, and no zod, AWS code or store', async () => {
    const { startHeatEmulator, createScript } = await import('@stackfeed/emulator/heat');
    const emu = await startHeatEmulator();
    try {
      emu.addStack('web', createScript('web', [{ name: 'net' }, { name: 'server' }], { stepMs: 1000 }));
      emu.advance(60_000);
      const r = await traced(['events', 'heat', 'web', '--endpoint', emu.heatUrl, '-o', 'ndjson']);
      expect(r.code, r.err).toBe(0);
      const recs = r.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { provider: string });
      expect(recs.length).toBeGreaterThan(0);
      expect(recs.every((e) => e.provider === 'openstack-heat')).toBe(true);
      expect(matching(r.loaded, /\/packages\/openstack-heat\//).length).toBeGreaterThan(0);
      for (const re of [CORE, GOT]) expect(matching(r.loaded, re).length, String(re)).toBeGreaterThan(0);
      // Heat's pages pass its zod-free page check: its zod schemas (a chunk of their own) stay unloaded
      expect(matching(r.loaded, ZOD)).toEqual([]);
      // The control: a command that parses with the schemas (stacks: Heat's stack list) loads them,
      // and the log sees zod in the bundle; zod as `import * as z`, so none of its ~80 locales
      const stacks = await traced(['stacks', 'heat', '--endpoint', emu.heatUrl, '-o', 'json']);
      expect(stacks.code, stacks.err).toBe(0);
      expect(matching(stacks.loaded, ZOD).length).toBeGreaterThan(0);
      expect(matching(stacks.loaded, ZOD_LOCALE)).toEqual([]);
      // got without its HTTP/2, cache and DNS-cache modules: the bin bundles stand-ins for them
      expect(matching(r.loaded, GOT_OPTIONAL)).toEqual([]);
      expect(matching(r.loaded, GOT_STAND_INS).length).toBeGreaterThan(0);
      expect(matching(r.loaded, AWS)).toEqual([]);
      expect(matching(r.loaded, STORE)).toEqual([]);
      // events print their own rows: the boxed tables (cli-table3) are for images, executions, stacks
      expect(matching(r.loaded, CLI_TABLE)).toEqual([]);
      const table = await traced(['events', 'heat', 'web', '--endpoint', emu.heatUrl]);
      expect(table.code, table.err).toBe(0);
      expect(table.out).toMatch(/^time \(UTC\)/);
      expect(matching(table.loaded, CLI_TABLE)).toEqual([]);
      expect(matching(table.loaded, AWS)).toEqual([]);
    } finally {
      await emu.close();
    }
  });

  it('events heat -o json builds no Intl object before it prints (the first one loads ICU: @sindresorhus/is builds its ListFormats lazily in the bin)', async () => {
    const preload = join(import.meta.dirname, 'fixtures', 'intl-count.cjs');
    const countOf = (err: string) => Number(/^INTL (\d+)/m.exec(err)?.[1] ?? Number.NaN);
    const run = (args: string[]) =>
      new Promise<{ code: number; out: string; err: string }>((done) => {
        execFile(process.execPath, ['-r', preload, ...args], { env: { PATH: process.env.PATH ?? '' } }, (e, out, err) =>
          done({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err }),
        );
      });
    // the counter sees what @sindresorhus/is builds at import when it is not deferred
    const control = await run(['-e', "new Intl.ListFormat('en', { type: 'disjunction' })"]);
    expect(countOf(control.err)).toBe(1);
    const { startHeatEmulator, createScript } = await import('@stackfeed/emulator/heat');
    const emu = await startHeatEmulator();
    try {
      emu.addStack('web', createScript('web', [{ name: 'server' }], { stepMs: 1000 }));
      emu.advance(60_000);
      const r = await run([bin, 'events', 'heat', 'web', '--endpoint', emu.heatUrl, '-o', 'json']);
      expect(r.code, r.err).toBe(0);
      expect((JSON.parse(r.out) as unknown[]).length).toBeGreaterThan(0);
      expect(countOf(r.err), r.err).toBe(0);
    } finally {
      await emu.close();
    }
  });

  it('an Image Builder command does load the AWS SDK (the AWS check sees it through the bundle)', async () => {
    const r = await traced(['images', 'imagebuilder', '--region', 'us-east-1', '--endpoint', 'http://127.0.0.1:9'], {
      AWS_ACCESS_KEY_ID: 'AKIACOLDSTART0000001',
      AWS_SECRET_ACCESS_KEY: 'cold-start-test-secret',
    });
    expect(r.code).toBe(1);
    expect(matching(r.loaded, AWS).length).toBeGreaterThan(0);
    expect(matching(r.loaded, CLI_TABLE).length).toBeGreaterThan(0); // the images command's table
    expect(matching(r.loaded, /\/packages\/aws-parallelcluster\//)).toEqual([]);
  });

  it('events heat against a dead endpoint: the error line loads no AWS code either', async () => {
    const r = await traced(['events', 'heat', 'web', '--endpoint', 'http://127.0.0.1:9/v1/x']);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^stackfeed: NETWORK \[openstack-heat/);
    expect(matching(r.loaded, AWS)).toEqual([]);
  });
});
