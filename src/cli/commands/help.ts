import type { Command, CommandEntry } from '../context.ts';
import { EXIT, UsageError } from '../errors.ts';
import { EXIT_HELP } from '../help-text.ts';

/** The general usage text, listing `commands`. */
export function generalUsage(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `mcptool — the tools of any MCP server, from the command line

Usage: mcptool <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}
  ${'help'.padEnd(width)}  show this help, or 'mcptool help <command>'

Options: -h, --help (also after a command), -V, --version (print the version)

Examples:
  mcptool tools https://server.example/mcp
  mcptool tools --stdio "node server.js" --json
  mcptool call --stdio "node server.js" echo --args '{"message":"hi"}'
  mcptool call my-server search --config mcp.json --args '{"query":"mcp"}'

${EXIT_HELP}
`;
}

/** `mcptool help [<command>]`. */
export function helpCommand(commands: readonly CommandEntry[]): Command {
  return {
    name: 'help',
    summary: 'show help',
    usage: generalUsage(commands),
    async run(argv, ctx) {
      const [name, ...rest] = argv.filter((a) => a !== '--help' && a !== '-h');
      if (name === undefined) {
        ctx.io.stdout.write(generalUsage(commands));
        return EXIT.OK;
      }
      const command = commands.find((c) => c.name === name);
      if (command === undefined || rest.length > 0) {
        throw new UsageError(
          `no help for ${JSON.stringify(rest.length > 0 ? argv.join(' ') : name)}; commands: ${commands.map((c) => c.name).join(', ')}`,
        );
      }
      ctx.io.stdout.write((await command.load()).usage);
      return EXIT.OK;
    },
  };
}
