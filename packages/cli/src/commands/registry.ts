import type { Command } from 'commander';
import type { Ctx } from '../context.js';
import type { CliIO } from '../io.js';
import { register as archive } from './archive.register.js';
import { register as completion } from './completion.register.js';
import { register as dashboard } from './dashboard.register.js';
import { register as demo } from './demo.register.js';
import { register as deployments } from './deployments.register.js';
import { register as emulator } from './emulator.register.js';
import { register as events } from './events.register.js';
import { register as executions } from './executions.register.js';
import { register as fleet } from './fleet.register.js';
import { register as history } from './history.register.js';
import { register as image } from './image.register.js';
import { register as images } from './images.register.js';
import { register as stacks } from './stacks.register.js';
import { register as watch } from './watch.register.js';
import { register as worker } from './worker.register.js';

/** What a command's action runs with, given by `run()`. */
export interface CommandHost {
  readonly io: CliIO;
  /** The command's context, from the global options parsed with it (also kept for error reporting). */
  ctx(cmd: Command): Promise<Ctx>;
  /** The exit code of the command that ran. */
  exit(code: number): void;
}

/**
 * Adds one command (its arguments, options, help and action) to the program and returns it. A
 * registration loads nothing but commander: the action imports the command's implementation.
 */
export type Register = (program: Command, host: CommandHost) => Command;

/** Every command of `stackfeed` by its name, in the order `--help` lists them. */
export const COMMANDS: readonly (readonly [name: string, register: Register])[] = [
  ['events', events],
  ['watch', watch],
  ['archive', archive],
  ['history', history],
  ['stacks', stacks],
  ['deployments', deployments],
  ['images', images],
  ['image', image],
  ['executions', executions],
  ['demo', demo],
  ['dashboard', dashboard],
  ['fleet', fleet],
  ['worker', worker],
  ['emulator', emulator],
  ['completion', completion],
];
