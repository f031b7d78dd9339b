import { openStore, type FollowResult, type Store } from '@stackfeed/store';
import type { Ctx } from '../context.js';
import { EXIT, formatError } from '../errors.js';
import { RECORD_SCHEMA_VERSION, toJson } from '../format/records.js';
import { parseDuration, parseOutput } from '../options.js';
import { findProvider } from '../providers/registry.js';
import type { ProviderSession } from '../providers/types.js';
import { parseSpec } from './watch.js';

/** Options of `archive` and `history`: where the store is. */
export interface StoreFlags {
  store?: string;
}

/** The store of `--store`, else `STACKFEED_STORE`, else the embedded store in the user's data directory. */
export function openCliStore(ctx: Ctx, flags: StoreFlags): Promise<Store> {
  const url = flags.store ?? ctx.env.STACKFEED_STORE;
  return openStore(url === undefined || url === '' ? undefined : url, { env: ctx.env as NodeJS.ProcessEnv });
}

/**
 * `stackfeed archive heat:web rfs:db ...`: follow each deployment into the store until it ends.
 * Resumable: a second run (after Ctrl-C or a crash) starts at each target's checkpoint, and what
 * it reads again is not stored twice.
 */
export async function archiveCommand(
  ctx: Ctx,
  specs: readonly string[],
  flags: StoreFlags & { output?: string; pollInterval?: string; timeout?: string },
): Promise<number> {
  const output = parseOutput(flags.output, 'archive');
  const pollIntervalMs = parseDuration(flags.pollInterval, '--poll-interval', 'archive');
  const timeoutMs = parseDuration(flags.timeout, '--timeout', 'archive');
  const parsed = specs.map((s) => {
    const p = parseSpec(s);
    if (!findProvider(ctx.providers, p.provider)) return { ...p, spec: s, known: false };
    return { ...p, spec: s, known: true };
  });
  for (const p of parsed) if (!p.known) await ctx.plugin(p.provider, 'archive'); // throws the usage error
  const follows: Array<{
    provider: string;
    target: string;
    follow: NonNullable<ProviderSession['followEvents']>;
  }> = [];
  for (const p of parsed) {
    const plugin = await ctx.plugin(p.provider, 'archive');
    const session = await ctx.connect(plugin, 'archive', parsed.length === 1);
    const follow = ctx.need(session, plugin, 'followEvents', 'live event tail', 'archive');
    follows.push({ provider: plugin.id, target: p.target, follow });
  }
  const store = await openCliStore(ctx, flags);
  let code: number = EXIT.OK;
  try {
    const results = await Promise.allSettled(
      follows.map((f) =>
        store.resume(`${f.provider}:${f.target}`, (since) =>
          f.follow(f.target, { ...(since ? { since } : {}), pollIntervalMs, timeoutMs, signal: ctx.signal }),
        ),
      ),
    );
    results.forEach((r, i) => {
      const f = follows[i] as (typeof follows)[number];
      if (r.status === 'rejected') {
        ctx.err.write(`${formatError(r.reason)}\n`);
        code = EXIT.CALL_FAILED;
        return;
      }
      printArchived(ctx, output, f.provider, f.target, r.value);
      const outcome = r.value.watch?.outcome;
      if (code === EXIT.OK && (outcome === 'failed' || outcome === 'cancelled')) code = EXIT.DEPLOYMENT_FAILED;
    });
    if (ctx.signal.aborted && code !== EXIT.CALL_FAILED) code = EXIT.INTERRUPTED;
  } finally {
    await store.close();
  }
  return code;
}

function printArchived(ctx: Ctx, output: string, provider: string, target: string, r: FollowResult): void {
  const record = {
    type: 'archive',
    v: RECORD_SCHEMA_VERSION,
    provider,
    target,
    inserted: r.inserted,
    duplicates: r.duplicates,
    outcome: r.watch?.outcome ?? (r.aborted ? 'interrupted' : 'incomplete'),
    ...(r.watch?.status ? { status: r.watch.status } : {}),
    ...(r.resumedFrom ? { resumedFrom: r.resumedFrom.toISOString() } : {}),
  };
  if (output === 'table') {
    const from = r.resumedFrom ? `, resumed from ${r.resumedFrom.toISOString()}` : '';
    ctx.out.write(
      `${provider}:${target}: ${r.inserted} new events stored, ${r.duplicates} already stored${from}; ${record.outcome}${
        record.status ? ` (${record.status})` : ''
      }\n`,
    );
  } else {
    ctx.out.write(`${toJson(record, output === 'json' ? 2 : undefined)}\n`);
  }
}
