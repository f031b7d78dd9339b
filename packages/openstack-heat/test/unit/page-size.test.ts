/**
 * Heat's default page size (issue 16): Heat has no server maximum, so a stack's whole history is one
 * request by default (1,810 events, as on the real Heat of the issue, took two at the old 1,000).
 */
import { createScript, type HeatEmulator, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HeatClient } from '../../src/index.js';

let emu: HeatEmulator;
const client = () => new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl });

// 904 resources and the stack itself, each IN_PROGRESS then COMPLETE: 1,810 events.
const RESOURCES = Array.from({ length: 904 }, (_, i) => ({ name: `r${i}`, type: 'OS::Heat::None' }));

beforeAll(async () => {
  emu = await startHeatEmulator();
  emu.addStack('big', createScript('big', RESOURCES, { stepMs: 10 }));
  emu.advance(3_600_000);
});
afterAll(() => emu.close());
afterEach(() => {
  emu.server.requests.length = 0;
});

const eventRequests = () =>
  emu.server.requests.filter((r) => r.path.endsWith('/events')).map((r) => new URLSearchParams(r.query));

describe('Heat page size', () => {
  it('capabilities: Heat sets no maximum; the default is 10,000 events per request', () => {
    expect(client().capabilities.pageSize).toEqual({ min: 1, max: 100_000, default: 10_000 });
  });

  it('1,810 events are one request by default (limit=10000), and every event arrives', async () => {
    const truth = emu.visibleEvents([...emu.stacks.values()][0]!).map((e) => e.id);
    expect(truth).toHaveLength(1810);
    const got = await client().listStackEvents('big').toArray({ limit: 5000 });
    expect(got.map((e) => e.id)).toEqual(truth);
    // the redirect of a lookup by name is the same request again at the canonical URL
    const sent = eventRequests();
    expect(sent.map((q) => q.get('limit'))).toEqual(sent.length === 2 ? ['10000', '10000'] : ['10000']);
    expect(sent.every((q) => !q.has('marker'))).toBe(true);
  });

  it('an explicit pageSize still pages (1,000: two pages), and one over 100,000 is sent as 100,000', async () => {
    await client().listStackEvents('big', { pageSize: 1000 }).toArray({ limit: 5000 });
    expect(
      eventRequests()
        .filter((q) => q.has('marker'))
        .map((q) => q.get('limit')),
    ).toEqual(['1000']);
    emu.server.requests.length = 0;
    const all = await client().listStackEvents('big', { pageSize: 1_000_000 }).toArray({ limit: 5000 });
    expect(all).toHaveLength(1810);
    expect(new Set(eventRequests().map((q) => q.get('limit')))).toEqual(new Set(['100000']));
  });

  it('deployments and a watch of a finished stack read the history at the default page size too', async () => {
    const heat = client();
    const deployments = await heat.listDeployments('big').toArray({ limit: 10 });
    expect(deployments).toHaveLength(1);
    // one listing, by name: Heat's lookup redirect, then the same request at the canonical URL
    expect(eventRequests().map((q) => q.get('limit'))).toEqual(['10000', '10000']);
    emu.server.requests.length = 0;
    let n = 0;
    for await (const _ of heat.watchStackEvents('big', { pollIntervalMs: 1 })) n++;
    expect(n).toBe(1810);
    // the history in one page; after it only the watch's drain after the last event
    expect(
      new Set(
        eventRequests()
          .map((q) => q.get('limit'))
          .filter((l) => l !== '0'),
      ),
    ).toEqual(new Set(['10000']));
    expect(eventRequests().filter((q) => q.has('marker')).length).toBeLessThanOrEqual(1);
  });
});
