import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RecentIds } from '../../src/api/recent-ids.js';

describe('RecentIds (the ids a listing handed out, for an ignored marker)', () => {
  it('gives back exactly the ids remembered: UUIDs (kept as bytes) and any other id (kept as a string)', () => {
    const ids = [
      randomUUID(),
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      'A1B2C3D4-0000-4000-8000-000000000001', // uppercase: not packed, kept as typed
      '0123456789abcdef0123456789abcdef0123', // 36 characters, no dashes
      'a1b2c3d4-0000-4000-8000-00000000000g', // not hex
      'a1b2c3d4-0000-4000-8000-0000000000é1',
      'evt-7',
      '',
    ];
    const recent = new RecentIds(32);
    for (const id of ids) recent.remember(id);
    expect([...recent.toSet()].sort()).toEqual([...new Set(ids)].sort());
  });

  it('keeps only the newest `capacity` ids, whichever way each was kept', () => {
    const recent = new RecentIds(4);
    const ids = ['x-1', randomUUID(), 'x-2', randomUUID(), randomUUID(), 'x-3', randomUUID()];
    for (const id of ids) recent.remember(id);
    expect([...recent.toSet()].sort()).toEqual(ids.slice(-4).sort());
    // A slot that held a string and now holds a UUID no longer answers for the string.
    const overwrite = new RecentIds(1);
    overwrite.remember('plain');
    const uuid = randomUUID();
    overwrite.remember(uuid);
    expect([...overwrite.toSet()]).toEqual([uuid]);
  });

  it('starts empty', () => {
    expect(new RecentIds().toSet().size).toBe(0);
  });
});
