/**
 * Mastra adapter (`mcptool/mastra`): MCP tools as `@mastra/core` tools for an `Agent`. Needs `@mastra/core` 1.x,
 * an optional peer dependency that only this subpath imports.
 *
 * @example
 * import { Agent } from '@mastra/core/agent';
 * import { toMastraTools } from 'mcptool/mastra';
 * const agent = new Agent({ id: 'assistant', name: 'assistant', instructions: '…', model, tools: await toMastraTools(toolset) });
 * const { text } = await agent.generate('What is 2 + 3?');
 */
import { createTool } from '@mastra/core/tools';
import type { JsonSchema } from '../mcp/common.ts';
import type { MCPToolResult } from '../mcp/result.ts';
import { aiSDKOutput } from './ai-sdk-output.ts';
import { callTool, isToolResult, namedTools } from './common.ts';
import type { ToolSource } from './tools.ts';

export type { ToolSource } from './tools.ts';

/** A Mastra tool made from an MCP tool: its output is the whole MCP `CallToolResult`. */
export type MastraTool = ReturnType<typeof createTool<string, JsonSchema, undefined>>;

/**
 * The tools of a toolset as Mastra tools, keyed (and with `id`s) by model-safe names (`^[a-zA-Z0-9_-]{1,64}$`), with
 * the MCP input schema as JSON Schema. Each runs the MCP tool with the agent's `abortSignal` and returns the whole
 * MCP result, including one with `isError`; `toModelOutput` gives the model the AI SDK's forms (Mastra converts
 * them for the model's specification version): `error-text` for `isError`, text with images and audio as `media`
 * parts, else `resultToText()`. Connection failures and timeouts throw, and Mastra reports them as tool errors.
 *
 * @param source - A toolset (warmed up here: connected and its tools listed, a no-op when it already is) or a list
 *   of tools.
 * @returns The Mastra tools, keyed by model-safe name.
 * @throws `MCPConnectionError` when the toolset cannot connect (code `AUTH_REQUIRED` for a 401 no sign-in could
 *   satisfy), an `OAuthError` when the sign-in failed, or `MCPToolNotFoundError` when a name in its `toolNames` is
 *   not on the server.
 */
export async function toMastraTools(source: ToolSource): Promise<Record<string, MastraTool>> {
  const record: Record<string, MastraTool> = {};
  for (const { name, tool: mcpTool } of await namedTools(source)) {
    record[name] = createTool({
      id: name,
      description: mcpTool.description,
      inputSchema: mcpTool.inputSchema,
      execute: (input: unknown, context) => callTool(mcpTool, input, context?.abortSignal),
      toModelOutput: (output: unknown) =>
        isToolResult(output)
          ? aiSDKOutput(output as MCPToolResult, 5)
          : { type: 'text', value: JSON.stringify(output) ?? '' },
    }) as MastraTool;
  }
  return record;
}
