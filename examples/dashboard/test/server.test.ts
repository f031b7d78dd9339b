/** The dashboard server without a browser: SSE framing, replay, Last-Event-ID resume, merge order, errors. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ImageInfo, StackfeedError, type StackEvent } from '@stackfeed/core';
import { watchEvents } from '@stackfeed/core/adapter';
import { afterEach, describe, expect, it } from 'vitest';
import { startHeatEmulator } from '@stackfeed/emulator/heat';
import { configuredSources } from '../src/configured.js';
import { type Dashboard, startDashboard } from '../src/server.js';
import type { DashboardSources, WatchedTarget } from '../src/sources.js';

const ev = (
  provider: StackEvent['provider'],
  stack: string,
  i: number,
  sec: number,
  phase: StackEvent['phase'],
): StackEvent => ({
  provider,
  id: `${stack}-${i}`,
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, sec)),
  stack: { name: stack },
  resource: { logicalId: `r${i}` },
  action: 'CREATE',
  phase,
  status: `CREATE_${phase}`,
  raw: {},
});

/** A target whose whole history is there at the first poll, ending with `outcome`. */
function target(
  provider: StackEvent['provider'],
  name: string,
  events: StackEvent[],
  outcome: 'succeeded' | 'failed',
): WatchedTarget {
  return {
    provider,
    target: name,
    watch: (signal) =>
      watchEvents<StackEvent>(
        {
          provider,
          operation: 'watch',
          poll: async () => events,
          checkTerminal: () => ({
            terminal: true,
            outcome,
            status: outcome === 'failed' ? 'CREATE_FAILED' : 'CREATE_COMPLETE',
          }),
        },
        { signal, pollIntervalMs: 10 },
      ),
  };
}

const image: ImageInfo = {
  provider: 'aws-parallelcluster',
  id: 'img-1',
  state: 'AVAILABLE',
  status: 'BUILD_COMPLETE',
  artifacts: [],
  tags: {},
  raw: {},
};

function sources(extra: WatchedTarget[] = []): DashboardSources {
  return {
    pollIntervalMs: 10,
    targets: [
      target(
        'openstack-heat',
        'web',
        [ev('openstack-heat', 'web', 0, 0, 'IN_PROGRESS'), ev('openstack-heat', 'web', 1, 4, 'COMPLETE')],
        'succeeded',
      ),
      target(
        'huawei-rfs',
        'db',
        [ev('huawei-rfs', 'db', 0, 1, 'IN_PROGRESS'), ev('huawei-rfs', 'db', 1, 3, 'FAILED')],
        'failed',
      ),
      ...extra,
    ],
    images: [
      {
        provider: 'aws-parallelcluster',
        async *list() {
          yield image;
        },
      },
    ],
    close: async () => {},
  };
}

interface Sse {
  id: number;
  event: string;
  data: Record<string, unknown>;
}

/** Reads SSE messages until `enough` says stop. */
async function readSse(
  url: string,
  enough: (ms: Sse[]) => boolean,
  headers: Record<string, string> = {},
): Promise<Sse[]> {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  let buf = '';
  const out: Sse[] = [];
  while (!enough(out)) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i = buf.indexOf('\n\n');
    while (i >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const f = Object.fromEntries(
        block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
      );
      if (f.event) out.push({ id: Number(f.id), event: f.event, data: JSON.parse(f.data ?? 'null') });
      i = buf.indexOf('\n\n');
    }
  }
  ac.abort();
  return out;
}

let dash: Dashboard | undefined;
afterEach(async () => {
  await dash?.close();
  dash = undefined;
});

const results = (ms: Sse[]) => ms.filter((m) => m.event === 'result').length;

