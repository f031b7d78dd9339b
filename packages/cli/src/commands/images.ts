import { type ExecutionInfo, gatherInOrder, type ImageInfo, type StackInfo } from '@stackfeed/core';
import type { Ctx } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { type Place, placedRecord, placeOverrides, placesOf, reportPlaces } from './fanout.js';
import { executionRecord, imageRecord, stackRecord, toJson } from '../format/records.js';
import { executionTable, imageDetail, imageTable, type PlaceColumn, stackTable } from '../format/boxes.js';
import { type Output, parseCount, parseOutput } from '../options.js';

interface ListFlags {
  output?: string;
  limit?: string;
  raw?: boolean;
}

async function collect<T>(it: AsyncIterable<T>, limit: number | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) {
    out.push(x);
    if (limit !== undefined && out.length >= limit) break;
  }
  return out;
}

function print<T>(
  ctx: Ctx,
  items: readonly T[],
  output: Output,
  record: (x: T, raw: boolean) => unknown,
  table: (xs: readonly T[]) => string,
  raw: boolean,
  none: string,
) {
  if (output === 'json')
    ctx.out.write(
      `${toJson(
        items.map((x) => record(x, raw)),
        2,
      )}\n`,
    );
  else if (output === 'ndjson') for (const x of items) ctx.out.write(`${toJson(record(x, raw))}\n`);
  else if (items.length === 0) ctx.err.write(`${none}\n`);
  else ctx.out.write(table(items));
}

/** `stackfeed images <provider>`. */
export function imagesCommand(ctx: Ctx, providerName: string, flags: PlaceFlags): Promise<number> {
  return listCommand<ImageInfo>(ctx, providerName, flags, {
    command: 'images',
    key: 'listImages',
    what: 'images',
    none: 'no images',
    record: imageRecord,
    table: (xs, where) => imageTable(xs, ctx.colors, where),
  });
}

/** `stackfeed image <provider> <id>`. */
export async function imageCommand(ctx: Ctx, providerName: string, id: string, flags: ListFlags): Promise<number> {
  const output = parseOutput(flags.output, 'image');
  const plugin = await ctx.plugin(providerName, 'image');
  const session = await ctx.connect(plugin, 'image', true, { key: 'describeImage', what: 'images' });
  const describe = ctx.need(session, plugin, 'describeImage', 'images', 'image');
  const img = await describe(id, { signal: ctx.signal });
  if (output === 'table') ctx.out.write(imageDetail(img, ctx.colors, ctx.out.isTTY ? ctx.out.columns : undefined));
  else ctx.out.write(`${toJson(imageRecord(img, flags.raw === true), output === 'json' ? 2 : undefined)}\n`);
  return EXIT.OK;
}

/** `stackfeed executions <provider> <target>`. */
export async function executionsCommand(
  ctx: Ctx,
  providerName: string,
  target: string,
  flags: ListFlags,
): Promise<number> {
  const output = parseOutput(flags.output, 'executions');
  const limit = parseCount(flags.limit, '--limit', 'executions');
  const plugin = await ctx.plugin(providerName, 'executions');
  const session = await ctx.connect(plugin, 'executions', true, { key: 'listExecutions', what: 'executions' });
  const list = ctx.need(session, plugin, 'listExecutions', 'executions', 'executions');
  const execs = await collect(list(target, { maxItems: limit, signal: ctx.signal }), limit);
  print<ExecutionInfo>(
    ctx,
    execs,
    output,
    executionRecord,
    (xs) => executionTable(xs, ctx.colors),
    flags.raw === true,
    'no executions',
  );
  return EXIT.OK;
}

/** `stackfeed stacks <provider>`. */
export function stacksCommand(ctx: Ctx, providerName: string, flags: PlaceFlags): Promise<number> {
  return listCommand<StackInfo>(ctx, providerName, flags, {
    command: 'stacks',
    key: 'listStacks',
    what: 'stack list',
    none: 'no stacks',
    record: stackRecord,
    table: (xs, where) => stackTable(xs, ctx.colors, where),
  });
}

interface PlaceFlags extends ListFlags {
  allRegions?: boolean;
}

/** What differs between `images` and `stacks`. */
interface Listing<T> {
  command: string;
  key: 'listImages' | 'listStacks';
  what: string;
  none: string;
  record: (x: T, raw: boolean) => unknown;
  table: (xs: readonly T[], where?: PlaceColumn) => string;
}

type ListCall<T> = (q: { maxItems?: number | undefined; signal: AbortSignal }) => AsyncIterable<T>;

/** A listing of one place, or of several at once (`--all-regions`, `--region a,b`, `--cloud a,b`). */
async function listCommand<T>(ctx: Ctx, providerName: string, flags: PlaceFlags, l: Listing<T>): Promise<number> {
  const output = parseOutput(flags.output, l.command);
  const limit = parseCount(flags.limit, '--limit', l.command);
  const raw = flags.raw === true;
  const plugin = await ctx.plugin(providerName, l.command);
  // "this provider has no images" is usage, before any region list is asked for.
  if (plugin.offers && !plugin.offers.includes(l.key))
    throw new UsageError(`${plugin.title} has no ${l.what}`, l.command);
  const needs = { key: l.key, what: l.what };
  const open = async (place?: Place) => {
    const session = await ctx.connect(plugin, l.command, true, needs, place ? placeOverrides(ctx, place) : {});
    return ctx.need(session, plugin, l.key, l.what, l.command) as unknown as ListCall<T>;
  };
  const places = await placesOf(ctx, plugin, flags.allRegions, l.command);
  if (!places) {
    const items = await collect((await open())({ maxItems: limit, signal: ctx.signal }), limit);
    print<T>(ctx, items, output, l.record, (xs) => l.table(xs), raw, l.none);
    return EXIT.OK;
  }
  // Each place has its own client (and rate limit); 4 at a time; printed in the places' order.
  const read = async (place: Place) => (await open(place))({ maxItems: limit, signal: ctx.signal });
  const results = await gatherInOrder(places, read, { concurrency: 4, limit });
  const code = reportPlaces(ctx, results, plugin.credentials);
  const rows = results.flatMap((r) => r.items.map((x): [T, Place] => [x, r.source])).slice(0, limit);
  const where: PlaceColumn = { head: places[0]?.key ?? 'region', values: rows.map(([, p]) => p.name) };
  print<[T, Place]>(
    ctx,
    rows,
    output,
    ([x, p], r) => placedRecord(l.record(x, r), p),
    (xs) =>
      l.table(
        xs.map(([x]) => x),
        where,
      ),
    raw,
    l.none,
  );
  return code;
}
