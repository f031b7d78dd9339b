/** Reports on a finished scale run (the CI proof and bench/fleet/scale.ts; nothing here asserts). */
import type { Store } from '@stackfeed/store';
import type { Proc } from './fork-worker.js';
import { type LagLine, lagAnatomy, type PollsLine } from './lag-trace.js';
import { providerOf, type ScaleWorld, truthKeyOf } from './scale-source.js';

/** The lag's parts (lag-trace.ts) joined with the store's first_seen and the emulators' truth. */
export async function lagReport(store: Store, world: ScaleWorld, procs: readonly Proc[]) {
  const lines: LagLine[] = [];
  const polls: PollsLine[] = [];
  for (const p of procs) {
    for (const e of p.events as Array<{ type: string }>) {
      if (e.type === 'lag') lines.push(e as LagLine);
      else if (e.type === 'polls') polls.push(e as PollsLine);
    }
  }
  const rows = await store.query<{ provider: string; event_id: string; raw: unknown; seen: number }>(
    `select provider, event_id, raw, (extract(epoch from first_seen) * 1000)::float8 as seen from "${store.schema}".events`,
  );
  // When each event became visible at the emulator (the ground truth), by the stored event's id.
  const at = new Map<string, number>();
  for (const [placeKey, act] of world.activity) {
    for (const t of act.targets) for (const e of act.events(t.id)) at.set(`${providerOf(placeKey)}|${e.key}`, e.at);
  }
  const stored = new Map<string, number>();
  const trueTime = new Map<string, number>();
  for (const r of rows) {
    stored.set(r.event_id, r.seen);
    const t = at.get(`${r.provider}|${truthKeyOf(r.provider, { id: r.event_id, raw: r.raw })}`);
    if (t !== undefined) trueTime.set(r.event_id, t);
  }
  return lagAnatomy(lines, polls, stored, trueTime);
}

/**
 * Exactly once, per target, against the emulators' ground truth (the CI proof's rule): an event
 * log (Heat, RFS, CloudFormation under ParallelCluster) is stored as the log (RFS in any order);
 * Image Builder snapshots are states the emulator served, each once, with every end state.
 */
export async function exactlyOnce(store: Store, world: ScaleWorld) {
  const bad: Array<{ target: string; got: string[]; want: string[] }> = [];
  let targets = 0;
  /** Events the emulators' logs hold (Image Builder's served states not counted). */
  let logTotal = 0;
  for (const [placeKey, act] of world.activity) {
    const provider = providerOf(placeKey);
    for (const t of act.targets) {
      targets++;
      const stored = await store.events({ stack: t.id }).toArray({ limit: 10_000 });
      const got = stored.map((e) => truthKeyOf(provider, e));
      const truth = act.events(t.id);
      const want = truth.map((e) => e.key);
      let ok: boolean;
      if (act.truth === 'served') {
        const served = new Set(want);
        ok =
          new Set(got).size === got.length &&
          got.every((k) => served.has(k)) &&
          truth.filter((e) => e.final).every((e) => got.includes(e.key));
      } else {
        logTotal += want.length;
        const order = provider === 'huawei-rfs' ? (l: string[]) => [...l].sort() : (l: string[]) => l;
        ok = JSON.stringify(order(got)) === JSON.stringify(order(want));
      }
      if (!ok) bad.push({ target: `${t.provider} ${t.name}`, got, want });
    }
  }
  return { targets, bad, logTotal };
}
