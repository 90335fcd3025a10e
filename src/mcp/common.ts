import type { ToolAnnotations } from '@modelcontextprotocol/client';
import { InvalidOptionError, quote } from '../core/errors.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import {
  defaulted,
  optional,
  optionalBoolean,
  optionsFromDict,
  parseOptions,
  positiveNumberKind,
  requireObject,
  valuesToDict,
} from '../core/options.ts';
import type { JsonValue, SerializedObject } from '../core/serialization.ts';
import {
  type CallToolOptions,
  DEFAULT_INVOCATION_TIMEOUT,
  type LogListener,
  type MCPClient,
  type ProgressListener,
} from './client.ts';
import { type ClientLease, ConnectionPool, defaultConnectionPool } from './connection-pool.ts';
import type { ElicitationHandler } from './elicitation.ts';
import { MCPInvocationError } from './errors.ts';
import { type MCPToolResult, resultToText } from './result.ts';
import { isServerInfo, type ServerInfo } from './server-info.ts';

/** A JSON Schema object (JSON Schema 2020-12, as MCP tool `inputSchema` / `outputSchema` use it). */
export type JsonSchema = { [key: string]: unknown };

/** Options of one tool invocation. */
export interface InvokeOptions {
  /** Aborts the call: the request is cancelled (`notifications/cancelled`) and `invoke` rejects with `ABORTED`. */
  signal?: AbortSignal;
  /** Overrides the invocation timeout, in ms. */
  timeoutMs?: number;
  /** @deprecated The former name of `timeoutMs`. */
  timeout?: number;
  /** Receives this call's progress notifications (in addition to the tool's `onProgress`). */
  onProgress?: ProgressListener;
}

/**
 * A framework-neutral tool: what an agent needs to show a tool to a model and run it.
 *
 * `invoke` resolves with the whole MCP `CallToolResult` (use `resultToText()` for a model). A result with
 * `isError: true` makes `invoke` reject with an `MCPInvocationError` whose `code` is `TOOL_ERROR` and whose
 * `result` is that whole result, so a tool error is never mistaken for a success and is still available.
 */
export interface Tool {
  /** The tool's name, as the server lists it (MCP `tools/list`). */
  readonly name: string;
  /** A human-readable description for the model; empty when there is none. */
  readonly description: string;
  /** The JSON Schema of the arguments. */
  readonly inputSchema: JsonSchema;
  /** The JSON Schema of `structuredContent`, when the server declares one. */
  readonly outputSchema?: JsonSchema | undefined;
  /** The server's hints about the tool (read-only, destructive, …). */
  readonly annotations?: ToolAnnotations | undefined;
  /**
   * Call the tool (MCP `tools/call`).
   * @param args The tool's arguments: a plain object matching `inputSchema`. Default `{}`.
   * @param options Per-call options (abort signal, timeout, progress listener, …).
   * @returns The whole MCP `CallToolResult`.
   * @throws MCPInvocationError (code `TOOL_ERROR`) when the result has `isError: true`; an `MCPError` (e.g.
   * `MCPConnectionError`, or `MCPInvocationError` for a failed call, timeout or abort) when connecting or calling
   * fails; InvalidOptionError when `args` is not a plain object.
   */
  invoke(args?: Record<string, unknown>, options?: InvokeOptions): Promise<MCPToolResult>;
}

/** A set of tools with one lifetime. */
export interface Toolset {
  /** The tools; empty until `warmUp()` has completed. */
  readonly tools: readonly Tool[];
  /**
   * Connect and list the tools; calling it again after success does nothing.
   * @returns A promise that resolves once `tools` is filled.
   * @throws MCPError when connecting or listing fails.
   */
  warmUp(): Promise<void>;
  /**
   * Release the set's hold on its connection.
   * @returns A promise that resolves once released.
   */
  close(): Promise<void>;
}

