import pMap from 'p-map';

/** What one source gave to {@link gatherInOrder}: its items (at most `limit`), or the error that stopped it. */
export interface Gathered<S, T> {
  source: S;
  items: T[];
  error?: unknown;
  /** Not read: the sources before it already held `limit` items in all. */
  skipped?: boolean;
}

/** Options of {@link gatherInOrder}. */
export interface GatherOptions {
  /** Sources read at once (default 4). */
  concurrency?: number | undefined;
  /** Items wanted in all, in the sources' order: each source gives at most this many. */
  limit?: number | undefined;
}

/**
 * Reads several sources at once (regions, clouds, accounts), `concurrency` at a time, each up to
 * `limit` items, and returns their results in the sources' order. A source whose predecessors
 * already hold `limit` items is not read. A source that throws keeps its error; the others go on.
 *
 * ```ts
 * const results = await gatherInOrder(regions, (r) => clientFor(r).listImages(), { limit: 50 });
 * ```
 */
export async function gatherInOrder<S, T>(
  sources: readonly S[],
  read: (source: S) => AsyncIterable<T> | Promise<AsyncIterable<T>>,
  options: GatherOptions = {},
): Promise<Gathered<S, T>[]> {
  const { limit } = options;
  const results: Gathered<S, T>[] = sources.map((source) => ({ source, items: [] }));
  const done: boolean[] = [];
  // p-map starts the sources in their order: when one starts, those before it that are done count.
  const enoughBefore = (i: number) => {
    let n = 0;
    for (let j = 0; j < i && done[j]; j++) n += (results[j] as Gathered<S, T>).items.length;
    return limit !== undefined && n >= limit;
  };
  const gather = async (r: Gathered<S, T>, i: number) => {
    if (enoughBefore(i)) r.skipped = true;
    else {
      try {
        for await (const x of await read(r.source)) {
          r.items.push(x);
          if (limit !== undefined && r.items.length >= limit) break;
        }
      } catch (err) {
        r.error = err;
      }
    }
    done[i] = true;
  };
  await pMap(results, gather, { concurrency: Math.max(1, options.concurrency ?? 4) });
  return results;
}
