import type * as oauth from 'oauth4webapi';
import type { Logger } from '../../core/logger.ts';
import { discover, discoverAuthorizationServer } from '../discovery/discover.ts';
import { checkLegacyOrigin } from '../discovery/metadata-checks.ts';
import type { DiscoveryResult } from '../discovery/types.ts';
import { canonicalResourceUri, protectedResourceMetadataUrls } from '../discovery/well-known.ts';
import { bearerChallengeFrom } from '../discovery/www-authenticate.ts';
import { type FetchLike, hardenFetch, oauth4webapiOptions } from '../hardened-fetch.ts';
import type { TokenRecord } from '../store/types.ts';
import { exchangeIdTokenForIdJag } from './enterprise.ts';
import type { AuthServices, ServerDiscovery } from './services.ts';

/** See {@link ServerDiscovery.recordResource}. */
function recordResourceOf(found: DiscoveryResult): string {
  const prm = found.protectedResource;
  const url = found.protectedResourceMetadataUrl;
  if (prm === undefined || url === undefined || prm.resource === found.resource) return found.resource;
  return protectedResourceMetadataUrls(prm.resource).includes(url) ? prm.resource : found.resource;
}

function toResult(found: DiscoveryResult, recordResource: string): ServerDiscovery {
  const prm = found.protectedResource;
  const resourceMetadataUrl = found.protectedResourceMetadataUrl;
  return {
    // The protected resource metadata's `resource` (validated to identify the server) when there is one.
    resource: prm?.resource ?? found.resource,
    recordResource,
    resourceMetadataUrl,
    authorizationServer: found.authorizationServer,
    resourceScopes: prm?.scopes_supported ? [...prm.scopes_supported] : undefined,
    challengeScopes: found.challengeScopes,
    legacy: found.legacy,
    toStored(nowSeconds) {
      return {
        ...(prm && { protected_resource_metadata: { ...prm } as Record<string, unknown> }),
        authorization_server_metadata: { ...found.authorizationServer } as Record<string, unknown>,
        ...(resourceMetadataUrl !== undefined && { resource_metadata_url: resourceMetadataUrl }),
        fetched_at: nowSeconds,
      };
    },
  };
}

/**
 * The default {@link AuthServices}: discovery on oauth4webapi (RFC 9728, RFC 8414, OIDC Discovery), every request
 * through the hardened fetch (https outside loopback, no redirects, timeouts, body cap), and `allowInsecureRequests`
 * decided per URL (loopback only).
 */
export function createAuthServices(options: {
  fetch?: FetchLike | undefined;
  logger: Logger;
  requestTimeoutMs?: number | undefined;
}): AuthServices {
  const fetch = hardenFetch({ fetch: options.fetch, logger: options.logger, timeoutMs: options.requestTimeoutMs });
  return {
    logger: options.logger,
    fetch: (url, init) => fetch(url, init),
    requestOptions: (url, signal) => oauth4webapiOptions(url, { fetch, signal }),
    parseChallenge: (response) => bearerChallengeFrom(response),
    canonicalResource: (serverUrl) => canonicalResourceUri(serverUrl),
    // The engine keeps the result and decides when to discover again (a new `resource_metadata`): no cache here.
    async discover({ serverUrl, challenge, signal }) {
      const found = await discover({ serverUrl, challenge, fetch, signal, logger: options.logger });
      return toResult(found, recordResourceOf(found));
    },
    fromCache(serverUrl, record: TokenRecord) {
      const as = record.discovery?.authorization_server_metadata as oauth.AuthorizationServer | undefined;
      if (!as || typeof as.issuer !== 'string' || as.issuer !== record.issuer) return undefined;
      const prm = record.discovery?.protected_resource_metadata as oauth.ResourceServer | undefined;
      const documentUrl = record.discovery?.resource_metadata_url;
      if (prm === undefined) {
        // A stored back-compat record is held to the rule fresh discovery applies: endpoints on the server's origin.
        try {
          checkLegacyOrigin(as, serverUrl);
        } catch (error) {
          options.logger.warn('ignoring stored authorization server metadata that is not on the server origin', {
            code: (error as { code?: string }).code,
          });
          return undefined;
        }
      }
      const found = {
        resource: canonicalResourceUri(serverUrl),
        authorizationServer: as,
        legacy: prm === undefined,
        synthesized: false,
        ...(prm && { protectedResource: prm }),
        ...(documentUrl !== undefined && { protectedResourceMetadataUrl: documentUrl }),
      };
      return toResult(found, record.resource);
    },
    exchangeForIdJag: (request) =>
      exchangeIdTokenForIdJag(
        request,
        (issuer, signal) => discoverAuthorizationServer({ issuer, fetch, signal, logger: options.logger }),
        (url, signal) => oauth4webapiOptions(url, { fetch, signal }),
      ),
  };
}
