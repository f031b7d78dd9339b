import { Argument, type Command } from 'commander';
import { examples, outputOption, storeOption } from './options.js';
import type { CommandHost } from './registry.js';

/** `stackfeed fleet` (N workers in this process) and `stackfeed fleet status`. */
export function register(program: Command, host: CommandHost): Command {
  const cmd = program
    .command('fleet')
    .description(
      'Follow every stack of the places in a stackfeed.yaml into the store with N workers in this process (other processes: stackfeed worker); `fleet status` shows the fleet',
    )
    .addArgument(
      new Argument('[status]', 'status: show workers, leases, request rates, lag and errors instead').choices([
        'status',
      ]),
    )
    .option('--config <file>', 'the stackfeed.yaml naming the places (accounts × regions), kinds, filters and budgets')
    .addOption(storeOption())
    .option('--workers <n>', 'workers in this process (default 1)')
    .option('--once', 'discover each place once, follow what it found to its end, then exit')
    .addOption(outputOption());
  examples(cmd, [
    'stackfeed fleet --config stackfeed.yaml                        # the embedded store: this one process',
    'stackfeed fleet --config stackfeed.yaml --store postgres://fleet@db/stackfeed --workers 4',
    'stackfeed fleet --config stackfeed.yaml --once -o ndjson       # one pass (cron, CI)',
    'stackfeed fleet status --store postgres://fleet@db/stackfeed -o json',
  ]);
  return cmd.action(async (status: string | undefined, flags, command: Command) => {
    const { fleetCommand, fleetStatusCommand } = await import('./fleet.js');
    const ctx = await host.ctx(command);
    host.exit(status ? await fleetStatusCommand(ctx, flags) : await fleetCommand(ctx, flags));
  });
}
