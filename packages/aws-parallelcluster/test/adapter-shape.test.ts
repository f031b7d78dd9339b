import { StackfeedError } from '@stackfeed/core';
import { type ParallelClusterEmulator, clusterCreate, imageBuildFails } from '@stackfeed/emulator/parallelcluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParallelClusterRef } from '../src/index.js';
import { apiClient, directClient, emulator } from './helpers.js';

async function caught(p: Promise<unknown>): Promise<StackfeedError> {
  try {
    await p;
  } catch (err) {
    if (StackfeedError.is(err)) return err;
    throw err;
  }
  throw new Error('expected a StackfeedError');
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('one adapter shape: { kind, name } refs, get* reads, the old names as deprecated aliases', () => {
  let emu: ParallelClusterEmulator;

  beforeAll(async () => {
    emu = await emulator();
    clusterCreate(emu.world, { clusterName: 'hpc', queues: 2 });
    imageBuildFails(emu.world, { imageId: 'img-bad', buildSeconds: 60 });
    emu.world.advance(3_600_000);
  });
  afterAll(() => emu.close());

  for (const [mode, client] of [
    ['api', () => apiClient(emu)],
    ['direct', () => directClient(emu)],
  ] as const) {
    it(`${mode}: { kind, name } reads the same stack as the deprecated { clusterName } / { imageId }`, async () => {
      const c = client();
      const ids = async (ref: ParallelClusterRef) =>
        (await c.listStackEvents(ref).toArray({ limit: 1000 })).map((e) => e.id);
      const cluster = await ids({ kind: 'cluster', name: 'hpc' });
      expect(cluster.length).toBeGreaterThan(0);
      expect(await ids({ clusterName: 'hpc' })).toEqual(cluster);
      const image = await ids({ kind: 'image', name: 'img-bad' });
      expect(image.length).toBeGreaterThan(0);
      expect(await ids({ imageId: 'img-bad' })).toEqual(image);
      const [d] = await c.listDeployments({ kind: 'image', name: 'img-bad' }).toArray({ limit: 1 });
      expect(d?.outcome).toBe('rolled-back');
      const w = c.watchStackEvents({ kind: 'cluster', name: 'hpc' }, { pollIntervalMs: 1 });
      const watched: string[] = [];
      for await (const ev of w) watched.push(ev.id);
      // The same events (equal timestamps across nested stacks may come in another order).
      expect([...watched].sort()).toEqual([...cluster].sort());
      expect(w.result?.outcome).toBe('succeeded');
    });

    it(`${mode}: getImage / getCluster, and describeImage / describeCluster still answer the same`, async () => {
      const c = client();
      const image = await c.getImage('img-bad');
      expect(image).toMatchObject({ id: 'img-bad', state: 'FAILED' });
      expect(await c.describeImage('img-bad')).toEqual(image);
      const cluster = await c.getCluster('hpc');
      expect(cluster).toMatchObject({ name: 'hpc', clusterStatus: 'CREATE_COMPLETE' });
      expect(await c.describeCluster('hpc')).toEqual(cluster);
      expect((await caught(c.getCluster('nope'))).code).toBe('NOT_FOUND');
      expect((await caught(c.getImage('nope'))).code).toBe('NOT_FOUND');
    });
  }

  it('a ref or name that cannot address anything is CONFIG before any request', async () => {
    const c = apiClient(emu);
    const before = emu.servers.api.requests.length;
    for (const ref of [
      null,
      'hpc',
      {},
      { kind: 'stack', name: 'hpc' },
      { kind: 'cluster' },
      { kind: 'cluster', name: 'bad name' },
      { name: 'hpc' },
    ]) {
      const err = thrown(() => c.listStackEvents(ref as never));
      expect(StackfeedError.is(err, 'CONFIG'), JSON.stringify(ref)).toBe(true);
    }
    expect(
      StackfeedError.is(
        thrown(() => c.listDeployments({ kind: 'image', name: '-x' })),
        'CONFIG',
      ),
    ).toBe(true);
    expect((await caught(c.getImage('has space'))).code).toBe('CONFIG');
    expect((await caught(c.getCluster(''))).code).toBe('CONFIG');
    expect(emu.servers.api.requests.length).toBe(before);
  });
});
