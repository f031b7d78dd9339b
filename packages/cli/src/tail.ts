import {
  type ExecutionInfo,
  type ImageInfo,
  mergeEvents,
  type StackEvent,
  type StackInfo,
  type WatchResult,
  type WatchStream,
} from '@stackfeed/core';
import type { Ctx } from './context.js';
import { eventRecord, executionRecord, imageRecord, resultRecord, stackRecord, toJson } from './format/records.js';
import { FollowStats, formatElapsed, StatusLine, statusText } from './format/status.js';
import { eventLayout, eventStreamHeader, eventStreamRow, SHORT_PROVIDER } from './format/table.js';
import type { Output } from './options.js';

/** One followed deployment. */
export interface TailSource {
  provider: string;
  target: string;
  stream: WatchStream<StackEvent, unknown>;
  /** The scenario is meant to fail (demo): a failure is then not an error. */
  expectFailure?: boolean | undefined;
}

export interface TailSettings {
  output: Output;
  raw: boolean;
  /** Stop after this many events (the deployments are then left running). */
  limit?: number | undefined;
  /** Live-merge lateness (ms): how long an event waits for earlier ones from slower providers. */
  latenessMs?: number | undefined;
  /** Print the table header (table output). */
  header?: boolean;
  /** Print what each watch handed back at the end (the final ImageInfo / ExecutionInfo / StackInfo). */
  finals?: boolean;
  /** Events to show (a check the provider cannot make, e.g. `--resource name[key]`); default all. */
  filter?: ((ev: StackEvent) => boolean) | undefined;
}

/** How each followed deployment ended. */
export interface TailOutcome {
  source: TailSource;
  result: WatchResult | undefined;
  error?: unknown;
  events: number;
}

/**
 * Follows one or more deployments as one time-ordered stream: prints each event (table row,
 * NDJSON line, or collected for JSON), keeps a live status line on a terminal, and reports how
 * each deployment ended. A stream that fails is dropped and reported; the others go on.
 */
export async function tail(ctx: Ctx, sources: readonly TailSource[], settings: TailSettings): Promise<TailOutcome[]> {
  const outcomes: TailOutcome[] = sources.map((source) => ({ source, result: undefined, events: 0 }));
  const stats = new FollowStats();
  const { collected, printed, interrupted } = await printEvents(ctx, sources, settings, outcomes, stats);
  for (const o of outcomes) o.result = o.source.stream.result;
  if (settings.output === 'json') {
    ctx.out.write(
      `${toJson(
        {
          events: collected.map((ev) => eventRecord(ev, settings.raw)),
          results: outcomes.map((o) => resultRecord(o.source.provider, o.source.target, o.result, o.events)),
          ...(settings.finals
            ? { finals: outcomes.map((o) => finalRecord(o.result?.final)).filter((r) => r !== undefined) }
            : {}),
        },
        2,
      )}\n`,
    );
  } else if (settings.output === 'ndjson') {
    for (const o of outcomes) {
      if (o.error === undefined)
        ctx.out.write(`${toJson(resultRecord(o.source.provider, o.source.target, o.result, o.events))}\n`);
    }
  }
  if (settings.finals && settings.output !== 'json') {
    for (const o of outcomes) {
      const final = o.result?.final;
      if (final !== undefined) await printFinal(ctx, final, settings.output);
    }
  }
  // The summary goes to stderr in every format, so stdout stays parseable.
  if (settings.limit === undefined || printed < settings.limit) {
    for (const o of outcomes) {
      if (o.error !== undefined) continue;
      ctx.err.write(`${summaryLine(ctx, o, stats)}\n`);
      for (const line of deploymentLines(ctx, o)) ctx.err.write(`  ${line}\n`);
    }
  }
  if (interrupted) throw interrupted.err;
  return outcomes;
}

