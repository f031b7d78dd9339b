import { type Command, Option } from 'commander';

// The options several commands share, declared once. Commander only (no @stackfeed/core): every
// command's registration loads at each start, its implementation only when it runs (cold start).
// The values are parsed by the commands themselves (../options.ts).

/** A repeatable option's values, in order. */
export const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** The providers a command taking any provider names in its help. */
export const ANY_PROVIDER = 'heat, rfs, pcluster or imagebuilder';

/** `<provider>`: what the command's providers are called on the command line. */
export const providerArgument = (cmd: Command, names = `${ANY_PROVIDER} (or the full id)`): Command =>
  cmd.argument('<provider>', names);

/** `<spec...>`: the deployments of `watch` and `archive`. */
export const specsArgument = (cmd: Command, example: string): Command =>
  cmd.argument('<spec...>', `PROVIDER:TARGET, e.g. ${example}`);

/** The options of the program that every command takes. */
export function globalOptions(program: Command): Command {
  return program
    .option('--endpoint <url>', 'use this endpoint (PROVIDER=URL with several providers); repeatable', collect)
    .option('--region <region>', 'the region (AWS, Huawei Cloud); stacks/images: a,b')
    .option('--profile <name>', 'the AWS shared-config profile')
    .option('--cloud <name>', 'the clouds.yaml entry (OpenStack); stacks: a,b')
    .option('--debug', 'print HTTP retries and the stack of errors')
    .option('--local-time', 'show table times in the local zone (TZ, else the system zone) instead of UTC')
    .option('--color', 'force colors')
    .option('--no-color', 'no colors (also NO_COLOR=1)');
}

/** `-o, --output`: table (default), json or ndjson (or the `formats` a command offers). */
export const outputOption = (formats: readonly string[] = ['table', 'json', 'ndjson']): Option =>
  new Option('-o, --output <format>', formatList(formats)).default('table').choices(formats);

const formatList = (f: readonly string[]) =>
  f.length === 1 ? f[0]! : `${f.slice(0, -1).join(', ')} or ${f[f.length - 1]}`;

/** `--store`: where `archive` writes and `history` reads. */
export const storeOption = (): Option =>
  new Option('--store <url>', 'postgres://… or a directory (default: STACKFEED_STORE, else the embedded store)');

/** `--since`: the one time filter of live and stored events. */
export const sinceOption = (cmd: Command): Command =>
  cmd.option('--since <when>', 'only events from this time on: 10m, 2h, 1d or an ISO time');

/** `--timeout`: how long a follow may last. */
export const timeoutOption = (cmd: Command): Command =>
  cmd.option('--timeout <duration>', 'give up following after this long');

/** The filters and output of the commands that list or follow a provider's events (`events`, `watch`). */
export function eventOptions(cmd: Command): Command {
  sinceOption(cmd)
    .option(
      '--phase <phase>',
      'only these phases (IN_PROGRESS, COMPLETE, FAILED, ...); comma-separated, repeatable',
      collect,
    )
    .option('--resource <name>', 'only events of this resource (logical id or name); repeatable', collect)
    .option('--limit <n>', 'stop after n events')
    .addOption(outputOption())
    .option('--raw', 'include each provider record as received (json/ndjson)')
    .option('--poll-interval <duration>', 'between polls when following (default 5s)');
  return timeoutOption(cmd).option('--nested-depth <n>', 'include events of nested stacks n levels down (Heat)');
}

/** `--page-size` / `--page-token`: one page of a list per run, resumable. */
export const pageOptions = (cmd: Command): Command =>
  cmd
    .option('--page-size <n>', 'list page by page, n events per request; prints the token of the next page')
    .option('--page-token <token>', 'resume a paged list where --page-size left off');

/** The limit and output of the commands that list stacks, images or executions. */
export const listOptions = (cmd: Command): Command =>
  cmd
    .option('--limit <n>', 'at most n items')
    .addOption(outputOption())
    .option('--raw', 'include the provider records (json/ndjson)');

/** `--all-regions`: `stacks` and `images` over every region of the account. */
export const allRegionsOption = (cmd: Command): Command =>
  cmd.option('--all-regions', 'every enabled region of the account (AWS, Huawei Cloud)');

/** `--speed`: how fast the emulators' scenarios play. */
export const speedOption = (cmd: Command, description: string): Command => cmd.option('--speed <factor>', description);

/** `--host`: the listen address of the commands that serve. */
export const hostOption = (cmd: Command, description: string): Command =>
  cmd.option('--host <host>', description, '127.0.0.1');

/** The examples block at the end of a command's help (`before`/`after`: paragraphs around it). */
export const examples = (
  cmd: Command,
  lines: readonly string[],
  text: { before?: string; after?: string } = {},
): Command =>
  cmd.addHelpText(
    'after',
    `${text.before ?? ''}\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}${text.after ?? ''}`,
  );
