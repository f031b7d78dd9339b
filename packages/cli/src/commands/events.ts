import type { Paginator, StackEvent } from '@stackfeed/core';
import type { Ctx } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { eventRecord, RECORD_SCHEMA_VERSION, toJson } from '../format/records.js';
import { eventLayout, eventStreamHeader, eventStreamRow, eventTable } from '../format/table.js';
import { parseCount, parseDuration, parseOutput, parsePhases, parseSince } from '../options.js';
import { endedBadly, tail } from '../tail.js';

/** Options of `events` and `watch`. */
export interface EventsFlags {
  follow?: boolean;
  since?: string;
  phase?: string[];
  resource?: string[];
  limit?: string;
  output?: string;
  raw?: boolean;
  pollInterval?: string;
  timeout?: string;
  nestedDepth?: string;
  pageSize?: string;
  pageToken?: string;
}

function parseDepth(v: string | undefined, command: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`--nested-depth must be a whole number, not "${v}"`, command);
  return Number(v);
}

/**
 * `--resource` values as the tables print them: a name, or `name[key]` for one instance of a
 * count/for_each resource (RFS `resource_key`). The provider is asked for the names (the literal
 * too, for a name that has brackets of its own); the key is checked here.
 */
function resourceSpecs(values: readonly string[] | undefined) {
  if (!values?.length) return { resourceName: undefined, resourceMatch: undefined };
  const names = new Set<string>();
  const keyed: Array<{ name: string; key: string; literal: string }> = [];
  for (const v of values) {
    names.add(v);
    const m = /^(.+)\[([^\]]+)\]$/.exec(v);
    if (m) {
      names.add(m[1] as string);
      keyed.push({ name: m[1] as string, key: m[2] as string, literal: v });
    }
  }
  const plain = new Set(values.filter((v) => !keyed.some((k) => k.literal === v)));
  const named = (ev: StackEvent, n: string) => ev.resource.logicalId === n || ev.resource.name === n;
  const resourceMatch =
    keyed.length === 0
      ? undefined
      : (ev: StackEvent) =>
          [...plain].some((n) => named(ev, n)) ||
          keyed.some((k) => named(ev, k.literal) || (named(ev, k.name) && ev.resource.key === k.key));
  return { resourceName: [...names], resourceMatch };
}

/** Reads and checks the event flags. */
export function eventSettings(flags: EventsFlags, command: string) {
  const resources = resourceSpecs(flags.resource);
  return {
    output: parseOutput(flags.output, command),
    since: parseSince(flags.since, command),
    phase: parsePhases(flags.phase, command),
    resourceName: resources.resourceName,
    /** Set when a `name[key]` was given: the events the provider returns are checked for the key. */
    resourceMatch: resources.resourceMatch,
    limit: parseCount(flags.limit, '--limit', command),
    pollIntervalMs: parseDuration(flags.pollInterval, '--poll-interval', command),
    timeoutMs: parseDuration(flags.timeout, '--timeout', command),
    raw: flags.raw === true,
    nestedDepth: parseDepth(flags.nestedDepth, command),
  };
}

