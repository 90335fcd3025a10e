import type * as oauth from 'oauth4webapi';
import type { Logger } from '../../core/logger.ts';
import type { BearerChallenge } from '../discovery/www-authenticate.ts';
import type { StoredDiscovery, TokenRecord } from '../store/types.ts';
import type { IdJagRequest } from './enterprise.ts';

export type { BearerChallenge };

/**
 * What the engine knows of one MCP server's authorization (MCP 2025-11-25 "Authorization Server Discovery"): the
 * result of `discover()` (discovery/discover.ts) with the token store key it implies and what to keep in the store,
 * or the same rebuilt from a stored record.
 */
export interface ServerDiscovery {
  /** The RFC 8707 `resource` to send. */
  resource: string;
  /**
   * The `resource` of the token store key: `resource` when the metadata document is at one of the well-known URLs
   * of that resource (RFC 9728 §3.1), so that every server URL it covers shares one record; otherwise (a document
   * elsewhere, e.g. `/b/prm.json`, claiming a parent resource) the canonical server URL, so that a second server on
   * the same origin gets a record of its own.
   */
  recordResource: string;
  /** The URL the protected resource metadata was fetched from, if any. */
  resourceMetadataUrl: string | undefined;
  authorizationServer: oauth.AuthorizationServer;
  /** `scopes_supported` of the protected resource metadata. */
  resourceScopes: string[] | undefined;
  /** `scope` of the 401 challenge that started discovery. */
  challengeScopes: string[] | undefined;
  /** The 2025-03-26 path: no protected resource metadata; the authorization server is the server's origin. */
  legacy: boolean;
  /** What to keep in the token store. */
  toStored(nowSeconds: number): StoredDiscovery;
}

/**
 * The network-facing services the engine uses, behind one small interface so that tests and embedders can swap
 * them: the hardened fetch, oauth4webapi request options, challenge parsing, discovery and the IdP exchange.
 */
export interface AuthServices {
  fetch(url: URL | string, init?: RequestInit): Promise<Response>;
  requestOptions(
    url: URL | string | undefined,
    signal?: AbortSignal,
  ): oauth.HttpRequestOptions<'POST', URLSearchParams>;
  parseChallenge(response: Response): BearerChallenge | undefined;
  canonicalResource(serverUrl: URL): string;
  discover(input: {
    serverUrl: URL;
    challenge: BearerChallenge | undefined;
    signal: AbortSignal | undefined;
  }): Promise<ServerDiscovery>;
  /** A discovery result rebuilt from a stored record (no network), or undefined when it cannot be. */
  fromCache(serverUrl: URL, record: TokenRecord): ServerDiscovery | undefined;
  exchangeForIdJag(request: IdJagRequest): Promise<string>;
  readonly logger: Logger;
}

/**
 * A sign-in that no 401 preceded (`mcptool login`) asks the server for its challenge first, with one
 * unauthenticated GET, so that discovery starts from the metadata URL the server itself names (MCP 2025-11-25,
 * "Protected Resource Metadata Discovery Requirements") and reaches the same record as a later call would. Any
 * other answer leaves discovery to the well-known URLs; the body is never read.
 */
export async function probeChallenge(
  services: AuthServices,
  serverUrl: URL,
  signal: AbortSignal | undefined,
): Promise<BearerChallenge | undefined> {
  try {
    const response = await services.fetch(serverUrl.href, {
      method: 'GET',
      headers: { accept: 'application/json, text/event-stream' },
      ...(signal ? { signal } : {}),
    });
    await response.body?.cancel().catch(() => undefined);
    return response.status === 401 ? services.parseChallenge(response) : undefined;
  } catch (error) {
    if (signal?.aborted) throw error;
    return undefined;
  }
}
