import * as oauth from 'oauth4webapi';
import { findInCauses } from '../../core/cause.ts';
import { type Clock, sleepOn } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { AuthorizationServerUnavailableError, OAuthError, OAuthServerError } from '../errors.ts';

/**
 * What a failed token request means for the credentials held:
 * - `invalid_grant`: the grant (refresh token) is dead (RFC 6749 §5.2);
 * - `invalid_client`: the client is unknown or its authentication failed (RFC 6749 §5.2);
 * - `transient`: the server could not serve the request now (5xx, 429, `temporarily_unavailable`, a network
 *   failure, a timeout); the same request may succeed later;
 * - `final`: any other failure; retrying it unchanged would fail again.
 */
export type TokenFailureKind = 'invalid_grant' | 'invalid_client' | 'transient' | 'final';

export interface TokenFailure {
  kind: TokenFailureKind;
  /** The HTTP status of the answer, when there was one. */
  status: number | undefined;
  /** A `Retry-After` the server sent (RFC 9110 §10.2.3), in milliseconds. */
  retryAfterMs: number | undefined;
}

/** The `Response` behind an oauth4webapi error, if the server answered. */
function responseOf(error: unknown): Response | undefined {
  return findInCauses(error, (e) => {
    if (e instanceof Response) return e;
    const response = (e as { response?: unknown }).response;
    return response instanceof Response ? response : undefined;
  });
}

/** `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from `nowMs`; undefined when absent. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Classify a failure of a token endpoint request (see {@link TokenFailureKind}). */
export function classifyTokenFailure(error: unknown, nowMs: number): TokenFailure {
  const response = responseOf(error);
  const status =
    (error instanceof OAuthServerError ? error.status : undefined) ??
    (error instanceof oauth.ResponseBodyError ? error.status : undefined) ??
    response?.status;
  const retryAfterMs = parseRetryAfter(response?.headers.get('retry-after') ?? null, nowMs);
  const failure = (kind: TokenFailureKind): TokenFailure => ({ kind, status, retryAfterMs });
  const oauthError = error instanceof OAuthServerError ? error.error : undefined;
  if (oauthError === 'invalid_grant') return failure('invalid_grant');
  if (oauthError === 'invalid_client') return failure('invalid_client');
  // RFC 6749 §4.1.2.1 defines `temporarily_unavailable` and `server_error` for exactly this.
  if (oauthError === 'temporarily_unavailable' || oauthError === 'server_error') return failure('transient');
  if (status !== undefined && (status >= 500 || status === 429 || status === 408)) return failure('transient');
  // The hardened fetch reports a network failure or a timeout as REQUEST_FAILED (a caller's abort is ABORTED).
  if (error instanceof OAuthError && error.code === 'REQUEST_FAILED') return failure('transient');
  return failure('final');
}

/** Options of {@link withTokenRetry}. */
export interface TokenRetryOptions {
  clock: Clock;
  /** The total budget of the request, retries and waits included, in ms (the request's deadline). */
  budgetMs: number;
  /** At most this many requests. Default 4. */
  maxAttempts?: number;
  /** The first backoff delay in ms; it doubles per attempt (with jitter), capped at 8 s. Default 250. */
  baseDelayMs?: number;
  signal?: AbortSignal | undefined;
  logger: Logger;
}

/**
 * Run a token request, retrying transient failures with exponential backoff (honouring `Retry-After`) while the
 * budget lasts. A transient failure that outlives the budget or the attempts becomes
 * {@link AuthorizationServerUnavailableError}; any other failure is thrown as it is, at once.
 */
export async function withTokenRetry<T>(what: string, run: () => Promise<T>, options: TokenRetryOptions): Promise<T> {
  const { clock, logger } = options;
  const maxAttempts = options.maxAttempts ?? 4;
  const baseMs = options.baseDelayMs ?? 250;
  const deadlineMs = clock.now() + options.budgetMs;
  for (let attempt = 1; ; attempt++) {
    let failure: TokenFailure;
    try {
      return await run();
    } catch (error) {
      failure = classifyTokenFailure(error, clock.now());
      if (failure.kind !== 'transient') throw error;
      const backoffMs = Math.min(8_000, baseMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      const delayMs = Math.max(backoffMs, failure.retryAfterMs ?? 0);
      const remainingMs = deadlineMs - clock.now();
      if (attempt >= maxAttempts || delayMs >= remainingMs || options.signal?.aborted) {
        throw new AuthorizationServerUnavailableError(
          what,
          {
            status: failure.status,
            reason:
              failure.status !== undefined
                ? `HTTP ${failure.status}${
                    failure.retryAfterMs !== undefined && delayMs >= remainingMs
                      ? `, Retry-After ${Math.ceil(failure.retryAfterMs / 1000)} s is past the request's deadline`
                      : ''
                  }`
                : error instanceof Error
                  ? error.message
                  : String(error),
            attempts: attempt,
          },
          { cause: error },
        );
      }
      logger.info('token request failed; retrying', { status: failure.status, attempt, delayMs: Math.round(delayMs) });
      try {
        await sleepOn(clock, delayMs, options.signal);
      } catch (reason) {
        throw new OAuthError('ABORTED', `${what}: aborted while waiting to retry`, { cause: reason });
      }
    }
  }
}
