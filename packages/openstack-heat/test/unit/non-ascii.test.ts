import { type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeatClient } from '../../src/index.js';

/**
 * A real Heat 19 reads a resource name in a URL path as Latin-1, so its own self link for a
 * resource named `ü` answers 404 (the emulator does the same); the `resource_name` query filter
 * is decoded correctly. The client falls back to it.
 */
let emu: HeatEmulator;
const client = () => new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl });

beforeAll(async () => {
  emu = await startHeatEmulator();
  emu.addStack('uml', createScript('uml', [{ name: 'ü', type: 'OS::Heat::None' }, { name: 'plain' }]));
  emu.advance(60_000);
});
afterAll(() => emu.close());

const stack = () => [...emu.stacks.values()][0]!;

describe('non-ASCII resource names', () => {
  it('the emulator, like Heat, answers 404 on the self link of `ü`', async () => {
    const ev = emu.visibleEvents(stack()).find((e) => e.resource_name === 'ü')!;
    const self = (ev.links as Array<{ href: string; rel: string }>).find((l) => l.rel === 'self')!.href;
    expect(self).toContain('/resources/%C3%BC/events/');
    expect((await fetch(self)).status).toBe(404);
    const filtered = await fetch(`${emu.heatUrl}/stacks/uml/${stack().id}/events?resource_name=%C3%BC`);
    expect(((await filtered.json()) as { events: unknown[] }).events).toHaveLength(2);
  });

  it('listResourceEvents answers through the stack list with resource_name', async () => {
    const got = await client().listResourceEvents('uml', 'ü', { pageSize: 1 }).toArray({ limit: 10 });
    expect(got.map((e) => `${e.resource.logicalId}:${e.status}`)).toEqual([
      'ü:CREATE_IN_PROGRESS',
      'ü:CREATE_COMPLETE',
    ]);
    const both = await client().listResourceEvents('uml', 'ü', { resourceName: 'plain' }).toArray({ limit: 10 });
    expect(both).toEqual([]);
  });

  it('getEvent falls back to the stack list and finds the event', async () => {
    const want = emu.visibleEvents(stack()).filter((e) => e.resource_name === 'ü')[1]!;
    const got = await client().getEvent('uml', 'ü', want.id as string);
    expect(got).toMatchObject({ id: want.id, status: 'CREATE_COMPLETE', resource: { logicalId: 'ü' } });
    const missing = await client()
      .getEvent('uml', 'ü', '00000000-0000-4000-8000-000000000000')
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'NOT_FOUND' });
  });
});
