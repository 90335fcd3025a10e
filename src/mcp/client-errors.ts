/** How the MCP client turns failures of the SDK and the network into mcptool errors. */
import { ProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { OAuthError } from '../auth/errors.ts';
import { McptoolError, quote } from '../core/errors.ts';
import { type ConnectTimeout, causeCode, errorText, isAuthFailure } from './client-support.ts';
import { MCPConnectionError, MCPInvocationError } from './errors.ts';

/** What {@link connectionErrorOf} needs to know of the client. */
export interface ConnectionErrorContext {
  server: string;
  operation: string;
  /** Whether the auth layer holds a current token, so that a final 401 refused it. */
  refusedCurrentCredentials(): boolean;
  describeFailure(error: unknown): string;
}

/**
 * An error of the SDK or the network as an `MCPConnectionError`: `AUTH_REQUIRED` for a final 401/403,
 * `CONNECTION_TIMEOUT`, else `CONNECTION_FAILED`. OAuth errors and mcptool errors other than invocation errors pass
 * through.
 */
export function connectionErrorOf(error: unknown, context: ConnectionErrorContext): Error {
  const { server, operation } = context;
  if (error instanceof McptoolError && !(error instanceof MCPInvocationError)) return error;
  if (error instanceof OAuthError) return error;
  if (isAuthFailure(error)) {
    return new MCPConnectionError(
      'AUTH_REQUIRED',
      server,
      operation,
      context.refusedCurrentCredentials()
        ? 'the server refused the current access token (HTTP 401/403): it is neither expired nor replaced by a ' +
            'newer one; it may have been revoked or lack the audience or scope the server needs (sign in again)'
        : 'the server requires authorization (HTTP 401/403) and no credentials it accepts were available',
      { cause: error },
    );
  }
  if (SdkError.isInstance(error) && error.code === SdkErrorCode.RequestTimeout) {
    return new MCPConnectionError('CONNECTION_TIMEOUT', server, operation, 'the server did not answer in time', {
      cause: error,
    });
  }
  return new MCPConnectionError('CONNECTION_FAILED', server, operation, context.describeFailure(error), {
    cause: error,
  });
}

/** `CONNECTION_TIMEOUT` for a connection attempt that got no answer within `timeoutMs` (`detail`: what was seen). */
export function connectTimeoutError(timeout: ConnectTimeout, server: string, timeoutMs: number, detail: string): Error {
  return new MCPConnectionError(
    'CONNECTION_TIMEOUT',
    server,
    'connect',
    `no answer within ${timeoutMs} ms${detail}`,
    timeout.cause === undefined ? undefined : { cause: timeout.cause },
  );
}

/** A one-line description of why a connection failed, keeping the HTTP status and what the server said. */
export function describeConnectionFailure(error: unknown): string {
  const code = causeCode(error);
  if (code === 'ECONNREFUSED') return 'connection refused (is the server running?)';
  if (ProtocolError.isInstance(error)) return `the server answered with an error: ${quote(error.message)}`;
  const status = httpStatusOf(error);
  if (status !== undefined) {
    // Keep the status: "HTTP 404 Not Found" says more than the SDK's "Error POSTing to endpoint: <body>".
    const data = (error as { data?: { statusText?: unknown; text?: unknown } }).data;
    const statusText = typeof data?.statusText === 'string' && data.statusText ? ` ${data.statusText}` : '';
    const body = typeof data?.text === 'string' ? data.text.replace(/\s+/g, ' ').trim().slice(0, 200) : '';
    return `HTTP ${status}${statusText}${body ? ` (the server said ${quote(body)})` : ''}`;
  }
  return quote(errorText(error));
}

/** What {@link invocationErrorOf} needs to know of the call. */
export interface InvocationErrorContext {
  name: string;
  args: Record<string, unknown>;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** How a connection or auth failure during the call is reported. */
  connectionError(error: unknown): Error;
}

/**
 * A failure of a tool call as an `MCPInvocationError` (`ABORTED`, `INVOCATION_TIMEOUT`, `INVOCATION_FAILED`), or as a
 * connection error when auth or the connection failed.
 */
export function invocationErrorOf(error: unknown, context: InvocationErrorContext): Error {
  const { name, args, signal } = context;
  if (signal?.aborted) {
    return new MCPInvocationError('ABORTED', name, args, 'was aborted', { cause: signal.reason ?? error });
  }
  if (SdkError.isInstance(error) && error.code === SdkErrorCode.RequestTimeout) {
    return new MCPInvocationError('INVOCATION_TIMEOUT', name, args, `did not answer within ${context.timeoutMs} ms`, {
      cause: error,
    });
  }
  if (isAuthFailure(error) || error instanceof OAuthError) return context.connectionError(error);
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
}

/**
 * The HTTP status of a failed transport request: the SDK's HTTP error carries it as `status`, its SSE error as a
 * numeric `code`.
 */
export function httpStatusOf(error: unknown): number | undefined {
  const e = error as { status?: unknown; code?: unknown } | null;
  const status = typeof e?.status === 'number' ? e.status : typeof e?.code === 'number' ? e.code : undefined;
  return status !== undefined && status >= 100 && status <= 599 ? status : undefined;
}
