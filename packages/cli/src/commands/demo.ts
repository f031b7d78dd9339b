import type { ExecutionInfo, ImageInfo, StackInfo } from '@stackfeed/core';
import type { Ctx } from '../context.js';
import { EXIT, formatError } from '../errors.js';
import { executionRecord, imageRecord, stackRecord, toJson } from '../format/records.js';
import { executionTable, imageDetail, stackTable } from '../format/boxes.js';
import { SHORT_PROVIDER } from '../format/table.js';
import { type Output, parseOutput, parsePositive } from '../options.js';
import { type DemoRun, demoClock } from '../providers/types.js';
import { endedBadly, type TailSource, tail } from '../tail.js';

/** Scenario seconds per wall second by default: the whole demo plays in about 20 s. */
export const DEFAULT_DEMO_SPEED = 5;

/**
 * How long the longest demo scenario lasts in scenario time (the Image Builder lifecycle execution
 * ends about 95 s after t0): the demo clock is anchored so that this moment is the wall's "now".
 */
export const DEMO_SCENARIO_MS = 100_000;

/**
 * `stackfeed demo`: every provider that has an emulator plays its scenario on 127.0.0.1; the CLI
 * follows them through the public SDK as one merged stream, then prints the final records.
 * Providers not in this build yet are named, not hidden.
 */
export async function demoCommand(ctx: Ctx, flags: { speed?: string; output?: string }): Promise<number> {
  const output = parseOutput(flags.output, 'demo');
  const speed = parsePositive(flags.speed, '--speed', 'demo') ?? DEFAULT_DEMO_SPEED;
  const c = ctx.colors;
  // The emulators are local: the AWS SDK's advice about future Node versions is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Human text goes to stdout for the table, to stderr when stdout carries records.
  const say = (line: string) => (output === 'table' ? ctx.out : ctx.err).write(`${line}\n`);

  say(c.bold('stackfeed demo — provider emulators on 127.0.0.1, followed through the public SDK'));
  const runs: DemoRuns = [];
  try {
    const missing = await startRuns(ctx, speed, runs, say);
    if (runs.length === 0) {
      ctx.err.write('stackfeed: no provider emulator is available in this build, nothing to play\n');
      return EXIT.CALL_FAILED;
    }
    say('');
    let code = await followRuns(ctx, runs, speed, output);
    // The final records, fetched again through the SDK now that everything has ended.
    const finals: Final[] = [];
    for (const { run } of runs) {
      if (!run.finals) continue;
      try {
        finals.push(...(await run.finals(ctx.signal)));
      } catch (err) {
        ctx.err.write(`${formatError(err)}\n`);
        code = EXIT.CALL_FAILED;
      }
    }
    printFinals(ctx, finals, output);
    if (missing.length) say(c.dim(`\nNot in this demo yet: ${missing.join(', ')}.`));
    return code;
  } finally {
    await Promise.allSettled(runs.map(({ run }) => run.close()));
  }
}

type DemoRuns = Array<{ id: string; run: DemoRun }>;
type Final = ImageInfo | ExecutionInfo | StackInfo;

/**
 * Starts each provider's scenario, adding it to `runs` as soon as it runs (so that it is closed
 * whatever happens next); returns the providers that could not play, each told with its reason.
 */
async function startRuns(ctx: Ctx, speed: number, runs: DemoRuns, say: (line: string) => void): Promise<string[]> {
  const c = ctx.colors;
  const clock = demoClock(speed, Date.now, { anchorMs: DEMO_SCENARIO_MS });
  const missing: string[] = [];
  for (const entry of ctx.providers) {
    const short = SHORT_PROVIDER[entry.id] ?? entry.id;
    const skip = (line: string) => {
      missing.push(entry.title);
      say(line);
    };
    if (!entry.load) {
      skip(c.dim(`  · ${short.padEnd(12)} ${entry.title}: not available in this build yet`));
      continue;
    }
    let plugin: Awaited<ReturnType<typeof entry.load>>;
    try {
      plugin = await entry.load();
    } catch (err) {
      skip(c.yellow(`  ! ${short.padEnd(12)} ${entry.title}: could not be loaded: ${formatError(err)}`));
      continue;
    }
    if (!plugin.demo) {
      skip(c.dim(`  · ${short.padEnd(12)} ${entry.title}: no emulator scenario yet`));
      continue;
    }
    try {
      const run = await plugin.demo({ speed, signal: ctx.signal, clock });
      runs.push({ id: plugin.id, run });
      say(`  ${c.cyan('▶')} ${short.padEnd(12)} ${run.title}`);
    } catch (err) {
      skip(c.yellow(`  ! ${short.padEnd(12)} ${entry.title}: could not start its emulator: ${formatError(err)}`));
    }
  }
  return missing;
}

/** Tails every run as one stream; the exit code says whether each ended as its scenario meant. */
async function followRuns(ctx: Ctx, runs: DemoRuns, speed: number, output: Output): Promise<number> {
  // Poll about every 2.5 scenario seconds (the providers' timestamps are whole seconds).
  const pollIntervalMs = Math.max(20, Math.round(2500 / speed));
  const sources: TailSource[] = runs.map(({ id, run }) => {
    const follow = run.session.followEvents;
    if (!follow) throw new Error(`${id}: its demo session cannot follow events`);
    return {
      provider: id,
      target: run.target,
      expectFailure: run.expectFailure,
      stream: follow.call(run.session, run.target, { pollIntervalMs, signal: ctx.signal }),
    };
  });
  const outcomes = await tail(ctx, sources, {
    output,
    raw: false,
    // Hold each event long enough for the slowest provider's poll to catch up, so the merged
    // stream comes out in scenario-time order.
    latenessMs: Math.min(3000, Math.max(1500, pollIntervalMs * 6)),
  });
  let code: number = EXIT.OK;
  for (const o of outcomes) {
    if (o.error !== undefined) {
      ctx.err.write(`${formatError(o.error)}\n`);
      code = EXIT.CALL_FAILED;
    } else if (endedBadly(o) || (o.source.expectFailure && o.result?.outcome === 'succeeded')) {
      code = EXIT.CALL_FAILED;
    }
  }
  return code;
}

const isImage = (x: Final): x is ImageInfo => 'artifacts' in x;
const isExecution = (x: Final): x is ExecutionInfo => 'kind' in x;

function printFinals(ctx: Ctx, finals: Final[], output: string) {
  const c = ctx.colors;
  const images = finals.filter(isImage);
  const execs = finals.filter(isExecution);
  const stacks = finals.filter((x): x is StackInfo => !isImage(x) && !isExecution(x));
  if (output !== 'table') {
    for (const i of images) ctx.out.write(`${toJson(imageRecord(i))}\n`);
    for (const e of execs) ctx.out.write(`${toJson(executionRecord(e))}\n`);
    for (const s of stacks) ctx.out.write(`${toJson(stackRecord(s))}\n`);
    return;
  }
  for (const i of images)
    ctx.out.write(
      `\n${c.bold(`ImageInfo (${i.provider})`)}\n${imageDetail(i, c, ctx.out.isTTY ? ctx.out.columns : undefined)}`,
    );
  if (execs.length) ctx.out.write(`\n${c.bold('ExecutionInfo')}\n${executionTable(execs, c)}`);
  if (stacks.length) ctx.out.write(`\n${c.bold('StackInfo')}\n${stackTable(stacks, c)}`);
}
