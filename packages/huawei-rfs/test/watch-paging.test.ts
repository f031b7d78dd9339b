/**
 * The watch's paging policy, through the client against the emulator: a poll pages through core's
 * drainPages, which stops on a marker it has already followed (a server that answers every marker
 * with the same `next_marker`) and where the poll reaches events older than what it has read.
 */
import type { StackEvent } from '@stackfeed/core';
import { type RfsEmulator, largeStack } from '@stackfeed/emulator/rfs';
import { afterEach, describe, expect, it } from 'vitest';
import { client, emulator } from './fixtures.js';

let emu: RfsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const T0 = Date.UTC(2025, 5, 12, 8, 0, 0);

async function collect(stream: AsyncIterable<StackEvent>): Promise<StackEvent[]> {
  const out: StackEvent[] = [];
  for await (const ev of stream) out.push(ev);
  return out;
}

describe('watch paging policy', () => {
  it('a server that hands back the marker it was sent: each poll stops at the repeated marker, not at the page cap', async () => {
    emu = await emulator({ scenarios: [], progress: 'manual' });
    emu.addScenario(largeStack({ stackName: 'stuck', eventCount: 500, startAt: T0 }));
    emu.finish('stuck');
    emu.server.faults.inject(
      {
        kind: 'transform',
        rewrite: (body, req) => {
          const b = body as { page_info?: Record<string, unknown> };
          return { ...b, page_info: { ...b.page_info, next_marker: req.url.searchParams.get('marker') } };
        },
      },
      {
        match: (r) => r.url.pathname.endsWith('/events') && r.url.searchParams.has('marker'),
        times: Number.POSITIVE_INFINITY,
      },
    );
    const stream = client(emu).watchStackEvents('stuck', { pollIntervalMs: 5, pageSize: 100 });
    const events = await collect(stream);
    const eventCalls = emu.server.requests.filter((r) => r.path.endsWith('/stuck/events')).length;
    // Poll 1: the first page and the page its marker names, whose next marker is the same one.
    // The final drain stops after its first page (it reaches below what poll 1 read).
    expect(eventCalls).toBe(3);
    expect(stream.result).toMatchObject({ outcome: 'succeeded', cappedPolls: 0 });
    expect(events).toHaveLength(200);
    expect(new Set(events.map((e) => e.id)).size).toBe(200);
  });

  it('stops paging where a page reaches below the newest event already read (the final drain reads one page)', async () => {
    emu = await emulator({ scenarios: [], progress: 'manual' });
    emu.addScenario(largeStack({ stackName: 'done', eventCount: 500, startAt: T0 }));
    emu.finish('done');
    const stream = client(emu).watchStackEvents('done', { pollIntervalMs: 5, pageSize: 100 });
    const events = await collect(stream);
    const eventCalls = emu.server.requests.filter((r) => r.path.endsWith('/done/events')).length;
    expect(events).toHaveLength(emu.stack('done')?.events.length ?? -1);
    // Poll 1 reads the five pages; the final drain one.
    expect(stream.result?.polls).toBe(2);
    expect(eventCalls).toBe(5 + 1);
  });
});
