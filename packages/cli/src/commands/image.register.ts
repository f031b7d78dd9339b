import type { Command } from 'commander';
import type { CommandHost } from './registry.js';
import { examples, outputOption, providerArgument } from './options.js';

export function register(program: Command, host: CommandHost): Command {
  const cmd = program
    .command('image')
    .description('Show one image: state, reason, artifacts (AMIs per region), stack, tags');
  providerArgument(cmd, 'pcluster or imagebuilder')
    .argument('<id>', 'the image id (pcluster) or image ARN (imagebuilder)')
    .addOption(outputOption())
    .option('--raw', 'include the provider record (json/ndjson)');
  examples(cmd, [
    'stackfeed image pcluster my-image',
    'stackfeed image imagebuilder arn:aws:imagebuilder:us-east-1:123456789012:image/my-recipe/1.0.0/1 -o json',
  ]);
  return cmd.action(async (provider: string, id: string, flags, command: Command) => {
    const { imageCommand } = await import('./images.js');
    host.exit(await imageCommand(await host.ctx(command), provider, id, flags));
  });
}
