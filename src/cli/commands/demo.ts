import { createRequire } from 'node:module';
import { MCPToolset, StdioServerInfo } from '../../index.ts';
import { parseCommandArgs } from '../args.ts';
import type { Command } from '../context.ts';
import { EXIT, UsageError } from '../errors.ts';
import { resultToText, toolsToTable } from '../format.ts';

/**
 * Where `@modelcontextprotocol/server-everything` is installed (a devDependency of this repository), or
 * `undefined` when it is not.
 */
function serverEverythingEntry(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');
  } catch {
    return undefined;
  }
}

/**
 * `mcptool demo`: for now an offline stdio demo — start `@modelcontextprotocol/server-everything` as a child
 * process, list its tools and call `echo`. The OAuth demo (local authorization server + protected MCP server +
 * the full sign-in) replaces it; `--headless` is accepted already and changes nothing yet.
 */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the demo (for now: list and call the tools of a local stdio server, offline)',
  usage: `Usage: mcptool demo [--headless]

For now: starts @modelcontextprotocol/server-everything over stdio (offline), lists its tools and calls echo.
The OAuth demo (local authorization server, protected MCP server, full sign-in) replaces it.
`,
  async run(argv, ctx) {
    const { values } = parseCommandArgs(
      argv,
      { help: { type: 'boolean', short: 'h' }, headless: { type: 'boolean' } },
      'demo',
    );
    if (values.help) {
      ctx.io.stdout.write(this.usage);
      return EXIT.OK;
    }
    const entry = serverEverythingEntry();
    if (entry === undefined) {
      throw new UsageError(
        'the demo needs @modelcontextprotocol/server-everything (a devDependency); run it from the repository after npm ci',
      );
    }
    const out = ctx.io.stdout;
    out.write('mcptool demo: starting @modelcontextprotocol/server-everything over stdio (no network needed)\n\n');
    const toolset = new MCPToolset({
      serverInfo: new StdioServerInfo({ command: process.execPath, args: [entry, 'stdio'] }),
    });
    try {
      ctx.progress.update('connecting…');
      await toolset.warmUp();
      ctx.progress.done();
      const tools = toolset.tools;
      out.write(`It offers ${tools.length} tools:\n\n`);
      out.write(toolsToTable(tools, out.columns ?? 100));
      const echo = tools.find((t) => t.name === 'echo');
      if (echo === undefined) throw new UsageError('server-everything offers no echo tool; is it the right version?');
      const args = { message: 'Hello from mcptool!' };
      out.write(`\nCalling echo with ${JSON.stringify(args)}:\n\n`);
      const result = await echo.invoke(args);
      out.write(resultToText(result as never));
      out.write(
        `\nSame from the command line:\n` +
          `  npx mcptool tools --stdio "node ${relativeEntry(entry)} stdio"\n` +
          `  npx mcptool call --stdio "node ${relativeEntry(entry)} stdio" echo --args '{"message":"hi"}'\n`,
      );
      return EXIT.OK;
    } finally {
      ctx.progress.done();
      await toolset.close();
    }
  },
};

function relativeEntry(entry: string): string {
  const marker = 'node_modules/';
  const i = entry.lastIndexOf(marker);
  return i >= 0 ? entry.slice(i) : entry;
}
