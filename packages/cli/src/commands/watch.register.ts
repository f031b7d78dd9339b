import type { Command } from 'commander';
import type { CommandHost } from './registry.js';
import { eventOptions, examples, specsArgument } from './options.js';

export function register(program: Command, host: CommandHost): Command {
  const cmd = program
    .command('watch')
    .description('Follow several deployments on any providers as one time-ordered tail, until all have ended');
  specsArgument(cmd, 'heat:web rfs:db pcluster:my-image');
  examples(cmd, [
    'stackfeed watch heat:web rfs:db                    # two clouds, one stream',
    'stackfeed watch heat:web pcluster:my-image --phase FAILED,COMPLETE',
    'stackfeed watch heat:web rfs:db --endpoint heat=http://127.0.0.1:4780/v1/demo --output ndjson',
  ]);
  return eventOptions(cmd)
    .option(
      '--lateness <duration>',
      'how long an event waits for earlier ones from slower providers (default: poll interval + 1s)',
    )
    .action(async (specs: string[], flags, command: Command) => {
      const { watchCommand } = await import('./watch.js');
      host.exit(await watchCommand(await host.ctx(command), specs, flags));
    });
}
