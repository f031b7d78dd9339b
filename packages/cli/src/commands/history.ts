import type { ProviderId, StackEvent } from '@stackfeed/core';
import type { Ctx } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { parseCount, parseOutput, parsePhases, parseSince } from '../options.js';
import { findProvider } from '../providers/registry.js';
import { openCliStore, type StoreFlags } from './archive.js';
import { printEvents } from './events.js';
import { eventRecord, toJson } from '../format/records.js';

/** `stackfeed history <provider> <target>`: the stored events of a stack, from the store (no provider call). */
export async function historyCommand(
  ctx: Ctx,
  providerName: string,
  target: string,
  flags: StoreFlags & {
    since?: string;
    until?: string;
    phase?: string[];
    resource?: string;
    grep?: string;
    limit?: string;
    output?: string;
    raw?: boolean;
  },
): Promise<number> {
  const output = parseOutput(flags.output, 'history');
  // Only the provider's id is needed: its client is not loaded, no credentials are read.
  const entry = findProvider(ctx.providers, providerName);
  if (!entry) {
    const known = ctx.providers.map((p) => `${p.aliases[0] ?? p.id} (${p.id})`).join(', ');
    throw new UsageError(`unknown provider "${providerName}"; known: ${known}`, 'history');
  }
  const since = parseSince(flags.since, 'history');
  const until = parseSince(flags.until, 'history');
  const phase = parsePhases(flags.phase, 'history');
  const limit = parseCount(flags.limit, '--limit', 'history');
  const store = await openCliStore(ctx, flags);
  try {
    const list = store.events({
      provider: entry.id as ProviderId,
      stack: target,
      since,
      until,
      phase,
      resource: flags.resource,
      text: flags.grep,
      signal: ctx.signal,
    });
    if (output === 'ndjson') {
      // Streamed page by page: a long history never sits in memory whole.
      let n = 0;
      for await (const ev of list) {
        if (limit !== undefined && n >= limit) break;
        ctx.out.write(`${toJson(eventRecord(ev, flags.raw === true))}\n`);
        n++;
      }
    } else {
      const events: StackEvent[] = await list.toArray({ limit: limit ?? Number.MAX_SAFE_INTEGER });
      printEvents(ctx, events, output, flags.raw === true);
    }
  } finally {
    await store.close();
  }
  return EXIT.OK;
}
