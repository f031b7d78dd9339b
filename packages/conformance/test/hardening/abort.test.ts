/**
 * Issue 13, "After abort the process must be able to exit": a child process whose client is in a
 * 30 s retry back-off (429 Retry-After 30, maxAttempts 8), in a watch's back-off during an outage,
 * or (RFS) waiting on an IAM token request that never answers, aborts: the call rejects ABORTED and
 * the process exits on its own, without process.exit. A leaked back-off timer or socket would keep
 * it alive for 30 s or more; the child gets 5 s.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AbortScenario } from './abort-child.js';
import { TARGETS, type TargetName } from './targets.js';

const CHILD = fileURLToPath(new URL('./abort-child.ts', import.meta.url));
const EXIT_GRACE_MS = 5_000;

interface ChildOutcome {
  result?: { settled: string; code?: string; requests: number };
  exited: 'on its own' | 'still alive';
  exitCode: number | null;
  stderr: string;
}

function runChild(name: TargetName, scenario: AbortScenario): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@stackfeed/source', '--import', 'tsx', '--no-warnings', CHILD, name, scenario],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let stderr = '';
    let result: ChildOutcome['result'];
    let grace: ReturnType<typeof setTimeout> | undefined;
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && !result) {
        result = JSON.parse(line);
        grace = setTimeout(() => {
          child.kill('SIGKILL');
          resolve({ result, exited: 'still alive', exitCode: null, stderr });
        }, EXIT_GRACE_MS);
      }
    });
    child.on('exit', (code) => {
      if (grace) clearTimeout(grace);
      resolve({ result, exited: 'on its own', exitCode: code, stderr });
    });
  });
}

const CASES: Array<[TargetName, AbortScenario]> = [
  ...TARGETS.map((t) => [t.name, 'backoff'] as [TargetName, AbortScenario]),
  ...TARGETS.map((t) => [t.name, 'watch-backoff'] as [TargetName, AbortScenario]),
  ['rfs', 'iam-silent'],
];

describe.each(CASES)('abort: %s during %s', (name, scenario) => {
  it('rejects ABORTED and the process exits on its own', async () => {
    const r = await runChild(name, scenario);
    expect(r.result, r.stderr.slice(-2000)).toMatchObject({ settled: 'rejected', code: 'ABORTED' });
    expect(r.exited, r.stderr.slice(-2000)).toBe('on its own');
    expect(r.exitCode).toBe(0);
  }, 60_000);
});
