import type { StackEvent } from '@stackfeed/core';
import { DEFAULT_QUIET_POLLS, stackOperationMark } from '@stackfeed/core/adapter';
import type { RecordedRequest } from '@stackfeed/emulator';
import { type ParallelClusterEmulator, clusterCreate } from '@stackfeed/emulator/parallelcluster';
import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, directClient, emulator } from './helpers.js';

const Q = DEFAULT_QUIET_POLLS;
let emu: ParallelClusterEmulator | undefined;
let driver: ReturnType<typeof setInterval> | undefined;
afterEach(async () => {
  if (driver) clearInterval(driver);
  await emu?.close();
  emu = undefined;
});

interface Mode {
  name: 'api' | 'direct';
  requests: (e: ParallelClusterEmulator) => RecordedRequest[];
  isPoll: (r: RecordedRequest) => boolean;
  isStatus: (r: RecordedRequest) => boolean;
  client: typeof apiClient;
}
const MODES: Mode[] = [
  {
    name: 'api',
    requests: (e) => e.servers.api.requests,
    isPoll: (r) => r.path.endsWith('/stackevents'),
    isStatus: (r) => /\/v3\/clusters\/[^/]+$/.test(r.path),
    client: apiClient,
  },
  {
    name: 'direct',
    requests: (e) => e.servers.cloudformation.requests,
    // The root stack's listing (by name or by its id), not the nested stacks' of the same poll.
    isPoll: (r) =>
      r.body.includes('Action=DescribeStackEvents') && /StackName=(wc(&|$)|[^&]*stack%2Fwc%2F)/.test(r.body),
    isStatus: (r) => r.body.includes('Action=DescribeStacks'),
    client: directClient,
  },
];

/** Moves the world's clock on by `stepMs` once every `every` event polls (counted, not timed) until `until`. */
function drive(e: ParallelClusterEmulator, mode: Mode, every: number, stepMs: number, until: number): void {
  let next = every;
  driver = setInterval(() => {
    const p = mode.requests(e).filter(mode.isPoll).length;
    if (p < next || e.world.now() > until) return;
    e.world.advance(stepMs);
    next = p + every;
  }, 1);
}

describe.each(MODES)('watch status checks (core StatusChecks), ParallelCluster $name mode', (mode) => {
  it('a cluster create busy over quiet polls: fewer cluster reads than polls, within the rule, right outcome', async () => {
    emu = await emulator();
    const truth = clusterCreate(emu.world, { clusterName: 'wc', queues: 1 });
    emu.world.advance(1000);
    drive(emu, mode, Q + 2, 4000, truth.endsAt);
    const stream = mode.client(emu).watchClusterStackEvents('wc', { pollIntervalMs: 5 });
    const events: StackEvent[] = [];
    for await (const ev of stream) events.push(ev);
    expect(stream.result).toMatchObject({ outcome: 'succeeded', status: 'CREATE_COMPLETE' });
    const mark = stackOperationMark({ name: 'wc' });
    const hints = events.filter((ev) => mark(ev) === 'end').length;
    const asked = mode.requests(emu).filter(mode.isStatus).length;
    const polls = stream.result!.polls;
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(asked).toBeLessThanOrEqual(1 + hints + Math.floor(polls / Q));
    // Before the policy every poll but the drain asked.
    expect(asked).toBeLessThan(polls - 1);
  });
});
