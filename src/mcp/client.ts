import {
  type AuthProvider,
  type CallToolResult,
  Client,
  type LoggingMessageNotificationParams,
  type Progress,
  ProtocolError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  type Tool as SdkTool,
  SSEClientTransport,
  SseError,
  StreamableHTTPClientTransport,
  type Transport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { ConnectionAuth } from '../auth/connection-auth.ts';
import { OAuthError } from '../auth/errors.ts';
import { createConnectionAuth } from '../auth/session.ts';
import { McptoolError, quote } from '../core/errors.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import { applyElicitationDefaults, type ElicitationHandler, type ElicitationResponse } from './elicitation.ts';
import { MCPConnectionError, MCPInvocationError } from './errors.ts';
import type { ServerInfo, SSEServerInfo, StdioServerInfo, StreamableHttpServerInfo } from './server-info.ts';

/** The name and version this client announces in `initialize` (MCP Lifecycle, "Initialization"). */
export const CLIENT_INFO = Object.freeze({ name: 'mcptool', version: '0.1.0' });

/** Default connection timeout for stdio servers, in ms (HTTP servers use their `timeout`). */
export const DEFAULT_CONNECTION_TIMEOUT = 30_000;
/** Default invocation timeout of a tool call, in ms. */
export const DEFAULT_INVOCATION_TIMEOUT = 60_000;
/** Hard cap on `tools/list` pages, against servers whose pagination never ends. */
export const MAX_TOOL_PAGES = 1_000;

/** A progress notification of a tool call (MCP Utilities, "Progress"). */
export interface ToolProgress extends Progress {
  /** The tool the progress belongs to. */
  toolName: string;
}

/** Receives the progress notifications of tool calls. */
export type ProgressListener = (progress: ToolProgress) => void;

/** A log entry the server sent with `notifications/message` (MCP Utilities, "Logging"). */
export type ServerLogEntry = LoggingMessageNotificationParams;

/** Receives the server's log entries. */
export type LogListener = (entry: ServerLogEntry) => void;

/** Options of an {@link MCPClient}. */
export interface MCPClientOptions {
  /** How long connecting (spawn or HTTP handshake plus `initialize`) may take, in ms. */
  connectionTimeout?: number;
  logger?: Logger;
  /** Used for every HTTP request of the HTTP transports and of the OAuth engine. */
  fetch?: typeof fetch;
}

/** Options of one operation. */
export interface OperationOptions {
  signal?: AbortSignal | undefined;
  /** In ms. */
  timeout?: number | undefined;
}

/** Options of one tool call. */
export interface CallToolOptions extends OperationOptions {
  onProgress?: ProgressListener | undefined;
  /** Receives the server's elicitation requests made during this call. */
  elicitationHandler?: ElicitationHandler | undefined;
}

interface InFlightCall {
  elicitationHandler: ElicitationHandler | undefined;
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

function causeCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    e = e.cause;
  }
  return undefined;
}

/** Whether an error is a 401/403 that no OAuth engine handled. */
export function isAuthFailure(error: unknown): boolean {
  if (UnauthorizedError.isInstance(error)) return true;
  if (SdkHttpError.isInstance(error) && (error.status === 401 || error.status === 403)) return true;
  if (
    SdkError.isInstance(error) &&
    (error.code === SdkErrorCode.ClientHttpAuthentication || error.code === SdkErrorCode.ClientHttpForbidden)
  ) {
    return true;
  }
  if (SseError.isInstance(error) && (error.code === 401 || error.code === 403)) return true;
  return false;
}

/** Whether an error means the connection (not the request) failed: the transport is unusable. */
function isConnectionFailure(error: unknown): boolean {
  if (SdkHttpError.isInstance(error)) return error.status === 404 || error.status >= 500;
  if (SdkError.isInstance(error)) {
    return (
      error.code === SdkErrorCode.ConnectionClosed ||
      error.code === SdkErrorCode.NotConnected ||
      error.code === SdkErrorCode.SendFailed ||
      error.code === SdkErrorCode.ClientHttpFailedToOpenStream
    );
  }
  if (SseError.isInstance(error)) return true;
  if (error instanceof TypeError && /fetch failed|terminated/i.test(error.message)) return true;
  return causeCode(error) !== undefined;
}

