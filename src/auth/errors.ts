import { McptoolError, type OAuthErrorCode, quote } from '../core/errors.ts';

export type { OAuthErrorCode } from '../core/errors.ts';

/**
 * Base of every OAuth error. `code` is stable; structured fields carry what callers branch on;
 * `cause` is the underlying error (an oauth4webapi error, a network error). Messages quote server text
 * and never contain a secret, token, code or verifier.
 */
export class OAuthError extends McptoolError {
  declare readonly code: OAuthErrorCode;

  constructor(code: OAuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A metadata document's `issuer` (RFC 8414 §3.3) or a callback's `iss` (RFC 9207) is not the one expected. */
export class IssuerMismatchError extends OAuthError {
  /** The issuer identifier expected (RFC 8414 §2 `issuer`). */
  readonly expected: string;
  /** The issuer received (metadata `issuer` or callback `iss`); undefined when none was received. */
  readonly received: string | undefined;

  constructor(
    code: 'ISSUER_MISMATCH' | 'ISS_MISMATCH',
    what: string,
    expected: string,
    received: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      code,
      `${what}: expected issuer ${quote(expected)}, received ${received === undefined ? 'none' : quote(received)}`,
      options,
    );
    this.expected = expected;
    this.received = received;
  }
}

/** Protected resource metadata (RFC 9728 §3.3) names a resource other than the server asked for. */
export class ResourceMismatchError extends OAuthError {
  /** The resource identifier of the server asked for. */
  readonly expected: string;
  /** The metadata's `resource` value (RFC 9728 §2); undefined when the metadata names none. */
  readonly received: string | undefined;

  constructor(expected: string, received: string | undefined, options?: { cause?: unknown }) {
    super(
      'RESOURCE_MISMATCH',
      `Protected resource metadata names resource ${received === undefined ? '(none)' : quote(received)}, ` +
        `but the server asked for is ${quote(expected)}; refusing to authorize`,
      options,
    );
    this.expected = expected;
    this.received = received;
  }
}

/** An endpoint is `http:` on a non-loopback host, or a URL to open is not https / loopback http. */
export class InsecureEndpointError extends OAuthError {
  /** The URL refused. */
  readonly url: string;

  constructor(code: 'INSECURE_ENDPOINT' | 'UNSAFE_URL', what: string, url: string) {
    super(
      code,
      code === 'UNSAFE_URL'
        ? `Refusing to open ${what} ${quote(url)}: only https: URLs, or http: on a loopback host, are opened`
        : `${what} ${quote(url)} must use https: (http: is allowed only on loopback hosts)`,
    );
    this.url = url;
  }
}

/**
 * On the MCP 2025-03-26 back-compat path (no protected resource metadata) the authorization server is the MCP
 * server's origin, so metadata naming an `issuer` or an endpoint elsewhere is refused (code `ORIGIN_MISMATCH`):
 * it would let the MCP server send a sign-in to another server's authorization endpoint while collecting the
 * code, PKCE verifier and client assertion at its own token endpoint (a mix-up attack, RFC 9700 §4.4).
 */
export class OriginMismatchError extends OAuthError {
  /** The metadata member at fault, e.g. `token_endpoint`. */
  readonly field: string;
  /** Its value. */
  readonly url: string;
  /** The MCP server's origin, where every endpoint must be. */
  readonly origin: string;

  constructor(field: string, url: string, origin: string) {
    super(
      'ORIGIN_MISMATCH',
      `Authorization server metadata of a server without protected resource metadata names ${field} ${quote(url)}, ` +
        `which is not on the MCP server's origin ${quote(origin)}; such a server's authorization server is its own ` +
        'origin, so this metadata is refused (publish protected resource metadata, RFC 9728, to use another one)',
    );
    this.field = field;
    this.url = url;
    this.origin = origin;
  }
}

/**
 * A discovery URL names an address mcptool never fetches (code `FORBIDDEN_ADDRESS`): a link-local address
 * (where cloud metadata services live), or a loopback address named by a server that is not itself on loopback.
 */
export class ForbiddenAddressError extends OAuthError {
  /** The URL refused. */
  readonly url: string;

  constructor(what: string, url: string, rule: string) {
    super('FORBIDDEN_ADDRESS', `Refusing to fetch ${what} ${quote(url)}: ${rule}`);
    this.url = url;
  }
}

/** The authorization server answered with an OAuth error (`error`, `error_description`). */
export class OAuthServerError extends OAuthError {
  /** The server's `error` value, e.g. `invalid_grant`. */
  readonly error: string | undefined;
  /** The server's `error_description` (RFC 6749 §5.2), when given. */
  readonly errorDescription: string | undefined;
  /** The HTTP status code of the server's response, when known. */
  readonly status: number | undefined;

  constructor(
    code: OAuthErrorCode,
    what: string,
    details: { error?: string | undefined; errorDescription?: string | undefined; status?: number | undefined },
    options?: { cause?: unknown },
  ) {
    const parts = [what];
    if (details.error !== undefined) parts.push(`error ${quote(details.error)}`);
    if (details.errorDescription !== undefined) parts.push(`description ${quote(details.errorDescription)}`);
    if (details.status !== undefined) parts.push(`HTTP ${details.status}`);
    super(code, parts.join(': '), options);
    this.error = details.error;
    this.errorDescription = details.errorDescription;
    this.status = details.status;
  }
}

/** The resource server asked for scopes the client could not obtain within the step-up limit. */
export class InsufficientScopeError extends OAuthError {
  /** The scopes the resource server requires (RFC 6750 §3.1 `insufficient_scope`). */
  readonly requiredScopes: string[];
  /** The scopes the client was granted (RFC 6749 §3.3). */
  readonly grantedScopes: string[];

  constructor(requiredScopes: string[], grantedScopes: string[], message?: string, options?: { cause?: unknown }) {
    super(
      'INSUFFICIENT_SCOPE',
      message ??
        `The server requires scope ${quote(requiredScopes.join(' '))}; granted ${quote(grantedScopes.join(' '))}`,
      options,
    );
    this.requiredScopes = requiredScopes;
    this.grantedScopes = grantedScopes;
  }
}

/**
 * The authorization server could not serve a token request (5xx, 429, `temporarily_unavailable`, a network
 * failure or a timeout) even after retries within the request's deadline. The stored credentials are kept as they
 * were: trying again later can succeed, so `retryable` is true.
 */
export class AuthorizationServerUnavailableError extends OAuthError {
  /** Always `true`: the same request can succeed later. */
  readonly retryable = true as const;
  /** The last HTTP status, when the server answered at all. */
  readonly status: number | undefined;
  /** How many token requests were sent. */
  readonly attempts: number;

  constructor(
    what: string,
    details: { status?: number | undefined; reason: string; attempts: number },
    options?: { cause?: unknown },
  ) {
    super(
      'AUTHORIZATION_SERVER_UNAVAILABLE',
      `${what}: the authorization server is unavailable (${details.reason}` +
        `${details.attempts > 1 ? `, ${details.attempts} attempts` : ''}); the stored credentials were kept, ` +
        'try again later',
      options,
    );
    this.status = details.status;
    this.attempts = details.attempts;
  }
}
