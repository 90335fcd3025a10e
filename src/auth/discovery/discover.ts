import * as oauth from 'oauth4webapi';
import { quote } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { silentLogger } from '../../core/logger.ts';
import { isSecureOrLoopback } from '../../core/url.ts';
import { InsecureEndpointError, OAuthError, ResourceMismatchError } from '../errors.ts';
import type { FetchLike } from '../hardened-fetch.ts';
import { hardenFetch } from '../hardened-fetch.ts';
import {
  checkAddress,
  checkEndpoints,
  checkLegacyOrigin,
  checkServerUrl,
  parsesAsUrl,
  translateProcessingError,
} from './metadata-checks.ts';
import type {
  DiscoverAuthorizationServerOptions,
  DiscoverOptions,
  DiscoverProtectedResourceOptions,
  DiscoveryResult,
} from './types.ts';
import {
  authorizationServerMetadataUrls,
  canonicalResourceUri,
  legacyAuthorizationServerMetadataUrl,
  protectedResourceMetadataUrls,
  resourceIdentifiesServer,
} from './well-known.ts';

/** One metadata URL that discovery requested, and what came back. */
export interface DiscoveryAttempt {
  /** The metadata URL requested. */
  url: string;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Why the answer was not used, when that is more than its status (e.g. `not JSON: content-type "text/html"`). */
  problem?: string;
}

/**
 * Discovery found no usable metadata (code `DISCOVERY_FAILED`): every URL tried is named with the status it
 * answered, and the server's text (quoted) when the failure was not a plain "not found".
 */
export class DiscoveryError extends OAuthError {
  /** The URLs requested, in order, with their statuses. */
  readonly attempts: DiscoveryAttempt[];

  constructor(message: string, attempts: DiscoveryAttempt[], options?: { cause?: unknown }) {
    const tried = attempts
      .map(
        (a) =>
          `${quote(a.url)}${a.problem !== undefined ? ` (${a.problem})` : a.status === undefined ? '' : ` (HTTP ${a.status})`}`,
      )
      .join(', ');
    super('DISCOVERY_FAILED', attempts.length === 0 ? message : `${message}; tried ${tried}`, options);
    this.attempts = attempts;
  }
}

/**
 * Discover the protected resource metadata of an MCP server (RFC 9728; MCP 2025-11-25 "Protected Resource
 * Metadata Discovery Requirements"): from the challenge's `resource_metadata` URL first when given (the
 * specification's "use the resource metadata URL from the `WWW-Authenticate` header when present"), then the
 * path-inserted and the root well-known URLs ({@link protectedResourceMetadataUrls}), each URL once.
 *
 * - A candidate that answers anything but a JSON metadata document (a 4xx other than 429, a `200` HTML page
 *   of a catch-all route, a body that is not a JSON object) is skipped and the next one is tried, so a stale
 *   `resource_metadata` or a path-inserted URL that a web app answers does not hide the document. A 429 or
 *   5xx is a {@link DiscoveryError} at once (a fault, not an absence).
 * - When no candidate has a document: `undefined` (a 2025-03-26 server) when every one answered a 4xx
 *   ("nothing here"); otherwise a {@link DiscoveryError} (`DISCOVERY_FAILED`) naming what each answered.
 * - The document's `resource` must identify the server asked for ({@link resourceIdentifiesServer}), or a
 *   `ResourceMismatchError` (`RESOURCE_MISMATCH`) is thrown before anything else is requested.
 * - Every `authorization_servers` entry must be `https:` (or `http:` on a loopback host), else
 *   `InsecureEndpointError` (`INSECURE_ENDPOINT`).
 * - The response is validated by oauth4webapi's `processResourceDiscoveryResponse` (status, JSON object,
 *   `resource` present); an oversized body or a wrong shape is `INVALID_RESPONSE`.
 *
 * @returns the metadata, or `undefined` when the server publishes none (a 2025-03-26 server).
 */
export async function discoverProtectedResource(
  options: DiscoverProtectedResourceOptions,
): Promise<oauth.ResourceServer | undefined> {
  return (await findProtectedResource(options))?.metadata;
}

