import { quote } from '../../core/errors.ts';
import { parseCommandArgs, seeHelp } from '../args.ts';
import type { Command } from '../context.ts';
import { EXIT, UsageError } from '../errors.ts';
import { defaultConfigPath, loadConfigFile } from '../mcp-servers-file.ts';

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  config: { type: 'string' },
} as const;

/** `mcptool servers [--config FILE] [--json]`: the servers of an `mcpServers` config file. */
export const serversCommand: Command = {
  name: 'servers',
  summary: 'list the servers of a config file (default ~/.config/mcptool/mcp.json)',
  usage: `Usage: mcptool servers [--config FILE] [--json]

List the servers of an "mcpServers" config file (the format of desktop MCP clients): name, transport and
URL or command line. Without --config, the default config file is read: $MCPTOOL_CONFIG when set, else
$XDG_CONFIG_HOME/mcptool/mcp.json (~/.config/mcptool/mcp.json). A server name given as the <target> of
another command is looked up there too when --config is not given.

Options:
  --config FILE            the config file to read
  --json                   [{name, type, url | command, args}] on stdout
  -h, --help               show this help

Exit status: 0 ok, 2 usage (no such file, invalid JSON, a malformed entry).
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS, 'servers');
    if (values.help) {
      ctx.io.stdout.write(this.usage);
      return EXIT.OK;
    }
    if (positionals.length > 0) {
      throw new UsageError(`servers takes no arguments; unexpected ${quote(positionals[0])}; ${seeHelp('servers')}`);
    }
    const path = values.config ?? defaultConfigPath(ctx.io.env);
    const config = await loadConfigFile(path, ctx.io.env);
    const rows = config.names.map((name) => {
      // Secrets in ${VAR}s are not needed to show where a server is; an entry that needs an unset one shows why.
      try {
        const spec = config.server(name)!;
        return spec.kind === 'stdio'
          ? { name, type: 'stdio', command: spec.command, args: spec.args }
          : { name, type: spec.kind, url: spec.url };
      } catch (error) {
        return { name, type: 'invalid', error: (error as Error).message };
      }
    });
    if (values.json) {
      ctx.io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return EXIT.OK;
    }
    if (rows.length === 0) {
      ctx.io.stdout.write(`${path} defines no servers.\n`);
      return EXIT.OK;
    }
    const width = Math.max(4, ...rows.map((r) => r.name.length));
    const where = (r: (typeof rows)[number]) =>
      'url' in r ? r.url : 'command' in r ? [r.command, ...(r.args ?? [])].join(' ') : `(${r.error})`;
    ctx.io.stdout.write(
      `Servers in ${path}:\n${rows.map((r) => `  ${r.name.padEnd(width)}  ${r.type.padEnd(5)}  ${where(r)}`).join('\n')}\n`,
    );
    return EXIT.OK;
  },
};
