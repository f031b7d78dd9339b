import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { freshSchema, postgresUrl } from './engines.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');
/** Kills per engine: 2 × 10 ≥ the 20 the proof asks for. */
const KILLS = 10;

interface Run {
  child: ChildProcess;
  lines: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when `count` lines (default 1) matching `re` were printed. */
  waitFor(re: RegExp, count?: number): Promise<void>;
}

function startChild(args: string[]): Run {
  // One node process (tsx as a loader, not the tsx wrapper): SIGKILL hits the archiver itself.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@stackfeed/source', join(here, 'crash-child.ts'), ...args],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const waiters: Array<{ re: RegExp; count: number; resolve: () => void }> = [];
  const seen = (re: RegExp) => lines.filter((l) => re.test(l)).length;
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let i = buf.indexOf('\n');
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of waiters.splice(0)) {
        if (seen(w.re) >= w.count) w.resolve();
        else waiters.push(w);
      }
      i = buf.indexOf('\n');
    }
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      if (code) lines.push(`stderr: ${err.slice(-2000)}`);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    lines,
    exit,
    waitFor: (re, count = 1) =>
      seen(re) >= count
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ re, count, resolve });
            exit.then(() => reject(new Error(`child exited before ${re}: ${lines.join(' | ')}`)));
          }),
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const CASES = [
  {
    name: 'pglite',
    url: () => {
      const d = mkdtempSync(join(tmpdir(), 'sf-store-crash-'));
      dirs.push(d);
      return d;
    },
  },
  { name: 'postgres', url: postgresUrl },
];

describe.each(CASES)('crash test on $name', (engine) => {
  let emu: HeatEmulator | undefined;
  afterAll(async () => {
    await emu?.close();
  });

  it(`SIGKILLed ${KILLS} times at random points while archiving a live deployment: 0 lost, 0 duplicated`, {
    timeout: 600_000,
  }, async () => {
    emu = await startHeatEmulator({ autoAdvanceMs: 250 });
    const RES = Array.from({ length: 60 }, (_, i) => ({ name: `r${i}` }));
    const stack = emu.addStack('crashy', createScript('crashy', RES, { stepMs: 1000 }));
    const url = engine.url();
    const schema = freshSchema();
    const args = [url, schema, emu.heatUrl, 'crashy'];
    const truthIds = () => stack.events.filter((e) => e.atMs <= (emu as HeatEmulator).now()).map((e) => e.id);
    const tsOf = new Map(stack.events.map((e) => [e.id, Date.UTC(2026, 0, 1) + Math.floor(e.atMs / 1000) * 1000]));

    /** What a restart found, checked against the emulator: nothing lost below the checkpoint, nothing twice. */
    const check = (state: { rows: Array<{ id: string; n: number }>; lowWater: number | null }) => {
      const stored = new Set(state.rows.map((r) => r.id));
      expect(state.rows.filter((r) => r.n !== 1)).toEqual([]);
      const truth = truthIds();
      expect([...stored].filter((id) => !truth.includes(id))).toEqual([]);
      const low = state.lowWater ?? Number.NEGATIVE_INFINITY;
      // Every event the provider shows before the checkpoint's low-water time is stored.
      expect(truth.filter((id) => (tsOf.get(id) as number) < low && !stored.has(id))).toEqual([]);
      return stored.size;
    };
    const stateOf = (run: Run) => {
      const line = run.lines.find((l) => l.startsWith('state '));
      return JSON.parse((line as string).slice('state '.length));
    };

    let kills = 0;
    const progress: number[] = [];
    while (kills < KILLS) {
      const run = startChild(args);
      await run.waitFor(/^ready$/);
      progress.push(check(stateOf(run)));
      // A random point: before the first batch, between batches, or in the middle of one —
      // after 0–3 more committed batches, then 0–40 ms later.
      const batches = Math.floor(Math.random() * 4);
      for (let i = 0; i < batches; i++)
        await run.waitFor(/^batch /, run.lines.filter((l) => l.startsWith('batch ')).length + 1).catch(() => {});
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
      if (run.lines.some((l) => l.startsWith('done'))) break;
      run.child.kill('SIGKILL');
      const exit = await run.exit;
      if (exit.signal === 'SIGKILL') kills++;
    }
    expect(kills).toBe(KILLS);
    // A last run to the end of the deployment.
    const last = startChild(args);
    const exit = await last.exit;
    expect(exit.code, last.lines.join('\n')).toBe(0);
    expect(last.lines.at(-1)).toBe('done succeeded');
    check(stateOf(last));
    const store = await openStore(url, { schema });
    const ids = await store.events({ stack: 'crashy' }).toArray({ limit: 10_000 });
    await store.close();
    // The end: the stored set is the emulator's ground truth, in order, each once.
    expect(ids.map((e) => e.id)).toEqual(truthIds());
    expect(ids).toHaveLength(stack.events.length);
    // The kills did land in the middle of the work, not all before it.
    expect(progress.some((n) => n > 0 && n < stack.events.length)).toBe(true);
  });
});
