/**
 * LangChain.js adapter (`mcptool/langchain`): MCP tools as `@langchain/core` structured tools, for `createAgent`
 * (package `langchain`) or a chat model's `bindTools`. Needs `@langchain/core` 1.x, an optional peer dependency
 * that only this subpath imports.
 *
 * @example
 * import { createAgent } from 'langchain';
 * import { toLangChainTools } from 'mcptool/langchain';
 * const agent = createAgent({ model, tools: await toLangChainTools(toolset) });
 * const { messages } = await agent.invoke({ messages: [{ role: 'user', content: 'What is 2 + 3?' }] });
 */
import { ToolMessage } from '@langchain/core/messages';
import { DynamicStructuredTool, type ToolRunnableConfig } from '@langchain/core/tools';
import type { JSONSchema } from '@langchain/core/utils/json_schema';
import type { MCPToolResult } from '../mcp/result.ts';
import { callTool, errorText, modelView, namedTools } from './common.ts';
import type { ToolSource } from './tools.ts';

export type { ToolSource } from './tools.ts';

/** A LangChain message content block: text, or an image / audio given as base64 data (standard content blocks). */
export type LangChainContentBlock =
  | {
      /** A text block. */
      type: 'text';
      /** Its text. */
      text: string;
    }
  | {
      /** An image or audio block. */
      type: 'image' | 'audio';
      /** The IANA media type, e.g. `image/png`. */
      mimeType: string;
      /** The bytes, base64-encoded. */
      data: string;
    };

/**
 * A result as LangChain tool message content: its text (`resultToText()`), or, when it has images or audio,
 * content blocks with those as `image` / `audio` blocks.
 *
 * @param result - The result of an MCP tool call.
 * @returns The content of the `ToolMessage` that answers the call.
 */
export function toLangChainContent(result: MCPToolResult): string | LangChainContentBlock[] {
  const view = modelView(result);
  if (!view.parts) return view.text;
  return view.parts.map((part) =>
    part.type === 'media' ? { type: part.kind, mimeType: part.mediaType, data: part.data } : part,
  );
}

/**
 * The tools of a toolset as LangChain structured tools named with model-safe names (`^[a-zA-Z0-9_-]{1,64}$`),
 * with the MCP input schema (LangChain validates the model's arguments against it). Each tool answers a tool call
 * with a `ToolMessage` whose content is {@link toLangChainContent} and whose `artifact` is the whole MCP result;
 * a result with `isError` gives `status: 'error'` (called without a tool call, the content starts with `Error:`).
 * The run's abort signal (`signal` of the config) cancels the MCP call; connection failures and timeouts throw.
 *
 * @param source - A toolset (warmed up here: connected and its tools listed, a no-op when it already is) or a list
 *   of tools.
 * @returns The LangChain tools.
 * @throws `MCPConnectionError` when the toolset cannot connect (code `AUTH_REQUIRED` for a 401 no sign-in could
 *   satisfy), an `OAuthError` when the sign-in failed, or `MCPToolNotFoundError` when a name in its `toolNames` is
 *   not on the server.
 */
export async function toLangChainTools(source: ToolSource): Promise<DynamicStructuredTool[]> {
  return (await namedTools(source)).map(
    ({ name, tool: mcpTool }) =>
      new DynamicStructuredTool({
        name,
        description: mcpTool.description,
        schema: mcpTool.inputSchema as JSONSchema,
        responseFormat: 'content_and_artifact',
        func: async (input: unknown, _runManager: unknown, config?: ToolRunnableConfig) => {
          const result = await callTool(mcpTool, input, config?.signal);
          if (result.isError !== true) return [toLangChainContent(result), result];
          const toolCallId = config?.toolCall?.id;
          if (!toolCallId) return [errorText(result), result];
          // A ToolMessage returned as the content is passed on as it is, with its error status.
          const message = new ToolMessage({
            status: 'error',
            content: toLangChainContent(result),
            artifact: result,
            tool_call_id: toolCallId,
            name,
          });
          return [message, result];
        },
      }),
  );
}
