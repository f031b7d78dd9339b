/** gatherInOrder (several sources at once, in order, a total limit) and enabledAwsRegions (DescribeRegions → regions). */
import { describe, expect, it } from 'vitest';
import { enabledAwsRegions } from '../src/adapter.js';
import { gatherInOrder } from '../src/index.js';

async function* items(prefix: string, n: number, opts: { failAt?: number; gate?: Promise<void> } = {}) {
  await opts.gate;
  for (let i = 0; i < n; i++) {
    if (i === opts.failAt) throw new Error(`${prefix} broke`);
    yield `${prefix}${i}`;
  }
}

describe('gatherInOrder', () => {
  it('returns each source in the sources order whatever order they finish in; a failing one keeps its error', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const started: string[] = [];
    const pending = gatherInOrder(['a', 'b', 'c'], (s) => {
      started.push(s);
      // `a` waits until `c` has been read: the result order is still a, b, c.
      if (s === 'c') setImmediate(open);
      return s === 'a' ? items(s, 2, { gate }) : s === 'b' ? items(s, 3, { failAt: 1 }) : items(s, 1);
    });
    const results = await pending;
    expect(started).toEqual(['a', 'b', 'c']);
    expect(results.map((r) => [r.source, r.items])).toEqual([
      ['a', ['a0', 'a1']],
      ['b', ['b0']],
      ['c', ['c0']],
    ]);
    expect(String(results[1]?.error)).toBe('Error: b broke');
    expect(results[0]?.error).toBeUndefined();
  });

  it('reads at most `concurrency` sources at once', async () => {
    let running = 0;
    let most = 0;
    const read = async function* (s: number) {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setImmediate(r));
      running--;
      yield s;
    };
    const results = await gatherInOrder([1, 2, 3, 4, 5, 6, 7], read, { concurrency: 3 });
    expect(results.map((r) => r.items)).toEqual([[1], [2], [3], [4], [5], [6], [7]]);
    expect(most).toBe(3);
  });

  it('takes at most `limit` of each, and skips a source once those before it hold `limit`', async () => {
    const read: string[] = [];
    const results = await gatherInOrder(
      ['a', 'b', 'c'],
      (s) => {
        read.push(s);
        return items(s, 5);
      },
      { concurrency: 1, limit: 3 },
    );
    expect(results.map((r) => r.items)).toEqual([['a0', 'a1', 'a2'], [], []]);
    expect(results.map((r) => r.skipped ?? false)).toEqual([false, true, true]);
    expect(read).toEqual(['a']);
  });

  it('an aborted signal (the reads take it, as the CLI passes its own) ends each place with its error: the gathering still resolves', async () => {
    const ac = new AbortController();
    const read = async function* (s: string) {
      ac.signal.throwIfAborted();
      yield `${s}0`;
      if (s === 'a') ac.abort(new Error('stopped'));
      ac.signal.throwIfAborted();
      yield `${s}1`;
    };
    const results = await gatherInOrder(['a', 'b', 'c'], read, { concurrency: 1 });
    expect(results.map((r) => [r.source, r.items, String(r.error)])).toEqual([
      ['a', ['a0'], 'Error: stopped'],
      ['b', [], 'Error: stopped'],
      ['c', [], 'Error: stopped'],
    ]);
  });
});

describe('enabledAwsRegions', () => {
  it('leaves out not-opted-in regions, sorts by name, keeps the opt-in status', () => {
    expect(
      enabledAwsRegions('aws-imagebuilder', {
        Regions: [
          { RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' },
          { RegionName: 'af-south-1', OptInStatus: 'not-opted-in' },
          { RegionName: 'ap-east-1', OptInStatus: 'opted-in' },
        ],
      }),
    ).toEqual([
      { provider: 'aws-imagebuilder', region: 'ap-east-1', status: 'opted-in' },
      { provider: 'aws-imagebuilder', region: 'us-east-1', status: 'opt-in-not-required' },
    ]);
    expect(enabledAwsRegions('aws-imagebuilder', {})).toEqual([]);
  });

  it('a region without a name is INVALID_RESPONSE naming the field', () => {
    expect(() => enabledAwsRegions('aws-parallelcluster', { Regions: [{ RegionName: 'x-1' }, {}] })).toThrow(
      expect.objectContaining({ code: 'INVALID_RESPONSE', fieldPath: 'Regions[1].RegionName' }),
    );
  });
});
