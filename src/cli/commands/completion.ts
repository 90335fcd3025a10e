import { parseCommandArgs, seeHelp } from '../args.ts';
import type { Command } from '../context.ts';
import { EXIT, UsageError } from '../errors.ts';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

/** A command's name, summary and options (the `--flags` its usage text names, so they never drift apart). */
interface CommandWords {
  name: string;
  summary: string;
  flags: string[];
}

function wordsOf(commands: readonly Command[]): CommandWords[] {
  return commands.map((c) => ({
    name: c.name,
    summary: c.summary,
    // The usage lines and the option lines (those starting with a flag) of the help text.
    flags: [
      ...new Set(
        c.usage
          .split('\n')
          .filter((line) => /^\s*(Usage:|mcptool |-|<)/.test(line))
          .flatMap((line) => line.match(/--[a-z][a-z-]*/g) ?? []),
      ),
    ].sort(),
  }));
}

/** A string in single quotes for sh-like shells (bash, zsh, fish). */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function bash(words: CommandWords[]): string {
  const cases = words.map((w) => `    ${w.name}) flags=${sq(w.flags.join(' '))} ;;`).join('\n');
  return `# mcptool completion for bash: eval "$(mcptool completion bash)" (e.g. in ~/.bashrc)
_mcptool() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" flags=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${sq(`${words.map((w) => w.name).join(' ')} help --help --version`)} -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags --help" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _mcptool mcptool
`;
}

function zsh(words: CommandWords[]): string {
  const cases = words.map((w) => `    ${w.name}) compadd -- ${w.flags.join(' ')} --help ;;`).join('\n');
  const described = words.map((w) => sq(`${w.name}:${w.summary.replace(/:/g, '\\:')}`)).join(' ');
  return `#compdef mcptool
# mcptool completion for zsh: eval "$(mcptool completion zsh)" (after compinit, e.g. in ~/.zshrc)
_mcptool() {
  if (( CURRENT == 2 )); then
    local -a commands
    commands=(${described})
    _describe 'command' commands
    return
  fi
  if [[ "$PREFIX" == -* ]]; then
    case "$words[2]" in
${cases}
    esac
  else
    _files
  fi
}
compdef _mcptool mcptool
`;
}

function fish(words: CommandWords[]): string {
  const lines = ['# mcptool completion for fish: mcptool completion fish | source', 'complete -c mcptool -f'];
  for (const w of words) {
    lines.push(`complete -c mcptool -n __fish_use_subcommand -a ${w.name} -d ${sq(w.summary)}`);
    for (const flag of w.flags) {
      lines.push(`complete -c mcptool -n ${sq(`__fish_seen_subcommand_from ${w.name}`)} -l ${flag.slice(2)}`);
    }
    lines.push(`complete -c mcptool -n ${sq(`__fish_seen_subcommand_from ${w.name}`)} -F`);
  }
  return `${lines.join('\n')}\n`;
}

/** `mcptool completion bash|zsh|fish`: print a shell completion script for the commands and their options. */
export const completionCommand: Command = {
  name: 'completion',
  summary: 'print a shell completion script: bash, zsh or fish',
  usage: `Usage: mcptool completion bash|zsh|fish

Print a completion script for the commands and options of mcptool. Load it with:
  bash   eval "$(mcptool completion bash)"          (e.g. in ~/.bashrc)
  zsh    eval "$(mcptool completion zsh)"           (after compinit, e.g. in ~/.zshrc)
  fish   mcptool completion fish | source           (or save it in ~/.config/fish/completions/mcptool.fish)

Options:
  -h, --help               show this help
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(argv, { help: { type: 'boolean', short: 'h' } }, 'completion');
    if (values.help) {
      ctx.io.stdout.write(this.usage);
      return EXIT.OK;
    }
    const shell = positionals[0];
    if (positionals.length !== 1 || !SHELLS.includes(shell as Shell)) {
      throw new UsageError(`completion needs one shell: ${SHELLS.join(', ')}; ${seeHelp('completion')}`);
    }
    // main.ts lists this command; read the list when run, not at load.
    const { COMMANDS } = await import('../main.ts');
    const words = wordsOf(await Promise.all(COMMANDS.map((c) => c.load())));
    ctx.io.stdout.write(shell === 'bash' ? bash(words) : shell === 'zsh' ? zsh(words) : fish(words));
    return EXIT.OK;
  },
};
