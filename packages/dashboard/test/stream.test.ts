import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScript } from '@stackfeed/emulator/heat';
import type { Store } from '@stackfeed/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardServer, startDashboard, TargetBoard } from '../src/index.js';
import {
  ENGINES,
  type Emulators,
  fill,
  freshSchema,
  nextOf,
  openStream,
  postgresUrl,
  type SseMessage,
  startEmulators,
} from './fixture.js';

const bySeq = (a: string | undefined, b: string | undefined) => Number(a) - Number(b);
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');

/** Follows a new Heat stack (`name`, `n` resources) of the emulator into the store. */
function deploy(store: Store, emu: Emulators, name: string, n: number) {
  const start = emu.heat.now() + 1000;
  emu.heat.addStack(
    name,
    createScript(
      name,
      Array.from({ length: n }, (_, i) => ({ name: `r${i}` })),
      { startMs: start, stepMs: 1000 },
    ),
  );
  return store.follow(emu.heatClient, name, { pollIntervalMs: 5, flushIntervalMs: 5, batchSize: 3 });
}

describe.each(ENGINES)('/api/stream on $name', (engine) => {
  let emu: Emulators;
  let store: Store;
  let server: DashboardServer;
  const board = new TargetBoard();

  beforeAll(async () => {
    emu = await startEmulators();
    store = await engine.open();
    await fill(store, emu);
    server = await startDashboard({ store, board, webRoot: '/nonexistent' });
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
    await emu?.close();
  });

  it('resumes after Last-Event-ID from the store: no gap and no duplicate across a reconnect, then live', async () => {
    const stored = await store.storedEvents({}).toArray({ limit: 10_000 });
    const half = Math.floor(stored.length / 2);
    const got: SseMessage[] = [];
    const first = await openStream(`${server.url}api/stream?after=0`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/event-stream/);
    while (got.length < half) got.push(await nextOf(first, 'stack-event'));
    first.close();

    // Reconnect as the browser does, with the last id it saw; new events are stored meanwhile.
    const last = got.at(-1)?.id as string;
    const second = await openStream(`${server.url}api/stream`, { 'Last-Event-ID': last });
    const following = deploy(store, emu, 'api', 8);
    const done = await following;
    expect(done.inserted).toBeGreaterThan(8);
    const all = await store.storedEvents({}).toArray({ limit: 10_000 });
    while (got.length < all.length) got.push(await nextOf(second, 'stack-event'));
    second.close();

    const ids = got.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Every stored event once, in store sequence (one writer: commit order is sequence order).
    const want = all.map((s) => s.seq).sort(bySeq);
    expect(ids).toEqual(want);
    // Each message is the stored event, with its seq.
    const one = JSON.parse(got[0]?.data ?? '{}');
    const first1 = all.find((s) => s.seq === one.seq);
    expect(one.id).toBe(first1?.event.id);
    expect(one.timestamp).toBe(first1?.event.timestamp.toISOString());
  });

  it('without a resume point it streams live events only; its filters narrow them', async () => {
    const live = await openStream(`${server.url}api/stream`);
    const failed = await openStream(`${server.url}api/stream?phase=FAILED`);
    const before = (await store.storedEvents({ order: 'newest-first' }).toArray({ limit: 1 }))[0]?.seq ?? '0';
    emu.heat.addStack(
      'cache',
      createScript('cache', [{ name: 'a' }, { name: 'b', fail: true }], { startMs: emu.heat.now() + 1000 }),
    );
    await store.follow(emu.heatClient, 'cache', { pollIntervalMs: 5, flushIntervalMs: 5 });
    const fresh = await store.storedEvents({ stack: 'cache' }).toArray({ limit: 100 });
    const ids: string[] = [];
    while (ids.length < fresh.length) ids.push((await nextOf(live, 'stack-event')).id as string);
    expect(ids).toEqual(fresh.map((s) => s.seq).sort(bySeq));
    expect(ids.every((id) => BigInt(id) > BigInt(before))).toBe(true);
    // The stream goes by row number; storedEvents by event time (rows of one batch are numbered in key order).
    const wantFailed = fresh.filter((s) => s.event.phase === 'FAILED').sort((a, b) => bySeq(a.seq, b.seq));
    expect(wantFailed.length).toBe(2);
    for (const w of wantFailed) {
      const m = await nextOf(failed, 'stack-event');
      expect(m.id).toBe(w.seq);
      expect(JSON.parse(m.data).phase).toBe('FAILED');
    }
    live.close();
    failed.close();
  });

  it('tells inventory changes, provider-error and provider-ok as they happen', async () => {
    const s = await openStream(`${server.url}api/stream`);
    const key = board.add({ provider: 'huawei-rfs', kind: 'stack', name: 'shop-db', place: 'cn-north-4' });
    board.fail(key, Object.assign(new Error('RFS: service unavailable (HTTP 503)'), { code: 'SERVER' }));
    const err = JSON.parse((await nextOf(s, 'provider-error')).data);
    expect(err).toMatchObject({ key: 'huawei-rfs/cn-north-4/shop-db', code: 'SERVER', count: 1 });
    expect(err.message).toContain('503');
    board.ok(key);
    expect(JSON.parse((await nextOf(s, 'provider-ok')).data)).toEqual({ key: 'huawei-rfs/cn-north-4/shop-db' });
    // A new stack's events change the inventory: its item comes on the stream.
    void deploy(store, emu, 'queue', 2);
    while (true) {
      const item = JSON.parse((await nextOf(s, 'inventory')).data);
      if (item.name === 'queue') {
        expect(item).toMatchObject({ kind: 'stack', provider: 'openstack-heat' });
        break;
      }
    }
    s.close();
  });

  it('a Last-Event-ID that is not a sequence number is 400', async () => {
    const r = await fetch(`${server.url}api/stream`, { headers: { 'Last-Event-ID': 'abc' } });
    expect(r.status).toBe(400);
    expect((await r.json()).error.code).toBe('BAD_REQUEST');
  });
});

describe('two dashboard processes on one PostgreSQL', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGTERM');
  });

  const serve = (url: string, schema: string) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--conditions=@stackfeed/source',
          join(here, 'server-child.ts'),
          JSON.stringify({ url, schema }),
        ],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(child);
      let out = '';
      let err = '';
      child.stdout?.on('data', (d) => {
        out += d;
        const m = /URL (\S+)/.exec(out);
        if (m) resolve(m[1] as string);
      });
      child.stderr?.on('data', (d) => {
        err += d;
      });
      child.on('exit', (code) => reject(new Error(`server child exited ${code}: ${err}`)));
    });

  it('both stream an event another process stores (NOTIFY), with the same id', async () => {
    const schema = freshSchema();
    const writer = await ENGINES[1]?.open(schema);
    if (!writer) throw new Error('no postgres engine');
    const emu = await startEmulators();
    try {
      const [a, b] = await Promise.all([serve(postgresUrl(), schema), serve(postgresUrl(), schema)]);
      const sa = await openStream(`${a}api/stream`);
      const sb = await openStream(`${b}api/stream`);
      await writer.follow(emu.heatClient, 'db', { pollIntervalMs: 5, flushIntervalMs: 5 });
      const stored = await writer.storedEvents({}).toArray({ limit: 100 });
      expect(stored.length).toBeGreaterThan(3);
      for (const s of [sa, sb]) {
        const ids: string[] = [];
        while (ids.length < stored.length) ids.push((await nextOf(s, 'stack-event')).id as string);
        expect(ids).toEqual(stored.map((x) => x.seq).sort(bySeq));
        s.close();
      }
    } finally {
      await writer.close();
      await emu.close();
    }
  });
});
