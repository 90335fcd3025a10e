import * as oauth from 'oauth4webapi';
import { type Clock, epochSeconds, systemClock } from '../../core/clock.ts';
import { quote } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import type { AuthorizationHandler, OAuthConfig } from '../config.ts';
import { InsufficientScopeError, OAuthError, OAuthServerError } from '../errors.ts';
import { runDeviceAuthorization } from '../interactive/device.ts';
import { type InteractionUI, stderrInteractionUI } from '../interactive/ui.ts';
import { findServerRecords, recordServes, withServer } from '../store/lookup.ts';
import type { StoredClient, StoredTokens, TokenRecord, TokenRecordKey, TokenStore } from '../store/types.ts';
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
import { coversScopes, selectScopes, splitScope, unionScopes } from './scopes.ts';
import type { AuthServices, BearerChallenge, DiscoveryResult } from './services.ts';
import { needsRenewal, toStoredTokens } from './tokens.ts';

/** Why tokens are being renewed. */
interface RenewRequest {
  /** The access token that failed or is expiring; a concurrent renewal that already replaced it satisfies us. */
  failedToken: string | undefined;
  challenge?: BearerChallenge | undefined;
  /** Scopes the resource server demanded (step-up): renewal must cover them. */
  requiredScopes?: string[] | undefined;
  /** Whether an interactive authorization may be started now. */
  interactive: boolean;
  /** A new authorization even when a token or a refresh token is held (`mcptool login --force`). */
  forceAuthorization?: boolean;
  signal?: AbortSignal | undefined;
}

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * The OAuth 2.1 client of one MCP server (MCP Authorization 2025-11-25). One engine serves every connection,
 * tool and toolset of the same server and configuration in a process: renewals are single-flight here, and the
 * token store's lock makes them single-flight across processes and machines. Discovery starts only on a 401,
 * so a server that never asks for authorization sees no extra request.
 */
export class OAuthEngine {
  readonly serverUrl: URL;
  readonly config: OAuthConfig;
  readonly #services: AuthServices;
  readonly #store: TokenStore;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #handler: () => AuthorizationHandler;
  readonly #ui: InteractionUI;
  #discovery: DiscoveryResult | undefined;
  #record: TokenRecord | undefined;
  #loaded: Promise<void> | undefined;
  #inflight: Promise<void> | undefined;
  #signInRequired = false;
  #lastChallenge: BearerChallenge | undefined;
  readonly #stepUps = new Map<string, number>();
  #requestedScopes: string[] | undefined;

  constructor(options: {
    serverUrl: URL;
    config: OAuthConfig;
    services: AuthServices;
    store: TokenStore;
    handler: () => AuthorizationHandler;
    /** Where the device grant shows its user code. Default: stderr. */
    ui?: InteractionUI | undefined;
    logger?: Logger | undefined;
    clock?: Clock | undefined;
  }) {
    this.#ui = options.ui ?? stderrInteractionUI();
    this.serverUrl = options.serverUrl;
    this.config = options.config;
    this.#services = options.services;
    this.#store = options.store;
    this.#handler = options.handler;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
  }

  /** The resource this engine keys its records by (RFC 8707 canonical URI unless configured). */
  get resource(): string {
    return this.#discovery?.resource ?? this.config.resource ?? this.#services.canonicalResource(this.serverUrl);
  }

  /** Whether the last 401 could only be answered by an interactive sign-in. */
  get signInRequired(): boolean {
    return this.#signInRequired;
  }

  /** Whether `tokens` should be renewed now (expired, or inside the lifetime-scaled skew), by the clock in ms. */
  #due(tokens: StoredTokens): boolean {
    return needsRenewal(tokens, this.#clock.now() / 1000, this.config.refreshSkewSeconds);
  }

