import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScript, type HeatEmulator, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@stackfeed/store';
import pg from 'pg';
import { bin, ensureBuilt } from './built-bin.js';
import { freshSchema, postgresUrl } from './fixture.js';

interface Item {
  provider: string;
  place: string;
  name: string;
  phase: string;
  eventCount: number;
  error: { code: string; message: string; count: number } | null;
}

/** Runs the bin; resolves with its exit code and output once it exits. */
function run(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}

/** A database of its own on the run's private PostgreSQL server (the CLI's store uses the default schema). */
async function freshDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: postgresUrl() });
  await admin.connect();
  const name = freshSchema();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function poll<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, tries = 1200): Promise<T> {
  let v = await read();
  for (let i = 0; i < tries && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  if (!ok(v)) throw new Error(`${what}: last seen ${JSON.stringify(v)}`);
  return v;
}

describe('stackfeed dashboard --config stackfeed.yaml (the built bin)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackfeed-dash-fleet-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    STACKFEED_STORE: '',
    NO_COLOR: '1',
  };
  for (const k of Object.keys(env)) if (/^(OS_|HUAWEICLOUD_|AWS_)/.test(k)) delete env[k];
  delete env.STACKFEED_DASHBOARD_TOKEN;
  const emus: HeatEmulator[] = [];
  beforeAll(() => ensureBuilt(), 300_000);
  afterAll(async () => {
    await Promise.all(emus.map((e) => e.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `dashboard --config` (with `storeArgs`) on two Heat clouds and three bad places, and checks what it serves. */
  async function followsThePlaces(storeArgs: string[]): Promise<void> {
    const stacks: Record<string, string[]> = { 'cloud-a': ['web', 'db'], 'cloud-b': ['cache'] };
    const endpoints: Record<string, string> = {};
    const clouds: Record<string, HeatEmulator> = {};
    for (const [cloud, names] of Object.entries(stacks)) {
      const emu = await startHeatEmulator({ autoAdvanceMs: 500 });
      emus.push(emu);
      clouds[cloud] = emu;
      for (const name of names) {
        emu.addStack(name, createScript(name, [{ name: 'net' }, { name: 'server' }], { stepMs: 1000 }));
      }
      endpoints[cloud] = emu.heatUrl;
    }
    // clouds.yaml in the working directory, as the CLI reads it; `dead` names a port nothing listens on.
    writeFileSync(
      join(dir, 'clouds.yaml'),
      [
        'clouds:',
        ...Object.entries(endpoints).flatMap(([c, url]) => [
          `  ${c}:`,
          '    auth_type: none',
          `    auth: { endpoint: "${url}" }`,
        ]),
        '  dead:',
        '    auth_type: none',
        '    auth: { endpoint: "http://127.0.0.1:9/v1/none" }',
      ].join('\n'),
    );
    const config = join(dir, 'stackfeed.yaml');
    writeFileSync(
      config,
      [
        'version: 1',
        'fleet: { pollIntervalMs: 200, discoverEveryMs: 1000, leaseTtlMs: 6000 }',
        'places:',
        '  - provider: openstack-heat',
        '    clouds: [cloud-a, cloud-b, not-in-clouds-yaml, dead]',
        '  - provider: huawei-rfs', // no HUAWEICLOUD_SDK_AK/SK in the environment
        '    projects: [p-1]',
        '    regions: [cn-north-4]',
      ].join('\n'),
    );
    const p = run(['dashboard', '--config', config, '--port', '0', ...storeArgs], dir, env);
    try {
      const url = await Promise.race([
        poll(
          async () =>
            /^stackfeed dashboard: (http:\/\/127\.0\.0\.1:\d+\/) \(store .*following the 5 places/m.exec(p.out()),
          (m) => m !== null,
          'the URL',
        ).then((m) => (m as RegExpExecArray)[1] as string),
        p.exited.then((code) => {
          throw new Error(`exited ${code}: ${p.out()}${p.err()}`);
        }),
      ]);
      const inventory = async () => ((await (await fetch(`${url}api/inventory`)).json()) as { items: Item[] }).items;
      const good = ['web', 'db', 'cache'];
      const items = await poll(
        inventory,
        (list) =>
          good.every((n) => list.some((i) => i.name === n && i.phase === 'COMPLETE' && i.error === null)) &&
          ['not-in-clouds-yaml', 'dead', 'p-1/cn-north-4'].every((n) => list.some((i) => i.name === n && i.error)),
        'the good stacks complete and the bad places failed',
      );
      // The bad places: their cards carry the error's code and message, nothing leaks a credential.
      const card = (name: string) => items.find((i) => i.name === name) as Item;
      expect(card('not-in-clouds-yaml').error).toMatchObject({ code: 'CONFIG' });
      expect(card('not-in-clouds-yaml').error?.message).toMatch(/not-in-clouds-yaml/);
      expect(card('dead').error?.code).toBe('NETWORK');
      expect(card('p-1/cn-north-4').provider).toBe('huawei-rfs');
      expect(['CONFIG', 'UNAUTHORIZED']).toContain(card('p-1/cn-north-4').error?.code);
      expect(card('p-1/cn-north-4').error?.message).toMatch(/credential|HUAWEICLOUD_SDK_AK|access key/i);
      expect(card('web').place).toBe('cloud-a');
      expect(card('cache').place).toBe('cloud-b');

      // Every event the emulators show for the good stacks is served by the API, once.
      for (const [cloud, names] of Object.entries(stacks)) {
        const emu = clouds[cloud] as HeatEmulator;
        for (const name of names) {
          const truth = emu.visibleEvents([...emu.stacks.values()].find((s) => s.name === name) as never);
          const served = (
            (await (await fetch(`${url}api/events?provider=openstack-heat&stack=${name}&limit=1000`)).json()) as {
              items: Array<{ id: string }>;
            }
          ).items.map((e) => e.id);
          expect(new Set(served).size).toBe(served.length);
          expect(served.sort()).toEqual(truth.map((e) => String(e.id)).sort());
          expect(card(name).eventCount).toBe(truth.length);
        }
      }
      // The page is served too.
      expect((await fetch(url)).status).toBe(200);
    } finally {
      p.child.kill('SIGINT');
    }
    expect(await p.exited, p.err()).toBe(0);
  }

  it('follows the places of the config into the embedded store; each bad place is a failed card, the rest is served', () =>
    followsThePlaces([]));

  it('--store postgres://…: the same, into the PostgreSQL server, where the records stay after it stops', async () => {
    const url = await freshDatabase();
    await followsThePlaces(['--store', url]);
    const store = await openStore(url);
    try {
      const names = (await store.stacks()).map((st) => st.name);
      expect(names).toEqual(expect.arrayContaining(['web', 'db', 'cache']));
    } finally {
      await store.close();
    }
  });

  it('an invalid config: exit 2, each issue with file:line:col, nothing served', async () => {
    const config = join(dir, 'bad.yaml');
    writeFileSync(
      config,
      ['places:', '  - provider: openstack-heat', '    clouds: [a]', '    regionz: [x]'].join('\n'),
    );
    const p = run(['dashboard', '--config', config, '--port', '0'], dir, env);
    expect(await p.exited).toBe(2);
    expect(p.err()).toContain(`${config}:4:5: places[0].regionz: unknown key`);
    expect(p.out()).not.toMatch(/http:\/\//);
  });
});
