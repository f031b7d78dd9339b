/**
 * `limit` (pageSize) bounds: 10..1000, the range the official Java SDK's request models state for
 * ListStackEvents and ListStacks. The clamp is core's paginator's, fed from one constant.
 */
import { type RfsEmulator, largeStack } from '@stackfeed/emulator/rfs';
import { afterEach, describe, expect, it } from 'vitest';
import { client, emulator } from './fixtures.js';

let emu: RfsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const limits = (e: RfsEmulator, suffix: string) =>
  e.server.requests.filter((r) => r.path.endsWith(suffix)).map((r) => new URLSearchParams(r.query).get('limit'));

describe('page size', () => {
  it('capabilities state the documented 10..1000, and the largest as the default', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 30 })] });
    expect(client(emu).capabilities.pageSize).toEqual({ min: 10, max: 1000, default: 1000 });
  });

  it('without pageSize every list and watch poll asks for 1000 (not the server default of 100): 1,500 events in 2 requests', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 1500 })] });
    const rfs = client(emu);
    const events = await rfs.listStackEvents('big', { order: 'newest-first' }).toArray({ limit: 5000 });
    expect(events).toHaveLength(1500);
    expect(limits(emu, '/events')).toEqual(['1000', '1000']);
    emu.server.requests.length = 0;
    await rfs.listStacks().toArray({ limit: 10 });
    expect(limits(emu, '/stacks')).toEqual(['1000']);
    emu.server.requests.length = 0;
    for await (const _ of rfs.watchStackEvents('big', { pollIntervalMs: 1 })) {
      // drain
    }
    expect(new Set(limits(emu, '/events'))).toEqual(new Set(['1000']));
  });

  it('a pageSize under 10 is sent as 10, over 1000 as 1000, on lists and on watch polls', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 30 })] });
    const rfs = client(emu);
    const few = await rfs.listStackEvents('big', { pageSize: 1, order: 'newest-first' }).toArray({ limit: 3 });
    expect(few.length).toBe(3);
    expect(limits(emu, '/events')).toEqual(['10']);
    emu.server.requests.length = 0;
    await rfs.listStackEvents('big', { pageSize: 5000, order: 'newest-first' }).toArray({ limit: 100 });
    expect(limits(emu, '/events')).toEqual(['1000']);
    emu.server.requests.length = 0;
    // Oldest first reads the whole listing, at the largest page size whatever pageSize says.
    await rfs.listStackEvents('big', { pageSize: 10 }).toArray({ limit: 100 });
    expect(limits(emu, '/events')).toEqual(['1000']);
    emu.server.requests.length = 0;
    await rfs.listStacks({ pageSize: 2 }).toArray({ limit: 10 });
    expect(limits(emu, '/stacks')).toEqual(['10']);
    emu.server.requests.length = 0;
    const watch = rfs.watchStackEvents('big', { pageSize: 3, pollIntervalMs: 1 });
    for await (const _ of watch) {
      // drain
    }
    expect(new Set(limits(emu, '/events'))).toEqual(new Set(['10']));
  });
});
