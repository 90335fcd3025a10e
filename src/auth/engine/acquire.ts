import type * as oauth from 'oauth4webapi';
import { type Clock, epochSeconds } from '../../core/clock.ts';
import { quote } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { AuthorizationHandler, OAuthConfig } from '../config.ts';
import { OAuthError } from '../errors.ts';
import { runDeviceAuthorization } from '../interactive/device.ts';
import type { InteractionUI } from '../interactive/ui.ts';
import type { StoredClient, StoredTokens, TokenRecord, TokenStore } from '../store/types.ts';
import { clientAuthFor, selectAuthMethod } from './client-auth.ts';
import {
  assertionGrant,
  authorizationCodeGrant,
  clientCredentialsGrant,
  type GrantContext,
  refreshGrant,
  tokenError,
} from './grants.ts';
import { ensureClient, type RegistrationContext, toOauthClient } from './registration.ts';
import { classifyTokenFailure, withTokenRetry } from './retry.ts';
import { selectScopes } from './scopes.ts';
import type { AuthServices, BearerChallenge, ServerDiscovery } from './services.ts';
import { toStoredTokens } from './tokens.ts';

/** Why tokens are being renewed. */
export interface RenewRequest {
  /** The access token that failed or is expiring; a concurrent renewal that already replaced it satisfies us. */
  failedToken: string | undefined;
  challenge?: BearerChallenge | undefined;
  /** Scopes the resource server demanded (step-up): renewal must cover them. */
  requiredScopes?: string[] | undefined;
  /** Whether an interactive authorization may be started now. */
  interactive: boolean;
  /** A new authorization even when a token or a refresh token is held (`mcptool login --force`). */
  forceAuthorization?: boolean;
  /**
   * A refresh ahead of expiry while the access token is still valid: one attempt, no retries, and a failure of
   * any kind leaves that access token in use until it expires (some servers refuse an early refresh).
   */
  proactive?: boolean;
  signal?: AbortSignal | undefined;
}

/** What the engine tells the acquirer, and what the acquirer reports back to the engine's state. */
export interface AcquirerOptions {
  serverUrl: URL;
  config: OAuthConfig;
  services: AuthServices;
  store: TokenStore;
  handler: () => AuthorizationHandler;
  ui: InteractionUI;
  logger: Logger;
  clock: Clock;
}

/** How {@link TokenAcquirer.obtain} updates the engine's state as it goes. */
export interface AcquisitionState {
  /** A refused refresh changed the stored record: the engine uses this one from now on. */
  recordChanged(record: TokenRecord): void;
  /** Only an interactive sign-in can obtain tokens now. */
  signInRequired(): void;
  /** The scopes a new grant requests (kept for a later step-up to widen). */
  scopesRequested(scopes: string[] | undefined): void;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * How the engine obtains new tokens from the authorization server, once it holds the store lock: a refresh, else
 * the configured grant (enterprise, client credentials, or an authorization code through the browser or the device
 * flow). Also builds the client authentication every token, revocation and device request uses.
 */
export class TokenAcquirer {
  readonly #o: AcquirerOptions;

  constructor(options: AcquirerOptions) {
    this.#o = options;
  }

  /**
   * New tokens for `record` (which this call may update with a registration or a dropped refresh token).
   * @throws OAuthError `SIGN_IN_REQUIRED` when only an interactive sign-in can obtain them and `request` allows none.
   */
  async obtain(
    record: TokenRecord,
    discovery: ServerDiscovery,
    request: RenewRequest,
    state: AcquisitionState,
  ): Promise<StoredTokens> {
    const stepUp = request.requiredScopes !== undefined || request.forceAuthorization === true;
    // Refresh cannot widen the scope (RFC 6749 §6): a step-up goes to a new grant.
    const refreshed = stepUp ? undefined : await this.#refresh(record, discovery, request, state);
    return refreshed ?? this.#newGrant(record, discovery, request, state);
  }

