/**
 * core's `actionPhaseSplitter` (the Heat status literal → action and phase, once per event of a
 * listing) against the splitter before session 11, which built its strings and result object on
 * every call: the same 1,000,000 literals (Heat's, in the mix a stack's events have) through each,
 * alternating rounds in one process (sideBySide), CPU ratio new / old with its spread.
 *
 * Run: pnpm build && npx tsx bench/core/status-split.ts   Knobs: CALLS (1000000), ROUNDS (15)
 */
import { actionPhaseSplitter } from '@stackfeed/core/adapter';
import { round, sideBySide, writeResult } from '../lib.js';
import { machine } from '../providers/heat-rfs-lib.js';

const CALLS = Number(process.env.CALLS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 15);

const ACTIONS = { INIT: 'CREATE', CREATE: 'CREATE', UPDATE: 'UPDATE', DELETE: 'DELETE', ROLLBACK: 'ROLLBACK' } as const;
const PHASES = { IN_PROGRESS: 'IN_PROGRESS', COMPLETE: 'COMPLETE', FAILED: 'FAILED' } as const;

/** The splitter as it was (commit 56e26ea): a template string per suffix tried, a slice, a new object. */
function oldSplitter(opts: { actions: Record<string, string>; phases: Record<string, string> }) {
  const actions = opts.actions;
  const suffixes = Object.keys(opts.phases).sort((a, b) => b.length - a.length);
  return (literal: string | null | undefined) => {
    if (!literal) return { action: 'UNKNOWN', phase: 'UNKNOWN' };
    for (const suffix of suffixes) {
      if (literal === suffix) return { action: 'UNKNOWN', phase: opts.phases[suffix] };
      if (literal.endsWith(`_${suffix}`)) {
        const prefix = literal.slice(0, -(suffix.length + 1));
        return { action: Object.hasOwn(actions, prefix) ? actions[prefix] : 'UNKNOWN', phase: opts.phases[suffix] };
      }
    }
    return { action: Object.hasOwn(actions, literal) ? actions[literal] : 'UNKNOWN', phase: 'UNKNOWN' };
  };
}

// Literals as a listing sees them: fresh strings (as JSON.parse makes them), mostly two per resource.
const MIX = ['CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'UPDATE_FAILED'];
const literals = Array.from({ length: CALLS }, (_, i) => JSON.parse(JSON.stringify(MIX[i % MIX.length])) as string);

let sink: unknown;
const run = (split: (l: string) => { action: string; phase: string }) => async () => {
  let n = 0;
  for (const l of literals) {
    const r = split(l);
    if (r.phase === 'COMPLETE') n++;
    sink = r;
  }
  if (n === 0) throw new Error('no literal split');
};
const now = actionPhaseSplitter({ actions: { ...ACTIONS }, phases: { ...PHASES } });
const old = oldSplitter({ actions: { ...ACTIONS }, phases: { ...PHASES } });
for (const l of new Set(MIX)) {
  if (JSON.stringify(now(l)) !== JSON.stringify(old(l))) throw new Error(`splitters differ on ${l}`);
}
const before = machine();
const r = await sideBySide(run(now), run(old), { rounds: ROUNDS, warmup: 2 });
const result = {
  benchmark:
    'actionPhaseSplitter (a frozen result per literal) vs the splitter before (new strings and object per call)',
  calls: CALLS,
  rounds: ROUNDS,
  ...machine(),
  loadAverage1mBefore: before.loadAverage1m,
  ratioCpu: round(r.cpuRatio),
  ratioCpuIqr: r.cpuRatioIqr,
  ratioWall: round(r.ratio),
  ratioWallIqr: r.ratioIqr,
  nsPerCallNew: round((r.aMedianMs * 1e6) / CALLS, 1),
  nsPerCallOld: round((r.bMedianMs * 1e6) / CALLS, 1),
};
void sink;
console.log(JSON.stringify(result, null, 2));
writeResult(new URL('../results/core-status-split.json', import.meta.url).pathname, result);
