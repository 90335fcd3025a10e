import type { Logger } from '../core/logger.ts';
import type { OAuthConfig } from './config.ts';
import type { ConnectionAuth } from './connection-auth.ts';

/** What the MCP layer passes to build the auth of one HTTP connection. */
export interface ConnectionAuthOptions {
  /** The MCP server URL. */
  serverUrl: URL;
  /** `undefined`: automatic OAuth with defaults on a 401; `false`: OAuth off (a 401 is `AUTH_REQUIRED`). */
  oauth: OAuthConfig | false | undefined;
  /** Whether interactive sign-in may be started (false for background work). Default true. */
  interactive?: boolean;
  fetch?: typeof fetch;
  logger?: Logger;
}

/**
 * Build the OAuth engine of one HTTP connection, or `undefined` when OAuth is off.
 * (Engine in progress: for now this returns `undefined`, so a 401 surfaces as `AUTH_REQUIRED`.)
 */
export function createConnectionAuth(options: ConnectionAuthOptions): ConnectionAuth | undefined {
  if (options.oauth === false) return undefined;
  return undefined;
}
