/**
 * Issue 13 benchmark (not a test): peak RSS of a client process while it refuses hostile bodies
 * at the DEFAULT response cap, against a baseline process that loads the same client and does
 * nothing. The emulators run in this (parent) process; every measured child is a fresh `node`
 * reporting its own peak RSS (`process.resourceUsage().maxRSS`) when done:
 * - baseline: import the client, build it, exit;
 * - huge-body: one listing against a 1.5 GB valid JSON body (chunked, generated lazily);
 * - gzip-bomb: one listing against ~3 MB of gzip inflating to 3 GiB.
 * Providers: Heat (core's got transport) and Image Builder (the AWS SDK path).
 * Reported: each peak, the code the client failed with, and peak / (2 × cap + baseline); the
 * issue's bound is a ratio under 1.
 *
 * run: npx tsx --conditions=@stackfeed/source bench/hardening/peak-rss.ts   (writes bench/results/hardening-peak-rss.json)
 * env: HUGE_BYTES (default 1.5e9), BOMB_BYTES (default 3 GiB), CAP_BYTES (the cap the ratio uses;
 *      default: core's DEFAULT_MAX_RESPONSE_BYTES when exported, else 64 MiB).
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as adapterKit from '@stackfeed/core/adapter';
import type { EmulatorServer } from '@stackfeed/emulator';
import { createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { startImageBuilderEmulator } from '@stackfeed/emulator/imagebuilder';
import { writeResult } from '../lib.ts';

const round = (n: number, digits: number) => Number(n.toFixed(digits));

const here = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(here, '..', 'results', 'hardening-peak-rss.json');
const HUGE_BYTES = Number(process.env.HUGE_BYTES ?? 1.5e9);
const BOMB_BYTES = Number(process.env.BOMB_BYTES ?? 3 * 1024 ** 3);
const exportedCap = (adapterKit as Record<string, unknown>).DEFAULT_MAX_RESPONSE_BYTES;
const CAP = Number(process.env.CAP_BYTES ?? (typeof exportedCap === 'number' ? exportedCap : 64 * 1024 * 1024));
const MB = 1024 * 1024;

const PASSWORD = 'BenchPasszzNOTREALzz#1';
const AWS = { accessKeyId: 'AKIABENCHNOTREAL0001', secretAccessKey: 'benchSecretzzNOTREALzz0123456789abcdef' };

type Mode = 'baseline' | 'huge-body' | 'gzip-bomb';
interface ChildResult {
  maxRssBytes: number;
  code?: string;
  message?: string;
}

/** The child: runs with argv [provider, mode, configJSON]. */
async function child(provider: string, mode: Mode, config: Record<string, string>): Promise<void> {
  let call: () => Promise<unknown>;
  if (provider === 'heat') {
    const { HeatClient } = await import('@stackfeed/openstack-heat');
    const client = new HeatClient({
      auth: {
        type: 'password',
        authUrl: config.keystoneUrl as string,
        username: 'bench',
        password: PASSWORD,
        userDomainName: 'Default',
        projectName: 'bench',
        projectDomainName: 'Default',
      },
      endpoint: config.heatUrl as string,
      retry: { maxAttempts: 1 },
    });
    call = () => client.listStackEvents('web').toArray({ limit: 10 });
  } else {
    const { ImageBuilderClient } = await import('@stackfeed/aws-imagebuilder');
    const client = new ImageBuilderClient({
      region: 'us-east-1',
      endpoint: config.url as string,
      credentials: AWS,
      maxAttempts: 1,
    });
    call = () => client.listImages().toArray({ limit: 10 });
  }
  const out: ChildResult = { maxRssBytes: 0 };
  if (mode !== 'baseline') {
    try {
      await call();
      out.code = 'no error';
    } catch (e) {
      const err = e as { code?: string; message?: string; constructor?: { name?: string } };
      out.code = err.code ?? `not a StackfeedError (${err.constructor?.name})`;
      out.message = String(err.message).slice(0, 200);
    }
  }
  out.maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}

/** Run a child asynchronously: the emulators answering it live in this process's event loop. */
function runChild(provider: string, mode: Mode, config: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        '--conditions=@stackfeed/source',
        '--import',
        'tsx',
        '--no-warnings',
        fileURLToPath(import.meta.url),
        'child',
        provider,
        mode,
        JSON.stringify(config),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 20, timeout: 300_000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`${provider} ${mode}: ${err.message}\n${stderr.slice(-2000)}`));
        resolve(JSON.parse(stdout.trim().split('\n').pop() as string) as ChildResult);
      },
    );
  });
}

async function main(): Promise<void> {
  const heat = await startHeatEmulator({
    tenant: 'p-bench',
    keystone: { users: [{ name: 'bench', password: PASSWORD, project: 'bench', projectId: 'p-bench' }] },
  });
  heat.addStack('web', createScript('web', [{ name: 'r0' }], { stepMs: 100 }));
  heat.advance(60_000);
  const ib = await startImageBuilderEmulator({ auth: { credentials: [AWS] } });
  const targets: Array<{
    provider: string;
    server: EmulatorServer;
    isApi: (p: string) => boolean;
    config: Record<string, string>;
  }> = [
    {
      provider: 'heat',
      server: heat.server,
      isApi: (p) => !p.startsWith('/v3'),
      config: { heatUrl: heat.heatUrl, keystoneUrl: heat.keystoneUrl },
    },
    { provider: 'imagebuilder', server: ib.server, isApi: () => true, config: { url: ib.url } },
  ];
  const rows: Array<Record<string, unknown>> = [];
  try {
    for (const t of targets) {
      const baseline = await runChild(t.provider, 'baseline', t.config);
      for (const mode of ['huge-body', 'gzip-bomb'] as const) {
        t.server.faults.clear();
        t.server.faults.inject(
          mode === 'huge-body'
            ? { kind: 'huge-body', bytes: HUGE_BYTES }
            : { kind: 'gzip-bomb', inflatedBytes: BOMB_BYTES },
          { match: (r) => t.isApi(r.rawPath), times: Number.POSITIVE_INFINITY },
        );
        const r = await runChild(t.provider, mode, t.config);
        const bound = 2 * CAP + baseline.maxRssBytes;
        const row = {
          provider: t.provider,
          body: mode,
          code: r.code,
          message: r.message,
          baselineMB: round(baseline.maxRssBytes / MB, 1),
          peakMB: round(r.maxRssBytes / MB, 1),
          capMB: round(CAP / MB, 1),
          ratioToBound: round(r.maxRssBytes / bound, 3),
        };
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    }
  } finally {
    await heat.close();
    await ib.close();
  }
  writeResult(RESULTS, { hugeBytes: HUGE_BYTES, bombInflatedBytes: BOMB_BYTES, capBytes: CAP, rows });
}

if (process.argv[2] === 'child') {
  await child(process.argv[3] as string, process.argv[4] as Mode, JSON.parse(process.argv[5] as string));
} else {
  await main();
}