  /**
   * Refresh (RFC 6749 §6). Only `invalid_grant` ends the refresh token and only `invalid_client` ends a dynamic
   * registration (then undefined: a new grant follows, as without a refresh token); any other failure (the server unavailable, a malformed
   * answer) is thrown and leaves the record exactly as it was.
   */
  async #refresh(
    record: TokenRecord,
    discovery: ServerDiscovery,
    request: RenewRequest,
    state: AcquisitionState,
  ): Promise<StoredTokens | undefined> {
    const as = discovery.authorizationServer;
    const now = () => epochSeconds(this.#o.clock);
    const previous = record.tokens;
    const client = record.client;
    const refreshToken = previous?.refresh_token;
    if (!previous || !client || refreshToken === undefined) return undefined;
    try {
      const ctx = await this.grantContext(as, client, discovery, request.signal);
      const response = await this.#tokenRequest('Refreshing the access token', request, () =>
        refreshGrant(ctx, refreshToken),
      );
      this.#o.logger.debug('access token refreshed', { issuer: as.issuer });
      return toStoredTokens(response, now(), previous);
    } catch (error) {
      const kind = classifyTokenFailure(error, this.#o.clock.now()).kind;
      const dynamic = client.registration === 'dynamic';
      if (kind !== 'invalid_grant' && !(kind === 'invalid_client' && dynamic)) throw error;
      // A proactive refresh refused while the access token is still valid: that token stays in use until it
      // expires (the server may refuse early refreshes); only the refresh token is dropped.
      const stillValid = request.proactive === true && previous.expires_at !== undefined && now() < previous.expires_at;
      if (kind === 'invalid_client') {
        this.#o.logger.info('the dynamically registered client was refused; it is dropped', { issuer: as.issuer });
        delete record.client;
      } else {
        this.#o.logger.info('the refresh token was refused (invalid_grant); it is dropped', { issuer: as.issuer });
      }
      const { refresh_token: _dropped, ...kept } = previous;
      if (stillValid) record.tokens = kept;
      else delete record.tokens;
      const updated = { ...record, updated_at: now() };
      await this.#o.store.set(updated);
      // A dead access token is not sent again while a new authorization is pending.
      state.recordChanged(updated);
      if (stillValid) throw error;
    }
    return undefined;
  }

  /** A new grant: enterprise (SEP-990), client credentials, or an authorization code (interactive only). */
  async #newGrant(
    record: TokenRecord,
    discovery: ServerDiscovery,
    request: RenewRequest,
    state: AcquisitionState,
  ): Promise<StoredTokens> {
    const as = discovery.authorizationServer;
    const now = () => epochSeconds(this.#o.clock);
    const scopes =
      request.requiredScopes ??
      selectScopes({
        configured: this.#o.config.scopes,
        challenge: request.challenge?.scope ?? discovery.challengeScopes,
        resourceScopes: discovery.resourceScopes,
        authorizationServerScopes: as.scopes_supported,
        wantsRefreshToken: this.#o.config.resolvedFlow === 'authorization_code' && !this.#o.config.enterprise,
      });
    state.scopesRequested(scopes);
    const scopeString = scopes?.join(' ');

    // Enterprise-managed authorization (SEP-990): ID token -> ID-JAG at the IdP -> JWT bearer grant.
    if (this.#o.config.enterprise) {
      const client = await this.#client(record, as, undefined, request.signal);
      const ctx = await this.grantContext(as, client, discovery, request.signal);
      const idJag = await this.#o.services.exchangeForIdJag({
        enterprise: this.#o.config.enterprise,
        audience: as.issuer,
        resource: discovery.resource,
        scope: scopeString,
        signal: request.signal,
      });
      const params: Record<string, string> = { assertion: idJag };
      if (scopeString) params['scope'] = scopeString;
      const response = await assertionGrant(ctx, JWT_BEARER, params);
      return toStoredTokens(response, now(), undefined, scopeString);
    }

