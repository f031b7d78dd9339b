import type { Command } from 'commander';
import type { CommandHost } from './registry.js';
import { collect, examples, outputOption, providerArgument, sinceOption, storeOption } from './options.js';

export function register(program: Command, host: CommandHost): Command {
  const cmd = program
    .command('history')
    .description('The stored events of a stack, from the store (also after the provider forgot them)');
  providerArgument(cmd).argument('<target>', 'the stack name or id').addOption(storeOption());
  sinceOption(cmd)
    .option('--until <when>', 'only events before this time')
    .option('--phase <phase>', 'only these phases; comma-separated, repeatable', collect)
    .option('--resource <name>', 'only events of this resource (logical id, name or physical id)')
    .option('--grep <text>', 'only events whose message, status or resource contains this text')
    .option('--limit <n>', 'at most n events')
    .addOption(outputOption())
    .option('--raw', 'include each provider record as stored (json/ndjson)');
  examples(cmd, ['stackfeed history heat web --since 1d -o ndjson', 'stackfeed history rfs shop-db --phase FAILED']);
  return cmd.action(async (provider: string, target: string, flags, command: Command) => {
    const { historyCommand } = await import('./history.js');
    host.exit(await historyCommand(await host.ctx(command), provider, target, flags));
  });
}
