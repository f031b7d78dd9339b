/**
 * Soak and scale (issue 8): STACKS stacks (default 200, a quarter per provider) watched at once
 * through one shared RateLimiter per provider, over SIM_MINUTES simulated minutes (default 10)
 * at SPEED simulated ms per real ms (default 6, so about 100 s real). Reports, per provider, the
 * requests the emulator received, the most in any 1 s window against the quota, events delivered
 * against the emulator's ground truth (duplicates, missing), and the process's RSS / heap over
 * time (a full GC before each sample). Writes bench/results/soak.json (or OUT); exits non-zero
 * when a check fails.
 *
 *   npx tsx --conditions=@stackfeed/source bench/soak/soak.ts
 *   STACKS=200 SIM_MINUTES=10 SPEED=6 CLIENT_LIMIT=20 QUOTA=25 npx tsx --conditions=@stackfeed/source bench/soak/soak.ts
 *
 * Knobs: STACKS, SIM_MINUTES, SPEED, CLIENT_LIMIT, QUOTA (per 1 s), SLICES (the limiter as
 * CLIENT_LIMIT/SLICES per 1000/SLICES ms: same ceiling, smaller bursts; default 1), POLL_MS
 * (watch poll interval, default 250), OUT.
 */
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openHandles, runSoak } from '../../packages/conformance/test/soak-lib.ts';
import { writeResult } from '../lib.ts';

const num = (name: string, dflt: number) => {
  const v = process.env[name];
  return v === undefined || v === '' ? dflt : Number(v);
};

// A full GC before each memory sample, so the heap series shows what stays reachable.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const before = openHandles();
const report = await runSoak({
  stacks: num('STACKS', 200),
  simMinutes: num('SIM_MINUTES', 10),
  speed: num('SPEED', 6),
  clientLimit: num('CLIENT_LIMIT', 20),
  limiterSlices: num('SLICES', 1),
  quota: num('QUOTA', 25),
  pollIntervalMs: num('POLL_MS', 250),
  gc,
  log: (l) => console.log(l),
});
// Sockets closed by the servers go away on the next turns of the loop.
await new Promise((r) => setTimeout(r, 200));
const after = openHandles();

const failures: string[] = [];
for (const p of report.providers) {
  if (p.maxPerWindow > p.quota)
    failures.push(`${p.provider}: ${p.maxPerWindow} requests in one window > quota ${p.quota}`);
  if (p.duplicates || p.missing || p.unexpected || p.exactStacks !== p.stacks)
    failures.push(`${p.provider}: delivery differs from the truth (${JSON.stringify(p)})`);
  if (p.outcomesRight !== p.stacks) failures.push(`${p.provider}: ${p.stacks - p.outcomesRight} wrong outcomes`);
}
const late = report.stacks.filter((s) => s.watchStartedAt >= s.endsAt).length;
if (late) failures.push(`${late} watches started after their deployment had ended`);
if (report.unhandledRejections) failures.push(`${report.unhandledRejections} unhandled rejections`);
if (report.abandoned) failures.push(`${report.abandoned} watches never ended`);
const leaked = Object.entries(after).filter(([k, n]) => n > (before[k] ?? 0));
if (leaked.length)
  failures.push(`open handles after the run: ${JSON.stringify(after)} (before ${JSON.stringify(before)})`);

writeResult(process.env.OUT ?? 'bench/results/soak.json', {
  benchmark: 'soak',
  node: process.version,
  loadavg: loadavg(),
  ...report,
  openHandles: { before, after },
  failures,
});

console.log('\nprovider             stacks requests 429 max/window quota events truth dup missing exact outcomes');
for (const p of report.providers) {
  console.log(
    `${p.provider.padEnd(20)} ${String(p.stacks).padStart(6)} ${String(p.requests).padStart(8)} ${String(p.throttled).padStart(3)} ${String(p.maxPerWindow).padStart(10)} ${String(p.quota).padStart(5)} ${String(p.delivered).padStart(6)} ${String(p.truthEvents).padStart(5)} ${String(p.duplicates).padStart(3)} ${String(p.missing).padStart(7)} ${String(p.exactStacks).padStart(5)} ${String(p.outcomesRight).padStart(8)}`,
  );
}
const m = report.memory;
console.log(
  `\nreal ${(report.realMs / 1000).toFixed(1)} s, simulated ${(report.simMs / 60_000).toFixed(2)} min; RSS baseline ${m.baselineRssMB} MB, peak ${m.peakRssMB} MB, slope (2nd half) ${m.rssSlopeMBPerMin} MB/min; heap baseline ${m.baselineHeapMB} MB, peak ${m.peakHeapMB} MB, slope ${m.heapSlopeMBPerMin} MB/min; load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
if (failures.length) {
  console.error(`\nFAILED:\n${failures.join('\n')}`);
  process.exitCode = 1;
} else console.log('\nall checks passed');
