import type { StackEvent } from '@stackfeed/core';
import { DEFAULT_QUIET_POLLS } from '@stackfeed/core/adapter';
import { type RfsEmulator, deploymentSucceeds } from '@stackfeed/emulator/rfs';
import { afterEach, describe, expect, it } from 'vitest';
import { rfsOperationMark } from '../src/watch.js';
import { client, emulator } from './fixtures.js';

let emu: RfsEmulator | undefined;
let driver: ReturnType<typeof setInterval> | undefined;
afterEach(async () => {
  if (driver) clearInterval(driver);
  await emu?.close();
  emu = undefined;
});

const T0 = Date.UTC(2025, 5, 12, 8, 0, 0);
const Q = DEFAULT_QUIET_POLLS;
const count = (e: RfsEmulator, suffix: string) => e.server.requests.filter((r) => r.path.endsWith(suffix)).length;
const polls = (e: RfsEmulator) => count(e, '/events');
const statusReads = (e: RfsEmulator) => count(e, '/metadata');

/**
 * Applies the stack's next step once every `every` event polls have arrived (counted in the
 * emulator's request log, not by time): the polls between steps are quiet. Returns the poll count
 * at which the last step was applied.
 */
function drive(e: RfsEmulator, name: string, every: number): { lastAppliedAt: number | undefined } {
  const out: { lastAppliedAt: number | undefined } = { lastAppliedAt: undefined };
  // The deployment has started (DEPLOYMENT_IN_PROGRESS) before the watch begins.
  e.store.advance(name);
  let next = every;
  driver = setInterval(() => {
    const p = polls(e);
    if (p < next || e.pending(name) === 0) return;
    e.store.advance(name);
    next = p + every;
    if (e.pending(name) === 0) out.lastAppliedAt = p;
  }, 1);
  return out;
}

async function collect(stream: AsyncIterable<StackEvent>): Promise<StackEvent[]> {
  const out: StackEvent[] = [];
  for await (const ev of stream) out.push(ev);
  return out;
}

describe('watch status checks (core StatusChecks) against the RFS emulator', () => {
  it('a deployment busy over quiet polls: far fewer GetStackMetadata than polls, within the rule, right outcome', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'busy', startAt: T0 })], progress: 'manual' });
    drive(emu, 'busy', Q + 2);
    const stream = client(emu).watchStackEvents('busy', { pollIntervalMs: 5 });
    const events = await collect(stream);
    expect(stream.result).toMatchObject({ outcome: 'succeeded', status: 'DEPLOYMENT_COMPLETE' });
    const hints = events.filter((ev) => rfsOperationMark(ev) === 'end').length;
    const asked = statusReads(emu);
    const r = stream.result!;
    // The first check, one per hint, one per `Q` quiet polls: never more.
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(asked).toBeLessThanOrEqual(1 + hints + Math.floor(r.polls / Q));
    // Before the policy every poll (the drain aside) asked.
    expect(asked).toBeLessThan(r.polls - 1);
  });

  it('a stack that settles without an end mark (no SUMMARY) ends within quietPolls + 1 polls', async () => {
    const scenario = deploymentSucceeds({ stackName: 'nohint', startAt: T0 });
    const last = scenario.steps.at(-1)!;
    scenario.steps[scenario.steps.length - 1] = { ...last, events: [] };
    emu = await emulator({ scenarios: [scenario], progress: 'manual' });
    const d = drive(emu, 'nohint', Q + 2);
    const stream = client(emu).watchStackEvents('nohint', { pollIntervalMs: 5 });
    const events = await collect(stream);
    expect(events.some((ev) => ev.status === 'SUMMARY')).toBe(false);
    expect(stream.result).toMatchObject({ outcome: 'succeeded', status: 'DEPLOYMENT_COMPLETE' });
    expect(d.lastAppliedAt).toBeDefined();
    // Polls after the status changed: at most Q quiet ones and the one that asks, the drain included.
    expect(stream.result!.polls - d.lastAppliedAt!).toBeLessThanOrEqual(Q + 1);
  });
});
