import type { CliIO } from './io.ts';
import type { Progress } from './progress.ts';

/** What every command gets: the process streams and environment, and the progress line on stderr. */
export interface CommandContext {
  io: CliIO;
  progress: Progress;
}

/** One `mcptool` command, in its own file under `src/cli/commands/`. */
export interface Command {
  readonly name: string;
  /** One line for the command list of `mcptool --help`. */
  readonly summary: string;
  /** The full usage text of `mcptool <name> --help`. */
  readonly usage: string;
  /** Run with the arguments after the command name; resolves to the exit code. */
  run(argv: string[], ctx: CommandContext): Promise<number>;
}

/** A command as `mcptool` lists it, its module loaded only when it runs. */
export interface CommandEntry {
  readonly name: string;
  /** The command's `summary`, known without loading it. */
  readonly summary: string;
  /** Import the command's module. */
  load(): Promise<Command>;
}
