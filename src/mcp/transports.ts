/** The MCP clients of each transport: Streamable HTTP, HTTP+SSE and stdio. */

import type { ChildProcess } from 'node:child_process';
import { type AuthProvider, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { type ConnectionAuth, createConnectionAuth } from '../auth/connection-auth.ts';
import { quote } from '../core/errors.ts';
import { MCPClient } from './client.ts';
import { causeCode, errorText, type MCPClientOptions, withDeadline } from './client-support.ts';
import { createHttpTransport, staticHeaders, staticTokenProvider, transportFetch } from './http-transport.ts';
import type { ServerInfo, SSEServerInfo, StdioServerInfo, StreamableHttpServerInfo } from './server-info.ts';

type HttpServerInfo = StreamableHttpServerInfo | SSEServerInfo;

/** What the HTTP clients share: headers, static token, the OAuth seam and the reconnection policy. */
abstract class HttpClient extends MCPClient {
  declare readonly serverInfo: HttpServerInfo;
  #auth: ConnectionAuth | undefined;
  #authCreated = false;

  protected override get retryPolicy() {
    const { maxRetries, baseDelayMs, maxDelayMs } = this.serverInfo;
    return { maxRetries, baseDelayMs, maxDelayMs };
  }

  protected override get defaultConnectionTimeout(): number {
    return this.serverInfo.timeoutMs;
  }

  #connectionAuth(): ConnectionAuth | undefined {
    if (!this.#authCreated) {
      this.#authCreated = true;
      this.#auth = createConnectionAuth({
        serverUrl: this.serverInfo.url,
        oauth: this.serverInfo.oauth,
        logger: this.logger,
        ...(this.fetchFn && { fetch: this.fetchFn }),
        ...(this.engines && { engines: this.engines }),
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
    return staticTokenProvider(this.serverInfo.resolveToken());
  }

  /** The fetch the transport uses (see {@link transportFetch}). */
  protected transportFetch(): (input: string | URL, init?: RequestInit) => Promise<Response> {
    return transportFetch(this.#connectionAuth(), this.fetchFn);
  }

  /** The headers of every request: the configured ones, and the static token beside an OAuth engine. */
  protected headers(): Record<string, string> {
    return staticHeaders(this.serverInfo, this.#auth !== undefined);
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

  protected override refusedCurrentCredentials(): boolean {
    return this.#auth?.refusedCurrentToken?.() ?? false;
  }

  protected override succeeded(operation: string): void {
    this.#auth?.succeeded?.(operation);
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
    return createHttpTransport('http', this.serverInfo, {
      headers: this.headers(),
      authProvider,
      fetch: this.transportFetch(),
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
    return createHttpTransport('sse', this.serverInfo, {
      headers: this.headers(),
      authProvider,
      fetch: this.transportFetch(),
    });
  }
}

/** A client of a server run as a child process over stdio (MCP Transports, "stdio"). */
export class StdioClient extends MCPClient {
  declare readonly serverInfo: StdioServerInfo;
  #stderrTail: string[] = [];
  /** The first stderr line that reads as the reason of a failure (not a stack frame or the Node.js banner). */
  #stderrReason: string | undefined;
  /** How the process ended (`code 1`, `signal SIGKILL`), once it has. */
  #exit: string | undefined;
  /** The first line on stdout that is not a JSON-RPC message (stdout carries only messages: Transports, "stdio"). */
  #junk: string | undefined;

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
    this.#stderrReason = undefined;
    this.#exit = undefined;
    this.#junk = undefined;
    transport.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.#stderrTail.push(line);
        if (this.#stderrTail.length > 5) this.#stderrTail.shift();
        if (this.#stderrReason === undefined && isReasonLine(line)) this.#stderrReason = line.trim();
        this.logger.debug('MCP server stderr', { server: this.server, line });
      }
    });
    const start = transport.start.bind(transport);
    transport.start = async () => {
      await start();
      // The SDK transport keeps its child process private; its exit status and raw stdout explain failures that
      // the transport reports only as "Connection closed" or as silence.
      const child = (transport as unknown as { _process?: ChildProcess })._process;
      child?.once('exit', (code, signal) => {
        this.#exit = signal ? `signal ${signal}` : `code ${code}`;
      });
      let partial = '';
      child?.stdout?.on('data', (chunk: Buffer) => {
        if (this.#junk !== undefined) return;
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = (lines.pop() ?? '').slice(-4096);
        for (const line of lines) {
          if (line.trim() !== '' && !isJsonLine(line)) {
            this.#junk = line.trim().slice(0, 200);
            break;
          }
        }
      });
    };
    return transport;
  }

  protected override describeTimeout(): string {
    return this.#junk === undefined
      ? ''
      : `; the server wrote a line that is not a JSON-RPC message to stdout: ${quote(this.#junk)} (stdout is for MCP messages only; logs belong on stderr)`;
  }

  protected override describeFailure(error: unknown): string {
    const code = causeCode(error);
    if (code === 'ENOENT') return `could not start ${quote(this.serverInfo.command)}: command not found (ENOENT)`;
    if (code === 'EACCES') return `could not start ${quote(this.serverInfo.command)}: permission denied (EACCES)`;
    const stderr = this.#stderrReason ?? this.#stderrTail[0];
    const said = stderr === undefined ? '' : `; its stderr says ${quote(stderr)}`;
    if (this.#exit !== undefined) return `the server process exited with ${this.#exit} before answering${said}`;
    const junk = this.#junk === undefined ? '' : `; it wrote a non-JSON line to stdout: ${quote(this.#junk)}`;
    return `${super.describeFailure(error)}${said}${junk}`;
  }
}

/** Whether a stdout line parses as JSON (a JSON-RPC message or at least an attempt at one). */
function isJsonLine(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a stderr line can be the reason a server failed: not a stack frame, a source excerpt, a caret line, a
 * bare location (`node:internal/...:1228`), the `Node.js v20…` banner or the braces of an error's properties.
 */
function isReasonLine(line: string): boolean {
  const t = line.trim();
  if (t === '' || /^at\s/.test(t) || /^\^+$/.test(t) || /^Node\.js v\d/.test(t) || /^[{}[\]]/.test(t)) return false;
  if (/^\S+:\d+(:\d+)?$/.test(t) || /^throw\b/.test(t) || /^Require stack:?$/.test(t) || /^- \//.test(t)) return false;
  return !/^\w+: ['"[{]/.test(t) || /error/i.test(t);
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