/** Options shared by `MCPTool` and `MCPToolset`. */
export interface MCPConnectionOptions {
  /** Which MCP server to connect to, and how (stdio, Streamable HTTP or SSE). */
  serverInfo: ServerInfo;
  /** How long connecting may take, in ms. Default: the HTTP server info's `timeoutMs`, else 30000. */
  connectionTimeoutMs?: number;
  /** How long a tool call may take, in ms. Default 60000. */
  invocationTimeoutMs?: number;
  /** @deprecated The former name of `connectionTimeoutMs` (still accepted; both with different values is an error). */
  connectionTimeout?: number;
  /** @deprecated The former name of `invocationTimeoutMs` (still accepted; both with different values is an error). */
  invocationTimeout?: number;
  /** Connect at construction (in the background) instead of at first use. Default false. */
  eagerConnect?: boolean;
  /** Where the connection logs. Tools and toolsets share a connection only with the same logger object. */
  logger?: Logger;
  /** Receives the server's elicitation requests made during this tool's (or toolset's) calls. */
  elicitationHandler?: ElicitationHandler;
  /** Receives the progress notifications of this tool's (or toolset's) calls. */
  onProgress?: ProgressListener;
  /** Receives the log entries of the server (shared by everything connected to that server). */
  onLog?: LogListener;
  /**
   * The fetch used by the HTTP transports and the OAuth engine. Tools and toolsets share a connection only with
   * the same fetch function.
   */
  fetch?: typeof fetch;
  /**
   * The pool whose connections this tool or toolset shares; default: the process's (`defaultConnectionPool`). A
   * `new ConnectionPool()` gives connections (and OAuth engines, with its `engines`) not shared with the rest of
   * the process, e.g. in a test.
   */
  pool?: ConnectionPool;
}

/** Validated common options. */
export interface NormalizedConnectionOptions {
  serverInfo: ServerInfo;
  connectionTimeoutMs: number | undefined;
  invocationTimeoutMs: number;
  eagerConnect: boolean;
  logger: Logger;
  elicitationHandler: ElicitationHandler | undefined;
  onProgress: ProgressListener | undefined;
  onLog: LogListener | undefined;
  fetch: typeof fetch | undefined;
  pool: ConnectionPool;
}

function optionalFunction<T>(value: unknown, field: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new InvalidOptionError(field, 'must be a function');
  return value as T;
}

/** The durations of `MCPTool` and `MCPToolset`, declared once (validation, default, dict keys, former names). */
const DURATION_OPTIONS = {
  connectionTimeoutMs: optional('connection_timeout_ms', positiveNumberKind, {
    alias: 'connectionTimeout',
    wireAlias: 'connection_timeout',
  }),
  invocationTimeoutMs: defaulted('invocation_timeout_ms', positiveNumberKind, DEFAULT_INVOCATION_TIMEOUT, {
    alias: 'invocationTimeout',
    wireAlias: 'invocation_timeout',
  }),
};

/** Validate the common options once, naming the field at fault. */
export function normalizeConnectionOptions(options: unknown, what: string): NormalizedConnectionOptions {
  const o = requireObject(options, what);
  if (!isServerInfo(o['serverInfo'])) {
    throw new InvalidOptionError(
      'serverInfo',
      'must be a StreamableHttpServerInfo, SSEServerInfo or StdioServerInfo instance',
    );
  }
  const logger = o['logger'];
  if (logger !== undefined && (typeof logger !== 'object' || logger === null || !('warn' in logger))) {
    throw new InvalidOptionError('logger', 'must be a Logger (debug, info, warn, error)');
  }
  const pool = o['pool'];
  if (pool !== undefined && !(pool instanceof ConnectionPool)) {
    throw new InvalidOptionError('pool', 'must be a ConnectionPool');
  }
  return {
    serverInfo: o['serverInfo'],
    ...parseOptions(DURATION_OPTIONS, o, ''),
    eagerConnect: optionalBoolean(o['eagerConnect'], 'eagerConnect') ?? false,
    logger: (logger as Logger | undefined) ?? silentLogger,
    elicitationHandler: optionalFunction<ElicitationHandler>(o['elicitationHandler'], 'elicitationHandler'),
    onProgress: optionalFunction<ProgressListener>(o['onProgress'], 'onProgress'),
    onLog: optionalFunction<LogListener>(o['onLog'], 'onLog'),
    fetch: optionalFunction<typeof fetch>(o['fetch'], 'fetch'),
    pool: pool ?? defaultConnectionPool,
  };
}

/** The serialized form of the common options (handlers, logger, fetch and pool are not serialized). */
export function connectionOptionsToDict(o: NormalizedConnectionOptions): { [key: string]: JsonValue } {
  const d: { [key: string]: JsonValue } = {
    server_info: o.serverInfo.toDict(),
    ...valuesToDict(DURATION_OPTIONS, o, ''),
  };
  d['eager_connect'] = o.eagerConnect;
  return d;
}

