import { type ParallelClusterEmulator, clusterCreate } from '@stackfeed/emulator/parallelcluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The token codec itself (core-internal): a holder of the tokenKey can sign any cursor.
import { createTokenKey, encodeToken, scopeDigest } from '../../core/src/paging/continuation-token.js';
import { apiClient, directClient, emulator } from './helpers.js';

const TOKEN_KEY = 'pcluster-token-test-passphrase';

describe('continuation tokens are bound to the call (tokenKey + validateCursor)', () => {
  let emu: ParallelClusterEmulator;
  let otherArn: string;
  beforeAll(async () => {
    emu = await emulator({ eventsPageSize: 3 });
    clusterCreate(emu.world, { clusterName: 'hpc' });
    clusterCreate(emu.world, { clusterName: 'other' });
    emu.world.advance(3 * 3600_000);
    otherArn = emu.world.cfn.find('other')?.id as string;
  });
  afterAll(() => emu.close());

  const sign = (cursor: unknown) =>
    encodeToken(
      createTokenKey(TOKEN_KEY),
      'aws-parallelcluster',
      'listClusterStackEvents',
      scopeDigest({ mode: 'direct', target: { kind: 'cluster', name: 'hpc' }, order: 'newest-first' }),
      { cursor, skip: 0 },
    );

  it('a direct-mode token naming another CloudFormation stack is BAD_REQUEST before any request', async () => {
    const hpcArn = emu.world.cfn.find('hpc')?.id as string;
    const forged = [
      { pending: [otherArn], done: [], root: { id: otherArn, name: 'hpc' } },
      { pending: [otherArn], done: [], root: { id: hpcArn, name: 'hpc' } },
      { pending: [hpcArn], done: [], root: { id: hpcArn, name: 'other' } },
    ];
    const client = directClient(emu, { tokenKey: TOKEN_KEY });
    for (const cursor of forged) {
      const before = emu.servers.cloudformation.requests.length;
      const err = await client
        .listClusterStackEvents('hpc', { order: 'newest-first', continuationToken: sign(cursor) })
        .toArray({ limit: 10 })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toMatchObject({ code: 'BAD_REQUEST' });
      expect(emu.servers.cloudformation.requests.length).toBe(before);
    }
  });

  it("the call's own token resumes; with the same tokenKey it resumes in another client too", async () => {
    const first = directClient(emu, { tokenKey: TOKEN_KEY });
    const pages = first.listClusterStackEvents('hpc', { order: 'newest-first' }).byPage();
    const p1 = (await pages.next()).value;
    expect(p1?.continuationToken).toBeTruthy();
    const rest = await directClient(emu, { tokenKey: TOKEN_KEY })
      .listClusterStackEvents('hpc', { order: 'newest-first', continuationToken: p1?.continuationToken })
      .toArray({ limit: 10_000 });
    expect(rest.length).toBeGreaterThan(0);
    // Another key: refused.
    const err = await directClient(emu)
      .listClusterStackEvents('hpc', { order: 'newest-first', continuationToken: p1?.continuationToken })
      .toArray({ limit: 10 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('API mode: an oldest-first offset that is not a positive integer is refused', async () => {
    const token = encodeToken(
      createTokenKey(TOKEN_KEY),
      'aws-parallelcluster',
      'listClusterStackEvents',
      scopeDigest({ mode: 'api', target: { kind: 'cluster', name: 'hpc' }, order: 'oldest-first' }),
      { cursor: -5, skip: 0 },
    );
    const err = await apiClient(emu, { tokenKey: TOKEN_KEY })
      .listClusterStackEvents('hpc', { continuationToken: token })
      .toArray({ limit: 10 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
