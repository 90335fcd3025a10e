import * as oauth from 'oauth4webapi';
import { quote } from '../../core/errors.ts';
import type { EnterpriseOptions } from '../config.ts';
import { OAuthError } from '../errors.ts';
import { clientSecretBasic } from './client-auth.ts';
import { tokenError } from './grants.ts';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ID_JAG = 'urn:ietf:params:oauth:token-type:id-jag';
const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';

export interface IdJagRequest {
  enterprise: Readonly<EnterpriseOptions>;
  /** The MCP authorization server's issuer: the ID-JAG's audience. */
  audience: string;
  /** The MCP server (RFC 8707 resource). */
  resource: string;
  scope: string | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Enterprise-managed authorization (SEP-990, "Identity Assertion Authorization Grant"): exchange the user's ID
 * token at the enterprise IdP for an ID-JAG with RFC 8693 token exchange (`requested_token_type` id-jag,
 * `audience` = the MCP authorization server, `resource` = the MCP server). Returns the ID-JAG.
 */
export async function exchangeIdTokenForIdJag(
  request: IdJagRequest,
  discoverIdp: (issuer: string, signal?: AbortSignal) => Promise<oauth.AuthorizationServer>,
  requestOptions: (url: string, signal?: AbortSignal) => oauth.HttpRequestOptions<'POST', URLSearchParams>,
): Promise<string> {
  const e = request.enterprise;
  let idp: oauth.AuthorizationServer;
  if (e.idpTokenEndpoint) {
    idp = { issuer: e.idpIssuer ?? new URL(e.idpTokenEndpoint).origin, token_endpoint: e.idpTokenEndpoint };
  } else {
    idp = await discoverIdp(e.idpIssuer as string, request.signal);
  }
  const clientId = e.idpClientId ?? 'mcptool';
  const secret = e.idpClientSecret?.resolve();
  const clientAuth = secret === undefined ? oauth.None() : clientSecretBasic(secret);
  const params = new URLSearchParams({
    requested_token_type: ID_JAG,
    subject_token: e.idToken.resolve() as string,
    subject_token_type: ID_TOKEN,
    audience: request.audience,
    resource: request.resource,
  });
  if (request.scope) params.set('scope', request.scope);
  let body: oauth.TokenEndpointResponse;
  try {
    const response = await oauth.genericTokenEndpointRequest(
      idp,
      { client_id: clientId },
      clientAuth,
      TOKEN_EXCHANGE,
      params,
      requestOptions(idp.token_endpoint as string, request.signal),
    );
    // RFC 8693 §2.2.1: the token_type of an issued token that is not an access token is "N_A".
    body = await oauth.processGenericTokenEndpointResponse(idp, { client_id: clientId }, response, {
      recognizedTokenTypes: { n_a: () => {} },
    });
  } catch (cause) {
    throw tokenError(`The token exchange at the enterprise IdP ${quote(idp.issuer)} failed`, cause);
  }
  const issuedType = (body as unknown as Record<string, unknown>)['issued_token_type'];
  if (issuedType !== undefined && issuedType !== ID_JAG) {
    throw new OAuthError(
      'TOKEN_REQUEST_FAILED',
      `The enterprise IdP issued a token of type ${quote(String(issuedType))}, not an ID-JAG`,
    );
  }
  return body.access_token;
}
