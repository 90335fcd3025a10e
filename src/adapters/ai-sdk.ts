/**
 * Vercel AI SDK adapter (`mcptool/ai-sdk`). Needs the `ai` package (v5), an optional peer dependency that only
 * this subpath imports.
 *
 * @example
 * import { generateText } from 'ai';
 * import { toAISDKTools } from 'mcptool/ai-sdk';
 * const tools = await toAISDKTools(toolset);
 * const { text } = await generateText({ model, tools, prompt: 'What is 2 + 3?' });
 */
import { type Tool as AITool, type JSONSchema7, jsonSchema, tool } from 'ai';
import { MCPInvocationError } from '../mcp/errors.ts';
import { contentBlockToText, type MCPToolResult, resultToText } from '../mcp/result.ts';
import { modelSafeNames } from './names.ts';
import { type ToolSource, toolsOf } from './tools.ts';

/** What the model sees of a tool result (the AI SDK's `LanguageModelV2ToolResultOutput`). */
export type AISDKToolOutput =
  | { type: 'text'; value: string }
  | { type: 'error-text'; value: string }
  | { type: 'content'; value: ({ type: 'text'; text: string } | { type: 'media'; data: string; mediaType: string })[] };

/**
 * How an MCP result is shown to the model: `error-text` for a result with `isError`; `content` (text plus
 * images and audio as media parts) when there are images or audio; otherwise `text` via `resultToText()`.
 */
export function toAISDKOutput(result: MCPToolResult): AISDKToolOutput {
  if (result.isError === true) return { type: 'error-text', value: resultToText(result) };
  const content = Array.isArray(result.content) ? result.content : [];
  if (!content.some((block) => block.type === 'image' || block.type === 'audio')) {
    return { type: 'text', value: resultToText(result) };
  }
  return {
    type: 'content',
    value: content.map((block) =>
      block.type === 'image' || block.type === 'audio'
        ? { type: 'media' as const, data: block.data, mediaType: block.mimeType }
        : { type: 'text' as const, text: contentBlockToText(block) },
    ),
  };
}

/**
 * The tools of a toolset as AI SDK tools, keyed by a model-safe name (`^[a-zA-Z0-9_-]{1,64}$`; MCP names that
 * already fit are unchanged), ready for `generateText({ tools })` / `streamText({ tools })`.
 *
 * Each tool's `execute` runs the MCP tool with the AI SDK's `abortSignal` and returns the whole MCP
 * `CallToolResult`, including one with `isError` (the model then sees `error-text`); connection failures and
 * timeouts throw, and the AI SDK reports them as tool errors. `toModelOutput` is {@link toAISDKOutput}.
 */
export async function toAISDKTools(source: ToolSource): Promise<Record<string, AITool>> {
  const tools = await toolsOf(source);
  const names = modelSafeNames(tools.map((t) => t.name));
  const record: Record<string, AITool> = {};
  tools.forEach((mcpTool, i) => {
    record[names[i]!] = tool<Record<string, unknown>, MCPToolResult>({
      description: mcpTool.description,
      inputSchema: jsonSchema<Record<string, unknown>>(mcpTool.inputSchema as JSONSchema7),
      execute: async (input, { abortSignal }) => {
        try {
          return await mcpTool.invoke(input ?? {}, abortSignal ? { signal: abortSignal } : {});
        } catch (error) {
          if (error instanceof MCPInvocationError && error.code === 'TOOL_ERROR') return error.result as MCPToolResult;
          throw error;
        }
      },
      toModelOutput: (output: MCPToolResult) => toAISDKOutput(output),
    });
  });
  return record;
}
