import type { SerializedObject } from '../../core/serialization.ts';

/** Identifies one stored record: one per (protected resource, authorization-server issuer). */
export interface TokenRecordKey {
  /** The canonical URI of the MCP server (RFC 8707 `resource`). */
  resource: string;
  /** The authorization server's `issuer` identifier (RFC 8414). */
  issuer: string;
}

/** How the client came to have its `client_id`. */
export type ClientRegistrationKind = 'pre_registered' | 'client_id_metadata_document' | 'dynamic';

/** The client registration kept for one authorization server (RFC 7591 field names). */
export interface StoredClient {
  /** The client identifier issued by the authorization server (RFC 6749 §2.2; RFC 7591 §3.2.1). */
  client_id: string;
  /** Only for a dynamically registered confidential client; never for a pre-registered one (that lives in `Secret`). */
  client_secret?: string;
  /** Seconds since the epoch; 0 or absent: does not expire. */
  client_secret_expires_at?: number;
  /** How the client authenticates at the token endpoint, e.g. `none` or `client_secret_basic` (RFC 7591 §2). */
  token_endpoint_auth_method?: string;
  /** The redirection URIs registered for the client (RFC 7591 §2; RFC 6749 §3.1.2). */
  redirect_uris?: string[];
  /** The grant types the registration covers (RFC 7591 §2). */
  grant_types?: string[];
  /** How the client came to have its `client_id`: pre-registered, a client ID metadata document, or dynamic registration. */
  registration: ClientRegistrationKind;
  /** Seconds since the epoch. */
  registered_at: number;
}

/** The tokens held for one (resource, issuer). */
export interface StoredTokens {
  /** The access token issued by the authorization server (RFC 6749 §5.1). */
  access_token: string;
  /** The type of the access token, e.g. `Bearer` (RFC 6749 §5.1, §7.1). */
  token_type: string;
  /** Absolute expiry, seconds since the epoch. Absent: the server did not say. */
  expires_at?: number;
  /** Seconds since the epoch at which these tokens were issued (to scale the refresh skew to the lifetime). */
  issued_at: number;
  /** The refresh token, when the server issued one (RFC 6749 §5.1, §6). */
  refresh_token?: string;
  /** Space-separated granted scopes. */
  scope?: string;
}

/** Discovery results worth caching between processes. */
export interface StoredDiscovery {
  /** RFC 9728 protected resource metadata, as received. */
  protected_resource_metadata?: Record<string, unknown>;
  /** RFC 8414 / OIDC authorization server metadata, as received. */
  authorization_server_metadata?: Record<string, unknown>;
  /**
   * The URL the protected resource metadata was fetched from. A server URL whose own discovery goes through the
   * same document may use the record (RFC 9728 §3: the document describes every URL it covers); absent on the
   * 2025-03-26 path and in records written before it was kept.
   */
  resource_metadata_url?: string;
  /** Seconds since the epoch. */
  fetched_at: number;
}

/**
 * One stored record. It holds the client registration, tokens, granted scopes, the issuer and cached
 * discovery results — nothing else; never a PKCE verifier or an authorization code.
 */
export interface TokenRecord extends TokenRecordKey {
  /** The record format version; always 1. */
  version: 1;
  /**
   * The canonical URIs of the MCP server URLs this record was obtained for or confirmed for by discovery (see
   * `findServerRecords`). Its tokens are presented to these URLs only. Absent in records written before it was kept:
   * such a record serves the server URLs its `resource` identifies.
   */
  servers?: string[];
  /** The client registration used with this issuer, once there is one. */
  client?: StoredClient;
  /** The tokens obtained for this (resource, issuer), once there are any. */
  tokens?: StoredTokens;
  /** Cached discovery results for this (resource, issuer). */
  discovery?: StoredDiscovery;
  /** Seconds since the epoch. */
  updated_at: number;
}

/**
 * A held lock. `release()` is idempotent, only releases a lock this holder still owns, and never rejects: a
 * failure to release is reported through the store's logger, and the lock then expires after its ttl.
 */
export interface StoreLock {
  /**
   * Release the lock, if this holder still owns it. Idempotent; never rejects.
   * @returns A promise that resolves once the release was attempted.
   */
  release(): Promise<void>;
  /**
   * Extend the lock by its ttl from now, while its holder still works (a token request or a sign-in longer than
   * the ttl). Resolves `false` when the lock was lost meanwhile (taken over after its ttl); never rejects.
   * Optional: a store without it keeps the ttl given at acquisition.
   */
  renew?(): Promise<boolean>;
}

/** Options for `TokenStore.lock`. */
export interface LockOptions {
  /** How long the lock is valid before others may take it over (stale-lock recovery). Default 30 s. */
  ttlMs?: number;
  /** How long to wait for the lock before failing with `LOCK_TIMEOUT`. Default 60 s. */
  waitMs?: number;
  /** Aborts the wait for the lock; the wait then fails with `ABORTED`. */
  signal?: AbortSignal;
}

/**
 * Where tokens live. Implementations: `MemoryTokenStore`, `FileTokenStore`, `RedisTokenStore`.
 * A lock keyed like a record lets one caller (task, process or machine) refresh or sign in while the
 * others wait and then re-read.
 */
export interface TokenStore {
  /**
   * Read the record for a (resource, issuer).
   * @param key The record's resource and issuer.
   * @returns The record, or `undefined` when there is none.
   */
  get(key: TokenRecordKey): Promise<TokenRecord | undefined>;
  /**
   * Write a record, replacing any record with the same resource and issuer.
   * @param record The record to store.
   */
  set(record: TokenRecord): Promise<void>;
  /**
   * Remove the record for a (resource, issuer); nothing happens when there is none.
   * @param key The record's resource and issuer.
   */
  delete(key: TokenRecordKey): Promise<void>;
  /** Every record, or those of one `resource` (to use stored tokens before any network request). */
  list(resource?: string): Promise<TokenRecord[]>;
  /** Take the lock for `key` (a lock name, e.g. `refresh` or `sign-in`, is part of it). */
  lock(key: TokenRecordKey, name: string, options?: LockOptions): Promise<StoreLock>;
  /** Serialize by reference: type and location, never contents. */
  toDict(): SerializedObject;
}
