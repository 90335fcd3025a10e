/** Constants, types and helpers shared by the MCP clients (src/mcp/client.ts, src/mcp/transports.ts). */

import {
  type LoggingMessageNotificationParams,
  type Progress,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  InsufficientScopeError as SdkInsufficientScopeError,
  SseError,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import type { EngineRegistry } from '../auth/engine/registry.ts';
import { splitScope } from '../auth/engine/scopes.ts';
import { InsufficientScopeError } from '../auth/errors.ts';
import { causeChain, findInCauses } from '../core/cause.ts';
import { quote } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { ElicitationHandler } from './elicitation.ts';

/** The name and version this client announces in `initialize` (MCP Lifecycle, "Initialization"). */
export const CLIENT_INFO = Object.freeze({ name: 'mcptool', version: '0.1.0' });

/** Default connection timeout for stdio servers, in ms (HTTP servers use their `timeout`). */
export const DEFAULT_CONNECTION_TIMEOUT = 30_000;
/** Default invocation timeout of a tool call, in ms. */
export const DEFAULT_INVOCATION_TIMEOUT = 60_000;

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
  connectionTimeoutMs?: number;
  logger?: Logger;
  /** Used for every HTTP request of the HTTP transports and of the OAuth engine. */
  fetch?: typeof fetch;
  /** The OAuth engines the HTTP transports use; default: the process's (`defaultEngineRegistry`). */
  engines?: EngineRegistry;
}

/** Options of one operation. */
export interface OperationOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

/** Options of one tool call. */
export interface CallToolOptions extends OperationOptions {
  onProgress?: ProgressListener | undefined;
  /** Receives the server's elicitation requests made during this call. */
  elicitationHandler?: ElicitationHandler | undefined;
}

export interface InFlightCall {
  elicitationHandler: ElicitationHandler | undefined;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

export function causeCode(error: unknown): string | undefined {
  return findInCauses(error, (e) => {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
  });
}

/**
 * Whether a failure broke only the socket of one HTTP request (reset, closed by the peer, as when a keep-alive
 * connection is closed by the server as the request goes out). Each Streamable HTTP request is independent, so
 * the session stays usable and the other requests in flight must not be failed with it.
 */
export function isSingleRequestFailure(error: unknown): boolean {
  return causeChain(error).some((e) => {
    const code = (e as { code?: unknown }).code;
    return code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED';
  });
}

/**
 * A 403 `insufficient_scope` the engine could not fix (its step-up limit reached, or the retry after a step-up was
 * refused again) as mcptool's `InsufficientScopeError` (`INSUFFICIENT_SCOPE`), naming the scopes; else undefined.
 */
export function insufficientScopeOf(error: unknown, server: string): InsufficientScopeError | undefined {
  if (!SdkInsufficientScopeError.isInstance(error)) return undefined;
  const required = splitScope(error.requiredScope);
  return new InsufficientScopeError(
    required,
    [],
    `MCP server ${server} still requires scope ${quote(required.join(' '))} after step-up authorization; ` +
      'the authorization server did not grant it',
    { cause: error },
  );
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
export function isConnectionFailure(error: unknown): boolean {
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
export function wasNeverDelivered(error: unknown): boolean {
  if (SdkHttpError.isInstance(error)) return error.status === 404; // session unknown: start a new one (Transports §"Session Management")
  if (SdkError.isInstance(error) && error.code === SdkErrorCode.NotConnected) return true;
  const code = causeCode(error);
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
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
export async function withDeadline<T>(
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

export class ConnectTimeout extends Error {}
export class ClientClosed extends Error {}
