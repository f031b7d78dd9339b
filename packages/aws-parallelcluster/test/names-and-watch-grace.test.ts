import { StackfeedError, type StackEvent } from '@stackfeed/core';
import { type ParallelClusterEmulator, imageBuildSucceeds } from '@stackfeed/emulator/parallelcluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParallelClusterClient } from '../src/index.js';
import { apiClient, directClient, emulator } from './helpers.js';

/** Names the OpenAPI spec's `^[a-zA-Z][a-zA-Z0-9-]+$` (and the 128-character stack name) refuses. */
const BAD_NAMES: unknown[] = [
  '',
  'a',
  '-bad',
  '1abc',
  'has space',
  'a/b',
  'a..b',
  'under_score',
  'dot.ted',
  'ümlaut',
  `a${'b'.repeat(128)}`,
  123,
  undefined,
];

async function settle(fn: () => unknown): Promise<unknown> {
  try {
    const r = fn();
    if (r && typeof (r as Promise<unknown>).then === 'function') await r;
    else if (r && typeof (r as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
      for await (const _ of r as AsyncIterable<unknown>) {
        /* drain */
      }
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('imageId / clusterName outside the spec pattern: CONFIG before any request', () => {
  let emu: ParallelClusterEmulator;
  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(() => emu.close());

  const calls = (c: ParallelClusterClient, n: never): Array<[string, () => unknown]> => [
    ['describeImage', () => c.describeImage(n)],
    ['describeCluster', () => c.describeCluster(n)],
    ['listImageStackEvents', () => c.listImageStackEvents(n)],
    ['listClusterStackEvents', () => c.listClusterStackEvents(n)],
    ['listImageLogStreams', () => c.listImageLogStreams(n)],
    ['listImageLogEvents', () => c.listImageLogEvents(n, '3.12.0/1')],
    ['watchImageBuild', () => c.watchImageBuild(n, { pollIntervalMs: 10 })],
    ['watchClusterStackEvents', () => c.watchClusterStackEvents(n, { pollIntervalMs: 10 })],
    ['listStackEvents', () => c.listStackEvents({ imageId: n })],
    ['watchStackEvents', () => c.watchStackEvents({ clusterName: n }, { pollIntervalMs: 10 })],
  ];

  for (const mode of ['api', 'direct'] as const) {
    it(`${mode} mode: every method, every bad name`, async () => {
      const c = mode === 'api' ? apiClient(emu) : directClient(emu);
      const before = Object.values(emu.servers).reduce((n, s) => n + s.requests.length, 0);
      for (const name of BAD_NAMES) {
        for (const [op, call] of calls(c, name as never)) {
          const err = await settle(call);
          expect(StackfeedError.is(err), `${op}(${String(name)}): ${String(err)}`).toBe(true);
          const e = err as StackfeedError;
          if (typeof name !== 'string' && (op === 'listStackEvents' || op === 'watchStackEvents')) {
            // { imageId: 123 } is not a reference at all.
            expect(e.code).toBe('CONFIG');
            continue;
          }
          expect(e.code, `${op}(${String(name)})`).toBe('CONFIG');
          expect(e.retryable).toBe(false);
          expect(e.message).toMatch(/\^\[a-zA-Z\]\[a-zA-Z0-9-\]\+\$/);
        }
      }
      const after = Object.values(emu.servers).reduce((n, s) => n + s.requests.length, 0);
      expect(after - before).toBe(0);
    });
  }

  it('a name inside the pattern is sent (and a missing one is NOT_FOUND from the service)', async () => {
    const c = apiClient(emu);
    const before = emu.servers.api.requests.length;
    await expect(c.describeImage('Ab-1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(c.describeCluster(`a${'b'.repeat(127)}`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(emu.servers.api.requests.length - before).toBe(2);
  });
});

describe('watchImageBuild: an image not found before it was ever seen', () => {
  for (const mode of ['api', 'direct'] as const) {
    it(`${mode} mode: a build that shows up after a few polls is followed to success, not "deleted"`, async () => {
      const emu = await emulator({ requestStepMs: 2000 });
      try {
        // Requested, but invisible for the first 20 s of the scenario clock (several polls).
        const truth = imageBuildSucceeds(emu.world, { imageId: 'late-image', buildSeconds: 60, startInMs: 20_000 });
        const c = mode === 'api' ? apiClient(emu) : directClient(emu);
        // Not there yet when the watch starts.
        await expect(c.describeImage('late-image')).rejects.toMatchObject({ code: 'NOT_FOUND' });
        const stream = c.watchImageBuild('late-image', { pollIntervalMs: 10, notFoundGracePolls: 50 });
        const seen: StackEvent[] = [];
        for await (const ev of stream) seen.push(ev);
        expect(stream.result).toMatchObject({ outcome: 'succeeded', status: 'BUILD_COMPLETE' });
        expect(stream.result?.final).toMatchObject({ id: 'late-image', artifacts: [{ id: truth.amiId }] });
        expect(seen.length).toBeGreaterThan(0);
        expect(seen.some((e) => e.status === 'CREATE_IN_PROGRESS')).toBe(true);
      } finally {
        await emu.close();
      }
    });
  }

  it('an image that never appears: NOT_FOUND after notFoundGracePolls, not outcome "deleted"', async () => {
    const emu = await emulator({ requestStepMs: 1000 });
    try {
      const stream = apiClient(emu).watchImageBuild('never-built', { pollIntervalMs: 10, notFoundGracePolls: 3 });
      const err = await settle(() => stream);
      expect(StackfeedError.is(err), String(err)).toBe(true);
      expect(err).toMatchObject({ code: 'NOT_FOUND', operation: 'watchImageBuild', httpStatus: 404 });
      expect((err as StackfeedError).message).toMatch(/never-built.*not found in 4 polls/);
      expect(stream.result).toBeUndefined();
      const describes = emu.servers.api.requests.filter((r) => r.path.endsWith('/images/custom/never-built'));
      expect(describes.length).toBe(4);
    } finally {
      await emu.close();
    }
  });

  it('notFoundGracePolls 0 gives up at the first NOT_FOUND; a bad value is CONFIG', async () => {
    const emu = await emulator();
    try {
      const c = apiClient(emu);
      const err = await settle(() => c.watchImageBuild('never-built', { pollIntervalMs: 10, notFoundGracePolls: 0 }));
      expect(err).toMatchObject({ code: 'NOT_FOUND' });
      expect(() => c.watchImageBuild('x1', { notFoundGracePolls: -1 })).toThrow(/notFoundGracePolls/);
      expect(() => c.watchImageBuild('x1', { notFoundGracePolls: 1.5 })).toThrow(/notFoundGracePolls/);
    } finally {
      await emu.close();
    }
  });

  it('an image that was seen and then disappears ends the watch with outcome "deleted"', async () => {
    const emu = await emulator({ requestStepMs: 2000 });
    try {
      const truth = imageBuildSucceeds(emu.world, { imageId: 'doomed', buildSeconds: 900 });
      // Someone deletes the stack 30 s into a 15-minute build: the image is gone (no AMI yet).
      const t = truth.startedAt + 30_000;
      emu.world.cfn.addEvents(truth.stackId, [
        {
          at: t,
          logicalId: 'doomed',
          type: 'AWS::CloudFormation::Stack',
          status: 'DELETE_IN_PROGRESS',
          reason: 'User Initiated',
        },
        { at: t + 1000, logicalId: 'doomed', type: 'AWS::CloudFormation::Stack', status: 'DELETE_COMPLETE' },
      ]);
      const stream = apiClient(emu).watchImageBuild('doomed', { pollIntervalMs: 10, notFoundGracePolls: 50 });
      const seen: StackEvent[] = [];
      for await (const ev of stream) seen.push(ev);
      expect(stream.result).toMatchObject({ outcome: 'deleted', status: 'NOT_FOUND' });
      expect(seen.length).toBeGreaterThan(0);
      // Far fewer polls than the grace: "deleted" came from the disappearance, not the grace running out.
      expect(stream.result?.polls).toBeLessThan(50);
    } finally {
      await emu.close();
    }
  });
});