/** Whether a failed request certainly never reached the server, so it is safe to send again on a new connection. */
function wasNeverDelivered(error: unknown): boolean {
  if (SdkHttpError.isInstance(error)) return error.status === 404; // session unknown: start a new one (Transports §"Session Management")
  if (SdkError.isInstance(error) && error.code === SdkErrorCode.NotConnected) return true;
  const code = causeCode(error);
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Race `promise` against a deadline and a signal; the timer is always cleared. */
async function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  signals: (AbortSignal | undefined)[],
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const cleanups: (() => void)[] = [];
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
        for (const signal of signals) {
          if (!signal) continue;
          if (signal.aborted) reject(signal.reason);
          const onAbort = () => reject(signal.reason);
          signal.addEventListener('abort', onAbort, { once: true });
          cleanups.push(() => signal.removeEventListener('abort', onAbort));
        }
      }),
    ]);
  } finally {
    clearTimeout(timer);
    for (const cleanup of cleanups) cleanup();
  }
}

class ConnectTimeout extends Error {}
class ClientClosed extends Error {}

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

  constructor(serverInfo: ServerInfo, options: MCPClientOptions = {}) {
    this.serverInfo = serverInfo;
    this.logger = options.logger ?? silentLogger;
    this.fetchFn = options.fetch;
    this.#connectionTimeout = options.connectionTimeout;
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
  protected get retryPolicy(): { maxRetries: number; baseDelay: number; maxDelay: number } {
    return { maxRetries: 0, baseDelay: 0, maxDelay: 0 };
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

  async #reconnect(options: OperationOptions): Promise<Client> {
    const { maxRetries, baseDelay, maxDelay } = this.retryPolicy;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#connectOnce(options);
      } catch (error) {
        const retryable =
          error instanceof MCPConnectionError &&
          error.code !== 'AUTH_REQUIRED' &&
          !this.#closed &&
          attempt < maxRetries;
        if (!retryable) throw error;
        const delay = Math.min(maxDelay, baseDelay * 2 ** attempt);
        this.logger.info('MCP reconnection failed; retrying', { server: this.server, attempt: attempt + 1, delay });
        await sleep(delay, this.#lifetime.signal).catch(() => {
          throw error;
        });
      }
    }
  }

  async #connectOnce(options: OperationOptions, authRetried = false): Promise<Client> {
    const timeout = options.timeout ?? this.#connectionTimeout ?? this.defaultConnectionTimeout;
    const attempt = new AbortController();
    const client = new Client(CLIENT_INFO, {
      capabilities: { elicitation: { form: { applyDefaults: true } } },
    });
    this.#installHandlers(client);
    let transport: Transport | undefined;
    const work = (async () => {
      transport = await this.createTransport(attempt.signal);
      if (attempt.signal.aborted) throw attempt.signal.reason;
      await client.connect(transport, { timeout, signal: attempt.signal });
    })();
    try {
      await withDeadline(work, timeout, [options.signal, this.#lifetime.signal], () => new ConnectTimeout());
    } catch (error) {
      attempt.abort(error);
      work.catch(() => {});
      await client.close().catch(() => {});
      await transport?.close().catch(() => {});
      if (this.#lifetime.signal.aborted) throw new ClientClosed();
      if (options.signal?.aborted) throw error;
      if (error instanceof ConnectTimeout) {
        throw new MCPConnectionError(
          'CONNECTION_TIMEOUT',
          this.server,
          'connect',
          `no answer within ${timeout} ms`,
          error.cause === undefined ? undefined : { cause: error.cause },
        );
      }
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
      if (this.#client === client) {
        this.logger.info('MCP connection closed', { server: this.server });
        this.#client = undefined;
        this.#transport = undefined;
      }
    };
    client.onerror = (error) => this.#onTransportError(client, error);
    this.#client = client;
    this.#transport = transport;
    this.#everConnected = true;
    this.logger.debug('MCP connection open', { server: this.server });
    return client;
  }

  #installHandlers(client: Client): void {
    client.setRequestHandler('elicitation/create', async (request, ctx) => {
      const params = request.params;
      const handler =
        [...this.#inFlight].reverse().find((call) => call.elicitationHandler)?.elicitationHandler ??
        this.#elicitationHandlers.values().next().value;
      if (!handler) {
        this.logger.info('Declined an elicitation request: no elicitation handler is configured', {
          server: this.server,
        });
        return { action: 'decline' };
      }
      const answer: ElicitationResponse = await handler(params, { signal: ctx.mcpReq.signal });
      if (answer.action === 'accept' && (params.mode ?? 'form') === 'form' && 'requestedSchema' in params) {
        return {
          ...answer,
          content: applyElicitationDefaults(
            params.requestedSchema,
            answer.content ?? {},
          ) as ElicitationResponse['content'],
        };
      }
      return answer;
    });
    client.setNotificationHandler('notifications/message', (notification) => {
      const entry = notification.params;
      this.logger.debug('MCP server log', { server: this.server, level: entry.level, logger: entry.logger });
      for (const listener of this.#logListeners) {
        try {
          listener(entry);
        } catch (error) {
          this.logger.warn('A log listener threw', { error: errorText(error) });
        }
      }
    });
  }

  #onTransportError(client: Client, error: Error): void {
    this.logger.debug('MCP transport error', { server: this.server, error: errorText(error) });
    // A dead SSE stream (HTTP+SSE transport) never recovers by itself: drop the connection so pending
    // requests fail now and the next operation reconnects.
    if (this.serverInfo.transport === 'sse' && SseError.isInstance(error) && this.#client === client) {
      this.#drop(client);
    }
  }

  #drop(client: Client): void {
    if (this.#client === client) {
      this.#client = undefined;
      this.#transport = undefined;
    }
    client.close().catch(() => {});
  }

  /** Map an error of the SDK or the network to an `MCPConnectionError` (OAuth and mcptool errors pass through). */
  protected connectionError(error: unknown, operation: string): Error {
    if (error instanceof McptoolError && !(error instanceof MCPInvocationError)) return error;
    if (error instanceof OAuthError) return error;
    if (isAuthFailure(error)) {
      return new MCPConnectionError(
        'AUTH_REQUIRED',
        this.server,
        operation,
        'the server requires authorization (HTTP 401/403) and no credentials it accepts were available',
        { cause: error },
      );
    }
    if (SdkError.isInstance(error) && error.code === SdkErrorCode.RequestTimeout) {
      return new MCPConnectionError('CONNECTION_TIMEOUT', this.server, operation, 'the server did not answer in time', {
        cause: error,
      });
    }
    return new MCPConnectionError('CONNECTION_FAILED', this.server, operation, this.describeFailure(error), {
      cause: error,
    });
  }

  /** A one-line description of why a connection failed. */
  protected describeFailure(error: unknown): string {
    const code = causeCode(error);
    if (code === 'ECONNREFUSED') return 'connection refused (is the server running?)';
    if (ProtocolError.isInstance(error)) return `the server answered with an error: ${quote(error.message)}`;
    return quote(errorText(error));
  }

  /**
   * Run `fn` on the open connection. On a failure that auth can fix, or a request that never reached the server
   * (stale session, refused connection), reconnect and retry once.
   */
  async #withConnection<T>(
    operation: string,
    options: OperationOptions,
    fn: (client: Client) => Promise<T>,
    onFailure: (error: unknown) => Error,
  ): Promise<T> {
    let retried = false;
    for (;;) {
      let client: Client;
      try {
        client = await this.#ensureConnected(options);
      } catch (error) {
        if (error instanceof ClientClosed) {
          throw new MCPConnectionError('CONNECTION_FAILED', this.server, operation, 'the client was closed');
        }
        throw error;
      }
      try {
        return await fn(client);
      } catch (error) {
        if (options.signal?.aborted) throw onFailure(error);
        if (!retried && (await this.recover(error, operation, options.signal))) {
          retried = true;
          if (isConnectionFailure(error) || isAuthFailure(error)) this.#drop(client);
          continue;
        }
        if (isConnectionFailure(error)) {
          this.#drop(client);
          if (!retried && wasNeverDelivered(error)) {
            retried = true;
            this.logger.info('MCP connection was stale; reconnecting', { server: this.server, operation });
            continue;
          }
        }
        throw onFailure(error);
      }
    }
  }

  /** Every tool the server offers, across all pages of `tools/list` (MCP Tools, "Listing Tools"). */
  async listTools(options: OperationOptions = {}): Promise<SdkTool[]> {
    const timeout = options.timeout ?? this.defaultConnectionTimeout;
    return this.#withConnection(
      'listTools',
      options,
      async (client) => {
        const tools: SdkTool[] = [];
        const seen = new Set<string>();
        let cursor: string | undefined;
        for (let page = 0; page < MAX_TOOL_PAGES; page++) {
          const result = await client.listTools(cursor === undefined ? undefined : { cursor }, {
            timeout,
            ...(options.signal && { signal: options.signal }),
          });
          tools.push(...result.tools);
          cursor = result.nextCursor;
          if (cursor === undefined || seen.has(cursor)) return tools;
          seen.add(cursor);
        }
        this.logger.warn('tools/list pagination did not end; using the tools read so far', { server: this.server });
        return tools;
      },
      (error) => this.connectionError(error, 'listTools'),
    );
  }

  /**
   * Call a tool (MCP Tools, "Calling Tools") and return the server's whole `CallToolResult`, including one with
   * `isError: true` (the caller decides what that means). Failures are `MCPInvocationError`s: `ABORTED`,
   * `INVOCATION_TIMEOUT`, `INVOCATION_FAILED` (protocol error, or the connection was lost during the call: the
   * next call reconnects); connection problems before the call are `MCPConnectionError`s.
   */
  async callTool(
    name: string,
    args: Record<string, unknown> = {},
    options: CallToolOptions = {},
  ): Promise<CallToolResult> {
    const timeout = options.timeout ?? DEFAULT_INVOCATION_TIMEOUT;
    const call: InFlightCall = { elicitationHandler: options.elicitationHandler };
    const invocationError = (error: unknown): Error => {
      if (options.signal?.aborted) {
        return new MCPInvocationError('ABORTED', name, args, 'was aborted', { cause: options.signal.reason ?? error });
      }
      if (SdkError.isInstance(error) && error.code === SdkErrorCode.RequestTimeout) {
        return new MCPInvocationError('INVOCATION_TIMEOUT', name, args, `did not answer within ${timeout} ms`, {
          cause: error,
        });
      }
      if (isAuthFailure(error) || error instanceof OAuthError) return this.connectionError(error, 'callTool');
      if (isConnectionFailure(error)) {
        return new MCPInvocationError(
          'INVOCATION_FAILED',
          name,
          args,
          `failed: the connection to MCP server ${this.server} was lost during the call (${errorText(error)}); ` +
            'the next call reconnects',
          { cause: error },
        );
      }
      if (ProtocolError.isInstance(error)) {
        return new MCPInvocationError(
          'INVOCATION_FAILED',
          name,
          args,
          `failed: the server answered ${quote(error.message)}`,
          {
            cause: error,
          },
        );
      }
      return new MCPInvocationError('INVOCATION_FAILED', name, args, `failed: ${quote(errorText(error))}`, {
        cause: error,
      });
    };
    if (options.signal?.aborted) throw invocationError(options.signal.reason);
    this.#inFlight.push(call);
    try {
      return await this.#withConnection(
        'callTool',
        options,
        async (client) => {
          const onProgress = options.onProgress;
          const result = await client.callTool(
            { name, arguments: args },
            {
              timeout,
              ...(options.signal && { signal: options.signal }),
              ...(onProgress && { onprogress: (progress: Progress) => onProgress({ ...progress, toolName: name }) }),
            },
          );
          return result as CallToolResult;
        },
        invocationError,
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

type HttpServerInfo = StreamableHttpServerInfo | SSEServerInfo;

/** What the HTTP clients share: headers, static token, the OAuth seam and the reconnection policy. */
abstract class HttpClient extends MCPClient {
  declare readonly serverInfo: HttpServerInfo;
  #auth: ConnectionAuth | undefined;
  #authCreated = false;

  protected override get retryPolicy() {
    const { maxRetries, baseDelay, maxDelay } = this.serverInfo;
    return { maxRetries, baseDelay, maxDelay };
  }

  protected override get defaultConnectionTimeout(): number {
    return this.serverInfo.timeout;
  }

  #connectionAuth(): ConnectionAuth | undefined {
    if (!this.#authCreated) {
      this.#authCreated = true;
      this.#auth = createConnectionAuth({
        serverUrl: this.serverInfo.url,
        oauth: this.serverInfo.oauth,
        logger: this.logger,
        ...(this.fetchFn && { fetch: this.fetchFn }),
      });
    }
    return this.#auth;
  }

  /**
   * The transport's `authProvider`: the OAuth engine when there is one, else the static token, else none.
   * With both, the static token goes in the `Authorization` header of `requestInit`, which the SDK transports send
   * only while the engine has no token of its own: a static key is used first and OAuth takes over after a 401.
   */
  protected async authProvider(signal: AbortSignal): Promise<AuthProvider | undefined> {
    const auth = this.#connectionAuth();
    if (auth) {
      await auth.prepare({ signal });
      return auth;
    }
    const token = this.serverInfo.resolveToken();
    return token === undefined ? undefined : { token: async () => token };
  }

  /** The fetch the transport uses: the configured one, wrapped by the OAuth engine when there is one. */
  protected transportFetch(): typeof fetch | undefined {
    const auth = this.#connectionAuth();
    if (!auth?.wrapFetch) return this.fetchFn;
    const inner: (input: string | URL, init?: RequestInit) => Promise<Response> = this.fetchFn ?? fetch;
    return auth.wrapFetch(inner);
  }

  protected requestInit(): RequestInit {
    const headers = this.serverInfo.resolveHeaders();
    const token = this.#auth ? this.serverInfo.resolveToken() : undefined;
    if (token !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
      headers['Authorization'] = `Bearer ${token}`;
    }
    return { headers };
  }

  protected override async recover(error: unknown, operation: string, signal: AbortSignal | undefined) {
    const auth = this.#auth;
    if (!auth) return false;
    try {
      return await auth.recover(error, { operation, ...(signal && { signal }) });
    } catch (recoverError) {
      this.logger.warn('OAuth recovery failed', { server: this.server, operation, error: errorText(recoverError) });
      throw recoverError;
    }
  }

  protected override async afterClose(): Promise<void> {
    await this.#auth?.close?.().catch(() => {});
  }
}

