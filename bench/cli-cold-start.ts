/**
 * The `stackfeed` command's cold start, whole processes side by side (what a user typing it waits for):
 *
 *   node -e 0                                   the floor: an empty Node process
 *   stackfeed --version                         the launcher alone (packages/cli/bin/stackfeed.js)
 *   stackfeed --help                            commander and the CLI's command table, no provider
 *   stackfeed events heat web -o json           a 44-event Heat stack from the Heat emulator
 *   curl <the same requests>                    the transfer itself: the exact requests stackfeed
 *                                               made (recorded by the emulator, headers included),
 *                                               one curl process, one kept-alive connection
 *   stackfeed events rfs db -o json             the RFS emulator, a deployment that rolled back
 *   curl <the same RFS requests>                replayed with stackfeed's signatures (precomputed)
 *   stackfeed events imagebuilder lce-… -o json the Image Builder emulator (SigV4 checked), a
 *                                               finished lifecycle execution; curl replays it signed
 *   node http (same … requests)                 per provider, the floor of any Node CLI: one Node
 *                                               process sending the same requests (signatures
 *                                               included) with http.request (cold-start/http-replay.mjs)
 *
 * Each round runs every contender once, in a rotating order, after one warm-up round; per contender
 * the median wall and CPU time (the child's user+system, from this process's cutime/cstime), and
 * per pair the median of the per-round ratios with their min–max and interquartile range. The
 * emulator runs in this process (its CPU is not a child's); children run one at a time.
 * Before timing, stackfeed's JSON must hold the emulator's own events (same ids).
 *
 * run: pnpm build && npx tsx --conditions=@stackfeed/source bench/cli-cold-start.ts
 *      (writes bench/results/cli-cold-start.json)
 * env: ROUNDS (default 15); BEFORE_BIN=<path of another build's bin/stackfeed.js> adds its three commands
 *      as contenders (e.g. the CLI of an older commit, built in a folder under packages/cli so that it
 *      resolves the same dependencies), with the ratios now/before.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecordedRequest } from '@stackfeed/emulator';
import { createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { lifecycleDeprecateThenDelete, startImageBuilderEmulator } from '@stackfeed/emulator/imagebuilder';
import { deploymentFailsAndRollsBack, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { round, writeResult } from './lib.ts';
import { medians, ratioOf, rotate, spawnTimed } from './processes.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const RESULTS = join(here, 'results', 'cli-cold-start.json');
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const BIN = join(root, 'packages', 'cli', 'bin', 'stackfeed.js');
const FETCH_REPLAY = join(here, 'cold-start', 'fetch-replay.mjs');
const HTTP_REPLAY = join(here, 'cold-start', 'http-replay.mjs');

/**
 * curl arguments that send `requests` again, as recorded by the emulator: same method, path, query
 * and headers (the signature of a signed provider included: precomputed by stackfeed's own run and
 * still within the emulator's clock skew), one curl process, one connection (`--next`).
 */
function replayArgs(base: string, requests: readonly RecordedRequest[]): string[] {
  const skip = new Set(['host', 'connection', 'content-length']);
  const parts = requests.map((r) => {
    const headers = Object.entries(r.headers)
      .filter(([k]) => !skip.has(k))
      .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).flatMap((x) => ['-H', `${k}: ${x}`]));
    const url = `${base}${r.path}${r.query ? `?${r.query.replace(/^\?/, '')}` : ''}`;
    return [...headers, '-X', r.method, ...(r.body ? ['--data-binary', r.body] : []), '-o', '/dev/null', url];
  });
  return ['-sS', '--fail', ...parts.flatMap((p, i) => (i === 0 ? p : ['--next', '-sS', '--fail', ...p]))];
}

const tmp = mkdtempSync(join(os.tmpdir(), 'sf-cold-'));
/** The requests for fetch-replay.mjs (the same ones curl sends), in a file: its path. */
function replayFile(base: string, requests: readonly RecordedRequest[]): string {
  const skip = new Set(['host', 'connection', 'content-length']);
  const file = join(tmp, `replay-${requests.length}-${Math.random().toString(36).slice(2)}.json`);
  const list = requests.map((r) => ({
    method: r.method,
    url: `${base}${r.path}${r.query ? `?${r.query.replace(/^\?/, '')}` : ''}`,
    headers: Object.entries(r.headers).filter(([k]) => !skip.has(k)),
    body: r.body || undefined,
  }));
  writeFileSync(file, JSON.stringify(list));
  return file;
}

