import { type Clock, epochSeconds, systemClock } from '../core/clock.ts';
import type { ConnectionAuthOptions } from './connection-auth.ts';
import { defaultEngineRegistry } from './engine/registry.ts';
import { splitScope } from './engine/scopes.ts';
import { findServerRecords } from './store/lookup.ts';
import type { ClientRegistrationKind, TokenRecord, TokenStore } from './store/types.ts';

/** What `mcptool status` shows of one stored record: never a secret or a token value. */
export interface CredentialStatus {
  /** The canonical URI of the MCP server the record is for (RFC 8707 `resource`). */
  resource: string;
  /** The authorization server's `issuer` identifier (RFC 8414 §2). */
  issuer: string;
  /** The stored `client_id` (RFC 6749 §2.2); undefined when no client registration is stored. */
  clientId: string | undefined;
  /** How the client came to have its `client_id`; undefined when no client registration is stored. */
  registration: ClientRegistrationKind | undefined;
  /** The granted scopes (RFC 6749 §3.3), split from the stored `scope`; empty when none are recorded. */
  scopes: string[];
  /** Access-token expiry, seconds since the epoch; undefined when unknown or no token is held. */
  expiresAt: number | undefined;
  /** Whether the record holds tokens (and so an access token). */
  hasAccessToken: boolean;
  /** Whether the access token's expiry is known and is now or in the past. */
  expired: boolean;
  /** Whether a refresh token (RFC 6749 §6) is held. */
  hasRefreshToken: boolean;
  /** Seconds since the epoch. */
  updatedAt: number;
}

/** Describe a stored record without any secret or token value. */
export function describeRecord(record: TokenRecord, clock: Clock = systemClock): CredentialStatus {
  const tokens = record.tokens;
  const expiresAt = tokens?.expires_at;
  return {
    resource: record.resource,
    issuer: record.issuer,
    clientId: record.client?.client_id,
    registration: record.client?.registration,
    scopes: splitScope(tokens?.scope),
    expiresAt,
    hasAccessToken: tokens !== undefined,
    expired: expiresAt !== undefined && expiresAt <= epochSeconds(clock),
    hasRefreshToken: tokens?.refresh_token !== undefined,
    updatedAt: record.updated_at,
  };
}

/**
 * Every stored credential, described without secrets: all of them; those keyed by one `resource` (a string); or
 * `{ serverUrl }`: those that server URL uses, exactly what `signOut` for it removes (see `findServerRecords`).
 */
export async function listCredentials(
  store: TokenStore,
  filter?: string | { serverUrl: string | URL },
): Promise<CredentialStatus[]> {
  const records =
    typeof filter === 'object' ? await findServerRecords(store, filter.serverUrl) : await store.list(filter);
  return records.map((r) => describeRecord(r));
}

/**
 * Sign in to an HTTP MCP server now and store the credentials (`mcptool login`). The flow is the configured one:
 * a browser sign-in, the device grant, client credentials or enterprise. Without `force`, a stored token that is
 * still valid is kept and nothing is requested. Returns the stored credential.
 */
export async function signIn(
  options: ConnectionAuthOptions & { force?: boolean; signal?: AbortSignal },
): Promise<CredentialStatus | undefined> {
  const engine = (options.engines ?? defaultEngineRegistry).engineFor(options);
  if (!engine) return undefined;
  await engine.signIn(options.signal, { force: options.force ?? false });
  return engine.record ? describeRecord(engine.record) : undefined;
}

/** One record that {@link signOut} removed, and whether its token was revoked. */
export interface RemovedCredential {
  removed: CredentialStatus;
  revoked: boolean;
}

/**
 * Forget the stored credentials of a server (`mcptool logout`): every record `listCredentials(store, { serverUrl })`
 * shows, revoking each refresh token first where the authorization server offers RFC 7009 revocation. `removed` and
 * `revoked` describe the most recently updated one; `all` lists every record removed.
 */
export async function signOut(
  options: ConnectionAuthOptions & { signal?: AbortSignal },
): Promise<{ removed: CredentialStatus | undefined; revoked: boolean; all: RemovedCredential[] }> {
  const engine = (options.engines ?? defaultEngineRegistry).engineFor(options);
  if (!engine) return { removed: undefined, revoked: false, all: [] };
  const all = (await engine.signOut(options.signal)).map((r) => ({
    removed: describeRecord(r.record),
    revoked: r.revoked,
  }));
  return { removed: all[0]?.removed, revoked: all[0]?.revoked ?? false, all };
}
