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
import { callTool, isToolResult, modelView, namedTools } from './common.ts';
import type { ToolSource } from './tools.ts';

/** A media part of a tool output, in the form each `ai` major takes. */
export type AISDKMediaPart =
  | { type: 'media'; data: string; mediaType: string }
  | { type: 'image-data' | 'file-data'; data: string; mediaType: string }
  | { type: 'file'; mediaType: string; data: { type: 'data'; data: string } };

/** What the model sees of a tool result (the AI SDK's tool result output). */
export type AISDKToolOutput =
  | { type: 'text'; value: string }
  | { type: 'error-text'; value: string }
  | { type: 'content'; value: ({ type: 'text'; text: string } | AISDKMediaPart)[] };

/**
 * The `ai` major whose media parts to produce: 5 (`media`), 6 (`image-data` / `file-data`; `media` is deprecated
 * there) or 7 (`file` with tagged data; the others are deprecated there).
 */
export type AISDKMajor = 5 | 6 | 7;

/**
 * The installed `ai` major, told by what it exports (it exports no version): `uploadFile` came with 7 together with
 * tagged file data, `ToolLoopAgent` with 6.
 */
export const installedAISDKMajor: AISDKMajor = 'uploadFile' in ai ? 7 : 'ToolLoopAgent' in ai ? 6 : 5;

function mediaPart(kind: 'image' | 'audio', data: string, mediaType: string, major: AISDKMajor): AISDKMediaPart {
  if (major === 5) return { type: 'media', data, mediaType };
  if (major === 6) return { type: kind === 'image' ? 'image-data' : 'file-data', data, mediaType };
  return { type: 'file', mediaType, data: { type: 'data', data } };
}

/**
 * How an MCP result is shown to the model: `error-text` for a result with `isError`; `content` (text plus images
 * and audio as media parts of the given major's form) when there are images or audio; otherwise `text` via
 * `resultToText()`.
 */
export function toAISDKOutput(result: MCPToolResult, major: AISDKMajor = installedAISDKMajor): AISDKToolOutput {
  const view = modelView(result);
  if (view.isError) return { type: 'error-text', value: view.text };
  if (!view.parts) return { type: 'text', value: view.text };
  return {
    type: 'content',
    value: view.parts.map((part) =>
      part.type === 'media' ? mediaPart(part.kind, part.data, part.mediaType, major) : part,
    ),
  };
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
