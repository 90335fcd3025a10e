/**
 * What discovery accepts of the metadata servers publish: URLs that parse and are https (or loopback http), not at a
 * forbidden address, the 2025-03-26 path's origin rule, and oauth4webapi's issuer and resource comparisons as errors
 * of the family.
 */
import * as oauth from 'oauth4webapi';
import { quote } from '../../core/errors.ts';
import { forbiddenAddressRule, isSecureOrLoopback } from '../../core/url.ts';
import {
  ForbiddenAddressError,
  InsecureEndpointError,
  IssuerMismatchError,
  OAuthError,
  OriginMismatchError,
  ResourceMismatchError,
} from '../errors.ts';

export function parsesAsUrl(value: string | undefined): URL | undefined {
  if (value === undefined) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** A server-supplied URL: `INVALID_RESPONSE` when it does not parse, `INSECURE_ENDPOINT` unless https/loopback. */
export function checkServerUrl(value: string, what: string, source?: string): URL {
  const url = parsesAsUrl(value);
  if (url === undefined) {
    throw new OAuthError(
      'INVALID_RESPONSE',
      `${what} ${quote(value)}${source === undefined ? '' : ` (from ${quote(source)})`} is not a valid URL`,
    );
  }
  if (!isSecureOrLoopback(url)) throw new InsecureEndpointError('INSECURE_ENDPOINT', what, value);
  return url;
}

/** `FORBIDDEN_ADDRESS` when a server-named URL is one {@link forbiddenAddressRule} refuses. */
export function checkAddress(url: URL, serverUrl: URL, what: string): void {
  const rule = forbiddenAddressRule(url, serverUrl);
  if (rule !== undefined) throw new ForbiddenAddressError(what, url.href, rule);
}

/** The URL-valued members of authorization server metadata: `issuer`, RFC 8414 §2 endpoints, mTLS aliases. */
function metadataUrls(metadata: oauth.AuthorizationServer): Array<[field: string, value: unknown]> {
  const found: Array<[string, unknown]> = [['issuer', metadata.issuer]];
  for (const [key, value] of Object.entries(metadata)) {
    if (key.endsWith('_endpoint') || key === 'jwks_uri') found.push([key, value]);
  }
  const aliases = metadata.mtls_endpoint_aliases;
  if (typeof aliases === 'object' && aliases !== null && !Array.isArray(aliases)) {
    for (const [key, value] of Object.entries(aliases)) found.push([`mtls_endpoint_aliases.${key}`, value]);
  }
  return found;
}

/**
 * MCP 2025-03-26 back-compat path (no protected resource metadata): the authorization server is the MCP server's
 * origin ("Authorization Base URL"), so the `issuer` and every endpoint a credential or a person is sent to must be
 * on that origin, else `ORIGIN_MISMATCH`. Used on fresh discovery and on metadata reused from a stored record.
 */
export function checkLegacyOrigin(metadata: oauth.AuthorizationServer, serverUrl: string | URL): void {
  const origin = new URL(String(serverUrl)).origin;
  for (const [field, value] of metadataUrls(metadata)) {
    if (field === 'jwks_uri' || value === undefined) continue;
    const url = typeof value === 'string' ? parsesAsUrl(value) : undefined;
    if (url?.origin !== origin) throw new OriginMismatchError(field, String(value), origin);
  }
}

/**
 * RFC 8414 §2 endpoints of a metadata document: https (or loopback http), nothing else; with the MCP server's URL,
 * none at an address {@link forbiddenAddressRule} refuses.
 */
export function checkEndpoints(metadata: oauth.AuthorizationServer, source: string, serverUrl?: URL): void {
  checkServerUrl(metadata.issuer, 'issuer', source);
  const check = (key: string, value: unknown, prefix = ''): void => {
    if (value === undefined) return;
    if (typeof value !== 'string') {
      throw new OAuthError(
        'INVALID_RESPONSE',
        `Authorization server metadata at ${quote(source)}: "${prefix}${key}" must be a URL string`,
      );
    }
    const url = checkServerUrl(value, `${prefix}${key}`, source);
    if (serverUrl !== undefined) checkAddress(url, serverUrl, `${prefix}${key}`);
  };
  for (const [key, value] of Object.entries(metadata)) {
    if (key.endsWith('_endpoint') || key === 'jwks_uri') check(key, value);
  }
  const aliases = metadata.mtls_endpoint_aliases;
  if (aliases !== undefined) {
    if (typeof aliases !== 'object' || aliases === null || Array.isArray(aliases)) {
      throw new OAuthError(
        'INVALID_RESPONSE',
        `Authorization server metadata at ${quote(source)}: "mtls_endpoint_aliases" must be an object`,
      );
    }
    for (const [key, value] of Object.entries(aliases)) check(key, value, 'mtls_endpoint_aliases.');
  }
}

/** An oauth4webapi processing error as an `OAuthError` of the family. */
export function translateProcessingError(cause: unknown, what: string, url: string): OAuthError {
  if (cause instanceof OAuthError) return cause;
  if (cause instanceof oauth.OperationProcessingError && cause.code === oauth.JSON_ATTRIBUTE_COMPARISON) {
    const details = (cause.cause ?? {}) as { expected?: unknown; attribute?: unknown; body?: Record<string, unknown> };
    const expected = typeof details.expected === 'string' ? details.expected : '';
    if (details.attribute === 'issuer') {
      const received = details.body?.issuer;
      return new IssuerMismatchError(
        'ISSUER_MISMATCH',
        `${what} at ${quote(url)}`,
        expected,
        typeof received === 'string' ? received : undefined,
        { cause },
      );
    }
    if (details.attribute === 'resource') {
      const received = details.body?.resource;
      return new ResourceMismatchError(expected, typeof received === 'string' ? received : undefined, { cause });
    }
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new OAuthError('INVALID_RESPONSE', `${what} at ${quote(url)} is not valid: ${quote(detail)}`, { cause });
}
