import type { FleetConfig, FleetStatus, WorkerEvent } from '@stackfeed/fleet';
import type { Store } from '@stackfeed/store';
import type { Ctx } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { RECORD_SCHEMA_VERSION } from '../format/records.js';
import { parseOutput, parsePositive } from '../options.js';
import { openCliStore } from './archive.js';
import { fleetSources } from './fleet-sources.js';

/** Options of `stackfeed fleet` and `stackfeed worker`. */
export interface FleetFlags {
  config?: string;
  store?: string;
  workers?: string;
  once?: boolean;
  output?: string;
}

const isPostgres = (url: string | undefined) => url !== undefined && /^postgres(ql)?:\/\//.test(url);

/**
 * The stackfeed.yaml of `--config`: a mistake is one line naming file:line:col and the key (a
 * usage error, exit 2), with how many more there are.
 */
async function loadConfig(ctx: Ctx, file: string | undefined, command: string): Promise<FleetConfig> {
  if (!file) throw new UsageError('--config <stackfeed.yaml> is required', command);
  const { readFile } = await import('node:fs/promises');
  const { resolve } = await import('node:path');
  const { validateFleetConfig } = await import('@stackfeed/fleet');
  let text: string;
  try {
    text = await readFile(resolve(ctx.io.cwd ?? process.cwd(), file), 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, command);
  }
  const r = validateFleetConfig(text, file);
  const [first, ...more] = r.issues;
  if (first || !r.config) {
    const where = first ? `${first.file}:${first.line}:${first.col}: ${first.path ? `${first.path}: ` : ''}` : '';
    const rest = more.length ? ` (and ${more.length} more)` : '';
    throw new UsageError(`${where}${first?.message ?? 'invalid fleet config'}${rest}`, command);
  }
  return r.config;
}

/** A running fleet prints a stream: lines on stderr (table) or NDJSON records; one JSON document cannot be. */
function streamOutput(v: string | undefined, command: string): string {
  const output = parseOutput(v, command);
  if (output === 'json') throw new UsageError('a running fleet prints a stream: -o table or -o ndjson', command);
  return output;
}

/** What a worker says as it goes: one line per event (table output) or one JSON record (ndjson). */
function printer(ctx: Ctx, output: string, worker: string) {
  return (e: WorkerEvent) => {
    if (output === 'ndjson') {
      ctx.out.write(
        `${JSON.stringify({ type: 'fleet', v: RECORD_SCHEMA_VERSION, worker, event: e.type, ...omitType(e) })}\n`,
      );
      return;
    }
    const line = describe(e);
    if (line) ctx.err.write(`${worker}: ${line}\n`);
  };
}

/** The event's fields but its `type` (the record's type is `fleet`). */
function omitType(e: WorkerEvent): Omit<WorkerEvent, 'type'> {
  const { type: _type, ...rest } = e;
  return rest;
}

function describe(e: WorkerEvent): string | undefined {
  switch (e.type) {
    case 'discovered':
      return `discovered ${e.place}: ${e.found} found, ${e.added} new`;
    case 'claimed':
      return `following ${e.key}${e.takenFrom ? ` (taken over from ${e.takenFrom})` : ''}`;
    case 'done':
      return `done ${e.key}: ${e.outcome ?? 'ended'}, ${e.inserted} events stored`;
    case 'failed':
    case 'discovery-failed':
      return `${e.type === 'failed' ? e.key : e.place}: ${e.code}: ${e.message} (${e.count} in a row, again in ${Math.round(e.retryInMs / 100) / 10} s)`;
    default:
      return undefined;
  }
}

/**
 * `stackfeed fleet --config stackfeed.yaml`: N workers in this process share the places of the
 * config through the store. With the embedded store only this one process may run them; other
 * processes (`stackfeed worker`) need a PostgreSQL store. `--once`: discover each place once and
 * return when every target found has been followed to its end.
 */
