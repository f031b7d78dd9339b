import type { ExecutionInfo, ImageInfo, StackInfo } from '@stackfeed/core';
import type { Ctx } from '../context.js';
import { EXIT } from '../errors.js';
import { executionRecord, imageRecord, stackRecord, toJson } from '../format/records.js';
import { executionTable, imageDetail, imageTable, stackTable } from '../format/boxes.js';
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
export async function imagesCommand(ctx: Ctx, providerName: string, flags: ListFlags): Promise<number> {
  const output = parseOutput(flags.output, 'images');
  const limit = parseCount(flags.limit, '--limit', 'images');
  const plugin = await ctx.plugin(providerName, 'images');
  const session = await ctx.connect(plugin, 'images', true, { key: 'listImages', what: 'images' });
  const list = ctx.need(session, plugin, 'listImages', 'images', 'images');
  const images = await collect(list({ maxItems: limit, signal: ctx.signal }), limit);
  print<ImageInfo>(
    ctx,
    images,
    output,
    imageRecord,
    (xs) => imageTable(xs, ctx.colors),
    flags.raw === true,
    'no images',
  );
  return EXIT.OK;
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
export async function stacksCommand(ctx: Ctx, providerName: string, flags: ListFlags): Promise<number> {
  const output = parseOutput(flags.output, 'stacks');
  const limit = parseCount(flags.limit, '--limit', 'stacks');
  const plugin = await ctx.plugin(providerName, 'stacks');
  const session = await ctx.connect(plugin, 'stacks', true, { key: 'listStacks', what: 'stack list' });
  const list = ctx.need(session, plugin, 'listStacks', 'stack list', 'stacks');
  const stacks = await collect(list({ maxItems: limit, signal: ctx.signal }), limit);
  print<StackInfo>(
    ctx,
    stacks,
    output,
    stackRecord,
    (xs) => stackTable(xs, ctx.colors),
    flags.raw === true,
    'no stacks',
  );
  return EXIT.OK;
}
