import { type AuthProvider, InsufficientScopeError as SdkInsufficientScopeError } from '@modelcontextprotocol/client';
import { causeChain } from '../core/cause.ts';
import type { Clock } from '../core/clock.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import { redactingLogger } from '../core/redact.ts';
import { OAuthConfig } from './config.ts';
import type { ConnectionAuth } from './connection-auth.ts';
import { createAuthServices } from './engine/default-services.ts';
import { OAuthEngine } from './engine/engine.ts';
import { OAuthError } from './errors.ts';
import type { FetchLike } from './http.ts';
import { createDefaultAuthorizationHandler } from './interactive/handler.ts';
import { FileTokenStore } from './store/file.ts';
import type { TokenStore } from './store/types.ts';

/** What the MCP layer passes to build the auth of one HTTP connection. */
export interface ConnectionAuthOptions {
  /** The MCP server URL. */
  serverUrl: URL;
  /** `undefined`: automatic OAuth with defaults on a 401; `false`: OAuth off (a 401 is `AUTH_REQUIRED`). */
  oauth: OAuthConfig | false | undefined;
  /** Whether interactive sign-in may be started (false for background work). Default true. */
  interactive?: boolean;
  fetch?: FetchLike;
  logger?: Logger;
  clock?: Clock;
}

type UnauthorizedContext = Parameters<NonNullable<AuthProvider['onUnauthorized']>>[0];

const defaultConfigs = new Map<string, OAuthConfig>();
const engines = new WeakMap<OAuthConfig, Map<string, OAuthEngine>>();
let defaultStore: TokenStore | undefined;

/** The process-wide default store: a `FileTokenStore` in `$MCPTOOL_HOME` or the user data dir. */
function defaultTokenStore(logger: Logger): TokenStore {
  if (!defaultStore) defaultStore = new FileTokenStore({ logger });
  return defaultStore;
}

/**
 * The engine of one (server, configuration): shared by every connection, tool and toolset in the process that
 * uses the same server with the same `OAuthConfig` object (or, without one, the same defaults), so that they
 * share one set of credentials and one in-flight renewal.
 */
export function engineFor(options: ConnectionAuthOptions): OAuthEngine | undefined {
  if (options.oauth === false) return undefined;
  const href = options.serverUrl.href;
  let config = options.oauth;
  if (config === undefined) {
    config = defaultConfigs.get(href) ?? new OAuthConfig();
    defaultConfigs.set(href, config);
  }
  let byServer = engines.get(config);
  if (!byServer) {
    byServer = new Map();
    engines.set(config, byServer);
  }
  let engine = byServer.get(href);
  if (!engine) {
    const logger = redactingLogger(options.logger ?? silentLogger);
    const cfg = config;
    engine = new OAuthEngine({
      serverUrl: options.serverUrl,
      config: cfg,
      services: createAuthServices({ fetch: options.fetch, logger, requestTimeoutMs: cfg.requestTimeoutMs }),
      store: cfg.tokenStore ?? defaultTokenStore(logger),
      handler: () =>
        cfg.authorizationHandler ??
        createDefaultAuthorizationHandler({
          callback: cfg.callback === 'device' ? 'auto' : cfg.callback,
          redirect: cfg.redirect,
          timeoutMs: cfg.authorizationTimeoutMs,
          logger,
        }),
      logger,
      clock: options.clock ?? cfg.clock,
    });
    byServer.set(href, engine);
  }
  return engine;
}

/** How many times one request is resent with the current token after 401s that answered stale tokens. */
const MAX_STALE_RESENDS = 3;

/** `init` with its bearer token replaced by `token`. */
function withBearer(init: RequestInit | undefined, token: string): RequestInit {
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
}

/** Whether a request body can be sent again as it is (a stream cannot). */
function resendable(init: RequestInit | undefined): boolean {
  const body = init?.body;
  return body === undefined || body === null || typeof body === 'string' || body instanceof URLSearchParams;
}

