/**
 * How the MCP client opens a connection, and how one operation runs on it: recover once, reconnect once when safe.
 */
import { Client, isJSONRPCNotification, isJSONRPCResponse, type Transport } from '@modelcontextprotocol/client';
import { quote } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import {
  CLIENT_INFO,
  ClientClosed,
  ConnectTimeout,
  errorText,
  insufficientScopeOf,
  isAuthFailure,
  isConnectionFailure,
  isSingleRequestFailure,
  type OperationOptions,
  sleep,
  wasNeverDelivered,
  withDeadline,
} from './client-support.ts';
import { MCPConnectionError, MCPConnectionLostError } from './errors.ts';

/** What an operation needs of the client. */
export interface ConnectionHooks {
  server: string;
  transport: string;
  logger: Logger;
  ensureConnected(options: OperationOptions): Promise<Client>;
  /** Forget this connection (the next operation reconnects). */
  drop(client: Client): void;
  /** Fix an auth failure; true when the operation should be retried once. */
  recover(error: unknown, operation: string, signal: AbortSignal | undefined): Promise<boolean>;
  succeeded(operation: string): void;
}

/** One operation. */
export interface OperationRun<T> {
  operation: string;
  options: OperationOptions;
  fn: (client: Client) => Promise<T>;
  /** The error a failure of `fn` becomes when neither auth nor the connection explains it. */
  onFailure: (error: unknown) => Error;
  /** The tool of a `callTool`, named in a lost-connection error. */
  toolName?: string | undefined;
}

/**
 * Run `fn` on the open connection. On a failure that auth can fix, or a request that never reached the server
 * (stale session, refused connection), reconnect and retry once.
 */
export async function runOnConnection<T>(connection: ConnectionHooks, run: OperationRun<T>): Promise<T> {
  const { operation, options, fn, onFailure, toolName } = run;
  const { server, logger } = connection;
  let retried = false;
  for (;;) {
    let client: Client;
    try {
      client = await connection.ensureConnected(options);
    } catch (error) {
      if (error instanceof ClientClosed) {
        throw new MCPConnectionError('CONNECTION_FAILED', server, operation, 'the client was closed');
      }
      throw error;
    }
    try {
      const result = await fn(client);
      connection.succeeded(operation);
      return result;
    } catch (error) {
      if (options.signal?.aborted) throw onFailure(error);
      if (!retried && (await connection.recover(error, operation, options.signal))) {
        retried = true;
        if (isConnectionFailure(error) || isAuthFailure(error)) connection.drop(client);
        continue;
      }
      if (isConnectionFailure(error)) {
        // One request's socket failing leaves a Streamable HTTP session (and the calls in flight on it) usable.
        if (connection.transport !== 'streamable-http' || !isSingleRequestFailure(error)) connection.drop(client);
        if (!retried && wasNeverDelivered(error)) {
          retried = true;
          logger.info('MCP connection was stale; reconnecting', { server, operation });
          continue;
        }
        // The request may have reached the server: a tool call is not sent again (it need not be idempotent).
        logger.info('MCP connection lost during a request', { server, operation });
        throw connectionLostError(error, server, operation, toolName);
      }
      throw insufficientScopeOf(error, server) ?? onFailure(error);
    }
  }
}

/** A connection lost during a request that may have reached the server: it is not sent again. */
function connectionLostError(
  error: unknown,
  server: string,
  operation: string,
  toolName: string | undefined,
): MCPConnectionLostError {
  const what = toolName === undefined ? 'the request' : `the call of tool ${quote(toolName)}`;
  const next = toolName === undefined ? 'the next request reconnects' : 'the next call reconnects';
  return new MCPConnectionLostError(
    server,
    toolName === undefined ? operation : 'callTool',
    toolName,
    `the connection was lost during ${what} (${quote(errorText(error))}); it was not sent again, since the ` +
      `server may have run it; ${next}`,
    { cause: error },
  );
}

