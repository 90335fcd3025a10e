import { type Clock, epochSeconds, systemClock } from '../../core/clock.ts';
import { quote } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import type { AuthorizationHandler, OAuthConfig } from '../config.ts';
import { InsufficientScopeError, OAuthServerError } from '../errors.ts';
import { type InteractionUI, stderrInteractionUI } from '../interactive/ui.ts';
import { keepLockAlive } from '../store/lock-util.ts';
import { findServerRecords, recordServes, withServer } from '../store/lookup.ts';
import type { StoredTokens, TokenRecord, TokenRecordKey, TokenStore } from '../store/types.ts';
import { type AcquisitionState, type RenewRequest, TokenAcquirer } from './acquire.ts';
import { coversScopes, splitScope, unionScopes } from './scopes.ts';
import { type AuthServices, type BearerChallenge, probeChallenge, type ServerDiscovery } from './services.ts';
import { type RevocationContext, revokeAndDelete } from './sign-out.ts';
import { needsRenewal } from './tokens.ts';

/** What an engine is built with. */
export interface OAuthEngineOptions {
  serverUrl: URL;
  config: OAuthConfig;
  services: AuthServices;
  store: TokenStore;
  /** The handler of an interactive sign-in, asked for when one starts. */
  handler: () => AuthorizationHandler;
  /** Where the device grant shows its user code. Default: stderr. */
  ui?: InteractionUI | undefined;
  logger?: Logger | undefined;
  clock?: Clock | undefined;
  /** The store lock's ttl for a token request (renewed every third of it while the request runs). Default 30 s. */
  lockTtlMs?: number | undefined;
}

/** After a failed proactive refresh, the next proactive attempt waits this long (ms), so an outage is not hammered. */
const PROACTIVE_PAUSE_MS = 5_000;

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
  readonly #lockTtlMs: number;
  readonly #acquirer: TokenAcquirer;
  readonly #revocation: RevocationContext;
  /** How the acquirer updates this engine's state. */
  readonly #acquisitionState: AcquisitionState = {
    recordChanged: (record) => {
      this.#record = record;
    },
    signInRequired: () => {
      this.#signInRequired = true;
    },
    scopesRequested: (scopes) => {
      this.#requestedScopes = scopes;
    },
  };
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

  constructor(options: OAuthEngineOptions) {
    this.#lockTtlMs = options.lockTtlMs ?? 30_000;
    this.serverUrl = options.serverUrl;
    this.config = options.config;
    this.#services = options.services;
    this.#store = options.store;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    const ui = options.ui ?? stderrInteractionUI();
    this.#acquirer = new TokenAcquirer({ ...options, ui, logger: this.#logger, clock: this.#clock });
    this.#revocation = { ...options, logger: this.#logger, acquirer: this.#acquirer };
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

  /** The records this server URL may use ({@link findServerRecords}); a configured resource pins them. */
  #serverRecords(): Promise<TokenRecord[]> {
    const resource = this.config.resource;
    return resource !== undefined ? this.#store.list(resource) : findServerRecords(this.#store, this.serverUrl);
  }

  /** Load a stored record for this server, with no network request. */
  async load(): Promise<void> {
    this.#loaded ??= (async () => {
      const records = await this.#serverRecords();
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
    // keeping it would make recover() report success while the retry fails again with SIGN_IN_REQUIRED.
    if (!options.force && !this.#signInRequired && held && !this.#due(held)) {
      return;
    }
    await this.renew({
      failedToken: this.#record?.tokens?.access_token,
      challenge: this.#lastChallenge ?? (await probeChallenge(this.#services, this.serverUrl, signal)),
      interactive: true,
      signal,
      forceAuthorization: options.force ?? false,
    });
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
      const newTokens = await this.#acquirer.obtain(record, discovery, request, this.#acquisitionState);
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

  /**
   * Sign out: for every record this server URL uses ({@link findServerRecords}, or the configured resource's),
   * revoke the refresh token (else the access token) where the server offers RFC 7009 revocation, then delete the
   * record. Revocation is best effort: a failure is logged and the record is deleted anyway.
   */
  async signOut(signal?: AbortSignal): Promise<{ record: TokenRecord; revoked: boolean }[]> {
    const records = await this.#serverRecords();
    const results: { record: TokenRecord; revoked: boolean }[] = [];
    for (const record of records) {
      const revoked = await revokeAndDelete(record, this.#revocation, signal);
      results.push({ record, revoked });
    }
    this.#record = undefined;
    this.#loaded = undefined;
    return results;
  }
}
