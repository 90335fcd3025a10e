import type { FetchLike } from '../../../../src/auth/hardened-fetch.ts';

/** A route answer: a fresh `Response` per request (a function), or a `Response` that is cloned per request. */
export type Route = Response | ((url: string, init: RequestInit | undefined) => Response | Promise<Response>);

export interface RecordedRequest {
  url: string;
  method: string;
  init: RequestInit | undefined;
}

/**
 * An injected fetch that answers real `Response` objects keyed by exact URL (404 for anything else) and
 * records every URL requested, in order.
 */
export function fakeFetch(routes: Record<string, Route>): {
  fetch: FetchLike;
  requests: RecordedRequest[];
  urls: () => string[];
} {
  const requests: RecordedRequest[] = [];
  const fetch: FetchLike = async (input, init) => {
    const url = String(input);
    requests.push({ url, method: init?.method ?? 'GET', init });
    const route = routes[url];
    if (route === undefined)
      return new Response('Not Found', { status: 404, headers: { 'content-type': 'text/plain' } });
    return typeof route === 'function' ? route(url, init) : route.clone();
  };
  return { fetch, requests, urls: () => requests.map((r) => r.url) };
}

/** A JSON `Response` (status 200 unless given). */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
