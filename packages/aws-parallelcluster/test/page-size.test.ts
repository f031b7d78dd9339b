/**
 * Page size (issue 16): neither GetClusterStackEvents (API mode) nor CloudFormation's
 * DescribeStackEvents (direct mode) takes one; the server's own pages (100 stack events) are what a
 * listing reads, so `capabilities.pageSize` is null and no size parameter is ever sent.
 */
import { type ParallelClusterEmulator, bigStack } from '@stackfeed/emulator/parallelcluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, directClient, emulator } from './helpers.js';

let emu: ParallelClusterEmulator;
beforeAll(async () => {
  emu = await emulator();
  bigStack(emu.world, { name: 'wide', events: 250 });
});
afterAll(() => emu.close());

/** The parameter names of every request a server received (query string and form body). */
const paramNames = (server: ParallelClusterEmulator['servers']['api']) =>
  server.requests.map((r) => [...new URLSearchParams(r.query).keys(), ...new URLSearchParams(r.body).keys()]);

describe('ParallelCluster page size', () => {
  it('API mode: pageSize null in capabilities; 250 events in the server’s 3 pages, no size sent', async () => {
    const c = apiClient(emu);
    expect(c.capabilities.pageSize).toBeNull();
    emu.servers.api.requests.length = 0;
    expect(await c.listClusterStackEvents('wide').toArray({ limit: 1000 })).toHaveLength(250);
    const events = emu.servers.api.requests.filter((r) => r.path.endsWith('/stackevents'));
    expect(events).toHaveLength(3);
    expect(new Set(paramNames(emu.servers.api).flat())).toEqual(new Set(['nextToken']));
  });

  it('direct mode: pageSize null in capabilities; DescribeStackEvents carries no size either', async () => {
    const c = directClient(emu);
    expect(c.capabilities.pageSize).toBeNull();
    emu.servers.cloudformation.requests.length = 0;
    expect(await c.listClusterStackEvents('wide').toArray({ limit: 1000 })).toHaveLength(250);
    const names = new Set(paramNames(emu.servers.cloudformation).flat());
    expect(names.has('Action')).toBe(true);
    expect([...names].filter((n) => /max|limit|size/i.test(n))).toEqual([]);
    const describes = emu.servers.cloudformation.requests.filter((r) => r.body.includes('Action=DescribeStackEvents'));
    expect(describes).toHaveLength(3);
  });
});
