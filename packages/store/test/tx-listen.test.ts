import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/index.js';
import { ENGINES } from './engines.js';

describe.each(ENGINES)('store.transaction and store.listen on $name', (engine) => {
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('commits when fn resolves, rolls back everything when it throws', async () => {
    const store = await engine.open();
    open.push(store);
    await store.query(`create table ${store.schema}.t (n int)`);
    await store.transaction(async (tx) => {
      await tx.query(`insert into ${store.schema}.t values (1)`);
    });
    const err = await store
      .transaction(async (tx) => {
        await tx.query(`insert into ${store.schema}.t values (2)`);
        throw new Error('half-way');
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('half-way');
    expect(await store.query(`select n from ${store.schema}.t order by n`)).toEqual([{ n: 1 }]);
  });

  it('listen hears pg_notify on its channel until stopped; a closed store refuses', async () => {
    const store = await engine.open();
    open.push(store);
    const heard: string[] = [];
    const stop = await store.listen(`${store.schema}_x`, (p) => heard.push(p));
    await store.query('select pg_notify($1, $2)', [`${store.schema}_x`, 'one']);
    await store.query('select pg_notify($1, $2)', [`${store.schema}_other`, 'not this']);
    for (let i = 0; i < 200 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(heard).toEqual(['one']);
    await stop();
    await store.query('select pg_notify($1, $2)', [`${store.schema}_x`, 'two']);
    await store.query('select 1');
    expect(heard).toEqual(['one']);
    await store.close();
    await expect(store.listen('x', () => {})).rejects.toThrow(/closed/);
    await expect(store.transaction(async () => {})).rejects.toThrow(/closed/);
  });
});
