/**
 * Issue 16's row on the real Heat peer: one stack of 44 events (21 OS::Heat::None and the stack,
 * each IN_PROGRESS then COMPLETE), listed as JSON by whole processes in rotating rounds:
 *
 *   stackfeed events heat <stack> -o json       the built bin (packages/cli/bin/stackfeed.js)
 *   openstack stack event list <stack> -f json  python3-openstackclient + python3-heatclient (Debian)
 *   curl -L <the listing stackfeed asks for>    the transfer itself: by name, Heat's 302, the events
 *   node fetch-replay.mjs <the same two GETs>   Node's start and fetch (undici), nothing else
 *   node http-replay.mjs <the same two GETs>    Node's start and node:http (what got sends with), nothing else
 *   node -e 0                                   Node's own start
 *
 * noauth Heat for all (OS_AUTH_TYPE=none, OS_ENDPOINT). Before timing, the outputs of stackfeed and
 * openstack must hold Heat's own ids. The stack is created once (a few seconds) and kept, found by
 * name on later runs. Also, when the peer holds it, the 1,810-event stack of bench/heat/cli.ts.
 *
 * run: (peer up) npx tsx --conditions=@stackfeed/source bench/heat/cli-vs-curl.ts
 *      (writes bench/results/heat-cli-vs-curl.json); env ROUNDS (default 9); BEFORE_BIN=<another
 *      build's bin/stackfeed.js> adds it as a contender, with the ratio now/before (a build copied
 *      with its bin/, dist/bin/ and package.json to any folder: the events path loads no package).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { round, writeResult } from '../lib.ts';
import { type Contenders, medians, ratioOf, rotate, spawnTimed } from '../processes.ts';
import { listingUrls, the44, writeReplay } from './stack-44.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const RESULTS = join(here, '..', 'results', 'heat-cli-vs-curl.json');
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const BIN = join(root, 'packages', 'cli', 'bin', 'stackfeed.js');
const BEFORE_BIN = process.env.BEFORE_BIN;

async function main() {
  const { url, stack, ids: truth } = await the44();
  const env = { OS_AUTH_TYPE: 'none', OS_ENDPOINT: url, NO_COLOR: '1', HOME: process.env.HOME ?? '/root' };
  const tmp = mkdtempSync(join(os.tmpdir(), 'sf-heat-curl-'));
  const replay = join(tmp, 'replay.json');
  writeReplay(replay, url, stack);
  const sf = 'stackfeed events heat -o json';
  const before = 'stackfeed before (BEFORE_BIN)';
  const command = ['events', 'heat', stack.name, '-o', 'json'];
  const contenders: Contenders = {
    'node -e 0': [process.execPath, ['-e', '0']],
    [sf]: [process.execPath, [BIN, ...command], env],
    'openstack stack event list -f json': ['openstack', ['stack', 'event', 'list', stack.name, '-f', 'json'], env],
    'curl -L (same listing)': [
      'curl',
      ['-sS', '--fail', '-L', '-H', 'accept: application/json', '-o', '/dev/null', listingUrls(url, stack).listing],
    ],
    'node fetch (same two requests)': [process.execPath, [join(here, '..', 'cold-start', 'fetch-replay.mjs'), replay]],
    'node http.request (same two requests)': [
      process.execPath,
      [join(here, '..', 'cold-start', 'http-replay.mjs'), replay],
    ],
    ...(BEFORE_BIN ? { [before]: [process.execPath, [BEFORE_BIN, ...command], env] } : {}),
  };
  // the CLIs answer Heat's own events before anything is timed
  for (const name of [sf, 'openstack stack event list -f json', ...(BEFORE_BIN ? [before] : [])]) {
    const [cmd, args, e] = contenders[name] as Contenders[string];
    const ids = (JSON.parse((await spawnTimed(cmd, args, e)).out) as Array<{ id: string }>).map((x) => x.id).sort();
    if (ids.length !== truth.length || ids.some((id, i) => id !== truth[i]))
      throw new Error(`${name}: ${ids.length} events, Heat has ${truth.length}`);
  }
  const samples = await rotate(contenders, ROUNDS);
  rmSync(tmp, { recursive: true, force: true });
  const curl = 'curl -L (same listing)';
  const result = {
    date: new Date().toISOString(),
    peer: { url, heat: 'OpenStack Heat 19.0.0 (Zed, Debian bookworm), legacy engine, noauth' },
    stack: { ...stack, events: truth.length },
    node: process.version,
    openstack: execFileSync('openstack', ['--version'], { encoding: 'utf8' }).trim(),
    cpus: os.cpus().length,
    loadavg: os.loadavg().map((x) => round(x, 2)),
    rounds: ROUNDS,
    ...(BEFORE_BIN ? { before: BEFORE_BIN } : {}),
    medians: medians(samples),
    ratios: [
      ratioOf(samples, sf, curl),
      ratioOf(samples, 'openstack stack event list -f json', sf),
      ratioOf(samples, sf, 'node http.request (same two requests)'),
      ratioOf(samples, sf, 'node fetch (same two requests)'),
      ratioOf(samples, 'node http.request (same two requests)', curl),
      ratioOf(samples, 'node fetch (same two requests)', curl),
      ratioOf(samples, 'node -e 0', curl),
      ratioOf(samples, sf, 'node -e 0'),
      ...(BEFORE_BIN ? [ratioOf(samples, sf, before), ratioOf(samples, before, curl)] : []),
    ],
  };
  writeResult(RESULTS, result);
  console.log(JSON.stringify(result, null, 2));
}

await main();
