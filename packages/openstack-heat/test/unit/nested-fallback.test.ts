import type { StackEvent } from '@stackfeed/core';
import { type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterEach, describe, expect, it } from 'vitest';
import { HeatClient } from '../../src/index.js';

/**
 * An older Heat without `nested_depth` ignores the parameter (no `root_stack` links, no nested
 * events). python-heatclient then walks the nested stacks itself; so does the client.
 */
let emu: HeatEmulator;
afterEach(() => emu.close());
const client = () => new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl });

async function nestedScenario(autoAdvanceMs = 0) {
  emu = await startHeatEmulator({ nestedDepth: false, autoAdvanceMs });
  const root = emu.addStack('root', [
    { atMs: 0, resource: 'root', status: 'CREATE_IN_PROGRESS', reason: 'Stack CREATE started' },
    { atMs: 1000, resource: 'group', status: 'CREATE_IN_PROGRESS', type: 'OS::Heat::ResourceGroup' },
    { atMs: 9000, resource: 'group', status: 'CREATE_COMPLETE', type: 'OS::Heat::ResourceGroup' },
    { atMs: 10_000, resource: 'root', status: 'CREATE_COMPLETE', reason: 'Stack CREATE completed successfully' },
  ]);
  const mid = emu.addStack(
    'root-group-abc',
    [
      ...createScript('root-group-abc', [{ name: 'leaf', type: 'OS::Heat::Stack' }, { name: 'x' }], {
        startMs: 2000,
        stepMs: 1000,
      }),
    ],
    { parent: root.id },
  );
  emu.addStack('deep', createScript('deep', [{ name: 'y' }], { startMs: 3500, stepMs: 200 }), {
    parent: mid.id,
    parentResource: 'leaf',
  });
  return root;
}

const byTime = (evs: StackEvent[]) =>
  evs.every((e, i) => i === 0 || (evs[i - 1] as StackEvent).timestamp.getTime() <= e.timestamp.getTime());

describe('a Heat without nested_depth', () => {
  it('the emulator ignores nested_depth there, as an older Heat does', async () => {
    const root = await nestedScenario();
    emu.advance(60_000);
    const res = await fetch(`${emu.heatUrl}/stacks/root/${root.id}/events?nested_depth=2`);
    const body = (await res.json()) as { events: Array<{ links: Array<{ rel: string }> }> };
    expect(body.events).toHaveLength(4);
    expect(body.events.some((e) => e.links.some((l) => l.rel === 'root_stack'))).toBe(false);
  });

  it('lists nested events by walking the nested stacks, in time order, paged or not', async () => {
    const root = await nestedScenario();
    emu.advance(60_000);
    const truth = emu.visibleEvents(root, 2).map((e) => e.id as string);
    expect(truth).toHaveLength(4 + 6 + 4);
    const all = await client().listStackEvents('root', { nestedDepth: 2 }).toArray({ limit: 100 });
    expect(new Set(all.map((e) => e.id))).toEqual(new Set(truth));
    expect(all).toHaveLength(truth.length);
    expect(byTime(all)).toBe(true);
    expect(all.filter((e) => e.stack.name === 'deep').every((e) => e.stack.rootId === root.id)).toBe(true);
    const paged = await client().listStackEvents('root', { nestedDepth: 2, pageSize: 3 }).toArray({ limit: 100 });
    expect(paged.map((e) => e.id)).toEqual(all.map((e) => e.id));
    const one = await client().listStackEvents('root', { nestedDepth: 1 }).toArray({ limit: 100 });
    expect(one).toHaveLength(4 + 6);
    const yOnly = await client().listStackEvents('root', { nestedDepth: 2, resourceName: 'y' }).toArray({ limit: 100 });
    expect(yOnly.map((e) => e.status)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
  });

  it('a watch with nestedDepth yields the nested events too and ends on the root stack', async () => {
    await nestedScenario(700);
    const got: StackEvent[] = [];
    for await (const e of client().watchStackEvents('root', { nestedDepth: 2, pollIntervalMs: 5 })) got.push(e);
    expect(got).toHaveLength(14);
    expect(new Set(got.map((e) => e.id)).size).toBe(14);
    expect(got.filter((e) => e.stack.name === 'deep')).toHaveLength(4);
  });
});
