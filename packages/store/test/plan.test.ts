import type { StackEvent } from '@stackfeed/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/index.js';
import { ENGINES, fromArray, makeEvent } from './engines.js';

// A history query must stay an index read as the archive grows: the plan of the statement that
// events() really runs, on a table big enough that PostgreSQL would rather scan it than not.
const N = 20_000;
const STACKS = 100;

describe.each(ENGINES)('history query plan on $name', (engine) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('reads one stack in a time range through an index, never a sequential scan of events', async () => {
    store = await engine.open();
    const events: StackEvent[] = Array.from({ length: N }, (_, i) =>
      makeEvent(i, { stack: { id: `stack-${i % STACKS}`, name: `web-${i % STACKS}` } }),
    );
    await store.archive(fromArray(events), { target: 'plan', batchSize: 2000 });
    await store.query(`analyze ${store.schema}.events`);
    const t0 = events[0]?.timestamp.getTime() ?? 0;
    for (const query of [
      { stack: 'web-7', since: new Date(t0 + 5000_000), until: new Date(t0 + 6000_000) },
      { stack: 'stack-7' },
      { stack: 'web-7', order: 'newest-first' as const },
      { since: new Date(t0 + 19_000_000) },
    ]) {
      const plan = (await store.explainEvents(query)).join('\n');
      expect(plan, JSON.stringify(query)).not.toMatch(/Seq Scan on events/);
      expect(plan, JSON.stringify(query)).toMatch(/Index/);
    }
  });
});