  /** Load a stored record for this server, with no network request. */
  async load(): Promise<void> {
    this.#loaded ??= (async () => {
      // A configured resource pins the record; otherwise the records this server URL may use (findServerRecords).
      const records =
        this.config.resource !== undefined
          ? await this.#store.list(this.config.resource)
          : await findServerRecords(this.#store, this.serverUrl);
      const usable = records.filter((r) => r.tokens !== undefined || r.client !== undefined);
      usable.sort((a, b) => b.updated_at - a.updated_at);
      const record = usable[0];
      if (record) {
        this.#record = record;
        const asMeta = record.discovery?.authorization_server_metadata;
        if (asMeta && !this.#discovery) {
          this.#discovery = this.#services.fromCache(this.serverUrl, record);
        }
      }
    })();
    await this.#loaded;
  }

  /** The current access token (renewed first when it is about to expire), or undefined when none is held. */
  async accessToken(signal?: AbortSignal): Promise<string | undefined> {
    await this.load();
    const tokens = this.#record?.tokens;
    if (!tokens) return undefined;
    if (this.#due(tokens)) {
      try {
        await this.renew({ failedToken: tokens.access_token, interactive: false, signal });
      } catch (error) {
        this.#logger.debug('proactive token renewal failed; sending the current token', {
          code: (error as { code?: string }).code,
        });
      }
    }
    return this.#record?.tokens?.access_token;
  }

  /**
   * Renew tokens: refresh, else a new client-credentials / enterprise grant, else (when `interactive`) a new
   * authorization. Concurrent callers share one renewal; a renewal that another caller (task, process, machine)
   * completed meanwhile is reused instead of repeated.
   */
  renew(request: RenewRequest): Promise<void> {
    if (this.#inflight) return this.#inflight;
    const run = this.#renew(request).finally(() => {
      if (this.#inflight === run) this.#inflight = undefined;
    });
    this.#inflight = run;
    return run;
  }

  /** Handle a 401 from the resource server (the transport retries once afterwards). */
  async onUnauthorized(response: Response, signal?: AbortSignal, sent?: { token: string | undefined }): Promise<void> {
    const challenge = this.#services.parseChallenge(response);
    this.#lastChallenge = challenge;
    await this.load();
    // The token the rejected request carried, when the transport's fetch told us; else the one held now.
    const failedToken = sent ? sent.token : this.#record?.tokens?.access_token;
    const held = this.#record?.tokens;
    if (sent && held && held.access_token !== failedToken && !this.#due(held)) {
      // A concurrent renewal already replaced the rejected token: retry with the new one.
      return;
    }
    await this.renew({ failedToken, challenge, interactive: false, signal });
  }

  /** The stored record in use, if any (after {@link load}). */
  get record(): TokenRecord | undefined {
    return this.#record;
  }

  /**
   * Sign in now (outside any request timeout). Without `force`, a held token that is not about to expire is kept
   * and no request is made.
   */
  async signIn(signal?: AbortSignal, options: { force?: boolean } = {}): Promise<void> {
    await this.load();
    const held = this.#record?.tokens;
    // A held token is only worth keeping when the last renewal did not conclude that a sign-in is required: after
    // a 401 whose refresh failed (revoked grant, reused refresh token) the held token is unexpired but dead, and
    // keeping it made recover() report success while the retry failed again with SIGN_IN_REQUIRED.
    if (!options.force && !this.#signInRequired && held && !this.#due(held)) {
      return;
    }
    await this.renew({
      failedToken: this.#record?.tokens?.access_token,
      challenge: this.#lastChallenge ?? (await this.#probeChallenge(signal)),
      interactive: true,
      signal,
      forceAuthorization: options.force ?? false,
    });
  }

  /**
   * A sign-in that no 401 preceded (`mcptool login`) asks the server for its challenge first, with one
   * unauthenticated GET, so that discovery starts from the metadata URL the server itself names (MCP 2025-11-25,
   * "Protected Resource Metadata Discovery Requirements") and reaches the same record as a later call would. Any
   * other answer leaves discovery to the well-known URLs; the body is never read.
   */
  async #probeChallenge(signal: AbortSignal | undefined): Promise<BearerChallenge | undefined> {
    try {
      const response = await this.#services.fetch(this.serverUrl.href, {
        method: 'GET',
        headers: { accept: 'application/json, text/event-stream' },
        ...(signal ? { signal } : {}),
      });
      await response.body?.cancel().catch(() => undefined);
      return response.status === 401 ? this.#services.parseChallenge(response) : undefined;
    } catch (error) {
      if (signal?.aborted) throw error;
      return undefined;
    }
  }

  /**
   * Step-up after 403 `insufficient_scope` (MCP 2025-11-25 "Step-Up Authorization Flow"): request the union of the
   * granted and the challenged scopes, at most `maxStepUpAttempts` times per operation, then `INSUFFICIENT_SCOPE`.
   */
  async stepUp(requiredScope: string | undefined, operation: string, signal?: AbortSignal): Promise<void> {
    const required = splitScope(requiredScope);
    const attempts = (this.#stepUps.get(operation) ?? 0) + 1;
    this.#stepUps.set(operation, attempts);
    const granted = splitScope(this.#record?.tokens?.scope);
    if (attempts > this.config.maxStepUpAttempts) {
      throw new InsufficientScopeError(
        required,
        granted,
        `The server still requires scope ${quote(required.join(' '))} for ${quote(operation)} after ` +
          `${this.config.maxStepUpAttempts} step-up attempt(s); granted ${quote(granted.join(' '))}`,
      );
    }
    await this.load();
    const requiredScopes = unionScopes(this.#requestedScopes, granted, required);
    // A renewal already in flight (a plain refresh) cannot widen the scope: let it end, then step up.
    await this.#inflight?.catch(() => {});
    try {
      await this.renew({
        failedToken: this.#record?.tokens?.access_token,
        requiredScopes,
        interactive: true,
        signal,
      });
    } catch (error) {
      // RFC 6749 §4.1.2.1 / §5.2 `invalid_scope`: the authorization server will not grant the wider scope.
      if (error instanceof OAuthServerError && error.error === 'invalid_scope') {
        throw new InsufficientScopeError(
          required,
          granted,
          `The authorization server refused scope ${quote(required.join(' '))} for ${quote(operation)} ` +
            `(error "invalid_scope"); granted ${quote(granted.join(' '))}`,
          { cause: error },
        );
      }
      throw error;
    }
    // A token response naming fewer scopes than asked for is authoritative (RFC 6749 §5.1): retrying is futile.
    const nowGranted = splitScope(this.#record?.tokens?.scope);
    const missing = required.filter((s) => !nowGranted.includes(s));
    if (missing.length > 0) {
      throw new InsufficientScopeError(
        required,
        nowGranted,
        `The authorization server did not grant scope ${quote(missing.join(' '))} that ${quote(operation)} ` +
          `requires; granted ${quote(nowGranted.join(' '))}`,
      );
    }
  }

  /** Forget the step-up count of an operation that succeeded. */
  operationSucceeded(operation: string): void {
    this.#stepUps.delete(operation);
  }

  async #discover(challenge: BearerChallenge | undefined, signal: AbortSignal | undefined): Promise<DiscoveryResult> {
    const fresh =
      challenge?.resourceMetadata !== undefined && this.#discovery?.resourceMetadataUrl !== challenge.resourceMetadata;
    if (!this.#discovery || fresh) {
      this.#discovery = await this.#services.discover({ serverUrl: this.serverUrl, challenge, signal });
    }
    return this.#discovery;
  }

  async #renew(request: RenewRequest): Promise<void> {
    const discovery = await this.#discover(request.challenge, request.signal);
    const key: TokenRecordKey = { resource: discovery.recordResource, issuer: discovery.authorizationServer.issuer };
    const interactiveFlow = this.config.resolvedFlow === 'authorization_code' && !this.config.enterprise;
    const ttlMs = request.interactive && interactiveFlow ? this.config.authorizationTimeoutMs + 60_000 : 30_000;
    const lock = await this.#store.lock(key, 'tokens', {
      ttlMs,
      waitMs: ttlMs + 5_000,
      ...(request.signal && { signal: request.signal }),
    });
    try {
      const found = await this.#store.get(key);
      // A record under the same key that another server URL obtained through another metadata document is not
      // this server's: its tokens are not presented here (the sign-in below replaces it).
      const stored =
        found === undefined ||
        recordServes(found, { serverUrl: this.serverUrl, resourceMetadataUrl: discovery.resourceMetadataUrl })
          ? found
          : undefined;
      const tokens = stored?.tokens;
      if (
        tokens &&
        !request.forceAuthorization &&
        tokens.access_token !== request.failedToken &&
        !this.#due(tokens) &&
        (!request.requiredScopes || coversScopes(splitScope(tokens.scope), request.requiredScopes))
      ) {
        // Remember this server URL, so that later runs use the record before any request.
        const known = withServer(stored, this.serverUrl);
        if (known !== stored) await this.#store.set(known);
        this.#record = known;
        this.#signInRequired = false;
        return;
      }
      let record: TokenRecord = withServer(
        stored ?? { ...key, version: 1, updated_at: epochSeconds(this.#clock) },
        this.serverUrl,
      );
      record.discovery = discovery.toStored(epochSeconds(this.#clock));
      const newTokens = await this.#obtain(record, discovery, request);
      record = { ...record, tokens: newTokens, updated_at: epochSeconds(this.#clock) };
      // Persist (a rotated refresh token above all) before the new access token is used.
      await this.#store.set(record);
      this.#record = record;
      this.#signInRequired = false;
    } finally {
      await lock.release();
    }
  }

  async #obtain(record: TokenRecord, discovery: DiscoveryResult, request: RenewRequest): Promise<StoredTokens> {
    const as = discovery.authorizationServer;
    const now = () => epochSeconds(this.#clock);
    const stepUp = request.requiredScopes !== undefined || request.forceAuthorization === true;
    const previous = record.tokens;

    // 1. Refresh (RFC 6749 §6), unless the scope must widen (refresh cannot widen scope).
    if (previous?.refresh_token && record.client && !stepUp) {
      try {
        const ctx = await this.#grantContext(as, record.client, discovery, request.signal);
        const response = await refreshGrant(ctx, previous.refresh_token);
        this.#logger.debug('access token refreshed', { issuer: as.issuer });
        return toStoredTokens(response, now(), previous);
      } catch (error) {
        if (
          !(error instanceof OAuthError) ||
          (error.code !== 'INVALID_GRANT' && error.code !== 'TOKEN_REQUEST_FAILED')
        ) {
          throw error;
        }
        this.#logger.info('refresh failed; the stored tokens are dropped', { code: error.code });
        delete record.tokens;
        const dropped = { ...record, updated_at: now() };
        await this.#store.set(dropped);
        // The dead access token is not sent again while a new authorization is pending.
        this.#record = dropped;
      }
    }

    const scopes =
      request.requiredScopes ??
      selectScopes({
        configured: this.config.scopes,
        challenge: request.challenge?.scope ?? discovery.challengeScopes,
        resourceScopes: discovery.resourceScopes,
        authorizationServerScopes: as.scopes_supported,
        wantsRefreshToken: this.config.resolvedFlow === 'authorization_code' && !this.config.enterprise,
      });
    this.#requestedScopes = scopes;
    const scopeString = scopes?.join(' ');

    // 2. Enterprise-managed authorization (SEP-990): ID token -> ID-JAG at the IdP -> JWT bearer grant.
    if (this.config.enterprise) {
      const client = await this.#client(record, as, undefined, request.signal);
      const ctx = await this.#grantContext(as, client, discovery, request.signal);
      const idJag = await this.#services.exchangeForIdJag({
        enterprise: this.config.enterprise,
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

    // 3. Client credentials: never a browser.
    if (this.config.resolvedFlow === 'client_credentials') {
      const client = await this.#client(record, as, undefined, request.signal);
      const ctx = await this.#grantContext(as, client, discovery, request.signal);
      const response = await clientCredentialsGrant(ctx, scopes);
      return toStoredTokens(response, now(), undefined, scopeString);
    }

    // 4. Authorization code + PKCE: interactive; only outside request timeouts.
    if (!request.interactive) {
      this.#signInRequired = true;
      throw new OAuthError(
        'SIGN_IN_REQUIRED',
        `Signing in to ${quote(this.serverUrl.href)} is required (authorization server ${quote(as.issuer)})`,
      );
    }
    const timeout = AbortSignal.timeout(this.config.authorizationTimeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    if (this.config.callback === 'device') {
      if (as.device_authorization_endpoint !== undefined) {
        return this.#deviceGrant(record, discovery, scopes, signal);
      }
      this.#logger.warn('the authorization server offers no device authorization; using the browser flow', {
        issuer: as.issuer,
      });
    }
    const session = await this.#handler().open({
      signal,
      ...(record.client?.redirect_uris?.[0] !== undefined && { preferredRedirectUri: record.client.redirect_uris[0] }),
    });
    try {
      const client = await this.#client(record, as, session.redirectUri, request.signal);
      const ctx = await this.#grantContext(as, client, discovery, request.signal);
      const response = await authorizationCodeGrant(ctx, this.config, session, scopes, signal);
      return toStoredTokens(response, now(), undefined, scopeString);
    } finally {
      await session.close();
    }
  }

  /** The device authorization grant (RFC 8628), for machines without a browser or a reachable loopback port. */
  async #deviceGrant(
    record: TokenRecord,
    discovery: DiscoveryResult,
    scopes: string[] | undefined,
    signal: AbortSignal,
  ): Promise<StoredTokens> {
    const as = discovery.authorizationServer;
    const client = await this.#client(record, as, undefined, signal, 'device_code');
    const ctx = await this.#grantContext(as, client, discovery, signal);
    const response = await runDeviceAuthorization(as, ctx.client, ctx.clientAuth, {
      ui: this.#ui,
      signal,
      clock: this.#clock,
      logger: this.#logger,
      fetch: (url, init) => this.#services.fetch(url, init),
      requestTimeoutMs: this.config.requestTimeoutMs,
      ...(scopes && scopes.length > 0 && { scope: scopes.join(' ') }),
      ...(ctx.resource !== undefined && { resource: ctx.resource }),
    });
    return toStoredTokens(response, epochSeconds(this.#clock), undefined, scopes?.join(' '));
  }

  /**
   * Sign out: for every record this server URL uses ({@link findServerRecords}, or the configured resource's),
   * revoke the refresh token (else the access token) where the server offers RFC 7009 revocation, then delete the
   * record. Revocation is best effort: a failure is logged and the record is deleted anyway.
   */
  async signOut(signal?: AbortSignal): Promise<{ record: TokenRecord; revoked: boolean }[]> {
    const records =
      this.config.resource !== undefined
        ? await this.#store.list(this.config.resource)
        : await findServerRecords(this.#store, this.serverUrl);
    const results: { record: TokenRecord; revoked: boolean }[] = [];
    for (const record of records) results.push({ record, revoked: await this.#revokeAndDelete(record, signal) });
    this.#record = undefined;
    this.#loaded = undefined;
    return results;
  }

  async #revokeAndDelete(record: TokenRecord, signal: AbortSignal | undefined): Promise<boolean> {
    let revoked = false;
    const asMeta = record.discovery?.authorization_server_metadata as oauth.AuthorizationServer | undefined;
    const token = record.tokens?.refresh_token ?? record.tokens?.access_token;
    if (asMeta?.revocation_endpoint && record.client && token) {
      try {
        const discovery = this.#services.fromCache(this.serverUrl, record);
        if (discovery) {
          const ctx = await this.#grantContext(asMeta, record.client, discovery, signal);
          const options = ctx.requestOptions(asMeta.revocation_endpoint, signal) as oauth.RevocationRequestOptions;
          const response = await oauth.revocationRequest(asMeta, ctx.client, ctx.clientAuth, token, options);
          await oauth.processRevocationResponse(response);
          revoked = true;
        }
      } catch (error) {
        this.#logger.warn('token revocation failed; the stored record is deleted anyway', {
          code: (error as { code?: string }).code,
        });
      }
    }
    await this.#store.delete(record);
    return revoked;
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
      config: this.config,
      stored: record.client,
      redirectUri,
      clock: this.#clock,
      fetchResponse: (url, init) => this.#services.fetch(url, { ...init, ...(signal && { signal }) }),
    });
    if (client !== record.client) {
      record.client = client;
      // Saved before use, so a registration is never lost or repeated when the flow fails later.
      await this.#store.set({ ...record, updated_at: epochSeconds(this.#clock) });
    }
    return client;
  }

  async #grantContext(
    as: oauth.AuthorizationServer,
    stored: StoredClient,
    discovery: DiscoveryResult,
    signal: AbortSignal | undefined,
  ): Promise<GrantContext> {
    const secret = this.config.clientSecret?.resolve() ?? stored.client_secret;
    const method = selectAuthMethod(this.config, as, stored, secret);
    const privateKey = this.config.privateKey
      ? { material: this.config.privateKey.resolve() as string, alg: this.config.privateKeyAlg }
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
      resource: this.config.dangerouslyOmitResourceParameter ? undefined : discovery.resource,
      requestOptions: (url, s) => this.#services.requestOptions(url, s ?? signal),
      ...(signal && { signal }),
    };
  }
}

export const GRANT_TYPES = { TOKEN_EXCHANGE, JWT_BEARER } as const;
