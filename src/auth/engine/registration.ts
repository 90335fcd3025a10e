import type * as oauth from 'oauth4webapi';
import type { Clock } from '../../core/clock.ts';
import { epochSeconds } from '../../core/clock.ts';
import { quote } from '../../core/errors.ts';
import type { OAuthConfig } from '../config.ts';
import { OAuthError, OAuthServerError } from '../errors.ts';
import type { StoredClient } from '../store/types.ts';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

export interface RegistrationContext {
  as: oauth.AuthorizationServer;
  config: OAuthConfig;
  /** The client registration already stored for this issuer, if any. */
  stored: StoredClient | undefined;
  /** The redirect URI the authorization-code flow will use (absent for client credentials and the device grant). */
  redirectUri: string | undefined;
  /** Which grant the client is registered for. Default: authorization code when there is a redirect URI. */
  grant?: 'authorization_code' | 'device_code' | 'client_credentials';
  fetchResponse: (url: URL, init: RequestInit) => Promise<Response>;
  clock: Clock;
}

/**
 * Obtain the client to present to this authorization server, in the MCP spec's priority order
 * ("Client Registration Approaches", 2025-11-25): a pre-registered client id; a Client ID Metadata Document when
 * the server advertises `client_id_metadata_document_supported`; Dynamic Client Registration (RFC 7591) when it
 * has a `registration_endpoint`; else `CLIENT_ID_REQUIRED`. A stored dynamic registration is reused when its
 * redirect URI still matches and its secret has not expired.
 */
export async function ensureClient(ctx: RegistrationContext): Promise<StoredClient> {
  const { as, config, stored, redirectUri, clock } = ctx;
  const now = epochSeconds(clock);
  if (config.clientId !== undefined) {
    return { client_id: config.clientId, registration: 'pre_registered', registered_at: stored?.registered_at ?? now };
  }
  if (config.clientMetadataUrl !== undefined && as.client_id_metadata_document_supported === true) {
    return {
      client_id: config.clientMetadataUrl,
      registration: 'client_id_metadata_document',
      token_endpoint_auth_method: 'none',
      registered_at: now,
    };
  }
  if (stored?.registration === 'dynamic' && isReusable(stored, redirectUri, now, ctx.grant)) return stored;
  if (as.registration_endpoint === undefined) {
    throw new OAuthError(
      'CLIENT_ID_REQUIRED',
      `The authorization server ${quote(as.issuer)} offers no dynamic client registration` +
        (config.clientMetadataUrl ? ' and does not support client ID metadata documents' : '') +
        '; register a client with it and pass its id (oauth.clientId / --client-id)',
    );
  }
  return registerDynamically(ctx, now);
}

function isReusable(client: StoredClient, redirectUri: string | undefined, now: number, grant?: string): boolean {
  if (client.client_secret_expires_at && client.client_secret_expires_at <= now) return false;
  if (grant === 'device_code') return client.grant_types?.includes(DEVICE_CODE) ?? false;
  if (redirectUri === undefined) return true;
  return client.redirect_uris?.includes(redirectUri) ?? false;
}

async function registerDynamically(ctx: RegistrationContext, now: number): Promise<StoredClient> {
  const { as, config, redirectUri } = ctx;
  const grant = ctx.grant ?? (redirectUri ? 'authorization_code' : 'client_credentials');
  const grantTypes = {
    authorization_code: ['authorization_code', 'refresh_token'],
    device_code: [DEVICE_CODE, 'refresh_token'],
    client_credentials: ['client_credentials'],
  }[grant];
  const metadata: Record<string, unknown> = {
    client_name: config.clientName,
    application_type: 'native',
    grant_types: grantTypes,
    response_types: grant === 'authorization_code' ? ['code'] : [],
    token_endpoint_auth_method: 'none',
  };
  if (redirectUri) metadata['redirect_uris'] = [redirectUri];
  if (config.scopes) metadata['scope'] = config.scopes.join(' ');
  const endpoint = new URL(as.registration_endpoint as string);
  let response: Response;
  try {
    response = await ctx.fetchResponse(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(metadata),
    });
  } catch (cause) {
    if (cause instanceof OAuthError) throw cause;
    throw new OAuthError('REGISTRATION_FAILED', `Dynamic client registration at ${quote(endpoint.href)} failed`, {
      cause,
    });
  }
  // Parsed here rather than by oauth4webapi's processDynamicClientRegistrationResponse, which requires status 201
  // and `client_secret_expires_at` alongside any secret; servers answer 200 and omit it (RFC 7591 §3.2.1 says 201).
  const body = await readJson(response);
  if (response.status !== 201 && response.status !== 200) {
    throw new OAuthServerError(
      'REGISTRATION_FAILED',
      `Dynamic client registration at ${quote(endpoint.href)} was refused`,
      {
        error: typeof body?.['error'] === 'string' ? body['error'] : undefined,
        errorDescription: typeof body?.['error_description'] === 'string' ? body['error_description'] : undefined,
        status: response.status,
      },
    );
  }
  const clientId = body?.['client_id'];
  if (typeof clientId !== 'string' || clientId.length === 0) {
    throw new OAuthError(
      'REGISTRATION_FAILED',
      `The registration response from ${quote(endpoint.href)} has no client_id`,
    );
  }
  return registeredClient(body ?? {}, clientId, grantTypes, redirectUri, now);
}

/**
 * The stored client of a registration response (RFC 7591 §3.2.1): what the server registered, else what was asked
 * for (grant types, the redirect URI); the auth method `client_secret_basic` with a secret, else `none`.
 */
function registeredClient(
  body: Record<string, unknown>,
  clientId: string,
  grantTypes: string[],
  redirectUri: string | undefined,
  now: number,
): StoredClient {
  const client: StoredClient = { client_id: clientId, registration: 'dynamic', registered_at: now };
  const granted = body['grant_types'];
  client.grant_types = Array.isArray(granted) ? granted.filter((g): g is string => typeof g === 'string') : grantTypes;
  if (typeof body['client_secret'] === 'string') client.client_secret = body['client_secret'];
  if (typeof body['client_secret_expires_at'] === 'number') {
    client.client_secret_expires_at = body['client_secret_expires_at'];
  }
  const method = body['token_endpoint_auth_method'];
  client.token_endpoint_auth_method =
    typeof method === 'string' ? method : client.client_secret ? 'client_secret_basic' : 'none';
  const uris = body['redirect_uris'];
  if (Array.isArray(uris) && uris.every((u) => typeof u === 'string')) client.redirect_uris = uris as string[];
  else if (redirectUri) client.redirect_uris = [redirectUri];
  return client;
}

async function readJson(response: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = await response.json();
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The oauth4webapi `Client` for a stored registration. */
export function toOauthClient(client: StoredClient): oauth.Client {
  const c: oauth.Client = { client_id: client.client_id };
  if (client.token_endpoint_auth_method) c.token_endpoint_auth_method = client.token_endpoint_auth_method;
  return c;
}
