import * as oauth from 'oauth4webapi';
import { type Clock, epochSeconds, systemClock } from '../../core/clock.ts';
import { quote } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import type { AuthorizationHandler, OAuthConfig } from '../config.ts';
import { InsufficientScopeError, OAuthError, OAuthServerError } from '../errors.ts';
import { runDeviceAuthorization } from '../interactive/device.ts';
import { type InteractionUI, stderrInteractionUI } from '../interactive/ui.ts';
import { keepLockAlive } from '../store/lock-util.ts';
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
import { classifyTokenFailure, withTokenRetry } from './retry.ts';
import { coversScopes, selectScopes, splitScope, unionScopes } from './scopes.ts';
import type { AuthServices, BearerChallenge, ServerDiscovery } from './services.ts';
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
  /**
   * A refresh ahead of expiry while the access token is still valid: one attempt, no retries, and a failure of
   * any kind leaves that access token in use until it expires (some servers refuse an early refresh).
   */
  proactive?: boolean;
  signal?: AbortSignal | undefined;
}

/** After a failed proactive refresh, the next proactive attempt waits this long (ms), so an outage is not hammered. */
const PROACTIVE_PAUSE_MS = 5_000;

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
  readonly #lockTtlMs: number;
  #discovery: ServerDiscovery | undefined;
  #record: TokenRecord | undefined;
  #loaded: Promise<void> | undefined;
  #inflight: Promise<void> | undefined;
  /** Clock time (ms) before which no new proactive refresh is tried (see PROACTIVE_PAUSE_MS). */
  #proactivePauseUntil = 0;
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
    /** The store lock's ttl for a token request (renewed every third of it while the request runs). Default 30 s. */
    lockTtlMs?: number | undefined;
  }) {
    this.#lockTtlMs = options.lockTtlMs ?? 30_000;
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

  /**
   * The current access token, or undefined when none is held. A token inside the refresh margin is renewed first;
   * when that proactive renewal fails while the token is still valid, the token is used until it expires. An
   * expired token whose renewal fails because the authorization server is unavailable rejects with that error.
   */
  async accessToken(signal?: AbortSignal): Promise<string | undefined> {
    await this.load();
    const tokens = this.#record?.tokens;
    if (!tokens) return undefined;
    const now = this.#clock.now();
    const expired = tokens.expires_at !== undefined && now / 1000 >= tokens.expires_at;
    if (expired || (this.#due(tokens) && now >= this.#proactivePauseUntil)) {
      try {
        await this.renew({ failedToken: tokens.access_token, interactive: false, proactive: !expired, signal });
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (expired && code === 'AUTHORIZATION_SERVER_UNAVAILABLE') throw error;
        if (!expired) this.#proactivePauseUntil = this.#clock.now() + PROACTIVE_PAUSE_MS;
        this.#logger.debug('token renewal failed; sending the current token', { code });
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

  /**
   * The token to resend a request with after a 401 that answered `sent`, when `sent` is no longer current: it was
   * replaced by a renewal (of this process or, through the store, another), or it is due by this client's clock
   * (then renewed first, single-flight). Undefined when `sent` is the current token and not due, i.e. the server
   * refused the current token, or when no current token can be had (the caller then lets the 401 through).
   */
  async tokenAfterStale401(sent: string | undefined, signal?: AbortSignal): Promise<string | undefined> {
    if (sent === undefined) return undefined;
    await this.load();
    let held = this.#record?.tokens;
    if (held && held.access_token === sent && !this.#due(held)) {
      // Another process may have renewed meanwhile: the store holds the current token.
      const key = this.#record as TokenRecord;
      const stored = await this.#store.get({ resource: key.resource, issuer: key.issuer }).catch(() => undefined);
      if (stored?.tokens && stored.tokens.access_token !== sent && !this.#due(stored.tokens)) this.#record = stored;
      held = this.#record?.tokens;
    }
    if (!held) return undefined;
    if (held.access_token !== sent && !this.#due(held)) return held.access_token;
    if (!this.#due(held)) return undefined;
    try {
      await this.renew({ failedToken: held.access_token, interactive: false, signal });
    } catch (error) {
      this.#logger.debug('renewing a due token after a 401 failed', { code: (error as { code?: string }).code });
      return undefined;
    }
    const current = this.#record?.tokens?.access_token;
    return current !== undefined && current !== sent ? current : undefined;
  }

  /** Whether an access token is held that is not due by this client's clock (a 401 then refused it). */
  get holdsCurrentToken(): boolean {
    const held = this.#record?.tokens;
    return held !== undefined && !this.#due(held);
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

  async #discover(challenge: BearerChallenge | undefined, signal: AbortSignal | undefined): Promise<ServerDiscovery> {
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
    // A sign-in may take the whole authorization timeout; a token request up to requestTimeoutMs with retries.
    // Either way the lock is renewed while its holder works (a lapsed lock would let another process present the
    // same refresh token, which a server with reuse detection answers by revoking the grant); a holder that dies
    // stops renewing, and its lock is recovered after the ttl.
    const ttlMs =
      request.interactive && interactiveFlow ? this.config.authorizationTimeoutMs + 60_000 : this.#lockTtlMs;
    const signIn = request.interactive && interactiveFlow;
    const lock = await this.#store.lock(key, 'tokens', {
      ttlMs,
      // Wait as long as a live holder may legitimately work (its request with retries, or a sign-in), plus margin.
      waitMs: (signIn ? ttlMs : Math.max(ttlMs, this.config.requestTimeoutMs * 2)) + 5_000,
      ...(request.signal && { signal: request.signal }),
    });
    const stopKeepAlive = keepLockAlive(lock, ttlMs, () =>
      this.#logger.warn('the token store lock was lost while renewing tokens', { issuer: key.issuer }),
    );
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
      stopKeepAlive();
      await lock.release();
    }
  }

  async #obtain(record: TokenRecord, discovery: ServerDiscovery, request: RenewRequest): Promise<StoredTokens> {
    const as = discovery.authorizationServer;
    const now = () => epochSeconds(this.#clock);
    const stepUp = request.requiredScopes !== undefined || request.forceAuthorization === true;
    const previous = record.tokens;

    // 1. Refresh (RFC 6749 §6), unless the scope must widen (refresh cannot widen scope). Only `invalid_grant` ends
    // the refresh token and only `invalid_client` ends a dynamic registration; any other failure (the server
    // unavailable, a malformed answer) leaves the record exactly as it was.
    if (previous?.refresh_token && record.client && !stepUp) {
      try {
        const ctx = await this.#grantContext(as, record.client, discovery, request.signal);
        const refreshToken = previous.refresh_token;
        const response = await this.#tokenRequest('Refreshing the access token', request, () =>
          refreshGrant(ctx, refreshToken),
        );
        this.#logger.debug('access token refreshed', { issuer: as.issuer });
        return toStoredTokens(response, now(), previous);
      } catch (error) {
        const kind = classifyTokenFailure(error, this.#clock.now()).kind;
        const dynamic = record.client.registration === 'dynamic';
        if (kind !== 'invalid_grant' && !(kind === 'invalid_client' && dynamic)) throw error;
        // A proactive refresh refused while the access token is still valid: that token stays in use until it
        // expires (the server may refuse early refreshes); only the refresh token is dropped.
        const stillValid =
          request.proactive === true && previous.expires_at !== undefined && now() < previous.expires_at;
        if (kind === 'invalid_client') {
          this.#logger.info('the dynamically registered client was refused; it is dropped', { issuer: as.issuer });
          delete record.client;
        } else {
          this.#logger.info('the refresh token was refused (invalid_grant); it is dropped', { issuer: as.issuer });
        }
        const { refresh_token: _dropped, ...kept } = previous;
        if (stillValid) record.tokens = kept;
        else delete record.tokens;
        const updated = { ...record, updated_at: now() };
        await this.#store.set(updated);
        // A dead access token is not sent again while a new authorization is pending.
        this.#record = updated;
        if (stillValid) throw error;
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
      const response = await this.#tokenRequest('The client credentials grant', request, () =>
        clientCredentialsGrant(ctx, scopes),
      );
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

  /**
   * Send a token request, retrying while the authorization server is unavailable within the request's deadline
   * (`requestTimeoutMs`); a proactive renewal tries once, since the current token still serves meanwhile.
   */
  #tokenRequest<T>(what: string, request: RenewRequest, run: () => Promise<T>): Promise<T> {
    return withTokenRetry(what, run, {
      clock: this.#clock,
      budgetMs: this.config.requestTimeoutMs,
      maxAttempts: request.proactive ? 1 : 4,
      signal: request.signal,
      logger: this.#logger,
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
    discovery: ServerDiscovery,
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
