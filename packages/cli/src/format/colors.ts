import pc from 'picocolors';
import type { ExecutionState, ImageState, Phase } from '@stackfeed/core';
import type { CliWriter } from '../io.js';

/** The picocolors formatter set, on or off. */
export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Colors follow the usual conventions: `--no-color` or `NO_COLOR` turn them off, `--color` or
 * `FORCE_COLOR` (not `0`) turn them on, otherwise they are on for a terminal.
 */
export function colorsFor(out: CliWriter, env: Record<string, string | undefined>, flag: boolean | undefined): Colors {
  let on: boolean;
  if (flag !== undefined) on = flag;
  else if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') on = false;
  else if (env.FORCE_COLOR !== undefined) on = env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  else on = out.isTTY === true && env.TERM !== 'dumb';
  return pc.createColors(on);
}

/** The color of a phase: green done, red failed, yellow under way, and so on. */
export function paintPhase(c: Colors, phase: Phase, text: string = phase): string {
  switch (phase) {
    case 'COMPLETE':
      return c.green(text);
    case 'FAILED':
      return c.bold(c.red(text));
    case 'IN_PROGRESS':
      return c.yellow(text);
    case 'CANCELLED':
      return c.magenta(text);
    case 'SKIPPED':
      return c.gray(text);
    case 'INFO':
      return c.cyan(text);
    default:
      return c.dim(text);
  }
}

/** The color of an image or execution state. */
export function paintState(c: Colors, state: ImageState | ExecutionState | string, text: string = state): string {
  switch (state) {
    case 'AVAILABLE':
    case 'SUCCEEDED':
      return c.green(text);
    case 'FAILED':
      return c.bold(c.red(text));
    case 'BUILDING':
    case 'RUNNING':
    case 'PENDING':
    case 'DELETING':
      return c.yellow(text);
    case 'CANCELLED':
    case 'DEPRECATED':
    case 'DISABLED':
      return c.magenta(text);
    case 'DELETED':
    case 'SKIPPED':
      return c.gray(text);
    default:
      return c.dim(text);
  }
}
