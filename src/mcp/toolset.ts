import type { Tool as SdkTool, ToolAnnotations } from '@modelcontextprotocol/client';
import { InvalidOptionError } from '../core/errors.ts';
import { requireObject } from '../core/options.ts';
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
  type Toolset,
  warmedUp,
  warmUpInBackground,
} from './common.ts';
import { MCPToolNotFoundError } from './errors.ts';
import type { MCPToolResult } from './result.ts';
import { serverInfoFromDict } from './server-info.ts';

const TYPE = 'mcptool.MCPToolset';

/** Options of {@link MCPToolset}. */
export interface MCPToolsetOptions extends MCPConnectionOptions {
  /** Only these tools, in this order; each must exist on the server. Default: every tool. */
  toolNames?: string[];
}

/** One tool of a toolset: it calls through the toolset's connection. */
class ToolsetTool implements Tool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: JsonSchema;
  readonly outputSchema: JsonSchema | undefined;
  readonly annotations: ToolAnnotations | undefined;
  readonly #invoke: (name: string, args: Record<string, unknown>, options: InvokeOptions) => Promise<MCPToolResult>;

  constructor(
    definition: SdkTool,
    invoke: (name: string, args: Record<string, unknown>, options: InvokeOptions) => Promise<MCPToolResult>,
  ) {
    this.name = definition.name;
    this.description = definition.description ?? '';
    this.inputSchema = definition.inputSchema as JsonSchema;
    this.outputSchema = definition.outputSchema as JsonSchema | undefined;
    this.annotations = definition.annotations;
    this.#invoke = invoke;
  }

  invoke(args?: Record<string, unknown>, options: InvokeOptions = {}): Promise<MCPToolResult> {
    return this.#invoke(this.name, checkArguments(args), options);
  }
}

/**
 * The tools of one MCP server (all, or those named in `toolNames`) as framework-neutral {@link Tool}s.
 * Lazy by default: `tools` is empty until `warmUp()`; `MCPToolset.connect(options)` connects at once and
 * rejects with the cause. Toolsets and tools of the same server with the same connection options (`serverInfo`,
 * `connectionTimeoutMs`, the same `logger` and `fetch` objects; see `ConnectionPool`) share one connection; `close()` releases this
 * toolset's reference, and the last release closes the connection (a script that closes its toolsets exits).
 *
 * @example
 * const toolset = await MCPToolset.connect({ serverInfo: new StreamableHttpServerInfo({ url: 'http://127.0.0.1:3000/mcp' }) });
 * for (const tool of toolset.tools) console.log(tool.name, tool.inputSchema);
 * await toolset.close();
 */
export class MCPToolset implements Toolset {
  readonly #options: NormalizedConnectionOptions;
  readonly #toolNames: readonly string[] | undefined;
  readonly #holder: ConnectionHolder;
  #tools: readonly Tool[] = Object.freeze([]);
  #warming: Promise<void> | undefined;

  constructor(options: MCPToolsetOptions) {
    const o = requireObject(options, 'MCPToolset options');
    this.#options = normalizeConnectionOptions(options, 'MCPToolset options');
    const names = o['toolNames'];
    if (names !== undefined) {
      if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n.length > 0)) {
        throw new InvalidOptionError('toolNames', 'must be an array of non-empty tool names');
      }
    }
    this.#toolNames = names === undefined ? undefined : Object.freeze([...(names as string[])]);
    this.#holder = new ConnectionHolder(this.#options);
    if (this.#options.eagerConnect) warmUpInBackground(this, this.#options.logger);
  }

  /** Construct and connect now; rejects with the cause (and releases everything) when that fails. */
  static async connect(options: MCPToolsetOptions): Promise<MCPToolset> {
    return warmedUp(new MCPToolset({ ...options, eagerConnect: false }));
  }

  /** The server these tools belong to, as given in the options. */
  get serverInfo() {
    return this.#options.serverInfo;
  }

  /** The names asked for at construction, if any. */
  get toolNames(): readonly string[] | undefined {
    return this.#toolNames;
  }

  /** The tools; empty until `warmUp()` (or `MCPToolset.connect`) has completed. */
  get tools(): readonly Tool[] {
    return this.#tools;
  }

  /** The tool named `name`; `MCPToolNotFoundError` when the toolset has none. Call after `warmUp()`. */
  getTool(name: string): Tool {
    const tool = this.#tools.find((t) => t.name === name);
    if (!tool)
      throw new MCPToolNotFoundError(
        name,
        this.#tools.map((t) => t.name),
        this.serverInfo.describe(),
      );
    return tool;
  }

  /**
   * Connect and list the tools (every page). Rejects with `MCPConnectionError`, or `MCPToolNotFoundError` when a
   * name in `toolNames` is not on the server. Calling it again after success does nothing.
   */
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
    const definitions = await client.listTools();
    let selected = definitions;
    if (this.#toolNames) {
      const byName = new Map(definitions.map((d) => [d.name, d]));
      selected = this.#toolNames.map((name) => {
        const definition = byName.get(name);
        if (!definition) throw new MCPToolNotFoundError(name, [...byName.keys()], client.server);
        return definition;
      });
    }
    const invoke = (name: string, args: Record<string, unknown>, options: InvokeOptions) =>
      this.#invoke(name, args, options);
    this.#tools = Object.freeze(selected.map((definition) => new ToolsetTool(definition, invoke)));
  }

  async #invoke(name: string, args: Record<string, unknown>, options: InvokeOptions): Promise<MCPToolResult> {
    await this.warmUp();
    const client = await this.#holder.open(options.signal);
    return this.#holder.call(client, name, args, options);
  }

  /** Release this toolset's reference to the connection. Its tools work again after another `warmUp()`. */
  async close(): Promise<void> {
    await this.#warming?.catch(() => {});
    this.#warming = undefined;
    await this.#holder.close();
  }

  /** `await using toolset = new MCPToolset(…)` closes it at the end of the block (explicit resource management). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Serialize (handlers, logger and fetch are not serialized; secrets only as environment references). */
  toDict(): SerializedObject {
    const d: SerializedObject = { type: TYPE, ...connectionOptionsToDict(this.#options) };
    if (this.#toolNames) d['tool_names'] = [...this.#toolNames];
    return d;
  }

  /**
   * Recreate a toolset from {@link MCPToolset.toDict}'s output. It is lazy unless the dict says `eager_connect`.
   * @param dict A `{ type: 'mcptool.MCPToolset', server_info, tool_names?, … }` object.
   * @returns The toolset.
   * @throws SerializationError (`INVALID_DICT`) when `dict` or its `server_info` is not a valid dict;
   * InvalidOptionError when an option in it is invalid.
   */
  static fromDict(dict: unknown): MCPToolset {
    const d = asDict(dict, 'MCPToolset', TYPE);
    const options: MCPToolsetOptions = connectionOptionsFromDict(d, serverInfoFromDict);
    if (Array.isArray(d['tool_names'])) options.toolNames = d['tool_names'].map(String);
    return new MCPToolset(options);
  }
}

registerSerializable(TYPE, (d) => MCPToolset.fromDict(d));
