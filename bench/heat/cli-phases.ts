/**
 * Where the time of one `stackfeed events heat <stack> -o json` goes on the real Heat peer, phase
 * by phase, next to the processes it is compared with (the 44-event stack of stack-44.ts):
 *
 *   stackfeed events heat <stack> -o json   the built bin
 *   node fetch-replay.mjs                   the same two GETs with fetch (undici)
 *   node http-replay.mjs                    the same two GETs with node:http (stackfeed's transport is got over node:http)
 *   node -e 0                               Node's own start and exit
 *   curl -L                                 its own -w timings: connect, first byte, total
 *
 * Each Node process runs with bench/cold-start/phase-marks.cjs preloaded, which writes when each
 * phase happened (ms since the process started). Per run: start (Node's start-up, to the preload),
 * to 1st request (module loading, configuration, the client), each request's first byte and body,
 * between the requests, output (the model and JSON after the last body), drain (last write or body
 * to beforeExit: what still held the event loop), exit, and the rest of the parent's wall time
 * (fork/exec and teardown). Medians of ROUNDS rotating rounds (default 9) after one warm-up.
 *
 * run: (peer up; pnpm build) npx tsx --conditions=@stackfeed/source bench/heat/cli-phases.ts
 *      (writes bench/results/heat-cli-phases.json); BEFORE_BIN=<another build's bin/stackfeed.js>
 *      adds its phases (as in cli-vs-curl.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, round, writeResult } from '../lib.ts';
import { listingUrls, the44, writeReplay } from './stack-44.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
// OUT=<name>.json: another results file (a run that must not replace the one docs/performance.md cites).
const RESULTS = join(here, '..', 'results', process.env.OUT ?? 'heat-cli-phases.json');
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const BIN = join(root, 'packages', 'cli', 'bin', 'stackfeed.js');
const MARKS = join(here, '..', 'cold-start', 'phase-marks.cjs');
const BEFORE_BIN = process.env.BEFORE_BIN;

type Mark = [name: string, ms: number];

function run(cmd: string, args: string[], env: Record<string, string>) {
  return new Promise<{ wallMs: number; stdout: string; stderr: string }>((resolve, reject) => {
    const t0 = performance.now();
    execFile(
      cmd,
      args,
      { encoding: 'utf8', maxBuffer: 64 << 20, env: { PATH: process.env.PATH ?? '', ...env } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message} ${stderr}`));
        else resolve({ wallMs: performance.now() - t0, stdout, stderr });
      },
    );
  });
}

/** The phases of one Node process from its PHASES line. */
function phasesOf(wallMs: number, stderr: string): Record<string, number> {
  const line = stderr.split('\n').find((l) => l.startsWith('PHASES '));
  if (!line) throw new Error(`no PHASES line in ${stderr.slice(0, 400)}`);
  const { marks, cpuMs } = JSON.parse(line.slice(7)) as { marks: Mark[]; cpuMs: number };
  const all = (n: string) => marks.filter((m) => m[0] === n).map((m) => m[1]);
  const at = (n: string) => all(n)[0];
  const [req1, req2] = all('request');
  const [head1, head2] = all('headers');
  const [body1, body2] = all('body');
  const exit = at('exit') as number;
  const beforeExit = at('beforeExit') ?? exit;
  const lastOut = Math.max(at('lastWrite') ?? 0, at('firstWrite') ?? 0, body2 ?? body1 ?? 0, at('preload') ?? 0);
  const p: Record<string, number> = { start: at('preload') as number };
  if (req1 !== undefined && body1 !== undefined && head1 !== undefined) {
    p['to 1st request'] = req1 - p.start;
    p['1st: first byte'] = head1 - req1;
    p['1st: body'] = body1 - head1;
  }
  if (req2 !== undefined && body2 !== undefined && head2 !== undefined && body1 !== undefined) {
    p['between requests'] = req2 - body1;
    p['2nd: first byte'] = head2 - req2;
    p['2nd: body'] = body2 - head2;
  }
  if (at('firstWrite') !== undefined && body2 !== undefined) p.output = lastOut - body2;
  p.drain = beforeExit - lastOut;
  p.exit = exit - beforeExit;
  p['rest (fork/exec, teardown)'] = wallMs - exit;
  p.sockets = all('socket').length;
  p.wall = wallMs;
  p.cpu = cpuMs;
  return p;
}

