import * as oauth from 'oauth4webapi';
import { InvalidOptionError, quote } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import { isLoopbackHost, isSecureOrLoopback } from '../core/url.ts';
import { InsecureEndpointError, OAuthError } from './errors.ts';

/**
 * The `fetch` shape every auth request goes through (a subset of the WHATWG `fetch` signature, so
 * `globalThis.fetch` fits). Tests inject one that returns real `Response` objects.
 */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Default per-request timeout of the hardened fetch, in milliseconds. */
export const DEFAULT_AUTH_TIMEOUT_MS = 30_000;

/** Default cap on a response body read by the hardened fetch: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Options of {@link hardenFetch}. */
export interface AuthFetchOptions {
  /** The underlying transport. Default: `globalThis.fetch`. */
  fetch?: FetchLike | undefined;
  /** Per-request timeout in ms (the caller's own `signal` still applies). Default {@link DEFAULT_AUTH_TIMEOUT_MS}. */
  timeoutMs?: number | undefined;
  /** Largest accepted response body in bytes. Default {@link DEFAULT_MAX_BODY_BYTES}. */
  maxBodyBytes?: number | undefined;
  /** Where requests are reported (method, URL, status; never a header or body). Default: silent. */
  logger?: Logger | undefined;
}

/**
 * The server answered a request of the OAuth client with a redirect (3xx). Redirects are never followed
 * for authorization requests: not to another origin (a discovery document, token or registration response
 * from elsewhere could redirect credentials or metadata trust), and not within the same origin either
 * (RFC 8414 §3, RFC 9728 §3 and OpenID Connect Discovery §4 define the documents *at* the well-known URL,
 * and a token or registration POST must not be replayed elsewhere). Same-origin redirects are refused too,
 * with a message that says the document should be served at the requested URL.
 *
 * Code `INVALID_RESPONSE`; `location` is the resolved target (or `undefined` when absent or unparsable).
 */
export class RedirectRefusedError extends OAuthError {
  /** The URL that was requested. */
  readonly url: string;
  /** Where the server redirected to, resolved against `url`. */
  readonly location: string | undefined;
  /** Whether `location` is on another origin than `url`. */
  readonly crossOrigin: boolean;
  /** The HTTP status of the refused redirect (a 3xx). */
  readonly status: number;

  constructor(url: string, status: number, location: string | undefined) {
    const crossOrigin = location === undefined || new URL(location).origin !== new URL(url).origin;
    super(
      'INVALID_RESPONSE',
      location === undefined
        ? `${quote(url)} answered with a redirect (HTTP ${status}); redirects are not followed for authorization requests`
        : crossOrigin
          ? `${quote(url)} redirected to another origin, ${quote(location)} (HTTP ${status}); ` +
            'redirects are refused for authorization requests'
          : `${quote(url)} redirected to ${quote(location)} (HTTP ${status}); redirects are not followed for ` +
            'authorization requests, even within the same origin: the server must answer at the requested URL',
    );
    this.url = url;
    this.location = location;
    this.crossOrigin = crossOrigin;
    this.status = status;
  }
}

const HARDENED: unique symbol = Symbol('mcptool.hardenedFetch');
type HardenedFetch = FetchLike & { [HARDENED]: true };

function isHardened(fetch: FetchLike): fetch is HardenedFetch {
  return (fetch as Partial<HardenedFetch>)[HARDENED] === true;
}

/**
 * The https rule of MCP Authorization 2025-11-25 ("Communication Security") and OAuth 2.1 §1.5: every
 * authorization server and protected resource URL must be `https:`, except `http:` on a loopback host
 * (local development and tests). Throws `InsecureEndpointError` (`INSECURE_ENDPOINT`) otherwise, and an
 * `InvalidOptionError` for a string that is not a URL at all.
 *
 * @param what names the URL in the message, e.g. `"token_endpoint"`.
 */
export function assertSecureEndpoint(url: string | URL, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch (cause) {
    throw new InvalidOptionError(what, `${quote(String(url))} is not a valid URL`, { cause });
  }
  if (!isSecureOrLoopback(parsed)) throw new InsecureEndpointError('INSECURE_ENDPOINT', what, parsed.href);
  return parsed;
}

/**
 * Wrap a `fetch` into the hardened fetch that every auth request of mcptool goes through:
 *
 * - the https rule ({@link assertSecureEndpoint}) is checked before any byte is sent;
 * - `redirect: 'manual'`, and any 3xx answer is refused with {@link RedirectRefusedError};
 * - a per-request timeout combined with the caller's `init.signal` (`AbortSignal.any`); a timeout or a
 *   network failure is an `OAuthError` with code `REQUEST_FAILED`, an abort by the caller `ABORTED`;
 * - the response body is read in full, capped at `maxBodyBytes` (`INVALID_RESPONSE` beyond it), and handed
 *   back as a new, real `Response` with the same status and headers (so oauth4webapi's `process*`
 *   functions can consume it).
 *
 * Wrapping is idempotent: a fetch that is already hardened is returned as is.
 */
