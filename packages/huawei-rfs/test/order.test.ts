/**
 * The contract's list order: oldest first by default on every provider; `order: 'newest-first'`
 * is RFS's own (cheap) order; `limit N` takes the first N in the chosen order. Compared with the
 * emulator's ground truth (its stored events, oldest first), not with the client.
 */
import type { StackEvent } from '@stackfeed/core';
import { type RfsEmulator, deploymentSucceeds, largeStack } from '@stackfeed/emulator/rfs';
import { afterEach, describe, expect, it } from 'vitest';
import { client, emulator } from './fixtures.js';

let emu: RfsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const T0 = Date.UTC(2025, 5, 12, 8, 0, 0);
const truthMessages = (e: RfsEmulator, name: string) =>
  (e.stack(name)?.events ?? []).map((x) => x.wire.event_message as string);

describe('list order', () => {
  it('oldest first by default, newest first on request; the same ids both ways', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 2500, startAt: T0 })] });
    const rfs = client(emu);
    const truth = truthMessages(emu, 'big');
    const pages: number[] = [];
    const oldest = [];
    for await (const page of rfs.listStackEvents('big').byPage({ pageSize: 400 })) {
      pages.push(page.items.length);
      oldest.push(...page.items);
    }
    expect(pages).toEqual([400, 400, 400, 400, 400, 400, 100]);
    expect(oldest.map((e) => e.message)).toEqual(truth);
    const newest = await rfs.listStackEvents('big', { order: 'newest-first' }).toArray({ limit: 10_000 });
    expect(newest.map((e) => e.message)).toEqual([...truth].reverse());
    expect(newest.map((e) => e.id)).toEqual([...oldest].reverse().map((e) => e.id));
    expect(rfs.capabilities.eventOrder).toBe('oldest-first');
  });

  it('limit N = the first N in the chosen order', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 300, startAt: T0 })] });
    const rfs = client(emu);
    const truth = truthMessages(emu, 'big');
    const first = await rfs.listStackEvents('big').toArray({ limit: 5 });
    expect(first.map((e) => e.message)).toEqual(truth.slice(0, 5));
    const max = await rfs.listStackEvents('big', { maxItems: 7 }).toArray({ limit: 100 });
    expect(max.map((e) => e.message)).toEqual(truth.slice(0, 7));
    const latest = await rfs.listStackEvents('big', { order: 'newest-first' }).toArray({ limit: 5 });
    expect(latest.map((e) => e.message)).toEqual([...truth].reverse().slice(0, 5));
  });

  it('an oldest-first token resumes at the same event after newer events arrived, in a fresh client', async () => {
    const s = deploymentSucceeds({ stackName: 'ok', startAt: T0 });
    emu = await emulator({ scenarios: [s], progress: 'manual' });
    emu.finish('ok');
    const truth = truthMessages(emu, 'ok');
    // Tokens resume in another client (another process) that shares the tokenKey.
    const tokenKey = 'order-test-token-key-0001';
    const it1 = client(emu, { tokenKey }).listStackEvents('ok').byPage({ pageSize: 10 });
    const first = (await it1.next()).value;
    expect(first?.items.map((e: StackEvent) => e.message)).toEqual(truth.slice(0, 10));
    const token = first?.continuationToken as string;
    expect(token).toBeTruthy();
    emu.play('ok', [{ at: 60_000, events: [{ event_type: 'LOG', event_message: 'later' }] }], { startAt: T0 });
    emu.finish('ok');
    const rest = [];
    for await (const p of client(emu, { tokenKey })
      .listStackEvents('ok')
      .byPage({ pageSize: 10, continuationToken: token })) {
      rest.push(...p.items);
    }
    expect(rest.map((e) => e.message)).toEqual([...truth.slice(10), 'later']);
  });

  it('since, oldest first: only the events at or after it, oldest first', async () => {
    emu = await emulator({ scenarios: [largeStack({ stackName: 'big', eventCount: 1000, startAt: T0 })] });
    const rfs = client(emu);
    const all = await rfs.listStackEvents('big').toArray({ limit: 10_000 });
    const cut = all[700]?.timestamp as Date;
    const recent = await rfs.listStackEvents('big', { since: cut }).toArray({ limit: 10_000 });
    expect(recent.map((e) => e.id)).toEqual(all.filter((e) => e.timestamp >= cut).map((e) => e.id));
  });

  it('an order that is neither is CONFIG before any request', async () => {
    emu = await emulator({ scenarios: [deploymentSucceeds({ stackName: 'ok' })] });
    expect(() => client(emu as RfsEmulator).listStackEvents('ok', { order: 'asc' as 'oldest-first' })).toThrow(/order/);
    expect(emu.server.requests.length).toBe(0);
  });
});
