/**
 * Shared setup of the token lifecycle tests: a real authorization server (oidc-provider) issuing short-lived JWT
 * access tokens with rotating refresh tokens, a real protected MCP server that verifies them, a handler that plays
 * the user (following the auto-approve redirects), and small timing helpers. The library is used through its
 * public API (`src/index.ts`) only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  type AuthorizationServer,
  type AuthorizationServerOptions,
  startAuthorizationServer,
} from '../../../src/demo/authorization-server.ts';
import {
  type ProtectedMcpServer,
  type ProtectedMcpServerOptions,
  startProtectedMcpServer,
} from '../../../src/demo/protected-server.ts';
import {
  type AuthorizationHandler,
  functionAuthorizationHandler,
  MCPToolset,
  OAuthConfig,
  type OAuthConfigOptions,
  StreamableHttpServerInfo,
  type TokenRecord,
  type TokenStore,
} from '../../../src/index.ts';

/** A redirect URI nothing listens on: the handler stops following redirects when one reaches it. */
export const REDIRECT_URI = 'http://127.0.0.1:9/callback';

export interface Stack {
  as: AuthorizationServer;
  mcp: ProtectedMcpServer;
  close(): Promise<void>;
}

/**
 * An authorization server issuing `ttl`-second access tokens (rotating refresh tokens, the fixture's default)
 * and a protected MCP server trusting it. With `checkRevocation`, the MCP server asks the authorization server
 * whether each token is still active, as a resource server using introspection would.
 */
export async function startStack(
  options: {
    ttl?: number;
    as?: AuthorizationServerOptions;
    mcp?: Partial<ProtectedMcpServerOptions>;
    checkRevocation?: boolean;
  } = {},
): Promise<Stack> {
  const as = await startAuthorizationServer({ accessTokenTTL: options.ttl ?? 3, ...options.as });
  let mcp: ProtectedMcpServer;
  try {
    mcp = await startProtectedMcpServer({
      issuer: as.issuer,
      ...(options.checkRevocation && { isTokenRevoked: (claims) => !as.isAccessTokenActive(claims) }),
      ...options.mcp,
    });
  } catch (error) {
    await as.close();
    throw error;
  }
  return {
    as,
    mcp,
    async close() {
      await mcp.close();
      await as.close();
    },
  };
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
      let current = options.transform ? options.transform(new URL(authorizationUrl)) : new URL(authorizationUrl);
      urls.push(current);
      for (let hop = 0; hop < 10; hop++) {
        if (current.href.startsWith(REDIRECT_URI)) return current;
        const response = await fetch(current, { redirect: 'manual' });
        await response.body?.cancel();
        const location = response.headers.get('location');
        if (response.status < 300 || response.status >= 400 || !location) {
          throw new Error(`authorization step ${current.pathname}: HTTP ${response.status}`);
        }
        current = new URL(location, current);
      }
      throw new Error('too many redirects');
    },
    { redirectUri: REDIRECT_URI },
  );
  return { handler, opened: () => urls.length, urls };
}

/** A handler that must never be asked (counts if it is, and fails the sign-in). */
export function refusingHandler(): { handler: AuthorizationHandler; opened: () => number } {
  let opened = 0;
  return {
    handler: {
      async open() {
        opened += 1;
        throw new Error('this process must not start an interactive authorization');
      },
    },
    opened: () => opened,
  };
}

/** A toolset on `url` with `oauth` (short connection timeouts for tests). */
export function toolset(url: string, oauth: OAuthConfig | OAuthConfigOptions, fetchFn?: typeof fetch): MCPToolset {
  const config = oauth instanceof OAuthConfig ? oauth : new OAuthConfig(oauth);
  return new MCPToolset({
    serverInfo: new StreamableHttpServerInfo({ url, oauth: config, timeout: 20_000, baseDelay: 10, maxDelay: 50 }),
    ...(fetchFn && { fetch: fetchFn }),
  });
}

/** The text of a tool result. */
export function text(result: { content?: unknown }): string {
  const blocks = (result.content ?? []) as { type: string; text?: string }[];
  return blocks.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('');
}

/** The single record of a store (throws when there is not exactly one). */
export async function onlyRecord(store: TokenStore): Promise<TokenRecord> {
  const records = await store.list();
  if (records.length !== 1) throw new Error(`expected one stored record, found ${records.length}`);
  return records[0] as TokenRecord;
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

/** Decode a JWT's payload without checking it. */
export function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A temp dir removed by `cleanup()`. */
export function tempDir(prefix = 'mcptool-lifecycle-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Sleep until the wall-clock time `atMs` (ms since the epoch). */
export const sleepUntil = (atMs: number) => sleep(atMs - Date.now());

/** Grants answered at the token endpoint, without the zero counts. */
export function grants(as: AuthorizationServer): Record<string, number> {
  return { ...as.stats.grants };
}

/**
 * A fetch over `node:http` with a new connection per request (no keep-alive), for the tests that fire hundreds of
 * concurrent calls. Why: the fixture servers close idle keep-alive sockets after 1 s (src/demo/http.ts), while
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