/** A client over Streamable HTTP (MCP Transports 2025-11-25, "Streamable HTTP"). */
export class StreamableHttpClient extends HttpClient {
  declare readonly serverInfo: StreamableHttpServerInfo;

  protected async createTransport(signal: AbortSignal): Promise<Transport> {
    const authProvider = await this.authProvider(signal);
    const { maxRetries, baseDelay, maxDelay } = this.serverInfo;
    const transportFetch = this.transportFetch();
    return new StreamableHTTPClientTransport(this.serverInfo.url, {
      requestInit: this.requestInit(),
      ...(authProvider && { authProvider }),
      ...(transportFetch && { fetch: transportFetch }),
      reconnectionOptions: {
        maxRetries,
        initialReconnectionDelay: baseDelay,
        maxReconnectionDelay: maxDelay,
        reconnectionDelayGrowFactor: 2,
      },
    });
  }

  /** End the HTTP session with `DELETE` (Transports, "Session Management"); bounded to 1 s, errors ignored. */
  protected override async beforeClose(transport: Transport): Promise<void> {
    if (!(transport instanceof StreamableHTTPClientTransport) || transport.sessionId === undefined) return;
    await withDeadline(transport.terminateSession(), 1_000, [], () => new Error('timeout')).catch(() => {});
  }
}

