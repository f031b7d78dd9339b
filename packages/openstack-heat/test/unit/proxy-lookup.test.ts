import type { StackEvent } from '@stackfeed/core';
import { type EmulatorServer, startEmulator } from '@stackfeed/emulator';
import { type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeatClient } from '../../src/index.js';

/**
 * Heat behind a TLS-terminating proxy builds its 302 `Location` (and its links) from its own
 * `http://…` host URL, an origin the client never talked to. Here that origin is a trap server:
 * a name-only ref must still resolve, on the configured endpoint, and the trap sees nothing.
 */
let emu: HeatEmulator;
let trap: EmulatorServer;
const TOKEN = 'noauth-token-proxy-0001';
const client = () => new HeatClient({ auth: { type: 'none', token: TOKEN }, endpoint: emu.heatUrl });

beforeAll(async () => {
  trap = await startEmulator({ handler: () => ({ status: 200, body: { events: [], stack: {} } }) });
  emu = await startHeatEmulator({ locationBase: trap.url });
  emu.addStack('web', createScript('web', [{ name: 'r0' }, { name: 'r1' }]));
  emu.advance(60_000);
});
afterAll(async () => {
  await emu.close();
  await trap.close();
});

describe('name-only refs when the Location names another origin', () => {
  it('lists, pages, shows and watches by name; nothing goes to the Location origin', async () => {
    const s = [...emu.stacks.values()][0]!;
    const truth = emu.visibleEvents(s).map((e) => e.id);
    const listed = await client().listStackEvents('web', { pageSize: 3 }).toArray({ limit: 100 });
    expect(listed.map((e) => e.id)).toEqual(truth);
    const info = await client().getStack('web');
    expect(info).toMatchObject({ id: s.id, name: 'web', status: 'CREATE_COMPLETE' });
    const one = await client().getEvent('web', 'r0', listed[1]!.id);
    expect(one.resource.type).toBe('OS::Heat::RandomString');
    const res = await client().listResourceEvents(s.id, 'r1').toArray({ limit: 100 });
    expect(res.map((e) => e.status)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
    const watched: StackEvent[] = [];
    for await (const e of client().watchStackEvents('web', { pollIntervalMs: 5 })) watched.push(e);
    expect(watched.map((e) => e.id)).toEqual(truth);
    expect(trap.requests).toHaveLength(0);
    expect(emu.server.requests.length).toBeGreaterThan(5);
    expect(emu.server.requests.every((r) => r.headers['x-auth-token'] === TOKEN)).toBe(true);
  });
});