/** The RFS emulator with one finished deployment that rolled back, and the CLI's environment for it. */
async function rfsTarget() {
  const keys = { accessKey: 'BENCHCLIACCESSKEY001', secretKey: 'bench-cli-secret-key' };
  const emu = await startRfsEmulator({
    credentials: { aksk: [keys] },
    scenarios: [deploymentFailsAndRollsBack({ stackName: 'db' })],
    progress: 'manual',
  });
  emu.finish();
  const env = {
    HUAWEICLOUD_SDK_AK: keys.accessKey,
    HUAWEICLOUD_SDK_SK: keys.secretKey,
    HUAWEICLOUD_SDK_PROJECT_ID: emu.projectId,
    HUAWEICLOUD_SDK_REGION: 'cn-north-4',
  };
  return { emu, env };
}

/** The Image Builder emulator (SigV4 checked) with a finished lifecycle execution, and the CLI's environment. */
async function imageBuilderTarget() {
  const keys = { accessKeyId: 'AKIABENCHCLICOLD0001', secretAccessKey: 'bench-cli-cold-secret' };
  // The wall clock: the emulator checks the signature's date against it.
  const emu = await startImageBuilderEmulator({
    clock: { now: () => Date.now() },
    auth: { mode: 'check', credentials: [keys] },
  });
  const truth = lifecycleDeprecateThenDelete(emu.store, { start: Date.now() - 3_600_000, count: 22 });
  const env = {
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  return { emu, env, target: truth.executionId };
}

async function main() {
  const emu = await startHeatEmulator();
  // 21 resources and the stack itself, each IN_PROGRESS then COMPLETE: 44 events, as in issue 16.
  const resources = Array.from({ length: 21 }, (_, i) => ({ name: `server_${i}`, type: 'OS::Nova::Server' }));
  const stack = emu.addStack('web', createScript('web', resources, { stepMs: 1000 }));
  emu.advance(3_600_000);
  const truth = emu.visibleEvents(stack).map((e) => String(e.id));

  // What stackfeed requests for the listing, once, to give curl exactly the same work.
  const seen = emu.server.requests.length;
  const check = await spawnTimed(process.execPath, [
    BIN,
    'events',
    'heat',
    'web',
    '--endpoint',
    emu.heatUrl,
    '-o',
    'json',
  ]);
  const got = (JSON.parse(check.out) as Array<{ id: string }>).map((e) => e.id);
  if (got.length !== truth.length || got.some((id, i) => id !== truth[i])) {
    throw new Error(`stackfeed listed ${got.length} events, the emulator has ${truth.length} (or ids differ)`);
  }
  const heatRequests = emu.server.requests.slice(seen);
  console.error(
    `heat: ${truth.length} events; stackfeed made ${heatRequests.length} request(s): ${heatRequests.map((r) => r.path).join(' ')}`,
  );

  // RFS: the same comparison with signed requests (SDK-HMAC-SHA256), replayed by curl as signed.
  const rfs = await rfsTarget();
  const rfsArgs = [BIN, 'events', 'rfs', 'db', '--endpoint', rfs.emu.url, '-o', 'json'];
  const rfsSeen = rfs.emu.server.requests.length;
  const rfsCheck = await spawnTimed(process.execPath, rfsArgs, rfs.env);
  const rfsEvents = (JSON.parse(rfsCheck.out) as unknown[]).length;
  const rfsRequests = rfs.emu.server.requests.slice(rfsSeen);
  if (rfsEvents === 0) throw new Error('stackfeed listed no RFS events');
  await spawnTimed('curl', replayArgs(rfs.emu.url, rfsRequests)); // the replay is accepted (--fail)
  console.error(
    `rfs: ${rfsEvents} events; stackfeed made ${rfsRequests.length} request(s): ${rfsRequests.map((r) => r.path).join(' ')}`,
  );

  // Image Builder: the AWS SDK client (SigV4), replayed by curl with the SDK's signatures.
  const ib = await imageBuilderTarget();
  const ibArgs = [BIN, 'events', 'imagebuilder', ib.target, '--endpoint', ib.emu.url, '-o', 'json'];
  const ibSeen = ib.emu.server.requests.length;
  const ibCheck = await spawnTimed(process.execPath, ibArgs, ib.env);
  const ibEvents = (JSON.parse(ibCheck.out) as unknown[]).length;
  const ibRequests = ib.emu.server.requests.slice(ibSeen);
  if (ibEvents === 0) throw new Error('stackfeed listed no Image Builder events');
  await spawnTimed('curl', replayArgs(ib.emu.url, ibRequests));
  console.error(
    `imagebuilder: ${ibEvents} events; stackfeed made ${ibRequests.length} request(s): ${ibRequests.map((r) => r.path).join(' ')}`,
  );

  const contenders: Record<string, [string, string[], Record<string, string>?]> = {
    'node -e 0': [process.execPath, ['-e', '0']],
    'stackfeed --version': [process.execPath, [BIN, '--version']],
    'stackfeed --help': [process.execPath, [BIN, '--help']],
    'stackfeed events heat web -o json': [
      process.execPath,
      [BIN, 'events', 'heat', 'web', '--endpoint', emu.heatUrl, '-o', 'json'],
    ],
    'curl (same requests)': ['curl', replayArgs(emu.url, heatRequests)],
    'node fetch (same requests)': [process.execPath, [FETCH_REPLAY, replayFile(emu.url, heatRequests)]],
    'node http (same requests)': [process.execPath, [HTTP_REPLAY, replayFile(emu.url, heatRequests)]],
    'stackfeed events rfs db -o json': [process.execPath, rfsArgs, rfs.env],
    'curl (same RFS requests, signed)': ['curl', replayArgs(rfs.emu.url, rfsRequests)],
    'node http (same RFS requests, signed)': [process.execPath, [HTTP_REPLAY, replayFile(rfs.emu.url, rfsRequests)]],
    'stackfeed events imagebuilder lce -o json': [process.execPath, ibArgs, ib.env],
    'curl (same Image Builder requests, signed)': ['curl', replayArgs(ib.emu.url, ibRequests)],
    'node http (same Image Builder requests, signed)': [
      process.execPath,
      [HTTP_REPLAY, replayFile(ib.emu.url, ibRequests)],
    ],
  };
  const before = process.env.BEFORE_BIN;
  if (before) {
    contenders['before: --version'] = [process.execPath, [before, '--version']];
    contenders['before: --help'] = [process.execPath, [before, '--help']];
    contenders['before: events heat web -o json'] = [
      process.execPath,
      [before, 'events', 'heat', 'web', '--endpoint', emu.heatUrl, '-o', 'json'],
    ];
  }
  const samples = await rotate(contenders, ROUNDS);
  await emu.close();
  await rfs.emu.close();
  await ib.emu.close();
  rmSync(tmp, { recursive: true, force: true });

  const ratio = (a: string, b: string) => ratioOf(samples, a, b);
  const nodeShare = (cmd: string) => round(1 / ratioOf(samples, cmd, 'node -e 0').wall, 2);
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadavg: os.loadavg().map((x) => round(x, 2)),
    rounds: ROUNDS,
    events: truth.length,
    requests: { heat: heatRequests.length, rfs: rfsRequests.length, imagebuilder: ibRequests.length },
    rfsEvents,
    imageBuilderEvents: ibEvents,
    ...(before ? { before } : {}),
    medians: medians(samples),
    // the share of each command's wall time that an empty Node process takes (median ratio inverted)
    nodeShare: Object.fromEntries(
      ['stackfeed events heat web -o json', 'node fetch (same requests)', 'stackfeed --help'].map((c) => [
        c,
        nodeShare(c),
      ]),
    ),
    ratios: [
      ratio('stackfeed --version', 'node -e 0'),
      ratio('stackfeed --help', 'node -e 0'),
      ratio('stackfeed events heat web -o json', 'node -e 0'),
      ratio('stackfeed events heat web -o json', 'curl (same requests)'),
      ratio('curl (same requests)', 'node -e 0'),
      // the floor from Node: one process that sends the same requests with fetch, no stackfeed
      ratio('node fetch (same requests)', 'curl (same requests)'),
      ratio('node fetch (same requests)', 'node -e 0'),
      ratio('stackfeed events heat web -o json', 'node fetch (same requests)'),
      // per provider: stackfeed / the node:http floor, and the floor / curl (what no Node CLI goes below)
      ratio('stackfeed events heat web -o json', 'node http (same requests)'),
      ratio('node http (same requests)', 'curl (same requests)'),
      ratio('stackfeed events rfs db -o json', 'curl (same RFS requests, signed)'),
      ratio('stackfeed events rfs db -o json', 'node -e 0'),
      ratio('stackfeed events rfs db -o json', 'node http (same RFS requests, signed)'),
      ratio('node http (same RFS requests, signed)', 'curl (same RFS requests, signed)'),
      ratio('stackfeed events imagebuilder lce -o json', 'curl (same Image Builder requests, signed)'),
      ratio('stackfeed events imagebuilder lce -o json', 'node -e 0'),
      ratio('stackfeed events imagebuilder lce -o json', 'node http (same Image Builder requests, signed)'),
      ratio('node http (same Image Builder requests, signed)', 'curl (same Image Builder requests, signed)'),
      ...(before
        ? [
            ratio('before: --version', 'node -e 0'),
            ratio('before: --help', 'node -e 0'),
            ratio('before: events heat web -o json', 'node -e 0'),
            ratio('stackfeed --version', 'before: --version'),
            ratio('stackfeed --help', 'before: --help'),
            ratio('stackfeed events heat web -o json', 'before: events heat web -o json'),
          ]
        : []),
    ],
  };
  writeResult(RESULTS, result);
  console.log(JSON.stringify(result, null, 2));
}

await main();
