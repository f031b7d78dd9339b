import { Command, CommanderError, Option } from 'commander';
import type { Ctx, GlobalOptions } from './context.js';
import { setDisplayZone } from './format/zone.js';
import type { CliIO } from './io.js';
import { providerEntries } from './providers/registry.js';
import type { ProviderPlugin } from './providers/types.js';
import { EXIT } from './usage.js';
import { VERSION } from './version.js';

// Cold start: this file and the ones above load no provider, no @stackfeed/core (zod, got) and no
// table code. Each command's implementation is imported when that command runs, each provider when
// it is named (providers/registry.ts): `--help` parses argv with commander and nothing else.

/** Options of `run()` beyond the command line. */
export interface RunOptions {
  /** Providers to add or to use in place of the built-in ones (tests, tools embedding the CLI). */
  providers?: readonly ProviderPlugin[];
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

const PROVIDERS_HELP = `
Examples:
  $ stackfeed demo                                    # all four providers on local emulators, no account needed
  $ stackfeed events heat web --follow                # tail a stack until it ends; exit 3 if it failed
  $ stackfeed watch heat:web rfs:shop-db pcluster:rocky9-hpc
  $ stackfeed events rfs shop-db --phase FAILED --output ndjson | jq -r .message
  $ stackfeed images pcluster --region eu-west-1
  $ stackfeed emulator                                # the emulators on fixed ports, to build against
  $ eval "$(stackfeed completion bash)"               # TAB completion (bash, zsh, fish)

Providers (id or short name):
  pcluster      aws-parallelcluster   AWS ParallelCluster (images, image/cluster stack events)
  imagebuilder  aws-imagebuilder      EC2 Image Builder (lifecycle executions, image builds)
  rfs           huawei-rfs            Huawei Cloud RFS (stack events, deployments)
  heat          openstack-heat        OpenStack Heat (stack and nested stack events)

Credentials come from each ecosystem's standard places:
  AWS           AWS_PROFILE / --profile, AWS_ACCESS_KEY_ID..., AWS_REGION / --region, ~/.aws/config
  Huawei Cloud  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_REGION
  OpenStack     clouds.yaml with OS_CLOUD / --cloud, or OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, ...
  any           --endpoint URL overrides the endpoint (e.g. an emulator from \`stackfeed emulator\`)

Exit codes: 0 ok · 1 a call failed · 2 bad usage · 3 a followed deployment failed · 130 interrupted · 143 terminated
Output: --output table (default) | json | ndjson — the JSON records are documented in docs/cli.md`;

/**
 * Runs the `stackfeed` command line with `argv` (the arguments after the program name) and
 * returns the exit code. Never throws and never calls `process.exit`: errors are printed as one
 * line on `io.stderr` (with the stack under `--debug`).
 */
export async function run(argv: readonly string[], io: CliIO, options: RunOptions = {}): Promise<number> {
  const entries = providerEntries(options.providers);
  let code: number = EXIT.OK;
  let ctx: Ctx | undefined;
  setDisplayZone(undefined);
  const makeCtx = async (cmd: Command) => {
    const globals = cmd.optsWithGlobals<GlobalOptions>();
    const { Ctx } = await import('./context.js');
    ctx = new Ctx(io, entries, globals);
    // --local-time: tables in the TZ zone (else the system's); JSON and NDJSON stay UTC.
    if (globals.localTime) setDisplayZone(localZone(io.env ?? process.env));
    return ctx;
  };

  const program = new Command('stackfeed')
    .description(
      'Stack events and images from AWS ParallelCluster, EC2 Image Builder, Huawei Cloud RFS and OpenStack Heat, in one normalized view.',
    )
    .version(VERSION, '-V, --version')
    .option('--endpoint <url>', 'use this endpoint (PROVIDER=URL with several providers); repeatable', collect)
    .option('--region <region>', 'the region (AWS, Huawei Cloud)')
    .option('--profile <name>', 'the AWS shared-config profile')
    .option('--cloud <name>', 'the clouds.yaml entry (OpenStack)')
    .option('--debug', 'print HTTP retries and the stack of errors')
    .option('--local-time', 'show table times in the local zone (TZ, else the system zone) instead of UTC')
    .option('--color', 'force colors')
    .option('--no-color', 'no colors (also NO_COLOR=1)')
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .addHelpText('after', PROVIDERS_HELP);

  const output = () =>
    new Option('-o, --output <format>', 'table, json or ndjson').default('table').choices(['table', 'json', 'ndjson']);
  const configure = (cmd: Command, name: string) =>
    cmd.exitOverride().configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) =>
        write(`stackfeed: ${s.replace(/^error: /, '').trim()} (see stackfeed ${name}--help)\n`),
    });
  configure(program, '');

  const eventFlags = (cmd: Command) =>
    cmd
      .option('--since <when>', 'only events from this time on: 10m, 2h, 1d or an ISO time')
      .option(
        '--phase <phase>',
        'only these phases (IN_PROGRESS, COMPLETE, FAILED, ...); comma-separated, repeatable',
        collect,
      )
      .option('--resource <name>', 'only events of this resource (logical id or name); repeatable', collect)
      .option('--limit <n>', 'stop after n events')
      .addOption(output())
      .option('--raw', 'include each provider record as received (json/ndjson)')
      .option('--poll-interval <duration>', 'between polls when following (default 5s)')
      .option('--timeout <duration>', 'give up following after this long')
      .option('--nested-depth <n>', 'include events of nested stacks n levels down (Heat)');

  const events = eventFlags(
    program
      .command('events')
      .description('List the events of a stack, image build or execution; --follow tails it until it ends')
      .argument('<provider>', 'heat, rfs, pcluster or imagebuilder (or the full id)')
      .argument('<target>', 'a stack name or id, an image id, an execution ARN (depends on the provider)')
      .option('-f, --follow', 'tail until the deployment ends; exit 3 if it failed')
      .option('--page-size <n>', 'list page by page, n events per request; prints the token of the next page')
      .option('--page-token <token>', 'resume a paged list where --page-size left off'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ stackfeed events heat web                          # the events of Heat stack "web", oldest first
  $ stackfeed events heat web --follow                 # tail it live until it ends (exit 3 if it failed)
  $ stackfeed events rfs my-stack --phase FAILED       # only failures
  $ stackfeed events pcluster my-image --since 30m --output ndjson | jq .message
  $ stackfeed events imagebuilder lce-<id> -f          # a lifecycle execution id, as \`stackfeed emulator\` prints it
  $ stackfeed events heat web --endpoint http://127.0.0.1:4780/v1/demo --limit 20
  $ stackfeed events heat web --page-size 100 --limit 100 -o ndjson   # last record: {"type":"page","next":"…"}
  $ stackfeed events heat web --page-token <next> -o ndjson           # the following pages`,
    )
    .action(async (provider: string, target: string, flags, cmd: Command) => {
      const { eventsCommand } = await import('./commands/events.js');
      code = await eventsCommand(await makeCtx(cmd), provider, target, flags);
    });
  configure(events, 'events ');

  const watch = eventFlags(
    program
      .command('watch')
      .description('Follow several deployments on any providers as one time-ordered tail, until all have ended')
      .argument('<spec...>', 'PROVIDER:TARGET, e.g. heat:web rfs:db pcluster:my-image')
      .addHelpText(
        'after',
        `
Examples:
  $ stackfeed watch heat:web rfs:db                    # two clouds, one stream
  $ stackfeed watch heat:web pcluster:my-image --phase FAILED,COMPLETE
  $ stackfeed watch heat:web rfs:db --endpoint heat=http://127.0.0.1:4780/v1/demo --output ndjson`,
      ),
  )
    .option(
      '--lateness <duration>',
      'how long an event waits for earlier ones from slower providers (default: poll interval + 1s)',
    )
    .action(async (specs: string[], flags, cmd: Command) => {
      const { watchCommand } = await import('./commands/watch.js');
      code = await watchCommand(await makeCtx(cmd), specs, flags);
    });
  configure(watch, 'watch ');

  const storeOption = () =>
    new Option('--store <url>', 'postgres://… or a directory (default: STACKFEED_STORE, else the embedded store)');

  const archive = program
    .command('archive')
    .description('Follow deployments into the store until they end; resumable after Ctrl-C or a crash')
    .argument('<spec...>', 'PROVIDER:TARGET, e.g. heat:web rfs:db')
    .addOption(storeOption())
    .addOption(output())
    .option('--poll-interval <duration>', 'between polls (default 5s)')
    .option('--timeout <duration>', 'give up following after this long')
    .addHelpText(
      'after',
      `
Examples:
  $ stackfeed archive heat:web rfs:db                  # into ~/.local/share/stackfeed/store
  $ stackfeed archive heat:web --store postgres://stackfeed@db.internal/stackfeed`,
    )
    .action(async (specs: string[], flags, cmd: Command) => {
      // The store (PGlite, pg) loads only for the commands that use it: other commands stay light.
      const { archiveCommand } = await import('./commands/archive.js');
      code = await archiveCommand(await makeCtx(cmd), specs, flags);
    });
  configure(archive, 'archive ');

  const history = program
    .command('history')
    .description('The stored events of a stack, from the store (also after the provider forgot them)')
    .argument('<provider>', 'heat, rfs, pcluster or imagebuilder (or the full id)')
    .argument('<target>', 'the stack name or id')
    .addOption(storeOption())
    .option('--since <when>', 'only events from this time on: 10m, 2h, 1d or an ISO time')
    .option('--until <when>', 'only events before this time')
    .option('--phase <phase>', 'only these phases; comma-separated, repeatable', collect)
    .option('--resource <name>', 'only events of this resource (logical id, name or physical id)')
    .option('--grep <text>', 'only events whose message, status or resource contains this text')
    .option('--limit <n>', 'at most n events')
    .addOption(output())
    .option('--raw', 'include each provider record as stored (json/ndjson)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ stackfeed history heat web --since 1d -o ndjson\n  $ stackfeed history rfs shop-db --phase FAILED',
    )
    .action(async (provider: string, target: string, flags, cmd: Command) => {
      const { historyCommand } = await import('./commands/history.js');
      code = await historyCommand(await makeCtx(cmd), provider, target, flags);
    });
  configure(history, 'history ');

  const listFlags = (cmd: Command) =>
    cmd
      .option('--limit <n>', 'at most n items')
      .addOption(output())
      .option('--raw', 'include the provider records (json/ndjson)');

  const stacks = listFlags(
    program
      .command('stacks')
      .description('List stacks (deployments) with their normalized state')
      .argument('<provider>', 'heat or rfs'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  $ stackfeed stacks heat\n  $ stackfeed stacks rfs --region cn-north-4 --output json',
    )
    .action(async (provider: string, flags, cmd: Command) => {
      const { stacksCommand } = await import('./commands/images.js');
      code = await stacksCommand(await makeCtx(cmd), provider, flags);
    });
  configure(stacks, 'stacks ');

  const deployments = program
    .command('deployments')
    .description(
      'List the deployments (operations) of a stack, image build or execution, newest first, with root causes',
    )
    .argument('<provider>', 'heat, rfs, pcluster or imagebuilder')
    .argument('<target>', 'what `events` takes for that provider')
    .addOption(output())
    .option('--limit <n>', 'at most this many deployments (default 20)')
    .addHelpText(
      'after',
      "\nExamples:\n  $ stackfeed deployments heat web\n  $ stackfeed deployments rfs shop-db -o json | jq '.[0].rootCause'",
    )
    .action(async (provider: string, target: string, flags, cmd: Command) => {
      const { deploymentsCommand } = await import('./commands/deployments.js');
      code = await deploymentsCommand(await makeCtx(cmd), provider, target, flags);
    });
  configure(deployments, 'deployments ');

  const images = listFlags(
    program
      .command('images')
      .description('List images with their state')
      .argument('<provider>', 'pcluster or imagebuilder'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  $ stackfeed images pcluster --region eu-west-1\n  $ stackfeed images imagebuilder --output ndjson | jq -r .id',
    )
    .action(async (provider: string, flags, cmd: Command) => {
      const { imagesCommand } = await import('./commands/images.js');
      code = await imagesCommand(await makeCtx(cmd), provider, flags);
    });
  configure(images, 'images ');

  const image = program
    .command('image')
    .description('Show one image: state, reason, artifacts (AMIs per region), stack, tags')
    .argument('<provider>', 'pcluster or imagebuilder')
    .argument('<id>', 'the image id (pcluster) or image ARN (imagebuilder)')
    .addOption(output())
    .option('--raw', 'include the provider record (json/ndjson)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ stackfeed image pcluster my-image\n  $ stackfeed image imagebuilder arn:aws:imagebuilder:us-east-1:123456789012:image/my-recipe/1.0.0/1 -o json',
    )
    .action(async (provider: string, id: string, flags, cmd: Command) => {
      const { imageCommand } = await import('./commands/images.js');
      code = await imageCommand(await makeCtx(cmd), provider, id, flags);
    });
  configure(image, 'image ');

  const executions = listFlags(
    program
      .command('executions')
      .description('List the executions of a run: Image Builder lifecycle executions and workflow executions')
      .argument('<provider>', 'imagebuilder')
      .argument('<target>', 'a lifecycle policy ARN, lifecycle execution id, or image build version ARN'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  $ stackfeed executions imagebuilder arn:aws:imagebuilder:us-east-1:123456789012:lifecycle-policy/deprecate-then-delete\n  $ stackfeed executions imagebuilder arn:aws:imagebuilder:us-east-1:123456789012:image/my-recipe/1.0.0/1 -o ndjson',
    )
    .action(async (provider: string, target: string, flags, cmd: Command) => {
      const { executionsCommand } = await import('./commands/images.js');
      code = await executionsCommand(await makeCtx(cmd), provider, target, flags);
    });
  configure(executions, 'executions ');

  const demo = program
    .command('demo')
    .description('Play a scenario on local emulators of every provider and tail them as one stream (no cloud account)')
    .option('--speed <factor>', 'scenario seconds per second (default 5: about 20 s in all)')
    .addOption(new Option('-o, --output <format>', 'table or ndjson').default('table').choices(['table', 'ndjson']))
    .addHelpText(
      'after',
      `
Starts the providers' emulators on 127.0.0.1, plays a ParallelCluster image build that succeeds, an
Image Builder lifecycle execution, an RFS deployment that fails and rolls back, and a Heat stack with
a nested stack, follows them through the public SDK as one merged stream, then prints the final
ImageInfo and ExecutionInfo. Nothing leaves 127.0.0.1.

Examples:
  $ stackfeed demo
  $ stackfeed demo --speed 10 --output ndjson`,
    )
    .action(async (flags, cmd: Command) => {
      const { demoCommand } = await import('./commands/demo.js');
      code = await demoCommand(await makeCtx(cmd), flags);
    });
  configure(demo, 'demo ');

  const dashboard = program
    .command('dashboard')
    .description(
      'Serve the dashboard: every stack, image and execution in the store, history and live (a demo on emulators without --store)',
    )
    .option('--store <url>', 'serve this store (postgres://…, a directory); default: a demo on the emulators in memory')
    .option('--config <file>', 'run the fleet of this stackfeed.yaml in the dashboard process')
    .option('--port <n>', 'listen on this port (0: any free one)', '4800')
    .option('--host <host>', 'listen address; anything but loopback needs --token', '127.0.0.1')
    .option('--token <token>', 'a bearer token every request needs (also STACKFEED_DASHBOARD_TOKEN)')
    .option('--speed <factor>', 'demo scenario seconds per second (default 2)')
    .addHelpText(
      'after',
      `
Examples:
  $ stackfeed dashboard                                # demo: the emulators, followed into an in-memory store
  $ stackfeed dashboard --store postgres://stackfeed@db.internal/stackfeed
  $ STACKFEED_DASHBOARD_TOKEN=… stackfeed dashboard --host 0.0.0.0 --store postgres://…

The API and its security are documented in docs/dashboard.md.`,
    )
    .action(async (flags, cmd: Command) => {
      const { dashboardCommand } = await import('./commands/dashboard.js');
      code = await dashboardCommand(await makeCtx(cmd), flags);
    });
  configure(dashboard, 'dashboard ');

  const emulator = program
    .command('emulator')
    .description('Run the emulators on fixed loopback ports, for developing against them, until Ctrl-C')
    .option('--port-base <port>', 'first port (providers get port-base, +10, +20, +30)', '4750')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--speed <factor>', 'play the scenarios this many times faster (default 1)')
    .option('--loop', 'start the scenarios again every 3 minutes of scenario time, with new ids (a living system)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ stackfeed emulator\n  $ stackfeed emulator --port-base 5000\n  $ stackfeed emulator --loop --speed 2\n\nThe endpoints, credentials and stacks are printed at start and documented in docs/cli.md.',
    )
    .action(async (flags, cmd: Command) => {
      const { emulatorCommand } = await import('./commands/emulator.js');
      code = await emulatorCommand(await makeCtx(cmd), flags);
    });
  configure(emulator, 'emulator ');

  const completion = program
    .command('completion')
    .description('Print the shell completion script for bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      `
Examples:
  $ eval "$(stackfeed completion bash)"                # in ~/.bashrc
  $ source <(stackfeed completion zsh)                 # in ~/.zshrc, after compinit
  $ stackfeed completion fish | source                 # in ~/.config/fish/config.fish`,
    )
    .action(async (shell: string) => {
      const { completionScript } = await import('./commands/completion.js');
      io.stdout.write(completionScript(shell, program));
    });
  configure(completion, 'completion ');

  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT.USAGE;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0
        ? EXIT.OK
        : EXIT.USAGE;
    }
    const debug = ctx?.debug ?? argv.includes('--debug');
    // Errors are rare: their formatting (and @stackfeed/core's StackfeedError) loads only for one.
    const [{ StackfeedError }, { debugDetail, formatError, UsageError }] = await Promise.all([
      import('@stackfeed/core'),
      import('./errors.js'),
    ]);
    const signal = io.signal;
    if (signal?.aborted && (!StackfeedError.is(err) || err.code === 'ABORTED')) {
      io.stderr.write('stackfeed: interrupted\n');
      return EXIT.INTERRUPTED;
    }
    io.stderr.write(`${formatError(err, ctx?.credentialHint, ctx?.connectFailed)}\n`);
    if (debug) io.stderr.write(`${debugDetail(err)}\n`);
    return err instanceof UsageError ? EXIT.USAGE : EXIT.CALL_FAILED;
  }
}

/** The zone `--local-time` shows: `TZ` when it names a zone this runtime knows, else the system's. */
function localZone(env: Record<string, string | undefined>): string {
  const tz = env.TZ?.replace(/^:/, '');
  if (tz) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return tz; // as the user wrote it (ICU may canonicalize Asia/Kolkata to Asia/Calcutta)
    } catch {
      // an unknown TZ falls back to the system zone, as date(1) would show
    }
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
