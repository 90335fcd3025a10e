import type { Command } from '../context.ts';
import { EXIT } from '../errors.ts';

/** A command of the contract that a later issue implements: it says so on stderr and exits with 2 (usage). */
export function notAvailableYet(name: string, summary: string): Command {
  return {
    name,
    summary: `${summary} (not available yet)`,
    usage: `mcptool ${name}: ${summary}.\nNot available yet in this version of mcptool; it arrives with OAuth sign-in.\n`,
    async run(_argv, ctx) {
      ctx.io.stderr.write(
        `mcptool: '${name}' is not available yet in this version (it arrives with OAuth sign-in); ` +
          `'tools' and 'call' work now, see 'mcptool --help'\n`,
      );
      return EXIT.USAGE;
    },
  };
}
