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
 * `inner` with each request on a signal of its own, aborted when the caller's signal is.
 *
 * The SDK transports pass one connection-long signal to every request; Node's fetch adds an abort listener to the
 * signal it is given for each request and removes it only when that request is garbage-collected, so a connection
 * that makes thousands of calls collected thousands of listeners (each request then costs time in proportion, and
 * Node prints "MaxListenersExceededWarning ... 1501 abort listeners" once per request past 1500). Here the caller's
 * signal carries one listener in all, which aborts the requests still in progress: each request's own controller is
 * held while its answer is awaited and then by its response body (a stream still being read), and forgotten once
 * neither is in use.
 */
export function withOwnSignals(inner: Fetch): Fetch {
  return async (input, init) => {
    const outer = init?.signal;
    if (!outer || outer.aborted) return inner(input, init);
    const own = new AbortController();
    followersOf(outer).add(own);
    const response = await inner(input, { ...init, signal: own.signal });
    if (response.body !== null) Object.defineProperty(response.body, HELD_CONTROLLER, { value: own });
    return response;
  };
}

const HELD_CONTROLLER = Symbol('mcptool.requestController');

/** The controllers following one caller's signal, weakly (a request in progress holds its own). */
class Followers {
  readonly #refs = new Set<WeakRef<AbortController>>();
  #pruneAt = 64;

  constructor(outer: AbortSignal) {
    outer.addEventListener(
      'abort',
      () => {
        for (const ref of this.#refs) ref.deref()?.abort(outer.reason);
        this.#refs.clear();
      },
      { once: true },
    );
  }

  add(controller: AbortController): void {
    this.#refs.add(new WeakRef(controller));
    if (this.#refs.size < this.#pruneAt) return;
    for (const ref of this.#refs) if (ref.deref() === undefined) this.#refs.delete(ref);
    this.#pruneAt = Math.max(64, this.#refs.size * 2);
  }
}

const followers = new WeakMap<AbortSignal, Followers>();

function followersOf(outer: AbortSignal): Followers {
  let found = followers.get(outer);
  if (found === undefined) {
    found = new Followers(outer);
    followers.set(outer, found);
  }
  return found;
}
