import {
  type CallToolResult,
  type Client,
  type Progress,
  type Tool as SdkTool,
  SseError,
  type Transport,
} from '@modelcontextprotocol/client';
import type { EngineRegistry } from '../auth/engine/registry.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import { redactingLogger } from '../core/redact.ts';
import { openConnection, reconnectWithBackoff, runOnConnection } from './client-connection.ts';
import {
  connectionErrorOf,
  connectTimeoutError,
  describeConnectionFailure,
  invocationErrorOf,
} from './client-errors.ts';
import { installClientHandlers } from './client-handlers.ts';
import {
  type CallToolOptions,
  ClientClosed,
  ConnectTimeout,
  DEFAULT_CONNECTION_TIMEOUT,
  DEFAULT_INVOCATION_TIMEOUT,
  errorText,
  type InFlightCall,
  type LogListener,
  type MCPClientOptions,
  type OperationOptions,
  withDeadline,
} from './client-support.ts';
import type { ElicitationHandler } from './elicitation.ts';
import { MCPConnectionError, MCPConnectionLostError } from './errors.ts';
import { MAX_LIST_PAGES, readAllPages } from './paging.ts';
import type { ServerInfo } from './server-info.ts';

export { httpStatusOf } from './client-errors.ts';
export {
  type CallToolOptions,
  CLIENT_INFO,
  DEFAULT_CONNECTION_TIMEOUT,
  DEFAULT_INVOCATION_TIMEOUT,
  isAuthFailure,
  type LogListener,
  type MCPClientOptions,
  type OperationOptions,
  type ProgressListener,
  type ServerLogEntry,
  type ToolProgress,
} from './client-support.ts';
export { MAX_LIST_PAGES } from './paging.ts';

/**
 * A client for one MCP server, on top of the SDK's `Client` (SDK v2). It connects lazily and once
 * (concurrent callers share the attempt), lists tools across every page, calls tools with a timeout and an
 * `AbortSignal`, reconnects after the connection drops, and closes without leaving a child process, socket or
 * timer behind. One subclass per transport: {@link StreamableHttpClient}, {@link SSEClient}, {@link StdioClient};
 * {@link createClient} picks it from a server info.
 *
 * Client capabilities announced (MCP Client Features): `elicitation` (form mode, SEP-1034 defaults applied).
 * Without a handler an elicitation request is answered `decline`.
 */
export abstract class MCPClient {
  readonly serverInfo: ServerInfo;
  protected readonly logger: Logger;
  protected readonly fetchFn: typeof fetch | undefined;
  /** The OAuth engines of the HTTP transports (undefined: the process's). */
  protected readonly engines: EngineRegistry | undefined;
  readonly #connectionTimeout: number | undefined;
  #client: Client | undefined;
  #transport: Transport | undefined;
  #connecting: Promise<Client> | undefined;
  #everConnected = false;
  #closed = false;
  #lifetime = new AbortController();
  readonly #inFlight: InFlightCall[] = [];
  readonly #logListeners = new Set<LogListener>();
  readonly #elicitationHandlers = new Set<ElicitationHandler>();
  /** The tools of the last `listTools()`, by name: their output schemas validate the results of `callTool()`. */
  #definitions = new Map<string, SdkTool>();

  constructor(serverInfo: ServerInfo, options: MCPClientOptions = {}) {
    this.serverInfo = serverInfo;
    // Every line the library logs passes through URL redaction (user info, query values) first.
    this.logger = redactingLogger(options.logger ?? silentLogger);
    this.fetchFn = options.fetch;
    this.engines = options.engines;
    this.#connectionTimeout = options.connectionTimeoutMs;
  }

  /** A description of the server for messages: URL or command line. */
  get server(): string {
    return this.serverInfo.describe();
  }

  /** Whether a connection is currently open. */
  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** The transport of a new connection. */
  protected abstract createTransport(signal: AbortSignal): Promise<Transport>;

  /** Called once per operation failure; returns true when the operation should be retried once. */
  protected async recover(_error: unknown, _operation: string, _signal: AbortSignal | undefined): Promise<boolean> {
    return false;
  }

  /** Reconnection policy after a dropped connection: attempts beyond the first, and the delays. */
  protected get retryPolicy(): { maxRetries: number; baseDelayMs: number; maxDelayMs: number } {
    return { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 };
  }

  /** The default connection timeout of this transport. */
  protected get defaultConnectionTimeout(): number {
    return DEFAULT_CONNECTION_TIMEOUT;
  }

  /** Add a listener for the server's log entries; returns its removal. */
  addLogListener(listener: LogListener): () => void {
    this.#logListeners.add(listener);
    return () => this.#logListeners.delete(listener);
  }