export function hardenFetch(options: AuthFetchOptions = {}): FetchLike {
  const inner = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  if (isHardened(inner) && options.timeoutMs === undefined && options.maxBodyBytes === undefined) return inner;
  const timeoutMs = options.timeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidOptionError('timeoutMs', `must be a positive number, got ${JSON.stringify(timeoutMs)}`);
  }
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new InvalidOptionError('maxBodyBytes', `must be a positive integer, got ${JSON.stringify(maxBodyBytes)}`);
  }
  const logger = options.logger ?? silentLogger;

  const hardened = async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
    const url = assertSecureEndpoint(input, 'Request URL');
    const method = (init.method ?? 'GET').toUpperCase();
    const callerSignal = init.signal ?? undefined;
    if (callerSignal?.aborted) throw aborted(url, callerSignal.reason);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;

    let response: Response;
    try {
      response = await inner(url.href, { ...init, redirect: 'manual', signal });
    } catch (cause) {
      throw failure(url, method, cause, callerSignal, timeout, timeoutMs);
    }
    logger.debug('auth request', { method, url: url.href, status: response.status });

    if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
      discard(response);
      throw new RedirectRefusedError(url.href, response.status, resolveLocation(response, url));
    }

    let body: Uint8Array<ArrayBuffer> | null;
    try {
      body = await readCapped(response, maxBodyBytes, url);
    } catch (cause) {
      if (cause instanceof OAuthError) throw cause;
      throw failure(url, method, cause, callerSignal, timeout, timeoutMs);
    }
    const copy = new Response(nullBodyStatus(response.status) ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    Object.defineProperty(copy, 'url', { value: response.url || url.href });
    return copy;
  };
  return Object.assign(hardened, { [HARDENED]: true as const });
}

function aborted(url: URL, reason: unknown): OAuthError {
  return new OAuthError('ABORTED', `The request to ${quote(url.href)} was aborted`, { cause: reason });
}

function failure(
  url: URL,
  method: string,
  cause: unknown,
  callerSignal: AbortSignal | undefined,
  timeout: AbortSignal,
  timeoutMs: number,
): OAuthError {
  if (cause instanceof OAuthError) return cause;
  if (callerSignal?.aborted) return aborted(url, callerSignal.reason);
  if (timeout.aborted) {
    return new OAuthError('REQUEST_FAILED', `${method} ${quote(url.href)} timed out after ${timeoutMs} ms`, { cause });
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new OAuthError('REQUEST_FAILED', `${method} ${quote(url.href)} failed: ${quote(detail)}`, { cause });
}

function resolveLocation(response: Response, url: URL): string | undefined {
  const location = response.headers.get('location');
  if (location === null) return undefined;
  try {
    return new URL(location, url).href;
  } catch {
    return undefined;
  }
}

/**
 * Release a body we will not read. Not awaited: cancelling one branch of a tee'd body (a cloned `Response`)
 * only settles once the other branch is cancelled too.
 */
function discard(response: Response): void {
  response.body?.cancel().catch(() => {});
}

function nullBodyStatus(status: number): boolean {
  return status === 101 || status === 103 || status === 204 || status === 205 || status === 304;
}

function tooLarge(url: URL, maxBodyBytes: number): OAuthError {
  return new OAuthError(
    'INVALID_RESPONSE',
    `The response from ${quote(url.href)} is larger than ${maxBodyBytes} bytes; refusing to read it`,
  );
}

async function readCapped(response: Response, maxBodyBytes: number, url: URL): Promise<Uint8Array<ArrayBuffer> | null> {
  if (response.body === null) return null;
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    discard(response);
    throw tooLarge(url, maxBodyBytes);
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBodyBytes) {
      reader.cancel().catch(() => {}); // not awaited, see discard()
      throw tooLarge(url, maxBodyBytes);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** What {@link oauth4webapiOptions} needs besides the URL. */
export interface OAuth4WebApiBase {
  /** The fetch to use (hardened here if it is not already). */
  fetch?: FetchLike | undefined;
  /** Aborts the request(s) of this call. */
  signal?: AbortSignal | undefined;
  /** Extra request headers (never `authorization`: oauth4webapi refuses it). */
  headers?: Record<string, string> | undefined;
}

/**
 * Request options for an oauth4webapi call that will contact `url`: `customFetch` set to the hardened fetch,
 * the caller's `signal`, and oauth4webapi's `allowInsecureRequests` set ONLY when `url` is `http:` on a
 * loopback host (RFC 8252 §8.3 / MCP "Communication Security"): never globally. The hardened fetch enforces
 * the same rule again before sending, so a non-loopback `http:` URL fails with `INSECURE_ENDPOINT` even if
 * the option were set.
 *
 * @param url the endpoint the call will reach (e.g. `as.token_endpoint`); `undefined` keeps https enforced.
 */
export function oauth4webapiOptions<Method = 'POST', Body = URLSearchParams>(
  url: string | URL | undefined,
  base: OAuth4WebApiBase = {},
): oauth.HttpRequestOptions<Method, Body> {
  const fetch = hardenFetch({ fetch: base.fetch });
  const options: oauth.HttpRequestOptions<Method, Body> = {
    [oauth.customFetch]: (input: string, init: oauth.CustomFetchOptions<Method, Body>) =>
      fetch(input, init as unknown as RequestInit),
  };
  if (base.signal !== undefined) options.signal = base.signal;
  if (base.headers !== undefined) options.headers = base.headers;
  if (url !== undefined && isLoopbackHttp(url)) options[oauth.allowInsecureRequests] = true;
  return options;
}

/** Whether `url` is `http:` on a loopback host (the one case where plain http is allowed). */
export function isLoopbackHttp(url: string | URL): boolean {
  try {
    const parsed = new URL(String(url));
    return parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname);
  } catch {
    return false;
  }
}