export async function fleetCommand(ctx: Ctx, flags: FleetFlags): Promise<number> {
  const output = streamOutput(flags.output, 'fleet');
  const workers = parsePositive(flags.workers, '--workers', 'fleet') ?? 1;
  if (!Number.isInteger(workers)) throw new UsageError('--workers must be a whole number', 'fleet');
  const config = await loadConfig(ctx, flags.config, 'fleet');
  const url = flags.store ?? ctx.env.STACKFEED_STORE;
  if (!isPostgres(url)) {
    ctx.err.write(
      'stackfeed fleet: the embedded store (PGlite) serves one process: this one runs every worker. Workers in other processes or machines (stackfeed worker) need --store postgres://…\n',
    );
  }
  return runWorkers(ctx, config, flags, workers, output, 'fleet');
}

/** `stackfeed worker --config stackfeed.yaml --store postgres://…`: one worker of a fleet spread over processes. */
export async function workerCommand(ctx: Ctx, flags: FleetFlags): Promise<number> {
  const output = streamOutput(flags.output, 'worker');
  const url = flags.store ?? ctx.env.STACKFEED_STORE;
  if (!isPostgres(url)) {
    throw new UsageError(
      'a worker shares its fleet with other processes, which needs a PostgreSQL store: give --store postgres://… (or STACKFEED_STORE). With the embedded store, run `stackfeed fleet`: one process follows everything',
      'worker',
    );
  }
  const config = await loadConfig(ctx, flags.config, 'worker');
  return runWorkers(ctx, config, flags, 1, output, 'worker');
}

async function runWorkers(
  ctx: Ctx,
  config: FleetConfig,
  flags: FleetFlags,
  n: number,
  output: string,
  command: string,
): Promise<number> {
  const { FleetWorker, openFleet } = await import('@stackfeed/fleet');
  const store = await openCliStore(ctx, flags);
  let code: number = EXIT.OK;
  const workers: InstanceType<typeof FleetWorker>[] = [];
  try {
    const fleet = await openFleet(store, { leaseTtlMs: config.settings.leaseTtlMs });
    const sources = fleetSources(
      {
        env: ctx.env,
        cwd: ctx.io.cwd ?? process.cwd(),
        providers: ctx.providers,
        debugLogger: ctx.debug ? ctx.logger : undefined,
      },
      config.places,
    );
    // --once: the places tried at least once, and whether anything failed.
    const settled = new Set<string>();
    let failed = false;
    let callFailed = false;
    const done = new AbortController();
    for (let i = 0; i < n; i++) {
      const w: InstanceType<typeof FleetWorker> = new FleetWorker(fleet, {
        places: config.places,
        ...sources,
        leaseTtlMs: config.settings.leaseTtlMs,
        pollIntervalMs: config.settings.pollIntervalMs,
        // --once: each place is discovered once (a failed discovery is retried with back-off).
        discoverEveryMs: flags.once ? 365 * 86_400_000 : config.settings.discoverEveryMs,
        onEvent: (e) => {
          print(e);
          if (e.type === 'discovered' || e.type === 'discovery-failed') settled.add(e.place);
          if (e.type === 'discovery-failed' || e.type === 'failed') callFailed = true;
          if (e.type === 'done' && (e.outcome === 'failed' || e.outcome === 'cancelled')) failed = true;
          if (flags.once && e.type !== 'claimed') void checkIdle().catch(() => {});
        },
      });
      const print = printer(ctx, output, w.id);
      workers.push(w);
    }
    // Every place tried, every target followed to its end or failed (and left to a later run).
    const checkIdle = async () => {
      if (settled.size < config.places.length) return;
      const s = await fleet.status();
      if (s.targets.every((t) => t.state === 'done' || (t.failures > 0 && !t.owner))) done.abort();
    };
    for (const w of workers) await w.start();
    ctx.err.write(
      `stackfeed ${command}: ${n} worker${n === 1 ? '' : 's'}, ${config.places.length} place${config.places.length === 1 ? '' : 's'} from ${config.file}, store ${store.engine}\n`,
    );
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) return resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      done.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    if (ctx.signal.aborted) code = EXIT.INTERRUPTED;
    else if (callFailed) code = EXIT.CALL_FAILED;
    else if (failed) code = EXIT.DEPLOYMENT_FAILED;
  } finally {
    await Promise.all(workers.map((w) => w.stop().catch(() => {})));
    await store.close();
  }
  return code;
}

