/**
 * The demo's two servers together: a real OAuth 2.1 authorization server (`oidc-provider`) and a protected MCP
 * server that accepts its tokens, both on 127.0.0.1. The demo runs against them, and so do the tests, the bench and
 * the adapter scenarios (each starts its own pair).
 */
import {
  type AuthorizationServer,
  type AuthorizationServerOptions,
  type InteractionMode,
  startAuthorizationServer,
} from './authorization-server.ts';
import {
  type ProtectedMcpServer,
  type ProtectedMcpServerOptions,
  startProtectedMcpServer,
} from './protected-server.ts';

/** The two servers of the demo. */
export interface DemoServers {
  as: AuthorizationServer;
  mcp: ProtectedMcpServer;
  close(): Promise<void>;
}

/**
 * Start the demo's servers on 127.0.0.1 (free ports): the authorization server in `mode` (`consent` shows the
 * one-page consent screen, `auto-approve` approves at once) and a protected MCP server that accepts its tokens and
 * (unless `checkRevocation` is false) asks it whether a token was revoked. Tests pass further options of either
 * server in `as` / `mcp`.
 */
export async function startDemoServers(
  options: {
    mode?: InteractionMode;
    as?: AuthorizationServerOptions;
    mcp?: Partial<ProtectedMcpServerOptions>;
    checkRevocation?: boolean;
  } = {},
): Promise<DemoServers> {
  const mode = options.mode ?? options.as?.mode;
  const as = await startAuthorizationServer({ ...options.as, ...(mode !== undefined && { mode }) });
  let mcp: ProtectedMcpServer;
  try {
    mcp = await startProtectedMcpServer({
      issuer: as.issuer,
      ...(options.checkRevocation !== false && { isTokenRevoked: (claims) => !as.isAccessTokenActive(claims) }),
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
