import type { StackfeedError } from '@stackfeed/core';
import { type ParallelClusterEmulator, clusterCreate } from '@stackfeed/emulator/parallelcluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, directClient, emulator } from './helpers.js';

/** The contract's list order: oldest first by default on every provider, `order` the same everywhere. */
describe('stack event lists: oldest first by default, `order` option', () => {
  let emu: ParallelClusterEmulator;
  beforeAll(async () => {
    emu = await emulator({ eventsPageSize: 4 });
    clusterCreate(emu.world, { clusterName: 'hpc' });
    emu.world.advance(3 * 3600_000);
  });
  afterAll(() => emu.close());

  it('limit N takes the N oldest, the same N in both modes', async () => {
    const api = await apiClient(emu).listClusterStackEvents('hpc').toArray({ limit: 5 });
    const all = await apiClient(emu).listClusterStackEvents('hpc').toArray({ limit: 10_000 });
    expect(api.map((e) => e.id)).toEqual(all.slice(0, 5).map((e) => e.id));
    expect(all[0]).toMatchObject({ status: 'CREATE_IN_PROGRESS', isStackEvent: true });
    const times = all.map((e) => e.timestamp.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Direct mode adds the nested stacks' events, interleaved by time; its root events are API mode's.
    const direct = await directClient(emu).listClusterStackEvents('hpc').toArray({ limit: 10_000 });
    const directTimes = direct.map((e) => e.timestamp.getTime());
    expect(directTimes).toEqual([...directTimes].sort((a, b) => a - b));
    const rootOnly = direct.filter((e) => e.stack.id === all[0]?.stack.id);
    expect(rootOnly.map((e) => e.id)).toEqual(all.map((e) => e.id));
  });

  it("order: 'newest-first' is CloudFormation's own order; limit N takes the N newest", async () => {
    const all = await apiClient(emu).listClusterStackEvents('hpc').toArray({ limit: 10_000 });
    const newest = await apiClient(emu).listClusterStackEvents('hpc', { order: 'newest-first' }).toArray({ limit: 3 });
    expect(newest.map((e) => e.id)).toEqual(
      [...all]
        .reverse()
        .slice(0, 3)
        .map((e) => e.id),
    );
  });

  it('an unknown order is CONFIG', () => {
    expect(() => apiClient(emu).listClusterStackEvents('hpc', { order: 'sideways' as never })).toThrow(
      expect.objectContaining({ code: 'CONFIG' }) as StackfeedError,
    );
  });
});