/** {@link discoverProtectedResource}, also returning the URL the document was found at. */
async function findProtectedResource(
  options: DiscoverProtectedResourceOptions,
): Promise<{ metadata: oauth.ResourceServer; url: string } | undefined> {
  const logger = options.logger ?? silentLogger;
  const fetch = hardenFetch({ fetch: options.fetch, logger });
  const serverUrl = new URL(String(options.serverUrl));
  const fromChallenge = challengeMetadataUrl(options.resourceMetadataUrl, serverUrl, logger);
  if (fromChallenge !== undefined) checkAddress(new URL(fromChallenge), serverUrl, 'resource_metadata');
  const wellKnown = protectedResourceMetadataUrls(serverUrl).filter((u) => u !== fromChallenge);
  const urls = fromChallenge === undefined ? wellKnown : [fromChallenge, ...wellKnown];
  const attempts: DiscoveryAttempt[] = [];
  for (const url of urls) {
    const response = await get(fetch, url, options.signal, attempts, 'protected resource metadata');
    // A server fault or rate limit is not "no document here": trying another URL could find another document.
    if (response.status === 429 || response.status >= 500) {
      throw await unexpectedStatus('protected resource metadata', url, response, attempts);
    }
    const problem = await notADocument(response);
    if (problem !== undefined) {
      const attempt = attempts[attempts.length - 1];
      if (attempt !== undefined && response.status === 200) attempt.problem = `HTTP 200, ${problem}`;
      logger.debug('no protected resource metadata here', { url, status: response.status, problem });
      continue;
    }
    const metadata = await processProtectedResource(serverUrl, url, response);
    logger.debug('protected resource metadata found', { url, resource: metadata.resource });
    return { metadata, url };
  }
  if (attempts.some((a) => a.problem !== undefined)) {
    throw new DiscoveryError(
      `No protected resource metadata found for ${quote(serverUrl.href)}: no candidate URL answered a JSON ` +
        "metadata document (check the server's resource_metadata URL and its /.well-known/oauth-protected-resource route)",
      attempts,
    );
  }
  logger.debug('the server publishes no protected resource metadata', { serverUrl: serverUrl.href });
  return undefined;
}

/**
 * Why a response is not a protected resource metadata document (a status other than 200, a media type other than
 * JSON, a body that is not a JSON object); `undefined` when it is one (read from a clone: the response stays unread).
 */
async function notADocument(response: Response): Promise<string | undefined> {
  if (response.status !== 200) return `HTTP ${response.status}`;
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json' && !type.endsWith('+json')) {
    return `not JSON: content-type ${quote(type === '' ? '(none)' : type)}`;
  }
  try {
    const json: unknown = await response.clone().json();
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'not a JSON object';
  } catch {
    return 'malformed JSON';
  }
  return undefined;
}

/**
 * The challenge's `resource_metadata` as an absolute URL (resolved against the server URL, leniently), or
 * `undefined` (with a warning) when it does not parse; `INSECURE_ENDPOINT` when it is plain http elsewhere
 * than on a loopback host.
 */
function challengeMetadataUrl(value: string | undefined, serverUrl: URL, logger: Logger): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value, serverUrl);
  } catch {
    logger.warn('ignoring a resource_metadata that is not a URL', { resourceMetadata: value });
    return undefined;
  }
  if (!isSecureOrLoopback(url)) throw new InsecureEndpointError('INSECURE_ENDPOINT', 'resource_metadata', value);
  return url.href;
}

async function processProtectedResource(
  serverUrl: URL,
  url: string,
  response: Response,
): Promise<oauth.ResourceServer> {
  const claimed = await peekStringMember(response, 'resource');
  if (claimed !== undefined && !resourceIdentifiesServer(claimed, serverUrl)) {
    throw new ResourceMismatchError(canonicalResourceUri(serverUrl), claimed);
  }
  let metadata: oauth.ResourceServer;
  try {
    // oauth4webapi checks status, JSON object and `resource` (equal to the value accepted just above).
    metadata = await oauth.processResourceDiscoveryResponse(parsesAsUrl(claimed) ?? serverUrl, response);
  } catch (cause) {
    throw translateProcessingError(cause, 'Protected resource metadata', url);
  }
  const servers = metadata.authorization_servers;
  if (servers !== undefined) {
    if (!Array.isArray(servers) || !servers.every((s) => typeof s === 'string')) {
      throw new OAuthError(
        'INVALID_RESPONSE',
        `Protected resource metadata at ${quote(url)}: "authorization_servers" must be an array of URLs`,
      );
    }
    for (const issuer of servers) {
      checkAddress(
        checkServerUrl(issuer, 'authorization_servers entry', url),
        serverUrl,
        'authorization_servers entry',
      );
    }
  }
  return metadata;
}

