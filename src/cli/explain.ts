import { findInCauses } from '../core/cause.ts';
import { McptoolError, quote } from '../core/errors.ts';
import { httpStatusOf } from '../mcp/client.ts';
import { MCPConnectionError, MCPToolNotFoundError } from '../mcp/errors.ts';
import type { PreparedTarget } from './connect.ts';
import { didYouMean } from './suggest.ts';

/** A failure the CLI restated so that it says what went wrong for the user; `code` is stable. */
export class CliFailure extends McptoolError {}

/** The HTTP status anywhere in the cause chain of `error`. */
function statusIn(error: unknown): number | undefined {
  return findInCauses(error, httpStatusOf);
}

/**
 * Restate a failure of `tools` or `call` so that it tells the truth about the cause:
 * - a 401/403 while a static `Authorization` header is set (OAuth off): `CREDENTIALS_REFUSED`, naming the header;
 * - an HTTP failure that suggests the other transport (an HTTP+SSE server spoken to as Streamable HTTP, or `--sse`
 *   on a Streamable HTTP server): the same error with a hint naming the other transport;
 * - an unknown tool: the same `TOOL_NOT_FOUND` with a "did you mean".
 * Anything else is returned as it is.
 */
export async function explainFailure(
  error: unknown,
  target: PreparedTarget,
  fetchFn: typeof fetch = fetch,
): Promise<unknown> {
  if (error instanceof MCPToolNotFoundError) {
    const hint = didYouMean(error.toolName, error.availableTools, quote);
    if (hint === '') return error;
    return new CliFailure(
      'TOOL_NOT_FOUND',
      error.message.replace(quote(error.toolName), `${quote(error.toolName)}${hint}`),
      {
        cause: error,
      },
    );
  }
  if (!(error instanceof MCPConnectionError) || target.spec.kind === 'stdio') return error;
  const status = statusIn(error);
  if (error.code === 'AUTH_REQUIRED' && target.staticAuthorization !== undefined) {
    return new CliFailure(
      'CREDENTIALS_REFUSED',
      `${target.spec.label} refused the credentials in ${target.staticAuthorization}` +
        `${status === undefined ? '' : ` (HTTP ${status})`}: check that the token is right and has not expired or been revoked` +
        ' (with a static Authorization header and no OAuth option, no OAuth sign-in is attempted)',
      { cause: error },
    );
  }
  if (error.code !== 'CONNECTION_FAILED' || status === undefined) return error;
  if (target.spec.kind === 'http' && (status === 404 || status === 405) && (await speaksSse(target, fetchFn))) {
    return new CliFailure(
      error.code,
      `${error.message}; the URL answers as an HTTP+SSE server (the older transport): add --sse`,
      { cause: error },
    );
  }
  if (target.spec.kind === 'sse' && (status === 400 || status === 404 || status === 405 || status === 406)) {
    return new CliFailure(
      error.code,
      `${error.message}; if the server speaks Streamable HTTP (the current transport), drop --sse`,
      { cause: error },
    );
  }
  return error;
}

/** Whether a GET of the target URL opens an event stream, as an HTTP+SSE endpoint does (bounded to 5 s). */
async function speaksSse(target: PreparedTarget, fetchFn: typeof fetch): Promise<boolean> {
  if (target.spec.kind === 'stdio') return false;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5_000);
  try {
    const response = await fetchFn(target.spec.url, {
      headers: { ...target.spec.headers, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    const type = response.headers.get('content-type') ?? '';
    return response.ok && type.toLowerCase().startsWith('text/event-stream');
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
