/**
 * Issue 8, per provider: AWS ParallelCluster, 100,000 CloudFormation stack events of one cluster
 * stack, in both of the adapter's modes.
 *
 * - direct mode: stackfeed's `listClusterStackEvents` (mode 'direct': CloudFormation through the
 *   AWS SDK, stack id lookup, nested-stack discovery, normalized StackEvent) against the SDK's own
 *   `paginateDescribeStackEvents`, each on its OWN CloudFormationClient built from the same config
 *   (region, endpoint, credentials), so each side pays for exactly its own middleware.
 * - API mode: stackfeed's `listClusterStackEvents` (the ParallelCluster REST API, SigV4
 *   `execute-api`, core HttpTransport over got, zod, normalized StackEvent) against a raw loop:
 *   `fetch` + `JSON.parse` on `GET /v3/clusters/{name}/stackevents`, signed with
 *   `@smithy/signature-v4` (the same library and credentials), following `nextToken`.
 *
 * The emulator (API + CloudFormation) runs in a child process (`<this file> serve`), so the CPU
 * time measured here is the clients' alone; the API side verifies every SigV4 signature. Before any
 * timing, one run of each side is compared: same count, same event ids in the same order.
 * `sideBySide` (bench/lib.ts) alternates the sides; peak RSS (and the wall and CPU time of that one
 * listing, alone in its process) is measured per side in a FRESH child process
 * (`<this file> rss <side>`), sampling `process.memoryUsage.rss()` every 5 ms and every 1,000 events.
 *
 * Run: pnpm build && npx tsx bench/providers/parallelcluster.ts — stackfeed from its BUILT dist/ (what users run;
 *   the script refuses a dist older than src). From source instead (tsx's `__name` wrappers, not what
 *   users run): npx tsx --conditions=@stackfeed/source bench/providers/parallelcluster.ts
 * Profile one side: node --cpu-prof --import tsx bench/providers/parallelcluster.ts loop api-stackfeed
 * Knobs: EVENTS (default 100000), ROUNDS (default 3), WARMUP (default 0: the verification runs
 * warm both sides), MODES (default "direct,api"), RSS=0 to skip RSS, RAW_MODEL=1 (API mode's raw loop
 * builds a plain model object per event; see below).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { assertBuilt, FROM_SOURCE, round, sideBySide, tsxChildArgs, writeResult } from '../lib.js';

const EVENTS = Number(process.env.EVENTS ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const WARMUP = Number(process.env.WARMUP ?? 0);
const MODES = (process.env.MODES ?? 'direct,api').split(',').filter(Boolean) as Mode[];
const SELF = fileURLToPath(import.meta.url);
const CLUSTER = 'bench-cluster';

// The SDK and signer as @stackfeed/aws-parallelcluster resolves them (the module instances it uses).
const requireFromAdapter = createRequire(import.meta.resolve('@stackfeed/aws-parallelcluster/package.json'));
const load = async <T>(name: string) => (await import(pathToFileURL(requireFromAdapter.resolve(name)).href)) as T;

interface ServerInfo {
  apiUrl: string;
  cloudformation: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stackId: string;
  eventCount: number;
}

/** The part of @smithy/signature-v4 the raw loop uses (the bench package does not depend on it). */
interface SignerModule {
  SignatureV4: new (opts: {
    service: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    sha256: unknown;
  }) => {
    sign(req: {
      method: string;
      protocol: string;
      hostname: string;
      port: number;
      path: string;
      query: Record<string, string>;
      headers: Record<string, string>;
    }): Promise<{ headers: Record<string, string> }>;
  };
}

/**
 * RAW_MODEL=1: the API-mode raw loop also builds, per event, a plain object with the fields of a
 * StackEvent (a Date, stack and resource objects, action/phase split from the status,
 * `resourceProperties` parsed when it is JSON, the record as `raw`): what a hand-written client that
 * hands out a model would do, without validation. Results go to providers-parallelcluster-raw-model.json.
 */