/**
 * Discover the metadata of an authorization server (MCP 2025-11-25 "Authorization Server Metadata
 * Discovery"): RFC 8414 and OpenID Connect Discovery URLs in the specification's order
 * ({@link authorizationServerMetadataUrls}); a 4xx answer (other than 429) tries the next URL, anything else
 * but 200 is a {@link DiscoveryError}, as is finding nothing at all.
 *
 * The document is validated by oauth4webapi's `processDiscoveryResponse`, which enforces RFC 8414 §3.3:
 * its `issuer` must equal the issuer it was fetched for, else `IssuerMismatchError` (`ISSUER_MISMATCH`, with
 * `expected` and `received`). Every endpoint in it (`*_endpoint`, `jwks_uri`, `mtls_endpoint_aliases`) and the
 * issuer must be `https:` or loopback `http:` (`InsecureEndpointError`), which also refuses a `javascript:`
 * or other non-http `authorization_endpoint` before any browser could open it.
 *
 * With `legacy: true` (MCP 2025-03-26 back-compat, used only when the MCP server has no protected resource
 * metadata), `issuer` is the MCP server URL; only `{origin}/.well-known/oauth-authorization-server` is tried
 * and **the issuer check is skipped on that path only** (2025-03-26 servers publish an issuer that differs
 * from their origin); when it is absent, default endpoints `{origin}/authorize`, `/token`, `/register` are
 * returned. The endpoint checks still apply.
 */
export async function discoverAuthorizationServer(
  options: DiscoverAuthorizationServerOptions,
): Promise<oauth.AuthorizationServer> {
  return (await findAuthorizationServer(options)).metadata;
}

async function findAuthorizationServer(
  options: DiscoverAuthorizationServerOptions,
): Promise<{ metadata: oauth.AuthorizationServer; synthesized: boolean }> {
  const logger = options.logger ?? silentLogger;
  const fetch = hardenFetch({ fetch: options.fetch, logger });
  const issuer = checkServerUrl(String(options.issuer), options.legacy ? 'MCP server URL' : 'issuer');
  const legacy = options.legacy === true;
  const serverUrl = legacy ? issuer : options.serverUrl === undefined ? undefined : new URL(String(options.serverUrl));
  if (serverUrl !== undefined && !legacy) checkAddress(issuer, serverUrl, 'authorization server');
  const urls = legacy ? [legacyAuthorizationServerMetadataUrl(issuer)] : authorizationServerMetadataUrls(issuer);
  const attempts: DiscoveryAttempt[] = [];
  for (const url of urls) {
    const response = await get(fetch, url, options.signal, attempts, 'authorization server metadata');
    if (notHere(response.status)) {
      logger.debug('no authorization server metadata here', { url, status: response.status });
      continue;
    }
    if (response.status !== 200) {
      throw await unexpectedStatus('authorization server metadata', url, response, attempts);
    }
    // Legacy path only: the document names the issuer (2025-03-26 back-compat); checkLegacyOrigin below holds it
    // to the MCP server's origin, so an issuer elsewhere never reaches the RFC 9207 `iss` check or an `aud`.
    const expected = legacy ? (parsesAsUrl(await peekStringMember(response, 'issuer')) ?? issuer) : issuer;
    let metadata: oauth.AuthorizationServer;
    try {
      metadata = await oauth.processDiscoveryResponse(expected, response);
    } catch (cause) {
      throw translateProcessingError(cause, 'Authorization server metadata', url);
    }
    checkEndpoints(metadata, url, serverUrl);
    if (legacy) checkLegacyOrigin(metadata, issuer);
    logger.debug('authorization server metadata found', { url, issuer: metadata.issuer, legacy });
    return { metadata, synthesized: false };
  }
  if (legacy) {
    logger.info('no authorization server metadata; using the 2025-03-26 default endpoints', {
      origin: issuer.origin,
    });
    return { metadata: legacyDefaults(issuer), synthesized: true };
  }
  throw new DiscoveryError(`No authorization server metadata found for issuer ${quote(issuer.href)}`, attempts);
}

/**
 * The authorization server of a 2025-03-26 MCP server that publishes no metadata (MCP 2025-03-26
 * "Fallbacks for Servers without Metadata Discovery"): issuer = the origin, endpoints `/authorize`, `/token`
 * and `/register` at the origin. 2025-03-26 requires PKCE of every server, hence S256 is listed.
 */
