import type { Command } from 'commander';
import type { CommandHost } from './registry.js';
import { examples, outputOption, specsArgument, storeOption, timeoutOption } from './options.js';

export function register(program: Command, host: CommandHost): Command {
  const cmd = program
    .command('archive')
    .description('Follow deployments into the store until they end; resumable after Ctrl-C or a crash');
  specsArgument(cmd, 'heat:web rfs:db')
    .addOption(storeOption())
    .addOption(outputOption())
    .option('--poll-interval <duration>', 'between polls (default 5s)');
  timeoutOption(cmd);
  examples(cmd, [
    'stackfeed archive heat:web rfs:db                  # into ~/.local/share/stackfeed/store',
    'stackfeed archive heat:web --store postgres://stackfeed@db.internal/stackfeed',
  ]);
  return cmd.action(async (specs: string[], flags, command: Command) => {
    // The store (PGlite, pg) loads only for the commands that use it: other commands stay light.
    const { archiveCommand } = await import('./archive.js');
    host.exit(await archiveCommand(await host.ctx(command), specs, flags));
  });
}
