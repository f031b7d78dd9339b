import type { Command } from 'commander';
import type { CommandHost } from './registry.js';
import { examples, outputOption, speedOption } from './options.js';

const ABOUT = `
Starts the providers' emulators on 127.0.0.1, plays a ParallelCluster image build that succeeds, an
Image Builder lifecycle execution, an RFS deployment that fails and rolls back, and a Heat stack with
a nested stack, follows them through the public SDK as one merged stream, then prints the final
ImageInfo and ExecutionInfo. Nothing leaves 127.0.0.1.
`;

export function register(program: Command, host: CommandHost): Command {
  const cmd = program
    .command('demo')
    .description('Play a scenario on local emulators of every provider and tail them as one stream (no cloud account)');
  speedOption(cmd, 'scenario seconds per second (default 5: about 20 s in all)').addOption(
    outputOption(['table', 'ndjson']),
  );
  examples(cmd, ['stackfeed demo', 'stackfeed demo --speed 10 --output ndjson'], { before: ABOUT });
  return cmd.action(async (flags, command: Command) => {
    const { demoCommand } = await import('./demo.js');
    host.exit(await demoCommand(await host.ctx(command), flags));
  });
}