/** curl's own timings of the listing (-L: the 302, then the canonical URL, on one connection). */
function curlPhases(wallMs: number, stdout: string): Record<string, number> {
  const [connect, firstByte, total, connects] = stdout.trim().split(' ').map(Number) as [
    number,
    number,
    number,
    number,
  ];
  return {
    connect: connect * 1000,
    'last first byte': firstByte * 1000,
    'transfer total': total * 1000,
    'rest (process)': wallMs - total * 1000,
    sockets: connects,
    wall: wallMs,
  };
}

async function main() {
  const { url, stack, ids } = await the44();
  const tmp = mkdtempSync(join(os.tmpdir(), 'sf-heat-phases-'));
  const replay = join(tmp, 'replay.json');
  writeReplay(replay, url, stack);
  const env = { OS_AUTH_TYPE: 'none', OS_ENDPOINT: url, NO_COLOR: '1', HOME: process.env.HOME ?? '/root' };
  const node = (args: string[]) => [process.execPath, ['-r', MARKS, ...args]] as const;
  const contenders: Record<string, readonly [string, readonly string[]]> = {
    'stackfeed events heat -o json': node([BIN, 'events', 'heat', stack.name, '-o', 'json']),
    'node fetch (same two requests)': node([join(here, '..', 'cold-start', 'fetch-replay.mjs'), replay]),
    'node http.request (same two requests)': node([join(here, '..', 'cold-start', 'http-replay.mjs'), replay]),
    'node -e 0': node(['-e', '0']),
    ...(BEFORE_BIN
      ? { 'stackfeed before (BEFORE_BIN)': node([BEFORE_BIN, 'events', 'heat', stack.name, '-o', 'json']) }
      : {}),
    'curl -L (same listing)': [
      'curl',
      [
        '-sS',
        '--fail',
        '-L',
        '-H',
        'accept: application/json',
        '-o',
        '/dev/null',
        '-w',
        '%{time_connect} %{time_starttransfer} %{time_total} %{num_connects}',
        listingUrls(url, stack).listing,
      ],
    ],
  };
  const first = await run(...(contenders['stackfeed events heat -o json'] as [string, string[]]), env);
  const got = (JSON.parse(first.stdout) as Array<{ id: string }>).map((e) => e.id).sort();
  if (got.join() !== ids.join()) throw new Error(`stackfeed listed ${got.length} events, Heat has ${ids.length}`);

  const names = Object.keys(contenders);
  const samples: Record<string, Array<Record<string, number>>> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = -1; r < ROUNDS; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + Math.max(r, 0)) % names.length] as string;
      const [cmd, args] = contenders[name] as [string, string[]];
      const out = await run(cmd, args, env);
      if (r >= 0)
        samples[name]?.push(cmd === 'curl' ? curlPhases(out.wallMs, out.stdout) : phasesOf(out.wallMs, out.stderr));
    }
  }
  rmSync(tmp, { recursive: true, force: true });
  const phases = Object.fromEntries(
    names.map((n) => {
      const runs = samples[n] ?? [];
      const keys = Object.keys(runs[0] ?? {});
      return [n, Object.fromEntries(keys.map((k) => [k, round(median(runs.map((s) => s[k] ?? Number.NaN)), 1)]))];
    }),
  );
  const result = {
    date: new Date().toISOString(),
    peer: { url, heat: 'OpenStack Heat 19.0.0 (Zed, Debian bookworm), legacy engine, noauth' },
    stack: { ...stack, events: ids.length },
    node: process.version,
    cpus: os.cpus().length,
    loadavg: os.loadavg().map((x) => round(x, 2)),
    rounds: ROUNDS,
    ...(BEFORE_BIN ? { before: BEFORE_BIN } : {}),
    unit: 'ms, median of the rounds (each phase its own median: they need not add up to the wall median)',
    phases,
  };
  writeResult(RESULTS, result);
  console.log(JSON.stringify(result, null, 2));
}

await main();
