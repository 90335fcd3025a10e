import type { Tool as SdkTool, ToolAnnotations } from '@modelcontextprotocol/client';
import { requiredString, requireObject } from '../core/options.ts';
import { asDict, registerSerializable, type SerializedObject } from '../core/serialization.ts';
import {
  ConnectionHolder,
  checkArguments,
  connectionOptionsFromDict,
  connectionOptionsToDict,
  type InvokeOptions,
  type JsonSchema,
  type MCPConnectionOptions,
  type NormalizedConnectionOptions,
  normalizeConnectionOptions,
  type Tool,
  warmedUp,
  warmUpInBackground,
} from './common.ts';
import { MCPToolNotFoundError } from './errors.ts';
import type { MCPToolResult } from './result.ts';
import { serverInfoFromDict } from './server-info.ts';

const TYPE = 'mcptool.MCPTool';

/** Options of {@link MCPTool}. */
export interface MCPToolOptions extends MCPConnectionOptions {
  /** The tool's name on the server. */
  name: string;
  /** Overrides the server's description. */
  description?: string;
}

/**
 * One tool of an MCP server, as a framework-neutral {@link Tool}. Lazy by default: nothing connects until
 * `warmUp()` or the first `invoke()`; `MCPTool.connect(options)` connects at once and rejects with the cause.
 * Tools and toolsets of the same server with the same connection options (`serverInfo`, `connectionTimeoutMs`, the
 * same `logger` and `fetch` objects) share one connection; `close()` releases this tool's reference.
 *
 * `name` and `description` are known at construction; `inputSchema`, `outputSchema` and the server's
 * description arrive with `warmUp()` (before it, `inputSchema` is `{ type: 'object' }`).
 *
 * @example
 * const tool = await MCPTool.connect({ name: 'echo', serverInfo: new StdioServerInfo({ command: 'node', args: ['server.js'] }) });
 * const result = await tool.invoke({ message: 'hi' });
 * await tool.close();
 */
export class MCPTool implements Tool {
  readonly name: string;
  readonly #options: NormalizedConnectionOptions;
  readonly #description: string | undefined;
  readonly #holder: ConnectionHolder;
  #definition: SdkTool | undefined;
  #warming: Promise<void> | undefined;

  constructor(options: MCPToolOptions) {
    const o = requireObject(options, 'MCPTool options');
    this.#options = normalizeConnectionOptions(options, 'MCPTool options');
    this.name = requiredString(o['name'], 'name');
    this.#description = o['description'] === undefined ? undefined : requiredString(o['description'], 'description');
    this.#holder = new ConnectionHolder(this.#options);
    if (this.#options.eagerConnect) warmUpInBackground(this, this.#options.logger, { tool: this.name });
  }

  /** Construct and connect now; rejects with the cause (and releases everything) when that fails. */
  static async connect(options: MCPToolOptions): Promise<MCPTool> {
    return warmedUp(new MCPTool({ ...options, eagerConnect: false }));
  }

  /** The server this tool belongs to, as given in the options. */
  get serverInfo() {
    return this.#options.serverInfo;
  }

  get description(): string {
    return this.#description ?? this.#definition?.description ?? '';
  }

  get inputSchema(): JsonSchema {
    return (this.#definition?.inputSchema as JsonSchema | undefined) ?? { type: 'object' };
  }

  get outputSchema(): JsonSchema | undefined {
    return this.#definition?.outputSchema as JsonSchema | undefined;
  }

  get annotations(): ToolAnnotations | undefined {
    return this.#definition?.annotations;
  }

  /** Connect and read the tool's definition. Rejects with `MCPToolNotFoundError` when the server lacks the tool. */
  warmUp(): Promise<void> {
    this.#warming ??= this.#load().catch(async (error: unknown) => {
      this.#warming = undefined;
      await this.#holder.close();
      throw error;
    });
    return this.#warming;
  }

  async #load(): Promise<void> {
    const client = await this.#holder.open();
    const tools = await client.listTools();
    const definition = tools.find((t) => t.name === this.name);
    if (!definition) {
      throw new MCPToolNotFoundError(
        this.name,
        tools.map((t) => t.name),
        client.server,
      );
    }
    this.#definition = definition;
  }

  /**
   * Call the tool. Resolves with the whole `CallToolResult`; rejects with `MCPInvocationError` (`TOOL_ERROR`
   * with the result for `isError: true`, `INVOCATION_TIMEOUT`, `ABORTED`, `INVOCATION_FAILED`) or
   * `MCPConnectionError`.
   */
  async invoke(args?: Record<string, unknown>, options: InvokeOptions = {}): Promise<MCPToolResult> {
    const checked = checkArguments(args);
    await this.warmUp();
    const client = await this.#holder.open(options.signal);
    return this.#holder.call(client, this.name, checked, options);
  }

  /** Release this tool's reference to the connection (the last one closes it). The tool may be used again later. */
  async close(): Promise<void> {
    await this.#warming?.catch(() => {});
    this.#warming = undefined;
    await this.#holder.close();
  }

  /** `await using tool = new MCPTool(…)` closes it at the end of the block (explicit resource management). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Serialize (handlers, logger and fetch are not serialized; secrets only as environment references). */
  toDict(): SerializedObject {
    const d: SerializedObject = { type: TYPE, name: this.name, ...connectionOptionsToDict(this.#options) };
    if (this.#description !== undefined) d['description'] = this.#description;
    return d;
  }

  /**
   * Recreate a tool from {@link MCPTool.toDict}'s output. It is lazy unless the dict says `eager_connect`.
   * @param dict A `{ type: 'mcptool.MCPTool', name, server_info, … }` object.
   * @returns The tool.
   * @throws SerializationError (`INVALID_DICT`) when `dict` or its `server_info` is not a valid dict;
   * InvalidOptionError when an option in it is invalid.
   */
  static fromDict(dict: unknown): MCPTool {
    const d = asDict(dict, 'MCPTool', TYPE);
    const options: MCPToolOptions = { ...connectionOptionsFromDict(d, serverInfoFromDict), name: String(d['name']) };
    if (typeof d['description'] === 'string') options.description = d['description'];
    return new MCPTool(options);
  }
}

registerSerializable(TYPE, (d) => MCPTool.fromDict(d));
