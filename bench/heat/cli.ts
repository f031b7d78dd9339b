/**
 * The `stackfeed` command vs the `openstack` command, listing EVERY event of the largest stack the
 * real Heat peer holds, each as a fresh process (what a user typing the command waits for):
 *
 *   stackfeed events heat <stack> --nested-depth 1 -o json            (the built bin: packages/cli/bin)
 *   openstack stack event list <stack> --nested-depth 1 -f json --sort event_time:asc
 *
 * Same auth mode for both (noauth Heat: OS_AUTH_TYPE=none, OS_ENDPOINT), same stack name (both
 * resolve it through Heat's 302), same machine-readable output. Alternating rounds after a warm-up
 * of each; the ratio is the median of the per-round ratios, for wall time and for CPU time (the
 * child's user+system time, from this process's cutime/cstime in /proc/self/stat). Before any
 * ratio is reported, both outputs must hold exactly Heat's own unpaged answer: same count, same ids.
 *
 * The stack: big-group.yaml with count=450 per group (2 ResourceGroups, 902 resources: under the
 * peer's max_resources_per_stack of 1000, and 900 events per nested stack, under its
 * max_events_per_stack of 1000, so nothing is pruned). nested_depth=1 lists 1,810 events.
 * Creating it takes the legacy engine about 6 minutes on this machine, so the stack is KEPT and
 * reused by later runs (found by its name prefix); HEAT_CLI_DELETE=1 deletes it at the end.
 *
 * run: npx tsx --conditions=@stackfeed/source bench/heat/cli.ts   (writes bench/results/heat-cli.json)
 * env: HEAT_CLI_ROUNDS (default 7), HEAT_CLI_COUNT (members per group, default 450),
 *      HEAT_CLI_STACK (use this existing stack instead), HEAT_CLI_DELETE=1, HEAT_URL.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type StackHandle,
  createStack,
  deleteStack,
  heatAnswers,
  noauthPeerUrl,
  rawEvents,
  stackStatus,
  waitStack,
} from '../../packages/openstack-heat/test/support/peer.ts';
import { median, round, writeResult } from '../lib.ts';
import { childrenCpuMs } from '../processes.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const RESULTS = join(here, '..', 'results', 'heat-cli.json');
const ROUNDS = Number(process.env.HEAT_CLI_ROUNDS ?? 7);
const COUNT = Number(process.env.HEAT_CLI_COUNT ?? 450);
const PREFIX = `bench-cli-largest-${COUNT}-`;
const NESTED = 1;
const url = noauthPeerUrl();
const BIN = join(root, 'packages', 'cli', 'bin', 'stackfeed.js');
const OPENSTACK = '/usr/bin/openstack';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): { wallMs: number; cpuMs: number; out: string } {
  const c0 = childrenCpuMs();
  const t0 = performance.now();
  const out = execFileSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 256 << 20, cwd: root });
  const wallMs = performance.now() - t0;
  return { wallMs, cpuMs: childrenCpuMs() - c0, out };
}

async function findOrCreateStack(): Promise<{ stack: StackHandle; created: boolean; createSeconds?: number }> {
  const named = process.env.HEAT_CLI_STACK;
  const res = await fetch(`${url}/stacks`, { headers: { accept: 'application/json' } });
  const stacks = ((await res.json()) as { stacks: Array<{ id: string; stack_name: string; stack_status: string }> })
    .stacks;
  const found = stacks.find((s) =>
    named ? s.stack_name === named : s.stack_name.startsWith(PREFIX) && s.stack_status === 'CREATE_COMPLETE',
  );
  if (found) return { stack: { name: found.stack_name, id: found.id }, created: false };
  if (named) throw new Error(`no stack named ${named} on ${url}`);
  console.error(`creating ${PREFIX}… (big-group.yaml, count=${COUNT}; ~6 min on the legacy engine, kept for reuse)`);
  const t0 = performance.now();
  const stack = await createStack(url, `${PREFIX}${Date.now().toString(36)}`, 'big-group.yaml', {
    parameters: { count: COUNT },
  });
  const status = await waitStack(url, stack, 20 * 60_000);
  if (status !== 'CREATE_COMPLETE') throw new Error(`${stack.name}: ${status}`);
  return { stack, created: true, createSeconds: round((performance.now() - t0) / 1000, 1) };
}

async function main() {
  if (!(await heatAnswers(url))) throw new Error(`no Heat at ${url}: run ../shared/real-peers/heat/up.sh`);
  if (!existsSync(OPENSTACK))
    throw new Error(`${OPENSTACK} missing (Debian python3-openstackclient, installed with the peer)`);
  if (!existsSync(join(root, 'packages', 'cli', 'dist', 'bin.js'))) {
    execFileSync('pnpm', ['--filter', '@stackfeed/cli...', 'build'], { cwd: root, stdio: 'inherit' });
  }
  const { stack, created, createSeconds } = await findOrCreateStack();
  const status = await stackStatus(url, stack);
  const truth = (await rawEvents(url, stack, `nested_depth=${NESTED}`)).map((e) => e.id);
  console.error(`${stack.name} (${status}): ${truth.length} events with nested_depth=${NESTED}`);

  // the same auth mode for both: noauth, the endpoint from the environment, no clouds.yaml
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OS_AUTH_TYPE: 'none',
    OS_ENDPOINT: url,
    OS_CLOUD: '',
    NODE_OPTIONS: '',
    NO_COLOR: '1',
  };
  const sfArgs = [BIN, 'events', 'heat', stack.name, '--nested-depth', String(NESTED), '-o', 'json'];
  const osArgs = ['stack', 'event', 'list', stack.name, '--nested-depth', String(NESTED), '-f', 'json'];
  osArgs.push('--sort', 'event_time:asc');
  const stackfeed = () => run(process.execPath, sfArgs, env);
  const openstack = () => run(OPENSTACK, osArgs, env);
  const idsOf = (out: string) => (JSON.parse(out) as Array<{ id: string }>).map((e) => e.id);
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  const sameSet = (a: string[], b: string[]) => a.length === b.length && new Set([...a, ...b]).size === a.length;

  // warm-up (page cache, Heat's own caches), checked like every other round
  const check = (label: string, ids: string[]) => {
    if (!sameSet(ids, truth))
      throw new Error(`${label}: ${ids.length} events, not Heat's ${truth.length} (ids differ)`);
  };
  check('stackfeed', idsOf(stackfeed().out));
  check('openstack', idsOf(openstack().out));

  const sf: Array<{ wallMs: number; cpuMs: number }> = [];
  const osc: Array<{ wallMs: number; cpuMs: number }> = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  let sfIds: string[] = [];
  let osIds: string[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // alternate which command goes first
    const pair = i % 2 === 0 ? [stackfeed, openstack] : [openstack, stackfeed];
    const r1 = (pair[0] as typeof stackfeed)();
    const r2 = (pair[1] as typeof stackfeed)();
    const [s, o] = i % 2 === 0 ? [r1, r2] : [r2, r1];
    sfIds = idsOf(s.out);
    osIds = idsOf(o.out);
    check('stackfeed', sfIds);
    check('openstack', osIds);
    sf.push({ wallMs: s.wallMs, cpuMs: s.cpuMs });
    osc.push({ wallMs: o.wallMs, cpuMs: o.cpuMs });
    ratios.push(o.wallMs / s.wallMs);
    cpuRatios.push(o.cpuMs / s.cpuMs);
    console.error(
      `round ${i + 1}: stackfeed ${round(s.wallMs, 0)} ms (cpu ${s.cpuMs}), openstack ${round(o.wallMs, 0)} ms (cpu ${o.cpuMs})`,
    );
  }

  const out = {
    generatedAt: new Date().toISOString(),
    benchmark:
      'list every event of the largest stack on the real Heat, fresh process each: stackfeed CLI (built bin) vs `openstack stack event list`',
    peer: { url, heat: 'OpenStack Heat 19.0.0 (Zed, Debian bookworm), legacy engine, noauth' },
    stack: {
      name: stack.name,
      id: stack.id,
      status,
      template: `big-group.yaml, count=${COUNT} (2 ResourceGroups, ${2 * COUNT + 2} resources)`,
      nestedDepth: NESTED,
      events: truth.length,
      createdByThisRun: created,
      ...(createSeconds !== undefined ? { createSeconds } : {}),
    },
    commands: {
      stackfeed: `node packages/cli/bin/stackfeed.js ${sfArgs.slice(1).join(' ')}`,
      openstack: `openstack ${osArgs.join(' ')}`,
      env: 'OS_AUTH_TYPE=none OS_ENDPOINT=<url> (both)',
    },
    verified: {
      countsEqualHeat: sfIds.length === truth.length && osIds.length === truth.length,
      stackfeedIdsEqualHeat: sameSet(sfIds, truth),
      openstackIdsEqualHeat: sameSet(osIds, truth),
      stackfeedOrderEqualsHeat: same(sfIds, truth),
      openstackOrderEqualsStackfeed: same(osIds, sfIds),
      counts: { heat: truth.length, stackfeed: sfIds.length, openstack: osIds.length },
    },
    rounds: ROUNDS,
    stackfeedMedianMs: round(median(sf.map((x) => x.wallMs)), 1),
    openstackMedianMs: round(median(osc.map((x) => x.wallMs)), 1),
    stackfeedCpuMedianMs: median(sf.map((x) => x.cpuMs)),
    openstackCpuMedianMs: median(osc.map((x) => x.cpuMs)),
    ratioOpenstackOverStackfeed: round(median(ratios), 2),
    cpuRatioOpenstackOverStackfeed: round(median(cpuRatios), 2),
    perRound: sf.map((s, i) => ({ stackfeed: s, openstack: osc[i] })),
    peers: {
      openstackclient: execFileSync(OPENSTACK, ['--version'], { encoding: 'utf8' }).trim(),
      heatclient: spawnSync('/usr/bin/python3', ['-c', 'import heatclient;print(heatclient.__version__)'], {
        encoding: 'utf8',
      }).stdout.trim(),
      node: process.version,
    },
    loadAverage: os.loadavg().map((x) => round(x, 2)),
    cpus: os.cpus().length,
  };
  if (process.env.HEAT_CLI_DELETE === '1') await deleteStack(url, stack);
  writeResult(RESULTS, out);
  console.log(JSON.stringify({ ...out, perRound: undefined }, null, 2));
}

await main();
