import { Command } from 'commander';
import { globalOptions } from './commands/options.js';
import { COMMANDS, type CommandHost } from './commands/registry.js';
import type { CliIO } from './io.js';
import { VERSION } from './version.js';

const PROVIDERS_HELP = `
Examples:
  $ stackfeed demo                                    # all four providers on local emulators, no account needed
  $ stackfeed events heat web --follow                # tail a stack until it ends; exit 3 if it failed
  $ stackfeed watch heat:web rfs:shop-db pcluster:rocky9-hpc
  $ stackfeed events rfs shop-db --phase FAILED --output ndjson | jq -r .message
  $ stackfeed images pcluster --region us-east-1
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

/** Commander's output goes to `io`; a usage error is one line pointing at the command's `--help`. */
function configure(cmd: Command, io: CliIO, name: string): Command {
  return cmd.exitOverride().configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
    outputError: (s, write) => write(`stackfeed: ${s.replace(/^error: /, '').trim()} (see stackfeed ${name}--help)\n`),
  });
}

/**
 * The `stackfeed` program: the global options and every command of the registry, in order; or,
 * when `first` (the first argument) names a command, that command alone: the others would only be
 * defined and dropped (createProgram's CPU 3.1 → 1.6 ms, session 11). With global options or a
 * help command first every command is defined, and for `completion`, whose script lists them all.
 */
export function createProgram(host: CommandHost, first?: string): Command {
  const program = globalOptions(
    new Command('stackfeed')
      .description(
        'Stack events and images from AWS ParallelCluster, EC2 Image Builder, Huawei Cloud RFS and OpenStack Heat, in one normalized view.',
      )
      .version(VERSION, '-V, --version'),
  )
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .addHelpText('after', PROVIDERS_HELP);
  // Before the commands are added: each inherits the program's settings, then gets its own output.
  configure(program, host.io, '');
  const named = first === 'completion' ? undefined : COMMANDS.find(([name]) => name === first);
  for (const [, register] of named ? [named] : COMMANDS) {
    const cmd = register(program, host);
    configure(cmd, host.io, `${cmd.name()} `);
  }
  return program;
}
