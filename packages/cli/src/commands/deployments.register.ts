import type { Command } from 'commander';
import type { CommandHost } from './registry.js';
import { ANY_PROVIDER, examples, outputOption, providerArgument } from './options.js';

export function register(program: Command, host: CommandHost): Command {
  const cmd = program
    .command('deployments')
    .description(
      'List the deployments (operations) of a stack, image build or execution, newest first, with root causes',
    );
  providerArgument(cmd, ANY_PROVIDER)
    .argument('<target>', 'what `events` takes for that provider')
    .addOption(outputOption())
    .option('--limit <n>', 'at most this many deployments (default 20)');
  examples(cmd, ['stackfeed deployments heat web', "stackfeed deployments rfs shop-db -o json | jq '.[0].rootCause'"]);
  return cmd.action(async (provider: string, target: string, flags, command: Command) => {
    const { deploymentsCommand } = await import('./deployments.js');
    host.exit(await deploymentsCommand(await host.ctx(command), provider, target, flags));
  });
}
