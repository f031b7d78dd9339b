import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { lifecycleLarge } from '@stackfeed/emulator/imagebuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { type Setup, setup } from './helpers.js';

// A full collection on demand (what --expose-gc gives), to see what the listing still references.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let s: Setup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('an ordered lifecycle listing keeps records, not StackEvents, until it hands them out', () => {
  it('an event handed out on one page is garbage once the caller drops it, while later pages are handed out', async () => {
    s = await setup({ auth: { mode: 'check' } });
    const { executionId, count } = lifecycleLarge(s.emu.store, { count: 120 });
    let first: WeakRef<object> | undefined;
    let firstId: string | undefined;
    let n = 0;
    let collected = false;
    const ids = new Set<string>();
    const times: number[] = [];
    for await (const page of s.client.listLifecycleExecutionEvents(executionId).byPage({ pageSize: 25 })) {
      for (const ev of page.items) {
        ids.add(ev.id);
        times.push(ev.timestamp.getTime());
      }
      n += page.items.length;
      if (!first) {
        first = new WeakRef(page.items[0] as object);
        firstId = page.items[0]?.id;
      } else if (!collected) {
        // The whole listing is still held (later pages are cut from it): the first event is not.
        gc();
        await new Promise((r) => setImmediate(r));
        gc();
        collected = first.deref() === undefined;
      }
    }
    expect(n).toBe(count);
    expect(ids.size).toBe(count);
    expect(firstId).toBeDefined();
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(collected).toBe(true);
  });
});
