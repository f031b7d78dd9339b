/**
 * Heat figures for the note, against the REAL Heat peer (noauth, :8004 by default):
 *
 * 1. Listing every event of the largest stacks (flat-many: 242 top-level events; big-group with
 *    nested_depth=1: 410 events): stackfeed vs python-heatclient (Debian python3-heatclient), both
 *    in-process per call and as commands (`openstack stack event list` vs a node one-shot), wall
 *    time ratios, and whether the event ids are identical.
 * 2. Watch latency: a stack is created and watched; for each event, the time from its
 *    `event_time` (Heat gives whole seconds, truncated) to it being yielded: p50 / p95; and the
 *    requests made per minute.
 *
 * run: npx tsx --conditions=@stackfeed/source bench/heat/heat.ts   (writes bench/results/heat.json)
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LogEntry, StackEvent } from '@stackfeed/core';
import { HeatClient } from '@stackfeed/openstack-heat';
import {
  type StackHandle,
  createStack,
  deleteStack,
  heatAnswers,
  noauthPeerUrl,
  rawEvents,
  uniqueName,
  waitStack,
} from '../../packages/openstack-heat/test/support/peer.ts';

const here = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(here, '..', 'results', 'heat.json');
const RUNS = Number(process.env.HEAT_BENCH_RUNS ?? 15);
const CLI_RUNS = Number(process.env.HEAT_BENCH_CLI_RUNS ?? 5);
const url = noauthPeerUrl();
const PY = '/usr/bin/python3';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
};
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** The one-shot command runs the built package (dist), like an installed CLI would. */
function ensureBuilt(): void {
  const root = join(here, '..', '..');
  for (const pkg of ['core', 'openstack-heat']) {
    if (!existsSync(join(root, 'packages', pkg, 'dist', 'index.js'))) {
      execFileSync('pnpm', ['--filter', `@stackfeed/${pkg}`, 'build'], { cwd: root, stdio: 'inherit' });
    }
  }
}

function ensureHeatclient(): void {
  const ok = spawnSync(PY, ['-c', 'import heatclient, openstackclient'], { stdio: 'ignore' }).status === 0;
  if (!ok) {
    console.error('installing python3-heatclient python3-openstackclient (apt-get)');
    execFileSync('apt-get', ['install', '-y', '-q', 'python3-heatclient', 'python3-openstackclient'], {
      stdio: 'inherit',
    });
  }
}

const created: StackHandle[] = [];

