/**
 * Vercel AI SDK adapter (`mcptool/ai-sdk`). Needs the `ai` package (5, 6 or 7), an optional peer dependency that
 * only this subpath imports.
 *
 * @example
 * import { generateText } from 'ai';
 * import { toAISDKTools } from 'mcptool/ai-sdk';
 * const tools = await toAISDKTools(toolset);
 * const { text } = await generateText({ model, tools, prompt: 'What is 2 + 3?' });
 */
import * as ai from 'ai';
import { type Tool as AITool, type JSONSchema7, jsonSchema, tool } from 'ai';
import type { MCPToolResult } from '../mcp/result.ts';
import { type AISDKMajor, type AISDKToolOutput, aiSDKOutput } from './ai-sdk-output.ts';
import { callTool, isToolResult, namedTools } from './common.ts';
import type { ToolSource } from './tools.ts';

export type { AISDKMajor, AISDKMediaPart, AISDKToolOutput } from './ai-sdk-output.ts';
export type { ToolSource } from './tools.ts';

/**
 * The installed `ai` major, told by what it exports (it exports no version): `uploadFile` came with 7 together with
 * tagged file data, `ToolLoopAgent` with 6.
 */
export const installedAISDKMajor: AISDKMajor = 'uploadFile' in ai ? 7 : 'ToolLoopAgent' in ai ? 6 : 5;

/**
 * How an MCP result is shown to the model: `error-text` for a result with `isError`; `content` (text plus images
 * and audio as media parts of the given major's form, by default the installed one) when there are images or
 * audio; otherwise `text` via `resultToText()`.
 *
 * @param result - The result of an MCP tool call.
 * @param major - The `ai` major whose media part form to produce. Default: {@link installedAISDKMajor}.
 * @returns The AI SDK tool result output the model is shown.
 */
export function toAISDKOutput(result: MCPToolResult, major: AISDKMajor = installedAISDKMajor): AISDKToolOutput {
  return aiSDKOutput(result, major);
}

/**
 * The tool output `toModelOutput` receives: `ai` 5 passes the output itself, `ai` 6 and later pass
 * `{ toolCallId, input, output }`.
 */
function outputOf(argument: unknown): unknown {
  if (isToolResult(argument)) return argument;
  if (typeof argument === 'object' && argument !== null && 'output' in argument && 'toolCallId' in argument) {
    return (argument as { output: unknown }).output;
  }
  return argument;
}

/**
 * The tools of a toolset as AI SDK tools, keyed by a model-safe name (`^[a-zA-Z0-9_-]{1,64}$`; MCP names that
 * already fit are unchanged), ready for `generateText({ tools })` / `streamText({ tools })`.
 *
 * Each tool's `execute` runs the MCP tool with the AI SDK's `abortSignal` and returns the whole MCP
 * `CallToolResult`, including one with `isError` (the model then sees `error-text`); connection failures and
 * timeouts throw, and the AI SDK reports them as tool errors. `toModelOutput` is {@link toAISDKOutput}, for
 * `ai` 5, 6 and 7.
 *
 * @param source - A toolset (warmed up here: connected and its tools listed, a no-op when it already is) or a list
 *   of tools.
 * @returns The AI SDK tools, keyed by model-safe name.
 * @throws `MCPConnectionError` when the toolset cannot connect (code `AUTH_REQUIRED` for a 401 no sign-in could
 *   satisfy), an `OAuthError` when the sign-in failed, or `MCPToolNotFoundError` when a name in its `toolNames` is
 *   not on the server.
 */
export async function toAISDKTools(source: ToolSource): Promise<Record<string, AITool>> {
  const record: Record<string, AITool> = {};
  for (const { name, tool: mcpTool } of await namedTools(source)) {
    record[name] = tool<Record<string, unknown>, MCPToolResult>({
      description: mcpTool.description,
      inputSchema: jsonSchema<Record<string, unknown>>(mcpTool.inputSchema as JSONSchema7),
      execute: (input, { abortSignal }) => callTool(mcpTool, input, abortSignal),
      // Typed for the `ai` 5 the repository compiles against; the argument and result take each major's form.
      toModelOutput: ((argument: unknown) => {
        const output = outputOf(argument);
        if (!isToolResult(output)) return { type: 'text', value: JSON.stringify(output) ?? '' };
        return toAISDKOutput(output);
      }) as never,
    });
  }
  return record;
}