describe('dashboard server', () => {
  it('streams hello, the merged events in time order, results and images', async () => {
    dash = await startDashboard(sources(), { latenessMs: 50, imageRefreshMs: 20 });
    await dash.done;
    const ms = await readSse(`${dash.url}/events`, (m) => results(m) === 2 && m.some((x) => x.event === 'images'));
    expect(ms[0]).toMatchObject({
      event: 'hello',
      data: {
        targets: [
          { provider: 'openstack-heat', target: 'web' },
          { provider: 'huawei-rfs', target: 'db' },
        ],
      },
    });
    const events = ms.filter((m) => m.event === 'event').map((m) => m.data);
    expect(events.map((e) => `${e.provider}:${e.id}`)).toEqual([
      'openstack-heat:web-0',
      'huawei-rfs:db-0',
      'huawei-rfs:db-1',
      'openstack-heat:web-1',
    ]);
    expect(events[2]).toMatchObject({ type: 'event', v: 1, phase: 'FAILED', target: 'db' });
    const byTarget = Object.fromEntries(ms.filter((m) => m.event === 'result').map((m) => [m.data.target, m.data]));
    expect(byTarget.db).toMatchObject({ type: 'result', outcome: 'failed', status: 'CREATE_FAILED', events: 2 });
    expect(byTarget.web).toMatchObject({ outcome: 'succeeded', events: 2 });
    expect(ms.find((m) => m.event === 'images')?.data).toEqual({
      items: [expect.objectContaining({ type: 'image', id: 'img-1', state: 'AVAILABLE' })],
    });
  });

  it('resumes after Last-Event-ID without repeating what the browser saw', async () => {
    dash = await startDashboard(sources(), { latenessMs: 50 });
    await dash.done;
    const all = await readSse(`${dash.url}/events`, (m) => results(m) === 2);
    const second = all.filter((m) => m.event === 'event')[1] as Sse;
    const history = (ms: Sse[]) => ms.filter((m) => m.event !== 'hello' && m.event !== 'images');
    const expected = history(all).filter((m) => m.id > second.id);
    const rest = await readSse(`${dash.url}/events`, (m) => history(m).length >= expected.length, {
      'Last-Event-ID': String(second.id),
    });
    expect(history(rest).map((m) => m.id)).toEqual(expected.map((m) => m.id));
    const ids = rest.filter((m) => m.event === 'event').map((m) => m.data.id);
    expect(ids).toHaveLength(2);
  });

  it('reports a failing target as an error message and keeps the others', async () => {
    const broken: WatchedTarget = {
      provider: 'aws-imagebuilder',
      target: 'lce-x',
      watch: (signal) =>
        watchEvents<StackEvent>(
          {
            provider: 'aws-imagebuilder',
            operation: 'watch',
            poll: async () => {
              throw new StackfeedError({ code: 'FORBIDDEN', provider: 'aws-imagebuilder', message: 'not allowed' });
            },
            checkTerminal: () => ({ terminal: false }),
          },
          { signal, pollIntervalMs: 10 },
        ),
    };
    dash = await startDashboard(sources([broken]), { latenessMs: 20 });
    await dash.done;
    const ms = await readSse(
      `${dash.url}/events`,
      (m) => results(m) === 2 && m.some((x) => x.event === 'provider-error'),
    );
    // Never `error`: that is the browser's name for a lost connection.
    expect(ms.some((m) => m.event === 'error')).toBe(false);
    expect(ms.find((m) => m.event === 'provider-error')?.data).toMatchObject({
      provider: 'aws-imagebuilder',
      target: 'lce-x',
      code: 'FORBIDDEN',
      message: expect.stringContaining('not allowed'),
      count: 1,
    });
    expect(ms.filter((m) => m.event === 'event')).toHaveLength(4);
  });

  it('reports the same failure once, with a count and when it last happened, not as a growing list', async () => {
    let calls = 0;
    const s = sources();
    s.images.push({
      provider: 'aws-imagebuilder',
      // biome-ignore lint/correctness/useYield: a listing that fails every time
      async *list() {
        calls++;
        throw new StackfeedError({ code: 'THROTTLED', provider: 'aws-imagebuilder', message: 'Rate exceeded' });
      },
    });
    dash = await startDashboard(s, { latenessMs: 20, imageRefreshMs: 5 });
    await dash.done;
    await expect.poll(() => calls, { timeout: 20_000 }).toBeGreaterThan(5);
    // A browser connecting now gets one entry for it, with the count so far.
    const ms = await readSse(`${dash.url}/events`, (m) => m.some((x) => x.event === 'images'));
    const problems = ms.filter((m) => m.event === 'provider-error');
    // Replayed state carries no id (it must not move Last-Event-ID); live repeats may follow it.
    expect(problems.filter((m) => Number.isNaN(m.id))).toHaveLength(1);
    expect(new Set(problems.map((m) => m.data.key)).size).toBe(1);
    const p = problems[0]?.data as Record<string, unknown>;
    expect(p).toMatchObject({ provider: 'aws-imagebuilder', code: 'THROTTLED' });
    expect(p.target).toBeUndefined();
    expect(p.count).toBeGreaterThan(5);
    expect(Date.parse(String(p.lastSeen))).toBeGreaterThan(Date.parse(String(p.firstSeen)) - 1);
    const state = (await (await fetch(`${dash.url}/api/state`)).json()) as { problems: unknown[]; messages: number };
    expect(state.problems).toHaveLength(1);
    // History holds the events and results only: the repeats did not pile up in it.
    expect(state.messages).toBe(6);
  });

  it('a target that cannot start is reported on its card; the server and the other targets run', async () => {
    const cannot: WatchedTarget = {
      provider: 'openstack-heat',
      target: 'no-config',
      watch: () => {
        throw new StackfeedError({ code: 'CONFIG', provider: 'openstack-heat', message: 'no OpenStack configuration' });
      },
    };
    dash = await startDashboard(sources([cannot]), { latenessMs: 20 });
    await dash.done;
    const ms = await readSse(
      `${dash.url}/events`,
      (m) => results(m) === 2 && m.some((x) => x.event === 'provider-error'),
    );
    expect(ms.find((m) => m.event === 'provider-error')?.data).toMatchObject({
      provider: 'openstack-heat',
      target: 'no-config',
      code: 'CONFIG',
    });
    expect(ms.find((m) => m.event === 'hello')?.data.targets).toHaveLength(3);
    expect(ms.filter((m) => m.event === 'event')).toHaveLength(4);
  });

  it('serves the page, the state, and 404 for the rest', async () => {
    dash = await startDashboard(sources(), { latenessMs: 20 });
    const page = await fetch(dash.url);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<title>stackfeed dashboard</title>');
    expect((await fetch(`${dash.url}/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    const state = (await (await fetch(`${dash.url}/api/state`)).json()) as { targets: unknown[] };
    expect(state.targets).toHaveLength(2);
    expect((await fetch(`${dash.url}/../package.json`)).status).toBe(404);
    expect((await fetch(`${dash.url}/nope`)).status).toBe(404);
  });
});

describe('configured sources', () => {
  it('rejects a missing file, an unknown provider and a target without a name, as CONFIG', async () => {
    await expect(configuredSources(join(tmpdir(), 'no-such-dashboard.json'))).rejects.toMatchObject({ code: 'CONFIG' });
    const file = join(tmpdir(), `stackfeed-dashboard-${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ targets: [{ provider: 'gcp', target: 'x' }] }));
    await expect(configuredSources(file)).rejects.toThrow(/unknown provider "gcp"/);
    writeFileSync(file, JSON.stringify({ targets: [{ provider: 'huawei-rfs', region: 'cn-north-4' }] }));
    await expect(configuredSources(file)).rejects.toThrow(/needs "target"/);
  });

  it('builds SDK clients from the file (nothing is called until the server starts)', async () => {
    const file = join(tmpdir(), `stackfeed-dashboard-ok-${process.pid}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        pollIntervalMs: 1234,
        targets: [{ provider: 'aws-imagebuilder', target: 'lce-0123456789abcdef0', region: 'us-east-1' }],
        images: [{ provider: 'aws-imagebuilder', region: 'us-east-1' }],
      }),
    );
    const s = await configuredSources(file);
    expect(s.pollIntervalMs).toBe(1234);
    expect(s.targets.map((t) => `${t.provider}:${t.target}`)).toEqual(['aws-imagebuilder:lce-0123456789abcdef0']);
    expect(s.images.map((i) => i.provider)).toEqual(['aws-imagebuilder']);
    await s.close();
  });

  /** No clouds.yaml anywhere, no OS_*, no HUAWEICLOUD_SDK_*: a machine without those credentials. */
  const bare = () => ({ env: {}, searchDirs: [mkdtempSync(join(tmpdir(), 'stackfeed-no-clouds-'))] });

  it('missing Heat and RFS credentials fail their cards, and the server still starts and runs the rest', async () => {
    const file = join(tmpdir(), `stackfeed-dashboard-nocreds-${process.pid}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        pollIntervalMs: 10,
        targets: [
          { provider: 'openstack-heat', target: 'web' },
          { provider: 'huawei-rfs', target: 'shop-db', region: 'cn-north-4' },
        ],
      }),
    );
    const configured = await configuredSources(file, bare());
    const healthy = sources();
    dash = await startDashboard(
      { ...configured, targets: [...configured.targets, ...healthy.targets] },
      { latenessMs: 20 },
    );
    await dash.done;
    const ms = await readSse(
      `${dash.url}/events`,
      (m) => results(m) === 2 && m.filter((x) => x.event === 'provider-error').length === 2,
    );
    const problems = Object.fromEntries(
      ms.filter((m) => m.event === 'provider-error').map((m) => [m.data.provider, m.data]),
    );
    expect(problems['openstack-heat']).toMatchObject({ target: 'web', code: 'CONFIG' });
    expect(problems['huawei-rfs']).toMatchObject({ target: 'shop-db', code: 'CONFIG' });
    expect(ms.filter((m) => m.event === 'event')).toHaveLength(4);
  });

  it('a Heat entry with only "endpoint" is a noauth Heat, as in the CLI', async () => {
    const heat = await startHeatEmulator({ tenant: 'demo' });
    try {
      heat.addStack('web', [
        { atMs: 0, resource: 'web', status: 'CREATE_IN_PROGRESS', reason: 'Stack CREATE started' },
        { atMs: 0, resource: 'net', status: 'CREATE_COMPLETE', type: 'OS::Neutron::Net' },
        { atMs: 0, resource: 'web', status: 'CREATE_COMPLETE', reason: 'Stack CREATE completed successfully' },
      ]);
      const file = join(tmpdir(), `stackfeed-dashboard-noauth-${process.pid}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          pollIntervalMs: 10,
          targets: [{ provider: 'openstack-heat', target: 'web', endpoint: heat.heatUrl }],
        }),
      );
      const s = await configuredSources(file, bare());
      const events: StackEvent[] = [];
      const ac = new AbortController();
      for await (const e of s.targets[0]?.watch(ac.signal) ?? []) events.push(e);
      expect(events.map((e) => e.status)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'CREATE_COMPLETE']);
      // With a cloud named, a missing clouds.yaml is still an error: endpoint-only is the only noauth case.
      writeFileSync(
        file,
        JSON.stringify({
          targets: [{ provider: 'openstack-heat', target: 'web', endpoint: heat.heatUrl, cloud: 'x' }],
        }),
      );
      const named = await configuredSources(file, bare());
      expect(() => named.targets[0]?.watch(ac.signal)).toThrow(/x|OpenStack/);
    } finally {
      await heat.close();
    }
  });
});
