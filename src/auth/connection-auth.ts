/**
 * The seam between the MCP client layer and the OAuth engine: the {@link ConnectionAuth} interface the transports
 * use, and {@link createConnectionAuth}, which builds it on the shared engine of a server (see `EngineRegistry`).
 */
import { type AuthProvider, InsufficientScopeError as SdkInsufficientScopeError } from '@modelcontextprotocol/client';
import { causeChain } from '../core/cause.ts';
import type { OAuthEngine } from './engine/engine.ts';
import { defaultEngineRegistry, type EngineRegistry, type EngineRequest } from './engine/registry.ts';
import { OAuthError } from './errors.ts';

/** What the MCP layer passes to build the auth of one HTTP connection. */
export interface ConnectionAuthOptions extends EngineRequest {
  /** Whether interactive sign-in may be started (false for background work). Default true. */
  interactive?: boolean;
  /** The engines to share; default: the process's ({@link defaultEngineRegistry}). */
  engines?: EngineRegistry;
}

type UnauthorizedContext = Parameters<NonNullable<AuthProvider['onUnauthorized']>>[0];

/**
 * The seam between the MCP client layer and the OAuth engine. It is the SDK transports' `AuthProvider`
 * (`token()` before every request, `onUnauthorized()` on a 401, after which the transport retries once)
 * plus two hooks the client layer calls *outside* any request timeout:
 *
 * - `prepare()` before connecting: loads stored credentials (no network when none are needed) and, when the
 *   caller allows interaction, runs a sign-in that a request timeout must not cut short.
 * - `recover(error)` after a request failed: when the failure is one auth can fix (sign-in required, step-up
 *   for `insufficient_scope`, a token revoked mid-session), it fixes it and returns `true`, and the client
 *   layer retries the operation exactly once. It returns `false` for errors it does not own.
 */
export interface ConnectionAuth extends AuthProvider {
  prepare(options?: { signal?: AbortSignal }): Promise<void>;
  recover(error: unknown, options?: { signal?: AbortSignal; operation?: string }): Promise<boolean>;
  /**
   * Wrap the transport's fetch so that a 401 can be attributed to the token that request actually carried: a 401
   * that answers a token already replaced by a concurrent renewal then reuses the new token instead of renewing
   * again (no refresh storms, no second use of a rotated refresh token).
   */
  wrapFetch?(inner: (input: string | URL, init?: RequestInit) => Promise<Response>): typeof globalThis.fetch;
  /**
   * After a final 401: whether the credentials held are current (not expired, not replaced), so the server refused
   * the current token rather than finding none it accepts.
   */
  refusedCurrentToken?(): boolean;
  /** An operation succeeded: its step-up attempts start counting again from zero. */
  succeeded?(operation: string): void;
  /** Release timers or listeners held for this connection. */
  close?(): Promise<void>;
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
  const engine = (options.engines ?? defaultEngineRegistry).engineFor(options);
  return engine ? new EngineConnectionAuth(engine, options.interactive ?? true) : undefined;
}
