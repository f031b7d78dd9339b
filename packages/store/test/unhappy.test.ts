import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackEvent } from '@stackfeed/core';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/index.js';
import { ENGINES, fromArray, makeEvent, postgresUrl } from './engines.js';

describe.each(ENGINES)('store on $name: writers racing', (engine) => {
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('two writers archiving the same events at once store each exactly once, and their counts add up', async () => {
    const a = await engine.open();
    open.push(a);
    // The second writer: another connection pool on the same schema (PostgreSQL), or the same
    // embedded store written to concurrently (PGlite has one connection).
    const b = engine.name === 'postgres' ? await engine.open({ schema: a.schema }) : a;
    if (b !== a) open.push(b);
    const events = Array.from({ length: 3000 }, (_, i) =>
      makeEvent(i, { stack: { id: `s${i % 3}`, name: `n${i % 3}` } }),
    );
    const [ra, rb] = await Promise.all([
      a.archive(fromArray(events), { target: 'race', batchSize: 250 }),
      b.archive(fromArray([...events].reverse()), { target: 'race', batchSize: 300 }),
    ]);
    expect(ra.inserted + rb.inserted).toBe(3000);
    expect(ra.duplicates + rb.duplicates).toBe(3000);
    const rows = await a.query<{ n: number; d: number }>(
      `select count(*)::int as n, count(distinct (provider, stack_key, event_id))::int as d from ${a.schema}.events`,
    );
    expect(rows[0]).toEqual({ n: 3000, d: 3000 });
    const cp = await a.checkpoint('race');
    expect(cp?.lowWater).toEqual(events[2999]?.timestamp);
    expect(cp?.eventsStored).toBe(3000);
  });
});

describe('opening a store that cannot be used', () => {
  it('a postgres:// URL nobody listens on is CONFIG, naming the URL without its password', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const err = await openStore(`postgres://me:s3cret-pw@127.0.0.1:${port}/db`).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'StackfeedError', code: 'CONFIG', operation: 'openStore' });
    expect(String((err as Error).message)).toContain('ECONNREFUSED');
    expect(JSON.stringify(err)).not.toContain('s3cret-pw');
    expect(String((err as Error).message)).not.toContain('s3cret-pw');
  });

  it('a database that does not exist is CONFIG', async () => {
    const url = new URL(postgresUrl());
    url.pathname = '/no_such_database';
    await expect(openStore(url.toString())).rejects.toMatchObject({ code: 'CONFIG', providerCode: '3D000' });
  });

  it('an unsupported URL scheme and a bad schema name are CONFIG before anything is opened', async () => {
    await expect(openStore('mysql://x/y')).rejects.toMatchObject({ code: 'CONFIG' });
    await expect(openStore(':memory:', { schema: 'Robert"); drop table x;--' })).rejects.toMatchObject({
      code: 'CONFIG',
    });
  });

  it('an embedded data directory open in another live process is CONFIG; a lock left by a dead one is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-store-lock-'));
    try {
      // A live process holding the lock: a sleeping child whose pid is written in the lock file.
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
      writeFileSync(join(dir, 'stackfeed-store.lock'), String(child.pid));
      await expect(openStore(dir)).rejects.toMatchObject({
        code: 'CONFIG',
        message: expect.stringContaining(`open in process ${child.pid}`),
      });
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      const store = await openStore(dir);
      await store.archive(fromArray([makeEvent(1)]), { target: 't' });
      expect(await store.events().toArray({ limit: 5 })).toHaveLength(1);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('embedded data directory creation', () => {
  it('a fresh directory is complete after open (PG_VERSION, no staging left beside it) and keeps its rows across reopen', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'sf-store-init-'));
    const dir = join(parent, 'store');
    try {
      const first = await openStore(dir);
      await first.archive(fromArray([makeEvent(1), makeEvent(2)]), { target: 't' });
      await first.close();
      expect(existsSync(join(dir, 'PG_VERSION'))).toBe(true);
      expect(readdirSync(parent)).toEqual(['store']);
      const again = await openStore(dir);
      expect((await again.events().toArray({ limit: 5 })).map((e) => e.id).sort()).toEqual(
        [makeEvent(1).id, makeEvent(2).id].sort(),
      );
      await again.close();
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('a directory that already holds a file of its own is not filled from a staging copy: PGlite creates it in place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-store-init-own-'));
    try {
      writeFileSync(join(dir, 'notes.txt'), 'mine');
      const store = await openStore(dir);
      await store.archive(fromArray([makeEvent(3)]), { target: 't' });
      expect(await store.events().toArray({ limit: 5 })).toHaveLength(1);
      await store.close();
      expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
      expect(existsSync(join(dir, 'PG_VERSION'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('subscribe across processes (PostgreSQL LISTEN/NOTIFY, ids only)', () => {
  it('a store on another connection sees what this one commits', async () => {
    const writer = await ENGINES[1]!.open();
    const reader = await openStore(postgresUrl(), { schema: writer.schema });
    try {
      const sub = reader.subscribe({ stack: 'web' });
      await sub.ready;
      const events = Array.from({ length: 900 }, (_, i) => makeEvent(i));
      await writer.archive(fromArray(events), { target: 'x', batchSize: 450 });
      const got: StackEvent[] = [];
      for await (const ev of sub) {
        got.push(ev);
        if (got.length === events.length) break;
      }
      expect(got.map((e) => e.id)).toEqual(events.map((e) => e.id));
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});