  /**
   * Add a connection-wide elicitation handler, used for requests that arrive while no call with a handler of its
   * own is in flight. Returns its removal.
   */
  addElicitationHandler(handler: ElicitationHandler): () => void {
    this.#elicitationHandlers.add(handler);
    return () => this.#elicitationHandlers.delete(handler);
  }

  /**
   * Open the connection if it is not open. Rejects with `MCPConnectionError` (`CONNECTION_FAILED`,
   * `CONNECTION_TIMEOUT`, `AUTH_REQUIRED`) or an `OAuthError` from the OAuth engine.
   */
  async connect(options: OperationOptions = {}): Promise<void> {
    await this.#ensureConnected(options);
  }

  async #ensureConnected(options: OperationOptions): Promise<Client> {
    if (this.#closed) {
      throw new MCPConnectionError('CONNECTION_FAILED', this.server, 'connect', 'the client is closed');
    }
    if (this.#client) return this.#client;
    this.#connecting ??= (this.#everConnected ? this.#reconnect(options) : this.#connectOnce(options)).finally(() => {
      this.#connecting = undefined;
    });
    const connecting = this.#connecting;
    if (!options.signal) return connecting;
    return withDeadline(connecting, 2 ** 31 - 1, [options.signal], () => new Error('unreachable'));
  }

  #reconnect(options: OperationOptions): Promise<Client> {
    return reconnectWithBackoff(() => this.#connectOnce(options), this.retryPolicy, {
      logger: this.logger,
      server: this.server,
      closed: () => this.#closed,
      signal: this.#lifetime.signal,
    });
  }

  async #connectOnce(options: OperationOptions, authRetried = false): Promise<Client> {
    const timeout = options.timeoutMs ?? this.#connectionTimeout ?? this.defaultConnectionTimeout;
    let client: Client;
    let transport: Transport;
    try {
      ({ client, transport } = await openConnection({
        createTransport: (signal) => this.createTransport(signal),
        installHandlers: (c) =>
          installClientHandlers(c, {
            logger: this.logger,
            server: this.server,
            elicitationHandler: () =>
              [...this.#inFlight].reverse().find((call) => call.elicitationHandler)?.elicitationHandler ??
              this.#elicitationHandlers.values().next().value,
            logListeners: this.#logListeners,
          }),
        timeoutMs: timeout,
        signals: [options.signal, this.#lifetime.signal],
      }));
    } catch (error) {
      if (this.#lifetime.signal.aborted) throw new ClientClosed();
      if (options.signal?.aborted) throw error;
      if (error instanceof ConnectTimeout)
        throw connectTimeoutError(error, this.server, timeout, this.describeTimeout());
      // The OAuth engine may fix what failed (sign-in, step-up); then connect again, exactly once.
      if (!authRetried && (await this.recover(error, 'connect', options.signal))) {
        return this.#connectOnce(options, true);
      }
      throw this.connectionError(error, 'connect');
    }
    if (this.#closed) {
      await client.close().catch(() => {});
      throw new MCPConnectionError(
        'CONNECTION_FAILED',
        this.server,
        'connect',
        'the client was closed while connecting',
      );
    }
    client.onclose = () => {
      if (this.#client === client) this.logger.info('MCP connection closed', { server: this.server });
      this.#forget(client);
    };
    client.onerror = (error) => this.#onTransportError(client, error);
    this.#client = client;
    this.#transport = transport;
    this.#everConnected = true;
    this.logger.debug('MCP connection open', { server: this.server });
    return client;
  }

  #onTransportError(client: Client, error: Error): void {
    this.logger.debug('MCP transport error', { server: this.server, error: errorText(error) });
    // A dead SSE stream (HTTP+SSE transport) never recovers by itself: drop the connection so pending
    // requests fail now and the next operation reconnects.
    if (this.serverInfo.transport === 'sse' && SseError.isInstance(error) && this.#client === client) {
      this.#drop(client);
    }
  }

  /** Forget `client` if it is the open connection (the next operation reconnects). */
  #forget(client: Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#transport = undefined;
  }

  #drop(client: Client): void {
    this.#forget(client);
    client.close().catch(() => {});
  }

  /** Whether the auth layer holds a current token, so that a final 401 refused it (see connectionError). */
  protected refusedCurrentCredentials(): boolean {
    return false;
  }

  /** Map an error of the SDK or the network to an `MCPConnectionError` (OAuth and mcptool errors pass through). */
  protected connectionError(error: unknown, operation: string): Error {
    return connectionErrorOf(error, {
      server: this.server,
      operation,
      refusedCurrentCredentials: () => this.refusedCurrentCredentials(),
      describeFailure: (e) => this.describeFailure(e),
    });
  }

  /** What the transport saw that may explain a connect timeout (appended to "no answer within N ms"), or ''. */
  protected describeTimeout(): string {
    return '';
  }

  /** A one-line description of why a connection failed. */
  protected describeFailure(error: unknown): string {
    return describeConnectionFailure(error);
  }

  /**
   * Run `fn` on the open connection (see {@link runOnConnection}): reconnect and retry once after a failure that auth
   * can fix or a request that never reached the server.
   */
  #withConnection<T>(
    operation: string,
    options: OperationOptions,
    fn: (client: Client) => Promise<T>,
    onFailure: (error: unknown) => Error,
    toolName?: string,
  ): Promise<T> {
    return runOnConnection(
      {
        server: this.server,
        transport: this.serverInfo.transport,
        logger: this.logger,
        ensureConnected: (o) => this.#ensureConnected(o),
        drop: (client) => this.#drop(client),
        recover: (error, op, signal) => this.recover(error, op, signal),
        succeeded: (op) => this.succeeded(op),
      },
      { operation, options, fn, onFailure, toolName },
    );
  }

  /** A hook after an operation succeeded (the OAuth engine resets its step-up count for it). */
  protected succeeded(_operation: string): void {}

  /**
   * Every tool the server offers, across all pages of `tools/list` (MCP Tools, "Listing Tools"; MCP Utilities,
   * "Pagination"), up to {@link MAX_LIST_PAGES} pages (past it: a warning and the tools read so far).
   */
  async listTools(options: OperationOptions = {}): Promise<SdkTool[]> {
    const requestOptions = {
      timeout: options.timeoutMs ?? this.defaultConnectionTimeout,
      ...(options.signal && { signal: options.signal }),
    };
    const tools = await this.#withConnection(
      'listTools',
      options,
      (client) =>
        readAllPages({
          method: 'tools/list',
          fetchPage: (cursor) =>
            client.request(
              { method: 'tools/list', ...(cursor !== undefined && { params: { cursor } }) },
              requestOptions,
            ),
          items: (page) => page.tools,
          logger: this.logger,
          server: this.server,
        }),
      (error) => this.connectionError(error, 'listTools'),
    );
    this.#definitions = new Map(tools.map((tool) => [tool.name, tool]));
    return tools;
  }

  /**
   * Call a tool (MCP Tools, "Calling Tools") and return the server's whole `CallToolResult`, including one with
   * `isError: true` (the caller decides what that means). Failures are `MCPInvocationError`s: `ABORTED`,
   * `INVOCATION_TIMEOUT`, `INVOCATION_FAILED` (the server answered with an error); connection problems are
   * `MCPConnectionError`s, `CONNECTION_LOST` ({@link MCPConnectionLostError}) when the connection dropped during the
   * call. A call is sent again only when it certainly never reached the server (a refused connection, an unknown
   * session); the next call after a lost connection reconnects.
   */
  async callTool(
    name: string,
    args: Record<string, unknown> = {},
    options: CallToolOptions = {},
  ): Promise<CallToolResult> {
    const timeout = options.timeoutMs ?? DEFAULT_INVOCATION_TIMEOUT;
    const call: InFlightCall = { elicitationHandler: options.elicitationHandler };
    const invocationError = (error: unknown): Error =>
      invocationErrorOf(error, {
        name,
        args,
        timeoutMs: timeout,
        signal: options.signal,
        connectionError: (e) => this.connectionError(e, 'callTool'),
      });
    if (options.signal?.aborted) throw invocationError(options.signal.reason);
    this.#inFlight.push(call);
    try {
      return await this.#withConnection(
        `callTool:${name}`,
        options,
        async (client) => {
          const onProgress = options.onProgress;
          const toolDefinition = this.#definitions.get(name);
          const result = await client.callTool(
            { name, arguments: args },
            {
              timeout,
              ...(toolDefinition && { toolDefinition }),
              ...(options.signal && { signal: options.signal }),
              ...(onProgress && { onprogress: (progress: Progress) => onProgress({ ...progress, toolName: name }) }),
            },
          );
          return result as CallToolResult;
        },
        invocationError,
        name,
      );
    } catch (error) {
      if (error instanceof MCPConnectionError && options.signal?.aborted) throw invocationError(error);
      throw error;
    } finally {
      this.#inFlight.splice(this.#inFlight.indexOf(call), 1);
    }
  }

  /** Close the connection and release everything (child process, sockets, timers). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#lifetime.abort(new ClientClosed());
    await this.#connecting?.catch(() => {});
    const client = this.#client;
    const transport = this.#transport;
    this.#client = undefined;
    this.#transport = undefined;
    if (transport) await this.beforeClose(transport);
    await client?.close().catch(() => {});
    await this.afterClose();
  }

  /** A hook before the transport closes (e.g. to end an HTTP session). */
  protected async beforeClose(_transport: Transport): Promise<void> {}

  /** A hook after the transport closed. */
  protected async afterClose(): Promise<void> {}
}
