import type { Command, Option } from 'commander';
import { UsageError } from '../usage.js';

/** The shells `stackfeed completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

const ALL = ['heat', 'rfs', 'pcluster', 'imagebuilder'];
/** What the first argument of each command completes to (the provider names it accepts). */
const FIRST_ARG: Record<string, string[]> = {
  events: ALL,
  history: ALL,
  deployments: ALL,
  stacks: ['heat', 'rfs'],
  images: ['pcluster', 'imagebuilder'],
  image: ['pcluster', 'imagebuilder'],
  executions: ['imagebuilder'],
  completion: [...SHELLS],
};
/** Commands whose arguments are `provider:target`: the provider part completes, then the target is typed. */
const SPEC_ARGS = new Set(['watch', 'archive']);

interface Spec {
  name: string;
  description: string;
  /** Flags without a value: `-f`, `--follow`. */
  flags: string[];
  /** Flags that take a value, with the values when they are a fixed set. */
  valued: Array<{ names: string[]; choices?: readonly string[] }>;
  options: readonly Option[];
}

const namesOf = (o: Option) => [o.short, o.long].filter((n): n is string => typeof n === 'string');
const takesValue = (o: Option) => o.required || o.optional;

function spec(cmd: Command): Spec {
  const options = cmd.options;
  return {
    name: cmd.name(),
    description: cmd.description(),
    flags: options.filter((o) => !takesValue(o)).flatMap(namesOf),
    valued: options
      .filter(takesValue)
      .map((o) => ({ names: namesOf(o), ...(o.argChoices ? { choices: o.argChoices } : {}) })),
    options,
  };
}

/**
 * The completion script of `shell` for `program`, generated from its commands and options (so it
 * never lists an option the CLI does not have).
 */
export function completionScript(shell: string, program: Command): string {
  const globals = spec(program);
  globals.flags.push('-h', '--help');
  const commands = program.commands.map(spec).filter((c) => c.name !== 'help');
  for (const c of commands) c.flags.push('-h', '--help');
  switch (shell) {
    case 'bash':
      return `${bashScript(globals, commands)}complete -F _stackfeed stackfeed\n`;
    case 'zsh':
      return zshScript(globals, commands);
    case 'fish':
      return fishScript(globals, commands);
    default:
      throw new UsageError(`no completion for shell "${shell}"; one of: ${SHELLS.join(', ')}`, 'completion');
  }
}

const words = (xs: readonly string[]) => xs.join(' ');

function bashScript(globals: Spec, commands: Spec[]): string {
  const valuedNames = [...globals.valued, ...commands.flatMap((c) => c.valued)].flatMap((v) => v.names);
  const choiceCases = commands.flatMap((c) =>
    c.valued
      .filter((v) => v.choices)
      .map((v) => `    "${c.name} ${v.names.join(`"|"${c.name} `)}") words="${words(v.choices ?? [])}" ;;`),
  );
  const optionCases = commands.map(
    (c) =>
      `    ${c.name}) words="${words([...c.flags, ...c.valued.flatMap((v) => v.names), ...globals.flags, ...globals.valued.flatMap((v) => v.names)])}" ;;`,
  );
  const argCases = [
    ...Object.entries(FIRST_ARG).map(([name, args]) => `    "${name} 0") words="${words(args)}" ;;`),
    ...[...SPEC_ARGS].map((name) => `    ${name}\\ *) words="${words(ALL.map((p) => `${p}:`))}"; spec=1 ;;`),
  ];
  return `# stackfeed completion for bash: add to ~/.bashrc
#   eval "$(stackfeed completion bash)"
_stackfeed() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" npos=0 i w words="" spec=0
  local valued=" ${words([...new Set(valuedNames)])} "
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for (( i = 1; i < COMP_CWORD; i++ )); do
    w="\${COMP_WORDS[i]}"
    if [[ "$valued" == *" $w "* ]]; then (( i++ )); continue; fi
    [[ "$w" == -* ]] && continue
    if [[ -z "$cmd" ]]; then cmd="$w"; else (( npos++ )); fi
  done
  COMPREPLY=()
  if [[ "$valued" == *" $prev "* ]]; then
    case "$cmd $prev" in
${choiceCases.join('\n')}
      *) return 0 ;;
    esac
  elif [[ "$cur" == -* ]]; then
    case "$cmd" in
${optionCases.join('\n')}
      *) words="${words([...globals.flags, ...globals.valued.flatMap((v) => v.names)])}" ;;
    esac
  elif [[ -z "$cmd" ]]; then
    words="${words(commands.map((c) => c.name))}"
  else
    case "$cmd $npos" in
${argCases.join('\n')}
      *) return 0 ;;
    esac
  fi
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
  # provider: then the target: no space after the colon
  if (( spec )); then compopt -o nospace 2>/dev/null; fi
  return 0
}
`;
}

function zshScript(globals: Spec, commands: Spec[]): string {
  // zsh runs the bash function through its bashcompinit layer: one script, the same answers.
  return `#compdef stackfeed
# stackfeed completion for zsh: add to ~/.zshrc (after compinit)
#   source <(stackfeed completion zsh)
(( $+functions[compdef] )) || { autoload -U compinit && compinit; }
autoload -U +X bashcompinit && bashcompinit
${bashScript(globals, commands)}complete -F _stackfeed stackfeed
`;
}

const fishQuote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fishOption(o: Option, condition?: string): string {
  const parts = ['complete -c stackfeed'];
  if (condition) parts.push(`-n ${fishQuote(condition)}`);
  if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`);
  if (o.long) parts.push(`-l ${o.long.replace(/^--/, '')}`);
  if (takesValue(o)) parts.push(o.argChoices ? `-x -a ${fishQuote(o.argChoices.join(' '))}` : '-r');
  parts.push(`-d ${fishQuote(o.description)}`);
  return parts.join(' ');
}

function fishScript(globals: Spec, commands: Spec[]): string {
  const lines = [
    '# stackfeed completion for fish: in ~/.config/fish/config.fish',
    '#   stackfeed completion fish | source',
    'complete -c stackfeed -f',
    ...globals.options.map((o) => fishOption(o)),
    ...commands.map(
      (c) => `complete -c stackfeed -n __fish_use_subcommand -a ${c.name} -d ${fishQuote(c.description)}`,
    ),
  ];
  for (const c of commands) {
    const seen = `__fish_seen_subcommand_from ${c.name}`;
    lines.push(...c.options.map((o) => fishOption(o, seen)));
    const first = FIRST_ARG[c.name];
    if (first) {
      lines.push(
        `complete -c stackfeed -n ${fishQuote(`${seen}; and test (count (commandline -opc)) -eq 2`)} -a ${fishQuote(first.join(' '))}`,
      );
    }
    if (SPEC_ARGS.has(c.name)) {
      lines.push(`complete -c stackfeed -n ${fishQuote(seen)} -a ${fishQuote(ALL.map((p) => `${p}:`).join(' '))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