    // Client credentials: never a browser.
    if (this.#o.config.resolvedFlow === 'client_credentials') {
      const client = await this.#client(record, as, undefined, request.signal);
      const ctx = await this.grantContext(as, client, discovery, request.signal);
      const response = await this.#tokenRequest('The client credentials grant', request, () =>
        clientCredentialsGrant(ctx, scopes),
      );
      return toStoredTokens(response, now(), undefined, scopeString);
    }

    return this.#authorizationCode(record, discovery, request, scopes, state);
  }

  /** Authorization code + PKCE (browser) or the device grant: interactive, so only outside request timeouts. */
  async #authorizationCode(
    record: TokenRecord,
    discovery: ServerDiscovery,
    request: RenewRequest,
    scopes: string[] | undefined,
    state: AcquisitionState,
  ): Promise<StoredTokens> {
    const as = discovery.authorizationServer;
    const scopeString = scopes?.join(' ');
    if (!request.interactive) {
      state.signInRequired();
      throw new OAuthError(
        'SIGN_IN_REQUIRED',
        `Signing in to ${quote(this.#o.serverUrl.href)} is required (authorization server ${quote(as.issuer)})`,
      );
    }
    const timeout = AbortSignal.timeout(this.#o.config.authorizationTimeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    if (this.#o.config.callback === 'device') {
      if (as.device_authorization_endpoint !== undefined) {
        return this.#deviceGrant(record, discovery, scopes, signal);
      }
      this.#o.logger.warn('the authorization server offers no device authorization; using the browser flow', {
        issuer: as.issuer,
      });
    }
    const session = await this.#o.handler().open({
      signal,
      ...(record.client?.redirect_uris?.[0] !== undefined && { preferredRedirectUri: record.client.redirect_uris[0] }),
    });
    try {
      const client = await this.#client(record, as, session.redirectUri, request.signal);
      const ctx = await this.grantContext(as, client, discovery, request.signal);
      const response = await authorizationCodeGrant(ctx, this.#o.config, session, scopes, signal);
      return toStoredTokens(response, epochSeconds(this.#o.clock), undefined, scopeString);
    } finally {
      await session.close();
    }
  }

  /**
   * Send a token request, retrying while the authorization server is unavailable within the request's deadline
   * (`requestTimeoutMs`); a proactive renewal tries once, since the current token still serves meanwhile.
   */
  #tokenRequest<T>(what: string, request: RenewRequest, run: () => Promise<T>): Promise<T> {
    return withTokenRetry(what, run, {
      clock: this.#o.clock,
      budgetMs: this.#o.config.requestTimeoutMs,
      maxAttempts: request.proactive ? 1 : 4,
      signal: request.signal,
      logger: this.#o.logger,
    });
  }

  /** The device authorization grant (RFC 8628), for machines without a browser or a reachable loopback port. */
  async #deviceGrant(
    record: TokenRecord,
    discovery: ServerDiscovery,
    scopes: string[] | undefined,
    signal: AbortSignal,
  ): Promise<StoredTokens> {
    const as = discovery.authorizationServer;
    const client = await this.#client(record, as, undefined, signal, 'device_code');
    const ctx = await this.grantContext(as, client, discovery, signal);
    const response = await runDeviceAuthorization(as, ctx.client, ctx.clientAuth, {
      ui: this.#o.ui,
      signal,
      clock: this.#o.clock,
      logger: this.#o.logger,
      fetch: (url, init) => this.#o.services.fetch(url, init),
      requestTimeoutMs: this.#o.config.requestTimeoutMs,
      ...(scopes && scopes.length > 0 && { scope: scopes.join(' ') }),
      ...(ctx.resource !== undefined && { resource: ctx.resource }),
    });
    return toStoredTokens(response, epochSeconds(this.#o.clock), undefined, scopes?.join(' '));
  }

  /** The registered client for this issuer, registering (and storing the registration at once) when needed. */
  async #client(
    record: TokenRecord,
    as: oauth.AuthorizationServer,
    redirectUri: string | undefined,
    signal: AbortSignal | undefined,
    grant?: RegistrationContext['grant'],
  ): Promise<StoredClient> {
    const client = await ensureClient({
      as,
      ...(grant && { grant }),
      config: this.#o.config,
      stored: record.client,
      redirectUri,
      clock: this.#o.clock,
      fetchResponse: (url, init) => this.#o.services.fetch(url, { ...init, ...(signal && { signal }) }),
    });
    if (client !== record.client) {
      record.client = client;
      // Saved before use, so a registration is never lost or repeated when the flow fails later.
      await this.#o.store.set({ ...record, updated_at: epochSeconds(this.#o.clock) });
    }
    return client;
  }

  /** The client, its authentication and the request options of every request to `as` for this record. */
  async grantContext(
    as: oauth.AuthorizationServer,
    stored: StoredClient,
    discovery: ServerDiscovery,
    signal: AbortSignal | undefined,
  ): Promise<GrantContext> {
    const secret = this.#o.config.clientSecret?.resolve() ?? stored.client_secret;
    const method = selectAuthMethod(this.#o.config, as, stored, secret);
    const privateKey = this.#o.config.privateKey
      ? { material: this.#o.config.privateKey.resolve() as string, alg: this.#o.config.privateKeyAlg }
      : undefined;
    let clientAuth: oauth.ClientAuth;
    try {
      clientAuth = await clientAuthFor(method, secret, privateKey);
    } catch (cause) {
      throw tokenError('Preparing client authentication failed', cause);
    }
    const client = toOauthClient(stored);
    client.token_endpoint_auth_method = method;
    return {
      as,
      client,
      clientAuth,
      resource: this.#o.config.dangerouslyOmitResourceParameter ? undefined : discovery.resource,
      requestOptions: (url, s) => this.#o.services.requestOptions(url, s ?? signal),
      ...(signal && { signal }),
    };
  }
}