/** The bearer token a request carried, if any. */
function bearerOf(init: RequestInit | undefined): string | undefined {
  const value = new Headers(init?.headers).get('authorization');
  const match = value === null ? null : /^bearer\s+(.+)$/i.exec(value);
  return match?.[1];
}

class EngineConnectionAuth implements ConnectionAuth {
  readonly #engine: OAuthEngine;
  readonly #interactive: boolean;
  /** The token each 401 response answered (see wrapFetch). */
  readonly #sent = new WeakMap<Response, string | undefined>();

  constructor(engine: OAuthEngine, interactive: boolean) {
    this.#engine = engine;
    this.#interactive = interactive;
  }

  token(): Promise<string | undefined> {
    return this.#engine.accessToken();
  }

  onUnauthorized(ctx: UnauthorizedContext): Promise<void> {
    const known = this.#sent.has(ctx.response);
    return this.#engine.onUnauthorized(
      ctx.response,
      undefined,
      known ? { token: this.#sent.get(ctx.response) } : undefined,
    );
  }

  /**
   * A 401 that answers a token no longer current (renewed meanwhile, or due by this client's clock while the
   * request waited) is not a refusal of the credentials held: the request is resent with the current token (renewed
   * single-flight first when due), at most MAX_STALE_RESENDS times, on the same connection. Only a 401 answering
   * the current token reaches the SDK, which then calls `onUnauthorized` and retries once.
   */
  wrapFetch(inner: (input: string | URL, init?: RequestInit) => Promise<Response>): typeof fetch {
    const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      let request = init;
      let response = await inner(input as string | URL, request);
      for (let resend = 0; response.status === 401 && resend < MAX_STALE_RESENDS && resendable(request); resend++) {
        const current = await this.#engine.tokenAfterStale401(bearerOf(request), request?.signal ?? undefined);
        if (current === undefined) break;
        await response.body?.cancel().catch(() => {});
        request = withBearer(request, current);
        response = await inner(input as string | URL, request);
      }
      if (response.status === 401) this.#sent.set(response, bearerOf(request));
      return response;
    };
    return wrapped as typeof fetch;
  }

  /** Whether the server refused a token this client holds as current (not expired, not replaced). */
  refusedCurrentToken(): boolean {
    return this.#engine.holdsCurrentToken;
  }

  succeeded(operation: string): void {
    this.#engine.operationSucceeded(operation);
  }

  async prepare(options: { signal?: AbortSignal } = {}): Promise<void> {
    // Loads the stored record and renews a token about to expire before the connection starts (no network otherwise).
    await this.#engine.accessToken(options.signal);
  }

  async recover(error: unknown, options: { signal?: AbortSignal; operation?: string } = {}): Promise<boolean> {
    for (const e of causeChain(error)) {
      if (e instanceof OAuthError && e.code === 'SIGN_IN_REQUIRED') {
        if (!this.#interactive) return false;
        await this.#engine.signIn(options.signal);
        return true;
      }
      if (SdkInsufficientScopeError.isInstance(e)) {
        await this.#engine.stepUp(e.requiredScope, options.operation ?? 'request', options.signal);
        return true;
      }
      if (e instanceof OAuthError) return false;
    }
    if (this.#engine.signInRequired && this.#interactive) {
      await this.#engine.signIn(options.signal);
      return true;
    }
    return false;
  }
}

/**
 * Build the OAuth side of one HTTP connection (MCP Authorization 2025-11-25), or `undefined` when OAuth is off
 * (`oauth: false`). Without an `OAuthConfig`, the defaults apply on the first 401: discovery, dynamic client
 * registration and an interactive sign-in.
 */
export function createConnectionAuth(options: ConnectionAuthOptions): ConnectionAuth | undefined {
  const engine = engineFor(options);
  return engine ? new EngineConnectionAuth(engine, options.interactive ?? true) : undefined;
}
