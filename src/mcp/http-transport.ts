/** The SDK transports of the HTTP server infos, built one way for the tools' clients and for the proxy. */
import {
  type AuthProvider,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client';
import type { SSEServerInfo, StreamableHttpServerInfo } from './server-info.ts';

type HttpServerInfo = StreamableHttpServerInfo | SSEServerInfo;
type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * The headers every request to `info` carries: its configured headers and, with `withToken`, its static token as
 * `Authorization: Bearer` unless a configured header already sets `Authorization`. The SDK transports send
 * `requestInit` headers only while the `authProvider` has no token of its own, so a static key is used first and
 * OAuth takes over after a 401.
 */
export function staticHeaders(info: HttpServerInfo, withToken: boolean): Record<string, string> {
  const headers = info.resolveHeaders();
  const token = withToken ? info.resolveToken() : undefined;
  if (token !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
    headers['Authorization'] = `Bearer ${token}`;
  }
  return headers;
}

/** An `AuthProvider` that always answers with `token` (a static bearer token), or undefined without one. */
export function staticTokenProvider(token: string | undefined): AuthProvider | undefined {
  return token === undefined ? undefined : { token: async () => token };
}

/**
 * The SDK transport for `info`: Streamable HTTP (`http`, resuming its own streams with the info's backoff) or
 * HTTP+SSE (`sse`, whose stream request, which does not read `requestInit`, gets `headers` added here).
 */
export function createHttpTransport(
  kind: 'http' | 'sse',
  info: HttpServerInfo,
  options: { headers: Record<string, string>; authProvider?: AuthProvider | undefined; fetch?: Fetch | undefined },
): Transport {
  const { headers, authProvider, fetch: transportFetch } = options;
  const common = {
    requestInit: { headers },
    ...(authProvider && { authProvider }),
    ...(transportFetch && { fetch: transportFetch }),
  };
  if (kind === 'http') {
    return new StreamableHTTPClientTransport(info.url, {
      ...common,
      reconnectionOptions: {
        maxRetries: info.maxRetries,
        initialReconnectionDelay: info.baseDelayMs,
        maxReconnectionDelay: info.maxDelayMs,
        reconnectionDelayGrowFactor: 2,
      },
    });
  }
  const baseFetch = transportFetch ?? fetch;
  return new SSEClientTransport(info.url, {
    ...common,
    eventSourceInit: {
      fetch: (url, init) => {
        const merged = new Headers(init?.headers);
        for (const [key, value] of Object.entries(headers)) if (!merged.has(key)) merged.set(key, value);
        return baseFetch(url, { ...init, headers: merged });
      },
    },
  });
}

/**
 * The fetch an SDK HTTP transport uses: `fetchFn` (default: the global fetch) with each request on its own abort
 * signal ({@link withOwnSignals}), wrapped by the connection's OAuth seam when there is one (which must see the
 * responses the transport sees: it keys 401 responses by identity).
 */
export function transportFetch(
  auth: { wrapFetch?(inner: Fetch): typeof fetch } | undefined,
  fetchFn: Fetch | undefined,
): Fetch {
  const inner = withOwnSignals(fetchFn ?? fetch);
  return auth?.wrapFetch ? auth.wrapFetch(inner) : inner;
}

/**
 * `inner` with each request on a signal of its own that follows the caller's until the response is read to its end.
 *
 * The SDK transports pass one connection-long signal to every request; Node's fetch adds an abort listener to the
 * signal it is given for each request and removes it only when that request is garbage-collected, so a connection
 * that makes thousands of calls collects thousands of listeners (each request then costs time in proportion, and
 * Node prints "MaxListenersExceededWarning ... 1501 abort listeners" once per request past 1500). Here the caller's
 * signal carries one listener per request in flight, removed as soon as its response is read: a body that is not an
 * event stream is read at once (still abortable), an event stream is passed through and released when it ends, fails
 * or is cancelled.
 */
export function withOwnSignals(inner: Fetch): Fetch {
  return async (input, init) => {
    const outer = init?.signal;
    if (!outer || outer.aborted) return inner(input, init);
    const own = new AbortController();
    const follow = () => own.abort(outer.reason);
    outer.addEventListener('abort', follow, { once: true });
    const release = () => outer.removeEventListener('abort', follow);
    try {
      const response = await inner(input, { ...init, signal: own.signal });
      if (response.body === null) {
        release();
        return response;
      }
      if (!/^text\/event-stream\b/i.test(response.headers.get('content-type') ?? '')) {
        const body = await response.arrayBuffer();
        release();
        return copyResponse(response, body.byteLength === 0 ? null : body);
      }
      return copyResponse(response, releasedAtEnd(response.body, release));
    } catch (error) {
      release();
      throw error;
    }
  };
}

/** `body` passed through; `release` runs once when it ends, fails or is cancelled. */
function releasedAtEnd(body: ReadableStream<Uint8Array>, release: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    cancel(reason) {
      release();
      return reader.cancel(reason);
    },
  });
}

/** A response with `response`'s status, headers and URL, and `body`. */
function copyResponse(response: Response, body: BodyInit | null): Response {
  const copy = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  Object.defineProperty(copy, 'url', { value: response.url });
  Object.defineProperty(copy, 'redirected', { value: response.redirected });
  return copy;
}
