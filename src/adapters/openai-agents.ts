/**
 * OpenAI Agents SDK adapter (`mcptool/openai-agents`): MCP tools as function tools of `@openai/agents`, an
 * optional peer dependency that only this subpath imports.
 *
 * @example
 * import { Agent, run } from '@openai/agents';
 * import { toOpenAIAgentsTools } from 'mcptool/openai-agents';
 * const agent = new Agent({ name: 'assistant', tools: await toOpenAIAgentsTools(toolset) });
 * const result = await run(agent, 'What is 2 + 3?');
 */
import { type FunctionTool, tool } from '@openai/agents';
import type { MCPToolResult } from '../mcp/result.ts';
import { callTool, errorText, modelView, namedTools, objectSchema } from './common.ts';
import type { ToolSource } from './tools.ts';

export type { ToolSource } from './tools.ts';

/** The shape the SDK's types give non-strict JSON Schema parameters (its own type is not exported). */
interface NonStrictParameters {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required: string[];
  additionalProperties: true;
}

/** A function tool output of the Agents SDK: text, or text and images (base64 data with their media type). */
export type OpenAIAgentsToolOutput =
  | string
  | (
      | {
          /** A text item. */
          type: 'text';
          /** Its text. */
          text: string;
        }
      | {
          /** An image item. */
          type: 'image';
          /** The image. */
          image: {
            /** The bytes, base64-encoded. */
            data: string;
            /** The IANA media type, e.g. `image/png`. */
            mediaType: string;
          };
        }
    )[];

/**
 * A result as a function tool output: for a result with `isError`, its text after `Error: ` (function call outputs
 * have no error flag, so this is the SDK's error form: text, as the SDK itself gives the model for a tool that
 * throws); with images, text and image items (audio as its placeholder text); otherwise `resultToText()`.
 *
 * @param result - The result of an MCP tool call.
 * @returns The function tool output the model is shown.
 */
export function toOpenAIAgentsOutput(result: MCPToolResult): OpenAIAgentsToolOutput {
  const view = modelView(result);
  if (view.isError) return errorText(result);
  if (!view.parts) return view.text;
  return view.parts.map((part) =>
    part.type === 'media' && part.kind === 'image'
      ? { type: 'image' as const, image: { data: part.data, mediaType: part.mediaType } }
      : { type: 'text' as const, text: part.type === 'text' ? part.text : `[audio: ${part.mediaType}]` },
  );
}

/**
 * The tools of a toolset as Agents SDK function tools named with model-safe names without hyphens (`^[a-zA-Z0-9_]{1,64}$`: the SDK
 * would replace them itself, and `get-sum` and `get_sum` would then clash), with
 * the MCP input schema as non-strict parameters (MCP schemas are not written for strict mode). Each runs the MCP
 * tool with the run's abort signal and answers with {@link toOpenAIAgentsOutput}; connection failures and timeouts
 * throw, and the SDK gives the model its own error text for them.
 *
 * @param source - A toolset (warmed up here: connected and its tools listed, a no-op when it already is) or a list
 *   of tools.
 * @returns The Agents SDK function tools.
 * @throws `MCPConnectionError` when the toolset cannot connect (code `AUTH_REQUIRED` for a 401 no sign-in could
 *   satisfy), an `OAuthError` when the sign-in failed, or `MCPToolNotFoundError` when a name in its `toolNames` is
 *   not on the server.
 */
export async function toOpenAIAgentsTools(source: ToolSource): Promise<FunctionTool[]> {
  return (await namedTools(source, { hyphens: false })).map(
    ({ name, tool: mcpTool }) =>
      tool({
        name,
        description: mcpTool.description,
        // The SDK's type for a non-strict JSON Schema; an MCP schema is only known at run time and is passed as it is.
        parameters: objectSchema(mcpTool.inputSchema) as unknown as NonStrictParameters,
        strict: false,
        execute: async (input, _context, details) =>
          toOpenAIAgentsOutput(await callTool(mcpTool, input, details?.signal)),
      }) as unknown as FunctionTool,
  );
}
