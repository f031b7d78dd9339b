/**
 * Page size (issue 16): every Image Builder list operation takes `maxResults` 1..25, so the default
 * is the largest the server allows, stated in `capabilities`, and a larger pageSize is sent as 25.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Setup, setup } from './helpers.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const maxResults = (st: Setup, path: string) =>
  st.emu.server.requests.filter((r) => r.path === path).map((r) => JSON.parse(r.body || '{}').maxResults);

/** 30 image versions, one build each. */
function seed(st: Setup): void {
  const t0 = st.emu.store.now() - 3_600_000;
  for (let i = 0; i < 30; i++) st.emu.store.addImage({ name: `img-${i}`, version: '1.0.0', createdAt: t0 + i * 1000 });
}

describe('Image Builder page size', () => {
  it('capabilities: 1..25, the server maximum as the default', async () => {
    s = await setup();
    expect(s.client.capabilities.pageSize).toEqual({ min: 1, max: 25, default: 25 });
  });

  it('without pageSize ListImages asks for 25: 30 versions in 2 requests', async () => {
    s = await setup();
    seed(s);
    const all = await s.client.listImages({ withBuildState: false }).toArray({ limit: 100 });
    expect(all).toHaveLength(30);
    expect(maxResults(s, '/ListImages')).toEqual([25, 25]);
  });

  it('a pageSize over 25 is sent as 25, one under it as asked', async () => {
    s = await setup();
    seed(s);
    expect(await s.client.listImages({ withBuildState: false, pageSize: 1000 }).toArray({ limit: 100 })).toHaveLength(
      30,
    );
    expect(maxResults(s, '/ListImages')).toEqual([25, 25]);
    s.emu.server.requests.length = 0;
    const first = await s.client.listImages({ withBuildState: false }).byPage({ pageSize: 10 }).next();
    expect(first.value?.items).toHaveLength(10);
    expect(maxResults(s, '/ListImages')).toEqual([10]);
  });
});
