/** The lag's parts for a finished scale run (the CI proof and bench/fleet/scale.ts print it; nothing is asserted). */
import type { Store } from '@stackfeed/store';
import type { Proc } from './fork-worker.js';
import { type LagLine, lagAnatomy, type PollsLine } from './lag-trace.js';
import { providerOf, type ScaleWorld, truthKeyOf } from './scale-source.js';

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