/** Read the common options back from a dict. */
export function connectionOptionsFromDict(
  d: SerializedObject,
  serverInfoFromDict: (dict: unknown) => ServerInfo,
): Omit<MCPConnectionOptions, 'logger'> {
  const options: Omit<MCPConnectionOptions, 'logger'> = {
    serverInfo: serverInfoFromDict(d['server_info']),
    ...optionsFromDict(DURATION_OPTIONS, d, ''),
  };
  if (typeof d['eager_connect'] === 'boolean') options.eagerConnect = d['eager_connect'];
  return options;
}

/** Validate tool arguments: a plain object (MCP `tools/call` `arguments`). */
export function checkArguments(args: unknown): Record<string, unknown> {
  if (args === undefined) return {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new InvalidOptionError('args', 'tool arguments must be a JSON object');
  }
  return args as Record<string, unknown>;
}

/**
 * One reference to the shared connection of a server, with this holder's listeners. Opens lazily, closes by
 * releasing the reference (the last holder's release closes the connection).
 */
export class ConnectionHolder {
  readonly #options: NormalizedConnectionOptions;
  #lease: ClientLease | undefined;
  #removers: (() => void)[] = [];

  constructor(options: NormalizedConnectionOptions) {
    this.#options = options;
  }

  /** The shared client, connected. */
  async open(signal?: AbortSignal): Promise<MCPClient> {
    if (!this.#lease) {
      const o = this.#options;
      const lease = o.pool.acquire(o.serverInfo, {
        logger: o.logger,
        ...(o.connectionTimeoutMs !== undefined && { connectionTimeoutMs: o.connectionTimeoutMs }),
        ...(o.fetch && { fetch: o.fetch }),
      });
      this.#lease = lease;
      if (o.onLog) this.#removers.push(lease.client.addLogListener(o.onLog));
      if (o.elicitationHandler) this.#removers.push(lease.client.addElicitationHandler(o.elicitationHandler));
    }
    const client = this.#lease.client;
    await client.connect({
      ...(signal && { signal }),
      ...(this.#options.connectionTimeoutMs !== undefined && { timeoutMs: this.#options.connectionTimeoutMs }),
    });
    return client;
  }

  /** Call a tool with this holder's timeout and handlers; a result with `isError` is thrown as `TOOL_ERROR`. */
  async call(client: MCPClient, name: string, args: Record<string, unknown>, options: InvokeOptions = {}) {
    const o = this.#options;
    const listeners = [o.onProgress, options.onProgress].filter((l): l is ProgressListener => l !== undefined);
    if (options.timeoutMs !== undefined && options.timeout !== undefined && options.timeoutMs !== options.timeout) {
      throw new InvalidOptionError(
        'timeoutMs',
        'is also given under its deprecated name timeout, with a different value; give only timeoutMs',
      );
    }
    const callOptions: CallToolOptions = {
      timeoutMs: options.timeoutMs ?? options.timeout ?? o.invocationTimeoutMs,
      signal: options.signal,
      elicitationHandler: o.elicitationHandler,
      onProgress: listeners.length
        ? (progress) => {
            for (const listener of listeners) listener(progress);
          }
        : undefined,
    };
    const result = await client.callTool(name, args, callOptions);
    if (result.isError === true) {
      const text = resultToText(result)
        .trim()
        .replace(/\s*\n\s*/g, ' ');
      throw new MCPInvocationError('TOOL_ERROR', name, args, `reported an error: ${quote(text || '(no message)')}`, {
        result,
      });
    }
    return result;
  }

  /** Release this holder's reference. Idempotent. */
  async close(): Promise<void> {
    const lease = this.#lease;
    this.#lease = undefined;
    for (const remove of this.#removers.splice(0)) remove();
    await lease?.release();
  }
}

/** What `MCPTool` and `MCPToolset` share for eager connection. */
interface WarmUpTarget {
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

/** `connect()`: warm up now; on failure release everything and reject with the cause. */
export async function warmedUp<T extends WarmUpTarget>(target: T): Promise<T> {
  try {
    await target.warmUp();
  } catch (error) {
    await target.close();
    throw error;
  }
  return target;
}

/** `eagerConnect`: start warming up in the background; a failure is logged and the first use tries again. */
export function warmUpInBackground(target: WarmUpTarget, logger: Logger, fields: Record<string, unknown> = {}): void {
  target.warmUp().catch((error: unknown) => {
    logger.warn('Eager connection failed; the first use will try again', {
      ...fields,
      error: error instanceof Error ? error.message : String(error),
    });
  });
}
