import { type MCPErrorCode, McptoolError, quote } from '../core/errors.ts';

export type { MCPErrorCode } from '../core/errors.ts';

/**
 * Base of every error of the MCP layer (server infos aside, which throw `InvalidOptionError`).
 * `code` is stable; `cause` is the underlying SDK, network or OAuth error.
 */
export class MCPError extends McptoolError {
  declare readonly code: MCPErrorCode;

  constructor(code: MCPErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * The connection to an MCP server could not be opened, was lost, or was refused for lack of authorization.
 *
 * - `CONNECTION_FAILED`: the server could not be reached or the MCP handshake failed (MCP Lifecycle, Initialization).
 * - `AUTH_REQUIRED`: the server answered 401 and no OAuth engine could satisfy it (MCP Authorization §2.x).
 * - `CONNECTION_TIMEOUT`: connecting took longer than the connection timeout.
 * - `CONNECTION_LOST`: the connection dropped while a request was in flight ({@link MCPConnectionLostError}).
 */
export class MCPConnectionError extends MCPError {
  declare readonly code: 'CONNECTION_FAILED' | 'AUTH_REQUIRED' | 'CONNECTION_TIMEOUT' | 'CONNECTION_LOST';
  /** A description of the server (URL or command line), never a credential. */
  readonly server: string;
  /** What was being done: `connect`, `listTools`, `callTool`. */
  readonly operation: string;

  constructor(
    code: 'CONNECTION_FAILED' | 'AUTH_REQUIRED' | 'CONNECTION_TIMEOUT' | 'CONNECTION_LOST',
    server: string,
    operation: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${operation} to MCP server ${server} failed: ${detail}`, options);
    this.server = server;
    this.operation = operation;
  }
}

/**
 * `CONNECTION_LOST`: the connection dropped while the request was in flight (the socket was reset, the server went
 * away, the stdio server process exited, the HTTP+SSE stream ended). Whether the server ran a tool call is unknown,
 * so the call is not sent again (a tool call need not be idempotent): the caller decides. The next operation opens
 * a new connection. Catch it as `MCPConnectionError`, or by its code.
 */
export class MCPConnectionLostError extends MCPConnectionError {
  declare readonly code: 'CONNECTION_LOST';
  /** The tool being called, when the request was a tool call. */
  readonly toolName: string | undefined;

  constructor(
    server: string,
    operation: string,
    toolName: string | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('CONNECTION_LOST', server, operation, detail, options);
    this.toolName = toolName;
  }
}

/** A tool name was asked for that the server does not offer (MCP Tools, `tools/list`). */
export class MCPToolNotFoundError extends MCPError {
  declare readonly code: 'TOOL_NOT_FOUND';
  /** The name that was asked for. */
  readonly toolName: string;
  /** The names the server offers. */
  readonly availableTools: readonly string[];
  /** The server, as its server info describes it (`describe()`). */
  readonly server: string;

  constructor(toolName: string, availableTools: readonly string[], server: string) {
    const list = availableTools.length === 0 ? 'none' : availableTools.map((n) => quote(n)).join(', ');
    super('TOOL_NOT_FOUND', `MCP server ${server} has no tool ${quote(toolName)}; available tools: ${list}`);
    this.toolName = toolName;
    this.availableTools = Object.freeze([...availableTools]);
    this.server = server;
  }
}

/**
 * A tool call failed.
 *
 * - `INVOCATION_FAILED`: the server answered the request with an error (protocol error, invalid arguments).
 * - `TOOL_ERROR`: the tool ran and returned a result with `isError: true` (MCP Tools, "Error Handling");
 *   the whole result is in {@link MCPInvocationError.result}.
 * - `INVOCATION_TIMEOUT`: no result within the invocation timeout.
 * - `ABORTED`: the caller's `AbortSignal` fired.
 */
export class MCPInvocationError extends MCPError {
  declare readonly code: 'INVOCATION_FAILED' | 'TOOL_ERROR' | 'INVOCATION_TIMEOUT' | 'ABORTED';
  /** The name of the tool that was called. */
  readonly toolName: string;
  /** The arguments the tool was called with. */
  readonly arguments: Readonly<Record<string, unknown>>;
  /** For `TOOL_ERROR`: the server's whole `CallToolResult`. */
  readonly result: unknown;

  constructor(
    code: 'INVOCATION_FAILED' | 'TOOL_ERROR' | 'INVOCATION_TIMEOUT' | 'ABORTED',
    toolName: string,
    args: Readonly<Record<string, unknown>>,
    detail: string,
    options?: { cause?: unknown; result?: unknown },
  ) {
    super(code, `Tool ${quote(toolName)} ${detail}`, options);
    this.toolName = toolName;
    this.arguments = args;
    this.result = options?.result;
  }
}