const RAW_MODEL = process.env.RAW_MODEL === '1';
// A module-level store: the built object is observable, so the engine cannot skip building it.
let _modelSink: unknown;
function buildPlainModel(e: Record<string, string | undefined>): void {
  const status = e.resourceStatus ?? '';
  const cut = status.indexOf('_');
  const props = e.resourceProperties;
  let properties: unknown = props;
  if (props !== undefined && (props.startsWith('{') || props.startsWith('['))) {
    try {
      properties = JSON.parse(props);
    } catch {
      properties = props;
    }
  }
  _modelSink = {
    provider: 'aws-parallelcluster',
    id: e.eventId,
    timestamp: new Date(e.timestamp as string),
    stack: { id: e.stackId, name: e.stackName },
    resource: { logicalId: e.logicalResourceId, physicalId: e.physicalResourceId, type: e.resourceType },
    action: cut > 0 ? status.slice(0, cut) : status,
    phase: cut > 0 ? status.slice(cut + 1) : 'UNKNOWN',
    status,
    message: e.resourceStatusReason,
    properties,
    raw: e,
  };
}

/**
 * CloudFormation's own order (newest first), page by page as the peers read it: the default order
 * (oldest first, as on every provider) reads the whole listing before its first event and
 * reverses it, work neither peer does.
 */
const NATIVE_ORDER = { order: 'newest-first' } as const;

type Mode = 'direct' | 'api';
type Side = 'direct-stackfeed' | 'direct-sdk' | 'api-stackfeed' | 'api-raw';
type Run = (onItem?: (id: string) => void) => Promise<number>;

