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
