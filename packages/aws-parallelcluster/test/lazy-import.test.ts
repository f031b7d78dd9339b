import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const pkgDir = fileURLToPath(new URL('..', import.meta.url));

/** Import the package in a fresh Node process and return every module URL it loaded. */
async function loadedModules(what: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sf-pc-trace-'));
  const file = join(dir, 'loaded.txt');
  try {
    const { stdout } = await run(
      process.execPath,
      [
        '--conditions=@stackfeed/source',
        '--import',
        'tsx',
        '--import',
        './test/fixtures/trace-register.mjs',
        './test/fixtures/import-probe.mjs',
        what,
      ],
      {
        cwd: pkgDir,
        env: { ...process.env, STACKFEED_TRACE_FILE: file, AWS_EC2_METADATA_DISABLED: 'true' },
        timeout: 60_000,
      },
    );
    expect(stdout).toContain('done');
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const awsClients = (urls: string[]) => urls.filter((u) => /[/\\]@aws-sdk[/\\+]client-/.test(u));

describe('API mode loads no AWS SDK client (checked in a child process with a module-load hook)', () => {
  const probes: Record<string, string[]> = {};
  beforeAll(async () => {
    const names = ['control', 'api', 'direct-constructed', 'direct-used'];
    const results = await Promise.all(names.map((n) => loadedModules(n)));
    names.forEach((n, i) => {
      probes[n] = results[i] as string[];
    });
  });
  it('the control: importing an SDK client directly is seen by the hook', () => {
    expect(awsClients(probes.control as string[]).length).toBeGreaterThan(0);
  });

  it('importing the package and creating an API-mode client loads no @aws-sdk/client-*', () => {
    const urls = probes.api as string[];
    expect(urls.some((u) => u.includes('aws-parallelcluster/src/index.ts'))).toBe(true);
    // The signer itself is imported with the first request.
    expect(urls.some((u) => u.includes('@smithy/signature-v4'))).toBe(false);
    expect(awsClients(urls)).toEqual([]);
    // With credentials given, not even the default credential chain is loaded.
    expect(urls.filter((u) => u.includes('@aws-sdk'))).toEqual([]);
  });

  it('direct mode imports the SDK only when a call needs it, and only the client it needs', () => {
    expect(awsClients(probes['direct-constructed'] as string[])).toEqual([]);
    const used = awsClients(probes['direct-used'] as string[]);
    expect(used.some((u) => /client-cloudformation/.test(u))).toBe(true);
    expect(used.some((u) => /client-ec2/.test(u))).toBe(false);
  });
});
