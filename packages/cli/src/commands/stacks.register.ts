import type { Command } from 'commander';
import type { CommandHost } from './registry.js';
import { allRegionsOption, examples, listOptions, providerArgument } from './options.js';

export function register(program: Command, host: CommandHost): Command {
  const cmd = program.command('stacks').description('List stacks (deployments) with their normalized state');
  allRegionsOption(listOptions(providerArgument(cmd, 'heat or rfs')));
  examples(cmd, [
    'stackfeed stacks heat',
    'stackfeed stacks rfs --region cn-north-4 --output json',
    'stackfeed stacks rfs --all-regions',
  ]);
  return cmd.action(async (provider: string, flags, command: Command) => {
    const { stacksCommand } = await import('./images.js');
    host.exit(await stacksCommand(await host.ctx(command), provider, flags));
  });
}