/** One connection attempt. */
export interface OpenConnectionOptions {
  createTransport(signal: AbortSignal): Promise<Transport>;
  /** Install the request and notification handlers on the new SDK client before it connects. */
  installHandlers(client: Client): void;
  timeoutMs: number;
  /** Any of these aborting ends the attempt. */
  signals: (AbortSignal | undefined)[];
}

/**
 * `transport` with a response that follows notifications handed to its `onmessage` only after those notifications
 * reached their listeners. The SDK dispatches a notification in a microtask but a response at once, and forgets a
 * request's progress listener when its response settles it: progress notifications read in the same chunk as the
 * response (a fast server, or a busy client) were dropped. After a notification, responses wait one macrotask (by
 * then every microtask the SDK queued for the notification has run); a response with no notification before it in
 * that macrotask is handed over at once, which keeps the common call as fast as the bare SDK.
 */
function notificationsBeforeResponses(transport: Transport): Transport {
  let receive: Transport['onmessage'];
  /** A notification was handed over and the macrotask after it has not run yet. */
  let notificationsPending = false;
  const deliver: NonNullable<Transport['onmessage']> = (message, extra) => {
    if (isJSONRPCResponse(message) && notificationsPending) {
      setImmediate(() => receive?.(message, extra));
      return;
    }
    receive?.(message, extra);
    if (isJSONRPCNotification(message) && !notificationsPending) {
      notificationsPending = true;
      // Queued before any response deferred after it, so it runs first.
      setImmediate(() => {
        notificationsPending = false;
      });
    }
  };
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    enumerable: true,
    get: () => (receive === undefined ? undefined : deliver),
    set: (handler: Transport['onmessage']) => {
      receive = handler;
    },
  });
  return transport;
}

/**
 * A new SDK client connected over a new transport (the `initialize` handshake included) within `timeoutMs`
 * (`ConnectTimeout` past it). On any failure the attempt is aborted, both are closed, and the error is rethrown.
 */
export async function openConnection(
  options: OpenConnectionOptions,
): Promise<{ client: Client; transport: Transport }> {
  const attempt = new AbortController();
  const client = new Client(CLIENT_INFO, {
    capabilities: { elicitation: { form: { applyDefaults: true } } },
  });
  options.installHandlers(client);
  let transport: Transport | undefined;
  const work = (async () => {
    transport = notificationsBeforeResponses(await options.createTransport(attempt.signal));
    if (attempt.signal.aborted) throw attempt.signal.reason;
    await client.connect(transport, { timeout: options.timeoutMs, signal: attempt.signal });
    return transport;
  })();
  try {
    const connected = await withDeadline(work, options.timeoutMs, options.signals, () => new ConnectTimeout());
    return { client, transport: connected };
  } catch (error) {
    attempt.abort(error);
    work.catch(() => {});
    await client.close().catch(() => {});
    await transport?.close().catch(() => {});
    throw error;
  }
}

/**
 * Connect again after a dropped connection: up to `policy.maxRetries` more attempts after the first, the delay
 * doubling from `baseDelayMs` up to `maxDelayMs`, while the failure is an `MCPConnectionError` other than
 * `AUTH_REQUIRED` and the client is not closed (closing it ends the wait with the last error).
 */
export async function reconnectWithBackoff(
  connectOnce: () => Promise<Client>,
  policy: { maxRetries: number; baseDelayMs: number; maxDelayMs: number },
  context: { logger: Logger; server: string; closed(): boolean; signal: AbortSignal },
): Promise<Client> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connectOnce();
    } catch (error) {
      const retryable =
        error instanceof MCPConnectionError &&
        error.code !== 'AUTH_REQUIRED' &&
        !context.closed() &&
        attempt < policy.maxRetries;
      if (!retryable) throw error;
      const delayMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      context.logger.info('MCP reconnection failed; retrying', {
        server: context.server,
        attempt: attempt + 1,
        delayMs,
      });
      await sleep(delayMs, context.signal).catch(() => {
        throw error;
      });
    }
  }
}
