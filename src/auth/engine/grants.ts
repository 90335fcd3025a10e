import * as oauth from 'oauth4webapi';
import { quote } from '../../core/errors.ts';
import { isSecureOrLoopback } from '../../core/url.ts';
import type { AuthorizationSession, OAuthConfig } from '../config.ts';
import { InsecureEndpointError, IssuerMismatchError, OAuthError, OAuthServerError } from '../errors.ts';

/** What every grant needs: the server, the client, how it authenticates, and how requests are sent. */
export interface GrantContext {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  /** RFC 8707 `resource`, or undefined when the configuration opted out. */
  resource: string | undefined;
  /** oauth4webapi request options for a URL: custom fetch, signal, and `allowInsecureRequests` for loopback only. */
  requestOptions: (
    url: URL | string | undefined,
    signal?: AbortSignal,
  ) => oauth.HttpRequestOptions<'POST', URLSearchParams>;
  signal?: AbortSignal;
}

/** Turn a failure of a token endpoint request into an `OAuthServerError` (`INVALID_GRANT` for `invalid_grant`). */
export function tokenError(what: string, cause: unknown): OAuthError {
  if (cause instanceof OAuthError) return cause;
  if (cause instanceof oauth.ResponseBodyError) {
    return new OAuthServerError(
      cause.error === 'invalid_grant' ? 'INVALID_GRANT' : 'TOKEN_REQUEST_FAILED',
      what,
      { error: cause.error, errorDescription: cause.error_description, status: cause.status },
      { cause },
    );
  }
  if (cause instanceof oauth.WWWAuthenticateChallengeError) {
    // A token endpoint answers a failed client authentication with 401 and a WWW-Authenticate challenge
    // (RFC 6749 §5.2, `invalid_client`); the challenge may name the error itself.
    const named = cause.cause.map((c) => c.parameters['error']).find((e) => typeof e === 'string');
    const error = named ?? (cause.status === 401 ? 'invalid_client' : undefined);
    const description = cause.cause.map((c) => c.parameters['error_description']).find((e) => typeof e === 'string');
    return new OAuthServerError(
      error === 'invalid_grant' ? 'INVALID_GRANT' : 'TOKEN_REQUEST_FAILED',
      what,
      { error, errorDescription: description, status: cause.status },
      { cause },
    );
  }
  if (cause instanceof DOMException && cause.name === 'AbortError') {
    return new OAuthError('ABORTED', `${what}: aborted`, { cause });
  }
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new OAuthError('TOKEN_REQUEST_FAILED', `${what}${detail}`, { cause });
}

function withResource(ctx: GrantContext, params: URLSearchParams): URLSearchParams {
  if (ctx.resource !== undefined) params.set('resource', ctx.resource);
  return params;
}

/** The client credentials grant (RFC 6749 §4.4) with `scope` and RFC 8707 `resource`. */
export async function clientCredentialsGrant(
  ctx: GrantContext,
  scopes: readonly string[] | undefined,
): Promise<oauth.TokenEndpointResponse> {
  const params = withResource(ctx, new URLSearchParams());
  if (scopes && scopes.length > 0) params.set('scope', scopes.join(' '));
  try {
    const response = await oauth.clientCredentialsGrantRequest(
      ctx.as,
      ctx.client,
      ctx.clientAuth,
      params,
      ctx.requestOptions(ctx.as.token_endpoint, ctx.signal),
    );
    return await oauth.processClientCredentialsResponse(ctx.as, ctx.client, response);
  } catch (cause) {
    throw tokenError('The client credentials grant failed', cause);
  }
}

/** The refresh token grant (RFC 6749 §6) with RFC 8707 `resource`. */
export async function refreshGrant(ctx: GrantContext, refreshToken: string): Promise<oauth.TokenEndpointResponse> {
  try {
    const options = ctx.requestOptions(ctx.as.token_endpoint, ctx.signal) as oauth.TokenEndpointRequestOptions;
    if (ctx.resource !== undefined) options.additionalParameters = { resource: ctx.resource };
    const response = await oauth.refreshTokenGrantRequest(ctx.as, ctx.client, ctx.clientAuth, refreshToken, options);
    return await oauth.processRefreshTokenResponse(ctx.as, ctx.client, response);
  } catch (cause) {
    throw tokenError('Refreshing the access token failed', cause);
  }
}

/** A grant by assertion at the token endpoint, e.g. the JWT-bearer grant (RFC 7523 §2.1). */
export async function assertionGrant(
  ctx: GrantContext,
  grantType: string,
  params: Record<string, string>,
): Promise<oauth.TokenEndpointResponse> {
  try {
    const response = await oauth.genericTokenEndpointRequest(
      ctx.as,
      ctx.client,
      ctx.clientAuth,
      grantType,
      withResource(ctx, new URLSearchParams(params)),
      ctx.requestOptions(ctx.as.token_endpoint, ctx.signal),
    );
    return await oauth.processGenericTokenEndpointResponse(ctx.as, ctx.client, response);
  } catch (cause) {
    throw tokenError(`The ${quote(grantType)} grant failed`, cause);
  }
}

