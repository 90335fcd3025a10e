import type * as oauth from 'oauth4webapi';
import type { Logger } from '../../core/logger.ts';
import type { FetchLike } from '../hardened-fetch.ts';
import type { BearerChallenge } from './www-authenticate.ts';

/** Options of `discoverProtectedResource`. */
export interface DiscoverProtectedResourceOptions {
  /** The MCP server URL (the protected resource). */
  serverUrl: string | URL;
  /** The RFC 9728 §5.1 `resource_metadata` URL of the 401 challenge, when there was one. */
  resourceMetadataUrl?: string | undefined;
  /** Transport; hardened with `hardenFetch` (https rule, no redirects, timeout, size cap). */
  fetch?: FetchLike | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
}

/** Options of `discoverAuthorizationServer`. */
export interface DiscoverAuthorizationServerOptions {
  /**
   * The authorization server's issuer identifier (from `authorization_servers`). On the `legacy` path, the
   * MCP server URL instead: its origin is the authorization server.
   */
  issuer: string | URL;
  fetch?: FetchLike | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  /**
   * The MCP 2025-03-26 back-compat path (the server has no protected resource metadata): metadata only at
   * `{origin}/.well-known/oauth-authorization-server`, issuer NOT checked, and when there is none, the
   * default endpoints `{origin}/authorize`, `/token`, `/register`. Default `false`.
   */
  legacy?: boolean | undefined;
  /**
   * The MCP server this discovery is for, when there is one: URLs that server's documents name are refused when
   * they point at a link-local address, or at loopback while the server is not on loopback
   * (`forbiddenAddressRule`, `FORBIDDEN_ADDRESS`). On the `legacy` path it is `issuer` itself.
   */
  serverUrl?: string | URL | undefined;
}

/** What `discover` found for one MCP server. */
export interface DiscoveryResult {
  /** The canonical URI of the MCP server (`canonicalResourceUri`): the RFC 8707 `resource` to send. */
  resource: string;
  /** The RFC 9728 protected resource metadata, absent on the 2025-03-26 back-compat path. */
  protectedResource?: oauth.ResourceServer;
  /** The URL `protectedResource` was fetched from. */
  protectedResourceMetadataUrl?: string;
  /** The metadata of the authorization server to use (the first of `authorization_servers`). */
  authorizationServer: oauth.AuthorizationServer;
  /** Whether this is the 2025-03-26 back-compat path (no protected resource metadata). */
  legacy: boolean;
  /**
   * Whether `authorizationServer` was synthesized from the 2025-03-26 default endpoints because the server
   * published no metadata at all. It then lists `code_challenge_methods_supported: ['S256']`, which
   * 2025-03-26 makes mandatory for every server, and `response_types_supported: ['code']`.
   */
  synthesized: boolean;
  /** The scopes of the challenge that started discovery (RFC 6750 §3 `scope`), when it had any. */
  challengeScopes?: string[];
}

/**
 * A cache of discovery results, keyed by canonical server URI. Pass the same Map to every `discover`
 * call of a connection (or a process) so repeated discovery makes no request; delete a key to force it again.
 */
export type DiscoveryCache = Map<string, DiscoveryResult>;

/** Options of `discover`. */
export interface DiscoverOptions {
  serverUrl: string | URL;
  /** The Bearer challenge of the 401 (or 403) that started discovery (`bearerChallengeFrom`). */
  challenge?: BearerChallenge | undefined;
  fetch?: FetchLike | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  cache?: DiscoveryCache | undefined;
}
