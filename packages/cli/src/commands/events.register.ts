import type { Command } from 'commander';
import type { CommandHost } from './registry.js';
import { eventOptions, examples, pageOptions, providerArgument } from './options.js';

export function register(program: Command, host: CommandHost): Command {
  const cmd = program
    .command('events')
    .description('List the events of a stack, image build or execution; --follow tails it until it ends');
  providerArgument(cmd)
    .argument('<target>', 'a stack name or id, an image id, an execution ARN (depends on the provider)')
    .option('-f, --follow', 'tail until the deployment ends; exit 3 if it failed');
  eventOptions(pageOptions(cmd));
  examples(cmd, [
    'stackfeed events heat web                          # the events of Heat stack "web", oldest first',
    'stackfeed events heat web --follow                 # tail it live until it ends (exit 3 if it failed)',
    'stackfeed events rfs my-stack --phase FAILED       # only failures',
    'stackfeed events pcluster my-image --since 30m --output ndjson | jq .message',
    'stackfeed events imagebuilder lce-<id> -f          # a lifecycle execution id, as `stackfeed emulator` prints it',
    'stackfeed events heat web --endpoint http://127.0.0.1:4780/v1/demo --limit 20',
    'stackfeed events heat web --page-size 100 --limit 100 -o ndjson   # last record: {"type":"page","next":"…"}',
    'stackfeed events heat web --page-token <next> -o ndjson           # the following pages',
  ]);
  return cmd.action(async (provider: string, target: string, flags, command: Command) => {
    const { eventsCommand } = await import('./events.js');
    host.exit(await eventsCommand(await host.ctx(command), provider, target, flags));
  });
}
