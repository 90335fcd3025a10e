import { quote } from '../../core/errors.ts';
import { MCPToolset } from '../../index.ts';
import { COMMON_OPTIONS, OAUTH_OPTIONS, parseCommandArgs, seeHelp, TARGET_OPTIONS } from '../args.ts';
import { prepareTarget } from '../connect.ts';
import type { Command } from '../context.ts';
import { EXIT, UsageError } from '../errors.ts';
import { explainFailure } from '../explain.ts';
import { toolsToJson, toolsToTable } from '../format.ts';
import { COMMON_HELP, EXIT_HELP, OAUTH_HELP, TARGET_HELP } from '../help-text.ts';
import { tracingFetch, tracingWanted } from '../trace.ts';

const OPTIONS = { ...COMMON_OPTIONS, ...TARGET_OPTIONS, ...OAUTH_OPTIONS };

/** `mcptool tools <target> [--json]`: list the tools of an MCP server (all pages of `tools/list`). */
export const toolsCommand: Command = {
  name: 'tools',
  summary: 'list the tools of an MCP server',
  usage: `Usage: mcptool tools <target> [--json]
       mcptool tools --stdio "<command line>" [--json]

List the tools of an MCP server: a table of names and descriptions, or with --json a JSON array of
{name, description, inputSchema}.

${TARGET_HELP}

${COMMON_HELP}

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
        : { connectionTimeout: prepared.timeoutMs, invocationTimeout: prepared.timeoutMs };
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
      ctx.io.stdout.write(values.json ? toolsToJson(tools) : toolsToTable(tools, ctx.io.stdout.columns ?? 100));
      return EXIT.OK;
    } catch (error) {
      throw await explainFailure(error, prepared);
    } finally {
      ctx.progress.done();
      await toolset.close();
    }
  },
};
