import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createPaginator } from './entry.js';

// A full collection on demand (what --expose-gc gives), to see what the paginator still references.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('Paginator memory', () => {
  it('holds no reference to a fetched page while it fetches the next one', async () => {
    let first: WeakRef<object> | undefined;
    let firstAliveDuringSecondFetch: boolean | undefined;
    const paginator = createPaginator<{ i: number }, number>({
      provider: 'openstack-heat',
      operation: 'memoryProbe',
      fetchPage: async (cursor) => {
        if (cursor === 1) {
          // Let the consumer's loop drop its page, then collect twice (weak refs clear at job end).
          await new Promise((r) => setTimeout(r, 5));
          gc();
          await new Promise((r) => setTimeout(r, 5));
          gc();
          firstAliveDuringSecondFetch = first?.deref() !== undefined;
        }
        const page = {
          items: Array.from({ length: 1000 }, (_, i) => ({ i })),
          next: cursor === undefined ? 1 : undefined,
        };
        if (cursor === undefined) first = new WeakRef(page);
        return page;
      },
    });
    let pages = 0;
    for await (const _page of paginator.byPage()) pages++;
    expect(pages).toBe(2);
    expect(firstAliveDuringSecondFetch).toBe(false);
  });
});
