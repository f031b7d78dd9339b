import type { StackEvent } from '@stackfeed/core';
import { type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterEach, describe, expect, it } from 'vitest';
import { HeatClient } from '../../src/index.js';

let emu: HeatEmulator;
afterEach(() => emu.close());

const RES = Array.from({ length: 14 }, (_, i) => ({ name: `r${i}` }));

describe('watch paging', () => {
  it('a listing in a stable order that is not time order loses nothing (full re-read, dedupe by id)', async () => {
    emu = await startHeatEmulator({ unorderedListing: true, autoAdvanceMs: 3000 });
    const s = emu.addStack('shuffled', createScript('shuffled', RES, { stepMs: 1000 }));
    const w = new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl }).watchStackEvents('shuffled', {
      pollIntervalMs: 5,
      pageSize: 4,
    });
    const got: StackEvent[] = [];
    for await (const e of w) got.push(e);
    const truth = emu.visibleEvents(s).map((e) => e.id);
    expect(truth).toHaveLength(30);
    expect(new Set(got.map((e) => e.id))).toEqual(new Set(truth));
    expect(got).toHaveLength(30);
    expect(w.result?.fullRereadPolls).toBeGreaterThan(0);
  });

  it('caps the pages of one poll and says so (cappedPolls); the next poll goes on', async () => {
    emu = await startHeatEmulator();
    const many = Array.from({ length: 120 }, (_, i) => ({ name: `m${i}` }));
    const s = emu.addStack('many', createScript('many', many, { stepMs: 10 }));
    emu.advance(60_000);
    const w = new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl }).watchStackEvents('many', {
      pollIntervalMs: 1,
      pageSize: 1,
    });
    const got: StackEvent[] = [];
    for await (const e of w) got.push(e);
    expect(got.map((e) => e.id)).toEqual(emu.visibleEvents(s).map((e) => e.id));
    expect(w.result?.cappedPolls).toBeGreaterThan(0);
  });

  it('a Heat that ignores every marker: each poll stops at the repeated marker (two requests), not at the page cap', async () => {
    emu = await startHeatEmulator();
    const s = emu.addStack('deaf', createScript('deaf', RES, { stepMs: 10 }));
    emu.advance(60_000);
    // Every request with a marker is answered with the listing's first page, as if it had none.
    let first: unknown;
    emu.server.faults.inject(
      {
        kind: 'transform',
        rewrite: (body, req) => {
          if (!req.url.searchParams.has('marker')) first = body;
          return first ?? body;
        },
      },
      { match: (r) => r.url.pathname.endsWith('/events'), times: Number.POSITIVE_INFINITY },
    );
    const w = new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl }).watchStackEvents('deaf', {
      pollIntervalMs: 1,
      pageSize: 4,
    });
    const got: StackEvent[] = [];
    for await (const e of w) got.push(e);
    // Only the first page can be seen, each of its events once.
    expect(got.map((e) => e.id)).toEqual(
      emu
        .visibleEvents(s)
        .slice(0, 4)
        .map((e) => e.id),
    );
    expect(w.result).toMatchObject({ outcome: 'succeeded', cappedPolls: 0, polls: 2 });
    const withMarker = emu.server.requests.filter((r) => r.path.endsWith('/events') && r.query.includes('marker='));
    // Poll 1: the first page, then its marker answered with the same page; the final drain: that marker once.
    expect(withMarker).toHaveLength(2);
  });
});
