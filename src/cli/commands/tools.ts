import { quote } from '../../core/errors.ts';
import { MCPToolset } from '../../mcp/toolset.ts';
import { argumentLines } from '../arg-pairs.ts';
import { parseCommandArgs, seeHelp } from '../args.ts';
import { prepareTarget, signInError } from '../connect.ts';
import type { Command } from '../context.ts';
import { EXIT, UsageError } from '../errors.ts';
import { explainFailure } from '../explain.ts';
import { firstLine, toolsToJson, toolsToTable } from '../format.ts';
import { EXIT_HELP, OAUTH_HELP } from '../help-text.ts';
import { SERVER_COMMAND_HELP, SERVER_COMMAND_OPTIONS } from '../server-command.ts';
import { tracingFetch, tracingWanted } from '../trace.ts';

const OPTIONS = {
  ...SERVER_COMMAND_OPTIONS,
  schema: { type: 'boolean' },
} as const;

/** `mcptool tools <target> [--json]`: list the tools of an MCP server (all pages of `tools/list`). */
export const toolsCommand: Command = {
  name: 'tools',
  summary: 'list the tools of an MCP server',
  usage: `Usage: mcptool tools <target> [--json | --schema]
       mcptool tools --stdio "<command line>" [--json]

List the tools of an MCP server: a table of names and descriptions, or with --json a JSON array of
{name, description, inputSchema}. With --schema, each tool's arguments are listed under it as the
options of 'mcptool call' (--arg KEY=VALUE: type, required, choices, default, description).

${SERVER_COMMAND_HELP}

${OAUTH_HELP}

${EXIT_HELP}
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS, 'tools');
    if (values.help) {
      ctx.io.stdout.write(this.usage);
      return EXIT.OK;
    }
    if (positionals.length > 1) {
      throw new UsageError(
        `tools takes one <target>; unexpected argument ${quote(positionals[1])}; ${seeHelp('tools')}`,
      );
    }
    const prepared = await prepareTarget(values, positionals[0], ctx.io, ctx);
    const timeouts =
      prepared.timeoutMs === undefined
        ? {}
        : { connectionTimeoutMs: prepared.timeoutMs, invocationTimeoutMs: prepared.timeoutMs };
    const toolset = new MCPToolset({
      serverInfo: prepared.serverInfo,
      ...timeouts,
      ...(tracingWanted(values.verbose === true, ctx.io.env) && { fetch: tracingFetch(ctx.io) }),
    });
    try {
      ctx.progress.update(`connecting to ${prepared.spec.label}…`);
      await toolset.warmUp();
      ctx.progress.done();
      const tools = toolset.tools.map((t) => ({
        name: t.name,
        description: t.description,
        inputSchema: t.inputSchema,
      }));
      ctx.io.stdout.write(
        values.json
          ? toolsToJson(tools)
          : values.schema
            ? toolsWithArguments(tools)
            : toolsToTable(tools, ctx.io.stdout.columns ?? 100),
      );
      return EXIT.OK;
    } catch (error) {
      throw signInError(prepared, await explainFailure(error, prepared));
    } finally {
      ctx.progress.done();
      await toolset.close();
    }
  },
};

/** `tools --schema`: each tool's name and description, then its arguments as `--arg` lines. */
function toolsWithArguments(
  tools: readonly { name: string; description?: string | undefined; inputSchema: unknown }[],
): string {
  if (tools.length === 0) return 'The server offers no tools.\n';
  return tools
    .map((t) => {
      const description = firstLine(t.description ?? '');
      const args = argumentLines(t.inputSchema);
      return `${t.name}${description ? `  ${description}` : ''}\n${args.length > 0 ? args.map((a) => `    ${a}\n`).join('') : '    (no arguments)\n'}`;
    })
    .join('');
}