async function main() {
  if (!(await heatAnswers(url))) throw new Error(`no Heat at ${url}: run ../shared/real-peers/heat/up.sh`);
  ensureHeatclient();
  ensureBuilt();
  const heat = new HeatClient({ auth: { type: 'none' }, endpoint: url });

  console.error('creating the bench stacks (flat-many, big-group)…');
  const flat = await createStack(url, uniqueName('bench-flat'), 'flat-many.yaml');
  const big = await createStack(url, uniqueName('bench-big'), 'big-group.yaml');
  created.push(flat, big);
  await waitStack(url, flat, 300_000);
  await waitStack(url, big, 300_000);

  const listing = [];
  for (const [label, s, nested] of [
    ['flat-many (120 resources, top level)', flat, 0],
    ['big-group (202 resources, nested_depth=1)', big, 1],
  ] as const) {
    const truth = (await rawEvents(url, s, nested ? `nested_depth=${nested}` : '')).map((e) => e.id);
    // In process, warm clients, calls interleaved (stackfeed, heatclient, raw fetch without and
    // with limit) so that all four see the same server load.
    const py = spawn(PY, [join(here, 'heatclient_list.py'), url, `${s.name}/${s.id}`, String(nested)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: py.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
    const heatclientCall = async () => {
      py.stdin?.write('go\n');
      const line = await lines.next();
      return JSON.parse(String(line.value)) as { seconds: number; ids: string[] };
    };
    const rawUrl = `${url}/stacks/${s.name}/${s.id}/events?sort_dir=asc${nested ? `&nested_depth=${nested}` : ''}`;
    const rawCall = async (limit: boolean) => {
      const t = performance.now();
      const res = await fetch(`${rawUrl}${limit ? '&limit=1000' : ''}`, { headers: { accept: 'application/json' } });
      const body = (await res.json()) as { events: unknown[] };
      if (!Array.isArray(body.events)) throw new Error('raw fetch failed');
      return (performance.now() - t) / 1000;
    };
    const sfTimes: number[] = [];
    const pyTimes: number[] = [];
    const rawTimes: number[] = [];
    const rawLimitTimes: number[] = [];
    let sfIds: string[] = [];
    let pyIds: string[] = [];
    for (let i = 0; i < RUNS + 2; i++) {
      const t = performance.now();
      const evs = await heat
        .listStackEvents({ name: s.name, id: s.id }, { nestedDepth: nested })
        .toArray({ limit: 100_000 });
      const sf = (performance.now() - t) / 1000;
      sfIds = evs.map((e) => e.id);
      const pyr = await heatclientCall();
      pyIds = pyr.ids;
      const raw = await rawCall(false);
      const rawLimit = await rawCall(true);
      if (i >= 2) {
        sfTimes.push(sf);
        pyTimes.push(pyr.seconds);
        rawTimes.push(raw);
        rawLimitTimes.push(rawLimit);
      }
    }
    py.stdin?.end();
    const pyIdsFinal = pyIds;
    // stackfeed by name (follows Heat's 302 once) and paged by 100, for reference
    const t0 = performance.now();
    const paged = await heat
      .listStackEvents(s.name, { nestedDepth: nested, pageSize: 100 })
      .toArray({ limit: 100_000 });
    const pagedSeconds = (performance.now() - t0) / 1000;
    // commands: `openstack stack event list` vs a node one-shot of stackfeed
    const env = { ...process.env, OS_AUTH_TYPE: 'none', OS_ENDPOINT: url, OS_CLOUD: '' };
    const cliArgs = ['stack', 'event', 'list', s.id, '-f', 'json', '--sort', 'event_time:asc'];
    if (nested) cliArgs.push('--nested-depth', String(nested));
    const cliTimes: number[] = [];
    let cliIds: string[] = [];
    for (let i = 0; i < CLI_RUNS; i++) {
      const t = performance.now();
      const out = execFileSync('/usr/bin/openstack', cliArgs, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
      cliTimes.push((performance.now() - t) / 1000);
      cliIds = (JSON.parse(out) as Array<{ id: string }>).map((e) => e.id);
    }
    const oneShot = join(here, 'list-once.mjs');
    const nodeTimes: number[] = [];
    let nodeCount = 0;
    for (let i = 0; i < CLI_RUNS; i++) {
      const t = performance.now();
      const out = execFileSync(process.execPath, [oneShot, url, s.name, s.id, String(nested)], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      nodeTimes.push((performance.now() - t) / 1000);
      nodeCount = Number(out.trim());
    }
    const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    const sameSet = (a: string[], b: string[]) => a.length === b.length && new Set([...a, ...b]).size === a.length;
    listing.push({
      stack: label,
      events: truth.length,
      inProcess: {
        stackfeedMedianSeconds: round(median(sfTimes), 4),
        heatclientMedianSeconds: round(median(pyTimes), 4),
        ratioHeatclientOverStackfeed: round(median(pyTimes) / median(sfTimes), 2),
        rawFetchNoLimitMedianSeconds: round(median(rawTimes), 4),
        rawFetchLimit1000MedianSeconds: round(median(rawLimitTimes), 4),
        runs: RUNS,
      },
      command: {
        openstackCliMedianSeconds: round(median(cliTimes)),
        stackfeedNodeOneShotMedianSeconds: round(median(nodeTimes)),
        ratioCliOverStackfeed: round(median(cliTimes) / median(nodeTimes), 2),
        runs: CLI_RUNS,
      },
      stackfeedPagedBy100Seconds: round(pagedSeconds, 4),
      ids: {
        stackfeedEqualsHeatOrder: same(sfIds, truth),
        stackfeedPagedEqualsHeatOrder: same(
          paged.map((e) => e.id),
          truth,
        ),
        heatclientEqualsStackfeedOrder: same(pyIdsFinal, sfIds),
        openstackCliSameIdsAsStackfeed: sameSet(cliIds, sfIds),
        openstackCliSameOrderAsStackfeed: same(cliIds, sfIds),
        counts: {
          stackfeed: sfIds.length,
          heatclient: pyIdsFinal.length,
          openstackCli: cliIds.length,
          nodeOneShot: nodeCount,
        },
      },
    });
    console.error(JSON.stringify(listing.at(-1)));
  }

  // ---- watch latency on the real Heat ----
  const watchRuns = [];
  for (const [tpl, pollIntervalMs] of [
    ['big-group.yaml', 1000],
    ['ok.yaml', 1000],
    ['big-group.yaml', 2000],
  ] as const) {
    let requests = 0;
    const logger = (e: LogEntry) => {
      if (e.event === 'request') requests++;
    };
    const client = new HeatClient({ auth: { type: 'none' }, endpoint: url, logger });
    const s = await createStack(url, uniqueName('bench-watch'), tpl);
    created.push(s);
    const started = performance.now();
    const w = client.watchStackEvents(s.name, { pollIntervalMs, nestedDepth: tpl === 'big-group.yaml' ? 1 : 0 });
    const lat: number[] = [];
    let n = 0;
    for await (const ev of w as AsyncIterable<StackEvent>) {
      n++;
      lat.push((Date.now() - ev.timestamp.getTime()) / 1000);
    }
    const minutes = (performance.now() - started) / 60_000;
    watchRuns.push({
      template: tpl,
      pollIntervalMs,
      events: n,
      outcome: w.result?.outcome,
      latencySeconds: { p50: round(pct(lat, 50), 2), p95: round(pct(lat, 95), 2), max: round(Math.max(...lat), 2) },
      durationSeconds: round(minutes * 60, 1),
      requests,
      requestsPerMinute: round(requests / minutes, 1),
      polls: w.result?.polls,
    });
    console.error(JSON.stringify(watchRuns.at(-1)));
  }

  const out = {
    generatedAt: new Date().toISOString(),
    peer: { url, heat: 'OpenStack Heat 19.0.0 (Zed, Debian bookworm), legacy engine, noauth' },
    peers: {
      heatclient: execFileSync(PY, ['-c', 'import heatclient;print(heatclient.__version__)'], {
        encoding: 'utf8',
      }).trim(),
      openstackclient: execFileSync('/usr/bin/openstack', ['--version'], { encoding: 'utf8' }).trim(),
      node: process.version,
    },
    notes: [
      'inProcess: warm clients, calls interleaved run by run (stackfeed, heatclient, raw fetch without / with limit=1000) so all see the same load; one request per list (stackfeed sends limit=1000, its default page size; heatclient sends no limit)',
      'command: a fresh process per run: `openstack stack event list <id> -f json --sort event_time:asc` vs `node bench/heat/list-once.mjs` (built dist)',
      'watch latency: event_time has whole-second resolution (truncated), so latencies include up to 1 s of rounding',
    ],
    listing,
    watch: watchRuns,
  };
  // leave the shared peer as we found it
  await Promise.allSettled(created.map((x) => deleteStack(url, x)));
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out, null, 2));
}

await main();
