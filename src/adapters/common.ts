/**
 * What every framework adapter shares: the tools of a source under model-safe names, running a tool with the
 * framework's abort signal (a result with `isError` is returned, not thrown), and a result as the parts a model is
 * shown (text, plus images and audio as media). Imports no framework.
 */
import type { JsonSchema, Tool } from '../mcp/common.ts';
import { MCPInvocationError } from '../mcp/errors.ts';
import { contentBlockToText, type MCPToolResult, resultToText } from '../mcp/result.ts';
import { modelSafeNames } from './names.ts';
import { type ToolSource, toolsOf } from './tools.ts';

/** An MCP tool with the model-safe name a framework registers it under. */
export interface NamedTool {
  /** `^[a-zA-Z0-9_-]{1,64}$`; the MCP name when it already fits, see {@link modelSafeNames}. */
  name: string;
  tool: Tool;
}

/** The tools of a source (a toolset is warmed up first), each with its model-safe name (options as there). */
export async function namedTools(source: ToolSource, options: { hyphens?: boolean } = {}): Promise<NamedTool[]> {
  const tools = await toolsOf(source);
  const names = modelSafeNames(
    tools.map((t) => t.name),
    options,
  );
  return tools.map((tool, i) => ({ name: names[i]!, tool }));
}

/**
 * Run an MCP tool for a framework: the input (`{}` when absent) is passed to `invoke` with the framework's abort
 * signal. A result with `isError` is returned like any other (frameworks show it to the model as their error form);
 * connection failures, timeouts and aborts throw.
 */
export async function callTool(tool: Tool, input: unknown, signal: AbortSignal | undefined): Promise<MCPToolResult> {
  const args = (input ?? {}) as Record<string, unknown>;
  try {
    return await tool.invoke(args, signal ? { signal } : {});
  } catch (error) {
    if (error instanceof MCPInvocationError && error.code === 'TOOL_ERROR' && error.result !== undefined) {
      return error.result as MCPToolResult;
    }
    throw error;
  }
}

/** One part of a result as a model is shown it: text, or the base64 data of an image or audio block. */
export type ResultPart =
  | { type: 'text'; text: string }
  | { type: 'media'; kind: 'image' | 'audio'; data: string; mediaType: string };

/** A tool result as a model is shown it. */
export interface ModelView {
  isError: boolean;
  /** The whole result as text (`resultToText()`): images and audio as placeholders. */
  text: string;
  /** The text and media parts, in order; `undefined` when the result has no image or audio. */
  parts: ResultPart[] | undefined;
}

/**
 * How a result is shown to a model: whether it is an error, its text, and (only when it has images or audio) its
 * blocks as parts, other blocks as their text (`contentBlockToText()`).
 */
export function modelView(result: MCPToolResult): ModelView {
  const content = Array.isArray(result.content) ? result.content : [];
  const hasMedia = content.some((block) => block.type === 'image' || block.type === 'audio');
  return {
    isError: result.isError === true,
    text: resultToText(result),
    parts: hasMedia
      ? content.map((block) =>
          block.type === 'image' || block.type === 'audio'
            ? { type: 'media' as const, kind: block.type, data: block.data, mediaType: block.mimeType }
            : { type: 'text' as const, text: contentBlockToText(block) },
        )
      : undefined,
  };
}

/** The text a model is shown for an error result, in the form the OpenAI adapter uses too. */
export function errorText(result: MCPToolResult): string {
  return `Error: ${resultToText(result)}`;
}

/** Whether a value looks like an MCP `CallToolResult` (it has a `content` array). */
export function isToolResult(value: unknown): value is MCPToolResult {
  return typeof value === 'object' && value !== null && Array.isArray((value as { content?: unknown }).content);
}

/**
 * An MCP input schema as function parameters: `type: "object"` with a `properties` object (both may be missing in
 * what a server sends, and function-calling APIs require them).
 */
export function objectSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema, type: 'object' };
  if (typeof out['properties'] !== 'object' || out['properties'] === null) out['properties'] = {};
  return out;
}
