import {
  type JSONRPCMessage,
  SdkHttpError,
  SseError,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client';
import { type ConnectionAuth, createConnectionAuth } from '../../auth/connection-auth.ts';
import type { Clock } from '../../core/clock.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import { errorText, isAuthFailure, isConnectionFailure, withDeadline } from '../client-support.ts';
import { MCPConnectionError } from '../errors.ts';
import { createHttpTransport, staticHeaders, staticTokenProvider, transportFetch } from '../http-transport.ts';
import type { SSEServerInfo, StreamableHttpServerInfo } from '../server-info.ts';

/**
 * Which HTTP transport the proxy speaks to the remote server (MCP Transports 2025-11-25, "Backwards
 * Compatibility"): `http-first` (the default) tries Streamable HTTP and falls back to HTTP+SSE when the server
 * answers the `initialize` POST with 404 or 405, as the 2024-11-05 transport's servers do; `sse-first` the other
 * way round; `http` and `sse` use one transport only.
 */
export type RemoteTransportMode = 'http-first' | 'sse-first' | 'http' | 'sse';

/** The modes of {@link RemoteTransportMode}, in the order `--help` lists them. */
export const REMOTE_TRANSPORT_MODES: readonly RemoteTransportMode[] = ['http-first', 'sse-first', 'http', 'sse'];

/** One HTTP transport kind. */
export type RemoteKind = 'http' | 'sse';

/** Options of a {@link RemoteConnection}. */
export interface RemoteConnectionOptions {
  /** The remote server: URL, headers, static token, OAuth configuration and the reconnection delays. */
  serverInfo: StreamableHttpServerInfo | SSEServerInfo;
  /** Default `http-first`. */
  mode?: RemoteTransportMode;
  logger?: Logger;
  fetch?: typeof fetch;
  /** The clock of the OAuth engine (expiry decisions). */
  clock?: Clock;
}

/** The HTTP status of a transport error, when it has one. */
export function httpStatusOf(error: unknown): number | undefined {
  if (SdkHttpError.isInstance(error)) return error.status;
  if (SseError.isInstance(error)) return error.code;
  // The HTTP+SSE transport reports a failed POST as a plain Error naming the status.
  const match = error instanceof Error ? /\(HTTP (\d{3})\)/.exec(error.message) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * Whether a failed `initialize` says the server does not speak this transport: 404 or 405 on the Streamable HTTP
 * POST (Transports 2025-11-25, "Backwards Compatibility"), or on the HTTP+SSE GET of an endpoint that is not an
 * event stream.
 */
export function isWrongTransport(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status === 404 || status === 405;
}

/**
 * Whether a failed send means the remote session is gone and a new one must be started: the server forgot the
 * session (404, Transports "Session Management"; many servers built on the SDK answer 400 naming the session
 * instead), the connection was refused or dropped, or the event stream of an HTTP+SSE session failed.
 */
export function isSessionLost(error: unknown): boolean {
  if (isAuthFailure(error)) return false;
  const status = httpStatusOf(error);
  if (status === 404) return true;
  if (status === 400 && error instanceof Error && /session/i.test(error.message)) return true;
  if (status !== undefined && status < 500 && !SseError.isInstance(error)) return false;
  return isConnectionFailure(error);
}

/**
 * One connection of the proxy to the remote MCP server: a Streamable HTTP or HTTP+SSE client transport of the
 * SDK, with the OAuth engine plugged into its `AuthProvider` seam (one engine per server and configuration in the
 * process; across processes the token store's lock makes sign-in and refresh single-flight). Messages are sent as
 * they are; what the server sends arrives through `onmessage`.
 *
 * A sign-in runs outside any request: when a send fails because the engine needs an interactive sign-in (or a
 * step-up), {@link send} runs it and sends the message again, once.
 */
export class RemoteConnection {
  /** A message from the remote server. */
  onmessage?: (message: JSONRPCMessage) => void;
  /** The transport reported an error outside a send (e.g. its event stream dropped). */
  onerror?: (error: Error) => void;
  readonly serverInfo: StreamableHttpServerInfo | SSEServerInfo;
  readonly mode: RemoteTransportMode;
  readonly #logger: Logger;
  readonly #fetch: typeof fetch | undefined;
  readonly #auth: ConnectionAuth | undefined;
  #transport: Transport | undefined;
  #kind: RemoteKind | undefined;
  #stale = false;
  #protocolVersion: string | undefined;

  constructor(options: RemoteConnectionOptions) {
    this.serverInfo = options.serverInfo;
    this.mode = options.mode ?? 'http-first';
    this.#logger = options.logger ?? silentLogger;
    this.#fetch = options.fetch;
    this.#auth = createConnectionAuth({
      serverUrl: this.serverInfo.url,
      oauth: this.serverInfo.oauth,
      logger: this.#logger,
      ...(options.fetch && { fetch: options.fetch }),
      ...(options.clock && { clock: options.clock }),
    });
  }

  /** The transport in use, once {@link open} succeeded. */
  get kind(): RemoteKind | undefined {
    return this.#kind;
  }

  /** Whether the transport reported the session dead (its event stream failed): the next send needs a new one. */
  get stale(): boolean {
    return this.#stale;
  }

  /**
   * Open a session: start a transport and send `initialize` (the client's own message, unchanged) on it, falling
   * back to the other transport as the mode allows. The answer arrives through `onmessage`. Resolves with the
   * transport kind that accepted it; rejects with the last error (an `OAuthError` when signing in failed).
   */
  async open(initialize: JSONRPCMessage, signal: AbortSignal): Promise<RemoteKind> {
    await this.#dropTransport();
    await this.#auth?.prepare({ signal });
    const order: RemoteKind[] =
      this.mode === 'http-first'
        ? ['http', 'sse']
        : this.mode === 'sse-first'
          ? ['sse', 'http']
          : [this.mode === 'sse' ? 'sse' : 'http'];
    for (const [i, kind] of order.entries()) {
      try {
        await this.#withAuth(async () => {
          await this.#dropTransport();
          const transport = this.#createTransport(kind);
          this.#transport = transport;
          this.#kind = kind;
          this.#stale = false;
          await transport.start();
          await transport.send(initialize);
        }, signal);
        return kind;
      } catch (error) {
        await this.#dropTransport();
        const next = order[i + 1];
        if (next === undefined || !isWrongTransport(error) || signal.aborted) throw error;
        this.#logger.info('the server does not take this transport; trying the other one', {
          server: this.serverInfo.describe(),
          tried: kind,
          next,
          status: httpStatusOf(error),
        });
      }
    }
    throw new MCPConnectionError('CONNECTION_FAILED', this.serverInfo.describe(), 'connect', 'no transport to try');
  }

  /** Send one message on the open session (after a sign-in or step-up the engine asked for, once more). */
  async send(message: JSONRPCMessage, signal: AbortSignal): Promise<void> {
    await this.#withAuth(async () => {
      const transport = this.#transport;
      if (transport === undefined) {
        throw new MCPConnectionError('CONNECTION_LOST', this.serverInfo.describe(), 'send', 'no open session');
      }
      await transport.send(message);
    }, signal);
  }

  /** The protocol version the server chose in its `initialize` result: sent as `MCP-Protocol-Version` from now on. */
  setProtocolVersion(version: string): void {
    this.#protocolVersion = version;
    this.#transport?.setProtocolVersion?.(version);
  }

  /** End the session (a Streamable HTTP `DELETE`, bounded to 1 s) and release the transport and the engine's hooks. */
  async close(): Promise<void> {
    const transport = this.#transport;
    if (transport instanceof StreamableHTTPClientTransport && transport.sessionId !== undefined) {
      await withDeadline(transport.terminateSession(), 1_000, [], () => new Error('timeout')).catch(() => {});
    }
    await this.#dropTransport();
    await this.#auth?.close?.().catch(() => {});
  }

  async #withAuth(run: () => Promise<void>, signal: AbortSignal): Promise<void> {
    try {
      await run();
      return;
    } catch (error) {
      if (!this.#auth || signal.aborted) throw error;
      // Signs in (interactive) or steps up outside any request timeout, then the message goes once more.
      if (!(await this.#auth.recover(error, { signal, operation: 'proxy' }))) throw error;
    }
    await run();
  }

  async #dropTransport(): Promise<void> {
    const transport = this.#transport;
    this.#transport = undefined;
    if (!transport) return;
    transport.onmessage = undefined;
    transport.onerror = undefined;
    transport.onclose = undefined;
    await transport.close().catch(() => {});
  }

  #createTransport(kind: RemoteKind): Transport {
    const info = this.serverInfo;
    // The static token is sent only while the engine holds no token of its own (see `staticHeaders`).
    const headers = staticHeaders(info, true);
    const auth = this.#auth;
    const authProvider = auth ?? staticTokenProvider(info.resolveToken());
    // The proxy starts a new session itself when one is lost; the transport only resumes its own streams.
    const transport = createHttpTransport(kind, info, {
      headers,
      authProvider,
      fetch: transportFetch(auth, this.#fetch),
    });
    if (this.#protocolVersion !== undefined) transport.setProtocolVersion?.(this.#protocolVersion);
    transport.onmessage = (message) => this.onmessage?.(message);
    transport.onerror = (error) => {
      // A dead event stream of an HTTP+SSE session cannot be resumed: the next send starts a new session.
      if (kind === 'sse' && SseError.isInstance(error)) this.#stale = true;
      this.#logger.debug('remote transport error', { server: info.describe(), error: errorText(error) });
      this.onerror?.(error);
    };
    transport.onclose = () => {
      if (this.#transport === transport) this.#stale = true;
    };
    return transport;
  }
}
