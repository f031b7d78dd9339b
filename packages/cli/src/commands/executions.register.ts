import type { Command } from 'commander';
import type { CommandHost } from './registry.js';
import { examples, listOptions, providerArgument } from './options.js';

export function register(program: Command, host: CommandHost): Command {
  const cmd = program
    .command('executions')
    .description('List the executions of a run: Image Builder lifecycle executions and workflow executions');
  providerArgument(cmd, 'imagebuilder').argument(
    '<target>',
    'a lifecycle policy ARN, lifecycle execution id, or image build version ARN',
  );
  listOptions(cmd);
  examples(cmd, [
    'stackfeed executions imagebuilder arn:aws:imagebuilder:us-east-1:123456789012:lifecycle-policy/deprecate-then-delete',
    'stackfeed executions imagebuilder arn:aws:imagebuilder:us-east-1:123456789012:image/my-recipe/1.0.0/1 -o ndjson',
  ]);
  return cmd.action(async (provider: string, target: string, flags, command: Command) => {
    const { executionsCommand } = await import('./images.js');
    host.exit(await executionsCommand(await host.ctx(command), provider, target, flags));
  });
}