async function makeSides(info: ServerInfo): Promise<{ run: Record<Side, Run>; close(): void }> {
  const cfn = await load<typeof import('@aws-sdk/client-cloudformation')>('@aws-sdk/client-cloudformation');
  const { SignatureV4 } = await load<SignerModule>('@smithy/signature-v4');
  const { Hash } = await load<{ Hash: new (algorithm: string) => unknown }>('@smithy/hash-node');
  const cfnConfig = { region: info.region, endpoint: info.cloudformation, credentials: info.credentials };
  const direct = new ParallelClusterClient({
    mode: 'direct',
    region: info.region,
    credentials: info.credentials,
    endpoints: { cloudformation: info.cloudformation },
  });
  const sdk = new cfn.CloudFormationClient(cfnConfig);
  const api = new ParallelClusterClient({
    apiUrl: info.apiUrl,
    signingRegion: info.region,
    credentials: info.credentials,
  });
  const signer = new SignatureV4({
    service: 'execute-api',
    region: info.region,
    credentials: info.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const base = new URL(info.apiUrl);

  const run: Record<Side, Run> = {
    async 'direct-stackfeed'(onItem) {
      let n = 0;
      for await (const ev of direct.listClusterStackEvents(CLUSTER, NATIVE_ORDER)) {
        n++;
        onItem?.(ev.id);
      }
      return n;
    },
    async 'direct-sdk'(onItem) {
      let n = 0;
      for await (const page of cfn.paginateDescribeStackEvents({ client: sdk }, { StackName: CLUSTER }))
        for (const e of page.StackEvents ?? []) {
          n++;
          onItem?.(e.EventId as string);
        }
      return n;
    },
    async 'api-stackfeed'(onItem) {
      let n = 0;
      for await (const ev of api.listClusterStackEvents(CLUSTER, NATIVE_ORDER)) {
        n++;
        onItem?.(ev.id);
      }
      return n;
    },
    async 'api-raw'(onItem) {
      let n = 0;
      let token: string | undefined;
      const path = `${base.pathname}/v3/clusters/${CLUSTER}/stackevents`;
      do {
        const query: Record<string, string> = token ? { nextToken: token } : {};
        const signed = await signer.sign({
          method: 'GET',
          protocol: base.protocol,
          hostname: base.hostname,
          port: Number(base.port),
          path,
          query,
          headers: { host: base.host },
        });
        const qs = token ? `?nextToken=${encodeURIComponent(token)}` : '';
        const res = await fetch(`${base.origin}${path}${qs}`, { headers: signed.headers });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
        const body = JSON.parse(text) as { events?: Array<{ eventId: string }>; nextToken?: string };
        for (const e of body.events ?? []) {
          n++;
          if (RAW_MODEL) buildPlainModel(e as unknown as Record<string, string | undefined>);
          onItem?.(e.eventId);
        }
        token = body.nextToken;
      } while (token);
      return n;
    },
  };
  return {
    run,
    close: () => {
      sdk.destroy();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// child: the emulator

async function serve(): Promise<void> {
  const { bigStack, startParallelClusterEmulator } = await import('@stackfeed/emulator/parallelcluster');
  const emu = await startParallelClusterEmulator();
  const { stackId, eventCount } = bigStack(emu.world, { name: CLUSTER, events: EVENTS });
  const info: ServerInfo = {
    apiUrl: emu.apiUrl,
    cloudformation: emu.endpoints.cloudformation,
    region: emu.region,
    credentials: emu.credentials,
    stackId,
    eventCount,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void emu.close().then(() => process.exit(0));
  });
}

// ---------------------------------------------------------------------------------------------
// child: peak RSS of one side

async function rss(side: Side, info: ServerInfo): Promise<void> {
  const s = await makeSides(info);
  const mem = () => process.memoryUsage.rss();
  const baseline = mem();
  let peak = baseline;
  let samples = 0;
  const sample = () => {
    samples++;
    const r = mem();
    if (r > peak) peak = r;
  };
  const timer = setInterval(sample, 5);
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const count = await s.run[side](() => {
    if (++n % 1000 === 0) sample();
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  sample();
  clearInterval(timer);
  s.close();
  const mb = (b: number) => round(b / 2 ** 20, 1);
  process.stdout.write(
    `${JSON.stringify({ side, items: count, baselineRssMB: mb(baseline), peakRssMB: mb(peak), deltaRssMB: mb(peak - baseline), seconds: round(seconds, 2), cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2), samples })}\n`,
  );
  process.exit(0);
}

function child(args: string[], env: Record<string, string>, stdin: 'pipe' | 'ignore') {
  return spawn(process.execPath, tsxChildArgs(SELF, args), {
    env: { ...process.env, ...env },
    stdio: [stdin, 'pipe', 'inherit'],
  });
}

async function firstLine(c: ReturnType<typeof child>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let buf = '';
    c.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(buf.slice(0, i));
    });
    c.once('exit', (code) => reject(new Error(`child exited (${code})`)));
  });
}

// ---------------------------------------------------------------------------------------------
// main

const PAIRS: Record<Mode, { a: Side; b: Side; peer: string }> = {
  direct: { a: 'direct-stackfeed', b: 'direct-sdk', peer: 'paginateDescribeStackEvents (own CloudFormationClient)' },
  api: {
    a: 'api-stackfeed',
    b: 'api-raw',
    peer: `fetch + JSON.parse loop signed with @smithy/signature-v4${RAW_MODEL ? ', building a plain model object per event' : ''}`,
  },
};

async function main(): Promise<void> {
  const server = child(['serve'], {}, 'pipe');
  const info = JSON.parse(await firstLine(server)) as ServerInfo;
  const results: Record<string, unknown> = {};
  try {
    if (info.eventCount !== EVENTS) throw new Error(`emulator wrote ${info.eventCount} events, expected ${EVENTS}`);
    const s = await makeSides(info);
    for (const mode of MODES) {
      const { a, b, peer } = PAIRS[mode];
      // Same events, same ids, same order, before any timing.
      const ids: Record<string, string[]> = { [a]: [], [b]: [] };
      for (const side of [a, b]) await s.run[side]((id) => ids[side]?.push(id));
      const ia = ids[a] as string[];
      const ib = ids[b] as string[];
      if (ia.length !== EVENTS || ib.length !== EVENTS)
        throw new Error(`${mode}: counts differ: ${a} ${ia.length}, ${b} ${ib.length}, expected ${EVENTS}`);
      for (let i = 0; i < EVENTS; i++) if (ia[i] !== ib[i]) throw new Error(`${mode} event ${i}: ${ia[i]} vs ${ib[i]}`);
      const uniq = new Set(ia).size;
      const checked = (side: Side) => async () => {
        const n = await s.run[side]();
        if (n !== EVENTS) throw new Error(`${side}: ${n} events, expected ${EVENTS}`);
      };
      const loadBefore = os.loadavg();
      const r = await sideBySide(checked(a), checked(b), { rounds: ROUNDS, warmup: WARMUP });
      const loadAfter = os.loadavg();
      const mem: Record<string, unknown> = {};
      if (process.env.RSS !== '0') {
        for (const side of [a, b]) {
          const c = child(['rss', side], { SERVER: JSON.stringify(info) }, 'ignore');
          mem[side] = JSON.parse(await firstLine(c));
        }
      }
      results[mode] = {
        benchmark: `ParallelCluster ${mode} mode: 100,000 stack events of one cluster, listClusterStackEvents vs ${peer} (same emulator in a child process)`,
        events: EVENTS,
        verified: { countsEqual: true, idsEqualInOrder: true, uniqueIds: uniq },
        pages: Math.ceil(EVENTS / 100),
        rounds: ROUNDS,
        warmup: WARMUP,
        stackfeedMedianWallMs: round(r.aMedianMs, 1),
        peerMedianWallMs: round(r.bMedianMs, 1),
        wallRatio: round(r.ratio),
        cpuRatio: round(r.cpuRatio),
        // The spread: interquartile range of the per-round ratios.
        wallRatioIqr: r.ratioIqr,
        cpuRatioIqr: r.cpuRatioIqr,
        roundRatios: { wall: r.ratios.map((x) => round(x)), cpu: r.cpuRatios.map((x) => round(x)) },
        stackfeedEventsPerSec: Math.round(EVENTS / (r.aMedianMs / 1000)),
        peerEventsPerSec: Math.round(EVENTS / (r.bMedianMs / 1000)),
        peakRss: mem,
        stackfeedFrom: FROM_SOURCE ? 'source (tsx, --conditions=@stackfeed/source)' : 'built dist',
        loadAverage: { before: loadBefore.map((x) => round(x, 2)), after: loadAfter.map((x) => round(x, 2)) },
        stackfeedRunsMs: r.aMs.map((x) => round(x, 1)),
        peerRunsMs: r.bMs.map((x) => round(x, 1)),
      };
      console.log(JSON.stringify({ [mode]: results[mode] }, null, 2));
    }
    s.close();
    const file = RAW_MODEL ? 'providers-parallelcluster-raw-model.json' : 'providers-parallelcluster.json';
    writeResult(new URL(`../results/${file}`, import.meta.url).pathname, {
      ...results,
      target: '<= 1.10',
      note: 'wallRatio/cpuRatio = median of per-round ratios stackfeed / peer (sideBySide); CPU = this process only (the emulator is a child process); RSS per side in a fresh process',
      cpus: os.cpus().length,
      node: process.version,
      measuredAt: new Date().toISOString(),
    });
  } finally {
    server.stdin?.end();
  }
}

/** `parallelcluster.ts loop <side>`: LOOPS listings of one side only (for `node --cpu-prof`; emulator in a child). */
async function loop(side: Side): Promise<void> {
  const server = child(['serve'], {}, 'pipe');
  try {
    const s = await makeSides(JSON.parse(await firstLine(server)) as ServerInfo);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < Number(process.env.LOOPS ?? 5); i++) await s.run[side]();
    const c = process.cpuUsage(c0);
    console.log(side, round(performance.now() - t0, 1), 'ms wall', round((c.user + c.system) / 1000, 1), 'ms CPU');
    s.close();
  } finally {
    server.stdin?.end();
  }
}

assertBuilt(['core', 'aws-parallelcluster', 'emulator']);
const mode = process.argv[2];
if (mode === 'serve') await serve();
else if (mode === 'loop') await loop((process.argv[3] ?? 'api-stackfeed') as Side);
else if (mode === 'rss') await rss(process.argv[3] as Side, JSON.parse(process.env.SERVER as string) as ServerInfo);
else await main();
