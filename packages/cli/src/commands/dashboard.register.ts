import type { Command } from 'commander';
import type { CommandHost } from './registry.js';
import { examples, hostOption, speedOption } from './options.js';

export function register(program: Command, host: CommandHost): Command {
  const cmd = program
    .command('dashboard')
    .description(
      'Serve the dashboard: every stack, image and execution in the store, history and live (a demo on emulators without --store)',
    )
    .option('--store <url>', 'serve this store (postgres://…, a directory); default: a demo on the emulators in memory')
    .option(
      '--config <file>',
      'follow the places of this stackfeed.yaml (a fleet worker in the dashboard process) into the store',
    )
    .option('--port <n>', 'listen on this port (0: any free one)', '4800');
  hostOption(cmd, 'listen address; anything but loopback needs --token').option(
    '--token <token>',
    'a bearer token every request needs (also STACKFEED_DASHBOARD_TOKEN)',
  );
  speedOption(cmd, 'demo scenario seconds per second (default 2)');
  examples(
    cmd,
    [
      'stackfeed dashboard                                # demo: the emulators, followed into an in-memory store',
      'stackfeed dashboard --store postgres://stackfeed@db.internal/stackfeed',
      'stackfeed dashboard --config stackfeed.yaml          # follow its places into the embedded store',
      'STACKFEED_DASHBOARD_TOKEN=… stackfeed dashboard --host 0.0.0.0 --store postgres://…',
    ],
    { after: '\n\nThe API and its security are documented in docs/dashboard.md.' },
  );
  return cmd.action(async (flags, command: Command) => {
    const { dashboardCommand } = await import('./dashboard.js');
    host.exit(await dashboardCommand(await host.ctx(command), flags));
  });
}