/** A client over the deprecated HTTP+SSE transport (MCP Transports 2024-11-05, "HTTP with SSE"). */
export class SSEClient extends HttpClient {
  declare readonly serverInfo: SSEServerInfo;

  protected async createTransport(signal: AbortSignal): Promise<Transport> {
    const authProvider = await this.authProvider(signal);
    const requestInit = this.requestInit();
    const headers = requestInit.headers as Record<string, string>;
    const transportFetch = this.transportFetch();
    const baseFetch = transportFetch ?? fetch;
    return new SSEClientTransport(this.serverInfo.url, {
      requestInit,
      ...(authProvider && { authProvider }),
      ...(transportFetch && { fetch: transportFetch }),
      // The stream request does not read `requestInit`: add the configured headers to it here.
      eventSourceInit: {
        fetch: (url, init) => {
          const merged = new Headers(init?.headers);
          for (const [key, value] of Object.entries(headers)) if (!merged.has(key)) merged.set(key, value);
          return baseFetch(url, { ...init, headers: merged });
        },
      },
    });
  }
}

/** A client of a server run as a child process over stdio (MCP Transports, "stdio"). */
export class StdioClient extends MCPClient {
  declare readonly serverInfo: StdioServerInfo;
  #stderrTail: string[] = [];

  protected async createTransport(): Promise<Transport> {
    const info = this.serverInfo;
    const transport = new StdioClientTransport({
      command: info.command,
      args: [...info.args],
      env: info.resolveEnv(),
      stderr: 'pipe',
      ...(info.cwd !== undefined && { cwd: info.cwd }),
    });
    this.#stderrTail = [];
    transport.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.#stderrTail.push(line);
        if (this.#stderrTail.length > 5) this.#stderrTail.shift();
        this.logger.debug('MCP server stderr', { server: this.server, line });
      }
    });
    return transport;
  }

  protected override describeFailure(error: unknown): string {
    const code = causeCode(error);
    if (code === 'ENOENT') return `could not start ${quote(this.serverInfo.command)}: command not found (ENOENT)`;
    if (code === 'EACCES') return `could not start ${quote(this.serverInfo.command)}: permission denied (EACCES)`;
    const tail = this.#stderrTail.length ? `; server stderr: ${quote(this.#stderrTail.join(' | '))}` : '';
    return `${super.describeFailure(error)}${tail}`;
  }
}

/** The client for a server info's transport. */
export function createClient(serverInfo: ServerInfo, options: MCPClientOptions = {}): MCPClient {
  switch (serverInfo.transport) {
    case 'streamable-http':
      return new StreamableHttpClient(serverInfo, options);
    case 'sse':
      return new SSEClient(serverInfo, options);
    case 'stdio':
      return new StdioClient(serverInfo, options);
  }
}
