/**
 * Issue 16's row on the real Heat peer: one stack of 44 events (21 OS::Heat::None and the stack,
 * each IN_PROGRESS then COMPLETE), listed as JSON by whole processes in rotating rounds:
 *
 *   stackfeed events heat <stack> -o json       the built bin (packages/cli/bin/stackfeed.js)
 *   openstack stack event list <stack> -f json  python3-openstackclient + python3-heatclient (Debian)
 *   curl -L <the listing stackfeed asks for>    the transfer itself: by name, Heat's 302, the events
 *   node fetch-replay.mjs <the same two GETs>   the floor of any Node CLI: Node's start and fetch, nothing else
 *   node -e 0                                   Node's own start
 *
 * noauth Heat for all (OS_AUTH_TYPE=none, OS_ENDPOINT). Before timing, the outputs of stackfeed and
 * openstack must hold Heat's own ids. The stack is created once (a few seconds) and kept, found by
 * name on later runs. Also, when the peer holds it, the 1,810-event stack of bench/heat/cli.ts.
 *
 * run: (peer up) npx tsx --conditions=@stackfeed/source bench/heat/cli-vs-curl.ts
 *      (writes bench/results/heat-cli-vs-curl.json); env ROUNDS (default 9).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type StackHandle,
  createStack,
  heatAnswers,
  noauthPeerUrl,
  rawEvents,
  waitStack,
} from '../../packages/openstack-heat/test/support/peer.ts';
import { round, writeResult } from '../lib.ts';
import { type Contenders, medians, ratioOf, rotate, spawnTimed } from '../processes.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const RESULTS = join(here, '..', 'results', 'heat-cli-vs-curl.json');
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const BIN = join(root, 'packages', 'cli', 'bin', 'stackfeed.js');
const FETCH_REPLAY = join(here, '..', 'cold-start', 'fetch-replay.mjs');
const NAME = 'bench-cli-44';
const url = noauthPeerUrl();

const TEMPLATE = `heat_template_version: 2018-08-31
resources:
${Array.from({ length: 21 }, (_, i) => `  server_${i}:\n    type: OS::Heat::None\n`).join('')}`;

async function stacks(): Promise<Array<{ id: string; stack_name: string; stack_status: string }>> {
  const res = await fetch(`${url}/stacks`, { headers: { accept: 'application/json' } });
  return ((await res.json()) as { stacks: Array<{ id: string; stack_name: string; stack_status: string }> }).stacks;
}

async function the44(): Promise<StackHandle> {
  const found = (await stacks()).find((s) => s.stack_name === NAME && s.stack_status === 'CREATE_COMPLETE');
  if (found) return { name: found.stack_name, id: found.id };
  const stack = await createStack(url, NAME, TEMPLATE, { inline: true });
  const status = await waitStack(url, stack, 5 * 60_000);
  if (status !== 'CREATE_COMPLETE') throw new Error(`${NAME}: ${status}`);
  return stack;
}

async function main() {
  if (!(await heatAnswers(url))) throw new Error(`no Heat at ${url}: run shared/real-peers/heat/up.sh`);
  const stack = await the44();
  const truth = (await rawEvents(url, stack, '')).map((e) => e.id).sort();
  const env = { OS_AUTH_TYPE: 'none', OS_ENDPOINT: url, NO_COLOR: '1', HOME: process.env.HOME ?? '/root' };
  const tmp = mkdtempSync(join(os.tmpdir(), 'sf-heat-curl-'));
  // what stackfeed asks for (its first request by name; Heat's 302 sends it to the canonical URL)
  const listing = `${url}/stacks/${encodeURIComponent(stack.name)}/events?sort_dir=asc&limit=10000`;
  const canonical = `${url}/stacks/${encodeURIComponent(stack.name)}/${stack.id}/events?sort_dir=asc&limit=10000`;
  const replay = join(tmp, 'replay.json');
  const headers = [['accept', 'application/json']];
  writeFileSync(replay, JSON.stringify([listing, canonical].map((u) => ({ method: 'GET', url: u, headers }))));
  const contenders: Contenders = {
    'node -e 0': [process.execPath, ['-e', '0']],
    'stackfeed events heat -o json': [process.execPath, [BIN, 'events', 'heat', stack.name, '-o', 'json'], env],
    'openstack stack event list -f json': ['openstack', ['stack', 'event', 'list', stack.name, '-f', 'json'], env],
    'curl -L (same listing)': [
      'curl',
      ['-sS', '--fail', '-L', '-H', 'accept: application/json', '-o', '/dev/null', listing],
    ],
    'node fetch (same two requests)': [process.execPath, [FETCH_REPLAY, replay]],
  };
  // both CLIs answer Heat's own events before anything is timed
  for (const name of ['stackfeed events heat -o json', 'openstack stack event list -f json']) {
    const [cmd, args, e] = contenders[name] as Contenders[string];
    const ids = (JSON.parse((await spawnTimed(cmd, args, e)).out) as Array<{ id: string }>).map((x) => x.id).sort();
    if (ids.length !== truth.length || ids.some((id, i) => id !== truth[i]))
      throw new Error(`${name}: ${ids.length} events, Heat has ${truth.length}`);
  }
  const samples = await rotate(contenders, ROUNDS);
  rmSync(tmp, { recursive: true, force: true });
  const sf = 'stackfeed events heat -o json';
  const result = {
    date: new Date().toISOString(),
    peer: { url, heat: 'OpenStack Heat 19.0.0 (Zed, Debian bookworm), legacy engine, noauth' },
    stack: { ...stack, events: truth.length },
    node: process.version,
    openstack: execFileSync('openstack', ['--version'], { encoding: 'utf8' }).trim(),
    cpus: os.cpus().length,
    loadavg: os.loadavg().map((x) => round(x, 2)),
    rounds: ROUNDS,
    medians: medians(samples),
    ratios: [
      ratioOf(samples, sf, 'curl -L (same listing)'),
      ratioOf(samples, 'openstack stack event list -f json', sf),
      ratioOf(samples, sf, 'node fetch (same two requests)'),
      ratioOf(samples, 'node fetch (same two requests)', 'curl -L (same listing)'),
      ratioOf(samples, 'node -e 0', 'curl -L (same listing)'),
      ratioOf(samples, sf, 'node -e 0'),
    ],
  };
  writeResult(RESULTS, result);
  console.log(JSON.stringify(result, null, 2));
}

await main();
