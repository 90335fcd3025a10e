/**
 * Support shared by the OAuth end-to-end tests (test/integration/oauth) and the token lifecycle tests
 * (test/integration/lifecycle): a real authorization server (oidc-provider) with a real protected MCP server that
 * trusts it, on 127.0.0.1, a user who approves by following the authorization server's redirects, a handler that
 * must never be asked, a test toolset, and small helpers (tool result text, the only stored record, JWT payloads,
 * temp dirs, sleep). The library is used through its public API (`src/index.ts`) only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthorizationServer, AuthorizationServerOptions } from '../../../demo/authorization-server.ts';
import type { ProtectedMcpServer, ProtectedMcpServerOptions } from '../../../demo/protected-server.ts';
import { startDemoServers } from '../../../demo/servers.ts';
import {
  type AuthorizationHandler,
  type Logger,
  MCPToolset,
  OAuthConfig,
  type OAuthConfigOptions,
  StreamableHttpServerInfo,
  type TokenRecord,
  type TokenStore,
} from '../../../src/index.ts';

/** A redirect URI that nothing listens on: the redirect-following handlers stop as soon as a redirect reaches it. */
export const FAKE_REDIRECT_URI = 'http://127.0.0.1:9/callback';

/** An authorization server and a protected MCP server that trusts it. */
export interface Stack {
  as: AuthorizationServer;
  mcp: ProtectedMcpServer;
  close(): Promise<void>;
}

/**
 * Start an authorization server with `as` and a protected MCP server trusting it with `mcp`. With
 * `checkRevocation`, the MCP server asks the authorization server whether each token is still active (revocation,
 * grant revoked by refresh token reuse), as a resource server using introspection would; an `mcp.isTokenRevoked`
 * given overrides that.
 */
export async function startOAuthStack(
  options: {
    as?: AuthorizationServerOptions;
    mcp?: Partial<ProtectedMcpServerOptions>;
    checkRevocation?: boolean;
  } = {},
): Promise<Stack> {
  return startDemoServers({
    ...(options.as && { as: options.as }),
    ...(options.mcp && { mcp: options.mcp }),
    checkRevocation: options.checkRevocation ?? false,
  });
}

/**
 * Follow the redirects of `url` with plain GETs (no cookie jar, like the fixture allows) until a URL on `stopAt`
 * is reached; return it. Fails on an answer that is not a redirect before that.
 */
export async function followToRedirectUri(url: string | URL, stopAt: string, maxHops = 10): Promise<URL> {
  let current = new URL(url);
  for (let hop = 0; hop < maxHops; hop++) {
    if (current.href.startsWith(stopAt)) return current;
    const response = await fetch(current, { redirect: 'manual' });
    const location = response.headers.get('location');
    await response.body?.cancel();
    if (response.status < 300 || response.status >= 400 || !location) {
      throw new Error(`GET ${current.origin}${current.pathname}: HTTP ${response.status} without a redirect`);
    }
    current = new URL(location, current);
  }
  throw new Error('too many redirects');
}

/**
 * A handler that must never be asked to authorize (for flows that must never need a browser): it counts the
 * times it is asked and fails the sign-in each time.
 */
export function forbiddenHandler(): { handler: AuthorizationHandler; opened: () => number } {
  let opened = 0;
  return {
    handler: {
      async open() {
        opened += 1;
        throw new Error('this test must never start an interactive authorization');
      },
    },
    opened: () => opened,
  };
}

/**
 * A toolset on `url` with an `OAuthConfig` built from `oauth` (or none with `false`), with short retry delays and
 * a `timeout` (default 15 s) for tests.
 */
export function oauthToolset(
  url: string,
  oauth: OAuthConfigOptions | OAuthConfig | false,
  extra: { fetch?: typeof fetch | undefined; logger?: Logger; timeoutMs?: number } = {},
): MCPToolset {
  const config = oauth === false || oauth instanceof OAuthConfig ? oauth : new OAuthConfig(oauth);
  return new MCPToolset({
    serverInfo: new StreamableHttpServerInfo({
      url,
      oauth: config,
      timeoutMs: extra.timeoutMs ?? 15_000,
      baseDelayMs: 10,
      maxDelayMs: 50,
    }),
    ...(extra.fetch && { fetch: extra.fetch }),
    ...(extra.logger && { logger: extra.logger }),
  });
}

/** The text of a tool result. */
export function text(result: { content?: unknown }): string {
  const blocks = (result.content ?? []) as { type: string; text?: string }[];
  return blocks.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('');
}

/** The single record of a store (fails when there is not exactly one). */
export async function onlyRecord(store: TokenStore): Promise<TokenRecord> {
  const records = await store.list();
  if (records.length !== 1) throw new Error(`expected one stored record, found ${records.length}`);
  return records[0] as TokenRecord;
}

/** Decode a JWT's payload without checking it. */
export function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A temp dir removed by `cleanup()`. */
export function tempDir(prefix = 'mcptool-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Sleep `ms` milliseconds (none when `ms` is not positive). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