/** `stackfeed fleet status --store URL`: workers, leases, per-account request rates, lag per target, errors. */
export async function fleetStatusCommand(ctx: Ctx, flags: FleetFlags): Promise<number> {
  for (const [flag, given] of [
    ['--config', flags.config],
    ['--workers', flags.workers],
    ['--once', flags.once],
  ] as const) {
    if (given !== undefined)
      throw new UsageError(`fleet status reads the store only: ${flag} is for running the fleet`, 'fleet');
  }
  const output = parseOutput(flags.output, 'fleet');
  const { openFleet } = await import('@stackfeed/fleet');
  const store: Store = await openCliStore(ctx, flags);
  try {
    const fleet = await openFleet(store);
    const status = await fleet.status();
    const now = Date.now();
    if (output === 'table') ctx.out.write(statusTables(status, now));
    else ctx.out.write(`${JSON.stringify(statusRecord(status, now), null, output === 'json' ? 2 : undefined)}\n`);
  } finally {
    await store.close();
  }
  return EXIT.OK;
}

/** The status as one JSON record, with each pending target's lag (now − its checkpoint's low water). */
function statusRecord(s: FleetStatus, now: number) {
  return {
    type: 'fleet-status',
    v: RECORD_SCHEMA_VERSION,
    workers: s.workers,
    budgets: s.budgets.map((b) => ({ ...b, requestsPerMinute: b.lastMinute })),
    targets: s.targets.map((t) => ({ ...t, lagMs: lagOf(t, now) })),
    places: s.places,
    errors: s.errors,
  };
}

const lagOf = (t: FleetStatus['targets'][number], now: number) =>
  t.state === 'pending' && t.lowWater ? now - t.lowWater.getTime() : undefined;

function statusTables(s: FleetStatus, now: number): string {
  const iso = (d: Date | undefined) => (d ? d.toISOString().replace(/\.\d+Z$/, 'Z') : '-');
  const secs = (ms: number | undefined) => (ms === undefined ? '-' : `${Math.round(ms / 100) / 10}s`);
  const sections = [
    grid(
      'WORKERS',
      ['ID', 'HOST', 'PID', 'LIVE', 'LEASES', 'HEARTBEAT'],
      s.workers.map((w) => [w.id, w.host, String(w.pid), w.live ? 'yes' : 'no', String(w.leases), iso(w.heartbeatAt)]),
    ),
    grid(
      'BUDGETS',
      ['ACCOUNT', 'LIMIT', 'REQUESTS/MIN', 'SATURATED', 'GRANTED', 'WAITED', 'THROTTLED', 'SLOWED UNTIL'],
      s.budgets.map((b) => [
        b.key,
        `${b.limit}/${b.intervalMs}ms`,
        String(b.lastMinute),
        // Binding: each follow polls as often as the budget allows, not as configured.
        b.saturated ? `yes (next slot in ${secs(b.waitMs)})` : 'no',
        String(b.granted),
        String(b.denied),
        String(b.throttled),
        b.slowedUntil && b.slowedUntil.getTime() > now ? iso(b.slowedUntil) : '-',
      ]),
    ),
    grid(
      'TARGETS',
      ['TARGET', 'STATE', 'OWNER', 'LEASE UNTIL', 'EVENTS', 'LAG', 'STATUS'],
      s.targets.map((t) => [
        t.key,
        t.state,
        t.owner ?? '-',
        iso(t.leaseUntil),
        String(t.eventsStored),
        secs(lagOf(t, now)),
        t.doneStatus ?? t.status,
      ]),
    ),
    grid(
      'ERRORS',
      ['ACCOUNT', 'OF', 'CODE', 'COUNT', 'LAST SEEN', 'RETRY AT', 'MESSAGE'],
      s.errors.map((e) => [
        e.account,
        `${e.scope} ${e.key}`,
        e.code,
        String(e.count),
        iso(e.lastSeen),
        iso(e.retryAt),
        e.message,
      ]),
    ),
  ];
  return `${sections.join('\n')}`;
}

/** A titled plain-text table: columns padded to their widest cell; "(none)" when empty. */
function grid(title: string, head: string[], rows: string[][]): string {
  if (rows.length === 0) return `${title}\n(none)\n`;
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${title}\n${[line(head), ...rows.map(line)].join('\n')}\n`;
}
