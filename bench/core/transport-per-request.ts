/**
 * The per-request CPU cost of core's `HttpTransport` against `fetch` (undici) and plain got, for
 * the same GET of the same pre-rendered page from a server in a child process (so the CPU counted
 * is the clients' alone). stackfeed runs with a signing hook that adds one header (every signed
 * provider has one), which also registers got's beforeRequest hook, and one abort signal for all
 * requests of a round, as a Paginator hands its listing's signal to every page. Alternating rounds
 * (`sideBySide`); reported: µs of CPU per request per side and the median per-round ratios.
 *
 * Run: npx tsx --conditions=@stackfeed/source bench/core/transport-per-request.ts
 * Knobs: REQUESTS per round (default 2000), ROUNDS (default 11), EVENTS per page (default 100).
 * Profile one side: `<this file> loop stackfeed|fetch|got` under `node --cpu-prof`.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { HttpTransport } from '@stackfeed/core/adapter';
import got from 'got';
import { measure, round, sideBySide, tsxChildArgs, writeResult } from '../lib.js';

const REQUESTS = Number(process.env.REQUESTS ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 11);
const EVENTS = Number(process.env.EVENTS ?? 100);
const SELF = fileURLToPath(import.meta.url);

/** The child: one page of EVENTS stack events, the same bytes for every request. */
async function serve(): Promise<void> {
  const events = Array.from({ length: EVENTS }, (_, i) => ({
    eventId: `ev-${i}-0123456789abcdef`,
    logicalResourceId: `Resource${i % 17}`,
    physicalResourceId: `arn:aws:cloudformation:us-east-1:123456789012:stack/res-${i}/0000`,
    resourceStatus: 'CREATE_COMPLETE',
    resourceType: 'AWS::EC2::Instance',
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  }));
  const body = Buffer.from(JSON.stringify({ events, nextToken: 'next-token' }));
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => server.close(() => process.exit(0)));
}

type Side = 'stackfeed' | 'fetch' | 'got';

function sides(url: string): Record<Side, () => Promise<number>> {
  const transport = new HttpTransport({
    provider: 'aws-parallelcluster',
    auth: {
      sign: (req) => {
        req.headers.authorization = 'bench-signature';
      },
    },
  });
  const plainGot = got.extend({ responseType: 'buffer', headers: { accept: 'application/json' } });
  const target = `${url}/v3/clusters/bench/stackevents`;
  return {
    async stackfeed() {
      let n = 0;
      // As a Paginator does: one signal for the listing, handed to every page's request.
      const { signal } = new AbortController();
      for (let i = 0; i < REQUESTS; i++) {
        const res = await transport.request<{ events: unknown[] }>({
          url: target,
          query: { region: 'us-east-1', nextToken: `t${i}` },
          operation: 'bench',
          signal,
        });
        n += res.body.events.length;
      }
      return n;
    },
    async fetch() {
      let n = 0;
      for (let i = 0; i < REQUESTS; i++) {
        const res = await fetch(`${target}?region=us-east-1&nextToken=t${i}`, {
          headers: { accept: 'application/json', authorization: 'bench-signature' },
        });
        n += (JSON.parse(await res.text()) as { events: unknown[] }).events.length;
      }
      return n;
    },
    async got() {
      let n = 0;
      for (let i = 0; i < REQUESTS; i++) {
        const res = await plainGot(`${target}?region=us-east-1&nextToken=t${i}`, {
          headers: { authorization: 'bench-signature' },
        });
        n += (JSON.parse((res.body as unknown as Buffer).toString('utf8')) as { events: unknown[] }).events.length;
      }
      return n;
    },
  };
}

function startServer() {
  const c = spawn(process.execPath, tsxChildArgs(SELF, ['serve']), {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = new Promise<string>((resolve, reject) => {
    let buf = '';
    c.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) resolve((JSON.parse(buf.slice(0, i)) as { url: string }).url);
    });
    c.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  return { url, stop: () => c.stdin.end() };
}

async function main(): Promise<void> {
  const server = startServer();
  try {
    const s = sides(await server.url);
    for (const side of ['stackfeed', 'fetch', 'got'] as const) {
      const n = await s[side]();
      if (n !== REQUESTS * EVENTS) throw new Error(`${side}: ${n} events, expected ${REQUESTS * EVENTS}`);
    }
    const load = os.loadavg();
    const overFetch = await sideBySide(s.stackfeed, s.fetch, { rounds: ROUNDS, warmup: 1 });
    const overGot = await sideBySide(s.stackfeed, s.got, { rounds: ROUNDS, warmup: 1 });
    const perRequestUs = async (side: Side) => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) runs.push((await measure(s[side])).cpu);
      runs.sort((a, b) => a - b);
      return round(((runs[1] as number) * 1000) / REQUESTS, 1);
    };
    const result = {
      benchmark: `HttpTransport per request: GET of one ${EVENTS}-event page, server in a child process`,
      requestsPerRound: REQUESTS,
      rounds: ROUNDS,
      stackfeedOverFetch: {
        wallRatio: round(overFetch.ratio),
        wallRatioIqr: overFetch.ratioIqr,
        cpuRatio: round(overFetch.cpuRatio),
        cpuRatioIqr: overFetch.cpuRatioIqr,
      },
      stackfeedOverPlainGot: {
        wallRatio: round(overGot.ratio),
        wallRatioIqr: overGot.ratioIqr,
        cpuRatio: round(overGot.cpuRatio),
        cpuRatioIqr: overGot.cpuRatioIqr,
      },
      cpuUsPerRequest: {
        stackfeed: await perRequestUs('stackfeed'),
        fetch: await perRequestUs('fetch'),
        got: await perRequestUs('got'),
      },
      loadAverage: { before: load.map((x) => round(x, 2)), after: os.loadavg().map((x) => round(x, 2)) },
      node: process.version,
      measuredAt: new Date().toISOString(),
    };
    console.log(JSON.stringify(result, null, 2));
    writeResult(new URL('../results/core-transport-per-request.json', import.meta.url).pathname, result);
  } finally {
    server.stop();
  }
}

async function loop(side: Side): Promise<void> {
  const server = startServer();
  try {
    const s = sides(await server.url);
    const r = await measure(async () => {
      for (let i = 0; i < Number(process.env.LOOPS ?? 3); i++) await s[side]();
    });
    console.log(side, round(r.wall, 1), 'ms wall', round(r.cpu, 1), 'ms CPU');
  } finally {
    server.stop();
  }
}

const mode = process.argv[2];
if (mode === 'serve') await serve();
else if (mode === 'loop') await loop((process.argv[3] ?? 'stackfeed') as Side);
else await main();