/** The sources as one stream, each event tagged with its source's index; a failing source is dropped into its outcome. */
function mergedSources(sources: readonly TailSource[], settings: TailSettings, outcomes: TailOutcome[]) {
  // Tag each event with its source, so counts and results line up after the merge.
  const tagged = sources.map((s, i) =>
    (async function* () {
      for await (const ev of s.stream) yield { ev, i, timestamp: ev.timestamp };
    })(),
  );
  if (sources.length === 1) return tagged[0]!;
  return mergeEvents(tagged, {
    mode: 'live',
    latenessMs: settings.latenessMs ?? 2000,
    // No signal here: on Ctrl-C every watch ends ABORTED (each has the signal) and is
    // dropped, so the merge ends normally and first hands out the events it held back.
    onStreamError: 'drop',
    onDropped: (i, error) => {
      outcomes[i]!.error = error;
    },
  });
}

/**
 * Prints the merged events as they come (rows or NDJSON lines; JSON collects them), counting each
 * source's in its outcome. Ctrl-C / SIGTERM is returned as `interrupted`, so that what was collected
 * is still printed (valid JSON) before it is rethrown.
 */
async function printEvents(
  ctx: Ctx,
  sources: readonly TailSource[],
  settings: TailSettings,
  outcomes: TailOutcome[],
  stats: FollowStats,
) {
  const c = ctx.colors;
  const collected: StackEvent[] = [];
  const label = sources.length === 1 ? `${sources[0]!.target}` : `${sources.length} deployments`;
  const status = new StatusLine(ctx.err, () => `${ctx.errColors.cyan('⟳')} ${statusText(stats, ctx.errColors, label)}`);
  const width = ctx.out.isTTY ? ctx.out.columns : undefined;
  const layout = eventLayout(undefined, width);
  const merged = mergedSources(sources, settings, outcomes);

  if (settings.output === 'table' && settings.header !== false) ctx.out.write(eventStreamHeader(c, layout));
  status.draw();
  let printed = 0;
  let interrupted: { err: unknown } | undefined;
  try {
    for await (const { ev, i } of merged) {
      if (settings.filter && !settings.filter(ev)) continue;
      stats.add(ev);
      outcomes[i]!.events++;
      printed++;
      if (settings.output === 'json') collected.push(ev);
      else {
        status.clear();
        ctx.out.write(
          settings.output === 'ndjson'
            ? `${toJson(eventRecord(ev, settings.raw))}\n`
            : eventStreamRow(ev, c, width, layout),
        );
        status.draw();
      }
      if (settings.limit !== undefined && printed >= settings.limit) break;
    }
  } catch (err) {
    if (!ctx.signal?.aborted) throw err;
    interrupted = { err };
  } finally {
    status.stop();
  }
  if (!interrupted && ctx.signal?.aborted) interrupted = { err: ctx.signal.reason };
  return { collected, printed, interrupted };
}

type Final = ImageInfo | ExecutionInfo | StackInfo;
const isImage = (x: Final): x is ImageInfo => Array.isArray((x as ImageInfo).artifacts);
const isExecution = (x: Final): x is ExecutionInfo => typeof (x as ExecutionInfo).kind === 'string';
const isStack = (x: Final): x is StackInfo => typeof (x as StackInfo).name === 'string' && 'action' in x;

/** The record of a watch's final value (ImageInfo, ExecutionInfo, StackInfo), or undefined for anything else. */
export function finalRecord(final: unknown): Record<string, unknown> | undefined {
  if (!final || typeof final !== 'object' || !('provider' in final) || !('status' in final)) return undefined;
  const x = final as Final;
  if (isImage(x)) return imageRecord(x);
  if (isExecution(x)) return executionRecord(x);
  if (isStack(x)) return stackRecord(x);
  return undefined;
}

/** A watch's final record (ImageInfo, ExecutionInfo, StackInfo), in the chosen format; anything else is skipped. */
export async function printFinal(ctx: Ctx, final: unknown, output: string): Promise<void> {
  if (!final || typeof final !== 'object' || !('provider' in final) || !('status' in final)) return;
  const x = final as Final;
  // cli-table3 loads only when a boxed table is printed.
  const boxes = output === 'table' ? await import('./format/boxes.js') : undefined;
  const width = ctx.out.isTTY ? ctx.out.columns : undefined;
  if (isImage(x)) {
    if (boxes)
      ctx.out.write(`\n${ctx.colors.bold(`ImageInfo (${x.provider})`)}\n${boxes.imageDetail(x, ctx.colors, width)}`);
    else if (output === 'ndjson') ctx.out.write(`${toJson(imageRecord(x))}\n`);
  } else if (isExecution(x)) {
    if (boxes) ctx.out.write(`\n${ctx.colors.bold('ExecutionInfo')}\n${boxes.executionTable([x], ctx.colors)}`);
    else if (output === 'ndjson') ctx.out.write(`${toJson(executionRecord(x))}\n`);
  } else if (isStack(x)) {
    if (boxes) ctx.out.write(`\n${ctx.colors.bold('StackInfo')}\n${boxes.stackTable([x], ctx.colors)}`);
    else if (output === 'ndjson') ctx.out.write(`${toJson(stackRecord(x))}\n`);
  }
}

