import type { Command } from 'commander';
import type { CommandHost } from './registry.js';
import { examples } from './options.js';

export function register(program: Command, host: CommandHost): Command {
  const cmd = program
    .command('completion')
    .description('Print the shell completion script for bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish');
  examples(cmd, [
    'eval "$(stackfeed completion bash)"                # in ~/.bashrc',
    'source <(stackfeed completion zsh)                 # in ~/.zshrc, after compinit',
    'stackfeed completion fish | source                 # in ~/.config/fish/config.fish',
  ]);
  // The script is made from the program's own commands and options.
  return cmd.action(async (shell: string) => {
    const { completionScript } = await import('./completion.js');
    host.io.stdout.write(completionScript(shell, program));
  });
}
