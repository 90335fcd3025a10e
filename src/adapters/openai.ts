/**
 * OpenAI function-calling adapter (`mcptool/openai`): tool definitions for the Chat Completions API and an
 * executor for the `tool_calls` the model returns. No dependency on the `openai` package.
 *
 * @example
 * const { tools, execute } = await toOpenAITools(toolset);
 * const completion = await openai.chat.completions.create({ model, messages, tools });
 * for (const call of completion.choices[0].message.tool_calls ?? []) messages.push(await execute(call));
 */
import { quote } from '../core/errors.ts';
import type { JsonSchema, Tool } from '../mcp/common.ts';
import { resultToText } from '../mcp/result.ts';
import { callTool, errorText, namedTools, objectSchema } from './common.ts';
import type { ToolSource } from './tools.ts';

export type { ToolSource } from './tools.ts';

/** A function tool definition (OpenAI Chat Completions `tools[i]`). */
export interface OpenAIFunctionTool {
  /** Always `function`. */
  type: 'function';
  /** The function the model may call. */
  function: {
    /** The tool's name, made unique and valid for OpenAI (letters, digits, `_`, `-`; at most 64 characters). */
    name: string;
    /** The tool's description. */
    description: string;
    /** The JSON Schema of the arguments (an object schema). */
    parameters: JsonSchema;
  };
}

/** A tool call from the model (`choices[0].message.tool_calls[i]`); `arguments` is a JSON string. */
export interface OpenAIToolCall {
  /** The call's id, repeated in the answer's `tool_call_id`. */
  id: string;
  /** `function` when given. */
  type?: 'function';
  /** The function called. */
  function: {
    /** The function's name, as in {@link OpenAIFunctionTool}. */
    name: string;
    /** The arguments, a JSON object as a string. */
    arguments: string;
  };
}

/** The message that answers a tool call. */
export interface OpenAIToolMessage {
  /** Always `tool`. */
  role: 'tool';
  /** The `id` of the {@link OpenAIToolCall} this answers. */
  tool_call_id: string;
  /** The tool result as text; `Error: ...` for a problem the model can correct. */
  content: string;
}

/** Tool definitions plus their executor. */
export interface OpenAITools {
  /** The definitions to pass as `tools` to the Chat Completions API. */
  tools: OpenAIFunctionTool[];
  /**
   * Run one tool call and return the `role: 'tool'` message for it. Problems the model can correct come back as
   * the message's content, starting with `Error:` (arguments that are not a JSON object, an unknown function
   * name, a tool result with `isError`); connection failures, timeouts and aborts throw.
   */
  execute(toolCall: OpenAIToolCall, options?: { signal?: AbortSignal }): Promise<OpenAIToolMessage>;
}

/**
 * The tools of a toolset as OpenAI function tools, named with model-safe names (`^[a-zA-Z0-9_-]{1,64}$`), and an
 * executor that maps each name back to its MCP tool. Results are converted with `resultToText()`.
 *
 * @param source - A toolset (warmed up here: connected and its tools listed, a no-op when it already is) or a list
 *   of tools.
 * @returns The function tool definitions and their executor.
 * @throws `MCPConnectionError` when the toolset cannot connect (code `AUTH_REQUIRED` for a 401 no sign-in could
 *   satisfy), an `OAuthError` when the sign-in failed, or `MCPToolNotFoundError` when a name in its `toolNames` is
 *   not on the server.
 */
export async function toOpenAITools(source: ToolSource): Promise<OpenAITools> {
  const named = await namedTools(source);
  const byName = new Map<string, Tool>(named.map(({ name, tool }) => [name, tool]));
  const tools: OpenAIFunctionTool[] = named.map(({ name, tool }) => ({
    type: 'function',
    function: { name, description: tool.description, parameters: objectSchema(tool.inputSchema) },
  }));

  async function execute(toolCall: OpenAIToolCall, options: { signal?: AbortSignal } = {}): Promise<OpenAIToolMessage> {
    const reply = (content: string): OpenAIToolMessage => ({ role: 'tool', tool_call_id: toolCall.id, content });
    const target = byName.get(toolCall.function.name);
    if (!target) {
      return reply(
        `Error: there is no function ${quote(toolCall.function.name)}; use one of ${[...byName.keys()].join(', ')}`,
      );
    }
    let args: unknown;
    try {
      const raw = toolCall.function.arguments;
      args = raw === undefined || raw.trim() === '' ? {} : JSON.parse(raw);
    } catch (error) {
      return reply(
        `Error: the arguments are not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      return reply('Error: the arguments must be a JSON object');
    }
    const result = await callTool(target, args, options.signal);
    return reply(result.isError === true ? errorText(result) : resultToText(result));
  }

  return { tools, execute };
}
