import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../src/index.js';
import { freshSchema, fromArray, makeEvent, postgresUrl } from './engines.js';
import { openStore, type Store } from '../src/index.js';

/**
 * Two writers on one PostgreSQL store: writer A has numbered its rows but not committed when
 * writer B writes. If B could commit first, a page that saw B's row and resumed after its seq
 * would never get A's lower-numbered row. Only PostgreSQL has concurrent writers (PGlite runs one
 * transaction at a time in one process).
 */
describe('store row numbers follow commit order (PostgreSQL, two writers)', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('a writer that commits later never gets a lower seq than one that committed first', async () => {
    const schema = freshSchema();
    const writerA: Store = await openStore(postgresUrl(), { schema });
    cleanup.push(() => writerA.close());
    const writerB: Store = await openStore(postgresUrl(), { schema });
    cleanup.push(() => writerB.close());
    await writerA.archive(fromArray([makeEvent(0)]), { target: 'a' });

    // Hold A's checkpoint row: A's next batch inserts its events, then waits at the checkpoint.
    const blocker = new pg.Client({ connectionString: postgresUrl() });
    await blocker.connect();
    cleanup.push(() => blocker.end());
    await blocker.query('begin');
    await blocker.query(`select * from "${schema}".checkpoints where target = 'a' for update`);

    const live = writerB.feed({ after: '0' });
    cleanup.push(() => live.close());
    await live.ready;
    const firstRow = await live.next();
    expect((firstRow.value as StoredEvent).event.id).toBe('ev-000000');

    const aDone = writerA.archive(fromArray([makeEvent(1)]), { target: 'a' });
    await waitForWaiter(blocker, 'pg_backend_pid() = any(pg_blocking_pids(pid))');
    const bDone = writerB.archive(fromArray([makeEvent(2, { stack: { id: 'stack-2', name: 'db' } })]), {
      target: 'b',
    });
    // B either commits at once (the defect) or waits for A; either way it is now past its start.
    await Promise.race([bDone, waitForWaiter(blocker, `wait_event = 'advisory'`)]);
    await blocker.query('rollback');
    await Promise.all([aDone, bDone]);

    const delivered = [(await live.next()).value as StoredEvent, (await live.next()).value as StoredEvent];
    const seqs = delivered.map((d) => BigInt(d.seq));
    // Delivered (committed) in the order of their row numbers.
    expect(seqs[0]).toBeLessThan(seqs[1] as bigint);
    expect(delivered.map((d) => d.event.id)).toEqual(['ev-000001', 'ev-000002']);
    // So a page that resumes after the first one it saw gets exactly the rest.
    const resumed = writerB.feed({ after: delivered[0]?.seq });
    cleanup.push(() => resumed.close());
    await resumed.ready;
    expect(((await resumed.next()).value as StoredEvent).event.id).toBe('ev-000002');
  });
});

/** Resolves once another session waits on a lock and matches `where` (checked from `client`). */
async function waitForWaiter(client: pg.Client, where: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
       where wait_event_type = 'Lock' and pid <> pg_backend_pid() and ${where}`,
    );
    if ((rows[0]?.n ?? 0) > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no session waited on a lock where ${where}`);
}
