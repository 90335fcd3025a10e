import { quote } from '../../core/errors.ts';
import { MCPInvocationError } from '../../mcp/errors.ts';
import { MCPTool } from '../../mcp/tool.ts';
import { argPairsToArguments } from '../arg-pairs.ts';
import { parseCommandArgs, seeHelp } from '../args.ts';
import { prepareTarget, signInError } from '../connect.ts';
import type { Command, CommandContext } from '../context.ts';
import { EXIT, UsageError } from '../errors.ts';
import { explainFailure } from '../explain.ts';
import { type CallToolResultLike, resultForTerminal, resultToJson } from '../format.ts';
import { EXIT_HELP, OAUTH_HELP } from '../help-text.ts';
import { readAll } from '../io.ts';
import { parseToolArguments } from '../json-args.ts';
import { SERVER_COMMAND_HELP, SERVER_COMMAND_OPTIONS } from '../server-command.ts';
import { cliElicitation, serverListeners } from '../server-output.ts';
import { tracingFetch, tracingWanted } from '../trace.ts';

const OPTIONS = {
  ...SERVER_COMMAND_OPTIONS,
  args: { type: 'string' },
  arg: { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
} as const;

/** `mcptool call <target> <tool> [--args '<json>'] [--json]`: call one tool and print its result. */
export const callCommand: Command = {
  name: 'call',
  summary: 'call a tool and print its result',
  usage: `Usage: mcptool call <target> <tool> [--args '<json>'] [--json]
       mcptool call --stdio "<command line>" <tool> [--args '<json>'] [--json]

Call a tool of an MCP server. --args is a JSON object of arguments (default {}); --args - reads it from stdin.
Prints the text of the result (images, audio and resources summarized), or with --json the whole MCP
CallToolResult. A result with isError exits 1 (with --json the result is still printed on stdout).

${SERVER_COMMAND_HELP}
  --args JSON              the tool's arguments, a JSON object
  --arg KEY=VALUE          one argument (repeatable), typed by the tool's schema: --arg message=hi
                           --arg count=3; added to (and overriding) --args
  -q, --quiet              hide the server's log messages and progress (shown on stderr by default)

The server's log messages ([server <level>] …) and progress go to stderr. When the server asks for input
(elicitation), a terminal is asked field by field (Enter keeps the default); without one it is declined.

${OAUTH_HELP}

${EXIT_HELP}
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS, 'call');
    if (values.help) {
      ctx.io.stdout.write(this.usage);
      return EXIT.OK;
    }
    const { target, toolName } = callPositionals(positionals, values.stdio !== undefined);
    const args = await readToolArguments(values.args, ctx);
    const prepared = await prepareTarget(values, target, ctx.io, ctx);
    const timeouts =
      prepared.timeoutMs === undefined
        ? {}
        : { connectionTimeoutMs: prepared.timeoutMs, invocationTimeoutMs: prepared.timeoutMs };
    const quiet = values.quiet === true;
    const tool = new MCPTool({
      name: toolName,
      serverInfo: prepared.serverInfo,
      ...timeouts,
      ...serverListeners(ctx, quiet),
      elicitationHandler: cliElicitation(ctx, quiet),
      ...(tracingWanted(values.verbose === true, ctx.io.env) && { fetch: tracingFetch(ctx.io) }),
    });
    try {
      ctx.progress.update(`connecting to ${prepared.spec.label}…`);
      await tool.warmUp();
      if (values.arg !== undefined) Object.assign(args, argPairsToArguments(values.arg, tool.inputSchema));
      ctx.progress.update(`calling ${toolName}…`);
      const result = await invokeForResult(tool, args);
      ctx.progress.done();
      return printResult(result, toolName, values.json === true, ctx);
    } catch (error) {
      throw signInError(prepared, await explainFailure(error, prepared));
    } finally {
      ctx.progress.done();
      await tool.close();
    }
  },
};

/** The <target> (none with --stdio) and <tool> of the command line; a missing or extra argument is a usage error. */
function callPositionals(positionals: string[], viaStdio: boolean): { target: string | undefined; toolName: string } {
  const expected = viaStdio ? 1 : 2;
  if (positionals.length < expected) {
    throw new UsageError(
      viaStdio
        ? `call needs a <tool> name after --stdio "<command line>"; ${seeHelp('call')}`
        : positionals.length === 0
          ? `call needs a <target> and a <tool>; ${seeHelp('call')}`
          : `call needs a <tool> name after the target; run 'mcptool tools ${positionals[0]}' to list them`,
    );
  }
  if (positionals.length > expected) {
    throw new UsageError(
      `call: unexpected argument ${quote(positionals[expected])}; tool arguments go in --args '<json>'`,
    );
  }
  return { target: viaStdio ? undefined : positionals[0], toolName: positionals[expected - 1]! };
}

/** The tool's result; a tool that reported an error (`isError`, MCP `tools/call`) gives its result too, to print. */
async function invokeForResult(tool: MCPTool, args: Record<string, unknown>): Promise<CallToolResultLike> {
  try {
    return (await tool.invoke(args)) as unknown as CallToolResultLike;
  } catch (error) {
    if (error instanceof MCPInvocationError && error.code === 'TOOL_ERROR' && error.result !== undefined) {
      return error.result as CallToolResultLike;
    }
    throw error;
  }
}

async function readToolArguments(value: string | undefined, ctx: CommandContext): Promise<Record<string, unknown>> {
  if (value === undefined) return {};
  if (value === '-') return parseToolArguments(await readAll(ctx.io.stdin), '--args (from stdin)');
  return parseToolArguments(value);
}

function printResult(result: CallToolResultLike, toolName: string, json: boolean, ctx: CommandContext): number {
  if (json) {
    ctx.io.stdout.write(resultToJson(result));
    return result.isError ? EXIT.TOOL_ERROR : EXIT.OK;
  }
  const text = resultForTerminal(result);
  if (result.isError) {
    const oneLine = text.trim().replace(/\s*\n\s*/g, ' ');
    ctx.io.stderr.write(`mcptool: tool ${quote(toolName)} reported an error: ${oneLine || '(no message)'}\n`);
    return EXIT.TOOL_ERROR;
  }
  ctx.io.stdout.write(text);
  return EXIT.OK;
}
