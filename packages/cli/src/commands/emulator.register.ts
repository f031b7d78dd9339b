import type { Command } from 'commander';
import type { CommandHost } from './registry.js';
import { examples, hostOption, speedOption } from './options.js';

export function register(program: Command, host: CommandHost): Command {
  const cmd = program
    .command('emulator')
    .description('Run the emulators on fixed loopback ports, for developing against them, until Ctrl-C')
    .option('--port-base <port>', 'first port (providers get port-base, +10, +20, +30)', '4750');
  hostOption(cmd, 'listen address');
  speedOption(cmd, 'play the scenarios this many times faster (default 1)').option(
    '--loop',
    'start the scenarios again every 3 minutes of scenario time, with new ids (a living system)',
  );
  examples(cmd, ['stackfeed emulator', 'stackfeed emulator --port-base 5000', 'stackfeed emulator --loop --speed 2'], {
    after: '\n\nThe endpoints, credentials and stacks are printed at start and documented in docs/cli.md.',
  });
  return cmd.action(async (flags, command: Command) => {
    const { emulatorCommand } = await import('./emulator.js');
    host.exit(await emulatorCommand(await host.ctx(command), flags));
  });
}