export function legacyDefaults(serverUrl: string | URL): oauth.AuthorizationServer {
  const origin = new URL(String(serverUrl)).origin;
  return {
    issuer: origin,
    authorization_endpoint: `${origin}/authorize`,
    token_endpoint: `${origin}/token`,
    registration_endpoint: `${origin}/register`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
  };
}

/**
 * Full discovery for one MCP server, as MCP 2025-11-25 "Authorization Flow Steps" orders it: protected
 * resource metadata ({@link discoverProtectedResource}), then the metadata of the first authorization server
 * it lists ({@link discoverAuthorizationServer}). Without protected resource metadata it takes the
 * 2025-03-26 back-compat path (`legacy: true`). Results are kept in `cache` per canonical server URI: a
 * cached result is returned without any request (with this call's `challengeScopes`). Failures are not cached.
 */
export async function discover(options: DiscoverOptions): Promise<DiscoveryResult> {
  const serverUrl = new URL(String(options.serverUrl));
  const resource = canonicalResourceUri(serverUrl);
  const withScopes = (result: DiscoveryResult): DiscoveryResult => {
    const copy: DiscoveryResult = { ...result };
    delete copy.challengeScopes;
    if (options.challenge?.scope !== undefined && options.challenge.scope.length > 0) {
      copy.challengeScopes = [...options.challenge.scope];
    }
    return copy;
  };
  const cached = options.cache?.get(resource);
  if (cached !== undefined) return withScopes(cached);

  const common = { fetch: hardenFetch({ fetch: options.fetch, logger: options.logger }), signal: options.signal };
  const logger = options.logger;
  const prm = await findProtectedResource({
    ...common,
    serverUrl,
    resourceMetadataUrl: options.challenge?.resourceMetadata,
    logger,
  });
  const protectedResource = prm?.metadata;

  let result: DiscoveryResult;
  if (protectedResource === undefined) {
    const found = await findAuthorizationServer({ ...common, issuer: serverUrl, legacy: true, logger });
    result = { resource, authorizationServer: found.metadata, legacy: true, synthesized: found.synthesized };
  } else {
    const issuer = protectedResource.authorization_servers?.[0];
    if (issuer === undefined) {
      throw new DiscoveryError(
        `The protected resource metadata of ${quote(resource)} lists no authorization server`,
        [],
      );
    }
    const found = await findAuthorizationServer({ ...common, issuer, serverUrl, logger });
    result = { resource, protectedResource, authorizationServer: found.metadata, legacy: false, synthesized: false };
    if (prm !== undefined) result.protectedResourceMetadataUrl = prm.url;
  }
  options.cache?.set(resource, result);
  return withScopes(result);
}

// --- helpers ---------------------------------------------------------------------------------------------

/** 4xx other than 429 Too Many Requests: nothing published at this URL. */
function notHere(status: number): boolean {
  return status >= 400 && status < 500 && status !== 429;
}

async function get(
  fetch: FetchLike,
  url: string,
  signal: AbortSignal | undefined,
  attempts: DiscoveryAttempt[],
  what: string,
): Promise<Response> {
  const init: RequestInit = { method: 'GET', headers: { accept: 'application/json' } };
  if (signal !== undefined) init.signal = signal;
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (cause) {
    if (cause instanceof OAuthError && cause.code === 'REQUEST_FAILED') {
      attempts.push({ url });
      throw new DiscoveryError(`Could not fetch ${what}: ${cause.message}`, attempts, { cause });
    }
    throw cause;
  }
  attempts.push({ url, status: response.status });
  return response;
}

async function unexpectedStatus(
  what: string,
  url: string,
  response: Response,
  attempts: DiscoveryAttempt[],
): Promise<DiscoveryError> {
  let text = '';
  try {
    text = (await response.text()).trim();
  } catch {
    // no body
  }
  const said = text === '' ? '' : ` (the server said ${quote(text)})`;
  return new DiscoveryError(`Unexpected HTTP ${response.status} for ${what} at ${quote(url)}${said}`, attempts);
}

/** A top-level string member of a JSON response body, read from a clone (the response stays unread). */
async function peekStringMember(response: Response, name: string): Promise<string | undefined> {
  try {
    const json: unknown = await response.clone().json();
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
      const value = (json as Record<string, unknown>)[name];
      if (typeof value === 'string') return value;
    }
  } catch {
    // oauth4webapi reports malformed JSON when it reads the original
  }
  return undefined;
}
