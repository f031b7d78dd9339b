import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerEvent } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');

/** A worker child process and the JSON lines it printed. */
export interface Proc {
  id: string;
  child: ChildProcess;
  events: Array<
    (WorkerEvent | { type: 'ready'; cpuMs?: number } | { type: 'rss'; bytes: number; held: number; cpuMs: number }) & {
      at?: number;
    }
  >;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/** Fork `script` (a file of this folder) with `{ ...cfg, id }` as its JSON argument, run from TypeScript sources. */
export function forkWorker(script: string, id: string, cfg: Record<string, unknown>): Proc {
  const child = fork(join(here, script), [JSON.stringify({ ...cfg, id })], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx', '--conditions=@stackfeed/source'],
    silent: true,
  });
  const events: Proc['events'] = [];
  let buf = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let i = buf.indexOf('\n');
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      // Stamped on arrival (epoch ms): when the parent learnt of it.
      if (line.startsWith('{')) events.push({ ...JSON.parse(line), at: Date.now() });
      i = buf.indexOf('\n');
    }
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { id, child, events, exit, stderr: () => err.slice(-3000) };
}