/** `✔ heat web: CREATE_COMPLETE (succeeded) — 24 events in 3.2s` */
export function summaryLine(ctx: Ctx, o: TailOutcome, stats: FollowStats): string {
  const c = ctx.errColors;
  const who = `${SHORT_PROVIDER[o.source.provider] ?? o.source.provider} ${o.source.target}`;
  const r = o.result;
  if (!r) return `${c.yellow('…')} ${who}: stopped before the deployment ended — ${o.events} events`;
  const bad = r.outcome === 'failed' || r.outcome === 'cancelled';
  const mark = bad ? (o.source.expectFailure ? c.yellow('✖') : c.red('✖')) : c.green('✔');
  const status = r.status ? `${r.status} (${r.outcome})` : r.outcome;
  const reason = r.reason ? `: ${r.reason.replace(/\s+/g, ' ')}` : '';
  const expected = bad && o.source.expectFailure ? ' [failure scripted by the demo]' : '';
  return `${mark} ${who}: ${bad ? c.red(status) : c.green(status)}${reason}${expected} — ${o.events} events in ${formatElapsed(Date.now() - stats.startedAt)}`;
}

/**
 * Under the summary, when the watch could tell its deployment: the root cause of a failure (the
 * nested resource that broke, not the stack's "Embedded stack … failed") and the slowest resources.
 */
export function deploymentLines(ctx: Ctx, o: TailOutcome): string[] {
  const c = ctx.errColors;
  const lines: string[] = [];
  const cause = o.result?.rootCause;
  const bad =
    o.result?.outcome === 'failed' ||
    o.result?.outcome === 'cancelled' ||
    o.result?.deployment?.outcome === 'rolled-back';
  if (cause && bad) {
    const where = [cause.stack.name ?? cause.stack.id, resourceLabel(cause.resource)].filter(Boolean).join('/');
    lines.push(`${c.red('root cause')} ${where}${cause.reason ? `: ${cause.reason.replace(/\s+/g, ' ')}` : ''}`);
  }
  const timed = (o.result?.deployment?.resources ?? []).filter((r) => r.durationSeconds !== undefined);
  if (timed.length > 0) {
    const slowest = [...timed].sort((a, b) => (b.durationSeconds ?? 0) - (a.durationSeconds ?? 0)).slice(0, 3);
    const list = slowest.map(
      (r) =>
        `${nestedPrefix(r.stack, o.source.target)}${resourceLabel(r.resource)} ${formatElapsed((r.durationSeconds ?? 0) * 1000)}`,
    );
    lines.push(`slowest: ${list.join(', ')}`);
  }
  return lines;
}

/** `server[api]`: the logical id with the instance key, as the event table prints it. */
function resourceLabel(r: { logicalId?: string; physicalId?: string; key?: string }): string {
  return `${r.logicalId ?? r.physicalId ?? '?'}${r.key ? `[${r.key}]` : ''}`;
}

/** A nested stack's resources are named with their stack (`web-servers-x7k2/0`), the target's own without. */
function nestedPrefix(stack: { id?: string; name?: string }, target: string): string {
  return stack.name && stack.name !== target && stack.id !== target ? `${stack.name}/` : '';
}

/** Did a deployment end badly (failed or cancelled) where it was not meant to? */
export const endedBadly = (o: TailOutcome): boolean =>
  !o.source.expectFailure && (o.result?.outcome === 'failed' || o.result?.outcome === 'cancelled');
