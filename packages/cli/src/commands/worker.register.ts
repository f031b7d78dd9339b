import type { Command } from 'commander';
import { examples, outputOption, storeOption } from './options.js';
import type { CommandHost } from './registry.js';

/** `stackfeed worker`: one worker of a fleet that several processes or machines share through PostgreSQL. */
export function register(program: Command, host: CommandHost): Command {
  const cmd = program
    .command('worker')
    .description(
      'Run one fleet worker: it shares the places of a stackfeed.yaml with the other workers through a PostgreSQL store',
    )
    .option('--config <file>', 'the stackfeed.yaml naming the places (the same file for every worker)')
    .addOption(storeOption())
    .addOption(outputOption(['table', 'ndjson']));
  examples(cmd, [
    'stackfeed worker --config stackfeed.yaml --store postgres://fleet@db/stackfeed   # on each machine',
    'stackfeed fleet status --store postgres://fleet@db/stackfeed                     # who follows what',
  ]);
  return cmd.action(async (flags, command: Command) => {
    const { workerCommand } = await import('./fleet.js');
    host.exit(await workerCommand(await host.ctx(command), flags));
  });
}
