/** `pnpm start` as a user runs it (the real entry point, spawned): what a bad config does to the process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const TSX = join(ROOT, '..', '..', 'node_modules', '.bin', 'tsx');

/** An environment with no OpenStack, Huawei or AWS settings, and a home without clouds.yaml. */
function bareEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(OS_|HUAWEICLOUD_|AWS_)/.test(k)) env[k] = v;
  }
  const home = mkdtempSync(join(tmpdir(), 'stackfeed-dash-home-'));
  return { ...env, HOME: home, XDG_CONFIG_HOME: home, PORT: '0' };
}

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGTERM');
  child = undefined;
});

function start(config: string) {
  child = spawn(TSX, ['--conditions=@stackfeed/source', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...bareEnv(), DASHBOARD_CONFIG: config },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (b) => {
    out.stdout += b;
  });
  child.stderr?.on('data', (b) => {
    out.stderr += b;
  });
  const exit = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
  return { out, exit };
}

describe('dashboard entry point', () => {
  it('starts with targets whose credentials are missing, and reports them on their cards', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stackfeed-dash-')), 'targets.json');
    writeFileSync(
      file,
      JSON.stringify({
        targets: [
          { provider: 'openstack-heat', target: 'web' },
          { provider: 'huawei-rfs', target: 'shop-db', region: 'cn-north-4' },
        ],
      }),
    );
    const { out } = start(file);
    await expect.poll(() => out.stdout, { timeout: 60_000 }).toMatch(/stackfeed dashboard on (http:\S+)/);
    const url = /on (http:\S+)/.exec(out.stdout)?.[1];
    const state = (await (await fetch(`${url}/api/state`)).json()) as {
      problems: Array<{ provider: string; target: string; code: string }>;
    };
    expect(state.problems.map((p) => `${p.provider}:${p.target}:${p.code}`).sort()).toEqual([
      'huawei-rfs:shop-db:CONFIG',
      'openstack-heat:web:CONFIG',
    ]);
    expect(out.stderr).not.toMatch(/StackfeedError|\n\s+at /);
  });

  it('an unusable config file is one line on stderr and exit 2, not a stack dump', async () => {
    const { out, exit } = start(join(tmpdir(), 'stackfeed-no-such-targets.json'));
    await expect(exit).resolves.toBe(2);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/^stackfeed dashboard: dashboard config: cannot read /);
  });
});
