/**
 * Every combination of filters is an intersection: what the server filters (RFS `filter`, ANDed
 * across keys) and what stackfeed filters locally (values outside the filter grammar, `since`,
 * a phase with no event type, a key the caller's own `filter` already uses) together give exactly
 * the events that satisfy every filter, checked against the unfiltered listing.
 */
import type { Phase, StackEvent } from '@stackfeed/core';
import { type RfsEmulator, deploymentFailsAndRollsBack } from '@stackfeed/emulator/rfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RfsClient, RfsEventFilter, RfsListEventsOptions } from '../src/index.js';
import { client, emulator } from './fixtures.js';

const T0 = Date.UTC(2025, 5, 12, 8, 0, 0);
let emu: RfsEmulator;
let rfs: RfsClient;
let full: StackEvent[];

beforeAll(async () => {
  emu = await emulator({
    scenarios: [
      deploymentFailsAndRollsBack({
        stackName: 'mix',
        startAt: T0,
        resources: [
          { type: 'huaweicloud_vpc', name: 'vpc', seconds: 2 },
          { type: 'huaweicloud_vpc_subnet', name: 'sub-net', count: 2, seconds: 2 },
          { type: 'huaweicloud_compute_instance', name: 'server', forEach: ['web', 'api'], seconds: 3 },
        ],
      }),
    ],
    progress: 'manual',
  });
  emu.finish('mix');
  rfs = client(emu);
  full = await rfs.listStackEvents('mix').toArray({ limit: 10_000 });
});
afterAll(() => emu.close());

const asList = <T>(v: T | readonly T[] | undefined): readonly T[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? (v as readonly T[]) : [v as T];

/** The reference: each filter on its own, ANDed, over the unfiltered listing. */
function expected(o: RfsListEventsOptions): string[] {
  const names = asList(o.resourceName);
  const types = asList(o.resourceType);
  const phases = asList(o.phase);
  const eventTypes = asList(o.filter?.eventType);
  return full
    .filter(
      (e) =>
        (!names || names.includes(e.resource.name ?? '')) &&
        (!types || types.includes(e.resource.type ?? '')) &&
        (!phases || phases.includes(e.phase)) &&
        (!o.since || e.timestamp.getTime() >= o.since.getTime()) &&
        (!eventTypes || (eventTypes as readonly string[]).includes(e.status)),
    )
    .map((e) => e.id);
}

describe('filters are an intersection in every combination', () => {
  it('the scenario exercises both kinds of filter', () => {
    expect(full.some((e) => e.resource.name === 'sub-net')).toBe(true);
    expect(full.some((e) => e.phase === 'FAILED')).toBe(true);
    expect(full.some((e) => e.phase === 'INFO')).toBe(true);
  });

  it('resourceName × resourceType × phase × since × filter.eventType', async () => {
    const mid = new Date(T0 + 5000);
    const nameOpts = [undefined, 'vpc', 'sub-net', ['vpc', 'server'], []];
    const typeOpts = [undefined, 'huaweicloud_vpc', ['huaweicloud_compute_instance', 'huaweicloud_vpc_subnet']];
    const phaseOpts: Array<Phase | Phase[] | undefined> = [
      undefined,
      'FAILED',
      'COMPLETE',
      ['IN_PROGRESS', 'UNKNOWN'],
      'INFO',
    ];
    const sinceOpts = [undefined, mid];
    const filterOpts: Array<RfsEventFilter | undefined> = [
      undefined,
      { eventType: ['ERROR', 'CREATION_FAILED', 'LOG'] },
    ];
    let nonEmpty = 0;
    let combos = 0;
    for (const resourceName of nameOpts)
      for (const resourceType of typeOpts)
        for (const phase of phaseOpts)
          for (const since of sinceOpts)
            for (const filter of filterOpts) {
              const o: RfsListEventsOptions = { resourceName, resourceType, phase, since, filter };
              const got = (await rfs.listStackEvents('mix', o).toArray({ limit: 10_000 })).map((e) => e.id);
              expect(got, JSON.stringify(o)).toEqual(expected(o));
              combos++;
              if (got.length > 0) nonEmpty++;
            }
    expect(combos).toBe(300);
    // Enough combinations keep events for the comparison to mean something.
    expect(nonEmpty).toBeGreaterThan(40);
  }, 120_000);

  it('an empty list of values matches nothing (the intersection with an empty set), on the server path too', async () => {
    expect(await rfs.listStackEvents('mix', { resourceName: [] }).toArray({ limit: 100 })).toEqual([]);
    expect(await rfs.listStackEvents('mix', { resourceType: [] }).toArray({ limit: 100 })).toEqual([]);
    expect(await rfs.listStackEvents('mix', { phase: [] }).toArray({ limit: 100 })).toEqual([]);
  });

  it('common filters too long for the 512-character RFS filter are applied locally, not refused', async () => {
    const names = [...Array.from({ length: 60 }, (_, i) => `resource_${i}`), 'vpc'];
    const got = await rfs.listStackEvents('mix', { resourceName: names, phase: 'COMPLETE' }).toArray({ limit: 100 });
    expect(got.map((e) => e.id)).toEqual(expected({ resourceName: names, phase: 'COMPLETE' }));
    expect(got.length).toBeGreaterThan(0);
    // The phase still went to the server; the names could not.
    const q = new URLSearchParams(emu.server.requests.filter((r) => r.path.endsWith('/events')).at(-1)?.query);
    expect(q.get('filter')).toBe(
      'event_type==CREATION_COMPLETE|event_type==DELETION_COMPLETE|event_type==UPDATE_COMPLETE',
    );
  });
});

describe('the typed RFS filter', () => {
  it('an empty list of values is CONFIG (sent as no clause it would match everything)', () => {
    expect(() => rfs.listStackEvents('mix', { filter: { eventType: [] } })).toThrow(/empty list/);
    expect(() => rfs.listStackEvents('mix', { filter: { resourceName: [] } })).toThrow(/empty list/);
  });
});
