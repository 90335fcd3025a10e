/**
 * Shared setup of the token lifecycle tests: a real authorization server (oidc-provider) issuing short-lived JWT
 * access tokens with rotating refresh tokens, a real protected MCP server that verifies them, a handler that plays
 * the user (following the auto-approve redirects), and small timing helpers. The library is used through its
 * public API (`src/index.ts`) only.
 */
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import type { AuthorizationServer, AuthorizationServerOptions } from '../../../demo/authorization-server.ts';
import type { ProtectedMcpServerOptions } from '../../../demo/protected-server.ts';
import {
  type AuthorizationHandler,
  type Clock,
  functionAuthorizationHandler,
  type MCPToolset,
  type OAuthConfig,
  type OAuthConfigOptions,
  type TokenStore,
} from '../../../src/index.ts';
import {
  FAKE_REDIRECT_URI,
  followToRedirectUri,
  forbiddenHandler,
  oauthToolset,
  onlyRecord,
  type Stack,
  sleep,
  startOAuthStack,
} from '../support/oauth-stack.ts';

export { decodeJwt as jwtClaims, onlyRecord, type Stack, sleep, tempDir, text } from '../support/oauth-stack.ts';

/** A redirect URI nothing listens on: the handler stops following redirects when one reaches it. */
export const REDIRECT_URI = FAKE_REDIRECT_URI;

/**
 * An authorization server issuing `ttl`-second access tokens (rotating refresh tokens, the fixture's default)
 * and a protected MCP server trusting it. With `checkRevocation`, the MCP server asks the authorization server
 * whether each token is still active, as a resource server using introspection would.
 */
export function startStack(
  options: {
    ttl?: number;
    as?: AuthorizationServerOptions;
    mcp?: Partial<ProtectedMcpServerOptions>;
    checkRevocation?: boolean;
    /** One clock for both servers (the test gives the client the same one): expiry is driven by moving it. */
    clock?: Clock;
  } = {},
): Promise<Stack> {
  const clock = options.clock && { clock: options.clock };
  return startOAuthStack({
    as: { accessTokenTTL: options.ttl ?? 3, ...clock, ...options.as },
    ...((options.mcp || clock) && { mcp: { ...clock, ...options.mcp } }),
    ...(options.checkRevocation !== undefined && { checkRevocation: options.checkRevocation }),
  });
}

/**
 * A user who approves at once: `functionAuthorizationHandler` following the authorization server's redirects
 * (no cookie jar needed with the fixture) until the redirect URI. `opened()` counts the authorizations;
 * `transform` may rewrite the authorization URL first (e.g. to strip a scope, as a stingy server would).
 */
export function approvingHandler(options: { transform?: (url: URL) => URL } = {}): {
  handler: AuthorizationHandler;
  opened: () => number;
  urls: URL[];
} {
  const urls: URL[] = [];
  const handler = functionAuthorizationHandler(
    async (authorizationUrl) => {
      const start = options.transform ? options.transform(new URL(authorizationUrl)) : new URL(authorizationUrl);
      urls.push(start);
      return followToRedirectUri(start, REDIRECT_URI);
    },
    { redirectUri: REDIRECT_URI },
  );
  return { handler, opened: () => urls.length, urls };
}

/** A handler that must never be asked (counts if it is, and fails the sign-in). */
export const refusingHandler = forbiddenHandler;

/** A toolset on `url` with `oauth` (short connection timeouts for tests). */
export function toolset(url: string, oauth: OAuthConfig | OAuthConfigOptions, fetchFn?: typeof fetch): MCPToolset {
  return oauthToolset(url, oauth, { fetch: fetchFn, timeoutMs: 20_000 });
}

/** The stored access-token expiry of the only record, in ms since the epoch. */
export async function storedExpiryMs(store: TokenStore): Promise<number> {
  const expiresAt = (await onlyRecord(store)).tokens?.expires_at;
  if (expiresAt === undefined) throw new Error('the stored tokens have no expires_at');
  return expiresAt * 1000;
}

/**
 * When the client will renew the only record's access token, in ms since the epoch: `skewSeconds` before its
 * `expires_at`, scaled down to a fifth of its lifetime (the engine's rule, issue 4 "Refresh and retry discipline").
 */
export async function renewalPointMs(store: TokenStore, skewSeconds = 60): Promise<number> {
  const tokens = (await onlyRecord(store)).tokens;
  if (tokens?.expires_at === undefined) throw new Error('the stored tokens have no expires_at');
  const skew = Math.min(skewSeconds, (tokens.expires_at - tokens.issued_at) / 5);
  return (tokens.expires_at - skew) * 1000;
}

/**
 * Move `clock` to `pastMs` after the only record's access token expires (a token that was current is then expired
 * for the client and for servers sharing the clock).
 */
export async function expireHeldToken(
  store: TokenStore,
  clock: { now(): number; advance(ms: number): void },
  pastMs = 1_000,
) {
  const target = (await storedExpiryMs(store)) + pastMs;
  clock.advance(Math.max(0, target - clock.now()));
}

/** Sleep until the wall-clock time `atMs` (ms since the epoch). */
export const sleepUntil = (atMs: number) => sleep(atMs - Date.now());

/** Grants answered at the token endpoint, without the zero counts. */
export function grants(as: AuthorizationServer): Record<string, number> {
  return { ...as.stats.grants };
}

/**
 * A fetch over `node:http` with a new connection per request (no keep-alive), for the tests that fire hundreds of
 * concurrent calls. Why: the fixture servers close idle keep-alive sockets after 1 s (demo/http-server.ts), while
 * Node's fetch keeps them for 4 s when a response carries no `Keep-Alive: timeout` hint (the MCP SDK's SSE answers
 * do not): a request sent on a socket the server is closing fails with "other side closed" / ECONNRESET, and the
 * MCP client then drops the shared connection, failing every call in flight. That transport race is not what these
 * tests measure (it is reported separately); this fetch takes it out.
 */
export const freshConnectionFetch: typeof fetch = async (input, init) => {
  const request = new Request(input, init);
  const url = new URL(request.url);
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  const signal = request.signal;
  return new Promise<Response>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers,
        agent: false,
      },
      (res) => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
          else if (value !== undefined) responseHeaders.set(name, value);
        }
        const status = res.statusCode ?? 502;
        const empty = status === 204 || status === 304 || request.method === 'HEAD';
        if (empty) res.resume();
        resolve(
          new Response(empty ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>), {
            status,
            statusText: res.statusMessage ?? '',
            headers: responseHeaders,
          }),
        );
      },
    );
    const onAbort = () => req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    req.once('close', () => signal.removeEventListener('abort', onAbort));
    req.once('error', reject);
    req.end(body);
  });
};