/**
 * PKCE support check (OAuth 2.1 §4.1.1, MCP 2025-11-25 "Authorization Code Protection"): refuse a server whose
 * `code_challenge_methods_supported` lacks `S256`; when the field is absent, refuse unless the configuration
 * carries the `dangerouslyAllowUnadvertisedPkce` opt-out.
 */
export function assertPkceSupported(as: oauth.AuthorizationServer, config: OAuthConfig): void {
  const methods = as.code_challenge_methods_supported;
  if (methods === undefined) {
    if (config.dangerouslyAllowUnadvertisedPkce) return;
    throw new OAuthError(
      'PKCE_UNSUPPORTED',
      `The authorization server ${quote(as.issuer)} does not advertise code_challenge_methods_supported, so PKCE ` +
        'cannot be confirmed; refusing to authorize (set oauth.dangerouslyAllowUnadvertisedPkce to accept it)',
    );
  }
  if (!methods.includes('S256')) {
    throw new OAuthError(
      'PKCE_UNSUPPORTED',
      `The authorization server ${quote(as.issuer)} does not support PKCE S256 ` +
        `(code_challenge_methods_supported: ${quote(methods.join(' '))}); refusing to authorize`,
    );
  }
}

/**
 * Check a callback against the expected `state` and the RFC 9207 `iss` (verified when present, required when the
 * server advertises `authorization_response_iss_parameter_supported`), then map an error response to
 * `ACCESS_DENIED` / `AUTHORIZATION_FAILED`. Returns the validated parameters.
 */
export function validateCallback(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  callback: URL,
  expectedState: string,
): URLSearchParams {
  const params = callback.searchParams;
  const state = params.get('state');
  if (state !== expectedState) {
    throw new OAuthError(
      'STATE_MISMATCH',
      state === null
        ? 'The authorization response has no state parameter; it was not sent in answer to this request'
        : 'The authorization response carries a state that does not match this request (possible forged callback)',
    );
  }
  const iss = params.get('iss');
  if (iss !== null && iss !== as.issuer) {
    throw new IssuerMismatchError('ISS_MISMATCH', 'The authorization response (RFC 9207 iss)', as.issuer, iss);
  }
  if (iss === null && as.authorization_response_iss_parameter_supported === true) {
    throw new IssuerMismatchError(
      'ISS_MISMATCH',
      'The authorization response lacks the iss parameter its server advertises (RFC 9207; when pasting, paste ' +
        'the whole redirect URL, not only the code)',
      as.issuer,
      undefined,
    );
  }
  const error = params.get('error');
  if (error !== null) {
    const description = params.get('error_description') ?? undefined;
    throw new OAuthServerError(
      error === 'access_denied' ? 'ACCESS_DENIED' : 'AUTHORIZATION_FAILED',
      error === 'access_denied' ? 'Authorization was denied' : 'The authorization request failed',
      { error, errorDescription: description },
    );
  }
  try {
    return oauth.validateAuthResponse(as, client, callback, expectedState);
  } catch (cause) {
    throw new OAuthError('AUTHORIZATION_FAILED', 'The authorization response is invalid', { cause });
  }
}

/**
 * The authorization code grant with PKCE S256 (OAuth 2.1 §4.1, RFC 7636): builds the authorization URL with
 * `state`, `scope` and RFC 8707 `resource`, hands it to the authorization session, validates the callback, and
 * exchanges the code. The verifier lives only in this function's frame.
 */
export async function authorizationCodeGrant(
  ctx: GrantContext,
  config: OAuthConfig,
  session: AuthorizationSession,
  scopes: readonly string[] | undefined,
  timeoutSignal: AbortSignal,
): Promise<oauth.TokenEndpointResponse> {
  const { as, client } = ctx;
  assertPkceSupported(as, config);
  if (as.authorization_endpoint === undefined) {
    throw new OAuthError(
      'DISCOVERY_FAILED',
      `The authorization server ${quote(as.issuer)} has no authorization_endpoint`,
    );
  }
  const endpoint = new URL(as.authorization_endpoint);
  if (!isSecureOrLoopback(endpoint)) {
    throw new InsecureEndpointError('UNSAFE_URL', 'the authorization endpoint', as.authorization_endpoint);
  }
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', client.client_id);
  url.searchParams.set('redirect_uri', session.redirectUri);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  if (scopes && scopes.length > 0) url.searchParams.set('scope', scopes.join(' '));
  if (ctx.resource !== undefined) url.searchParams.set('resource', ctx.resource);

  const callback = await session.waitForCallback(url, state, { signal: timeoutSignal });
  const params = validateCallback(as, client, callback, state);
  try {
    const options = ctx.requestOptions(as.token_endpoint, ctx.signal) as oauth.TokenEndpointRequestOptions;
    if (ctx.resource !== undefined) options.additionalParameters = { resource: ctx.resource };
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      ctx.clientAuth,
      params,
      session.redirectUri,
      verifier,
      options,
    );
    return await oauth.processAuthorizationCodeResponse(as, client, response);
  } catch (cause) {
    throw tokenError('Exchanging the authorization code failed', cause);
  }
}
