/**
 * OAuth discovery for MCP servers: `WWW-Authenticate` parsing (RFC 9110 §11.6.1, RFC 6750 §3, RFC 9728 §5.1),
 * well-known metadata URLs (RFC 9728 §3.1, RFC 8414 §3.1, OpenID Connect Discovery §4), and discovery of
 * protected resource and authorization server metadata (MCP Authorization 2025-11-25, with the 2025-03-26
 * back-compat path).
 */
export type {
  DiscoverAuthorizationServerOptions,
  DiscoverOptions,
  DiscoverProtectedResourceOptions,
  DiscoveryAttempt,
  DiscoveryCache,
  DiscoveryResult,
} from './discover.ts';
export {
  DiscoveryError,
  discover,
  discoverAuthorizationServer,
  discoverProtectedResource,
  legacyDefaults,
} from './discover.ts';
export {
  authorizationServerMetadataUrls,
  canonicalResourceUri,
  legacyAuthorizationServerMetadataUrl,
  protectedResourceMetadataUrls,
  resourceIdentifiesServer,
} from './well-known.ts';
export type { AuthChallenge, BearerChallenge } from './www-authenticate.ts';
export { bearerChallengeFrom, bearerChallengeOf, parseWwwAuthenticate } from './www-authenticate.ts';
