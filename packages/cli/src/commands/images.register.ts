import type { Command } from 'commander';
import type { CommandHost } from './registry.js';
import { allRegionsOption, examples, listOptions, providerArgument } from './options.js';

export function register(program: Command, host: CommandHost): Command {
  const cmd = program.command('images').description('List images with their state');
  allRegionsOption(listOptions(providerArgument(cmd, 'pcluster or imagebuilder')));
  examples(cmd, [
    'stackfeed images pcluster --region us-east-1',
    'stackfeed images imagebuilder --output ndjson | jq -r .id',
    'stackfeed images imagebuilder --all-regions',
  ]);
  return cmd.action(async (provider: string, flags, command: Command) => {
    const { imagesCommand } = await import('./images.js');
    host.exit(await imagesCommand(await host.ctx(command), provider, flags));
  });
}