/** `stackfeed events <provider> <target>`: a list, or a follow until the deployment ends. */
export async function eventsCommand(
  ctx: Ctx,
  providerName: string,
  target: string,
  flags: EventsFlags,
): Promise<number> {
  const s = eventSettings(flags, 'events');
  const plugin = await ctx.plugin(providerName, 'events');
  ctx.following = flags.follow === true;
  const session = await ctx.connect(
    plugin,
    'events',
    true,
    flags.follow ? { key: 'followEvents', what: 'live event tail' } : { key: 'listEvents', what: 'event list' },
  );
  const filters = {
    ...(s.since ? { since: s.since } : {}),
    ...(s.phase ? { phase: s.phase } : {}),
    ...(s.resourceName ? { resourceName: s.resourceName } : {}),
    ...(s.nestedDepth !== undefined ? { nestedDepth: s.nestedDepth } : {}),
  };

  if (flags.follow) {
    const follow = ctx.need(session, plugin, 'followEvents', 'live event tail', 'events');
    const stream = follow(target, {
      ...filters,
      pollIntervalMs: s.pollIntervalMs,
      timeoutMs: s.timeoutMs,
      signal: ctx.signal,
    });
    const [outcome] = await tail(ctx, [{ provider: plugin.id, target, stream }], {
      output: s.output,
      raw: s.raw,
      limit: s.limit,
      finals: true,
      filter: s.resourceMatch,
    });
    return outcome && endedBadly(outcome) ? EXIT.DEPLOYMENT_FAILED : EXIT.OK;
  }

  const list = ctx.need(session, plugin, 'listEvents', 'event list', 'events');
  if (flags.pageSize !== undefined || flags.pageToken !== undefined) {
    const pageSize = parseCount(flags.pageSize, '--page-size', 'events');
    return pagedEvents(ctx, list(target, { ...filters, signal: ctx.signal }), s, pageSize, flags.pageToken);
  }
  const events: StackEvent[] = [];
  // With a `name[key]` filter the count is taken after the key check, so no maxItems for the provider.
  const maxItems = s.resourceMatch ? undefined : s.limit;
  for await (const ev of list(target, { ...filters, maxItems, signal: ctx.signal })) {
    if (s.resourceMatch && !s.resourceMatch(ev)) continue;
    events.push(ev);
    if (s.limit !== undefined && events.length >= s.limit) break;
  }
  // Oldest first, whatever order the provider lists in (a stable sort keeps same-second order).
  events.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  printEvents(ctx, events, s.output, s.raw);
  return EXIT.OK;
}

/**
 * `--page-size` / `--page-token`: the list page by page, in the provider's order, each page printed
 * as it comes; stops at the first page boundary at or past `--limit`, and prints the token that
 * resumes at the next page (the SDK's `byPage({ continuationToken })`).
 */
async function pagedEvents(
  ctx: Ctx,
  list: AsyncIterable<StackEvent>,
  s: ReturnType<typeof eventSettings>,
  pageSize: number | undefined,
  token: string | undefined,
): Promise<number> {
  const byPage = (list as Partial<Paginator<StackEvent>>).byPage;
  if (typeof byPage !== 'function') throw new UsageError('this provider has no resumable pages', 'events');
  const collected: StackEvent[] = [];
  let next: string | undefined;
  let count = 0;
  let header = false;
  const width = ctx.out.isTTY ? ctx.out.columns : undefined;
  const layout = eventLayout(undefined, width);
  for await (const whole of byPage.call(list, { pageSize, continuationToken: token })) {
    const page = s.resourceMatch ? { ...whole, items: whole.items.filter(s.resourceMatch) } : whole;
    next = page.continuationToken;
    count += page.items.length;
    if (s.output === 'json') collected.push(...page.items);
    else if (s.output === 'ndjson') for (const e of page.items) ctx.out.write(`${toJson(eventRecord(e, s.raw))}\n`);
    else {
      if (!header) ctx.out.write(eventStreamHeader(ctx.colors, layout));
      header = true;
      for (const e of page.items) ctx.out.write(eventStreamRow(e, ctx.colors, width, layout));
    }
    if (s.limit !== undefined && count >= s.limit) break;
  }
  if (s.output === 'json') {
    ctx.out.write(`${toJson({ events: collected.map((e) => eventRecord(e, s.raw)), ...(next ? { next } : {}) }, 2)}\n`);
  } else if (s.output === 'ndjson') {
    ctx.out.write(`${toJson({ type: 'page', v: RECORD_SCHEMA_VERSION, ...(next ? { next } : {}), events: count })}\n`);
  } else {
    if (count === 0) ctx.err.write('no events\n');
    ctx.err.write(next ? `next page: --page-token ${next}\n` : 'last page\n');
  }
  return EXIT.OK;
}

/** A finite list of events in the chosen format. */
export function printEvents(ctx: Ctx, events: readonly StackEvent[], output: string, raw: boolean): void {
  if (output === 'json')
    ctx.out.write(
      `${toJson(
        events.map((e) => eventRecord(e, raw)),
        2,
      )}\n`,
    );
  else if (output === 'ndjson') for (const e of events) ctx.out.write(`${toJson(eventRecord(e, raw))}\n`);
  else if (events.length === 0) ctx.err.write('no events\n');
  else ctx.out.write(eventTable(events, ctx.colors, ctx.out.isTTY ? ctx.out.columns : undefined));
}
